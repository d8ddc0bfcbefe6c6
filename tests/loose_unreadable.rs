//! `htguard check DIR` on a loose directory (no server main config) that holds files
//! htguard cannot read: each is an HG004 finding pointing at the file (an error when its
//! name or a directive says it is a file to check, a warning when only its content could
//! have told), a file htguard would not check anyway is left alone, and the rest of the
//! tree is still checked. The run is never stopped (exit 2) by one of them.

mod common;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const HASH: &str = "$2y$10$EHmfpj/8u3pOadsUYsSFje0UymE3wpSLLOUa0QV7GoA4MIq5dVUzi";

/// The files of the tree: (path under the temp dir, content, readable by htguard).
fn tree(dir: &Path) -> Vec<(&'static str, String, bool)> {
    vec![
        (
            "site/.htaccess",
            format!(
                "AuthType Basic\nAuthName staff\nAuthUserFile {}/site/.htpasswd\nRequire valid-user\n",
                dir.display()
            ),
            true,
        ),
        ("site/.htpasswd", format!("alice:{HASH}\n"), false),
        ("site/team.htdigest", "carol:staff:0123\n".into(), false),
        ("site/notes", "alice: read the wiki\n".into(), false),
        ("site/app.php", "<?php\n".into(), false),
        // Plaintext: PW002 on a readable file shows the rest of the tree is checked.
        ("other/users.htpasswd", "bob:secret\n".into(), true),
    ]
}

fn write_tree(dir: &Path) {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (rel, text, readable) in tree(dir) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let parent = path.parent().unwrap();
        std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(&path, text).unwrap();
        // Not readable by its owner, nor by others: only root reads it.
        let mode = if readable { 0o644 } else { 0o000 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// `htguard check --format json DIR`, as `nobody` when the tests run as root (root reads
/// every file): its exit code and report.
fn check(dir: &Path) -> (Option<i32>, Value, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(common::htguard_for_anyone());
    cmd.args(["check", "--no-config", "--format", "json"])
        .arg(dir);
    if common::is_root() {
        cmd.uid(65534).gid(65534);
    }
    let out = common::output_of(&mut cmd);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, stderr)
}

fn findings<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["code"] == code).collect())
        .unwrap_or_default()
}

fn file_of(f: &Value) -> &str {
    f["file"].as_str().unwrap_or("")
}

#[test]
fn unreadable_files_in_a_loose_directory_are_findings_and_the_rest_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_tree(dir);
    let (code, report, stderr) = check(dir);
    assert_eq!(code, Some(1), "exit code; stderr: {stderr}");
    let hg004 = findings(&report, "HG004");
    let at = |name: &str| {
        hg004
            .iter()
            .find(|f| f["message"].as_str().unwrap_or("").contains(name))
            .unwrap_or_else(|| panic!("no HG004 for {name}: {hg004:#?}"))
    };
    // Named by the .htaccess: at the directive that names it.
    let htpasswd = at("site/.htpasswd:");
    assert!(file_of(htpasswd).ends_with("site/.htaccess"), "{htpasswd}");
    assert_eq!(htpasswd["line"], 3);
    assert_eq!(htpasswd["severity"], "error");
    // Its name says htdigest: an error, at the file.
    let digest = at("team.htdigest");
    assert!(file_of(digest).ends_with("site/team.htdigest"), "{digest}");
    assert_eq!(digest["severity"], "error");
    assert!(
        digest["message"].as_str().unwrap().contains("htdigest"),
        "{digest}"
    );
    // Only its content could tell: a warning, at the file.
    let notes = at("site/notes");
    assert!(file_of(notes).ends_with("site/notes"), "{notes}");
    assert_eq!(notes["severity"], "warning");
    // A PHP file is never checked, readable or not.
    assert_eq!(hg004.len(), 3, "{hg004:#?}");
    let text = report.to_string();
    assert!(!text.contains("app.php"), "{text}");
    // The readable password file elsewhere in the tree is still checked.
    let pw002 = findings(&report, "PW002");
    assert!(
        pw002
            .iter()
            .any(|f| file_of(f).ends_with("other/users.htpasswd")),
        "{report:#}"
    );
    // The JSON report says what could not be read and why it was looked at.
    let inputs = report["inputs"].as_array().expect("inputs");
    let unreadable: Vec<&str> = inputs
        .iter()
        .filter(|i| i["kind"] == "unreadable")
        .filter_map(|i| i["file"].as_str())
        .collect();
    assert_eq!(unreadable.len(), 2, "{inputs:#?}");
}

#[test]
fn a_directory_of_only_unknown_unreadable_files_is_nothing_to_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.join("notes");
    std::fs::write(&path, "alice: read the wiki\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (code, _, stderr) = check(dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("nothing to check"), "{stderr}");
    assert!(stderr.contains("1 of them could not be read"), "{stderr}");
}

#[test]
fn an_unreadable_file_named_on_the_command_line_is_hg004() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_tree(dir);
    let (code, report, stderr) = check(&dir.join("site/.htpasswd"));
    assert_eq!(code, Some(1), "{stderr}");
    let hg004 = findings(&report, "HG004");
    assert_eq!(hg004.len(), 1, "{report:#}");
    assert!(file_of(hg004[0]).ends_with("site/.htpasswd"));
    assert_eq!(hg004[0]["severity"], "error");
}
