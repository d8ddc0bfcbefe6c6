//! NX001: configuration nginx cannot read.

use crate::diag::{Diagnostic, Severity};
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
`unexpected end of file, expecting "}"`, `too long parameter`, ...

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

/// Emitted by the loader while reading files (`model::nginx::load`); nothing to add here.
fn check(_ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
