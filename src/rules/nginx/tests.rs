//! Each rule on a failing and a passing configuration.

use crate::diag::{Diagnostic, Severity};
use crate::model::LoadOptions;
use crate::model::nginx::{NginxStart, load};
use crate::rules::Context;
use crate::source::Sources;
use crate::target::Profile;
use std::os::unix::fs::PermissionsExt;

/// A config tree in a temp dir: `{dir}` in texts is replaced by its path.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(files: &[(&str, &str)]) -> Tree {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let t = Tree { dir };
        for (rel, text) in files {
            t.write(rel, text);
        }
        t
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(
            &p,
            text.replace("{dir}", &self.dir.path().to_string_lossy()),
        )
        .unwrap();
    }

    fn check(&self) -> (Vec<Diagnostic>, Sources) {
        let mut sources = Sources::new();
        let mut diags = Vec::new();
        let model = load(
            &self.dir.path().join("nginx.conf"),
            NginxStart::MainConfig,
            &LoadOptions::default(),
            &mut sources,
        );
        let models = [model];
        let profile = Profile::default();
        let ctx = Context {
            sources: &sources,
            profile: &profile,
            passwd: &[],
            unreadable: &[],
            apache: &[],
            nginx: &models,
        };
        for rule in super::RULES {
            (rule.check)(&ctx, &mut diags);
        }
        (diags, sources)
    }

    fn codes(&self) -> Vec<&'static str> {
        let mut v: Vec<_> = self.check().0.iter().map(|d| d.code).collect();
        v.sort();
        v.dedup();
        v
    }

    fn find(&self, code: &str) -> Diagnostic {
        let (d, _) = self.check();
        d.into_iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:?}", self.codes()))
    }
}

fn conf(server_body: &str) -> String {
    format!(
        "user www-data;\nevents {{}}\nhttp {{\n  server {{\n    listen 127.0.0.1:8080;\n    root {{dir}}/htdocs;\n{server_body}\n  }}\n}}\n"
    )
}

const USERS: &str = "u:$apr1$abc$0123456789abcdefghij.\n";

fn protected(loc: &str, extra: &str) -> String {
    format!(
        "    location {loc} {{ auth_basic \"R\"; auth_basic_user_file {{dir}}/users; {extra} }}\n"
    )
}

#[test]
fn healthy_setup_has_no_findings() {
    let body = protected("/admin/", "") + "    location ~ /\\.ht { deny all; }\n";
    let t = Tree::new(&[("nginx.conf", &conf(&body)), ("users", USERS)]);
    assert_eq!(t.codes(), Vec::<&str>::new());
}

#[test]
fn nx003_missing_user_file() {
    let t = Tree::new(&[("nginx.conf", &conf(&protected("/admin/", "")))]);
    let d = t.find("NX003");
    assert!(d.message.contains("403"), "{}", d.message);
    assert!(d.help.unwrap().contains("htguard user add --create"));
    t.write("users", USERS);
    assert!(!t.codes().contains(&"NX003"));
}

#[test]
fn nx004_unreadable_by_worker() {
    let t = Tree::new(&[
        ("nginx.conf", &conf(&protected("/admin/", ""))),
        ("users", USERS),
    ]);
    let f = t.dir.path().join("users");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
    if crate::model::nginx::perms::account("www-data", None).is_none() {
        panic!("the www-data account is missing on this machine");
    }
    let d = t.find("NX004");
    assert!(d.message.contains("500"));
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(!t.codes().contains(&"NX004"));
}

#[test]
fn nx005_directory() {
    let t = Tree::new(&[("nginx.conf", &conf(&protected("/admin/", "")))]);
    std::fs::create_dir(t.dir.path().join("users")).unwrap();
    assert!(t.find("NX005").message.contains("directory"));
}

