//! Phase by phase, without a server: a config loaded from a temp dir, the files the
//! server would open held in memory. Every expectation here is also checked against a
//! real nginx in tests/nginx_why.rs.

use super::*;
use crate::model::LoadOptions;
use crate::model::nginx::{NginxStart, load};
use crate::model::request::{Credentials, FileState, Scheme};
use crate::source::Sources;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use zeroize::Zeroizing;

/// Files as a map from path to contents (`None`: a directory); parents are directories.
#[derive(Default)]
struct MemFiles(BTreeMap<PathBuf, Option<Vec<u8>>>);

impl MemFiles {
    fn with(entries: &[(&str, &str)]) -> MemFiles {
        let mut m = MemFiles::default();
        for (path, text) in entries {
            let p = PathBuf::from(path);
            for dir in p.ancestors().skip(1) {
                m.0.entry(dir.to_path_buf()).or_insert(None);
            }
            if path.ends_with('/') {
                m.0.insert(p, None);
            } else {
                m.0.insert(p, Some(text.as_bytes().to_vec()));
            }
        }
        m
    }

    /// The path as the kernel resolves it (`//`, `.` and `..`).
    fn clean(p: &Path) -> PathBuf {
        let mut parts: Vec<&str> = Vec::new();
        for part in p.to_str().unwrap_or("").split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        PathBuf::from(format!("/{}", parts.join("/")))
    }
}

impl Files for MemFiles {
    fn state(&self, p: &Path) -> FileState {
        match self.0.get(&Self::clean(p)) {
            None => FileState::Missing,
            Some(None) => FileState::Directory,
            Some(Some(b)) => FileState::File {
                size: b.len() as u64,
            },
        }
    }
    fn read(&self, p: &Path) -> std::io::Result<Vec<u8>> {
        match self.0.get(&Self::clean(p)) {
            Some(Some(b)) => Ok(b.clone()),
            _ => Err(std::io::ErrorKind::NotFound.into()),
        }
    }
    fn list(&self, _: &Path) -> Vec<String> {
        Vec::new()
    }
}

/// `u:secret` in apr1, and `{PLAIN}` for a second user.
const USERS: &str = "u:$apr1$X7p9VVZ0$ZfXy9blcTnh2niKLaUFgL1\np:{PLAIN}pw\n";

fn model(http: &str) -> (NginxModel, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("nginx.conf");
    std::fs::write(&main, format!("events {{}}\nhttp {{\n{http}\n}}\n")).unwrap();
    let mut sources = Sources::new();
    let m = load(
        &main,
        NginxStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    (m, dir)
}

fn request(method: &str, host: &str, target: &str, creds: Option<(&str, &str)>) -> Request {
    Request {
        method: method.into(),
        scheme: Scheme::Http,
        host: host.into(),
        port: 80,
        local_addr: IpAddr::from([127, 0, 0, 1]),
        target: target.into(),
        client: IpAddr::from([127, 0, 0, 1]),
        credentials: creds.map(|(u, p)| Credentials {
            user: u.into(),
            password: Zeroizing::new(p.as_bytes().to_vec()),
        }),
    }
}

/// Status of `GET target` (Host `h`) with optional credentials.
fn status(
    m: &NginxModel,
    files: &MemFiles,
    target: &str,
    creds: Option<(&str, &str)>,
) -> Option<u16> {
    evaluate(m, &request("GET", "h", target, creds), files).status()
}

fn site() -> MemFiles {
    MemFiles::with(&[
        ("/srv/www/index.html", "home"),
        ("/srv/www/admin/index.html", "admin"),
        ("/srv/www/admin/x.php", "php"),
        ("/srv/www/pub/a.txt", "a"),
        ("/srv/www/empty/", ""),
        ("/srv/app/public/app.js", "js"),
        ("/srv/app/.htpasswd", USERS),
        ("/etc/users", USERS),
        ("/etc/empty.users", ""),
        ("/etc/users.d/", ""),
    ])
}

#[test]
fn password_step_follows_the_spec_table() {
    let (m, _d) = model(
        r#"server { listen 80; root /srv/www;
            location /admin/ { auth_basic "A"; auth_basic_user_file /etc/users; }
            location /missing/ { auth_basic "M"; auth_basic_user_file /etc/none; }
            location /dir/ { auth_basic "D"; auth_basic_user_file /etc/users.d; }
            location /empty/ { auth_basic "E"; auth_basic_user_file /etc/empty.users; }
        }"#,
    );
    let f = site();
    assert_eq!(status(&m, &f, "/admin/", None), Some(401));
    assert_eq!(status(&m, &f, "/admin/", Some(("u", "secret"))), Some(200));
    assert_eq!(status(&m, &f, "/admin/", Some(("u", "wrong"))), Some(401));
    assert_eq!(status(&m, &f, "/admin/", Some(("p", "pw"))), Some(200));
    assert_eq!(status(&m, &f, "/admin/", Some(("nobody", "x"))), Some(401));
    assert_eq!(status(&m, &f, "/missing/", None), Some(401));
    assert_eq!(
        status(&m, &f, "/missing/", Some(("u", "secret"))),
        Some(403)
    );
    assert_eq!(status(&m, &f, "/dir/", Some(("u", "secret"))), Some(500));
    assert_eq!(status(&m, &f, "/empty/", Some(("u", "secret"))), Some(401));
    let a = evaluate(
        &m,
        &request("GET", "h", "/admin/", Some(("u", "wrong"))),
        &f,
    );
    assert!(
        a.steps.iter().any(|s| s.what.contains("/etc/users:1")),
        "{a:?}"
    );
}

