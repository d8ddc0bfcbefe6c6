//! Engine tests with fixture rules registered only here.

use super::*;
use crate::diag::{Edit, Fix};
use crate::model::PasswdUse;
use crate::rules::{Family, RuleInfo};
use crate::source::Span;

/// Flags every `BAD` in a password file; the fix writes `ok`.
static FIXTURE: Rule = Rule {
    info: RuleInfo {
        code: "PW900",
        name: "fixture-bad",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "test fixture",
        doc: "## What it does\n## Why is this bad?\n## Example\n## Use instead\n",
    },
    check: |ctx, out| {
        for p in ctx.passwd {
            let bytes = &ctx.sources.get(p.file).bytes;
            for (i, w) in bytes.windows(3).enumerate() {
                if w == b"BAD" {
                    let span = Span::new(p.file, i, i + 3);
                    out.push(Diagnostic::new(&FIXTURE.info, span, "BAD here").fix(Fix {
                        description: "write ok".into(),
                        edits: vec![Edit {
                            span,
                            replacement: b"ok".to_vec(),
                        }],
                    }));
                }
            }
        }
    },
};

/// The meta rules and the fixture: real password-file rules would add findings of
/// their own to these made-up files.
fn rules_with_fixture() -> Vec<&'static Rule> {
    let mut v = crate::rules::meta::RULES.to_vec();
    v.push(&FIXTURE);
    v
}

fn opts_for(paths: &[&Path]) -> CheckOptions {
    CheckOptions {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        ..CheckOptions::default()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn codes(o: &CheckOutcome) -> Vec<(&'static str, usize)> {
    o.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                o.sources
                    .get(d.primary.span.file)
                    .line_col(d.primary.span.start)
                    .0,
            )
        })
        .collect()
}

#[test]
fn suppression_silences_only_the_next_line() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        ".htpasswd",
        "# htguard: ignore[PW900] migrating\nBAD:x\nBAD:y\n# htguard: ignore[fixture-bad] stale\nfine:z\n",
    );
    let o = run_with_rules(&opts_for(&[&f]), &rules_with_fixture()).unwrap();
    assert_eq!(codes(&o), [("PW900", 3), ("HG002", 4)]);
    assert_eq!(o.suppressed, 1);
    assert!(o.failed());
}

#[test]
fn unused_is_not_reported_for_disabled_rules() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        ".htpasswd",
        "# htguard: ignore[PW900] old\nfine:z\n",
    );
    let mut opts = opts_for(&[&f]);
    opts.settings
        .ignore
        .push(select::Selector::parse("PW").unwrap());
    let o = run_with_rules(&opts, &rules_with_fixture()).unwrap();
    assert_eq!(codes(&o), []);
}

#[test]
fn select_ignore_and_severity() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", "# htguard: ignore[PW900]\nBAD:x\n");
    let all = rules_with_fixture();

    // The reasonless suppression still silences; HG001 reports it.
    let o = run_with_rules(&opts_for(&[&f]), &all).unwrap();
    assert_eq!(codes(&o), [("HG001", 1)]);
    assert!(!o.failed(), "HG001 is a warning, fail-on defaults to error");

    let mut opts = opts_for(&[&f]);
    opts.settings.severity = vec![select::parse_severity_override("HG001=error").unwrap()];
    let o = run_with_rules(&opts, &all).unwrap();
    assert_eq!(o.diagnostics[0].severity, Severity::Error);
    assert!(o.failed());

    let mut opts = opts_for(&[&f]);
    opts.settings.fail_on = Severity::Warning;
    assert!(run_with_rules(&opts, &all).unwrap().failed());

    let mut opts = opts_for(&[&f]);
    opts.settings.select = vec![select::Selector::parse("PW").unwrap()];
    let o = run_with_rules(&opts, &all).unwrap();
    assert_eq!(codes(&o), [], "only PW rules run, and PW900 is suppressed");
}

#[test]
fn fixes_are_planned_from_reported_findings_only() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        ".htpasswd",
        "BAD:1\n# htguard: ignore[PW900] keep\nBAD:2\nBAD:3\n",
    );
    let o = run_with_rules(&opts_for(&[&f]), &rules_with_fixture()).unwrap();
    let plans = fix::plan(&o);
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].fixes, 2);
    assert_eq!(
        String::from_utf8_lossy(&plans[0].after),
        "ok:1\n# htguard: ignore[PW900] keep\nBAD:2\nok:3\n"
    );
}

