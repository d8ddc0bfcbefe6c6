//! The nginx open doors of issue 16, each on a real nginx: the server answers 200
//! without credentials, the evaluator (`why`'s engine) says 200 and names the deciding
//! line, and `check` reports it (NX020); the fixed config closes the door and `check`
//! is silent.

mod common;

use common::{Nginx, Server, Site};
use htguard::check::kind::InputKind;
use htguard::check::{CheckOptions, run};
use htguard::model::LoadOptions;
use htguard::model::nginx::request::evaluate;
use htguard::model::nginx::{NginxStart, load};
use htguard::model::request::{LocalFiles, Request, Scheme};
use htguard::source::Sources;
use std::net::IpAddr;

/// `u:secret` (apr1).
const USERS: &str = "u:$apr1$X7p9VVZ0$ZfXy9blcTnh2niKLaUFgL1\n";

fn site() -> Site {
    let site = Site::new();
    site.write("users", USERS);
    site.write("htdocs/index.html", "home");
    site.write("htdocs/admin/report.txt", "secret report");
    site.write("app/public/app.js", "js");
    site.write("app/private/notes.txt", "private notes");
    site
}

/// Two servers share a root; only `main` protects /admin/.
const SHARED_ROOT: &str = r#"
server {
    listen 127.0.0.1:{port} default_server;
    server_name main;
    root {site}/htdocs;
    location /admin/ { auth_basic "Admin"; auth_basic_user_file {site}/users; }
}
server {
    listen 127.0.0.1:{port};
    server_name www;
    root {site}/htdocs;
}
"#;

const SHARED_ROOT_FIXED: &str = r#"
server {
    listen 127.0.0.1:{port} default_server;
    server_name main;
    root {site}/htdocs;
    location /admin/ { auth_basic "Admin"; auth_basic_user_file {site}/users; }
}
server {
    listen 127.0.0.1:{port};
    server_name www;
    root {site}/htdocs;
    location /admin/ { auth_basic "Admin"; auth_basic_user_file {site}/users; }
}
"#;

/// `location /static` (no slash) with an alias that has one: `/static../` is
/// `{site}/app/`, whose `private/` is protected under `/private/`.
const ALIAS_PARENT: &str = r#"
server {
    listen 127.0.0.1:{port};
    server_name main;
    root {site}/app;
    location /static { alias {site}/app/public/; }
    location /private/ { auth_basic "Private"; auth_basic_user_file {site}/users; }
}
"#;

const ALIAS_PARENT_FIXED: &str = r#"
server {
    listen 127.0.0.1:{port};
    server_name main;
    root {site}/app;
    location /static/ { alias {site}/app/public/; }
    location /private/ { auth_basic "Private"; auth_basic_user_file {site}/users; }
}
"#;

fn get(server: &Server, host: &str, path: &str) -> u16 {
    server
        .request_with_headers("GET", path, &[("Host", host)])
        .status
}

/// The evaluator's answer and the text of its deciding line.
fn why(server: &Server, site: &Site, host: &str, path: &str) -> (Option<u16>, String) {
    let opts = LoadOptions {
        nginx_prefix: Some(site.dir().to_path_buf()),
        ..LoadOptions::default()
    };
    let mut sources = Sources::new();
    let m = load(
        server.conf_path(),
        NginxStart::MainConfig,
        &opts,
        &mut sources,
    );
    let request = Request {
        method: "GET".into(),
        scheme: Scheme::Http,
        host: host.into(),
        port: server.port(),
        local_addr: IpAddr::from([127, 0, 0, 1]),
        target: path.into(),
        client: IpAddr::from([127, 0, 0, 1]),
        credentials: None,
    };
    let answer = evaluate(&m, &request, &LocalFiles::default());
    let line = answer
        .decided_by
        .map(|s| String::from_utf8_lossy(sources.slice(s)).into_owned())
        .unwrap_or_default();
    (answer.status(), line)
}