#[test]
fn server_selection_by_address_and_name() {
    let (m, _d) = model(
        r#"server { listen 80; server_name first; return 200; }
           server { listen 80 default_server; server_name dflt; return 201; }
           server { listen 80; server_name *.example.com; return 202; }
           server { listen 80; server_name ~^api\d+\.test$; return 203; }
           server { listen 80; server_name www.example.*; return 204; }
           server { listen 127.0.0.2:80; return 205; }"#,
    );
    let f = MemFiles::default();
    let s = |host: &str| evaluate(&m, &request("GET", host, "/", None), &f).status();
    assert_eq!(s("first"), Some(200));
    assert_eq!(s("FIRST."), Some(200));
    assert_eq!(s("unknown"), Some(201));
    assert_eq!(s("a.example.com"), Some(202));
    assert_eq!(
        s("www.example.com"),
        Some(202),
        "a leading wildcard beats a trailing one"
    );
    assert_eq!(s("www.example.org"), Some(204));
    assert_eq!(s("api7.test"), Some(203));
    assert_eq!(s("a..b"), Some(400));
    let mut r = request("GET", "x", "/", None);
    r.local_addr = IpAddr::from([127, 0, 0, 2]);
    assert_eq!(evaluate(&m, &r, &f).status(), Some(205));
    r.port = 8080;
    assert_eq!(evaluate(&m, &r, &f).verdict, Verdict::NoListener);
}

#[test]
fn alias_without_trailing_slash_reaches_the_parent() {
    let (m, _d) = model(
        r#"server { listen 80; root /srv/www;
            location /static { alias /srv/app/public/; }
        }"#,
    );
    let f = site();
    assert_eq!(status(&m, &f, "/static/app.js", None), Some(200));
    assert_eq!(status(&m, &f, "/static../.htpasswd", None), Some(200));
    let e = evaluate_with(
        &m,
        &request("GET", "h", "/static../.htpasswd", None),
        &f,
        &Profile::default(),
    );
    assert_eq!(e.file, Some(PathBuf::from("/srv/app/public/../.htpasswd")));
}

#[test]
fn rewrite_phase_runs_before_auth() {
    let (m, _d) = model(
        r#"server { listen 80; root /srv/www;
            location /admin/ { auth_basic "A"; auth_basic_user_file /etc/users;
                rewrite ^/admin/open/(.*)$ /pub/$1 last;
                rewrite ^/admin/kept/(.*)$ /pub/$1 break;
                if ($request_method = POST) { return 403; }
                location /admin/go { return 301 /elsewhere; }
            }
            location /old { rewrite ^ /new/ permanent; }
        }"#,
    );
    let f = site();
    assert_eq!(status(&m, &f, "/admin/open/a.txt", None), Some(200));
    assert_eq!(status(&m, &f, "/admin/kept/a.txt", None), Some(401));
    assert_eq!(
        status(&m, &f, "/admin/kept/a.txt", Some(("u", "secret"))),
        Some(200)
    );
    assert_eq!(status(&m, &f, "/admin/go", None), Some(301));
    assert_eq!(status(&m, &f, "/old", None), Some(301));
    let post = evaluate(&m, &request("POST", "h", "/admin/", None), &f);
    assert_eq!(post.status(), Some(403));
}

