//! `htguard why` against real Apache httpd 2.4 on 127.0.0.1: for each open-door shape of
//! issue 16 and each server behaviour the evaluator models beyond the spec, the server's
//! status, the evaluator's status, and the line the evaluator says decided.
//!
//! One server for the whole suite; every case is a directory of its own.

mod common;

use common::{Apache, Server, Site};
use htguard::check::CheckOptions;
use htguard::check::why::{WhyOptions, run};
use htguard::model::request::{Credentials, Request, Scheme};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::os::fd::FromRawFd;
use std::path::Path;
use zeroize::Zeroizing;

const CONF: &str = r#"
<VirtualHost *:{port}>
    ServerName a.test
    DocumentRoot "{site}/htdocs"

    # 1. `Require ip` beside <RequireAll>: an implicit <RequireAny>.
    <Directory "{site}/htdocs/mixed">
        AuthType Basic
        AuthName "mixed"
        AuthUserFile "{site}/users"
        # MIXED-IP
        Require ip 127.0.0.2
        <RequireAll>
            Require valid-user
        </RequireAll>
    </Directory>

    # 2. <Files> inside <Directory>: its Require replaces the directory's.
    <Directory "{site}/htdocs/private">
        Require ip 192.0.2.0/24
        <Files "admin.php">
            # FILES-GRANT
            Require all granted
        </Files>
    </Directory>

    # 3. protected in this vhost only (b.test serves the same DocumentRoot).
    <Directory "{site}/htdocs/admin">
        AuthType Basic
        AuthName "admin"
        AuthUserFile "{site}/users"
        # ADMIN-LOGIN
        Require valid-user
    </Directory>

    # 4. Basic + valid-user without AuthUserFile: 401, then 500 with any login.
    <Directory "{site}/htdocs/nofile">
        # NOFILE-TYPE
        AuthType Basic
        AuthName "nofile"
        Require valid-user
    </Directory>

    # 5. `Satisfy Any` in a later section drops the earlier section's Deny.
    <Directory "{site}/htdocs/deny">
        Order deny,allow
        Deny from all
    </Directory>
    <Location "/deny/open">
        # SATISFY-ANY
        Satisfy Any
    </Location>

    # 6. `AuthMerging Off` alone drops the Require lines in effect: open where no
    #    AuthType is set, 500 (AH01627) where one is.
    <Directory "{site}/htdocs/merging">
        Require ip 192.0.2.0/24
    </Directory>
    <Directory "{site}/htdocs/merging-login">
        AuthType Basic
        AuthName "merging"
        AuthUserFile "{site}/users"
        Require valid-user
    </Directory>
    <Files "public.txt">
        # MERGING-OFF
        AuthMerging Off
    </Files>

    # 7. TRACE is answered before any access check.
    # (uses /admin/)

    # 8. The file walk merges its sections first: <Files> with `AuthMerging And` after a
    #    <FilesMatch> with Require joins the FilesMatch's lines to the directory's.
    <Directory "{site}/htdocs/walk">
        # WALK-DIR
        Require ip 127.0.0.2
        <Files "w.txt">
            AuthMerging And
        </Files>
    </Directory>
    <FilesMatch "^w">
        Require all granted
        AuthMerging Off
    </FilesMatch>
</VirtualHost>

<VirtualHost *:{port}>
    ServerName b.test
    DocumentRoot "{site}/htdocs"
</VirtualHost>
"#;

struct Suite {
    site: Site,
    server: Server,
}

fn start() -> Suite {
    let site = Site::new();
    let hash = htguard::hash::generate(
        htguard::hash::Scheme::Apr1,
        b"secret",
        &htguard::hash::Params::default(),
    )
    .unwrap();
    site.write("users", format!("alice:{}\n", hash.hash));
    for f in [
        "htdocs/mixed/x.txt",
        "htdocs/private/admin.php",
        "htdocs/private/other.txt",
        "htdocs/admin/x.txt",
        "htdocs/nofile/x.txt",
        "htdocs/deny/open/x.txt",
        "htdocs/deny/closed/x.txt",
        "htdocs/merging/public.txt",
        "htdocs/merging/other.txt",
        "htdocs/merging-login/public.txt",
        "htdocs/walk/w.txt",
    ] {
        site.write(f, "x\n");
    }
    let server = Apache::start(&site, CONF);
    Suite { site, server }
}

