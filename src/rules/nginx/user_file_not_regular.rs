//! NX005: the user file is a directory (or another non-file).

use super::common::{diag, files_named};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX005",
        name: "nginx-user-file-not-regular",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "auth_basic_user_file names a directory or special file: 500 for every login",
        doc: r#"## What it does
Reports an `auth_basic_user_file` in effect that is a directory, a FIFO, a socket or a
device rather than a regular file.

## Why is this bad?
nginx opens a directory without error, then fails to read it (`EISDIR`): every request
with credentials gets **500 Internal Server Error**. A FIFO blocks the worker. This
usually comes from a path missing its file name (`auth_basic_user_file /etc/nginx/;`)
or a deployment that created a directory where the file should be.

## Example
```nginx
auth_basic "Admin";
auth_basic_user_file /etc/nginx/htpasswd/;
```

## Use instead
```nginx
auth_basic "Admin";
auth_basic_user_file /etc/nginx/htpasswd/admin.htpasswd;
```

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic_user_file
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        // One finding per file, however many directives name it.
        for g in files_named(m) {
            let u = &g.first;
            let f = &u.file.value;
            let Some(meta) = g.on_disk else {
                continue;
            };
            if meta.is_file() {
                continue;
            }
            let what = if meta.is_dir() {
                "a directory"
            } else {
                "not a regular file"
            };
            out.push(
                g.label_others(
                    diag(
                        &RULE.info,
                        u.file.arg,
                        format!(
                            "{} is {what}: nginx answers 500 to every request with credentials{}",
                            f.server_path.display(),
                            g.others_text()
                        ),
                    )
                    .label(what)
                    .help(if meta.is_dir() {
                        format!(
                            "name the file inside it, e.g. auth_basic_user_file {}/.htpasswd;",
                            f.raw.trim_end_matches('/')
                        )
                    } else {
                        "point auth_basic_user_file at a regular htpasswd file".to_string()
                    }),
                ),
            );
        }
    }
}
