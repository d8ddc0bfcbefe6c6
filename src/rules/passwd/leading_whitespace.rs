//! PW005 leading-whitespace: blanks before the user name (nginx keeps them).

use super::common::PwFile;
use crate::diag::{Diagnostic, Server, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW005",
        name: "leading-whitespace",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Blanks before a user name: nginx makes them part of the name",
        doc: r#"## What it does
Finds entries indented with spaces or tabs in a file nginx reads for `auth_basic`.

## Why is this bad?
Apache trims each line before reading it, so the entry works there. nginx does not: the user
name is everything before the first `:`, leading spaces included, so the real user gets
**401** on nginx ("user ... was not found"). A line starting with a CR is skipped by nginx
altogether. Files that work on Apache break when the site moves to nginx.

## Example
```text
  alice:$2y$10$…
```

## Use instead
```text
alice:$2y$10$…
```
`htguard check --fix` removes the indentation.

## References
- nginx `ngx_http_auth_basic_handler` compares the line from its first byte.
- Apache `cfg_trim_line` removes leading and trailing whitespace.
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
            if line.kind() != LineKind::Basic || !line.has(Facts::LEADING_WS) {
                continue;
            }
            let ws = line.leading_ws(f.src);
            let name = f.user_of(line);
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(ws.clone()),
                    format!(
                        "nginx answers 401 for `{name}`: the user name includes the leading blanks (Apache trims them)"
                    ),
                )
                .label("part of the user name on nginx")
                .help("remove the indentation")
                .servers(&[Server::Nginx])
                .fix(f.fix("remove leading blanks", vec![(ws, &b""[..])])),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run, run_with};
    use super::*;
    use crate::model::PasswdRole;
    use crate::target::Profile;

    #[test]
    fn flags_indented_entries_for_nginx() {
        let src = b"  alice:$apr1$a$b\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Nginx]);
        assert!(d[0].message.starts_with("nginx answers 401 for `alice`"));
        assert_eq!(apply_fix(src, &d[0]), b"alice:$apr1$a$b\n");
    }

    #[test]
    fn passes_when_only_apache_reads_the_file() {
        let d = run_with(
            &RULE,
            b"  alice:$apr1$a$b\n",
            &[(Server::Apache, PasswdRole::Basic)],
            &Profile::default(),
        );
        assert!(d.is_empty());
        assert!(run(&RULE, b"alice:$apr1$a$b\n").is_empty());
    }
}