/// One request: host, path, method, client address, credentials.
#[derive(Clone, Copy)]
struct Ask<'a> {
    host: &'a str,
    path: &'a str,
    method: &'a str,
    from: Ipv4Addr,
    login: Option<(&'a str, &'a str)>,
}

fn ask(host: &'static str, path: &'static str) -> Ask<'static> {
    Ask {
        host,
        path,
        method: "GET",
        from: Ipv4Addr::new(127, 0, 0, 1),
        login: None,
    }
}

impl<'a> Ask<'a> {
    fn from(mut self, last: u8) -> Self {
        self.from = Ipv4Addr::new(127, 0, 0, last);
        self
    }
    fn login(mut self, user: &'a str, password: &'a str) -> Self {
        self.login = Some((user, password));
        self
    }
    fn method(mut self, m: &'a str) -> Self {
        self.method = m;
        self
    }
}

impl Suite {
    /// What the real server answers.
    fn server_status(&self, a: Ask<'_>) -> u16 {
        let mut req = format!(
            "{} {} HTTP/1.0\r\nHost: {}\r\nConnection: close\r\n",
            a.method, a.path, a.host
        );
        if let Some((u, p)) = a.login {
            use base64::Engine;
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
            req.push_str(&format!("Authorization: Basic {token}\r\n"));
        }
        if a.method != "GET" && a.method != "HEAD" {
            req.push_str("Content-Length: 0\r\n");
        }
        req.push_str("\r\n");
        let mut stream = connect_from(a.from, self.server.port());
        stream.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let line = String::from_utf8_lossy(&raw);
        line.split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {line:?}"))
    }

    /// What `why` answers, and the line of the rendered httpd.conf that decided.
    fn why(&self, a: Ask<'_>) -> (Option<u16>, Option<usize>) {
        let request = Request {
            method: a.method.into(),
            scheme: Scheme::Http,
            host: a.host.into(),
            port: self.server.port(),
            local_addr: IpAddr::from([127, 0, 0, 1]),
            target: a.path.into(),
            client: IpAddr::V4(a.from),
            credentials: a.login.map(|(u, p)| Credentials {
                user: u.into(),
                password: Zeroizing::new(p.as_bytes().to_vec()),
            }),
        };
        let opts = WhyOptions {
            inputs: CheckOptions {
                apache_configs: vec![self.server.conf_path().to_path_buf()],
                ..CheckOptions::default()
            },
            request,
        };
        let out = run(&opts).expect("why answers");
        let answer = &out.answers[0].answer;
        let line = answer.decided_by.map(|span| {
            let f = out.sources.get(span.file);
            assert_eq!(f.path, self.server.conf_path(), "decided in httpd.conf");
            f.line_col(span.start).0
        });
        (answer.status(), line)
    }

    /// The line of the rendered httpd.conf after the comment `# marker`.
    fn line_of(&self, marker: &str) -> usize {
        let text = std::fs::read_to_string(self.server.conf_path()).unwrap();
        2 + text
            .lines()
            .position(|l| l.trim() == format!("# {marker}"))
            .unwrap_or_else(|| panic!("{marker} not in httpd.conf"))
    }

    /// The server, `why` and the deciding line agree.
    fn check(&self, a: Ask<'_>, status: u16, marker: Option<&str>, errors: &mut Vec<String>) {
        let real = self.server_status(a);
        let (predicted, line) = self.why(a);
        let what = format!(
            "{} http://{}{} from {}{}",
            a.method,
            a.host,
            a.path,
            a.from,
            a.login
                .map(|(u, p)| format!(" as {u}:{p}"))
                .unwrap_or_default()
        );
        if real != status {
            errors.push(format!(
                "{what}: the server answers {real}, the test expects {status}"
            ));
        }
        if predicted != Some(real) {
            errors.push(format!("{what}: why says {predicted:?}, the server {real}"));
        }
        if let Some(marker) = marker {
            let want = self.line_of(marker);
            if line != Some(want) {
                errors.push(format!(
                    "{what}: decided by line {line:?}, expected {want} ({marker})"
                ));
            }
        }
    }
}

