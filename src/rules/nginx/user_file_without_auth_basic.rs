//! NX009: a user file with no realm in effect anywhere.

use super::common::{Places, diag};
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
        doc: r#"## What it does
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
        let used: std::collections::HashSet<Span> =
            m.user_files.iter().map(|u| u.directive).collect();
        let mut groups: Vec<(Span, Span, Places)> = Vec::new();
        let mut index: std::collections::HashMap<Span, usize> = std::collections::HashMap::new();
        for (s, scope) in m.scopes() {
            let settings = scope.settings();
            let Some(file) = &settings.user_file else {
                continue;
            };
            if used.contains(&file.directive) || settings.auth_basic.is_some() {
                continue;
            }
            let i = *index.entry(file.directive).or_insert_with(|| {
                groups.push((file.directive, file.arg, Places::default()));
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
                        "auth_basic_user_file with no auth_basic realm in effect: {} answers 200 without a password",
                        places.text()
                    ),
                )
                .label("nginx never reads this file")
                .help("add `auth_basic \"Restricted\";` beside it"),
            );
        }
    }
}
