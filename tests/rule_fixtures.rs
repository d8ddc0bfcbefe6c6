//! One fixture per rule, as ruff has them: for every rule in `htguard::rules::all()`,
//! `tests/rules/<CODE>/bad/` is a small input that triggers it and `tests/rules/<CODE>/good/`
//! the fixed version, which must not. No server, no root.
//!
//! Each fixture is checked as `htguard check --root DIR DIR --select CODE` checks it: the
//! directory is walked for the files it holds, and every absolute path a config names
//! (`/etc/passwd` for the worker user included) is looked up inside it, so nothing on the
//! host counts. A fixture is a root filesystem (`etc/apache2/apache2.conf`,
//! `etc/nginx/nginx.conf`, the password files, `etc/passwd`), or a lone file such as a
//! `.htpasswd`. The check runs through the library, on a temp copy whose directories are
//! 0755 and files 0644, so the checkout's modes and location do not matter either. Modes
//! that git cannot keep are set on the copy by [`runtime_setup`].
//!
//! The CODE findings of `bad` are kept as an insta snapshot, `tests/rules/<CODE>/bad.snap`,
//! in a compact form of the JSON output (`--format json`) with paths relative to the
//! fixture: internal changes leave it alone, behaviour changes show up in its diff.
//! Review a change with `cargo insta review`, or with `INSTA_UPDATE=always` and `git diff`.

mod common;

use htguard::check::select::{Selector, Settings};
use htguard::check::{self, CheckOptions};
use htguard::model::LoadOptions;
use htguard::report::{self, Findings};
use htguard::target::Profile;
use serde_json::Value;
use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    Bad,
    Good,
}

impl Variant {
    fn dir_name(self) -> &'static str {
        match self {
            Variant::Bad => "bad",
            Variant::Good => "good",
        }
    }
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it_and_a_fixed_one_that_does_not() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in htguard::rules::all() {
        let code = rule.info.code;
        let dir = fixtures_dir().join(code);
        let missing: Vec<String> = [Variant::Bad, Variant::Good]
            .iter()
            .filter(|v| !dir.join(v.dir_name()).is_dir())
            .map(|v| format!("tests/rules/{code}/{}/", v.dir_name()))
            .collect();
        if !missing.is_empty() {
            failures.push(format!(
                "{code}: no fixture: add {} (bad/ triggers the rule, good/ is its fixed version)",
                missing.join(" and ")
            ));
            continue;
        }
        let bad = findings(code, &dir, Variant::Bad);
        if bad.is_empty() {
            failures.push(format!(
                "{code}: tests/rules/{code}/bad yields no {code} finding"
            ));
        } else if !snapshot_matches(code, rule.info.summary, &dir, &render(&bad)) {
            failures.push(format!(
                "{code}: findings differ from tests/rules/{code}/bad.snap (diff above)"
            ));
        }
        let good = findings(code, &dir, Variant::Good);
        if !good.is_empty() {
            failures.push(format!(
                "{code}: tests/rules/{code}/good still yields {code}:\n{}",
                render(&good)
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 50, "only {checked} rules checked");
}

/// Every fixture directory belongs to a registered rule (a renamed code leaves none behind).
#[test]
fn every_fixture_belongs_to_a_rule() {
    let codes: Vec<&str> = htguard::rules::all().iter().map(|r| r.info.code).collect();
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // .gitattributes
        }
        assert!(
            codes.contains(&name.as_str()),
            "tests/rules/{name} is not a rule code"
        );
    }
}

/// Compares with the stored snapshot; a mismatch is reported (insta prints the diff)
/// without stopping the other rules.
fn snapshot_matches(code: &str, summary: &str, dir: &Path, text: &str) -> bool {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description(format!("{code}: {summary}"));
    settings.set_omit_expression(true);
    settings.bind(|| std::panic::catch_unwind(|| insta::assert_snapshot!("bad", text)).is_ok())
}

/// The JSON findings of CODE in one variant of a fixture.
fn findings(code: &str, dir: &Path, variant: Variant) -> Vec<Value> {
    let copy = copy_fixture(&dir.join(variant.dir_name()));
    let root = copy.path();
    let needs_other_user = runtime_setup(code, variant, root);
    let json = if needs_other_user && common::is_root() {
        check_as_nobody(code, root)
    } else {
        check_in_process(code, root)
    };
    let json = normalize(&json, root);
    let doc: Value = serde_json::from_str(&json).expect("check --format json is JSON");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}

/// `htguard check --root DIR DIR --select CODE --format json`, through the library.
fn check_in_process(code: &str, dir: &Path) -> String {
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        load: LoadOptions {
            root: Some(dir.to_path_buf()),
            ..LoadOptions::default()
        },
        profile: Profile::from_names(targets(code)).expect("known targets"),
        settings: Settings {
            select: selection(code)
                .iter()
                .map(|c| Selector::parse(c).expect("a registered code"))
                .collect(),
            ..Settings::default()
        },
        ..CheckOptions::default()
    };
    let outcome = check::run(&opts).unwrap_or_else(|e| panic!("{code}: check failed: {e}"));
    report::json::render(&Findings {
        sources: &outcome.sources,
        diagnostics: &outcome.diagnostics,
        passwd_files: &outcome.passwd_files,
        suppressed: outcome.suppressed,
        inputs: &outcome.inputs,
    })
}

