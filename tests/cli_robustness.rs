//! The command line never panics on bad input: arbitrary bytes given as every kind of
//! file to `check`, `map`, `user list/verify/set` and `htpasswd -v` end in exit 0, 1 or 2
//! with no panic message, and a failed edit leaves the file byte-identical.

use assert_cmd::Command;
use proptest::prelude::*;
use std::path::Path;

const KINDS: &[&str] = &[
    "apache",
    "apache-snippet",
    "htaccess",
    "nginx",
    "nginx-snippet",
    "htpasswd",
    "htdigest",
    "htgroup",
];

/// Bytes that look a little like the files htguard reads, so the fuzzing reaches deep.
fn config_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"<Directory /x>\n"[..],
        b"</Directory>\n",
        b"<Location \"/a b\">",
        b"AuthType Basic\n",
        b"AuthName \"R\\\"x\n",
        b"AuthUserFile ",
        b"Require user a b\n",
        b"Include *.conf\n",
        b"\\\n",
        b"http { server { location ~ \\.php$ { auth_basic \"x\"; ",
        b"auth_basic_user_file $host.users;",
        b"include /nonexistent/*;",
        b"}}}}",
        b"{{{",
        b"'",
        b"\"",
        b"#",
        b"alice:$2y$10$",
        b"bob:$apr1$",
        b":::",
        b"{SSHA}====",
        b"\r\n",
        b"\n",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE\x00",
        b" \t",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat()),
    ]
}

fn assert_no_panic(out: &std::process::Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what} panicked:\n{stderr}"
    );
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{what}: exit {code:?} (expected 0, 1 or 2)\n{stderr}"
    );
}

fn run(args: &[&str], file: &Path) -> std::process::Output {
    Command::cargo_bin("htguard")
        .unwrap()
        .args(args)
        .arg(file)
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn check_never_panics_on_any_kind(bytes in config_like(), kind in prop::sample::select(KINDS)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("input");
        std::fs::write(&file, &bytes).unwrap();
        for format in ["human", "json", "sarif", "github"] {
            let out = run(&["check", "--no-config", "--kind", kind, "--format", format], &file);
            assert_no_panic(&out, &format!("check --kind {kind} --format {format}"));
        }
        let out = run(&["check", "--no-config", "--kind", kind, "--diff"], &file);
        assert_no_panic(&out, &format!("check --kind {kind} --diff"));
    }

    #[test]
    fn map_never_panics(bytes in config_like()) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, &bytes).unwrap();
        assert_no_panic(&run(&["map"], &file), "map");
        assert_no_panic(&run(&["map", "--format", "json"], &file), "map --format json");
    }

    #[test]
    fn user_commands_never_panic_and_keep_the_file(bytes in config_like()) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("users");
        std::fs::write(&file, &bytes).unwrap();
        assert_no_panic(&run(&["user", "list"], &file), "user list");
        assert_no_panic(&run(&["user", "list", "--format", "json"], &file), "user list --format json");
        let verify = Command::cargo_bin("htguard")
            .unwrap()
            .args(["user", "verify"])
            .arg(&file)
            .args(["alice", "--stdin"])
            .write_stdin("secret\n")
            .output()
            .unwrap();
        assert_no_panic(&verify, "user verify");
        let set = Command::cargo_bin("htguard")
            .unwrap()
            .args(["user", "set"])
            .arg(&file)
            .args(["alice", "--stdin", "--scheme", "apr1"])
            .write_stdin("secret\n")
            .output()
            .unwrap();
        assert_no_panic(&set, "user set");
        if !set.status.success() {
            // A refused edit loses nothing.
            prop_assert_eq!(std::fs::read(&file).unwrap(), bytes);
        }
        let compat = Command::cargo_bin("htguard")
            .unwrap()
            .args(["htpasswd", "-vb"])
            .arg(&file)
            .args(["alice", "secret"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&compat.stderr);
        prop_assert!(!stderr.contains("panicked"), "htpasswd -v panicked: {}", stderr);
        // Apache's htpasswd exit codes: 0..=7.
        prop_assert!(matches!(compat.status.code(), Some(0..=7)), "{:?}", compat.status);
    }
}
