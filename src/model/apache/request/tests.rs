//! The evaluator on small sites in temp dirs (no server): each case is a config, files,
//! and requests with the status httpd gives (the real-server tests in
//! tests/apache_why.rs show the same statuses against apache2).

use super::*;
use crate::model::LoadOptions;
use crate::model::apache::{ApacheStart, load};
use crate::model::request::{Credentials, LocalFiles};
use crate::source::Sources;
use std::net::IpAddr;
use zeroize::Zeroizing;

const MODS: &str = "\
LoadModule authn_core_module x
LoadModule authn_file_module x
LoadModule authz_core_module x
LoadModule authz_user_module x
LoadModule authz_host_module x
LoadModule authz_groupfile_module x
LoadModule auth_basic_module x
LoadModule auth_digest_module x
LoadModule access_compat_module x
LoadModule alias_module x
LoadModule dir_module x
LoadModule autoindex_module x
LoadModule mime_module x
";

struct Site {
    dir: tempfile::TempDir,
    model: ApacheModel,
    sources: Sources,
}

/// A site: `conf` follows MODS, `Listen 127.0.0.1:80` and `DocumentRoot {d}/htdocs`
/// (`{d}` is the temp dir); `files` are (relative path, content).
fn site(conf: &str, files: &[(&str, &str)]) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    std::fs::create_dir_all(dir.path().join("htdocs")).unwrap();
    let users = crate::hash::generate(
        crate::hash::Scheme::Apr1,
        b"secret",
        &crate::hash::Params::default(),
    )
    .unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let text = text.replace("{d}", &d).replace("{hash}", &users.hash);
        if rel.ends_with('/') {
            std::fs::create_dir_all(&p).unwrap();
        } else {
            std::fs::write(&p, text).unwrap();
        }
    }
    let full =
        format!("{MODS}ServerRoot {{d}}\nListen 127.0.0.1:80\nDocumentRoot {{d}}/htdocs\n{conf}")
            .replace("{d}", &d);
    let main = dir.path().join("httpd.conf");
    std::fs::write(&main, full).unwrap();
    let mut sources = Sources::new();
    let model = load(
        &main,
        ApacheStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    Site {
        dir,
        model,
        sources,
    }
}

struct Ask<'a> {
    method: &'a str,
    target: &'a str,
    host: &'a str,
    creds: Option<(&'a str, &'a str)>,
    from: &'a str,
}

fn get(target: &str) -> Ask<'_> {
    Ask {
        method: "GET",
        target,
        host: "localhost",
        creds: None,
        from: "127.0.0.1",
    }
}

impl<'a> Ask<'a> {
    fn method(mut self, m: &'a str) -> Self {
        self.method = m;
        self
    }
    fn host(mut self, h: &'a str) -> Self {
        self.host = h;
        self
    }
    fn login(mut self, u: &'a str, p: &'a str) -> Self {
        self.creds = Some((u, p));
        self
    }
    fn from(mut self, ip: &'a str) -> Self {
        self.from = ip;
        self
    }
}

impl Site {
    fn answer(&self, ask: Ask<'_>) -> Answer {
        let req = Request {
            method: ask.method.into(),
            scheme: Scheme::Http,
            host: ask.host.into(),
            port: 80,
            local_addr: IpAddr::from([127, 0, 0, 1]),
            target: ask.target.into(),
            client: ask.from.parse().unwrap(),
            credentials: ask.creds.map(|(u, p)| Credentials {
                user: u.into(),
                password: Zeroizing::new(p.as_bytes().to_vec()),
            }),
        };
        evaluate(&self.model, &req, &LocalFiles::default())
    }

    fn status(&self, ask: Ask<'_>) -> Option<u16> {
        let what = format!("{} {}", ask.method, ask.target);
        let a = self.answer(ask);
        if std::env::var_os("WHY_DEBUG").is_some() {
            eprintln!("{what}: {:?}", a.verdict);
            for s in &a.steps {
                eprintln!("  - {}", s.what);
            }
        }
        a.status()
    }

    /// `file:line` of the deciding line.
    fn decided_line(&self, ask: Ask<'_>) -> usize {
        let span = self.answer(ask).decided_by.expect("a deciding line");
        self.sources.get(span.file).line_col(span.start).0
    }

    /// The 1-based line of the main config that holds `text`.
    fn line_of(&self, text: &str) -> usize {
        let conf = std::fs::read_to_string(self.dir.path().join("httpd.conf")).unwrap();
        1 + conf
            .lines()
            .position(|l| l.contains(text))
            .expect("text in the config")
    }
}

