//! PW007 duplicate-user: a later entry for a user is never read.

use super::common::{PwFile, server_names};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::model::passwd::{ApacheRead, NginxRead, apache_view, nginx_view};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, LineKind};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW007",
        name: "duplicate-user",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "A user appears twice: the first entry wins, the later one is dead",
        doc: r#"## What it does
Finds a user (in digest files: a user in a realm) that has more than one entry, as each server
reads the file.

## Why is this bad?
Apache and nginx both stop at the *first* matching line. A line appended later — typically a
password change done by hand or by a script that appends — is never read: the new password
gets **401** and the old one keeps working. Both lines are shown.

## Example
```text
alice:$apr1$old…
bob:$2y$10$…
alice:$2y$10$new…
```

## Use instead
Keep one entry per user (`htguard user set` changes the password in place):
```text
alice:$2y$10$new…
bob:$2y$10$…
```
`htguard check --fix` drops the shadowed later line (which changes nothing on the servers);
decide yourself which password is right.

## References
- Apache `mod_authn_file` and nginx `ngx_http_auth_basic_module` return the first match.
"#,
    },
    check,
};

/// (first line, dead line) → servers that see the pair.
type Pairs = BTreeMap<(usize, usize), Vec<Server>>;

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let mut pairs = Pairs::new();
        let digest = f.has_role(PasswdRole::Digest) && !f.has_role(PasswdRole::Basic);
        let uniform = !f.any_line_has(
            Facts::LEADING_WS
                | Facts::BOM
                | Facts::TRAILING_BACKSLASH
                | Facts::NUL
                | Facts::INNER_CR
                | Facts::DOUBLED_COLON,
        ) && !f.lines().iter().any(|l| {
            l.kind() == LineKind::NoColon || crate::model::passwd::apache_line_too_long(l)
        });
        if uniform {
            // Nothing on any line makes the servers read a user name differently:
            // one pass over the syntax stands for both views.
            let keys = f.lines().iter().enumerate().filter_map(|(i, l)| {
                let user = l.user()?;
                match l.kind() {
                    LineKind::Basic if !digest => Some((KeyText::InFile(user), i)),
                    LineKind::Digest if digest => {
                        let realm = f.bytes(l.field2()?);
                        let key = [f.bytes(user), b":", realm].concat();
                        Some((KeyText::Own(Cow::Owned(key)), i))
                    }
                    LineKind::Basic | LineKind::Digest => Some((KeyText::InFile(user), i)),
                    _ => None,
                }
            });
            let readers = if digest {
                vec![Server::Apache]
            } else {
                f.user_file_servers().to_vec()
            };
            let mut one = Pairs::new();
            collect(f.src, keys, f.lines().len(), Server::Apache, &mut one);
            for (k, _) in one {
                pairs.insert(k, readers.clone());
            }
        } else if f.user_file_servers().contains(&Server::Apache) {
            let keys = apache_view(&f.input.parsed, f.src).filter_map(|rec| match rec.read {
                ApacheRead::Entry(e) => {
                    let key: Cow<'_, [u8]> = if digest {
                        Cow::Owned([e.user.as_bytes(), b":", e.second.as_bytes()].concat())
                    } else {
                        e.user.text
                    };
                    Some((KeyText::Own(key), rec.first_line))
                }
                _ => None,
            });
            collect(f.src, keys, f.lines().len(), Server::Apache, &mut pairs);
        }
        if !uniform && f.basic_servers().contains(&Server::Nginx) {
            let keys = nginx_view(&f.input.parsed, f.src).filter_map(|rec| match rec.read {
                NginxRead::Entry { user, .. } => Some((KeyText::Own(user.text), rec.line)),
                _ => None,
            });
            collect(f.src, keys, f.lines().len(), Server::Nginx, &mut pairs);
        }
        let all = f.user_file_servers();
        for ((first, dead), servers) in pairs {
            let (Some(l1), Some(l2)) = (f.lines().get(first), f.lines().get(dead)) else {
                continue;
            };
            let name = f.user_of(l2);
            let same = f.bytes(l1.content()) == f.bytes(l2.content());
            let n = servers.len();
            let mut d = Diagnostic::new(
                &RULE.info,
                f.line_span(l2),
                format!(
                    "`{name}` is defined again: {} use{s} the entry on line {} and never read{s} this one",
                    server_names(&servers),
                    first + 1,
                    s = if n == 1 { "s" } else { "" },
                ),
            )
            .label("never read")
            .with_secondary(f.line_span(l1), "this entry wins")
            .help(if same {
                "remove the repeated line".to_string()
            } else {
                format!(
                    "keep one entry for `{name}`: remove the line whose password is wrong (`htguard user set` edits in place)"
                )
            })
            .servers(&servers);
            if same {
                d = d.severity(Severity::Warning);
            }
            // Dropping the dead line changes nothing only if every server sees it as dead.
            if servers[..] == all[..] {
                d = d.fix(f.fix(
                    format!("drop the shadowed entry for `{name}` on line {}", dead + 1),
                    vec![(l2.range(), &b""[..])],
                ));
            }
            out.push(d);
        }
    }
}

