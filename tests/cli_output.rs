//! Output to a reader that goes away (`htguard explain PW001 | head -1`) ends quietly.

use std::process::{Command, Stdio};

/// Runs `htguard ARGS` with its stdout closed before it writes: the command must end with
/// its usual exit status and no panic.
fn closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_output_without_a_panic() {
    for args in [
        &["explain", "PW001"][..],
        &["rules"],
        &["rules", "--format", "json"],
    ] {
        let (code, stderr) = closed_stdout(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