const BASIC: &str = "AuthType Basic\nAuthName \"R\"\nAuthUserFile {d}/users\n";

#[test]
fn static_files_directories_and_methods() {
    let s = site(
        "<Directory {d}/htdocs>\nRequire all granted\n</Directory>\n",
        &[("htdocs/a/index.html", "hi"), ("htdocs/e/f.txt", "hi")],
    );
    assert_eq!(s.status(get("/a/")), Some(200));
    assert_eq!(s.status(get("/a/index.html")), Some(200));
    assert_eq!(s.status(get("/a")), Some(301));
    assert_eq!(s.status(get("/a").method("POST")), Some(301));
    assert_eq!(
        s.status(get("/e/")),
        Some(403),
        "no index, no Options Indexes"
    );
    assert_eq!(s.status(get("/e/").method("POST")), Some(404));
    assert_eq!(s.status(get("/e/f.txt").method("POST")), Some(200));
    assert_eq!(s.status(get("/e/f.txt").method("PUT")), Some(405));
    assert_eq!(s.status(get("/e/f.txt").method("FOO")), Some(501));
    assert_eq!(s.status(get("/e/nothere").method("OPTIONS")), Some(200));
    assert_eq!(s.status(get("/e/nothere").method("DELETE")), Some(405));
    assert_eq!(s.status(get("/e/nothere")), Some(404));
    assert_eq!(s.status(get("/e/f.txt/extra")), Some(404));
    assert_eq!(s.status(get("/e/f.txt").method("TRACE")), Some(200));
    assert_eq!(s.status(get("/../x")), Some(400));
    assert_eq!(s.status(get("/e%2Ff.txt")), Some(404));
    assert_eq!(s.status(get("/e/./../e/f.txt")), Some(200));
}

#[test]
fn basic_login_with_the_password_file() {
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs/p>\n{BASIC}Require valid-user\n</Directory>\n<Directory {{d}}/htdocs>\nRequire all granted\n</Directory>\n"
        ),
        &[("users", "alice:{hash}\n"), ("htdocs/p/index.html", "x")],
    );
    assert_eq!(s.status(get("/p/")), Some(401));
    assert_eq!(s.status(get("/p/").login("alice", "secret")), Some(200));
    assert_eq!(s.status(get("/p/").login("alice", "wrong")), Some(401));
    assert_eq!(s.status(get("/p/").login("bob", "secret")), Some(401));
    assert_eq!(s.status(get("/p/index.html").method("TRACE")), Some(200));
    std::fs::remove_file(s.dir.path().join("users")).unwrap();
    assert_eq!(s.status(get("/p/")), Some(401));
    assert_eq!(s.status(get("/p/").login("alice", "secret")), Some(500));
}

#[test]
fn require_local_beside_require_all_lets_local_clients_in() {
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs>\n{BASIC}Require local\n<RequireAll>\nRequire valid-user\n</RequireAll>\n</Directory>\n"
        ),
        &[("users", "alice:{hash}\n"), ("htdocs/x.txt", "x")],
    );
    assert_eq!(s.status(get("/x.txt")), Some(200));
    assert_eq!(s.decided_line(get("/x.txt")), s.line_of("Require local"));
    assert_eq!(s.status(get("/x.txt").from("192.0.2.1")), Some(401));
    assert_eq!(
        s.status(get("/x.txt").from("192.0.2.1").login("alice", "secret")),
        Some(200)
    );
}

#[test]
fn files_inside_directory_replaces_require_ip() {
    let s = site(
        "<Directory {d}/htdocs>\nRequire ip 10.0.0.0/8\n<Files admin.php>\nRequire all granted\n</Files>\n</Directory>\n",
        &[("htdocs/admin.php", "x"), ("htdocs/other.txt", "x")],
    );
    assert_eq!(s.status(get("/other.txt").from("192.0.2.1")), Some(403));
    assert_eq!(s.status(get("/admin.php").from("192.0.2.1")), Some(200));
    assert_eq!(s.status(get("/other.txt").from("10.1.2.3")), Some(200));
}

#[test]
fn a_vhost_serves_what_another_protects() {
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs>\nRequire all granted\n</Directory>\n<VirtualHost *:80>\nServerName a.test\nDocumentRoot {{d}}/htdocs\n<Directory {{d}}/htdocs/admin>\n{BASIC}Require valid-user\n</Directory>\n</VirtualHost>\n<VirtualHost *:80>\nServerName b.test\nDocumentRoot {{d}}/htdocs\n</VirtualHost>\n"
        ),
        &[("users", "alice:{hash}\n"), ("htdocs/admin/x.txt", "x")],
    );
    assert_eq!(s.status(get("/admin/x.txt").host("a.test")), Some(401));
    assert_eq!(s.status(get("/admin/x.txt").host("b.test")), Some(200));
    assert_eq!(
        s.status(get("/admin/x.txt").host("other.test")),
        Some(401),
        "the first vhost is the default"
    );
}