#[test]
fn each_password_file_is_loaded_once() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", "BAD:1\n");
    std::os::unix::fs::symlink(&f, d.path().join("users.htpasswd")).unwrap();
    let o = run_with_rules(
        &opts_for(&[&f, d.path(), &d.path().join("users.htpasswd")]),
        &rules_with_fixture(),
    )
    .unwrap();
    assert_eq!(o.sources.len(), 1);
    assert_eq!(codes(&o), [("PW900", 1)]);
    assert_eq!(o.passwd_files.len(), 1);
}

#[test]
fn io_problems_on_given_paths_are_errors() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("nope");
    let e = run(&opts_for(&[&missing])).unwrap_err();
    assert!(e.to_string().contains("no such file"), "{e}");
    let e = run(&CheckOptions {
        apache_configs: vec![missing.clone()],
        ..CheckOptions::default()
    })
    .unwrap_err();
    assert!(matches!(e, CheckError::Io { .. }));
}

#[test]
fn missing_referenced_file_is_left_to_the_rules() {
    let mut sources = Sources::new();
    let conf = sources.add(
        "/x/site.conf",
        b"AuthUserFile /nowhere/.htpasswd\n".to_vec(),
    );
    let use_ = PasswdUse {
        server: crate::diag::Server::Apache,
        role: crate::model::PasswdRole::Basic,
        server_path: "/nowhere/.htpasswd".into(),
        local_path: "/nowhere/.htpasswd".into(),
        directive: Span::new(conf, 0, 31),
        realm: None,
        user_file: None,
    };
    let loaded = passwd_files::load(vec![use_], &[], None, &Overlay::new(), &mut sources).unwrap();
    assert!(loaded.inputs.is_empty());
    assert!(loaded.unreadable.is_empty());
}

#[test]
fn unreadable_referenced_file_is_hg004() {
    // A regular file whose read fails for every user, root included (EIO).
    let f = PathBuf::from("/proc/self/mem");
    assert!(std::fs::metadata(&f).unwrap().is_file());
    let mut sources = Sources::new();
    let conf = sources.add("/x/site.conf", b"AuthUserFile x\nAuthUserFile y\n".to_vec());
    let mk = |start| PasswdUse {
        server: crate::diag::Server::Apache,
        role: crate::model::PasswdRole::Basic,
        server_path: f.clone(),
        local_path: f.clone(),
        directive: Span::new(conf, start, start + 14),
        realm: None,
        user_file: None,
    };
    let loaded = passwd_files::load(
        vec![mk(0), mk(15)],
        &[],
        None,
        &Overlay::new(),
        &mut sources,
    )
    .unwrap();
    assert!(loaded.inputs.is_empty());
    assert_eq!(loaded.unreadable.len(), 1);
    assert_eq!(loaded.unreadable[0].directives.len(), 2);
    // The HG004 rule reports it once, at the first directive, naming the other.
    let ctx = Context {
        sources: &sources,
        profile: &Profile::default(),
        passwd: &[],
        unreadable: &loaded.unreadable,
        apache: &[],
        nginx: &[],
    };
    let mut diags = Vec::new();
    (crate::rules::meta::unreadable_file::RULE.check)(&ctx, &mut diags);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "HG004");
    assert_eq!(diags[0].secondary.len(), 1);
}

#[test]
fn name_and_kind_flag_guide_the_parser() {
    let d = tempfile::tempdir().unwrap();
    let g = write(d.path(), ".htgroup", "admins: alice\n");
    let u = write(d.path(), "users", "admins: alice\n");
    let kind_of = |o: &CheckOutcome| *o.passwd_files.values().next().unwrap();
    let o = run(&opts_for(&[&g])).unwrap();
    assert_eq!(kind_of(&o), FileKind::Group);
    let mut opts = opts_for(&[&u]);
    opts.kind = Some(InputKind::Htpasswd);
    assert_eq!(kind_of(&run(&opts).unwrap()), FileKind::Basic);
    opts.kind = Some(InputKind::Htgroup);
    assert_eq!(kind_of(&run(&opts).unwrap()), FileKind::Group);
}

#[test]
fn fixes_are_written_through_the_store() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", "BAD:1\nfine:2\nBAD:3\n");
    let rules = rules_with_fixture();
    let o = run_with_rules(&opts_for(&[&f]), &rules).unwrap();
    let plans = fix::plan(&o);
    assert_eq!(fix::write(&plans).unwrap(), 1);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "ok:1\nfine:2\nok:3\n");
    let again = run_with_rules(&opts_for(&[&f]), &rules).unwrap();
    assert_eq!(codes(&again), []);
}

