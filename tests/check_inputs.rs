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

#[test]
fn a_file_mod_auth_plain_reads_is_never_judged_as_an_htpasswd_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let abs = d.display().to_string();
    write(
        &d.join("site/.htaccess"),
        &format!(
            "AuthType Basic\nAuthName \"Plain\"\nAuthPlainUserFile {abs}/site/.htpasswd\nRequire valid-user\n"
        ),
    );
    // Plain text, as mod_auth_plain wants it.
    write(&d.join("site/.htpasswd"), "bob:P@ssw0rd\nalice:secret\n");
    let (v, _, err) = check_in(d, &["site"]);
    let got = findings(&v);
    assert!(
        !got.iter().any(|(c, _)| c.starts_with("PW")),
        "{got:?} {err}"
    );
    // Without the module (stock Debian), httpd refuses the line: 500 for the directory.
    assert!(got.iter().any(|(c, _)| c == "AP018"), "{got:?}");
}

#[test]
fn other_providers_stores_are_named_as_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let abs = d.display().to_string();
    write(
        &d.join("httpd.conf"),
        &format!(
            "{MODS}LoadModule authn_dbm_module x\nLoadModule authnz_ldap_module x\nLoadModule ldap_module x\n\
             <Directory {abs}/www/a>\nAuthType Basic\nAuthName r\nAuthBasicProvider dbm\nAuthDBMUserFile {abs}/users.dbm\nRequire valid-user\n</Directory>\n\
             <Directory {abs}/www/b>\nAuthType Basic\nAuthName r\nAuthBasicProvider ldap\nAuthLDAPURL ldap://127.0.0.1/dc=x\nRequire valid-user\n</Directory>\n"
        ),
    );
    write(&d.join("users.dbm"), "alice:notahash\n");
    let (v, code, err) = check_in(d, &["httpd.conf", "users.dbm"]);
    assert_ne!(code, 2, "{err}");
    let got = findings(&v);
    let ap027 = got.iter().filter(|(c, _)| c == "AP027").count();
    assert_eq!(ap027, 2, "{got:?}");
    assert!(!got.iter().any(|(c, _)| c.starts_with("PW")), "{got:?}");
}

#[test]
fn a_directory_with_nothing_to_check_is_an_error_that_says_what_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("app/index.php"), "<?php\nserver();\n");
    write(&d.join("app/theme.scss"), "$color-scheme: teal;\n");
    let (_, code, err) = check_in(d, &["app"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing to check in app"), "{err}");
    assert!(err.contains("apache2.conf"), "{err}");
    let empty = d.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let (_, code, _) = check_in(d, &["empty"]);
    assert_eq!(code, 2);
}
