//! Human output: snippets, labels in two files, help, redaction, colour, summary.

mod report_support;

use htguard::report::human::{HumanOptions, render};
use report_support::*;

#[test]
fn draws_both_files_with_labels_and_help() {
    let fx = fixture();
    let out = render(&fx.findings(), HumanOptions::default());
    assert!(
        out.contains("PW901 fixture-malformed-hash [apache, nginx]"),
        "{out}"
    );
    assert!(out.contains("[/etc/apache2/.htpasswd:2:7]"), "{out}");
    assert!(out.contains("this hash"), "{out}");
    // The other file's snippet, with its own label.
    assert!(out.contains("in sites/a b,c.conf"), "{out}");
    assert!(out.contains("[sites/a b,c.conf:3:5]"), "{out}");
    assert!(
        out.contains("AuthUserFile \"/etc/apache2/.htpasswd\""),
        "{out}"
    );
    assert!(out.contains("Apache reads users from this file"), "{out}");
    assert!(out.contains("help: set a new password"), "{out}");
    assert!(
        out.contains("fix: remove the trailing space (htguard check --fix)"),
        "{out}"
    );
    // Redacted but recognisable.
    assert!(out.contains("alice:$2y$10$…"), "{out}");
    assert!(out.ends_with("1 error, 1 warning, 1 info in 1 file (2 checked); 2 fixable with --fix; 1 suppressed.\n"), "{out}");
    assert_no_secret(&out);
    assert!(!out.contains('\x1b'), "no colour unless asked");
}

#[test]
fn colour_only_when_asked() {
    let fx = fixture();
    let out = render(
        &fx.findings(),
        HumanOptions {
            color: true,
            width: 100,
        },
    );
    assert!(out.contains("\x1b["));
    assert_no_secret(&out);
}

#[test]
fn labels_inside_a_redacted_hash_still_render() {
    let mut fx = fixture();
    // Point into the middle of the hash, where the redacted text has `…` and padding.
    let d = &mut fx.diagnostics[0];
    d.primary.span.start += 12;
    d.primary.span.end = d.primary.span.start + 2;
    let out = render(&fx.findings(), HumanOptions::default());
    assert!(out.contains("this hash"), "{out}");
    assert_no_secret(&out);
}
