//! Conformance: every nginx rule with an observable consequence, against real nginx on
//! 127.0.0.1. For each case the broken server does what the finding says, the fixed one
//! behaves as intended, and htguard (the library engine, `check::run`) reports the rule
//! for the broken config and not for the fixed one. Two server starts in all: one with
//! every broken location, one with every fixed location.

mod common;

use base64::Engine;
use common::{Nginx, Server, Site, run_tool};
use htguard::check::kind::InputKind;
use htguard::check::{CheckOptions, run};
use htguard::diag::Diagnostic;

const GOOD: (&str, &str) = ("u", "secret");
const BAD: (&str, &str) = ("u", "wrong");

/// The http body shared by both servers: `{server}` is the server's own locations.
const HTTP: &str = r#"
map $http_x_internal $switch_realm {
    default "Switch";
    1       off;
}
server {
    listen 127.0.0.1:{port};
    root {site}/htdocs;
{server}
}
"#;

/// Every broken case, one location (or two) each.
const BROKEN: &str = r#"
    location /admin/       { auth_basic "A"; auth_basic_user_file {site}/users; }
    location /ok/          { auth_basic "OK"; auth_basic_user_file {site}/users; }
    location /missing/     { auth_basic "M"; auth_basic_user_file {site}/missing.users; }
    location /unreadable/  { auth_basic "U"; auth_basic_user_file {site}/secret/users; }
    location /dir/         { auth_basic "D"; auth_basic_user_file {site}/users.d; }
    location /tenant/      { auth_basic "T"; auth_basic_user_file {site}/tenants/$http_x_tenant.users; }
    location /nofile/      { auth_basic "N"; }
    location /norealm/     { auth_basic_user_file {site}/users; }
    location /prot/        { auth_basic "P"; auth_basic_user_file {site}/users;
                             location /prot/pub/ { auth_basic off; } }
    location ~ \.php$      { }
    location /rw/          { auth_basic "R"; auth_basic_user_file {site}/users;
                             rewrite ^/rw/(.*)$ /open/$1 last; }
    location /open/        { }
    location /any/         { satisfy any; allow all;
                             auth_basic "S"; auth_basic_user_file {site}/users; }
    location /le/          { limit_except GET { auth_basic "L"; auth_basic_user_file {site}/users; } }
    location /web/         { auth_basic "W"; auth_basic_user_file {site}/htdocs/.htpasswd; }
    location /switch/      { auth_basic $switch_realm; auth_basic_user_file {site}/users; }
    location /echo/        { return 200 "[$http_authorization]"; }
    location /app/         { auth_basic "App"; auth_basic_user_file {site}/users;
                             proxy_set_header Authorization "";
                             proxy_pass http://127.0.0.1:{port}/echo/; }
"#;

/// The same areas, fixed the way each rule's help says (`^~` keeps the server-wide
/// PHP location from taking their URIs: NX011).
const FIXED: &str = r#"
    location ~ /\.ht       { deny all; }
    location ^~ /ok/          { auth_basic "OK"; auth_basic_user_file {site}/users; }
    location ^~ /missing/     { auth_basic "M"; auth_basic_user_file {site}/users; }
    location ^~ /unreadable/  { auth_basic "U"; auth_basic_user_file {site}/users; }
    location ^~ /dir/         { auth_basic "D"; auth_basic_user_file {site}/users.d/users; }
    location ^~ /nofile/      { auth_basic "N"; auth_basic_user_file {site}/users; }
    location ^~ /norealm/     { auth_basic "N"; auth_basic_user_file {site}/users; }
    location ^~ /prot/        { auth_basic "P"; auth_basic_user_file {site}/users; }
    location ^~ /admin/    { auth_basic "A"; auth_basic_user_file {site}/users;
                             location ~ \.php$ { } }
    location ~ \.php$      { }
    location ^~ /rw/          { auth_basic "R"; auth_basic_user_file {site}/users;
                             rewrite ^/rw/(.*)$ /open/$1 break; }
    location /open/        { }
    location ^~ /any/         { satisfy any; allow 192.0.2.0/24; deny all;
                             auth_basic "S"; auth_basic_user_file {site}/users; }
    location ^~ /le/          { auth_basic "L"; auth_basic_user_file {site}/users;
                             limit_except GET POST { deny all; } }
    location ^~ /web/         { auth_basic "W"; auth_basic_user_file {site}/htdocs/.htpasswd; }
    location ^~ /switch/      { auth_basic "Switch"; auth_basic_user_file {site}/users; }
    location /echo/        { return 200 "[$http_authorization]"; }
    location ^~ /app/      { auth_basic "App"; auth_basic_user_file {site}/users;
                             proxy_pass http://127.0.0.1:{port}/echo/; }
"#;

fn site() -> Site {
    let site = Site::new();
    let line = run_tool("htpasswd", &["-nbm", GOOD.0, GOOD.1]);
    let line = line.trim_end().to_string() + "\n";
    site.write("users", &line);
    site.write("users.d/users", &line);
    site.write_mode("secret/users", &line, 0o600);
    site.write("tenants/a.users", &line);
    site.write("htdocs/.htpasswd", &line);
    for dir in [
        "ok",
        "missing",
        "unreadable",
        "dir",
        "tenant",
        "nofile",
        "norealm",
        "prot",
        "prot/pub",
        "admin",
        "open",
        "any",
        "le",
        "web",
        "switch",
    ] {
        site.write(format!("htdocs/{dir}/index.html"), format!("{dir}\n"));
    }
    site.write("htdocs/admin/x.php", "php source\n");
    site.write("htdocs/open/file.txt", "open copy\n");
    site
}

fn start(site: &Site, locations: &str) -> Server {
    Nginx::start_http(site, &HTTP.replace("{server}", locations))
}

/// htguard's findings for the config the server runs.
fn findings(server: &Server) -> Vec<Diagnostic> {
    let opts = CheckOptions {
        paths: vec![server.conf_path().to_path_buf()],
        kind: Some(InputKind::NginxMain),
        ..CheckOptions::default()
    };
    run(&opts).expect("check runs").diagnostics
}

fn has(d: &[Diagnostic], code: &str, needle: &str) -> bool {
    d.iter().any(|d| {
        d.code == code && (d.message.contains(needle) || d.primary.message.contains(needle))
    })
}

fn status3(s: &Server, path: &str) -> (u16, u16, u16) {
    (
        s.get(path, None),
        s.get(path, Some(GOOD)),
        s.get(path, Some(BAD)),
    )
}

fn with_headers(
    s: &Server,
    path: &str,
    creds: Option<(&str, &str)>,
    extra: (&str, &str),
) -> common::Response {
    let mut headers = vec![extra];
    let auth;
    if let Some((u, p)) = creds {
        auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        );
        headers.push(("Authorization", &auth));
    }
    s.request_with_headers("GET", path, &headers)
}

#[test]
fn broken_configs_do_what_htguard_predicts_and_fixes_work() {
    if !common::need_root(
        &["nginx", "htpasswd"],
        "nginx workers drop to www-data only as root (unreadable-file cases)",
    ) {
        return;
    }
    let site = site();
    let broken = start(&site, BROKEN);
    let d = findings(&broken);
    let codes: Vec<&str> = d.iter().map(|d| d.code).collect();

    // Healthy reference: 401 / 200 / 401, and no finding about it.
    assert_eq!(status3(&broken, "/ok/"), (401, 200, 401));
    // (Only the server-wide PHP location of NX011 below undercuts it too.)
    assert!(
        !d.iter()
            .any(|d| d.code != "NX011" && d.message.contains("location /ok/")),
        "{d:#?}"
    );

    // NX003: missing user file → 401 without credentials, 403 with any.
    assert_eq!(status3(&broken, "/missing/"), (401, 403, 403));
    assert!(has(&d, "NX003", "missing.users"), "{codes:?}");

    // NX004: unreadable by www-data → 500 with credentials.
    assert_eq!(status3(&broken, "/unreadable/"), (401, 500, 500));
    assert!(has(&d, "NX004", "www-data"), "{codes:?}");

    // NX005: a directory → 500 with credentials.
    assert_eq!(status3(&broken, "/dir/"), (401, 500, 500));
    assert!(has(&d, "NX005", "directory"), "{codes:?}");

    // NX007: variable path — only the request decides; a value naming no file → 403.
    assert_eq!(
        with_headers(&broken, "/tenant/", Some(GOOD), ("X-Tenant", "a")).status,
        200
    );
    assert_eq!(
        with_headers(&broken, "/tenant/", Some(GOOD), ("X-Tenant", "zz")).status,
        403
    );
    assert!(has(&d, "NX007", "1 file(s)"), "{codes:?}");

    // NX008 / NX009: half-configured → open.
    assert_eq!(broken.get("/nofile/", None), 200);
    assert!(has(&d, "NX008", "location /nofile/"), "{codes:?}");
    assert_eq!(broken.get("/norealm/", None), 200);
    assert!(has(&d, "NX009", "location /norealm/"), "{codes:?}");

    // NX010: auth_basic off nested in a protected location.
    assert_eq!(broken.get("/prot/", None), 401);
    assert_eq!(broken.get("/prot/pub/", None), 200);
    assert!(has(&d, "NX010", "/prot/pub/"), "{codes:?}");

    // NX011: the regex location serves /admin/x.php without a password.
    assert_eq!(broken.get("/admin/", None), 401);
    let bypass = d.iter().find(|d| d.code == "NX011").expect("NX011");
    assert!(
        bypass.message.contains("/admin/x.php"),
        "{}",
        bypass.message
    );
    let r = broken.request("GET", "/admin/x.php", None);
    assert_eq!((r.status, r.text().as_str()), (200, "php source\n"));
    // Every URI the finding names is answered without asking for a password
    // (404 where no such file exists: served, not challenged).
    for uri in bypass
        .message
        .split(' ')
        .filter(|w| w.starts_with('/') && w.ends_with(".php"))
    {
        let status = broken.get(uri, None);
        assert!(status == 200 || status == 404, "{uri}: {status}");
        assert_eq!(
            status,
            broken.get(uri, Some(BAD)),
            "{uri}: credentials play no part"
        );
    }

    // NX012: rewrite ... last escapes to /open/ (no password), break would not.
    let r = broken.request("GET", "/rw/file.txt", None);
    assert_eq!((r.status, r.text().as_str()), (200, "open copy\n"));
    assert!(has(&d, "NX012", "/open/"), "{codes:?}");

    // NX013: satisfy any + allow all → no password needed.
    assert_eq!(broken.get("/any/", None), 200);
    assert!(has(&d, "NX013", "allow all"), "{codes:?}");

    // NX014: limit_except GET { auth } → GET open, POST protected.
    assert_eq!(broken.get("/le/", None), 200);
    assert_eq!(broken.request("POST", "/le/", None).status, 401);
    assert!(has(&d, "NX014", "GET, HEAD need none"), "{codes:?}");

    // NX015: the user file under the root is downloadable, hashes and all.
    let r = broken.request("GET", "/.htpasswd", None);
    assert_eq!(r.status, 200);
    assert!(r.text().starts_with("u:$apr1$"), "{}", r.text());
    assert!(has(&d, "NX015", "GET /.htpasswd"), "{codes:?}");

    // NX016: a header switches the realm to `off`.
    assert_eq!(broken.get("/switch/", None), 401);
    assert_eq!(
        with_headers(&broken, "/switch/", None, ("X-Internal", "1")).status,
        200
    );
    assert!(has(&d, "NX016", "any client"), "{codes:?}");

    // NX018: the upstream gets no Authorization header.
    let r = broken.request("GET", "/app/", Some(GOOD));
    assert_eq!((r.status, r.text().as_str()), (200, "[]"));
    assert!(
        has(&d, "NX018", "proxy_set_header Authorization"),
        "{codes:?}"
    );
    // Loopback listeners carry no NX017 warning.
    assert!(!codes.contains(&"NX017"));
    drop(broken);

    // The fixed server: every area asks for the password and lets the right one in.
    let fixed = start(&site, FIXED);
    let f = findings(&fixed);
    for code in [
        "NX003", "NX004", "NX005", "NX007", "NX008", "NX009", "NX010", "NX011", "NX012", "NX013",
        "NX014", "NX015", "NX016", "NX018",
    ] {
        assert!(
            !f.iter().any(|d| d.code == code),
            "{code} on the fixed config: {f:#?}"
        );
    }
    for area in [
        "/ok/",
        "/missing/",
        "/unreadable/",
        "/dir/",
        "/nofile/",
        "/norealm/",
        "/prot/pub/",
        "/admin/x.php",
        "/any/",
        "/switch/",
    ] {
        assert_eq!(status3(&fixed, area), (401, 200, 401), "{area}");
    }
    assert_eq!(fixed.get("/rw/file.txt", None), 401);
    // `break` keeps the request in /rw/ (and its auth) but serves the rewritten path.
    let r = fixed.request("GET", "/rw/file.txt", Some(GOOD));
    assert_eq!((r.status, r.text().as_str()), (200, "open copy\n"));
    assert_eq!(fixed.request("POST", "/le/", None).status, 401);
    assert_eq!(fixed.get("/le/", None), 401);
    assert_eq!(fixed.request("PUT", "/le/", Some(GOOD)).status, 403);
    assert_eq!(fixed.get("/.htpasswd", None), 403);
    assert_eq!(
        with_headers(&fixed, "/switch/", None, ("X-Internal", "1")).status,
        401
    );
    let r = fixed.request("GET", "/app/", Some(GOOD));
    assert_eq!((r.status, r.text().as_str()), (200, "[Basic dTpzZWNyZXQ=]"));
}
