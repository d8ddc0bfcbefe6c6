//! PW004 space-around-colon: blanks next to a field separator.

use super::common::{PwFile, server_names};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, LineKind};
use std::ops::Range;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW004",
        name: "space-around-colon",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Space or tab next to a `:` in an entry: the user or hash no longer matches",
        doc: r#"## What it does
Finds spaces or tabs right before or after the `:` that separates the user name from the hash
(and, in digest files, the realm from its neighbours).

## Why is this bad?
Both servers split the line at the colon and trim nothing inside it. In `alice: $2y$…` the hash
begins with a space, in `alice :$2y$…` the user name ends with one. Either way the entry never
matches and the user gets **401** on Apache and on nginx (observed with a space and with a tab).

## Example
```text
alice: $2y$10$…
bob :$apr1$…
```

## Use instead
```text
alice:$2y$10$…
bob:$apr1$…
```
`htguard check --fix` removes the blanks.

## References
- Apache `ap_getword(…, ':')` and nginx `ngx_http_auth_basic_handler` split at the first colon.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let servers = f.user_file_servers();
        if servers.is_empty() {
            continue;
        }
        for line in f.lines() {
            if !matches!(line.kind(), LineKind::Basic | LineKind::Digest) {
                continue;
            }
            let blank_colon = line.has(Facts::WS_AFTER_COLON)
                || line.has(Facts::WS_BEFORE_COLON)
                || (line.kind() == LineKind::Digest && digest_second_colon_ws(&f, line));
            if !blank_colon {
                continue;
            }
            let mut blanks: Vec<Range<usize>> = Vec::new();
            for colon in [
                line.colon1(),
                line.colon2().filter(|_| line.kind() == LineKind::Digest),
            ]
            .into_iter()
            .flatten()
            {
                let before = blank_run_before(f.src, colon, line.text_start());
                let after = blank_run_after(f.src, colon + 1, line.content().end);
                for r in [before, after] {
                    if !r.is_empty() {
                        blanks.push(r);
                    }
                }
            }
            let Some(first) = blanks.first().cloned() else {
                continue;
            };
            let name = f.user_of(line);
            let name = name.trim_end();
            let what = if line.has(Facts::WS_AFTER_COLON) {
                "the hash starts with a blank"
            } else if line.has(Facts::WS_BEFORE_COLON) {
                "the user name ends with a blank"
            } else {
                "the realm or hash has a blank next to the colon"
            };
            let n = servers.len();
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(first),
                    format!(
                        "{} answer{} 401 for `{name}`: {what}",
                        server_names(&servers),
                        if n == 1 { "s" } else { "" }
                    ),
                )
                .label("blank next to `:`")
                .help("remove the blanks around the colon")
                .servers(&servers)
                .fix(f.fix(
                    "remove blanks around `:`",
                    blanks.into_iter().map(|r| (r, &b""[..])).collect(),
                )),
            );
        }
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

fn blank_run_before(src: &[u8], colon: usize, floor: usize) -> Range<usize> {
    let mut s = colon;
    while s > floor && src.get(s - 1).copied().is_some_and(is_blank) {
        s -= 1;
    }
    s..colon
}

fn blank_run_after(src: &[u8], from: usize, end: usize) -> Range<usize> {
    let mut e = from;
    while e < end && src.get(e).copied().is_some_and(is_blank) {
        e += 1;
    }
    from..e
}

fn digest_second_colon_ws(f: &PwFile<'_>, line: &crate::syntax::passwd::Line) -> bool {
    line.colon2().is_some_and(|c| {
        !blank_run_before(f.src, c, line.text_start()).is_empty()
            || !blank_run_after(f.src, c + 1, line.content().end).is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_blanks_around_the_colon() {
        let src = b"alice: $apr1$a$b\nbob\t:$apr1$a$b\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message
                .contains("Apache and nginx answer 401 for `alice`: the hash starts")
        );
        assert!(
            d[1].message.contains("`bob`: the user name ends"),
            "{}",
            d[1].message
        );
        let fixed = apply_fix(&apply_fix(src, &d[1]), &d[0]);
        assert_eq!(fixed, b"alice:$apr1$a$b\nbob:$apr1$a$b\n");
    }

    #[test]
    fn digest_realm_blanks() {
        let src = b"u:realm :0123456789abcdef0123456789abcdef\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(
            apply_fix(src, &d[0]),
            b"u:realm:0123456789abcdef0123456789abcdef\n"
        );
    }

    #[test]
    fn passes_clean_lines_and_group_files() {
        assert!(run(&RULE, b"alice:$apr1$a$b\n").is_empty());
        assert!(run(&RULE, b"admins: alice bob\n").is_empty());
    }
}
