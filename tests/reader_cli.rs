//! `--target lighttpd|docker-registry|verdaccio` end to end, without the programs:
//! `check` judges a password file by the reader's profile, `user add` / `hash` pick a
//! scheme every target verifies and refuse one a target cannot (exit 2, file untouched).
//! tests/reader_profiles.rs proves the profiles against the real programs.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// bcrypt (cost 10) and apr1 of "pw".
const BCRYPT: &str = "$2y$10$yLLQiKK0ubdeJ32c13/HVusMW7zXK/lE1FPT.3zn8Vranbsyquc46";
const APR1: &str = "$apr1$Bpw4Mmm2$RQgNQJ0OiDgd/xnzTJfSX1";

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start htguard");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("wait")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temp dir"))
    }
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, content).expect("write");
        p
    }
}

fn check(target: &str, file: &std::path::Path) -> Output {
    run(
        &[
            "check",
            "--kind",
            "htpasswd",
            "--target",
            target,
            file.to_str().unwrap(),
        ],
        "",
    )
}

#[test]
fn check_reports_apr1_for_the_registry_only() {
    let dir = Dir::new();
    let file = dir.file("users", &format!("alice:{APR1}\nbob:{BCRYPT}\n"));
    let o = check("docker-registry", &file);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    let out = text(&o.stdout);
    assert!(out.contains("PW022"), "{out}");
    assert!(
        out.contains("The Docker registry answers 401 for `alice`"),
        "{out}"
    );
    assert!(!out.contains("`bob`"), "{out}");
    // lighttpd and Verdaccio verify apr1 (Verdaccio for ASCII passwords).
    for target in ["lighttpd", "verdaccio"] {
        let o = check(target, &file);
        assert!(
            !text(&o.stdout).contains("PW022"),
            "{target}: {}",
            text(&o.stdout)
        );
    }
}

#[test]
fn check_combines_servers_and_readers() {
    let dir = Dir::new();
    // {PLAIN} works on nginx and Verdaccio only.
    let file = dir.file("users", "alice:{PLAIN}secret\n");
    let o = check("apache,verdaccio", &file);
    let out = text(&o.stdout);
    assert!(
        out.contains("PW002") && out.contains("Apache answers 401"),
        "{out}"
    );
    assert!(!out.contains("PW022"), "{out}");
    let o = check("nginx,lighttpd", &file);
    let out = text(&o.stdout);
    assert!(!out.contains("PW002"), "{out}");
    assert!(out.contains("lighttpd answers 401"), "{out}");
}

#[test]
fn check_json_names_the_reader() {
    let dir = Dir::new();
    let file = dir.file("users", &format!("alice:{BCRYPT}\nbob\n"));
    let o = run(
        &[
            "check",
            "--format",
            "json",
            "--target",
            "docker-registry",
            file.to_str().unwrap(),
        ],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "PW022");
    assert_eq!(finding["servers"][0], "docker-registry");
    assert_eq!(finding["line"], 2);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("every login gets 400")
    );
}

#[test]
fn user_add_picks_a_scheme_every_target_verifies() {
    let dir = Dir::new();
    let file = dir.file("users", "");
    let path = file.to_str().unwrap();
    let o = run(
        &[
            "user",
            "add",
            "--target",
            "docker-registry",
            "--stdin",
            path,
            "alice",
        ],
        "secret\n",
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    // Classic glibc nginx has no bcrypt: SHA-512 crypt, with a note saying why.
    let o = run(
        &[
            "user",
            "add",
            "--target",
            "nginx-glibc-legacy",
            "--stdin",
            path,
            "bob",
        ],
        "secret\n",
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("writing sha512"),
        "{}",
        text(&o.stderr)
    );
    let users = std::fs::read_to_string(&file).unwrap();
    assert!(users.starts_with("alice:$2y$"), "{users}");
    assert!(users.contains("\nbob:$6$"), "{users}");
}

#[test]
fn user_add_refuses_what_a_target_cannot_verify() {
    let dir = Dir::new();
    let file = dir.file("users", &format!("alice:{BCRYPT}\n"));
    let path = file.to_str().unwrap();
    let before = std::fs::read(&file).unwrap();
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["--target", "docker-registry", "--scheme", "apr1"],
            "secret\n",
            "the Docker registry answers 401",
        ),
        (
            &["--target", "docker-registry,nginx-glibc-legacy"],
            "secret\n",
            "no scheme htguard writes works for every --target",
        ),
        (
            &["--target", "verdaccio", "--scheme", "md5-crypt"],
            "pässwort\n",
            "Verdaccio matches md5-crypt hashes only for ASCII passwords",
        ),
        (&["--target", "iis"], "secret\n", "unknown target `iis`"),
    ];
    for (flags, password, says) in cases {
        let mut args = vec!["user", "add", "--stdin"];
        args.extend_from_slice(flags);
        args.extend([path, "bob"]);
        let o = run(&args, password);
        assert_eq!(code(&o), 2, "{flags:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(says),
            "{flags:?}: {}",
            text(&o.stderr)
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            before,
            "{flags:?} changed the file"
        );
    }
    // The same scheme with an ASCII password is fine for Verdaccio.
    let o = run(
        &[
            "hash",
            "--target",
            "verdaccio",
            "--scheme",
            "md5-crypt",
            "--stdin",
            "bob",
        ],
        "password\n",
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("bob:$1$"));
}
