//! HG004: a file a server config names exists but htguard could not read it.

use crate::diag::{Diagnostic, Severity};
use crate::model::FoundUnreadable;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "HG004",
        name: "unreadable-file",
        family: Family::Meta,
        severity: Severity::Error,
        summary: "A file to check exists but could not be read by htguard",
        doc: r#"## What it does
Reports a file htguard was to check that exists but that it could not read
(permission denied, an I/O error): a password, digest or group file a checked
Apache or nginx configuration names, a file named on the command line, or a file
met walking a directory without a server main config. Every check of that file's
content is skipped; the other files are still checked.

A file met in a directory whose name does not say what it is (only its content
could tell a password file from anything else) is reported as a warning: it may be
a file no server reads. A file whose name says it is not a config (a script, a
style sheet, an image) is not reported.

A file that does not exist at all is not reported here: that is a server finding
(the Apache and nginx rules say what the server answers).

## Why is this bad?
The check is incomplete: a BOM, a malformed hash or a missing user in that file
would lock users out, and htguard cannot see it. A clean result would be a false
all-clear, so this is an error by default.

## Example
```
$ htguard check /etc/apache2          # as a user who cannot read the file
/etc/apache2/.htpasswd: permission denied
```

## Use instead
Run the check as a user that can read the file (often `sudo`, or the server's
group), or check a copy (`--root` maps a staging tree). If the file is
deliberately out of reach, `--ignore HG004`.

## References
- `htguard check --help` (`--root`)
"#,
    },
    check,
};

/// One finding per unreadable file: at the first directive naming it, or at the file
/// itself when none does.
fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for file in ctx.unreadable {
        let message = format!(
            "cannot read {}: {}",
            file.path.display(),
            describe_kind(file.error, &file.message)
        );
        if let Some((first, others)) = file.directives.split_first() {
            let mut d = Diagnostic::new(&RULE.info, *first, message)
                .label("this file could not be read, so its content is not checked")
                .help(HELP);
            for span in others {
                d = d.with_secondary(*span, "also named here");
            }
            out.push(d);
        } else if let Some(found) = &file.found {
            out.push(found_unreadable(found, message));
        }
    }
}

const HELP: &str = "run htguard as a user that can read the file, or check a copy with --root";

/// A file named on the command line or met in a directory walk: an error when it is
/// known to be a file to check, a warning when only its content could have told. The
/// file is empty to htguard, so the message says it all.
fn found_unreadable(found: &FoundUnreadable, message: String) -> Diagnostic {
    let at = Span::new(found.file, 0, 0);
    let label = format!("{}: its content is not checked", found.why);
    match found.kind {
        Some(kind) => Diagnostic::new(&RULE.info, at, format!("{message} (its name says {kind})")),
        None if found.explicit => Diagnostic::new(&RULE.info, at, message),
        None => Diagnostic::new(
            &RULE.info,
            at,
            format!(
                "{message}; its name does not say whether it is a server config or a \
                 password file, and it was not checked"
            ),
        )
        .severity(Severity::Warning),
    }
    .label(label)
    .help(HELP)
}

/// An I/O error in plain words, without the "(os error 13)" noise.
pub fn describe(error: &std::io::Error) -> String {
    describe_kind(error.kind(), &error.to_string())
}

/// [`describe`] for an error kept as its kind and text.
fn describe_kind(kind: std::io::ErrorKind, message: &str) -> String {
    use std::io::ErrorKind::*;
    match kind {
        PermissionDenied => "permission denied".into(),
        NotFound => "no such file".into(),
        IsADirectory => "is a directory".into(),
        _ => match message.find(" (os error") {
            Some(i) => message[..i].to_lowercase(),
            None => message.to_string(),
        },
    }
}
