//! `--format gitlab`: GitLab's Code Quality report, validated against a JSON schema written
//! from GitLab's documentation of the format, with fingerprints that are stable across
//! runs and distinct per finding, and paths relative to the repository.

mod report_support;

use assert_cmd::Command;
use report_support::*;
use std::collections::HashSet;
use std::path::Path;

/// The Code Quality report as GitLab documents it ("Code Quality report format" in the
/// CI/CD testing docs, docs.gitlab.com/ci/testing/code_quality/): a JSON array of objects,
/// each with
///
/// | field | type | documented meaning |
/// |---|---|---|
/// | `description` | string | a description of the code quality violation |
/// | `check_name` | string | a unique name for the check (rule) that found it |
/// | `fingerprint` | string | a unique fingerprint of this violation, e.g. an MD5 hash |
/// | `severity` | string | one of `info`, `minor`, `major`, `critical`, `blocker` |
/// | `location.path` | string | the file, as a path relative to the repository; no `./` |
/// | `location.lines.begin` | integer | the line the violation is on |
///
/// GitLab ignores the other Code Climate fields; `location.lines.end` is the one optional
/// field htguard also writes.
const SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "array",
  "items": {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
      "description": { "type": "string", "minLength": 1 },
      "check_name": { "type": "string", "minLength": 1 },
      "fingerprint": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
      "severity": { "enum": ["info", "minor", "major", "critical", "blocker"] },
      "location": {
        "type": "object",
        "required": ["path", "lines"],
        "properties": {
          "path": { "type": "string", "minLength": 1, "not": { "pattern": "^(/|\\./)" } },
          "lines": {
            "type": "object",
            "required": ["begin"],
            "properties": {
              "begin": { "type": "integer", "minimum": 1 },
              "end": { "type": "integer", "minimum": 1 }
            }
          }
        }
      }
    }
  }
}"#;

fn validate(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "invalid Code Quality report:\n{}",
        errors.join("\n")
    );
}

fn fingerprints(doc: &serde_json::Value) -> Vec<String> {
    doc.as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_renderer_writes_the_documented_fields() {
    let fx = fixture();
    // The fixture's password file is /etc/apache2/.htpasswd: as if the repository were /etc.
    let out = htguard::report::gitlab::render(&fx.findings(), Path::new("/etc"));
    assert_no_secret(&out);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    validate(&doc);
    let first = &doc[0];
    assert_eq!(first["check_name"], "PW901");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["location"]["path"], "apache2/.htpasswd");
    assert_eq!(first["location"]["lines"]["begin"], 2);
    assert_eq!(doc[1]["severity"], "major");
    assert_eq!(doc[2]["severity"], "info");
    let prints = fingerprints(&doc);
    assert_eq!(prints.iter().collect::<HashSet<_>>().len(), prints.len());
}

#[test]
fn the_validator_rejects_what_gitlab_would_not_read() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let good = serde_json::json!([{ "description": "d", "check_name": "PW001",
        "fingerprint": "7815696ecbf1c96e6894b779456d330e", "severity": "minor",
        "location": { "path": "lib/index.js", "lines": { "begin": 42 } } }]);
    assert!(v.is_valid(&good));
    for (field, bad) in [
        ("/0/severity", serde_json::json!("error")),
        ("/0/location/path", serde_json::json!("./lib/index.js")),
        ("/0/location/path", serde_json::json!("/abs/index.js")),
        ("/0/location/lines/begin", serde_json::json!(0)),
        ("/0/fingerprint", serde_json::json!("")),
    ] {
        let mut doc = good.clone();
        *doc.pointer_mut(field).unwrap() = bad;
        assert!(!v.is_valid(&doc), "{field} accepted: {doc}");
    }
    let mut missing = good.clone();
    missing[0].as_object_mut().unwrap().remove("check_name");
    assert!(!v.is_valid(&missing));
}

fn check_gitlab(cwd: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .current_dir(cwd)
        .args(["check", "--no-config", "--format", "gitlab"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON document")
}

#[test]
fn a_real_check_is_valid_stable_and_relative_to_the_repository() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let first = check_gitlab(repo, &["samples/apache/broken", "samples/passwd/broken"]);
    validate(&first);
    let issues = first.as_array().unwrap();
    assert!(issues.len() > 10, "{first}");
    for i in issues {
        let path = i["location"]["path"].as_str().unwrap();
        assert!(
            repo.join(path).is_file(),
            "{path} is not a file of the repository"
        );
    }
    let prints = fingerprints(&first);
    assert_eq!(
        prints.iter().collect::<HashSet<_>>().len(),
        prints.len(),
        "fingerprints repeat"
    );
    // Same findings, same fingerprints: on a second run, and from absolute paths.
    let again = check_gitlab(repo, &["samples/apache/broken", "samples/passwd/broken"]);
    assert_eq!(first, again);
    let abs = repo.join("samples/passwd/broken");
    let from_abs = check_gitlab(repo, &[abs.to_str().unwrap()]);
    let only_passwd = check_gitlab(repo, &["samples/passwd/broken"]);
    assert_eq!(from_abs, only_passwd);
}

#[test]
fn a_fingerprint_does_not_move_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.htpasswd");
    let entry = "alice:$apr1$abc\n";
    std::fs::write(&file, entry).unwrap();
    let before = check_gitlab(dir.path(), &["users.htpasswd"]);
    std::fs::write(&file, format!("# a comment above\n{entry}")).unwrap();
    let after = check_gitlab(dir.path(), &["users.htpasswd"]);
    assert_ne!(before[0]["location"], after[0]["location"]);
    assert_eq!(fingerprints(&before), fingerprints(&after));
}

#[test]
fn htguard_toml_can_ask_for_the_gitlab_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.htpasswd"), "alice:$apr1$abc\n").unwrap();
    std::fs::write(
        dir.path().join("htguard.toml"),
        "[check]\nformat = \"gitlab\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("htguard")
            .unwrap()
            .current_dir(dir.path())
            .arg("check")
            .args(args)
            .arg("users.htpasswd")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("gitlab JSON");
    validate(&doc);
    // The flag wins over the file.
    let out = run(&["--format", "github"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("::"));
    std::fs::write(
        dir.path().join("htguard.toml"),
        "[check]\nformat = \"gitlub\"\n",
    )
    .unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("format") && err.contains("gitlab"), "{err}");
}