/// A user name as a key: where it is in the file, or bytes of its own (a digest file's
/// `user:realm`, or a name as one server's view reads it).
enum KeyText<'a> {
    InFile(Range<usize>),
    Own(Cow<'a, [u8]>),
}

/// Record each later line with the first line of its key. Sorts 20-byte (hash, line, key
/// range) rows instead of the keys, after dropping the rows whose hash cannot repeat.
/// `check` of the 1,000,000-line file of benches/ (benches/compare.sh, task passwd-check,
/// CPU median and peak RSS): a hash map from each key to its first line takes 242 ms and
/// 154 MB, sorting every key's 64-bit hash with its index 196 ms and 152 MB, this 157 ms
/// and 109 MB. `capacity` is an upper bound on the number of keys (the file's line
/// count): the rows are allocated once, as growing a big vector leaves its old blocks behind.
fn collect<'a>(
    src: &'a [u8],
    keys: impl Iterator<Item = (KeyText<'a>, usize)>,
    capacity: usize,
    server: Server,
    pairs: &mut Pairs,
) {
    let mut arena: Vec<u8> = Vec::new();
    // (hash, line, key): key is a range in `src` or, for keys of their own, in `arena`.
    let mut rows: Vec<(u32, u32, Key)> = Vec::with_capacity(capacity);
    for (key, line) in keys {
        let (hash, k) = match key {
            KeyText::InFile(r) => (
                hash32(src.get(r.clone()).unwrap_or_default()),
                Key::Src(r.start as u32, r.len() as u32),
            ),
            KeyText::Own(b) => {
                let at = arena.len();
                arena.extend_from_slice(&b);
                (hash32(&b), Key::Arena(at as u32, b.len() as u32))
            }
        };
        rows.push((hash, line as u32, k));
    }
    keep_repeated_buckets(&mut rows);
    // Parallel on big files; equal hashes are put in line order below, so the result
    // does not depend on how the sort split the work.
    rayon::slice::ParallelSliceMut::par_sort_unstable_by_key(&mut rows[..], |r| r.0);
    let bytes = |k: &Key| -> &[u8] {
        match *k {
            Key::Src(s, l) => src.get(s as usize..(s + l) as usize).unwrap_or_default(),
            Key::Arena(s, l) => arena.get(s as usize..(s + l) as usize).unwrap_or_default(),
        }
    };
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        if group.len() < 2 {
            continue;
        }
        // Equal hashes: group by the real bytes (a collision is not a duplicate),
        // in line order (the first line wins).
        let mut group = group.to_vec();
        group.sort_unstable_by_key(|r| r.1);
        let mut firsts: Vec<(&[u8], u32)> = Vec::new();
        for (_, line, key) in &group {
            let k = bytes(key);
            match firsts.iter().find(|(b, _)| *b == k) {
                Some((_, first)) => pairs
                    .entry((*first as usize, *line as usize))
                    .or_default()
                    .push(server),
                None => firsts.push((k, *line)),
            }
        }
    }
}

