//! `htguard htpasswd` against Apache's `htpasswd`: the same flag sets on copies of the same
//! file must give the same exit code and leave files that verify the same way (bytes differ:
//! salts are random). The deliberate differences are tested at the end.

mod common;

use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SEED: &str = "alice:$apr1$0.eeWv1a$f.gW2VNYPnJs3awWxuiKU.\n\
bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n";
// alice's password is "apple", bob's is "password".

/// The binary under the name `htpasswd` (it behaves as `htpasswd` when invoked so), as a
/// link in a temporary directory that goes with the returned guard.
fn htguard_as_htpasswd() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("htpasswd");
    symlink(env!("CARGO_BIN_EXE_htguard"), &link).unwrap();
    (dir, link)
}

fn run(program: &Path, args: &[&str], dir: &Path, stdin: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// Apache's verdict on (user, password) in `file`: htpasswd -v's exit code.
fn apache_verdict(file: &Path, user: &str, password: &str) -> i32 {
    Command::new("htpasswd")
        .arg("-vb")
        .arg(file)
        .arg(user)
        .arg(password)
        .output()
        .expect("htpasswd (apache2-utils) is installed by scripts/test")
        .status
        .code()
        .unwrap_or(-1)
}

struct Case {
    args: &'static [&'static str],
    /// File content before the run; None = no file.
    seed: Option<&'static str>,
    stdin: &'static str,
    /// (user, password) pairs whose verification must agree afterwards.
    probe: &'static [(&'static str, &'static str)],
}

const PROBES: &[(&str, &str)] = &[
    ("alice", "apple"),
    ("alice", "new"),
    ("bob", "password"),
    ("carol", "new"),
    ("carol", "x"),
];

fn cases() -> Vec<Case> {
    let s = Some(SEED);
    let c = |args, seed, stdin| Case {
        args,
        seed,
        stdin,
        probe: PROBES,
    };
    vec![
        c(&["-cb", "f", "carol", "new"], None, ""),
        c(&["-cb", "f", "carol", "new"], s, ""),
        c(&["-b", "f", "carol", "new"], s, ""),
        c(&["-b", "f", "alice", "new"], s, ""),
        c(&["-bm", "f", "carol", "new"], s, ""),
        c(&["-bB", "f", "carol", "new"], s, ""),
        c(&["-bB", "-C", "5", "f", "carol", "new"], s, ""),
        c(&["-bBC6", "f", "alice", "new"], s, ""),
        c(&["-b2", "f", "carol", "new"], s, ""),
        c(&["-b5", "-r", "6000", "f", "carol", "new"], s, ""),
        c(&["-bd", "f", "carol", "new"], s, ""),
        c(&["-bs", "f", "carol", "new"], s, ""),
        c(&["-bp", "f", "carol", "new"], s, ""),
        c(&["-i", "f", "carol"], s, "new\n"),
        c(&["-i5", "f", "carol"], s, "new\r\n"),
        c(&["-D", "f", "alice"], s, ""),
        c(&["-D", "f", "nobody"], s, ""),
        c(&["-vb", "f", "alice", "apple"], s, ""),
        c(&["-vb", "f", "alice", "wrong"], s, ""),
        c(&["-vb", "f", "nobody", "x"], s, ""),
        c(&["-vi", "f", "bob"], s, "password\n"),
        c(&["-b", "f", "carol", "new"], None, ""),
        c(&["-D", "f", "alice"], None, ""),
        c(
            &["-b", "f", "carol", "new"],
            Some("alice:x\njunk line\n"),
            "",
        ),
        c(&["-cD", "f", "alice"], s, ""),
        c(&["-nv", "f", "alice"], s, ""),
        c(&["-z", "f", "alice"], s, ""),
        c(&["-b", "f", "alice"], s, ""),
        c(&["-c", "f"], s, ""),
        c(&["-b", "f", "a:b", "pw"], s, ""),
        c(&["-bC", "0", "f", "carol", "new"], s, ""),
        c(&["-bC", "x", "f", "carol", "new"], s, ""),
        c(&["-bB", "-C"], s, ""),
        c(&["-bm", "-C", "9", "f", "carol", "new"], s, ""),
        c(&["--", "-b", "f", "carol"], s, ""),
    ]
}

