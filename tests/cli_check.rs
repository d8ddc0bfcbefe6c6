//! `htguard check`, `rules`, `explain` end to end: exit codes, settings from flags and
//! htguard.toml, inline suppressions, every output format, colour, fixes.
//!
//! Most findings come from the meta rules (HG001-HG003), which fire on suppression
//! comments in any file and do not change as other rules evolve; fixes and the
//! suppression of a server finding use the password-file rules. Every user entry that a
//! test does not mean to be a finding is well formed (a real cost-10 bcrypt hash), so the
//! password-file rules stay silent on it.

mod common;
mod report_support;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const HASH: &str = "$2y$10$EHmfpj/8u3pOadsUYsSFje0UymE3wpSLLOUa0QV7GoA4MIq5dVUzi";
/// How every output shows `HASH`: the scheme and the cost, nothing of the salt or hash.
const HASH_REDACTED: &str = "$2y$10$…";

fn htguard() -> Command {
    let mut c = Command::cargo_bin("htguard").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// A password file whose only finding is HG001 (warning): a reasonless suppression
/// that silences the HG003 of the malformed comment below it.
fn reasonless(dir: &Path) -> PathBuf {
    write(
        dir,
        ".htpasswd",
        &format!("# htguard: ignore[HG003]\n# htguard: bogus\nalice:{HASH}\n"),
    )
}

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

#[test]
fn clean_file_exits_zero() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", &format!("# admins\nalice:{HASH}\n"));
    htguard()
        .arg("check")
        .arg(&f)
        .assert()
        .code(0)
        .stdout("No findings in 1 file.\n");
}

#[test]
fn fail_on_and_severity_decide_the_exit_code() {
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(d.path());
    htguard()
        .arg("check")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("HG001 suppression-without-reason"))
        .stdout(predicate::str::contains(
            "1 warning in 1 file (1 checked); 1 suppressed.",
        ));
    htguard()
        .args(["check", "--fail-on", "warning"])
        .arg(&f)
        .assert()
        .code(1);
    htguard()
        .args(["check", "--fail-on", "info"])
        .arg(&f)
        .assert()
        .code(1);
    htguard()
        .args(["check", "--severity", "HG001=error"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 error in 1 file"));
    htguard()
        .args([
            "check",
            "--severity",
            "suppression-without-reason=info",
            "--fail-on",
            "warning",
        ])
        .arg(&f)
        .assert()
        .code(0);
}

#[test]
fn select_and_ignore() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        ".htpasswd",
        &format!("# htguard: ignore[HG003]\n# htguard: ignore[PW999] typo\nalice:{HASH}\n"),
    );
    let all = stdout(htguard().args(["check", "--format", "github"]).arg(&f));
    assert!(
        all.contains("HG001") && all.contains("HG002") && all.contains("HG003"),
        "{all}"
    );
    let only = stdout(
        htguard()
            .args(["check", "--format", "github", "--select", "HG003"])
            .arg(&f),
    );
    assert!(
        !only.contains("HG001") && !only.contains("HG002") && only.contains("HG003"),
        "{only}"
    );
    let ignored = stdout(
        htguard()
            .args([
                "check",
                "--format",
                "github",
                "--ignore",
                "suppression-without-reason",
            ])
            .arg(&f),
    );
    assert!(
        !ignored.contains("HG001") && ignored.contains("HG003") && ignored.contains("HG002"),
        "{ignored}"
    );
    // A suppression naming a rule that does not run is not called unused.
    let disabled = stdout(
        htguard()
            .args([
                "check",
                "--format",
                "github",
                "--ignore",
                "HG001,invalid-suppression",
            ])
            .arg(&f),
    );
    assert_eq!(disabled, "");
    let prefix = stdout(
        htguard()
            .args(["check", "--format", "github", "--ignore", "HG"])
            .arg(&f),
    );
    assert_eq!(prefix, "");
    // The most specific selector wins.
    let specific = stdout(
        htguard()
            .args([
                "check", "--format", "github", "--ignore", "meta", "--select", "HG001",
            ])
            .arg(&f),
    );
    assert!(
        specific.contains("HG001") && !specific.contains("HG002"),
        "{specific}"
    );
    assert!(!specific.contains("HG003"), "{specific}");
}