#[test]
fn basic_without_a_user_file_is_401_then_500() {
    let s = site(
        "<Directory {d}/htdocs>\nAuthType Basic\nAuthName R\nRequire valid-user\n</Directory>\n",
        &[("htdocs/x.txt", "x")],
    );
    assert_eq!(s.status(get("/x.txt")), Some(401));
    assert_eq!(s.status(get("/x.txt").login("a", "b")), Some(500));
}

#[test]
fn satisfy_any_in_a_later_section_drops_an_earlier_deny() {
    let s = site(
        "<Directory {d}/htdocs>\nRequire all granted\n</Directory>\n<Directory {d}/htdocs/a>\nOrder deny,allow\nDeny from all\n</Directory>\n<Location /b>\nSatisfy Any\n</Location>\n<Directory {d}/htdocs/b>\nOrder deny,allow\nDeny from all\n</Directory>\n",
        &[("htdocs/a/x.txt", "x"), ("htdocs/b/x.txt", "x")],
    );
    assert_eq!(s.status(get("/a/x.txt")), Some(403));
    assert_eq!(s.status(get("/b/x.txt")), Some(200));
}

#[test]
fn directory_match_is_matched_against_the_file_name() {
    let s = site(
        "<Directory {d}/htdocs>\nRequire all granted\n</Directory>\n<DirectoryMatch \"^{d}/htdocs/b$\">\nRequire all denied\n</DirectoryMatch>\n<DirectoryMatch \"^{d}/htdocs/d/f.txt$\">\nRequire all denied\n</DirectoryMatch>\n",
        &[("htdocs/b/index.html", "x"), ("htdocs/d/f.txt", "x")],
    );
    assert_eq!(s.status(get("/b/")), Some(200));
    assert_eq!(s.status(get("/b")), Some(403));
    assert_eq!(s.status(get("/d/f.txt")), Some(403));
}

#[test]
fn if_blocks_are_decided_by_the_request() {
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs>\nRequire all granted\n<If \"%{{REQUEST_METHOD}} == 'POST'\">\n{BASIC}Require valid-user\n</If>\n<ElseIf \"-R '10.0.0.0/8'\">\nRequire all denied\n</ElseIf>\n</Directory>\n"
        ),
        &[("users", "alice:{hash}\n"), ("htdocs/x.txt", "x")],
    );
    assert_eq!(s.status(get("/x.txt")), Some(200));
    assert_eq!(s.status(get("/x.txt").method("POST")), Some(401));
    assert_eq!(s.status(get("/x.txt").from("10.0.0.1")), Some(403));
    let unknown = site(
        "<Directory {d}/htdocs>\nRequire all granted\n<If \"%{HTTP:X-Secret} == 'x'\">\nRequire all denied\n</If>\n</Directory>\n",
        &[("htdocs/x.txt", "x")],
    );
    let a = unknown.answer(get("/x.txt"));
    assert!(
        matches!(
            &a.verdict,
            Verdict::Depends {
                status: Some(200),
                ..
            }
        ),
        "{:?}",
        a.verdict
    );
}

#[test]
fn redirects_come_before_access_and_limit_leaves_methods_open() {
    let s = site(
        &format!(
            "Redirect /old /new\n<Directory {{d}}/htdocs>\n{BASIC}<Limit GET>\nRequire valid-user\n</Limit>\n</Directory>\n"
        ),
        &[("users", "alice:{hash}\n"), ("htdocs/x.txt", "x")],
    );
    assert_eq!(s.status(get("/old/x")), Some(302));
    assert_eq!(s.status(get("/x.txt")), Some(401));
    assert_eq!(s.status(get("/x.txt").method("POST")), Some(200));
    assert_eq!(s.status(get("/x.txt").method("PUT")), Some(405));
}

