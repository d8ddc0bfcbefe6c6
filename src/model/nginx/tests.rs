use super::*;
use std::io::Write;

/// Load `conf` written as nginx.conf in a temp dir (plus extra files).
fn model(conf: &str, extra: &[(&str, &str)]) -> (NginxModel, Vec<Diagnostic>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in extra {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::File::create(p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let main = dir.path().join("nginx.conf");
    std::fs::write(&main, conf).unwrap();
    let mut sources = Sources::new();
    let mut diags = Vec::new();
    let m = load(
        &main,
        NginxStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
        &mut diags,
    );
    (m, diags, dir)
}

fn served_desc(s: &VirtualServer, uri: &str) -> String {
    match s.find_location(uri) {
        Served::Server => "server".into(),
        Served::Location(i) => s.locations[i].describe(),
    }
}

#[test]
fn location_selection_follows_nginx() {
    let (m, d, _t) = model(
        r#"http { server {
            location / { }
            location /admin/ { location ~ \.log$ { } }
            location = /admin/exact { }
            location ^~ /static/ { }
            location ~ \.php$ { }
            location ~* \.(png|jpg)$ { }
            location /admin/logs/ { }
            location @fallback { }
        } }"#,
        &[],
    );
    assert!(d.is_empty(), "{d:?}");
    let s = &m.servers[0];
    assert_eq!(served_desc(s, "/"), "location /");
    assert_eq!(served_desc(s, "/admin/x"), "location /admin/");
    assert_eq!(served_desc(s, "/admin/x.php"), r"location ~ \.php$");
    assert_eq!(served_desc(s, "/admin/a.log"), r"location ~ \.log$");
    assert_eq!(served_desc(s, "/admin/exact"), "location = /admin/exact");
    assert_eq!(served_desc(s, "/static/x.php"), "location ^~ /static/");
    assert_eq!(served_desc(s, "/img/A.PNG"), r"location ~* \.(png|jpg)$");
    assert_eq!(served_desc(s, "/admin/logs/x"), "location /admin/logs/");
    assert_eq!(
        served_desc(s, "/admin/logs/x.log"),
        "location /admin/logs/",
        "sibling's nested regex does not apply"
    );
}

#[test]
fn server_level_when_nothing_matches() {
    let (m, _, _t) = model("http { server { location /a/ { } } }", &[]);
    assert_eq!(m.servers[0].find_location("/b"), Served::Server);
}

#[test]
fn auth_inherits_each_directive_independently() {
    let (m, _, t) = model(
        r#"user nginx;
        http {
            auth_basic_user_file conf/users;
            server {
                auth_basic "Site";
                location /a/ { }
                location /b/ { auth_basic off; }
                location /c/ { auth_basic_user_file /etc/other; }
                location /d/ { limit_except GET { auth_basic "W"; } }
            }
        }"#,
        &[],
    );
    assert_eq!(m.user, "nginx");
    let s = &m.servers[0];
    let conf = |uri: &str| s.conf_for(s.find_location(uri), "GET");
    assert_eq!(conf("/a/").protection(), Protection::Protected);
    assert_eq!(
        conf("/a/").user_file.as_ref().unwrap().value.server_path,
        t.path().join("conf/users")
    );
    assert_eq!(conf("/b/").protection(), Protection::Open);
    assert_eq!(
        conf("/c/").user_file.as_ref().unwrap().value.raw,
        "/etc/other"
    );
    assert_eq!(conf("/c/").realm_text().as_deref(), Some("Site"));
    // limit_except GET: GET/HEAD use the location's settings, others the block's.
    let d = s.find_location("/d/");
    assert_eq!(s.conf_for(d, "GET").realm_text().as_deref(), Some("Site"));
    assert_eq!(s.conf_for(d, "POST").realm_text().as_deref(), Some("W"));
    // One use per (file, realm): conf/users under no realm (http), "Site" and "W";
    // /etc/other under "Site".
    assert_eq!(m.passwd_uses().len(), 4);
}

#[test]
fn includes_globs_prefix_and_cycles() {
    let (m, d, _t) = model(
        "http { include sites/*.conf; include missing.conf; }",
        &[
            (
                "sites/b.conf",
                "server { server_name b; include loop.conf; }",
            ),
            ("sites/a.conf", "server { server_name a; }"),
            ("sites/.hidden.conf", "server { server_name hidden; }"),
            ("loop.conf", "include sites/b.conf;"),
        ],
    );
    let names: Vec<_> = m.servers.iter().map(|s| s.names[0].as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let codes: Vec<_> = d.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert!(
        codes
            .iter()
            .any(|(c, m)| *c == "NX002" && m.contains("missing.conf")),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .any(|(c, m)| *c == "NX002" && m.contains("cycle")),
        "{codes:?}"
    );
}

#[test]
fn satisfy_any_with_allow_all_is_not_protection() {
    let (m, _, _t) = model(
        r#"http { server { location / { satisfy any; allow all; auth_basic "R"; auth_basic_user_file u; } } }"#,
        &[],
    );
    let s = &m.servers[0];
    assert_eq!(
        s.conf_for(s.find_location("/"), "GET").protection(),
        Protection::SatisfiedByAddress
    );
}

#[test]
fn snippet_of_bare_locations_gets_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("sites-enabled");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("app"),
        "location /x/ { auth_basic R; auth_basic_user_file h; }",
    )
    .unwrap();
    let mut sources = Sources::new();
    let mut diags = Vec::new();
    let m = load(
        &site.join("app"),
        NginxStart::Snippet,
        &LoadOptions::default(),
        &mut sources,
        &mut diags,
    );
    assert_eq!(m.servers.len(), 1);
    assert_eq!(m.prefix, std::path::absolute(dir.path()).unwrap());
    assert_eq!(m.passwd_uses()[0].server_path, dir.path().join("h"));
    assert_eq!(diags[0].code, "NX019");
}

#[test]
fn debian_stock_tree_loads_cleanly() {
    let main = Path::new("/etc/nginx/nginx.conf");
    if !main.exists() {
        // Comes with the nginx package: skipped without it, except under scripts/test.
        let required =
            std::env::var_os("HTGUARD_REQUIRE_SERVERS").is_some_and(|v| !v.is_empty() && v != "0");
        assert!(
            !required,
            "{} is missing: scripts/test installs nginx",
            main.display()
        );
        return;
    }
    let mut sources = Sources::new();
    let mut diags = Vec::new();
    let m = load(
        main,
        NginxStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
        &mut diags,
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(m.user, "www-data");
    assert!(!m.servers.is_empty());
    assert!(m.files.iter().any(|f| f.ends_with("mime.types")));
}