#[test]
fn a_file_changed_since_the_check_is_not_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", "BAD:1\n");
    let o = run_with_rules(&opts_for(&[&f]), &rules_with_fixture()).unwrap();
    let plans = fix::plan(&o);
    std::fs::write(&f, "BAD:1\nnew:2\n").unwrap();
    let e = fix::write(&plans).unwrap_err();
    assert!(matches!(e, fix::FixError::Changed(_)), "{e}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "BAD:1\nnew:2\n");
}

/// Flags `ok` (what FIXTURE writes); the fix writes `fine`: only a second pass sees it.
static FIXTURE_OK: Rule = Rule {
    info: RuleInfo {
        code: "PW901",
        name: "fixture-ok",
        family: Family::Passwd,
        severity: Severity::Warning,
        summary: "test fixture",
        doc: "## What it does\n## Why is this bad?\n## Example\n## Use instead\n",
    },
    check: |ctx, out| {
        for p in ctx.passwd {
            let bytes = &ctx.sources.get(p.file).bytes;
            if bytes.starts_with(b"ok") {
                let span = Span::new(p.file, 0, 2);
                out.push(Diagnostic::new(&FIXTURE_OK.info, span, "ok here").fix(Fix {
                    description: "write fine".into(),
                    edits: vec![Edit {
                        span,
                        replacement: b"fine".to_vec(),
                    }],
                }));
            }
        }
    },
};

#[test]
fn fix_all_repeats_until_nothing_is_left() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", "BAD:1\n");
    let mut rules = rules_with_fixture();
    rules.push(&FIXTURE_OK);
    let opts = opts_for(&[&f]);
    let first = run_with_rules(&opts, &rules).unwrap();
    let (left, applied) = fix::fix_all(&opts, first, &rules).unwrap();
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "fine:1\n");
    assert_eq!(applied.fixes, 2);
    assert_eq!(applied.files, std::slice::from_ref(&f));
    assert_eq!(codes(&left), []);
}

#[test]
fn preview_reaches_what_fix_all_writes_without_writing() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), ".htpasswd", "BAD:1\n");
    let mut rules = rules_with_fixture();
    rules.push(&FIXTURE_OK);
    let opts = opts_for(&[&f]);
    let first = run_with_rules(&opts, &rules).unwrap();
    let (plans, last) = fix::preview(&opts, first, &rules).unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].before, b"BAD:1\n");
    assert_eq!(plans[0].after, b"fine:1\n");
    assert_eq!(plans[0].fixes, 2);
    assert_eq!(
        plans[0].passwd_kind,
        last.passwd_files.get(&plans[0].file).copied()
    );
    assert!(plans[0].passwd_kind.is_some());
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "BAD:1\n");
}

/// Each password file gets the next id in the order first named; a file already read
/// (as a config file would be) keeps its id.
#[test]
fn password_files_are_numbered_in_the_order_named() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "a.htpasswd", "alice:{SHA}x\n");
    let b = write(d.path(), "b.htpasswd", "bob:{SHA}y\n");
    let mut sources = Sources::new();
    let conf = sources.add("/x/site.conf", b"AuthUserFile a\nAuthUserFile b\n".to_vec());
    let known = sources.add(&b, std::fs::read(&b).unwrap());
    let mk = |path: &Path, start| PasswdUse {
        server: crate::diag::Server::Apache,
        role: crate::model::PasswdRole::Basic,
        server_path: path.to_path_buf(),
        local_path: path.to_path_buf(),
        directive: Span::new(conf, start, start + 14),
        realm: None,
        user_file: None,
    };
    let uses = vec![mk(&a, 0), mk(&b, 15)];
    let inputs = passwd_files::load(uses, &[], None, &Overlay::new(), &mut sources)
        .unwrap()
        .inputs;
    assert_eq!(sources.len(), 3);
    let by_file: Vec<(&Path, &[u8])> = inputs
        .iter()
        .map(|p| {
            let f = sources.get(p.file);
            (f.path.as_path(), &f.bytes[..])
        })
        .collect();
    assert_eq!(
        by_file,
        [
            (a.as_path(), &b"alice:{SHA}x\n"[..]),
            (b.as_path(), &b"bob:{SHA}y\n"[..])
        ]
    );
    assert_eq!(inputs[1].file, known);
    assert_eq!(inputs[0].parsed.entries().count(), 1);
}
