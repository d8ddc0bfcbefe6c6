//! Finding and running the external tools the server tests rely on.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const INSTALL_HINT: &str = "run scripts/test, which installs apache2, apache2-utils, nginx, \
     whois (mkpasswd), openssl and curl when they are missing";

/// Full path of `name` (searched in PATH, then /usr/sbin and /sbin); panics with
/// a message naming scripts/test when it is not installed.
pub fn require_tool(name: &str) -> PathBuf {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path_var)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from));
    for dir in dirs {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("required tool `{name}` not found; {INSTALL_HINT}");
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
