#!/usr/bin/env python3
"""Generate an Apache 2.4 tree for the htguard benchmark (valid for `apache2 -t`).

    apache_tree.py OUT [--vhosts N] [--htaccess-per-vhost K] [--passwd-files-per-vhost P]
                   --hash HASH

OUT/conf/httpd.conf includes OUT/conf/vhosts/*.conf: N TLS name-based vhosts, each with
a DocumentRoot OUT/www/vI (AllowOverride AuthConfig), a protected <Location /admin>,
K subdirectories each holding a .htaccess with its own auth, and password files they
name: with P = 1 (the default) one file OUT/auth/vI.htpasswd named by all of them; with
P > 1, P distinct files OUT/auth/vI-J.htpasswd (the <Location> names file 0, area k
file k mod P). Every path is absolute, so apache2 and htguard read exactly the same
files. HASH (one bcrypt hash of a known password) is reused under distinct user names:
generating 1,000 files then takes a second.
"""
import argparse
import os

MODULES = [
    "mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "authz_host",
    "auth_basic", "access_compat", "alias", "dir", "mime", "setenvif", "ssl", "socache_shmcb",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--vhosts", type=int, default=1000)
    ap.add_argument("--htaccess-per-vhost", type=int, default=10)
    ap.add_argument("--passwd-files-per-vhost", type=int, default=1)
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--hash", required=True)
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    for d in ("conf/vhosts", "auth", "www", "run", "logs"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    with open(os.path.join(out, "conf/httpd.conf"), "w") as f:
        f.write(f'ServerRoot "{out}"\nServerName bench.example\nListen 127.0.0.1:8443\n')
        f.write(f'DefaultRuntimeDir "{out}/run"\nPidFile "{out}/run/httpd.pid"\n')
        f.write(f'ErrorLog "{out}/logs/error.log"\nUser www-data\nGroup www-data\n')
        for m in MODULES:
            f.write(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n")
        f.write("TypesConfig /etc/mime.types\n")
        f.write("<Directory />\n\tAllowOverride None\n\tRequire all denied\n</Directory>\n")
        f.write('<FilesMatch "^\\.ht">\n\tRequire all denied\n</FilesMatch>\n')
        f.write("AccessFileName .htaccess\n")
        f.write(f"IncludeOptional {out}/conf/vhosts/*.conf\n")
    for i in range(a.vhosts):
        v = f"v{i:04d}"
        www = f"{out}/www/{v}"
        files = max(a.passwd_files_per_vhost, 1)
        names = [f"{out}/auth/{v}.htpasswd"] if files == 1 else [
            f"{out}/auth/{v}-{j}.htpasswd" for j in range(files)]
        for name in names:
            with open(name, "w") as f:
                for u in range(a.users):
                    f.write(f"user{u}:{a.hash}\n")
            os.chmod(name, 0o644)
        users = names[0]
        os.makedirs(f"{www}/admin", exist_ok=True)
        with open(f"{www}/index.html", "w") as f:
            f.write(f"<h1>{v}</h1>\n")
        with open(f"{out}/conf/vhosts/{v}.conf", "w") as f:
            f.write(
                f"<VirtualHost *:8443>\n"
                f"\tServerName {v}.bench.example\n"
                f"\tDocumentRoot {www}\n"
                f"\tSSLEngine on\n"
                f"\tSSLCertificateFile /etc/ssl/certs/ssl-cert-snakeoil.pem\n"
                f"\tSSLCertificateKeyFile /etc/ssl/private/ssl-cert-snakeoil.key\n"
                f"\t<Directory {www}>\n\t\tAllowOverride AuthConfig\n\t\tRequire all granted\n\t</Directory>\n"
                f"\t<Location /admin>\n\t\tAuthType Basic\n\t\tAuthName \"{v} admin\"\n"
                f"\t\tAuthUserFile {users}\n\t\tRequire user user0 user1\n\t</Location>\n"
                f"</VirtualHost>\n"
            )
        for k in range(a.htaccess_per_vhost):
            d = f"{www}/area{k}"
            os.makedirs(d, exist_ok=True)
            with open(f"{d}/.htaccess", "w") as f:
                f.write(
                    f"# area {k} of {v}\nAuthType Basic\nAuthName \"{v} area {k}\"\n"
                    f"AuthUserFile {names[k % files]}\nRequire valid-user\n"
                )


if __name__ == "__main__":
    main()
