//! NX018: the upstream does not receive the credentials.

use super::common::{diag, scope_name};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX018",
        name: "nginx-upstream-authorization-dropped",
        family: Family::Nginx,
        severity: Severity::Info,
        summary: "a protected proxy/FastCGI location hides the Authorization header from the upstream",
        doc: r#"## What it does
In protected locations that pass requests on (`proxy_pass`, `fastcgi_pass`), reports
settings that keep the credentials from the application: `proxy_set_header
Authorization "";`, `fastcgi_param HTTP_AUTHORIZATION "";`, or
`proxy_pass_request_headers off` / `fastcgi_pass_request_headers off`.

## Why is this bad?
Often it is intended (the upstream should not see passwords). But an application that
reads the logged-in user from the header (PHP's `PHP_AUTH_USER`, frameworks doing their
own Basic check) then sees an anonymous request, and answers 401 or treats every user
alike. By default nginx passes the `Authorization` header to both proxies and FastCGI
(as `HTTP_AUTHORIZATION`); Debian's `fastcgi_params` also sets `REMOTE_USER`.

## Example
```nginx
location /app/ {
    auth_basic "App";
    auth_basic_user_file /etc/nginx/.htpasswd;
    proxy_set_header Authorization "";
    proxy_pass http://127.0.0.1:8080;
}
```

## Use instead
Pass the user name explicitly if the upstream needs it, or the header unchanged:
```nginx
    proxy_set_header X-Remote-User $remote_user;
```

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass_request_headers
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let mut done: std::collections::HashSet<Span> = std::collections::HashSet::new();
        for (s, scope) in m.scopes() {
            let settings = scope.settings();
            if !settings.asks_password() {
                continue;
            }
            let mut found: Vec<(Span, String)> = Vec::new();
            if settings.proxy_pass.is_some() {
                for h in settings.proxy_headers.iter() {
                    if h.value.0.eq_ignore_ascii_case("authorization") && h.value.1.is_empty() {
                        found.push((
                            h.directive,
                            "proxy_set_header Authorization \"\" removes the header".into(),
                        ));
                    }
                }
            }
            if settings.fastcgi_pass.is_some() {
                for p in settings.fastcgi_params.iter() {
                    if p.value.0 == "HTTP_AUTHORIZATION" && p.value.1.is_empty() {
                        found.push((
                            p.directive,
                            "fastcgi_param HTTP_AUTHORIZATION \"\" blanks it".into(),
                        ));
                    }
                }
            }
            if (settings.proxy_pass.is_some() || settings.fastcgi_pass.is_some())
                && let Some(off) = settings.request_headers_off
            {
                found.push((off, "request headers are not passed at all".into()));
            }
            for (span, what) in found {
                if done.contains(&span) {
                    continue;
                }
                done.insert(span);
                out.push(
                    diag(
                        &RULE.info,
                        span,
                        format!(
                            "the upstream never sees the credentials checked here: {what} ({})",
                            scope_name(s, &scope)
                        ),
                    )
                    .label("Authorization not forwarded")
                    .help("if the application needs the user, pass it: proxy_set_header X-Remote-User $remote_user; (or fastcgi_param REMOTE_USER $remote_user;)"),
                );
            }
        }
    }
}
