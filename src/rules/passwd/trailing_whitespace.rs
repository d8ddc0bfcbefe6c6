//! PW006 trailing-whitespace: blanks after the hash (nginx keeps them).

use super::common::PwFile;
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::passwd::{NginxRead, nginx_view};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW006",
        name: "trailing-whitespace",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Blanks after a hash: nginx makes them part of the hash",
        doc: r#"## What it does
Finds spaces or tabs after the hash of an entry in a file nginx reads for `auth_basic`.

## Why is this bad?
Apache trims each line, so the entry works there. nginx ends the hash only at `:`, CR or LF:
the blanks become part of the hash, the comparison fails, and the user gets **401** on nginx
("password mismatch"). Copying hashes from a web page or a chat often adds them.

## Example
```text
alice:$2y$10$… ␠␠
```

## Use instead
```text
alice:$2y$10$…
```
`htguard check --fix` removes the blanks.

## References
- nginx `ngx_http_auth_basic_handler`: the password field ends at `:`, CR or LF.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if !f.basic_servers().contains(&Server::Nginx)
            || !f.any_line_has(Facts::TRAILING_WS | Facts::INNER_CR)
        {
            continue;
        }
        for rec in nginx_view(&f.input.parsed, f.src) {
            let NginxRead::Entry { hash, .. } = &rec.read else {
                continue;
            };
            let Some(line) = f.lines().get(rec.line) else {
                continue;
            };
            if line.kind() != LineKind::Basic {
                continue;
            }
            let blanks = hash
                .as_bytes()
                .iter()
                .rev()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c'))
                .count();
            if blanks == 0 || blanks == hash.as_bytes().len() {
                continue;
            }
            let ws = hash.span.end - blanks..hash.span.end;
            let name = f.user_of(line);
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(ws.clone()),
                    format!(
                        "nginx answers 401 for `{name}`: the trailing blanks are part of the hash (Apache trims them)"
                    ),
                )
                .label("part of the hash on nginx")
                .help("remove the blanks after the hash")
                .servers(&[Server::Nginx])
                .fix(f.fix("remove trailing blanks", vec![(ws, &b""[..])])),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_blanks_after_the_hash() {
        let src = b"alice:$apr1$a$b \t\r\nbob:x\r\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("401 for `alice`"));
        assert_eq!(apply_fix(src, &d[0]), b"alice:$apr1$a$b\r\nbob:x\r\n");
    }

    #[test]
    fn passes_clean_lines_and_blanks_in_a_third_field() {
        assert!(run(&RULE, b"alice:$apr1$a$b\r\n").is_empty());
        assert!(run(&RULE, b"alice:$apr1$a$b:note  \n").is_empty());
    }
}
