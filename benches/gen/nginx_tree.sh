#!/usr/bin/env bash
# Writes an nginx configuration tree for benchmarks:
#
#   benches/gen/nginx_tree.sh DIR [SERVERS] [LOCATIONS_PER_SERVER]
#
# DIR/nginx.conf includes DIR/sites/*.conf: SERVERS files (default 1000), each one
# `server` with LOCATIONS_PER_SERVER (default 10) protected `location ^~ /areaN/`
# blocks (auth_basic + auth_basic_user_file, a nested PHP location), a server-wide
# PHP location and a `.ht` deny — valid for `nginx -t`. One shared htpasswd file.
set -euo pipefail
dir=${1:?usage: nginx_tree.sh DIR [SERVERS] [LOCATIONS_PER_SERVER]}
servers=${2:-1000}
per=${3:-10}
mkdir -p "$dir/sites" "$dir/www" "$dir/tmp"
dir=$(cd "$dir" && pwd)
printf 'bench:%s\n' "$(openssl passwd -apr1 bench)" >"$dir/users"
cat >"$dir/nginx.conf" <<CONF
user www-data;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log off;
    server_names_hash_max_size 4096;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include sites/*.conf;
}
CONF
awk -v dir="$dir" -v n="$servers" -v per="$per" 'BEGIN {
    for (s = 1; s <= n; s++) {
        f = sprintf("%s/sites/site%04d.conf", dir, s)
        printf "server {\n    listen 127.0.0.1:8080;\n    server_name s%d.example.com;\n    root %s/www;\n\n", s, dir > f
        printf "    location ~ /\\.ht { deny all; }\n" > f
        for (l = 1; l <= per; l++) {
            printf "    location ^~ /area%d/ {\n        auth_basic \"Area %d\";\n        auth_basic_user_file %s/users;\n        location ~ \\.php$ { return 404; }\n    }\n", l, l, dir > f
        }
        printf "    location ~ \\.php$ { return 404; }\n}\n" > f
        close(f)
    }
}'