#[test]
fn nx006_relative_path_from_a_site_file() {
    let site = "server { listen 127.0.0.1:8080; location / { auth_basic R; auth_basic_user_file app.users; } }";
    let t = Tree::new(&[
        ("nginx.conf", "events {}\nhttp { include sites/*; }\n"),
        ("sites/app", site),
        ("sites/app.users", USERS),
    ]);
    let d = t.find("NX006");
    assert!(d.message.contains("next to this config"), "{}", d.message);
    assert!(t.codes().contains(&"NX003"));
    // Written in nginx.conf's own directory: what you see is what nginx opens.
    let t = Tree::new(&[
        (
            "nginx.conf",
            "events {}\nhttp { server { listen 127.0.0.1:80; location / { auth_basic R; auth_basic_user_file app.users; } } }\n",
        ),
        ("app.users", USERS),
    ]);
    assert!(!t.codes().contains(&"NX006"));
}

#[test]
fn nx007_variable_path_lists_reachable_files() {
    let t = Tree::new(&[
        (
            "nginx.conf",
            &conf(
                "    location / { auth_basic R; auth_basic_user_file {dir}/users/$http_x_tenant.users; }",
            ),
        ),
        ("users/a.users", USERS),
        ("users/b.users", USERS),
    ]);
    let d = t.find("NX007");
    assert!(d.message.contains("2 file(s)"), "{}", d.message);
    assert!(d.secondary[0].message.contains("client chooses"));
}

#[test]
fn nx008_and_nx009_half_configured() {
    let body = "    location /a/ { auth_basic \"R\"; }\n    location /b/ { auth_basic_user_file {dir}/users; }\n";
    let t = Tree::new(&[("nginx.conf", &conf(body)), ("users", USERS)]);
    assert!(t.find("NX008").message.contains("location /a/"));
    assert!(t.find("NX009").message.contains("location /b/"));
}

#[test]
fn nx010_auth_off_nested_and_competing() {
    let body = protected("/admin/", "location /admin/pub/ { auth_basic off; }")
        + "    location ~ \\.css$ { auth_basic off; }\n";
    let t = Tree::new(&[("nginx.conf", &conf(&body)), ("users", USERS)]);
    let (d, _) = t.check();
    let nx010: Vec<_> = d.iter().filter(|d| d.code == "NX010").collect();
    assert_eq!(nx010.len(), 2, "{nx010:#?}");
    assert!(
        nx010.iter().any(|d| d.message.contains("/admin/x.css")),
        "{nx010:#?}"
    );
    assert!(!t.codes().contains(&"NX011"));
}

#[test]
fn nx011_regex_location_bypass() {
    let body =
        protected("/admin/", "") + "    location ~ \\.php$ { }\n    location = /admin/status { }\n";
    let t = Tree::new(&[("nginx.conf", &conf(&body)), ("users", USERS)]);
    let (d, sources) = t.check();
    let nx011: Vec<_> = d.iter().filter(|d| d.code == "NX011").collect();
    assert_eq!(nx011.len(), 2, "{nx011:#?}");
    assert!(
        nx011[0].message.contains("/admin/x.php"),
        "{}",
        nx011[0].message
    );
    assert_eq!(sources.slice(nx011[0].primary.span), b"location");
    assert!(
        nx011[0]
            .help
            .as_ref()
            .unwrap()
            .contains("location ^~ /admin/")
    );
    assert!(nx011[1].message.contains("/admin/status"));
    // Fixed: ^~ and the PHP location nested.
    let body = "    location ^~ /admin/ { auth_basic R; auth_basic_user_file {dir}/users; location ~ \\.php$ { } }\n    location ~ \\.php$ { }\n";
    let t = Tree::new(&[("nginx.conf", &conf(body)), ("users", USERS)]);
    assert!(!t.codes().contains(&"NX011"), "{:?}", t.check().0);
}

#[test]
fn nx012_rewrite_last_escapes() {
    let body = protected("/admin/", "rewrite ^/admin/(.*)$ /app.php?r=$1 last;")
        + "    location ~ \\.php$ { }\n";
    let t = Tree::new(&[("nginx.conf", &conf(&body)), ("users", USERS)]);
    let d = t.find("NX012");
    assert!(d.message.contains("/app.php"), "{}", d.message);
    let body = protected("/admin/", "rewrite ^/admin/(.*)$ /app.php?r=$1 break;")
        + "    location ~ \\.php$ { }\n";
    let t = Tree::new(&[("nginx.conf", &conf(&body)), ("users", USERS)]);
    assert!(!t.codes().contains(&"NX012"));
}

