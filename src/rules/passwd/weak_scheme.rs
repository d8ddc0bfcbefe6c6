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

/// One entry with a weak or legacy hash.
struct Hit {
    range: std::ops::Range<usize>,
    user: String,
    scheme: String,
    reason: String,
    severity: Severity,
    shown: String,
}

/// How many more entries of a group get their own secondary label.
const MORE_LABELS: usize = 3;

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if f.basic_servers().is_empty() {
            continue;
        }
        let mut hits: Vec<Hit> = Vec::new();
        each_line(f.lines(), &mut hits, |line, hits| {
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
            hits.push(Hit {
                range,
                user: f.user_of(line),
                scheme: info.kind.label(),
                reason,
                severity,
                shown: redact_hash(&String::from_utf8_lossy(h)),
            });
        });
        // One finding per scheme and file: a file of 10,000 apr1 entries is one problem
        // with one fix (`rotate --weak`), not 10,000 findings.
        let mut schemes: Vec<&str> = Vec::new();
        for h in &hits {
            if !schemes.contains(&h.scheme.as_str()) {
                schemes.push(&h.scheme);
            }
        }
        for scheme in schemes {
            let group: Vec<&Hit> = hits.iter().filter(|h| h.scheme == scheme).collect();
            out.push(finding(&f, &group));
        }
    }
}

fn finding(f: &PwFile<'_>, group: &[&Hit]) -> Diagnostic {
    let first = group[0];
    if group.len() == 1 {
        return Diagnostic::new(
            &RULE.info,
            f.span(first.range.clone()),
            format!("`{}` uses {}: {}", first.user, first.scheme, first.reason),
        )
        .severity(first.severity)
        .label(format!("`{}`", first.shown))
        .help(format!(
            "re-hash with bcrypt: `htguard user set FILE {}`",
            first.user
        ));
    }
    let others = group.len() - 1;
    let mut d = Diagnostic::new(
        &RULE.info,
        f.span(first.range.clone()),
        format!(
            "{} entries use {} (`{}` first, {others} more): {}",
            group.len(),
            first.scheme,
            first.user,
            first.reason
        ),
    )
    .severity(first.severity)
    .label(format!("`{}`", first.shown))
    .help(
        "re-hash them with bcrypt: `htguard user rotate FILE --weak --output new.txt` \
         issues new passwords, or `htguard user set FILE USER` for each user"
            .to_string(),
    );
    for h in group.iter().skip(1).take(MORE_LABELS) {
        d = d.with_secondary(f.span(h.range.clone()), format!("also {}", h.scheme));
    }
    d
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
    fn one_finding_per_scheme_and_file() {
        let mut file = Vec::new();
        for i in 0..10 {
            file.extend_from_slice(
                format!("u{i}:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n").as_bytes(),
            );
        }
        file.extend_from_slice(b"x:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
        let d = run(&RULE, &file);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert!(
            d[0].message
                .starts_with("10 entries use $apr1$ (`u0` first, 9 more)")
        );
        assert_eq!(d[0].secondary.len(), MORE_LABELS);
        assert_eq!(d[1].severity, Severity::Warning);
        assert!(d[1].message.starts_with("`x` uses {SHA}"));
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