#[test]
fn configurations_httpd_refuses() {
    let s = site(
        "<Directory {d}/htdocs>\nAuthBasicProvider ldapx\nRequire all granted\n</Directory>\n",
        &[],
    );
    assert_eq!(s.answer(get("/")).verdict, Verdict::DoesNotStart);
    let s = site(
        "<Directory {d}/htdocs>\nRequire not ip 10.0.0.1\n</Directory>\n",
        &[],
    );
    assert_eq!(s.answer(get("/")).verdict, Verdict::DoesNotStart);
    let s = site("Include {d}/nothere.conf\n", &[]);
    assert_eq!(s.answer(get("/")).verdict, Verdict::DoesNotStart);
    let s = site("", &[]);
    let other_port = Request {
        port: 8080,
        ..request_for("/")
    };
    assert_eq!(
        evaluate(&s.model, &other_port, &LocalFiles::default()).verdict,
        Verdict::NoListener
    );
}

fn request_for(target: &str) -> Request {
    Request {
        method: "GET".into(),
        scheme: Scheme::Http,
        host: "localhost".into(),
        port: 80,
        local_addr: IpAddr::from([127, 0, 0, 1]),
        target: target.into(),
        client: IpAddr::from([127, 0, 0, 1]),
        credentials: None,
    }
}

#[test]
fn htaccess_files_are_read_under_allowoverride() {
    let s = site(
        "<Directory {d}/htdocs>\nAllowOverride AuthConfig\nRequire all granted\n</Directory>\n<Directory {d}/htdocs/fi>\nAllowOverride FileInfo\n</Directory>\n",
        &[
            ("users", "alice:{hash}\n"),
            (
                "htdocs/p/.htaccess",
                "AuthType Basic\nAuthName R\nAuthUserFile {d}/users\nRequire valid-user\n",
            ),
            ("htdocs/p/x.txt", "x"),
            ("htdocs/fi/.htaccess", "AuthType Basic\n"),
            ("htdocs/fi/x.txt", "x"),
            ("htdocs/bad/.htaccess", "Require ip nonsense/99\n"),
            ("htdocs/bad/x.txt", "x"),
        ],
    );
    assert_eq!(s.status(get("/p/x.txt")), Some(401));
    assert_eq!(
        s.status(get("/p/x.txt").login("alice", "secret")),
        Some(200)
    );
    assert_eq!(s.status(get("/fi/x.txt")), Some(500));
    assert_eq!(s.status(get("/bad/x.txt")), Some(500));
}

#[test]
fn groups_and_users() {
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs>\n{BASIC}AuthGroupFile {{d}}/groups\nRequire group admins\n</Directory>\n<Directory {{d}}/htdocs/u>\nRequire user bob\n</Directory>\n"
        ),
        &[
            ("users", "alice:{hash}\nbob:{hash}\n"),
            ("groups", "admins: alice\n"),
            ("htdocs/x.txt", "x"),
            ("htdocs/u/x.txt", "x"),
        ],
    );
    assert_eq!(s.status(get("/x.txt").login("alice", "secret")), Some(200));
    assert_eq!(s.status(get("/x.txt").login("bob", "secret")), Some(401));
    assert_eq!(
        s.status(get("/u/x.txt").login("alice", "secret")),
        Some(401)
    );
    assert_eq!(s.status(get("/u/x.txt").login("bob", "secret")), Some(200));
    std::fs::remove_file(s.dir.path().join("groups")).unwrap();
    assert_eq!(s.status(get("/x.txt").login("alice", "secret")), Some(401));
}

#[test]
fn map_lists_url_spaces_with_their_access() {
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs>\nRequire all granted\n</Directory>\n<Directory {{d}}/htdocs/admin>\n{BASIC}Require valid-user\n</Directory>\n<Location /status>\nRequire local\n</Location>\n<Directory {{d}}/htdocs/form>\n{BASIC}<Limit POST>\nRequire valid-user\n</Limit>\n</Directory>\nAlias /files {{d}}/shared\n<Directory {{d}}/shared>\nRequire all denied\n</Directory>\n"
        ),
        &[
            ("users", "alice:{hash}\n"),
            ("htdocs/admin/x", "x"),
            ("htdocs/form/", ""),
            ("shared/", ""),
        ],
    );
    assert!(checks::start_failure(&s.model).is_none());
    let rows = map::map(&s.model, &LocalFiles::default(), None);
    let main = &rows[0];
    let access = |url: &str| {
        main.rows
            .iter()
            .find(|r| r.space.url == url)
            .map(|r| r.summary.describe(true))
            .unwrap_or_else(|| {
                panic!(
                    "no row {url}: {:?}",
                    main.rows.iter().map(|r| &r.space.url).collect::<Vec<_>>()
                )
            })
    };
    assert_eq!(access("/"), "open");
    assert!(
        access("/admin/").starts_with("login via "),
        "{}",
        access("/admin/")
    );
    assert!(access("/admin/").ends_with("(realm \"R\")"));
    assert_eq!(access("/status"), "local clients: open; others: denied");
    assert!(
        access("/form/").starts_with("GET: open; POST: login"),
        "{}",
        access("/form/")
    );
    assert_eq!(access("/files"), "denied");
    let one = map::map(&s.model, &LocalFiles::default(), Some("/admin/x"));
    assert_eq!(one[0].rows.len(), 1);
    assert!(one[0].rows[0].summary.describe(false).starts_with("login"));
}

