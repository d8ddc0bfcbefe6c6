//! PW012 weak-scheme: hashes cracked quickly if the file leaks.

use super::census::{HashCensus, LISTED};
use super::common::{PwFile, clean_basic_hash, hash_label};
use crate::diag::{Diagnostic, Severity};
use crate::hash::{self, HashInfo, Kind, Strength};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::Line;

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
- Apache docs, "Password Formats" (misc/password_encryptions).
"#,
    },
    check,
};

/// One entry with a weak or legacy hash.
struct Hit<'a> {
    line: &'a Line,
    range: std::ops::Range<usize>,
}

/// The entries of one file that use one scheme: how many, and the first few to show.
/// Only a summary is kept, so a 1,000,000-entry apr1 file costs no memory per entry.
struct Group<'a> {
    kind: Kind,
    severity: Severity,
    count: usize,
    first: Vec<Hit<'a>>,
}

/// How many more entries of a group get their own secondary label.
const MORE_LABELS: usize = 3;

/// Lines per parallel task.
const LINES_PER_TASK: usize = 16 * 1024;

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    use rayon::prelude::*;
    let listed: Vec<Option<Severity>> = LISTED.iter().map(severity_of).collect();
    for f in PwFile::all(ctx) {
        if f.basic_servers().is_empty() && f.basic_readers(ctx.profile).is_empty() {
            continue;
        }
        let census = f.input.hashes(f.src);
        let per_chunk: Vec<Vec<Group<'_>>> = f
            .lines()
            .par_chunks(LINES_PER_TASK)
            .enumerate()
            .map(|(k, chunk)| {
                let mut groups = Vec::new();
                for (i, line) in chunk.iter().enumerate() {
                    let i = k * LINES_PER_TASK + i;
                    classify(&f, census, &listed, i, line, &mut groups);
                }
                groups
            })
            .collect();
        // Merge in line order, so "first" really is the first entries of the file.
        let mut groups: Vec<Group<'_>> = Vec::new();
        for chunk in per_chunk {
            for g in chunk {
                match groups.iter_mut().find(|x| x.kind == g.kind) {
                    Some(x) => {
                        x.count += g.count;
                        let room = (MORE_LABELS + 1).saturating_sub(x.first.len());
                        x.first.extend(g.first.into_iter().take(room));
                    }
                    None => groups.push(g),
                }
            }
        }
        // One finding per scheme and file: a file of 10,000 apr1 entries is one problem
        // with one fix (`rotate --weak`), not 10,000 findings.
        for g in &groups {
            out.push(finding(&f, g));
        }
    }
}

/// How a well-formed hash of `kind` is reported: bcrypt (PW013) and strong schemes not
/// at all. Past bcrypt, strength follows from the kind alone: judged once per kind.
fn severity_of(kind: &Kind) -> Option<Severity> {
    if matches!(kind, Kind::Bcrypt { .. }) {
        return None;
    }
    match hash::strength(&HashInfo::ok(kind.clone())) {
        Strength::Weak(_) => Some(Severity::Warning),
        Strength::Legacy(_) => Some(Severity::Info),
        _ => None,
    }
}

/// Add line `i` to its scheme's group if its hash is weak or legacy (`listed`: the
/// severity of each kind of [`LISTED`]).
fn classify<'a>(
    f: &PwFile<'a>,
    census: &HashCensus,
    listed: &[Option<Severity>],
    i: usize,
    line: &'a Line,
    groups: &mut Vec<Group<'a>>,
) {
    let Some(j) = census.judged(i, line, f.src) else {
        return;
    };
    if j.malformed {
        return; // unusable: PW001
    }
    let Some(severity) = j.index.map_or_else(|| severity_of(&j.kind), |k| listed[k]) else {
        return;
    };
    let group = match groups.iter().position(|g| g.kind == *j.kind) {
        Some(g) => {
            groups[g].count += 1;
            if groups[g].first.len() > MORE_LABELS {
                return;
            }
            g
        }
        None => {
            groups.push(Group {
                kind: j.kind.into_owned(),
                severity,
                count: 1,
                first: Vec::new(),
            });
            groups.len() - 1
        }
    };
    if let Some((range, _)) = clean_basic_hash(line, f.src) {
        groups[group].first.push(Hit { line, range });
    }
}

fn finding(f: &PwFile<'_>, g: &Group<'_>) -> Diagnostic {
    let first = &g.first[0];
    let hash_text = &f.src[first.range.clone()];
    let reason = match hash::strength(&hash::identify(hash_text)) {
        Strength::Weak(r) | Strength::Legacy(r) => r,
        _ => String::new(),
    };
    let user = f.user_of(first.line);
    let scheme = g.kind.label();
    let shown = hash_label(hash_text);
    if g.count == 1 {
        return Diagnostic::new(
            &RULE.info,
            f.span(first.range.clone()),
            format!("`{user}` uses {scheme}: {reason}"),
        )
        .severity(g.severity)
        .label(shown.clone())
        .help(format!(
            "re-hash with bcrypt: `htguard user set FILE {user}`"
        ));
    }
    let others = g.count - 1;
    let mut d = Diagnostic::new(
        &RULE.info,
        f.span(first.range.clone()),
        format!(
            "{} entries use {scheme} (`{user}` first, {others} more): {reason}",
            g.count
        ),
    )
    .severity(g.severity)
    .label(shown)
    .help(
        "re-hash them with bcrypt: `htguard user rotate FILE --weak --output new.txt` \
         issues new passwords, or `htguard user set FILE USER` for each user"
            .to_string(),
    );
    for h in g.first.iter().skip(1).take(MORE_LABELS) {
        d = d.with_secondary(f.span(h.range.clone()), format!("also {scheme}"));
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
    fn groups_merge_across_parallel_chunks_in_line_order() {
        let mut file = Vec::new();
        let n = LINES_PER_TASK * 2 + 5;
        for i in 0..n {
            file.extend_from_slice(
                format!("u{i}:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n").as_bytes(),
            );
        }
        let d = run(&RULE, &file);
        assert_eq!(d.len(), 1);
        let expected = format!("{n} entries use $apr1$ (`u0` first, {} more)", n - 1);
        assert!(d[0].message.starts_with(&expected), "{}", d[0].message);
        // The secondary labels are the next entries of the file: lines 2, 3 and 4.
        let starts: Vec<usize> = d[0].secondary.iter().map(|l| l.span.start).collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]));
        assert!(starts[2] < file.len() / n * 5, "{starts:?}");
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
