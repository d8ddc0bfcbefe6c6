//! crypt()'s failure tokens `*0` / `*1`: Apache's `htpasswd -2`/`-5` writes `*0` for `-r`
//! below 1000 and exits 0 (tests/htpasswd_compat.rs shows it); no password matches such an
//! entry on Apache or nginx (tests/passwd_conformance.rs). htguard never writes one: every
//! writer refuses the rounds with exit 2 and leaves the file as it was.

use assert_cmd::Command;

const SEED: &str = "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n";

fn htguard() -> Command {
    Command::cargo_bin("htguard").unwrap()
}

#[test]
fn no_writer_turns_low_rounds_into_a_failure_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users");
    let runs: &[&[&str]] = &[
        &["htpasswd", "-nb5", "-r", "10", "bob", "pw"],
        &["htpasswd", "-nb2", "-r", "999", "bob", "pw"],
        &["htpasswd", "-b5", "-r", "10", "users", "bob", "pw"],
        &["htpasswd", "-b2", "-r", "1", "users", "alice", "pw"],
        &[
            "user", "add", "users", "bob", "--scheme", "sha512", "--rounds", "10", "--stdin",
        ],
        &[
            "user", "set", "users", "alice", "--scheme", "sha256", "--rounds", "999", "--stdin",
        ],
        &[
            "hash", "bob", "--scheme", "sha512", "--rounds", "10", "--stdin",
        ],
    ];
    for args in runs {
        std::fs::write(&file, SEED).unwrap();
        let out = htguard()
            .args(*args)
            .current_dir(dir.path())
            .write_stdin("pw\n")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert!(
            !stdout.contains("*0") && !stdout.contains("*1"),
            "{args:?}: {stdout}"
        );
        assert!(stderr.contains("1000"), "{args:?} says the range: {stderr}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), SEED, "{args:?}");
    }
}

#[test]
fn check_reports_a_failure_token_with_both_servers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users");
    std::fs::write(&file, format!("{SEED}bob:*0\ncarol:*1\n")).unwrap();
    let out = htguard()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pw001: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "PW001")
        .collect();
    assert_eq!(pw001.len(), 2, "{json:#}");
    for (f, user) in pw001.iter().zip(["bob", "carol"]) {
        assert_eq!(f["servers"], serde_json::json!(["apache", "nginx"]));
        let message = f["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("Apache and nginx answer 401 for `{user}`")),
            "{message}"
        );
    }
}
