//! HG004: a file a server config names exists but htguard could not read it.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Family, Rule, RuleInfo};
use crate::source::Span;
use std::path::Path;

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
    check: super::emitted_by_engine,
};

/// The finding for `path`, pointing at the directive that names it.
pub fn diagnostic(path: &Path, directive: Span, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        &RULE.info,
        directive,
        format!("cannot read {}: {}", path.display(), describe(error)),
    )
    .label("this file could not be read, so its content is not checked")
    .help("run htguard as a user that can read the file, or check a copy with --root")
}

/// An I/O error in plain words, without the "(os error 13)" noise.
pub fn describe(error: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match error.kind() {
        PermissionDenied => "permission denied".into(),
        NotFound => "no such file".into(),
        IsADirectory => "is a directory".into(),
        _ => {
            let s = error.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    }
}