#[test]
fn nx013_satisfy_any_allow_all() {
    let t = Tree::new(&[
        (
            "nginx.conf",
            &conf(&protected("/admin/", "satisfy any; allow all;")),
        ),
        ("users", USERS),
    ]);
    assert_eq!(t.find("NX013").severity, Severity::Error);
    let t = Tree::new(&[
        (
            "nginx.conf",
            &conf(&protected(
                "/admin/",
                "satisfy any; allow 10.0.0.0/8; deny all;",
            )),
        ),
        ("users", USERS),
    ]);
    assert_eq!(t.find("NX013").severity, Severity::Warning);
    let t = Tree::new(&[
        (
            "nginx.conf",
            &conf(&protected(
                "/admin/",
                "satisfy any; allow 192.0.2.0/24; deny all;",
            )),
        ),
        ("users", USERS),
    ]);
    assert!(!t.codes().contains(&"NX013"));
}

#[test]
fn nx014_limit_except() {
    let body = "    location /api/ { limit_except GET { auth_basic R; auth_basic_user_file {dir}/users; } }\n";
    let t = Tree::new(&[("nginx.conf", &conf(body)), ("users", USERS)]);
    let d = t.find("NX014");
    assert!(d.message.contains("GET, HEAD need none"), "{}", d.message);
    let t = Tree::new(&[
        (
            "nginx.conf",
            &conf(&protected("/api/", "limit_except GET { deny all; }")),
        ),
        ("users", USERS),
    ]);
    assert!(!t.codes().contains(&"NX014"));
}

#[test]
fn nx015_password_file_in_web_root() {
    let body =
        "    location /admin/ { auth_basic R; auth_basic_user_file {dir}/htdocs/.htpasswd; }\n";
    let t = Tree::new(&[("nginx.conf", &conf(body)), ("htdocs/.htpasswd", USERS)]);
    let d = t.find("NX015");
    assert!(d.message.contains("GET /.htpasswd"), "{}", d.message);
    assert_eq!(d.severity, Severity::Error);
    let body = format!("{body}    location ~ /\\.ht {{ deny all; }}\n");
    let t = Tree::new(&[("nginx.conf", &conf(&body)), ("htdocs/.htpasswd", USERS)]);
    assert!(!t.codes().contains(&"NX015"));
}

#[test]
fn nx016_realm_switched_off_by_header() {
    let conf_text = "events {}\nhttp {\n map $http_x_internal $realm { default \"Admin\"; 1 off; }\n server { listen 127.0.0.1:80; location / { auth_basic $realm; auth_basic_user_file {dir}/users; } }\n}\n";
    let t = Tree::new(&[("nginx.conf", conf_text), ("users", USERS)]);
    let d = t.find("NX016");
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("any client"));
}

#[test]
fn nx017_no_tls() {
    let c = "events {}\nhttp { server { listen 80; location / { auth_basic R; auth_basic_user_file {dir}/users; } } }\n";
    let t = Tree::new(&[("nginx.conf", c), ("users", USERS)]);
    t.find("NX017");
    let c = "events {}\nhttp { server { listen 443 ssl; location / { auth_basic R; auth_basic_user_file {dir}/users; } } server { listen 80; return 301 https://$host$request_uri; } }\n";
    let t = Tree::new(&[("nginx.conf", c), ("users", USERS)]);
    assert!(!t.codes().contains(&"NX017"));
}

#[test]
fn nx018_authorization_stripped() {
    let t = Tree::new(&[
        (
            "nginx.conf",
            &conf(&protected(
                "/app/",
                "proxy_set_header Authorization \"\"; proxy_pass http://127.0.0.1:9;",
            )),
        ),
        ("users", USERS),
    ]);
    assert_eq!(t.find("NX018").severity, Severity::Info);
}

