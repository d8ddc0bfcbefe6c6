//! `htguard group` end to end: exit codes, what goes to stdout and stderr, refusals that
//! leave the file as it was.

use assert_cmd::Command;
use std::path::Path;

fn group(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .arg("group")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn add_list_remove_delete() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("groups");
    let f = s(&file);

    let (code, _, err) = group(&["add", f, "admins", "alice"]);
    assert_eq!(code, 2);
    assert!(err.contains("--create"), "{err}");

    let (code, out, err) = group(&["add", "--create", f, "admins", "alice", "bob"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(
        err.contains("added alice, bob to the new group admins"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "admins: alice bob\n"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);

    let (code, _, err) = group(&["add", f, "Admins", "bob", "carol"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("already in group Admins: bob"), "{err}");
    group(&["add", f, "ops", "dave"]);

    let (code, out, _) = group(&["list", f]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "GROUP   MEMBERS\nadmins  alice bob carol\nops     dave\n"
    );
    let (code, out, _) = group(&["list", f, "OPS", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc,
        serde_json::json!([{"group": "ops", "lines": [2], "members": ["dave"]}])
    );
    assert_eq!(group(&["list", f, "nobody"]).0, 1);

    let (code, _, err) = group(&["remove", f, "admins", "zed"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not in group admins: zed"), "{err}");
    assert_eq!(group(&["remove", f, "nobody", "alice"]).0, 1);
    assert_eq!(group(&["remove", f, "admins", "alice", "zed"]).0, 0);
    assert_eq!(group(&["delete", f, "ops"]).0, 0);
    assert_eq!(group(&["delete", f, "ops"]).0, 1);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "admins: bob carol\n"
    );
}

#[test]
fn password_files_and_bad_names_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".htpasswd");
    let pw = "alice:$2y$10$EHmfpj/8u3pOadsUYsSFje0UymE3wpSLLOUa0QV7GoA4MIq5dVUzi\n";
    std::fs::write(&file, pw).unwrap();
    let (code, _, err) = group(&["add", s(&file), "admins", "bob"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a group file"), "{err}");
    assert_eq!(group(&["list", s(&file)]).0, 2);

    let groups = dir.path().join("groups");
    std::fs::write(&groups, "admins: alice\n").unwrap();
    for bad in [
        ["admins", "two words"],
        ["admins", "\"quoted"],
        ["ad:min", "bob"],
    ] {
        let (code, _, err) = group(&["add", s(&groups), bad[0], bad[1]]);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(err.contains("invalid"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&groups).unwrap(), "admins: alice\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), pw);
}
