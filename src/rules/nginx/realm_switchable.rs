//! NX016: `auth_basic $var` that a request can turn into `off`.

use super::common::{diag, scope_name};
use super::user_file_variable::variables;
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::{NginxModel, Realm, client_controlled};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX016",
        name: "nginx-realm-switchable-off",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "`auth_basic $var` whose value can be `off`, chosen by the client",
        doc: r#"## What it does
Follows `auth_basic $variable` to the `map` and `set` directives that define the
variable. When one of them can produce `off`, auth is switched off for those requests;
when the map reads a value the client sends (`$http_*` headers, `$arg_*`, `$cookie_*`,
the URI, the Host), **any client** can switch it off — an error. Otherwise a warning
says which condition turns it off. A realm taken straight from a request variable is an
error too.

## Why is this bad?
nginx evaluates the realm per request, and a realm that evaluates to exactly `off`
disables auth_basic for that request (observed with a `map` on a request header). A
header such as `X-Internal: 1` is trivial to forge.

## Example
```nginx
map $http_x_internal $realm {
    default "Admin";
    1       off;
}
server {
    location /admin/ {
        auth_basic $realm;
        auth_basic_user_file /etc/nginx/.htpasswd;
    }
}
```

## Use instead
Decide on facts the client cannot forge — the address — with `satisfy any`:
```nginx
location /admin/ {
    satisfy any;
    allow 10.0.0.0/8;
    deny  all;
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic
- https://nginx.org/en/docs/http/ngx_http_map_module.html
"#,
    },
    check,
};

/// A way for a variable to become `off`: where, the condition, whether the client
/// controls it.
type OffSource = (Span, String, bool);

/// Every `map` value and `set` that makes a variable `off`, by variable name (found
/// once per configuration, not once per realm).
fn off_values(m: &NginxModel) -> HashMap<&str, Vec<OffSource>> {
    let mut by_variable: HashMap<&str, Vec<OffSource>> = HashMap::new();
    for map in &m.maps {
        let client = variables(&map.source).iter().any(|v| client_controlled(v));
        for (value, span) in &map.values {
            if value == "off" {
                let condition = format!("map {} yields off", map.source);
                let target = map.target.trim_start_matches('$');
                by_variable
                    .entry(target)
                    .or_default()
                    .push((*span, condition, client));
            }
        }
    }
    for set in &m.sets {
        let var = set.var.trim_start_matches('$');
        if set.value == "off" {
            let condition = format!("set ${var} off");
            by_variable
                .entry(var)
                .or_default()
                .push((set.span, condition, false));
        }
    }
    by_variable
}

/// How a variable can become `off`: set by the client, then the configuration's ways.
fn off_sources(off_values: &HashMap<&str, Vec<OffSource>>, var: &str) -> Vec<OffSource> {
    let mut out = Vec::new();
    if client_controlled(var) {
        out.push((
            Span::default(),
            format!("the client sets ${var} directly"),
            true,
        ));
    }
    out.extend(off_values.get(var).into_iter().flatten().cloned());
    out
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let off_values = off_values(m);
        let mut done: std::collections::HashSet<Span> = std::collections::HashSet::new();
        for (s, scope) in m.scopes() {
            let settings = scope.settings();
            let Some(realm) = &settings.auth_basic else {
                continue;
            };
            let Realm::Variable(text) = &realm.value else {
                continue;
            };
            if settings.user_file.is_none() || done.contains(&realm.directive) {
                continue;
            }
            done.insert(realm.directive);
            for var in variables(text) {
                for (span, how, client) in off_sources(&off_values, &var) {
                    let mut d = diag(
                        &RULE.info,
                        realm.arg,
                        if client {
                            format!(
                                "any client can switch this password check off: {how} ({})",
                                scope_name(s, &scope)
                            )
                        } else {
                            format!("auth is off whenever {how} ({})", scope_name(s, &scope))
                        },
                    )
                    .label("a realm of `off` disables auth_basic for the request")
                    .help("use a literal realm; let trusted addresses in with `satisfy any; allow NET; deny all;` instead");
                    if !client {
                        d = d.severity(Severity::Warning);
                    }
                    if span != Span::default() {
                        d = d.with_secondary(span, "produces `off`");
                    }
                    out.push(d);
                }
            }
        }
    }
}
