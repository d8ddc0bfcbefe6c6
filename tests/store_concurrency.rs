//! Concurrent writers: 8 processes add 8 different users to one file at once, 50 times.
//! htguard must keep every entry; Apache's `htpasswd -b` is measured beside it (printed,
//! not asserted) for the README.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const WRITERS: usize = 8;
const TRIALS: usize = 50;

fn htguard() -> &'static str {
    env!("CARGO_BIN_EXE_htguard")
}

/// Start all writers first, then release them together by writing their stdin.
fn run_htguard_trial(file: &Path, create: bool) -> Vec<i32> {
    let mut children: Vec<_> = (0..WRITERS)
        .map(|i| {
            let mut cmd = Command::new(htguard());
            cmd.args(["user", "add"])
                .arg(file)
                .arg(format!("user{i}"))
                .args(["--stdin", "--cost", "4"]);
            if create {
                cmd.arg("--create");
            }
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start htguard")
        })
        .collect();
    for (i, c) in children.iter_mut().enumerate() {
        let mut stdin = c.stdin.take().expect("stdin");
        writeln!(stdin, "password{i}").expect("write password");
    }
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            if !out.status.success() {
                eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            }
            out.status.code().unwrap_or(-1)
        })
        .collect()
}

fn users_in(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("read result");
    text.lines()
        .filter_map(|l| l.split_once(':').map(|(u, _)| u.to_string()))
        .collect()
}

fn lost(file: &Path) -> usize {
    let users = users_in(file);
    (0..WRITERS)
        .filter(|i| !users.contains(&format!("user{i}")))
        .count()
}

#[test]
fn eight_concurrent_htguard_writers_lose_nothing() {
    let mut total_lost = 0;
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(".htpasswd");
        // Odd trials race on creating the file, even trials on an existing one.
        let create = trial % 2 == 1;
        if !create {
            std::fs::write(&file, "admin:$apr1$abcdefgh$0123456789abcdefghijkl\n").unwrap();
        }
        let codes = run_htguard_trial(&file, create);
        assert!(
            codes.iter().all(|&c| c == 0),
            "trial {trial}: exit codes {codes:?}"
        );
        let users = users_in(&file);
        let l = lost(&file);
        total_lost += l;
        assert_eq!(l, 0, "trial {trial}: lost entries, file has {users:?}");
        assert_eq!(
            users.len(),
            WRITERS + usize::from(!create),
            "trial {trial}: {users:?}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".htguard-tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
    println!(
        "htguard: {WRITERS} concurrent adds x {TRIALS} trials: {total_lost} of {} entries lost",
        WRITERS * TRIALS
    );
}

#[test]
fn apache_htpasswd_under_the_same_load_is_measured() {
    if !common::need(&["htpasswd"]) {
        return;
    }
    let mut total_lost = 0;
    let mut failed = 0;
    for _ in 0..TRIALS {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(".htpasswd");
        std::fs::write(&file, "").unwrap();
        let children: Vec<_> = (0..WRITERS)
            .map(|i| {
                Command::new("htpasswd")
                    .arg("-b")
                    .arg(&file)
                    .arg(format!("user{i}"))
                    .arg(format!("password{i}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start htpasswd")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            if !out.status.success() {
                failed += 1;
            }
        }
        total_lost += lost(&file);
    }
    println!(
        "apache htpasswd -b: {WRITERS} concurrent adds x {TRIALS} trials: {total_lost} of {} \
         entries lost ({failed} runs exited non-zero)",
        WRITERS * TRIALS
    );
}
