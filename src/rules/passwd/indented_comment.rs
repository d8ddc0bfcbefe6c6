//! PW020 indented-comment: `  # user:hash` is a live user on nginx.

use super::common::{PwFile, show};
use crate::diag::{Diagnostic, Server, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW020",
        name: "indented-comment",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Indented `#` line with a colon: nginx reads it as a user that can log in",
        doc: r#"## What it does
Finds comment lines indented with blanks that still contain a `:` — typically an entry
"disabled" by putting `#` in front of it.

## Why is this bad?
Apache trims the line and skips it as a comment. nginx checks only the *first byte* of a line
for `#`: `  # alice:$2y$…` is the user `  # alice` with a valid hash, and anyone who sends that
user name with the old password is **let in** (observed). The account you meant to disable is
still active on nginx.

## Example
```text
  # alice:$2y$10$…   (left by a colleague who "disabled" alice)
```

## Use instead
Delete the entry (`htguard user delete FILE alice`), or put the `#` in the first column:
```text
# alice:$2y$10$…
```
`htguard check --fix` removes the indentation.

## References
- nginx `ngx_http_auth_basic_handler`: `if (buf[i] == '#' ...)` only when `login == 0`.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if !f.basic_servers().contains(&Server::Nginx) {
            continue;
        }
        for line in f.lines() {
            if line.kind() != LineKind::Comment || !line.has(Facts::LEADING_WS) {
                continue;
            }
            let text = f.bytes(line.content());
            // A line starting with CR is skipped by nginx too.
            if text.first() == Some(&b'\r') {
                continue;
            }
            let Some(colon) = memchr::memchr(b':', text) else {
                continue;
            };
            let user = show(&text[..colon]);
            let ws = line.leading_ws(f.src);
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(ws.clone()),
                    format!(
                        "nginx reads this commented-out line as the user `{user}`: sending that name with the line's password logs in (Apache skips the line)"
                    ),
                )
                .label("nginx only skips `#` in the first column")
                .help("delete the line, or move the `#` to the first column")
                .servers(&[Server::Nginx])
                .fix(f.fix("remove the indentation before `#`", vec![(ws, &b""[..])])),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_an_indented_disabled_entry() {
        let src = b"   # alice:$apr1$a$b\nbob:x\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`   # alice`"), "{}", d[0].message);
        assert_eq!(apply_fix(src, &d[0]), b"# alice:$apr1$a$b\nbob:x\n");
    }

    #[test]
    fn passes_first_column_comments_and_plain_indented_notes() {
        assert!(run(&RULE, b"# alice:$apr1$a$b\n  # just a note\n").is_empty());
    }
}
