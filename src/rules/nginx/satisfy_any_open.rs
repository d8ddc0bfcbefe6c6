//! NX013: `satisfy any` with an allow that lets clients skip the password.

use super::common::{diag, scope_name};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::Settings;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX013",
        name: "nginx-satisfy-any-allows-everyone",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "`satisfy any` with `allow all` (or a very broad allow): no password needed",
        doc: r#"## What it does
Reports protected areas under `satisfy any;` whose allow/deny list lets every client in
(`allow all`, `allow 0.0.0.0/0`, `allow ::/0` before any `deny all`) — an error — or
allows a very broad network (IPv4 `/8` or wider, IPv6 `/32` or wider) — a warning.

## Why is this bad?
With `satisfy any`, nginx lets a request through when *either* the address check *or*
the password check passes. An `allow` that matches the client makes the password
irrelevant: with `allow all` everyone gets **200 without credentials**. The usual intent
is "office network without password, everyone else with": that needs a narrow `allow`
followed by `deny all`.

## Example
```nginx
location /admin/ {
    satisfy any;
    allow all;
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
```

## Use instead
```nginx
location /admin/ {
    satisfy any;
    allow 192.0.2.0/24;
    deny  all;
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#satisfy
- https://nginx.org/en/docs/http/ngx_http_access_module.html
"#,
    },
    check,
};

/// The first allow, before any `deny all`, of an IPv4 /8 (IPv6 /32) or wider.
fn broad_allow(settings: &Settings) -> Option<(Span, String)> {
    for r in settings.access.iter() {
        if !r.allow && r.what == "all" {
            return None;
        }
        if !r.allow {
            continue;
        }
        if let Some((addr, bits)) = r.what.split_once('/')
            && let Ok(bits) = bits.parse::<u32>()
        {
            let v6 = addr.contains(':');
            if bits <= if v6 { 32 } else { 8 } {
                return Some((r.span, r.what.clone()));
            }
        }
    }
    None
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let mut done: std::collections::HashSet<Span> = std::collections::HashSet::new();
        for (s, scope) in m.scopes() {
            let settings = scope.settings();
            let Some(satisfy) = settings.satisfy_any.as_ref().filter(|s| s.value) else {
                continue;
            };
            if settings.auth_basic.is_none() || settings.user_file.is_none() {
                continue;
            }
            let (span, what, severity) = if let Some(all) = settings.allow_all() {
                (all.span, all.what.clone(), Severity::Error)
            } else if let Some((span, what)) = broad_allow(settings) {
                (span, what, Severity::Warning)
            } else {
                continue;
            };
            if done.contains(&span) {
                continue;
            }
            done.insert(span);
            let who = if severity == Severity::Error {
                "every client".to_string()
            } else {
                format!("every client in {what}")
            };
            out.push(
                diag(
                    &RULE.info,
                    span,
                    format!(
                        "satisfy any + allow {what}: {who} gets in without a password ({})",
                        scope_name(s, &scope)
                    ),
                )
                .severity(severity)
                .label("this allow alone is enough")
                .with_secondary(satisfy.directive, "either check suffices")
                .help("allow only the networks that may skip the password, then `deny all;` — or use `satisfy all;`"),
            );
        }
    }
}
