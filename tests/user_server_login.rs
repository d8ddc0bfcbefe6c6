//! Hashes written by `htguard user add` log in through the real servers, per scheme as
//! spec/passwd-files.md's support table says: every scheme on both servers except
//! bare plaintext (refused by both on Linux), and Digest entries on Apache.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn add(file: &Path, user: &str, password: &str, extra: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(["user", "add"])
        .arg(file)
        .arg(user)
        .args(["--stdin", "--create", "--mode", "0644"])
        .args(extra)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start htguard");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "htguard user add {user} {extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (user, scheme options, logs in on Apache, logs in on nginx)
const SCHEMES: &[(&str, &[&str], bool, bool)] = &[
    ("bc", &["--scheme", "bcrypt"], true, true),
    ("bc5", &["--scheme", "bcrypt", "--cost", "5"], true, true),
    ("apr", &["--scheme", "apr1"], true, true),
    ("s256", &["--scheme", "sha256"], true, true),
    (
        "s512",
        &["--scheme", "sha512", "--rounds", "6000"],
        true,
        true,
    ),
    ("md5c", &["--scheme", "md5-crypt"], true, true),
    ("des", &["--scheme", "crypt"], true, true),
    ("sha1", &["--scheme", "sha1"], true, true),
    // Bare plaintext (what `htpasswd -p` writes): neither server accepts it on Linux.
    ("plain", &["--scheme", "plain"], false, false),
];

#[test]
fn every_scheme_logs_in_through_apache_and_nginx() {
    if !common::need(&["apache2", "nginx"]) {
        return;
    }
    let site = common::Site::new();
    let users = site.path("users");
    for (user, opts, _, _) in SCHEMES {
        add(&users, user, &format!("pw-{user}"), opts);
    }
    let apache = common::Apache::start(
        &site,
        r#"<Location /p>
    AuthType Basic
    AuthName "R"
    AuthUserFile {site}/users
    Require valid-user
</Location>"#,
    );
    site.write("htdocs/p/index.html", "ok");
    let nginx = common::Nginx::start(
        &site,
        r#"location /p/ { auth_basic "R"; auth_basic_user_file {site}/users; }"#,
    );
    for (user, opts, on_apache, on_nginx) in SCHEMES {
        let good = format!("pw-{user}");
        let want = |ok: bool| if ok { 200 } else { 401 };
        assert_eq!(
            apache.get("/p/", Some((user, &good))),
            want(*on_apache),
            "Apache, {opts:?}\n{}",
            apache.error_log()
        );
        assert_eq!(
            nginx.get("/p/", Some((user, &good))),
            want(*on_nginx),
            "nginx, {opts:?}\n{}",
            nginx.error_log()
        );
        assert_eq!(apache.get("/p/", Some((user, "wrong"))), 401, "{opts:?}");
        assert_eq!(nginx.get("/p/", Some((user, "wrong"))), 401, "{opts:?}");
    }
}

#[test]
fn digest_entries_log_in_through_apache() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = common::Site::new();
    let users = site.path("digest");
    add(&users, "alice", "secret", &["--realm", "Private Area"]);
    add(&users, "bob", "other", &["--realm", "Private Area"]);
    site.write("htdocs/d/index.html", "ok");
    let apache = common::Apache::start(
        &site,
        r#"<Location /d>
    AuthType Digest
    AuthName "Private Area"
    AuthDigestProvider file
    AuthUserFile {site}/digest
    Require valid-user
</Location>"#,
    );
    assert_eq!(
        apache.digest_get("/d/", "alice", "Private Area", "secret"),
        200,
        "{}",
        apache.error_log()
    );
    assert_eq!(
        apache.digest_get("/d/", "bob", "Private Area", "other"),
        200
    );
    assert_eq!(
        apache.digest_get("/d/", "alice", "Private Area", "wrong"),
        401
    );
}