#[test]
fn access_phase_allow_deny_satisfy_limit_except() {
    let (m, _d) = model(
        r#"server { listen 80; root /srv/www;
            location /lan/ { allow 10.0.0.0/8; deny all; }
            location /any/ { satisfy any; allow 127.0.0.1; deny all;
                auth_basic "A"; auth_basic_user_file /etc/users; }
            location /all/ { allow 127.0.0.1; deny all;
                auth_basic "A"; auth_basic_user_file /etc/users; }
            location /pub/ { limit_except GET { auth_basic "W"; auth_basic_user_file /etc/users; } }
        }"#,
    );
    let f = site();
    assert_eq!(status(&m, &f, "/lan/", None), Some(403));
    assert_eq!(status(&m, &f, "/any/", None), Some(404));
    assert_eq!(status(&m, &f, "/all/", None), Some(401));
    assert_eq!(status(&m, &f, "/pub/a.txt", None), Some(200));
    let post = evaluate(&m, &request("POST", "h", "/pub/a.txt", None), &f);
    assert_eq!(post.status(), Some(401));
    let mut other = request("GET", "h", "/any/", None);
    other.client = IpAddr::from([10, 1, 2, 3]);
    assert_eq!(evaluate(&m, &other, &f).status(), Some(401));
}

#[test]
fn content_phase_index_try_files_error_page() {
    let (m, _d) = model(
        r#"server { listen 80; root /srv/www;
            location = / { index admin/index.html; }
            location /admin/ { auth_basic "A"; auth_basic_user_file /etc/users; }
            location /t/ { try_files $uri /admin/index.html; }
            location /c/ { try_files $uri =418; }
            location /n/ { try_files $uri @fallback; }
            location @fallback { return 299; }
            location /e/ { error_page 404 /admin/index.html; }
            location /auto/ { alias /srv/www/empty/; autoindex on; }
        }"#,
    );
    let f = site();
    assert_eq!(
        status(&m, &f, "/", None),
        Some(401),
        "index redirects into /admin/"
    );
    assert_eq!(status(&m, &f, "/t/x", None), Some(401));
    assert_eq!(status(&m, &f, "/c/x", None), Some(418));
    assert_eq!(status(&m, &f, "/n/x", None), Some(299));
    assert_eq!(
        status(&m, &f, "/e/x", None),
        Some(401),
        "error_page runs auth again"
    );
    assert_eq!(status(&m, &f, "/pub", None), Some(301));
    assert_eq!(status(&m, &f, "/pub/", None), Some(403));
    assert_eq!(status(&m, &f, "/auto/", None), Some(200));
    assert_eq!(status(&m, &f, "/nothing", None), Some(404));
    let post = evaluate(&m, &request("POST", "h", "/pub/a.txt", None), &f);
    assert_eq!(post.status(), Some(405));
    let del = evaluate(&m, &request("DELETE", "h", "/pub/", None), &f);
    assert_eq!(del.status(), Some(405));
}

#[test]
fn config_that_stops_nginx_and_upstreams() {
    let (m, _d) = model("server { listen 80; location / { proxy_pass http://127.0.0.1:9; } }");
    let a = evaluate(&m, &request("GET", "h", "/x", None), &MemFiles::default());
    assert!(matches!(a.verdict, Verdict::Depends { .. }), "{a:?}");
    let (m, _d) = model("server { listen 80; include /nonexistent.conf; }");
    let a = evaluate(&m, &request("GET", "h", "/", None), &MemFiles::default());
    assert_eq!(a.verdict, Verdict::DoesNotStart);
    assert!(a.decided_by.is_some());
}

#[test]
fn rewrite_cycles_end_in_500() {
    let (m, _d) = model(r#"server { listen 80; location / { rewrite ^(.*)$ $1 last; } }"#);
    assert_eq!(status(&m, &MemFiles::default(), "/x", None), Some(500));
}

#[test]
fn configs_nginx_refuses_do_not_start() {
    for conf in [
        "server { listen 80; location /a/ { } location /a/ { } }",
        "server { listen 80 default_server; } server { listen 80 default_server; }",
        "server { listen 80; location /a/ { location /b/ { } } }",
        "server { listen 80; location = /a { location /a/x { } } }",
    ] {
        let (m, _d) = model(conf);
        let a = evaluate(&m, &request("GET", "h", "/", None), &MemFiles::default());
        assert_eq!(a.verdict, Verdict::DoesNotStart, "{conf}");
    }
    let (m, _d) =
        model("server { listen 80; location /a/ { } location = /a/ { } location ^~ /b/ { } }");
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

#[test]
fn try_files_directory_entries_drop_their_slash() {
    let (m, _d) = model(
        r#"server { listen 80; root /srv/www;
            location / { try_files $uri $uri/ =404; }
            location /f/ { try_files $uri @named; }
            location @named { return 299; }
        }"#,
    );
    let f = MemFiles::with(&[("/srv/www/pub/a.txt", "a"), ("/srv/www/f/x/", "")]);
    // `$uri/` finds the directory and sets the URI without the slash: a redirect.
    assert_eq!(status(&m, &f, "/pub", None), Some(301));
    // `$uri` only finds files: a directory falls through to the named location.
    assert_eq!(status(&m, &f, "/f/x/", None), Some(299));
}
