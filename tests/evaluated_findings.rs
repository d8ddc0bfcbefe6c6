//! AP004, AP005 and AP022 say what httpd answers; a real Apache proves each claim, and
//! the shapes that used to give a false finding (issue 17) give none.

mod common;

use common::{Apache, Site, run_tool};
use htguard::check::{self, CheckOptions};

/// The (code, message) of each `code` finding for the Apache config at `conf`.
fn findings(conf: &std::path::Path, code: &str) -> Vec<String> {
    let opts = CheckOptions {
        apache_configs: vec![conf.to_path_buf()],
        ..Default::default()
    };
    let outcome = check::run(&opts).expect("htguard check runs");
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn ap004_only_where_a_login_happens() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    site.write("htdocs/open/index.html", "ok\n");
    site.write("htdocs/login/index.html", "ok\n");
    let conf = r#"
<Location /open/>
    AuthType Basic
    AuthName "open"
    AuthUserFile {site}/gone-open
    Require all granted
</Location>
<Location /login/>
    AuthType Basic
    AuthName "login"
    AuthUserFile {site}/gone-login
    Require valid-user
</Location>
"#;
    let apache = Apache::start(&site, conf);
    // No login ever happens under `Require all granted`: the file is never opened.
    assert_eq!(apache.get("/open/", None), 200);
    assert_eq!(apache.get("/open/", Some(("u", "pw"))), 200);
    assert_eq!(apache.get("/login/", Some(("u", "pw"))), 500);
    let found = findings(apache.conf_path(), "AP004");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("gone-login"), "{found:?}");
    assert!(found[0].contains("every login"), "{found:?}");
}

#[test]
fn ap005_names_the_methods_that_need_the_group() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = Site::new();
    site.write("users", run_tool("htpasswd", &["-nbB", "u", "secret"]));
    site.write("htdocs/up/index.html", "ok\n");
    let conf = r#"
<Location /up/>
    AuthType Basic
    AuthName "up"
    AuthUserFile {site}/users
    AuthGroupFile {site}/no-groups
    <LimitExcept POST>
        Require valid-user
    </LimitExcept>
    <Limit POST>
        Require group uploaders
    </Limit>
</Location>
"#;
    let apache = Apache::start(&site, conf);
    let creds = Some(("u", "secret"));
    assert_eq!(apache.get("/up/", creds), 200, "{}", apache.error_log());
    assert_eq!(apache.request("POST", "/up/", creds).status, 401);
    let found = findings(apache.conf_path(), "AP005");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("POST requests"), "{found:?}");
    assert!(!found[0].contains("every request"), "{found:?}");
    assert!(found[0].contains("GET"), "{found:?}");
}

#[test]
fn ap022_only_when_a_skipped_block_leaves_something_served() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    site.write("htdocs/private/index.html", "secret\n");
    site.write("htdocs/pub/index.html", "ok\n");
    // Neither mod_status nor mod_authz_dbm nor mod_info is loaded by the harness.
    let conf = r#"
<IfModule mod_status.c>
    <Location /server-status>
        SetHandler server-status
        AuthType Basic
        AuthName "status"
        AuthUserFile {site}/users
        Require valid-user
    </Location>
</IfModule>
<IfModule mod_info.c>
    <Directory {site}/htdocs/pub>
        Require all granted
    </Directory>
</IfModule>
<IfModule mod_authz_dbm.c>
    <Directory {site}/htdocs/private>
        AuthType Basic
        AuthName "private"
        AuthUserFile {site}/users
        Require valid-user
    </Directory>
</IfModule>
"#;
    let apache = Apache::start(&site, conf);
    // The handler went with the block: nothing is served there.
    assert_eq!(apache.get("/server-status", None), 404);
    assert_eq!(apache.get("/pub/", None), 200);
    assert_eq!(apache.get("/private/", None), 200);
    let found = findings(apache.conf_path(), "AP022");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("mod_authz_dbm.c"), "{found:?}");
    assert!(found[0].contains("GET /private/ answers 200"), "{found:?}");
}

/// httpd merges a `<Directory>` path's `//` and `/./` away (and a client's `//` with
/// MergeSlashes), so the area `<Directory ".../a//b/.">` is the URL space `/a/b/`, and a
/// `<Location /a/b>` applies there. Judged as `/a//b/./`, the area escaped the Location
/// and htguard said it asked for a password while httpd let everyone in.
#[test]
fn oddly_spelled_directories_are_the_url_space_httpd_serves() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = Site::new();
    site.write("users", run_tool("htpasswd", &["-nbB", "u", "secret"]));
    site.write("htdocs/a/b/index.html", "open\n");
    site.write("htdocs/c/d/index.html", "closed\n");
    let conf = r#"
<Directory "{site}/htdocs/a//b/.">
    AuthType Basic
    AuthName "ab"
    AuthUserFile {site}/users
    Require valid-user
</Directory>
<Location "/a/b">
    Require all granted
</Location>
<Directory "{site}/htdocs/c//./d">
    AuthType Basic
    AuthName "cd"
    AuthUserFile {site}/users
    Require valid-user
</Directory>
"#;
    let apache = Apache::start(&site, conf);
    for open in ["/a/b/", "/a//b/", "/a/./b/"] {
        assert_eq!(apache.get(open, None), 200, "{open}");
    }
    assert_eq!(apache.get("/c/d/", None), 401);
    assert_eq!(apache.get("/c//d/", Some(("u", "secret"))), 200);
    let replaced = findings(apache.conf_path(), "AP024");
    assert!(
        replaced.iter().any(|m| m.contains("open to everyone")),
        "{replaced:?}"
    );
    // Basic over plain HTTP only where a login happens: /c/d/, not /a/b/.
    let clear = findings(apache.conf_path(), "AP021");
    assert_eq!(clear.len(), 1, "{clear:?}");
    assert!(clear[0].contains("c//./d"), "{clear:?}");
}
