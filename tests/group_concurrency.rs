//! Concurrent group edits: 8 processes add 8 different users to one group at once, 50
//! times (the shape of tests/store_concurrency.rs for password files). Every member must
//! be there afterwards, on one line, and the rest of the file must be as it was.

use std::process::{Command, Stdio};

const WRITERS: usize = 8;
const TRIALS: usize = 50;

/// Start all writers, then wait for them all; returns their exit codes.
fn run_trial(file: &std::path::Path, create: bool) -> Vec<i32> {
    let children: Vec<_> = (0..WRITERS)
        .map(|i| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_htguard"));
            cmd.args(["group", "add"])
                .arg(file)
                .args(["admins", &format!("user{i}")]);
            if create {
                cmd.arg("--create");
            }
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start htguard")
        })
        .collect();
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

#[test]
fn eight_concurrent_group_adds_lose_nothing() {
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("groups");
        // Odd trials race on creating the file, even ones on an existing file.
        let create = trial % 2 == 1;
        let before = "# staff\nops: carol\r\nadmins: root\n";
        if !create {
            std::fs::write(&file, before).unwrap();
        }
        let codes = run_trial(&file, create);
        assert!(
            codes.iter().all(|&c| c == 0),
            "trial {trial}: exit codes {codes:?}"
        );
        let text = std::fs::read_to_string(&file).unwrap();
        let admins: Vec<&str> = text.lines().filter(|l| l.starts_with("admins:")).collect();
        assert_eq!(admins.len(), 1, "trial {trial}: {text:?}");
        let members: Vec<&str> = admins[0]["admins:".len()..].split_whitespace().collect();
        for i in 0..WRITERS {
            assert!(
                members.contains(&format!("user{i}").as_str()),
                "trial {trial}: user{i} lost: {text:?}"
            );
        }
        assert_eq!(members.len(), WRITERS + usize::from(!create), "{text:?}");
        if !create {
            assert!(
                text.starts_with("# staff\nops: carol\r\nadmins: root "),
                "{text:?}"
            );
        }
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary files left in trial {trial}");
    }
}