/// A TCP connection to 127.0.0.1:port from a chosen loopback address.
fn connect_from(src: Ipv4Addr, port: u16) -> TcpStream {
    fn sockaddr(ip: Ipv4Addr, port: u16) -> libc::sockaddr_in {
        libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(ip).to_be(),
            },
            sin_zero: [0; 8],
        }
    }
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: plain socket calls on a descriptor this function owns until it is handed
    // to TcpStream, which then closes it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket()");
        let local = sockaddr(src, 0);
        let rc = libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len);
        assert_eq!(rc, 0, "bind {src}");
        let remote = sockaddr(Ipv4Addr::LOCALHOST, port);
        let rc = libc::connect(fd, (&remote as *const libc::sockaddr_in).cast(), len);
        assert_eq!(rc, 0, "connect to port {port}");
        TcpStream::from_raw_fd(fd)
    }
}

#[test]
fn why_agrees_with_apache_on_the_open_doors() {
    if !common::need(&["apache2"]) {
        return;
    }
    let s = start();
    let mut errors = Vec::new();
    // 1. Require ip beside <RequireAll>: that address needs no password.
    s.check(
        ask("a.test", "/mixed/x.txt").from(2),
        200,
        Some("MIXED-IP"),
        &mut errors,
    );
    s.check(ask("a.test", "/mixed/x.txt"), 401, None, &mut errors);
    s.check(
        ask("a.test", "/mixed/x.txt").login("alice", "secret"),
        200,
        None,
        &mut errors,
    );
    // 2. <Files> inside <Directory> replaces `Require ip`: open to every address.
    s.check(
        ask("a.test", "/private/admin.php"),
        200,
        Some("FILES-GRANT"),
        &mut errors,
    );
    s.check(ask("a.test", "/private/other.txt"), 403, None, &mut errors);
    // 3. Protected in a.test, served by b.test from the same DocumentRoot.
    s.check(
        ask("a.test", "/admin/x.txt"),
        401,
        Some("ADMIN-LOGIN"),
        &mut errors,
    );
    s.check(ask("b.test", "/admin/x.txt"), 200, None, &mut errors);
    // 4. No AuthUserFile: 401, then 500 for every login.
    s.check(ask("a.test", "/nofile/x.txt"), 401, None, &mut errors);
    s.check(
        ask("a.test", "/nofile/x.txt").login("alice", "secret"),
        500,
        Some("NOFILE-TYPE"),
        &mut errors,
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn why_agrees_with_apache_beyond_the_spec() {
    if !common::need(&["apache2"]) {
        return;
    }
    let s = start();
    let mut errors = Vec::new();
    // 5. `Satisfy Any` alone in a <Location> replaces Order/Deny of the <Directory>.
    s.check(
        ask("a.test", "/deny/open/x.txt"),
        200,
        Some("SATISFY-ANY"),
        &mut errors,
    );
    s.check(ask("a.test", "/deny/closed/x.txt"), 403, None, &mut errors);
    // 6. `AuthMerging Off` with no Require drops the directory's login.
    s.check(ask("a.test", "/merging/public.txt"), 200, None, &mut errors);
    s.check(ask("a.test", "/merging/other.txt"), 403, None, &mut errors);
    s.check(
        ask("a.test", "/merging-login/public.txt"),
        500,
        None,
        &mut errors,
    );
    // 7. TRACE is echoed before access is checked, even where a login is required.
    s.check(
        ask("a.test", "/admin/x.txt").method("TRACE"),
        200,
        None,
        &mut errors,
    );
    // 8. The file walk's sections merge among themselves first: the directory's
    //    `Require ip 127.0.0.2` and-joined with the FilesMatch's `Require all granted`.
    s.check(
        ask("a.test", "/walk/w.txt"),
        403,
        Some("WALK-DIR"),
        &mut errors,
    );
    s.check(ask("a.test", "/walk/w.txt").from(2), 200, None, &mut errors);
    // Static files answer POST; other methods 405; unknown ones 501.
    s.check(
        ask("b.test", "/admin/x.txt").method("POST"),
        200,
        None,
        &mut errors,
    );
    s.check(
        ask("b.test", "/admin/x.txt").method("PUT"),
        405,
        None,
        &mut errors,
    );
    s.check(
        ask("b.test", "/admin/x.txt").method("FOO"),
        501,
        None,
        &mut errors,
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let _ = Path::new(s.site.dir());
}

/// The command line: JSON contract, exit codes, and no password in the output.
mod cli {
    use assert_cmd::Command;

    fn site() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().display().to_string();
        std::fs::create_dir_all(t.path().join("htdocs/p")).unwrap();
        std::fs::write(t.path().join("htdocs/p/x.txt"), "x").unwrap();
        std::fs::write(
            t.path().join("users"),
            "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
        )
        .unwrap();
        std::fs::write(
            t.path().join("httpd.conf"),
            format!(
                "ServerRoot {d}\nListen 127.0.0.1:8080\n\
                 LoadModule authn_core_module x\nLoadModule authn_file_module x\n\
                 LoadModule authz_core_module x\nLoadModule authz_user_module x\n\
                 LoadModule auth_basic_module x\nDocumentRoot {d}/htdocs\n\
                 <Directory {d}/htdocs>\nRequire all granted\n</Directory>\n\
                 <Directory {d}/htdocs/p>\nAuthType Basic\nAuthName \"P\"\n\
                 AuthUserFile {d}/users\nRequire valid-user\n</Directory>\n"
            ),
        )
        .unwrap();
        t
    }

    fn why(t: &tempfile::TempDir, url: &str, extra: &[&str], stdin: &str) -> (i32, String) {
        let out = Command::cargo_bin("htguard")
            .unwrap()
            .arg("why")
            .arg(url)
            .arg("--apache-config")
            .arg(t.path().join("httpd.conf"))
            .args(extra)
            .write_stdin(stdin)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    #[test]
    fn json_follows_the_contract() {
        let t = site();
        let (code, out) = why(
            &t,
            "http://127.0.0.1:8080/p/x.txt",
            &["--format", "json"],
            "",
        );
        assert_eq!(code, 0, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], 1);
        let a = &v["answers"][0];
        assert_eq!(a["server"], "apache");
        assert_eq!(a["status"], 401);
        assert!(a["steps"].as_array().is_some_and(|s| !s.is_empty()));
        assert!(a["steps"][0]["what"].is_string());
        assert!(a["decided_by"]["line"].is_u64());
        assert!(
            a["decided_by"]["file"]
                .as_str()
                .unwrap()
                .ends_with("httpd.conf")
        );
    }

    #[test]
    fn a_login_is_read_from_stdin_and_never_printed() {
        // {SHA} of "password".
        let t = site();
        let url = "http://127.0.0.1:8080/p/x.txt";
        let args = ["--user", "alice", "--password-stdin", "--format", "json"];
        let (code, out) = why(&t, url, &args, "password\n");
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("\"status\": 200"), "{out}");
        assert!(
            !out.contains("password\""),
            "the password is not echoed: {out}"
        );
        let (_, human) = why(
            &t,
            url,
            &["--user", "alice", "--password-stdin"],
            "wrongpass\n",
        );
        assert!(human.contains("401 Unauthorized"), "{human}");
        assert!(!human.contains("wrongpass"), "{human}");
    }

    #[test]
    fn errors_exit_2() {
        let t = site();
        let (code, out) = why(&t, "ftp://x/", &[], "");
        assert_eq!(code, 2, "{out}");
        let (code, out) = why(&t, "http://127.0.0.1:9/", &["--format", "json"], "");
        assert_eq!(code, 0, "nothing listens is an answer: {out}");
        assert!(out.contains("no-listener"), "{out}");
        let nginx = tempfile::tempdir().unwrap();
        std::fs::write(
            nginx.path().join("nginx.conf"),
            "events {}\nhttp { server { listen 80; } }\n",
        )
        .unwrap();
        let out = Command::cargo_bin("htguard")
            .unwrap()
            .args(["why", "http://localhost/", "--nginx-config"])
            .arg(nginx.path().join("nginx.conf"))
            .output()
            .unwrap();
        // nginx has its evaluator now: an nginx configuration is answered too.
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("nginx"), "{text}");
    }

    #[test]
    fn map_lists_the_apache_url_spaces() {
        let t = site();
        let out = Command::cargo_bin("htguard")
            .unwrap()
            .args(["map", "--format", "json"])
            .arg(t.path().join("httpd.conf"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = &v["apache"][0]["servers"][0]["rows"];
        let row = |url: &str| {
            rows.as_array()
                .unwrap()
                .iter()
                .find(|r| r["location"] == url)
                .unwrap_or_else(|| panic!("no {url} in {rows}"))
                .clone()
        };
        assert_eq!(row("/")["access"], "open");
        let p = row("/p/");
        assert_eq!(p["access"], "login");
        assert_eq!(p["realm"], "P");
        assert_eq!(p["users"], 1);
        assert!(p["user_file"].as_str().unwrap().ends_with("/users"));
    }
}
