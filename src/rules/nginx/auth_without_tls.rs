//! NX017: Basic auth on a listener without TLS.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX017",
        name: "nginx-basic-auth-without-tls",
        family: Family::Nginx,
        severity: Severity::Warning,
        summary: "Basic auth on a server that listens without TLS: passwords cross the network in clear",
        doc: r#"## What it does
Reports servers that ask for a Basic password somewhere and accept plain HTTP on a
non-loopback address (`listen 80`, or no `listen` at all, which means `*:80`), unless the
server answers every request with an unconditional `return` (the usual redirect to
HTTPS) before auth runs.

## Why is this bad?
HTTP Basic sends `user:password` base64-encoded — readable — with every request. Anyone
on the path (Wi-Fi, a proxy, a compromised router) collects working passwords.

## Example
```nginx
server {
    listen 80;
    location /admin/ { auth_basic "Admin"; auth_basic_user_file /etc/nginx/.htpasswd; }
}
```

## Use instead
```nginx
server {
    listen 80;
    return 301 https://$host$request_uri;
}
server {
    listen 443 ssl;
    location /admin/ { auth_basic "Admin"; auth_basic_user_file /etc/nginx/.htpasswd; }
}
```

## References
- RFC 7617, section 4 (Security Considerations)
- https://nginx.org/en/docs/http/configuring_https_servers.html
"#,
    },
    check,
};

fn loopback(addr: &str) -> bool {
    addr.starts_with("127.")
        || addr.starts_with("[::1]")
        || addr.starts_with("unix:")
        || addr.starts_with("localhost")
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        for s in &m.servers {
            let protects = s.settings.asks_password()
                || s.locations.iter().any(|l| {
                    l.settings.asks_password()
                        || l.limit_except
                            .as_ref()
                            .is_some_and(|le| le.settings.asks_password())
                });
            if !protects || s.settings.returns.iter().any(|r| !r.conditional) {
                continue;
            }
            for l in &s.listens {
                if l.ssl || l.quic || loopback(&l.address) {
                    continue;
                }
                let (span, label) = match l.span {
                    Some(sp) => (sp, "plain HTTP"),
                    None => (s.span, "no listen: nginx listens on *:80, plain HTTP"),
                };
                out.push(
                    diag(
                        &RULE.info,
                        span,
                        format!(
                            "{} asks for Basic auth but listens on {} without TLS: passwords travel in clear text",
                            s.describe(),
                            l.address
                        ),
                    )
                    .label(label)
                    .help("serve the protected site on `listen 443 ssl;` and make port 80 only `return 301 https://$host$request_uri;`"),
                );
            }
        }
    }
}
