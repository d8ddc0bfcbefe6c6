#!/usr/bin/env bash
# Writes an nginx configuration tree for benchmarks:
#
#   benches/gen/nginx_tree.sh DIR [SERVERS] [LOCATIONS_PER_SERVER] [PASSWD_FILES_PER_SERVER]
#
# DIR/nginx.conf includes DIR/sites/*.conf: SERVERS files (default 1000), each one
# `server` with LOCATIONS_PER_SERVER (default 10) protected `location ^~ /areaN/`
# blocks (auth_basic + auth_basic_user_file, a nested PHP location), a server-wide
# PHP location and a `.ht` deny — valid for `nginx -t`. With PASSWD_FILES_PER_SERVER
# K > 0, each server's locations name K distinct password files of their own
# (DIR/auth/siteNNNN-K.htpasswd, location N takes file ((N-1) mod K)+1); with 0 (the
# default) every location names one shared file, DIR/users.
set -euo pipefail
dir=${1:?usage: nginx_tree.sh DIR [SERVERS] [LOCATIONS_PER_SERVER] [PASSWD_FILES_PER_SERVER]}
servers=${2:-1000}
per=${3:-10}
files=${4:-0}
mkdir -p "$dir/sites" "$dir/www" "$dir/tmp" "$dir/auth"
dir=$(cd "$dir" && pwd)
hash=$(openssl passwd -apr1 bench)
printf 'bench:%s\n' "$hash" >"$dir/users"
cat >"$dir/nginx.conf" <<CONF
user www-data;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log off;
    server_names_hash_max_size 8192;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include sites/*.conf;
}
CONF
awk -v dir="$dir" -v n="$servers" -v per="$per" -v files="$files" -v hash="$hash" 'BEGIN {
    for (s = 1; s <= n; s++) {
        f = sprintf("%s/sites/site%04d.conf", dir, s)
        printf "server {\n    listen 127.0.0.1:8080;\n    server_name s%d.example.com;\n    root %s/www;\n\n", s, dir > f
        printf "    location ~ /\\.ht { deny all; }\n" > f
        for (k = 1; k <= files; k++) {
            p = sprintf("%s/auth/site%04d-%d.htpasswd", dir, s, k)
            printf "user%d:%s\n", k, hash > p
            close(p)
        }
        for (l = 1; l <= per; l++) {
            users = dir "/users"
            if (files > 0) users = sprintf("%s/auth/site%04d-%d.htpasswd", dir, s, (l - 1) % files + 1)
            printf "    location ^~ /area%d/ {\n        auth_basic \"Area %d\";\n        auth_basic_user_file %s;\n        location ~ \\.php$ { return 404; }\n    }\n", l, l, users > f
        }
        printf "    location ~ \\.php$ { return 404; }\n}\n" > f
        close(f)
    }
}'