/// The rules to run for CODE's fixture: CODE, and for HG002 (unused suppression) the rule
/// its fixture suppresses, since a suppression of a rule that does not run is not judged.
fn selection(code: &str) -> Vec<&str> {
    match code {
        "HG002" => vec![code, "PW012"],
        _ => vec![code],
    }
}

/// `--target` for CODE's fixture: PW022 is about the other programs that read htpasswd
/// files, which only count when named.
fn targets(code: &str) -> &'static [&'static str] {
    match code {
        "PW022" => &["all", "docker-registry", "verdaccio"],
        _ => &[],
    }
}

/// The same check by the `htguard` binary running as `nobody`: root reads every file,
/// so a fixture about a file htguard cannot read needs another user when the tests run
/// as root (as `scripts/test` does).
fn check_as_nobody(code: &str, dir: &Path) -> String {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(common::htguard_for_anyone());
    cmd.args(["check", "--no-config", "--format", "json", "--select"])
        .arg(selection(code).join(","))
        .args(targets(code).iter().flat_map(|t| ["--target", t]))
        .arg("--root")
        .arg(dir)
        .arg(dir)
        .uid(65534)
        .gid(65534);
    let out = common::output_of(&mut cmd);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{code}: htguard as nobody: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// File modes and files that git cannot keep, set on the temp copy. Returns whether the
/// check must run as a user other than root (a file htguard itself cannot read).
fn runtime_setup(code: &str, variant: Variant, root: &Path) -> bool {
    let chmod = |rel: &str, mode: u32| {
        let path = root.join(rel);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("{code}: chmod {}: {e}", path.display()));
    };
    match (code, variant) {
        // The worker user www-data (uid 33 in the fixture's /etc/passwd) cannot read a
        // file of mode 0600 owned by whoever runs the tests.
        ("AP004", Variant::Bad) => {
            chmod("etc/apache2/staff.htpasswd", 0o600);
            false
        }
        ("NX004", Variant::Bad) => {
            chmod("etc/nginx/.htpasswd", 0o600);
            false
        }
        // htguard itself cannot read a file of mode 0000, unless it runs as root.
        ("HG004", Variant::Bad) => {
            chmod("etc/nginx/.htpasswd", 0o000);
            true
        }
        _ => false,
    }
}

/// A copy of `src` in a temp dir: directories 0755, files 0644, symlinks kept.
fn copy_fixture(src: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_tree(src, tmp.path());
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    tmp
}

fn copy_tree(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let entry = entry.unwrap();
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&from).unwrap(), &to).unwrap();
        } else if kind.is_dir() {
            std::fs::create_dir(&to).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755)).unwrap();
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

/// The JSON text with the temp copy's location, and the uid and gid of whoever runs
/// the tests, replaced by placeholders.
fn normalize(json: &str, root: &Path) -> String {
    let mut text = json.to_string();
    let canonical = root.canonicalize().unwrap();
    for dir in [canonical.as_path(), root] {
        // JSON escapes nothing in a temp path but backslashes, which Unix paths lack.
        text = text.replace(&format!("{}/", dir.display()), "");
        text = text.replace(&dir.display().to_string(), ".");
    }
    // SAFETY: geteuid and getegid have no preconditions and cannot fail.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    // Owners are named from the checked tree's /etc/passwd and /etc/group (numbers when
    // it lacks them), so the runner's names differ from one machine to the next.
    let user = htguard::source::access::user_name(Some(root), uid);
    let group = htguard::source::access::group_name(Some(root), gid);
    text.replace(
        &format!("owner {user}, group {group}"),
        "owner [runner], group [runner]",
    )
}

/// One finding per block: `CODE severity file:line:col-line:col [servers]`, then the
/// message, label, help, secondary labels and fix, one per line.
fn render(findings: &[Value]) -> String {
    let mut out = String::new();
    for f in findings {
        let servers: Vec<&str> = f["servers"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {} {} [{}]",
            str_of(&f["code"]),
            str_of(&f["severity"]),
            at(f),
            servers.join(", ")
        );
        let _ = writeln!(out, "  message: {}", str_of(&f["message"]));
        for key in ["label", "help"] {
            if let Some(s) = f[key].as_str() {
                let _ = writeln!(out, "  {key}: {s}");
            }
        }
        for s in f["secondary"].as_array().into_iter().flatten() {
            let _ = writeln!(out, "  secondary {}: {}", at(s), str_of(&s["message"]));
        }
        if let Some(fix) = f["fix"].as_object() {
            let _ = writeln!(out, "  fix: {}", str_of(&fix["description"]));
            for e in fix["edits"].as_array().into_iter().flatten() {
                let replacement = match e["replacement"].as_str() {
                    Some(r) => format!("{r:?}"),
                    None => "(withheld)".to_string(),
                };
                let _ = writeln!(out, "    edit {} -> {replacement}", at(e));
            }
        }
    }
    out
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

/// `file:line:col-end_line:end_col` of a JSON location.
fn at(v: &Value) -> String {
    format!(
        "{}:{}:{}-{}:{}",
        str_of(&v["file"]),
        v["line"],
        v["column"],
        v["end_line"],
        v["end_column"]
    )
}