#[test]
fn regex_directories_merge_by_their_slash_count() {
    // The pattern with more `/` merges last whatever the file order (found by a random
    // config against apache2: 401, not the 200 file order would give).
    let s = site(
        &format!(
            "<Directory {{d}}/htdocs>\nRequire all granted\n</Directory>\n<DirectoryMatch \"^{{d}}/htdocs/a/.*\">\n{BASIC}Require valid-user\n</DirectoryMatch>\n<DirectoryMatch \"^{{d}}/htdocs/a\">\nRequire ip 127.0.0.0/24\n</DirectoryMatch>\n"
        ),
        &[("users", "alice:{hash}\n"), ("htdocs/a/f.txt", "x")],
    );
    assert_eq!(s.status(get("/a/f.txt")), Some(401));
}

#[test]
fn an_empty_if_still_decides_its_else() {
    let s = site(
        "<Directory />\nRequire all denied\n</Directory>\n\
         <If \"%{REMOTE_ADDR} == '127.0.0.1'\">\n</If>\n<Else>\nRequire all granted\n</Else>\n\
         <If \"-n %{HTTP:Authorization}\">\n</If>\n<ElseIf \"%{REQUEST_METHOD} == 'POST'\">\nRequire all granted\n</ElseIf>\n",
        &[("htdocs/x.txt", "hi"), ("users", "bob:{hash}\n")],
    );
    assert_eq!(s.status(get("/x.txt")), Some(403), "the <If> holds");
    assert_eq!(s.status(get("/x.txt").from("127.0.0.2")), Some(200));
    assert_eq!(s.status(get("/x.txt").method("POST")), Some(200));
    assert_eq!(
        s.status(get("/x.txt").method("POST").login("bob", "x")),
        Some(403),
        "a login sends an Authorization header: the first <If> holds"
    );
}

#[test]
fn without_authz_core_nothing_grants_access() {
    let conf = format!(
        "{}ServerRoot {{d}}\nListen 127.0.0.1:80\nDocumentRoot {{d}}/htdocs\n\
         <Directory {{d}}/htdocs/p>\n{BASIC}</Directory>\n",
        MODS.replace("LoadModule authz_core_module x\n", "")
    );
    let s = site(
        "",
        &[
            ("htdocs/x.txt", "hi"),
            ("htdocs/p/y.txt", "hi"),
            ("users", "bob:{hash}\n"),
        ],
    );
    let d = s.dir.path().to_string_lossy().into_owned();
    std::fs::write(s.dir.path().join("httpd.conf"), conf.replace("{d}", &d)).unwrap();
    let mut sources = Sources::new();
    let model = load(
        &s.dir.path().join("httpd.conf"),
        ApacheStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    let s = Site {
        model,
        sources,
        ..s
    };
    assert_eq!(s.status(get("/x.txt")), Some(500));
    assert_eq!(s.status(get("/missing")), Some(500));
    assert_eq!(s.status(get("/p/y.txt")), Some(401));
    assert_eq!(s.status(get("/p/y.txt").login("bob", "wrong")), Some(401));
    assert_eq!(s.status(get("/p/y.txt").login("bob", "secret")), Some(500));
}

#[test]
fn a_directive_of_a_module_not_loaded_stops_httpd() {
    let s = site("ScriptAlias /cgi/ {d}/cgi/\n", &[("htdocs/x.txt", "hi")]);
    assert_eq!(s.status(get("/x.txt")), Some(200));
    let conf = std::fs::read_to_string(s.dir.path().join("httpd.conf")).unwrap();
    std::fs::write(
        s.dir.path().join("httpd.conf"),
        conf.replace("LoadModule alias_module x\n", ""),
    )
    .unwrap();
    let mut sources = Sources::new();
    let model = load(
        &s.dir.path().join("httpd.conf"),
        ApacheStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    let s = Site {
        model,
        sources,
        ..s
    };
    assert_eq!(s.answer(get("/x.txt")).verdict, Verdict::DoesNotStart);
}
