//! Progress bars are drawn only on a terminal: `user import`, `user rotate` and `check`
//! write nothing extra to a pipe (CI logs, `2>file`), and do show their bars under a
//! pseudo-terminal (util-linux `script`), so the first test cannot pass by accident.

mod common;

use std::path::Path;
use std::process::Command;

const USERS: usize = 40;

fn htguard() -> &'static str {
    env!("CARGO_BIN_EXE_htguard")
}

fn users_file(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("users.txt");
    let lines: String = (0..USERS)
        .map(|i| format!("user{i}:password-{i}\n"))
        .collect();
    std::fs::write(&input, lines).unwrap();
    input
}

/// stderr of a run whose stdout and stderr are pipes.
fn piped_stderr(args: &[&str]) -> String {
    let out = Command::new(htguard()).args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

fn assert_plain(what: &str, stderr: &str) {
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{what}: terminal control characters on a pipe: {stderr:?}"
    );
    assert!(
        !stderr.contains("hashing [") && !stderr.contains("checking ["),
        "{what}: a progress bar on a pipe: {stderr:?}"
    );
}

#[test]
fn pipes_get_no_progress() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".htpasswd");
    let f = file.to_str().unwrap();
    let input = users_file(dir.path());
    let err = piped_stderr(&[
        "user",
        "import",
        "--create",
        "--scheme",
        "apr1",
        f,
        input.to_str().unwrap(),
    ]);
    assert_plain("user import", &err);
    assert_eq!(
        err.lines().next().unwrap(),
        format!("htguard: imported {USERS} new user(s) into {f} (apr1)")
    );
    let err = piped_stderr(&["user", "rotate", "--all", "--scheme", "apr1", f]);
    assert_plain("user rotate", &err);
    // Only the summary line; the server-readability warning may follow (the temp dir is
    // root's 0700 here), which is not what this test is about.
    assert_eq!(
        err.lines().next().unwrap(),
        format!("htguard: rotated {USERS} user(s) in {f} (apr1)")
    );
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache/broken");
    for format in ["human", "json"] {
        let err = piped_stderr(&["check", "--format", format, broken.to_str().unwrap()]);
        assert_plain("check", &err);
    }
}

/// Everything a command writes to a pseudo-terminal (stdout and stderr together).
fn on_terminal(command: &str, bar_delay_ms: &str) -> String {
    let out = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("HTGUARD_PROGRESS_DELAY_MS", bar_delay_ms)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn terminals_get_progress_bars() {
    if !common::need(&["script"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".htpasswd");
    let input = users_file(dir.path());
    let out = on_terminal(
        &format!(
            "{} user import --create {} {} --cost 6",
            htguard(),
            file.display(),
            input.display()
        ),
        "1000",
    );
    assert!(out.contains("hashing ["), "{out:?}");
    // A check's bar waits a second (most checks end before, and show none); at once here.
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache/broken");
    let check = format!("{} check {}", htguard(), broken.display());
    let out = on_terminal(&check, "0");
    assert!(out.contains("checking ["), "{out:?}");
    let out = on_terminal(&check, "60000");
    assert!(
        !out.contains("checking ["),
        "a short check drew its bar: {out:?}"
    );
}
