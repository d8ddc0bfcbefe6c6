use super::*;
use std::io::Write;

/// Load `conf` written as nginx.conf in a temp dir (plus extra files).
fn model(conf: &str, extra: &[(&str, &str)]) -> (NginxModel, Vec<Problem>, tempfile::TempDir) {
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
    let m = load(
        &main,
        NginxStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    let problems = m.problems.clone();
    (m, problems, dir)
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
    let conf = |uri: &str| s.settings_for(s.find_location(uri), "GET");
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
    assert_eq!(
        s.settings_for(d, "GET").realm_text().as_deref(),
        Some("Site")
    );
    assert_eq!(s.settings_for(d, "POST").realm_text().as_deref(), Some("W"));
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
    assert!(
        d.iter().any(
            |p| p.kind == ProblemKind::IncludeNotOpened { relative: true }
                && p.message.contains("missing.conf")
        ),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|p| p.kind == ProblemKind::IncludeCycle && p.message.contains("cycle")),
        "{d:?}"
    );
}

/// Files of an `include` pattern are read and parsed side by side when none can include
/// another: the files, their ids and the servers come out in nginx's order either way.
#[test]
fn pattern_includes_keep_reading_order_with_and_without_nested_includes() {
    let sites: Vec<(String, String)> = (0..5)
        .map(|i| {
            (
                format!("sites/s{i}.conf"),
                format!("server {{ server_name s{i}; }}"),
            )
        })
        .collect();
    let order = |extra: &[(&str, &str)]| {
        let (m, problems, t) = model("http { include sites/*.conf; }", extra);
        let names: Vec<String> = m.servers.iter().map(|s| s.names[0].clone()).collect();
        // Each server's spans point into its own file, whatever id that file got.
        let mut sources = Sources::new();
        let again = load(
            &t.path().join("nginx.conf"),
            NginxStart::MainConfig,
            &LoadOptions::default(),
            &mut sources,
        );
        for s in &again.servers {
            let file = &sources.get(s.span.file).path;
            assert!(
                file.ends_with(format!("{}.conf", s.names[0])),
                "server {} spans {}",
                s.names[0],
                file.display()
            );
            let text = std::str::from_utf8(sources.slice(s.span)).unwrap();
            assert_eq!(text, "server");
        }
        let files: Vec<String> = m
            .files
            .iter()
            .map(|f| f.strip_prefix(t.path()).unwrap().display().to_string())
            .collect();
        (names, files, problems)
    };
    let plain: Vec<(&str, &str)> = sites
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let (names, files, problems) = order(&plain);
    assert_eq!(names, ["s0", "s1", "s2", "s3", "s4"]);
    assert_eq!(
        files,
        [
            "nginx.conf",
            "sites/s0.conf",
            "sites/s1.conf",
            "sites/s2.conf",
            "sites/s3.conf",
            "sites/s4.conf"
        ]
    );
    assert!(problems.is_empty(), "{problems:?}");
    // One site includes a snippet: it is read right after that site, as nginx reads it.
    let mut nested = plain.clone();
    nested[1] = (
        "sites/s1.conf",
        "server { server_name s1; include snip.conf; }",
    );
    nested.push(("snip.conf", "location /x { return 204; }"));
    let (names, files, _) = order(&nested);
    assert_eq!(names, ["s0", "s1", "s2", "s3", "s4"]);
    assert_eq!(
        files,
        [
            "nginx.conf",
            "sites/s0.conf",
            "sites/s1.conf",
            "snip.conf",
            "sites/s2.conf",
            "sites/s3.conf",
            "sites/s4.conf"
        ]
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
        s.settings_for(s.find_location("/"), "GET").protection(),
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
    let m = load(
        &site.join("app"),
        NginxStart::Snippet,
        &LoadOptions::default(),
        &mut sources,
    );
    assert_eq!(m.servers.len(), 1);
    assert_eq!(m.prefix, std::path::absolute(dir.path()).unwrap());
    assert_eq!(m.passwd_uses()[0].server_path, dir.path().join("h"));
    assert_eq!(m.assumptions.len(), 1);
    assert!(m.assumptions[0].message.contains("worker user www-data"));
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
    let m = load(
        main,
        NginxStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(m.user, "www-data");
    assert!(!m.servers.is_empty());
    assert!(m.files.iter().any(|f| f.ends_with("mime.types")));
}

/// Rules run over the model on several threads at once.
#[test]
fn the_model_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<NginxModel>();
}

#[test]
fn syntax_errors_are_problems_with_spans() {
    let (m, d, _t) = model("http { server { location / { } }", &[]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind, ProblemKind::Syntax);
    assert!(
        d[0].message.contains("unexpected end of file"),
        "{}",
        d[0].message
    );
    assert_eq!(m.files.len(), 1);
}

#[test]
fn user_files_and_open_doors_are_computed_once_while_building() {
    let (m, _, _t) = model(
        r#"http { server {
            location /admin/ { auth_basic "A"; auth_basic_user_file a; }
            location ~ \.php$ { }
            location /b/ { auth_basic "B"; auth_basic_user_file a; }
            location /c/ { auth_basic "C"; auth_basic_user_file c; }
        } }"#,
        &[],
    );
    let s = &m.servers[0];
    assert_eq!(m.user_files.len(), 3);
    // Two directives name `a`: one group of two, then `c`.
    assert_eq!(m.user_files_by_path, [vec![0, 1], vec![2]]);
    let admin_doors = s.open_doors_of(0);
    assert_eq!(admin_doors.len(), 1, "{admin_doors:?}");
    assert_eq!(admin_doors[0].served, Served::Location(1));
    assert!(
        admin_doors[0].uri.starts_with("/admin/"),
        "{}",
        admin_doors[0].uri
    );
    assert!(
        s.open_doors_of(1).is_empty(),
        "an open location has no doors to open"
    );
}

