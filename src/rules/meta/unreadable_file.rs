//! HG004: a file a server config names exists but htguard could not read it.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "HG004",
        name: "unreadable-file",
        family: Family::Meta,
        severity: Severity::Error,
        summary: "A password file named by a config exists but could not be read by htguard",
        doc: r#"## What it does
Reports a password, digest or group file that a checked Apache or nginx
configuration names, that exists, but that htguard could not read (permission
denied, a directory, an I/O error). Every check of that file's content is skipped.

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

/// One finding per unreadable file, at the first directive naming it.
fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for file in ctx.unreadable {
        let Some((first, others)) = file.directives.split_first() else {
            continue;
        };
        let mut d = Diagnostic::new(
            &RULE.info,
            *first,
            format!(
                "cannot read {}: {}",
                file.path.display(),
                describe_kind(file.error, &file.message)
            ),
        )
        .label("this file could not be read, so its content is not checked")
        .help("run htguard as a user that can read the file, or check a copy with --root");
        for span in others {
            d = d.with_secondary(*span, "also named here");
        }
        out.push(d);
    }
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