fn nx020(server: &Server) -> Vec<String> {
    let opts = CheckOptions {
        paths: vec![server.conf_path().to_path_buf()],
        kind: Some(InputKind::NginxMain),
        ..CheckOptions::default()
    };
    run(&opts)
        .expect("check runs")
        .diagnostics
        .into_iter()
        .filter(|d| d.code == "NX020")
        .map(|d| d.message)
        .collect()
}

#[test]
fn two_servers_share_a_root_and_only_one_protects_admin() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = site();
    let open = Nginx::start_http(&site, SHARED_ROOT);
    assert_eq!(get(&open, "main", "/admin/report.txt"), 401);
    assert_eq!(get(&open, "www", "/admin/report.txt"), 200);
    let (status, line) = why(&open, &site, "www", "/admin/report.txt");
    assert_eq!(status, Some(200));
    assert!(line.starts_with("root"), "deciding line: {line}");
    let found = nx020(&open);
    assert!(
        found
            .iter()
            .any(|m| m.contains("GET /admin/report.txt on server www")
                && m.contains("200 without a password")),
        "{found:?}"
    );
    drop(open);
    let fixed = Nginx::start_http(&site, SHARED_ROOT_FIXED);
    assert_eq!(get(&fixed, "www", "/admin/report.txt"), 401);
    assert_eq!(why(&fixed, &site, "www", "/admin/report.txt").0, Some(401));
    assert!(nx020(&fixed).is_empty(), "{:?}", nx020(&fixed));
}

#[test]
fn alias_without_trailing_slash_reaches_the_protected_parent() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = site();
    let open = Nginx::start_http(&site, ALIAS_PARENT);
    assert_eq!(get(&open, "main", "/private/notes.txt"), 401);
    assert_eq!(get(&open, "main", "/static../private/notes.txt"), 200);
    let (status, line) = why(&open, &site, "main", "/static../private/notes.txt");
    assert_eq!(status, Some(200));
    assert!(line.starts_with("alias"), "deciding line: {line}");
    let found = nx020(&open);
    assert!(
        found
            .iter()
            .any(|m| m.contains("GET /static../private/notes.txt")
                && m.contains("`..` after an alias")),
        "{found:?}"
    );
    drop(open);
    let fixed = Nginx::start_http(&site, ALIAS_PARENT_FIXED);
    assert_eq!(get(&fixed, "main", "/static../private/notes.txt"), 404);
    assert_eq!(
        why(&fixed, &site, "main", "/static../private/notes.txt").0,
        Some(404)
    );
    assert!(nx020(&fixed).is_empty(), "{:?}", nx020(&fixed));
}

/// The user file sits in the alias's parent: `/static../.htpasswd` downloads it.
const ALIAS_PARENT_PASSWD: &str = r#"
server {
    listen 127.0.0.1:{port};
    server_name main;
    root {site}/htdocs;
    location /static { alias {site}/app/public/; }
    location /admin/ { auth_basic "Admin"; auth_basic_user_file {site}/app/.htpasswd; }
}
"#;

#[test]
fn alias_without_trailing_slash_serves_the_password_file() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = site();
    site.write("app/.htpasswd", USERS);
    let open = Nginx::start_http(&site, ALIAS_PARENT_PASSWD);
    let live = open.request_with_headers("GET", "/static../.htpasswd", &[("Host", "main")]);
    assert_eq!(live.status, 200);
    assert!(live.text().contains("$apr1$"), "the hashes are in the body");
    let (status, line) = why(&open, &site, "main", "/static../.htpasswd");
    assert_eq!(status, Some(200));
    assert!(line.starts_with("alias"), "deciding line: {line}");
    let opts = CheckOptions {
        paths: vec![open.conf_path().to_path_buf()],
        kind: Some(InputKind::NginxMain),
        ..CheckOptions::default()
    };
    let found: Vec<String> = run(&opts)
        .expect("check runs")
        .diagnostics
        .into_iter()
        .filter(|d| d.code == "NX015")
        .map(|d| d.message)
        .collect();
    assert!(
        found.iter().any(|m| m.contains("GET /static../.htpasswd")),
        "{found:?}"
    );
}
