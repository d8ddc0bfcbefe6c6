//! NX006: a relative user-file path that resolves somewhere the author did not mean.

use super::common::{diag, file_uses};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use std::path::{Path, PathBuf};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX006",
        name: "nginx-user-file-relative-path",
        family: Family::Nginx,
        severity: Severity::Warning,
        summary: "relative auth_basic_user_file written outside the conf prefix resolves against the prefix",
        doc: r#"## What it does
Reports a relative `auth_basic_user_file` written in a file outside the conf prefix
directory (for example in `sites-enabled/` or `conf.d/`) when a file of that name sits
next to that config file: it says where nginx will really look. (A relative path that
simply names no file is reported by NX003, with the resolved path.)

## Why is this bad?
nginx resolves the path against the **conf prefix** (the directory of nginx.conf,
`/etc/nginx/` on Debian), never against the file that contains the directive.
`auth_basic_user_file .htpasswd;` in `/etc/nginx/sites-enabled/app` opens
`/etc/nginx/.htpasswd`, not `/etc/nginx/sites-enabled/.htpasswd`. If the prefix changes
(`nginx -p`, `-c` elsewhere, a container image) the same line names another file.

## Example
```nginx
# /etc/nginx/sites-enabled/app
auth_basic_user_file app.htpasswd;
```

## Use instead
```nginx
auth_basic_user_file /etc/nginx/app.htpasswd;
```

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic_user_file
  ("relative to the configuration prefix")
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        for u in file_uses(m) {
            let f = &u.file.value;
            if !f.relative {
                continue;
            }
            let written_in = &ctx.sources.get(u.file.directive.file).path;
            let dir = written_in
                .parent()
                .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()))
                .unwrap_or_default();
            let prefix_local = m.local(&m.prefix);
            let prefix_abs = std::path::absolute(&prefix_local).unwrap_or(prefix_local);
            if dir == prefix_abs {
                continue;
            }
            let beside: PathBuf = dir.join(&f.raw);
            let exists_here = f.local_path.exists();
            let exists_beside = beside.exists();
            // Only a file of that name next to the config makes the resolution a trap;
            // a missing file is NX003's finding (whose label names the resolved path).
            if !exists_beside {
                continue;
            }
            let note = if exists_here {
                format!(
                    "; {} next to this config is a different file nginx ignores",
                    beside.display()
                )
            } else {
                format!(
                    "; there is no file there, but there is {} next to this config: nginx will not use it",
                    beside.display()
                )
            };
            out.push(
                diag(
                    &RULE.info,
                    u.file.arg,
                    format!(
                        "relative path resolves against the conf prefix {}: nginx opens {}{note}",
                        m.prefix.display(),
                        f.server_path.display()
                    ),
                )
                .label(format!("= {}", f.server_path.display()))
                .help(format!(
                    "write the path absolute: auth_basic_user_file {};",
                    absolute_suggestion(
                        f.server_path.as_path(),
                        exists_here,
                        &beside,
                        exists_beside,
                        m
                    )
                )),
            );
        }
    }
}

/// The absolute path to suggest: the file that exists, preferring where nginx looks.
fn absolute_suggestion(
    server_path: &Path,
    exists_here: bool,
    beside: &Path,
    exists_beside: bool,
    m: &crate::model::nginx::NginxModel,
) -> String {
    if !exists_here && exists_beside {
        let shown = match &m.opts.root {
            Some(root) => beside
                .strip_prefix(std::path::absolute(root).unwrap_or_else(|_| root.clone()))
                .map(|r| Path::new("/").join(r))
                .unwrap_or_else(|_| beside.to_path_buf()),
            None => beside.to_path_buf(),
        };
        return shown.display().to_string();
    }
    server_path.display().to_string()
}