#[test]
fn same_exit_codes_and_same_verification_as_apache() {
    if !common::need(&["htpasswd"]) {
        return;
    }
    let (_link_dir, ours) = htguard_as_htpasswd();
    let theirs = PathBuf::from("htpasswd");
    let mut compared = 0;
    for case in cases() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        if let Some(seed) = case.seed {
            std::fs::write(a.path().join("f"), seed).unwrap();
            std::fs::write(b.path().join("f"), seed).unwrap();
        }
        let apache = run(&theirs, case.args, a.path(), case.stdin);
        let us = run(&ours, case.args, b.path(), case.stdin);
        assert_eq!(
            us.status.code(),
            apache.status.code(),
            "{:?}: exit codes differ\napache: {}\nhtguard: {}",
            case.args,
            String::from_utf8_lossy(&apache.stderr),
            String::from_utf8_lossy(&us.stderr)
        );
        let (fa, fb) = (a.path().join("f"), b.path().join("f"));
        assert_eq!(fa.exists(), fb.exists(), "{:?}: file existence", case.args);
        if fa.exists() && case.args.iter().all(|a| !a.contains('p')) {
            for (user, password) in case.probe {
                assert_eq!(
                    apache_verdict(&fb, user, password),
                    apache_verdict(&fa, user, password),
                    "{:?}: htpasswd -v {user} {password} disagrees on the result",
                    case.args
                );
            }
        }
        compared += 1;
    }
    println!("{compared} htpasswd flag sets agree with Apache's htpasswd");
}

#[test]
fn print_mode_lines_verify() {
    if !common::need(&["htpasswd"]) {
        return;
    }
    let (_link_dir, ours) = htguard_as_htpasswd();
    let dir = tempfile::tempdir().unwrap();
    for flags in ["-nb", "-nbB", "-nb2", "-nb5", "-nbd", "-nbs", "-nbm"] {
        let o = run(&ours, &[flags, "u", "pw"], dir.path(), "");
        assert_eq!(o.status.code(), Some(0), "{flags}");
        let line = String::from_utf8(o.stdout).unwrap();
        std::fs::write(dir.path().join("f"), &line).unwrap();
        assert_eq!(
            apache_verdict(&dir.path().join("f"), "u", "pw"),
            0,
            "{flags}: {line}"
        );
    }
}

fn write_seed(dir: &Path, seed: &[u8]) -> PathBuf {
    let f = dir.join("f");
    std::fs::write(&f, seed).unwrap();
    f
}

/// Where htguard is deliberately safer than Apache's htpasswd.
#[test]
fn deliberate_differences() {
    if !common::need(&["htpasswd"]) {
        return;
    }
    let (_link_dir, ours) = htguard_as_htpasswd();
    let theirs = PathBuf::from("htpasswd");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // `-5 -r 10`: Apache writes the unusable hash `*0` and exits 0; htguard refuses.
    write_seed(d, SEED.as_bytes());
    let o = run(&theirs, &["-b5", "-r", "10", "f", "carol", "new"], d, "");
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(d.join("f")).unwrap();
    assert!(text.contains("carol:*0"), "Apache still writes *0: {text}");
    write_seed(d, SEED.as_bytes());
    let o = run(&ours, &["-b5", "-r", "10", "f", "carol", "new"], d, "");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1000"));
    assert_eq!(std::fs::read(d.join("f")).unwrap(), SEED.as_bytes());

    // `-C 3`: both exit 3; htguard says the valid range.
    let o = run(&theirs, &["-bB", "-C", "3", "f", "carol", "new"], d, "");
    assert_eq!(o.status.code(), Some(3));
    let o = run(&ours, &["-bB", "-C", "3", "f", "carol", "new"], d, "");
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("between 4 and 17"));

    // No final newline: Apache glues the record onto the last line; htguard does not.
    let unterminated = b"alice:$apr1$0.eeWv1a$f.gW2VNYPnJs3awWxuiKU.";
    write_seed(d, unterminated);
    run(&theirs, &["-b", "f", "carol", "new"], d, "");
    assert_eq!(
        apache_verdict(&d.join("f"), "alice", "apple"),
        3,
        "Apache glued the lines"
    );
    write_seed(d, unterminated);
    let o = run(&ours, &["-b", "f", "carol", "new"], d, "");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(apache_verdict(&d.join("f"), "alice", "apple"), 0);
    assert_eq!(apache_verdict(&d.join("f"), "carol", "new"), 0);

    // CRLF file: the new line gets CRLF too (Apache adds a bare LF).
    write_seed(d, b"alice:$apr1$0.eeWv1a$f.gW2VNYPnJs3awWxuiKU.\r\n");
    run(&ours, &["-b", "f", "carol", "new"], d, "");
    let now = std::fs::read(d.join("f")).unwrap();
    assert!(now.ends_with(b"\r\n") && now.windows(2).filter(|w| w == b"\r\n").count() == 2);

    // An htdigest file: Apache replaces the digest line with a basic one; htguard refuses.
    let digest = b"alice:Realm:0123456789abcdef0123456789abcdef\n";
    write_seed(d, digest);
    let o = run(&ours, &["-b", "f", "alice", "new"], d, "");
    assert_eq!(o.status.code(), Some(7));
    assert_eq!(std::fs::read(d.join("f")).unwrap(), digest);
    write_seed(d, digest);
    let o = run(&theirs, &["-b", "f", "alice", "new"], d, "");
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !std::fs::read_to_string(d.join("f"))
            .unwrap()
            .contains("Realm")
    );
}