#[test]
fn unknown_codes_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(d.path());
    htguard()
        .args(["check", "--select", "HG01"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown rule `HG01` (did you mean `HG001`?)",
        ));
    htguard()
        .args(["check", "--severity", "HG001=fatal"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown severity `fatal`"));
    htguard()
        .args(["check", "--target", "iis"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown target `iis`"));
    htguard()
        .args(["check", "--kind", "iis"])
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn io_errors_exit_two() {
    let d = tempfile::tempdir().unwrap();
    htguard()
        .arg("check")
        .arg(d.path().join("missing.htpasswd"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.htpasswd: no such file"));
    let notes = write(d.path(), "notes.txt", "hello world\n");
    htguard()
        .arg("check")
        .arg(&notes)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot tell what kind of file"))
        .stderr(predicate::str::contains("--kind"));
    // Forced to be a password file, its line is one (without a colon).
    htguard()
        .args(["check", "--kind", "htpasswd"])
        .arg(&notes)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("missing-colon"));
}

#[test]
fn settings_from_htguard_toml() {
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(&d.path().join("site"));
    write(d.path(), "htguard.toml", "[check]\nfail-on = \"warning\"\n");
    htguard().arg("check").arg(&f).assert().code(1);
    htguard()
        .args(["check", "--no-config"])
        .arg(&f)
        .assert()
        .code(0);
    htguard()
        .args(["check", "--fail-on", "error"])
        .arg(&f)
        .assert()
        .code(0);

    write(
        d.path(),
        "htguard.toml",
        "[check]\nfail-on = \"warning\"\nignore = [\"HG001\"]\n",
    );
    htguard().arg("check").arg(&f).assert().code(0);

    write(
        d.path(),
        "htguard.toml",
        "[severity]\nsuppression-without-reason = \"error\"\n",
    );
    htguard().arg("check").arg(&f).assert().code(1);

    write(d.path(), "htguard.toml", "[check]\nfail_on = \"warning\"\n");
    htguard()
        .arg("check")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("htguard.toml"))
        .stderr(predicate::str::contains("unknown field `fail_on`"));

    let other = write(
        d.path(),
        "ci.toml",
        "[check]\nselect = [\"HG002\"]\nfail-on = \"info\"\n",
    );
    htguard()
        .arg("check")
        .arg("--config")
        .arg(&other)
        .arg(&f)
        .assert()
        .code(0);
    htguard()
        .arg("check")
        .arg("--config")
        .arg(d.path().join("nope.toml"))
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn suppressions_used_unused_and_without_reason() {
    let d = tempfile::tempdir().unwrap();
    // Line 2 is malformed (HG003); the comment above it silences that finding.
    let f = write(
        d.path(),
        ".htpasswd",
        &format!(
            "# htguard: ignore[HG003] documenting the syntax\n# htguard: ignore HG001\n# htguard: ignore[HG001] stale\nalice:{HASH}\n"
        ),
    );
    let out = stdout(htguard().args(["check", "--format", "json"]).arg(&f));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().to_string(),
                x["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("HG002".to_string(), 3)], "{out}");
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn json_output() {
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(d.path());
    let out = stdout(htguard().args(["check", "--format", "json"]).arg(&f));
    assert!(!out.contains(HASH));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let x = &v["findings"][0];
    assert_eq!(x["code"], "HG001");
    assert_eq!(x["name"], "suppression-without-reason");
    assert_eq!(x["severity"], "warning");
    assert_eq!(
        (x["line"].as_u64(), x["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (x["end_line"].as_u64(), x["end_column"].as_u64()),
        (Some(1), Some(25))
    );
    assert_eq!(
        (x["start_offset"].as_u64(), x["end_offset"].as_u64()),
        (Some(0), Some(24))
    );
    assert_eq!(x["file"], f.display().to_string());
}

#[test]
fn sarif_output_is_valid() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "users.htpasswd",
        &format!(
            "# htguard: ignore[HG003]\n# htguard: ignore[PW999] typo\n# htguard: nonsense\nalice:{HASH}\n"
        ),
    );
    let out = stdout(htguard().args(["check", "--format", "sarif"]).arg(&f));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    report_support::validate_sarif(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    // HG001 on line 1, HG003 (unknown PW999) on line 2; line 3's HG003 is suppressed.
    let ids: Vec<_> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["HG001", "HG003"], "{out}");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| {
        r["id"] == "HG001"
            && r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Why is this bad?")
    }));
}

#[test]
fn github_output() {
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(d.path());
    let out = stdout(htguard().args(["check", "--format", "github"]).arg(&f));
    assert_eq!(out.lines().count(), 1);
    assert!(out.starts_with(&format!(
        "::warning file={},line=1,col=1,endLine=1,endColumn=25,title=HG001 suppression-without-reason::suppression comment gives no reason%0Ahelp: ",
        f.display()
    )), "{out}");
}

#[test]
fn human_output_redacts_the_snippet() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        ".htpasswd",
        &format!("# htguard: nonsense\nalice:{HASH}\n"),
    );
    let out = stdout(htguard().arg("check").arg(&f));
    assert!(out.contains(&format!("alice:{HASH_REDACTED}")), "{out}");
    assert!(!out.contains(HASH), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let forced = stdout(htguard().args(["check", "--color", "always"]).arg(&f));
    assert!(forced.contains('\x1b'));
}

/// Run under a pseudo-terminal (util-linux `script`), where `--color auto` colours.
fn in_terminal(f: &Path, no_color: Option<&str>) -> String {
    let bin = assert_cmd::cargo::cargo_bin("htguard");
    let cmd = format!("'{}' check '{}'", bin.display(), f.display());
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &cmd, "/dev/null"]).env_remove("NO_COLOR");
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
}

#[test]
fn no_color_is_honoured_on_a_terminal() {
    // util-linux `script` gives the command a pseudo-terminal.
    if !common::need(&["script"]) {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(d.path());
    let tty = in_terminal(&f, None);
    assert!(tty.contains("HG001"), "{tty}");
    assert!(tty.contains('\x1b'), "colour on a terminal: {tty}");
    let plain = in_terminal(&f, Some("1"));
    assert!(plain.contains("HG001"), "{plain}");
    assert!(!plain.contains('\x1b'), "NO_COLOR: {plain}");
}

#[test]
fn directories_are_walked() {
    let d = tempfile::tempdir().unwrap();
    reasonless(&d.path().join("a"));
    write(
        d.path(),
        "b/users",
        &format!("# htguard: ignore[HG003]\n# htguard: bogus\nbob:{HASH}\n"),
    );
    write(d.path(), "b/README", "Nothing to see.\n");
    std::fs::write(
        d.path().join("b/logo.png"),
        b"\x89PNG\0\0\0# htguard: ignore[HG003]\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(d.path(), d.path().join("b/loop")).unwrap();
    let out = stdout(
        htguard()
            .args(["check", "--format", "github"])
            .arg(d.path()),
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.contains("a/.htpasswd") && out.contains("b/users"),
        "{out}"
    );
}

#[test]
fn diff_and_fix_without_fixable_findings() {
    let d = tempfile::tempdir().unwrap();
    let f = reasonless(d.path());
    htguard()
        .args(["check", "--diff"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("0 fix(es) in 0 file(s)"));
    htguard().args(["check", "--fix"]).arg(&f).assert().code(0);
    htguard()
        .args(["check", "--fix", "--diff"])
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn rules_lists_every_rule() {
    let out = stdout(htguard().arg("rules"));
    assert!(out.starts_with("CODE   NAME"), "{out}");
    for r in htguard::rules::all() {
        assert!(
            out.contains(r.info.code) && out.contains(r.info.name),
            "{out}"
        );
    }
    let json = stdout(htguard().args(["rules", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rules = v["rules"].as_array().unwrap();
    // The rules, and the probe's diagnoses (PB…) beside them.
    assert_eq!(
        rules.len(),
        htguard::rules::all().len() + htguard::probe::diagnoses::ALL.len()
    );
    let codes: Vec<&str> = rules.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(codes.is_sorted(), "sorted by code: {codes:?}");
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(unique, codes, "each rule once");
    let hg001 = rules.iter().find(|r| r["code"] == "HG001").unwrap();
    assert_eq!(hg001["name"], "suppression-without-reason");
    assert_eq!(hg001["family"], "meta");
    assert_eq!(hg001["severity"], "warning");
    // The table lists the rules in the same order.
    let table: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(table, codes, "{out}");
}

#[test]
fn explain_prints_the_doc() {
    htguard()
        .args(["explain", "unused-suppression"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# HG002 unused-suppression"))
        .stdout(predicate::str::contains("## Why is this bad?"));
    htguard().args(["explain", "hg002"]).assert().code(0);
    htguard()
        .args(["explain", "unused-supression"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `unused-suppression`?",
        ));
}

/// A user file with a BOM, CRLF endings, trailing blanks and no final newline.
fn broken(dir: &Path) -> (PathBuf, String) {
    let text = format!(
        "\u{feff}alice:{HASH}\r\nbob:{HASH}  \r\ncarol:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M="
    );
    (write(dir, ".htpasswd", &text), text)
}

#[test]
fn diff_shows_the_fixes_without_writing() {
    let d = tempfile::tempdir().unwrap();
    let (f, text) = broken(d.path());
    let out = stdout(htguard().args(["check", "--diff"]).arg(&f));
    assert!(out.starts_with("--- a/"), "{out}");
    assert!(
        out.contains(&format!("-\u{feff}alice:{HASH_REDACTED}\r\n")),
        "{out}"
    );
    assert!(out.contains(&format!("+alice:{HASH_REDACTED}\n")), "{out}");
    assert!(
        !out.contains(HASH) && !out.contains("qUqP5cyxm6YcTAhz05Hph5gvu9M="),
        "{out}"
    );
    // The diff is the end state --fix reaches over several passes: the final newline it
    // adds in the file's CRLF style is converted too.
    assert!(out.ends_with("+carol:{SHA}…\n"), "{out}");
    assert!(
        !out.lines().any(|l| l.starts_with('+') && l.ends_with('\r')),
        "{out}"
    );
    htguard().args(["check", "--diff"]).arg(&f).assert().code(1);
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        text,
        "--diff writes nothing"
    );
}

#[test]
fn fix_applies_every_safe_fix_and_reports_what_is_left() {
    let d = tempfile::tempdir().unwrap();
    let (f, _) = broken(d.path());
    // carol's {SHA} (PW012, a warning) has no safe fix: re-hashing needs her password.
    htguard()
        .args(["check", "--fix"])
        .arg(&f)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("Fixed "))
        .stdout(predicate::str::contains("PW012 weak-scheme"))
        .stdout(predicate::str::contains("1 warning in 1 file"));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        format!("alice:{HASH}\nbob:{HASH}\ncarol:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n")
    );
    let left = stdout(htguard().args(["check", "--format", "json"]).arg(&f));
    let v: serde_json::Value = serde_json::from_str(&left).unwrap();
    let found: Vec<(&str, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["code"].as_str().unwrap(), x["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("PW012", 3)],
        "only the unfixable finding is left: {left}"
    );
    htguard()
        .args(["check", "--diff"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn a_suppressed_finding_is_neither_reported_nor_fixed() {
    let d = tempfile::tempdir().unwrap();
    let text = format!(
        "# htguard: ignore[trailing-whitespace] the kiosk sends the blank too\nbob:{HASH} \n"
    );
    let f = write(d.path(), ".htpasswd", &text);
    htguard()
        .arg("check")
        .arg(&f)
        .assert()
        .code(0)
        .stdout("No findings in 1 file; 1 suppressed.\n");
    htguard().args(["check", "--fix"]).arg(&f).assert().code(0);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
    // Without the comment the same line is an error (nginx reads the blank as part of the hash).
    let g = write(&d.path().join("b"), ".htpasswd", &format!("bob:{HASH} \n"));
    htguard()
        .arg("check")
        .arg(&g)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("trailing-whitespace"));
}

#[test]
fn no_output_format_prints_a_full_hash() {
    let d = tempfile::tempdir().unwrap();
    let (f, _) = broken(d.path());
    for format in ["human", "json", "sarif", "github"] {
        let out = stdout(htguard().args(["check", "--format", format]).arg(&f));
        assert!(!out.is_empty(), "{format}");
        assert!(!out.contains(HASH), "{format}: {out}");
        assert!(
            !out.contains("qUqP5cyxm6YcTAhz05Hph5gvu9M="),
            "{format}: {out}"
        );
    }
    let sarif: serde_json::Value = serde_json::from_str(&stdout(
        htguard().args(["check", "--format", "sarif"]).arg(&f),
    ))
    .unwrap();
    report_support::validate_sarif(&sarif);
}

/// A duplicate user 1,500 lines after the first entry, far down a file: two short
/// snippets with the real line numbers, not one with every line between them.
#[test]
fn far_apart_labels_get_separate_short_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 1..3501 {
        let user = if i == 2000 || i == 3500 {
            "alice".to_string()
        } else {
            format!("user{i}")
        };
        text.push_str(&format!("{user}:{HASH}\n"));
    }
    let file = write(dir.path(), "users", &text);
    let out = htguard()
        .args(["check", "--select", "PW007", "--format", "human"])
        .arg(&file)
        .env("NO_COLOR", "1")
        .assert()
        .code(0) // the same line twice: a warning
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("users:3500:1]"), "{out}");
    assert!(out.contains("users:2000:1]"), "{out}");
    assert!(out.contains("3500 │ alice:"), "{out}");
    assert!(out.contains("2000 │ alice:"), "{out}");
    assert!(out.contains("this entry wins"), "{out}");
    assert!(
        !out.contains("user2500"),
        "lines between the labels are not drawn:\n{out}"
    );
    assert!(out.lines().count() < 40, "{out}");
}
