//! NX003: the user file does not exist.

use super::common::{diag, files_named};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX003",
        name: "nginx-user-file-missing",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "auth_basic_user_file names a file that does not exist: 403 for every login",
        doc: r#"## What it does
Resolves each `auth_basic_user_file` that is in effect under an `auth_basic` realm
(relative paths against the conf prefix, `--root` applied) and reports the ones that do
not exist.

## Why is this bad?
`nginx -t` never opens the user file, so the mistake survives every reload. At request
time nginx answers a request without credentials with `401` (the login prompt appears
as usual), and every request *with* credentials — right or wrong — with
**403 Forbidden**, logging `open() "..." failed (2: No such file or directory)`.
No one can log in.

## Example
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;   # file never created
}
```

## Use instead
Create the file (and its first user) where nginx looks:
```console
$ htguard user add --create /etc/nginx/.htpasswd alice
```

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic_user_file
- nginx source: `ngx_http_auth_basic_handler` (ENOENT → `NGX_HTTP_FORBIDDEN`)
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
            // Links followed as nginx's open() follows them: a dangling link is missing.
            if g.on_disk.is_some() {
                continue;
            }
            let looked = if f.local_path == f.server_path {
                String::new()
            } else {
                format!(" (looked for {})", f.local_path.display())
            };
            let mut d = diag(
                &RULE.info,
                u.file.arg,
                format!(
                    "{} does not exist{looked}: nginx answers 403 to every request with credentials{}",
                    f.server_path.display(),
                    g.others_text()
                ),
            )
            .label(if f.relative {
                format!("relative to the conf prefix: {}", f.server_path.display())
            } else {
                "no such file".to_string()
            })
            .help(format!(
                "create it with a first user: htguard user add --create {} USER   (protects {})",
                f.server_path.display(),
                u.places.text()
            ));
            if let Some(r) = u.realm {
                d = d.with_secondary(
                    r,
                    "the login prompt still appears (401 without credentials)",
                );
            }
            out.push(g.label_others(d));
        }
    }
}
