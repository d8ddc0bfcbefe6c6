//! NX009: a user file with no realm in effect anywhere.

use super::common::{diag, file_uses, places_text, scope_name};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX009",
        name: "nginx-user-file-without-auth-basic",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "auth_basic_user_file with no auth_basic realm in effect: nothing is protected",
        doc: r#"# nginx-user-file-without-auth-basic (NX009)

## What it does
Reports an `auth_basic_user_file` that is not accompanied by an `auth_basic` realm
anywhere it is in effect (and is not switched off on purpose with `auth_basic off`).

## Why is this bad?
Without a realm the auth_basic module does nothing: the area answers **200 to
everyone**, and `nginx -t` accepts it. A user file on its own looks like protection in a
review but is none.

## Example
```nginx
location /admin/ {
    auth_basic_user_file /etc/nginx/.htpasswd;
}
```

## Use instead
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let used: Vec<Span> = file_uses(m).iter().map(|u| u.file.directive).collect();
        let mut groups: Vec<(Span, Span, Vec<String>)> = Vec::new();
        for (s, scope) in m.scopes() {
            let conf = scope.conf();
            let Some(file) = &conf.user_file else {
                continue;
            };
            if used.contains(&file.directive) || conf.auth_basic.is_some() {
                continue;
            }
            let place = scope_name(s, &scope);
            match groups.iter_mut().find(|g| g.0 == file.directive) {
                Some(g) => g.2.push(place),
                None => groups.push((file.directive, file.arg, vec![place])),
            }
        }
        for (_, arg, places) in groups {
            out.push(
                diag(
                    &RULE.info,
                    arg,
                    format!(
                        "auth_basic_user_file with no auth_basic realm in effect: {} answers 200 without a password",
                        places_text(&places)
                    ),
                )
                .label("nginx never reads this file")
                .help("add `auth_basic \"Restricted\";` beside it"),
            );
        }
    }
}