/// Drop the rows whose hash cannot repeat, before sorting: two bit sets over the top
/// bits of the hash (about 16 buckets per row) mark buckets seen once and seen again;
/// rows with equal hashes share a bucket, so every group of equal hashes survives whole.
/// A file of distinct users then sorts a few percent of its rows instead of all.
fn keep_repeated_buckets(rows: &mut Vec<(u32, u32, Key)>) {
    if rows.len() < 1024 {
        return;
    }
    let buckets = (rows.len() * 16).next_power_of_two().min(1 << 31);
    let shift = 32 - buckets.trailing_zeros();
    let bucket = |h: u32| (h >> shift) as usize;
    let mut seen = vec![0u64; buckets / 64];
    let mut again = vec![0u64; buckets / 64];
    for r in rows.iter() {
        let b = bucket(r.0);
        let bit = 1u64 << (b % 64);
        if seen[b / 64] & bit != 0 {
            again[b / 64] |= bit;
        }
        seen[b / 64] |= bit;
    }
    rows.retain(|r| {
        let b = bucket(r.0);
        again[b / 64] & (1u64 << (b % 64)) != 0
    });
}

/// A hash for grouping (collisions are checked byte for byte). 32 bits keep the rows
/// small; the top bits are the best spread.
fn hash32(key: &[u8]) -> u32 {
    use std::hash::BuildHasher;
    (foldhash::fast::FixedState::default().hash_one(key) >> 32) as u32
}

#[derive(Clone, Copy)]
enum Key {
    Src(u32, u32),
    Arena(u32, u32),
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run, run_with};
    use super::*;
    use crate::target::Profile;

    #[test]
    fn flags_the_later_line_and_labels_both() {
        let src = b"alice:$apr1$a$old\nbob:x\nalice:$apr1$a$new\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Apache, Server::Nginx]);
        assert!(d[0].message.contains("entry on line 1"), "{}", d[0].message);
        assert_eq!(d[0].secondary.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(apply_fix(src, &d[0]), b"alice:$apr1$a$old\nbob:x\n");
    }

    #[test]
    fn servers_differ_on_indented_duplicates() {
        // Apache trims `  alice`; nginx sees two different users.
        let d = run(&RULE, b"alice:x\n  alice:y\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Apache]);
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn digest_duplicates_are_per_realm() {
        let src = b"u:r1:0123456789abcdef0123456789abcdef\nu:r2:0123456789abcdef0123456789abcdef\n";
        let uses = [(Server::Apache, PasswdRole::Digest)];
        assert!(run_with(&RULE, src, &uses, &Profile::default()).is_empty());
        let dup = b"u:r1:0123456789abcdef0123456789abcdef\nu:r1:0123456789abcdef0123456789abcdef\n";
        let d = run_with(&RULE, dup, &uses, &Profile::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn finds_duplicates_among_many_users() {
        // Enough lines for the bucket pre-filter to run.
        let mut src = Vec::new();
        for i in 0..5000 {
            src.extend_from_slice(format!("user{i}:x\n").as_bytes());
        }
        src.extend_from_slice(b"user42:y\nuser4999:x\n");
        let d = run(&RULE, &src);
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message.contains("entry on line 43"),
            "{}",
            d[0].message
        );
        assert!(
            d[1].message.contains("entry on line 5000"),
            "{}",
            d[1].message
        );
    }

    #[test]
    fn passes_unique_users() {
        assert!(run(&RULE, b"alice:x\nbob:x\nAlice:x\n").is_empty());
    }
}