#[test]
fn nx001_nx002_loader_findings() {
    let t = Tree::new(&[(
        "nginx.conf",
        "events {}\nhttp { include nope.conf; server { listen 80 }\n",
    )]);
    let (d, _) = t.check();
    let syntax = t.find("NX001");
    assert!(syntax.message.contains("unexpected"), "{}", syntax.message);
    assert_eq!(
        syntax.primary.message,
        "nginx stops reading the configuration here"
    );
    let include = t.find("NX002");
    assert!(
        include.message.starts_with("open() \"") && include.message.contains("nope.conf"),
        "{}",
        include.message
    );
    assert!(include.help.as_deref().unwrap().contains("conf prefix"));
    assert_eq!(d.iter().filter(|d| d.code == "NX002").count(), 1);
}

#[test]
fn nx001_nx002_quiet_on_a_config_nginx_reads() {
    let t = Tree::new(&[
        (
            "nginx.conf",
            "events {}\nhttp { include sites/*.conf; include none/*.conf; }\n",
        ),
        ("sites/a.conf", "server { listen 80; }"),
    ]);
    let codes = t.codes();
    assert!(
        !codes.contains(&"NX001") && !codes.contains(&"NX002"),
        "{codes:?}"
    );
}

#[test]
fn nx002_include_cycle() {
    let t = Tree::new(&[
        ("nginx.conf", "events {}\nhttp { include a.conf; }\n"),
        ("a.conf", "include a.conf;"),
    ]);
    let d = t.find("NX002");
    assert!(d.message.starts_with("include cycle"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("recurse"));
}

#[test]
fn nx019_only_for_a_site_file() {
    let t = Tree::new(&[("sites-enabled/app", "server { listen 80; location / { } }")]);
    let mut sources = Sources::new();
    let start = t.dir.path().join("sites-enabled/app");
    for (start_as, expected) in [(NginxStart::Snippet, 1), (NginxStart::MainConfig, 0)] {
        let models = [load(
            &start,
            start_as,
            &LoadOptions::default(),
            &mut sources,
        )];
        let profile = Profile::default();
        let ctx = Context {
            sources: &sources,
            profile: &profile,
            passwd: &[],
            unreadable: &[],
            apache: &[],
            nginx: &models,
        };
        let mut out = Vec::new();
        (super::snippet_context::RULE.check)(&ctx, &mut out);
        assert_eq!(out.len(), expected, "{start_as:?}: {out:#?}");
        if let Some(d) = out.first() {
            assert!(d.message.contains("worker user www-data"), "{}", d.message);
        }
    }
}

#[test]
fn nx011_nested_caret_tilde_does_not_stop_outer_regexes() {
    // `^~` only stops the regex search at its own level: nginx still tries the
    // top-level regexes because the outer `/a/` is a plain prefix.
    let body = "    location /a/ { location ^~ /a/b/ { auth_basic R; auth_basic_user_file {dir}/users; } }\n    location ~ \\.php$ { }\n";
    let t = Tree::new(&[("nginx.conf", &conf(body)), ("users", USERS)]);
    assert!(t.find("NX011").message.contains("/a/b/x.php"));
    let body = "    location ^~ /a/ { location ^~ /a/b/ { auth_basic R; auth_basic_user_file {dir}/users; } }\n    location ~ \\.php$ { }\n";
    let t = Tree::new(&[("nginx.conf", &conf(body)), ("users", USERS)]);
    assert!(!t.codes().contains(&"NX011"));
}

#[test]
fn one_finding_per_missing_file_however_often_named() {
    let body = protected("/a/", "") + &protected("/b/", "") + &protected("/c/", "");
    let t = Tree::new(&[("nginx.conf", &conf(&body))]);
    let (d, _) = t.check();
    let nx003: Vec<_> = d.iter().filter(|d| d.code == "NX003").collect();
    assert_eq!(nx003.len(), 1, "{nx003:#?}");
    assert!(
        nx003[0]
            .message
            .contains("2 more auth_basic_user_file directives"),
        "{}",
        nx003[0].message
    );
    assert_eq!(
        nx003[0]
            .secondary
            .iter()
            .filter(|l| l.message == "also names this file")
            .count(),
        2
    );
}
