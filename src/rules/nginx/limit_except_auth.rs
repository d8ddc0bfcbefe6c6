//! NX014: auth inside (or undone by) `limit_except` leaves methods open.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX014",
        name: "nginx-limit-except-leaves-methods-open",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "auth_basic only inside `limit_except`: the listed methods (GET, HEAD) stay open",
        doc: r#"## What it does
Compares, for each location with a `limit_except` block, the protection of the methods
the block lists (they use the location's settings) with that of every other method (they
use the block's settings), and reports when one side asks for a password and the other
does not.

## Why is this bad?
`limit_except GET { ... }` means "for every method **except** GET (and HEAD)". Putting
`auth_basic` inside it protects POST, PUT, DELETE... and leaves **GET and HEAD open**:
everyone can read what the password was meant to hide (observed: GET 200 without
credentials, POST 401). The opposite (`auth_basic off` inside `limit_except`) opens all
the other methods.

## Example
```nginx
location /admin/ {
    limit_except GET {
        auth_basic "Admin";
        auth_basic_user_file /etc/nginx/.htpasswd;
    }
}
```

## Use instead
Protect the location, and use `limit_except` for what it is for — restricting methods:
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
    limit_except GET { deny all; }
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#limit_except
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        for s in &m.servers {
            for l in &s.locations {
                let Some(le) = &l.limit_except else { continue };
                let listed = l.settings.asks_password();
                let others = le.settings.asks_password();
                if listed == others {
                    continue;
                }
                let mut methods: Vec<String> =
                    le.methods.iter().map(|m| m.to_ascii_uppercase()).collect();
                if methods.iter().any(|m| m == "GET") && !methods.iter().any(|m| m == "HEAD") {
                    methods.push("HEAD".into());
                }
                let (open, protected) = if others {
                    (
                        methods.join(", "),
                        format!("methods other than {}", methods.join(", ")),
                    )
                } else {
                    (
                        "every method except ".to_string() + &methods.join(", "),
                        methods.join(", "),
                    )
                };
                let mut d = diag(
                    &RULE.info,
                    le.span,
                    format!(
                        "in {}, only {protected} need a password: {open} need none",
                        l.describe()
                    ),
                )
                .label(format!("settings inside apply to methods other than {}", methods.join(", ")))
                .help(format!(
                    "move auth_basic and auth_basic_user_file out of limit_except into {} {{ ... }}",
                    l.describe()
                ));
                if let Some(a) = le.settings.auth_basic.as_ref().filter(|_| others) {
                    d = d.with_secondary(a.directive, "applies only to the methods not listed");
                }
                out.push(d);
            }
        }
    }
}
