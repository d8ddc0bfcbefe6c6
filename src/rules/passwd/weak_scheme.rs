//! PW012 weak-scheme: hashes cracked quickly if the file leaks.

use super::common::{PwFile, bcrypt_head, clean_basic_hash, each_line};
use crate::diag::{Diagnostic, Severity, redact_hash};
use crate::hash::{self, Kind, Strength};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::LineKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW012",
        name: "weak-scheme",
        family: Family::Passwd,
        severity: Severity::Warning,
        summary: "Weak (DES, {SHA}, {SSHA}, plaintext) or legacy (apr1, MD5-crypt) hash scheme",
        doc: r#"## What it does
Finds entries hashed with a scheme that protects the password poorly if the file leaks:
DES crypt (only the first 8 characters count), unsalted `{SHA}`, `{SSHA}`, plaintext
(`{PLAIN}` or bare) — warnings — and the MD5-based `$apr1$` / `$1$` — info, as legacy.

## Why is this bad?
Password files leak through backups, misconfigured `Alias`es and repositories. A fast or
unsalted hash is cracked in seconds to hours on a GPU, and people reuse passwords. DES crypt
also silently ignores everything after the 8th character: `secret12` opens `secret12345`.

## Example
```text
alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=
bob:abJnggxhB/yWI
```

## Use instead
```text
alice:$2y$10$…
```
(`htguard user rotate --weak FILE` re-hashes every weak entry with new passwords.)

## References
- Apache docs, "Password Formats"; spec/passwd-files.md.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if f.basic_servers().is_empty() {
            continue;
        }
        each_line(f.lines(), out, |line, out| {
            if line.kind() != LineKind::Basic {
                return;
            }
            let Some((range, h)) = clean_basic_hash(line, f.src) else {
                return;
            };
            if bcrypt_head(h).is_some() {
                return; // PW013
            }
            let info = hash::identify(h);
            if matches!(info.kind, Kind::Bcrypt { .. }) {
                return;
            }
            let (severity, reason) = match hash::strength(&info) {
                Strength::Weak(r) => (Severity::Warning, r),
                Strength::Legacy(r) => (Severity::Info, r),
                _ => return,
            };
            let shown = redact_hash(&String::from_utf8_lossy(h));
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(range),
                    format!("`{}` uses {}: {reason}", f.user_of(line), info.kind.label()),
                )
                .severity(severity)
                .label(format!("`{shown}`"))
                .help(format!(
                    "re-hash with bcrypt: `htguard user set FILE {}`",
                    f.user_of(line)
                )),
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run;
    use super::*;

    #[test]
    fn flags_weak_and_legacy_schemes() {
        let d = run(
            &RULE,
            b"a:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\nb:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[1].severity, Severity::Info);
        assert!(!d[0].message.contains("5en6G6Mez"));
    }

    #[test]
    fn passes_strong_schemes() {
        assert!(
            run(
                &RULE,
                b"a:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n"
            )
            .is_empty()
        );
    }
}
