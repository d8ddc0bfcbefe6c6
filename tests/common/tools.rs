//! Finding and running the external tools the server tests rely on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const INSTALL_HINT: &str =
    "put it on PATH, or run scripts/test, which installs the Debian packages the tests use";

/// Set by `scripts/test` (CI): a real program or root that a test needs must be there.
/// Without it, plain `cargo test` skips such tests, so a contributor without Apache,
/// nginx or root can run the rest.
pub const REQUIRE_VAR: &str = "HTGUARD_REQUIRE_SERVERS";

fn required() -> bool {
    std::env::var_os(REQUIRE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Full path of `name`, searched in PATH only (as the shell would), if installed.
/// No fixed fallback directories: a contributor hides a program by leaving it off
/// PATH, and `scripts/test` puts /usr/sbin and /sbin (apache2, nginx) on PATH.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path_var)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Full path of `name`; panics with a message naming scripts/test when it is not
/// installed. Tests call [`need`] first, so this panics only under `scripts/test`.
pub fn require_tool(name: &str) -> PathBuf {
    find_tool(name)
        .unwrap_or_else(|| panic!("required tool `{name}` not found on PATH; {INSTALL_HINT}"))
}

/// Whether every program in `tools` is installed. When one is missing: under
/// `scripts/test` ([`REQUIRE_VAR`] set) the test fails loudly; otherwise it prints why
/// and the caller returns early (skips).
///
/// ```ignore
/// if !common::need(&["apache2", "htpasswd"]) { return; }
/// ```
pub fn need(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| find_tool(t).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !required(),
        "{REQUIRE_VAR} is set, so this test must run, but it needs {} (not on PATH); {INSTALL_HINT}",
        missing.join(", ")
    );
    eprintln!("skipped: needs {} ({INSTALL_HINT})", missing.join(", "));
    false
}

/// [`need`], and root as well: the servers drop to www-data only when started as root,
/// which tests of file permissions depend on. `why` says what root is for.
pub fn need_root(tools: &[&str], why: &str) -> bool {
    if !need(tools) {
        return false;
    }
    if is_root() {
        return true;
    }
    assert!(
        !required(),
        "{REQUIRE_VAR} is set but this is not root: {why}"
    );
    eprintln!("skipped: needs root ({why})");
    false
}

/// True when the tests run as root, which is what lets the servers drop to
/// www-data (and so what makes "unreadable file" tests meaningful).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Runs `program args...`, panics unless it exits 0, returns its stdout.
pub fn run_tool(program: &str, args: &[&str]) -> String {
    run_tool_stdin(program, args, b"")
}

/// Like [`run_tool`] with `input` on stdin.
pub fn run_tool_stdin(program: &str, args: &[&str], input: &[u8]) -> String {
    let exe = require_tool(program);
    let mut child = Command::new(&exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", exe.display()));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .unwrap_or_else(|e| panic!("write stdin of {program}: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{program} printed non-UTF-8: {e}"))
}

/// A copy of the htguard binary that any user can run (a build directory under /root
/// hides it from `nobody`), made once per test process and kept until it ends.
pub fn htguard_for_anyone() -> &'static Path {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, bin) = COPY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod the temp dir");
        let bin = dir.path().join("htguard");
        std::fs::copy(env!("CARGO_BIN_EXE_htguard"), &bin).expect("copy the htguard binary");
        (dir, bin)
    });
    bin
}

/// `cmd.output()`, tried again while the kernel calls the program busy (ETXTBSY): a test
/// thread that forked while a copy of it was being written holds the write descriptor
/// until its child execs.
pub fn output_of(cmd: &mut std::process::Command) -> std::process::Output {
    for _ in 0..50 {
        match cmd.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result.expect("run the program"),
        }
    }
    panic!("the program stayed busy (ETXTBSY) for a second");
}
