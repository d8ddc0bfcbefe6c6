//! PW013 bcrypt-cost: bcrypt cost too low to protect, or too high for Basic auth.

use super::common::{PwFile, bcrypt_head, clean_basic_hash};
use crate::diag::{Diagnostic, Severity};
use crate::hash::{self, Kind, Strength};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW013",
        name: "bcrypt-cost",
        family: Family::Passwd,
        severity: Severity::Warning,
        summary: "bcrypt cost below 10, or so high that every request waits over ~250 ms",
        doc: r#"## What it does
Reads the cost of each bcrypt hash (`$2y$NN$`) and flags a cost below 10, and a cost whose
verification takes more than about 250 ms.

## Why is this bad?
A low cost makes a leaked file cheap to crack. A high one is paid on *every request*: Basic
auth sends the password each time and both servers re-run bcrypt (no session), for every page,
image and API call, for every user. Each step doubles the time: cost 10 is ~60 ms, 13 is
~500 ms, and a handful of parallel requests can saturate the CPU.

## Example
```text
alice:$2y$05$…
bob:$2y$14$…
```

## Use instead
```text
alice:$2y$10$…
```
(`htguard user set --cost 10 FILE alice`)

## References
- Apache `htpasswd -B -C` (default cost 5, valid 4 to 17); htguard's default cost is 10.
- Both servers verify the hash on every request: each request with a login costs
  2^cost rounds of bcrypt.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if f.basic_servers().is_empty() && f.basic_readers(ctx.profile).is_empty() {
            continue;
        }
        let census = f.input.hashes(f.src);
        for (i, line) in f.lines().iter().enumerate() {
            // The census knows each line's scheme: only bcrypt entries are read again.
            if !census
                .judged(i, line, f.src)
                .is_some_and(|j| matches!(*j.kind, Kind::Bcrypt { .. }))
            {
                continue;
            }
            let Some((range, h)) = clean_basic_hash(line, f.src) else {
                continue;
            };
            let Some((_, cost)) = bcrypt_head(h) else {
                continue;
            };
            // A sane cost needs no closer look (a malformed hash is PW001's finding).
            if cost.is_some_and(|c| c >= 10 && hash::bcrypt_request_ms(c) <= hash::SLOW_REQUEST_MS)
            {
                continue;
            }
            let info = hash::identify(h);
            if !matches!(info.kind, Kind::Bcrypt { .. }) {
                continue;
            }
            let reason = match hash::strength(&info) {
                Strength::Weak(r) | Strength::Legacy(r) | Strength::Slow(r) => r,
                _ => continue,
            };
            // Point at the cost digits: `$2y$` is 4 bytes.
            let cost = range.start + 4..(range.start + 6).min(range.end);
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(cost),
                    format!("`{}`: {reason}", f.user_of(line)),
                )
                .label("bcrypt cost")
                .help(format!(
                    "re-hash at cost 10: `htguard user set --cost 10 FILE {}`",
                    f.user_of(line)
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run;
    use super::*;

    #[test]
    fn flags_low_and_high_costs() {
        let d = run(
            &RULE,
            b"a:$2y$05$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\nb:$2y$14$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n",
        );
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("cost 5"), "{}", d[0].message);
        assert!(d[1].message.contains("cost 14"), "{}", d[1].message);
    }

    #[test]
    fn passes_cost_10() {
        assert!(
            run(
                &RULE,
                b"a:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n"
            )
            .is_empty()
        );
    }
}
