//! NX019: a site file checked on its own.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX019",
        name: "nginx-snippet-context",
        family: Family::Nginx,
        severity: Severity::Info,
        summary: "a server/site file checked without its nginx.conf: the assumptions used",
        doc: r#"## What it does
When htguard is given a single site file (`sites-enabled/app`, `conf.d/app.conf`)
instead of nginx.conf, it reads it as if it were included from `http {}` of a stock
nginx.conf, and says so: which conf prefix relative `auth_basic_user_file` and
`include` paths resolve against (the directory above `sites-enabled/`/`conf.d/`, else
the file's own directory, or `--prefix`), and which worker user must be able to read
the password files (`www-data`, or `--server-user`). A file holding only `location`
blocks is read as the body of one server.

## Why is this bad?
It is not: it is a note. Settings at the `http {}` level of the real nginx.conf
(`auth_basic` there, a `user` directive) are not seen, so a prediction may differ.

## Example
```console
$ htguard check /etc/nginx/sites-enabled/app
```

## Use instead
```console
$ htguard check /etc/nginx/nginx.conf
```
or pass `--prefix` and `--server-user` to state the context.

## References
- https://nginx.org/en/docs/ngx_core_module.html#user
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for a in ctx.nginx.iter().flat_map(|m| &m.assumptions) {
        out.push(
            diag(&RULE.info, a.span, a.message.clone())
                .label("read as if inside http { }")
                .help("check nginx.conf instead to use its real http-level settings, or pass --prefix / --server-user"),
        );
    }
}
