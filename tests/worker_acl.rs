//! A password file the worker may read only through a POSIX ACL: the servers let logins
//! in, and htguard must not call it unreadable (AP004 / NX004); without the ACL both
//! servers answer 500 and htguard says so.

mod common;

use common::{Apache, Nginx, Site, run_tool};
use htguard::check::{self, CheckOptions};

const APACHE: &str = r#"
<Location /p/>
    AuthType Basic
    AuthName "acl"
    AuthUserFile {site}/users
    Require valid-user
</Location>
"#;

const NGINX: &str = r#"
location /p/ {
    auth_basic "acl";
    auth_basic_user_file {site}/users;
}
"#;

/// The codes htguard reports for the config at `conf`, as `server` reads it.
fn codes(conf: &std::path::Path, nginx: bool) -> Vec<&'static str> {
    let opts = CheckOptions {
        apache_configs: if nginx {
            vec![]
        } else {
            vec![conf.to_path_buf()]
        },
        nginx_configs: if nginx {
            vec![conf.to_path_buf()]
        } else {
            vec![]
        },
        ..Default::default()
    };
    let outcome = check::run(&opts).expect("htguard check runs");
    outcome.diagnostics.iter().map(|d| d.code).collect()
}

/// A site whose `users` file is root's 0600, readable by www-data only if `acl`.
fn site(acl: bool) -> Site {
    let site = Site::new();
    site.write_mode(
        "users",
        run_tool("htpasswd", &["-nbB", "u", "secret"]),
        0o600,
    );
    site.write("htdocs/p/index.html", "ok\n");
    if acl {
        let users = site.path("users");
        run_tool("setfacl", &["-m", "u:www-data:r", users.to_str().unwrap()]);
    }
    site
}

#[test]
fn apache_reads_through_an_acl_and_htguard_agrees() {
    if !common::need_root(
        &["apache2", "htpasswd", "setfacl"],
        "the worker drops to www-data",
    ) {
        return;
    }
    for acl in [true, false] {
        let site = site(acl);
        let apache = Apache::start(&site, APACHE);
        let status = apache.get("/p/", Some(("u", "secret")));
        let found = codes(apache.conf_path(), false);
        if acl {
            assert_eq!(status, 200, "{}", apache.error_log());
            assert!(!found.contains(&"AP004"), "{found:?}");
        } else {
            assert_eq!(status, 500, "{}", apache.error_log());
            assert!(found.contains(&"AP004"), "{found:?}");
        }
    }
}

#[test]
fn nginx_reads_through_an_acl_and_htguard_agrees() {
    if !common::need_root(
        &["nginx", "htpasswd", "setfacl"],
        "the worker drops to www-data",
    ) {
        return;
    }
    for acl in [true, false] {
        let site = site(acl);
        let nginx = Nginx::start(&site, NGINX);
        let status = nginx.get("/p/", Some(("u", "secret")));
        let found = codes(nginx.conf_path(), true);
        if acl {
            assert_eq!(status, 200, "{}", nginx.error_log());
            assert!(!found.contains(&"NX004"), "{found:?}");
        } else {
            assert_eq!(status, 500, "{}", nginx.error_log());
            assert!(found.contains(&"NX004"), "{found:?}");
        }
    }
}