/// The sorted search finds what a scan of every prefix location would.
#[test]
fn longest_prefix_agrees_with_a_scan() {
    let patterns = [
        "/", "/a", "/a/", "/a/b", "/a/b/", "/ab", "/ab/c", "/b", "/b/", "/a-b/", "/a/b/c/d", "/z",
    ];
    let mut body = String::new();
    for (n, p) in patterns.iter().enumerate() {
        // Every third one `^~`, to mix the two prefix kinds.
        let modifier = if n % 3 == 0 { "^~ " } else { "" };
        body.push_str(&format!("location {modifier}{p} {{ }}\n"));
    }
    body.push_str("location = /a/b { }\nlocation ~ x { }\n");
    let (m, _, _t) = model(&format!("http {{ server {{ {body} }} }}"), &[]);
    let s = &m.servers[0];
    let scan = |uri: &str| {
        s.top_level
            .in_file_order
            .iter()
            .copied()
            .filter(|&i| s.locations[i].is_prefix() && uri.starts_with(&s.locations[i].pattern))
            .max_by_key(|&i| s.locations[i].pattern.len())
    };
    let alphabet = ["/", "a", "b", "-", "c", "z"];
    let mut uris = vec![String::new()];
    for _ in 0..5 {
        let longer: Vec<String> = uris
            .iter()
            .flat_map(|u| alphabet.iter().map(move |c| format!("{u}{c}")))
            .collect();
        uris.extend(longer);
    }
    for uri in &uris {
        assert_eq!(
            s.top_level.longest_prefix(&s.locations, uri),
            scan(uri),
            "{uri}"
        );
    }
    assert_eq!(
        s.top_level
            .exact(&s.locations, "/a/b")
            .map(|i| s.locations[i].describe()),
        Some("location = /a/b".to_string())
    );
    assert_eq!(s.top_level.exact(&s.locations, "/a/"), None);
}

#[test]
fn a_name_no_directive_has_is_refused_at_the_line_of_its_terminator() {
    let conf = "events {}\nhttp {\n  types {\n    text/html html;\n  }\n  map $uri $v {\n    ~^/A 1;\n  }\n  server {\n    Root\n      /srv;\n  }\n}\n";
    let (_m, problems, _t) = model(conf, &[]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].message, "unknown directive \"Root\"");
    assert_eq!(problems[0].kind, ProblemKind::Syntax);
    // nginx names line 11, where the `;` is: the span starts there.
    let start = problems[0].span.start;
    assert_eq!(conf[..start].matches('\n').count() + 1, 11);
    assert_eq!(&conf[start..problems[0].span.end], "/srv;");
}

#[test]
fn map_entries_in_an_included_file_are_not_directives() {
    let (m, problems, t) = model(
        "events {}\nhttp {\n  map $uri $v {\n    include maps/*.map;\n  }\n}\n",
        &[("maps/a.map", "~^/A 1;\n/B 2;\n")],
    );
    assert_eq!(m.files.len(), 2, "the map file is read: {:?}", m.files);
    assert!(
        problems.is_empty(),
        "{problems:?} in {}",
        t.path().display()
    );
}
