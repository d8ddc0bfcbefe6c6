//! NX008: a realm with no user file in effect.

use super::common::{Places, diag};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::Realm;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX008",
        name: "nginx-auth-basic-without-user-file",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "auth_basic with no auth_basic_user_file in effect: the area is open",
        doc: r#"## What it does
Finds every server, location and `limit_except` where an `auth_basic` realm is in effect
(set there or inherited) but no `auth_basic_user_file` is.

## Why is this bad?
nginx's auth_basic module does nothing unless **both** directives are in effect: the
area answers **200 to everyone**, with no login prompt, and `nginx -t` says nothing. The
two directives inherit independently, so this happens when the user file is set in a
sibling location, or removed at one level while the realm stays inherited.

## Example
```nginx
location /admin/ {
    auth_basic "Admin";
}
location /reports/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
```

## Use instead
Set the user file where both locations inherit it:
```nginx
server {
    auth_basic_user_file /etc/nginx/.htpasswd;
    location /admin/   { auth_basic "Admin"; }
    location /reports/ { auth_basic "Admin"; }
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html
- nginx source: `ngx_http_auth_basic_handler` (`realm == NULL || user_file == NULL` → declined)
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let mut groups: Vec<(Span, Span, Places)> = Vec::new();
        let mut index: std::collections::HashMap<Span, usize> = std::collections::HashMap::new();
        for (s, scope) in m.scopes() {
            let settings = scope.settings();
            let Some(realm) = &settings.auth_basic else {
                continue;
            };
            if realm.value == Realm::Off || settings.user_file.is_some() {
                continue;
            }
            let i = *index.entry(realm.directive).or_insert_with(|| {
                groups.push((realm.directive, realm.arg, Places::default()));
                groups.len() - 1
            });
            groups[i].2.add(s, scope);
        }
        for (_, arg, places) in groups {
            out.push(
                diag(
                    &RULE.info,
                    arg,
                    format!(
                        "auth_basic with no auth_basic_user_file in effect: {} answers 200 without a password",
                        places.text()
                    ),
                )
                .label("this realm protects nothing")
                .help("add `auth_basic_user_file /etc/nginx/.htpasswd;` beside it (or at the server level)"),
            );
        }
    }
}
