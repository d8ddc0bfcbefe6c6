//! NX001: configuration nginx cannot read.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::ProblemKind;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX001",
        name: "nginx-syntax-error",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "nginx configuration that nginx cannot parse",
        doc: r#"## What it does
Reads every nginx configuration file the way nginx's own tokenizer
(`ngx_conf_read_token`) does and reports the first syntax error of each file, worded as
nginx words it: `unexpected "}"`, `unexpected end of file, expecting ";" or "}"`,
`unexpected end of file, expecting "}"`, `too long parameter`, ..., and a directive
named as no nginx module names one (`unknown directive "2}$"`, the rest of an unquoted
regex with a `{`). It also reports what
nginx refuses once the blocks are read: `duplicate location "/a/"`, `a duplicate default
server for 127.0.0.1:80`, a location outside its parent or inside an exact or named one.

## Why is this bad?
nginx refuses to start or reload with a syntax error (`nginx -t` fails), and stops
reading the file at the error: htguard cannot say anything reliable about what follows
it either.

Common causes: a regex containing `{` or `;` that is not quoted (`location ~ ^/a{2}$`),
a missing `;`, a quote directly followed by another character (`"a"b`), an unbalanced
brace.

## Example
```nginx
location ~ ^/img/[0-9]{4}/ {
    root /srv/img;
}
```

## Use instead
```nginx
location ~ "^/img/[0-9]{4}/" {
    root /srv/img;
}
```

## References
- nginx source: `src/core/ngx_conf_file.c` (`ngx_conf_read_token`, `ngx_conf_parse`)
- https://nginx.org/en/docs/beginners_guide.html#conf_structure
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let problems = ctx.nginx.iter().flat_map(|m| &m.problems);
    for p in problems {
        let (label, help) = match p.kind {
            ProblemKind::Syntax => (
                "nginx stops reading the configuration here",
                "fix the syntax; `nginx -t` refuses to load this file",
            ),
            ProblemKind::Refused => (
                "nginx refuses this and does not start",
                "remove or rename the conflicting block; `nginx -t` refuses this configuration",
            ),
            _ => continue,
        };
        out.push(
            diag(&RULE.info, p.span, p.message.clone())
                .label(label)
                .help(help),
        );
    }
}
