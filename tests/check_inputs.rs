//! What `htguard check` reads, and from where: relative paths on the command line,
//! discovery the servers' way, providers it cannot check, and runs that find nothing.
//! No server needed (the real-server proofs are in htaccess_commands.rs,
//! include_optional.rs and input_trees.rs).

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// `htguard check --format json ARGS` run in `cwd`: (document, exit code, stderr).
fn check_in(cwd: &Path, args: &[&str]) -> (serde_json::Value, i32, String) {
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .current_dir(cwd)
        .args(["check", "--format", "json", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        json,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (code, file) of every finding.
fn findings(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap().into(),
                        f["file"].as_str().unwrap().into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    got.sort();
    got
}

const MODS: &str = "LoadModule authn_core_module x\nLoadModule authz_core_module x\nLoadModule auth_basic_module x\nLoadModule authn_file_module x\n";

#[test]
fn a_relative_server_root_reads_includes_like_the_absolute_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("httpd.conf"),
        &format!("{MODS}Include sites/a.conf\nIncludeOptional sites/*.conf\n"),
    );
    write(
        &d.join("sites/a.conf"),
        "<Directory /x>\nAuthType Basic\nAuthName r\nAuthUserFile users\nRequire valid-user\n</Directory>\n",
    );
    write(&d.join("users"), "u:plain\n");
    let abs = d.display().to_string();
    let (relative, rc_rel, err_rel) = check_in(d, &["--server-root", ".", "httpd.conf"]);
    let (absolute, rc_abs, _) = check_in(d, &["--server-root", &abs, "httpd.conf"]);
    assert_eq!(rc_rel, rc_abs, "{err_rel}");
    let got = findings(&relative);
    assert_eq!(got, findings(&absolute));
    assert!(!got.iter().any(|(c, _)| c == "AP002"), "{got:?}");
    assert!(
        got.iter().any(|(_, f)| f == &format!("{abs}/users")),
        "{got:?}"
    );
}
