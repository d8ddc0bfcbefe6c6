//! NX004: the worker user cannot read the user file.

use super::common::{diag, files_named};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::perms;
use crate::rules::{Context, Family, Rule, RuleInfo};
use std::path::Path;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX004",
        name: "nginx-user-file-unreadable",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "the nginx worker user cannot read the user file: 500 for every login",
        doc: r#"## What it does
Checks, with the Unix permission bits of the file and of every directory above it,
whether the nginx **worker** user can open each `auth_basic_user_file` in effect. The
worker user is the `user` directive of nginx.conf (`www-data` when absent, as in
Debian's package; `--server-user` overrides). Its uid and groups are read from the
target system's `/etc/passwd` and `/etc/group` (under `--root` when given).

## Why is this bad?
The master process runs as root, but requests are served by the workers: a file that
root can read and the worker cannot (`0600 root:root`, a `0700` directory above it)
passes `nginx -t` and every reload. Each request with credentials then gets
**500 Internal Server Error**, logged at `[crit]` as `open() "..." failed (13: Permission
denied)`. Requests without credentials still get the 401 prompt.

## Example
```console
$ ls -l /etc/nginx/.htpasswd
-rw------- 1 root root 44 /etc/nginx/.htpasswd
```

## Use instead
```console
$ chgrp www-data /etc/nginx/.htpasswd && chmod 0640 /etc/nginx/.htpasswd
```

## References
- https://nginx.org/en/docs/ngx_core_module.html#user
- nginx source: `ngx_http_auth_basic_handler` (open() error other than ENOENT → 500)
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let root = m.opts.root.as_deref();
        let Some(account) = perms::account(&m.user, root) else {
            continue;
        };
        let top = root.unwrap_or(Path::new("/"));
        let directories = crate::source::access::Directories::default();
        // One finding per file, however many directives name it.
        for g in files_named(m) {
            let u = &g.first;
            let f = &u.file.value;
            let Some(metadata) = g.on_disk else {
                continue;
            };
            let Err(denied) =
                perms::check_read(&f.local_path, metadata, &account, top, &directories)
            else {
                continue;
            };
            let mut d = diag(
                &RULE.info,
                u.file.arg,
                format!(
                    "worker user {} cannot read {}: nginx answers 500 to every request with credentials{}",
                    account.name,
                    f.server_path.display(),
                    g.others_text()
                ),
            )
            .label(format!("{}: {}", denied.path.display(), denied.reason))
            .help(if denied.path == f.local_path {
                format!(
                    "let the worker read it: chgrp {} {} && chmod 0640 {}   (protects {})",
                    account.name,
                    f.server_path.display(),
                    f.server_path.display(),
                    u.places.text()
                )
            } else {
                format!(
                    "let the worker enter the directory: chmod o+x {} (or move the file)",
                    denied.path.display()
                )
            });
            if let Some(span) = m.user_span {
                d = d.with_secondary(span, "the worker user");
            }
            out.push(g.label_others(d));
        }
    }
}
