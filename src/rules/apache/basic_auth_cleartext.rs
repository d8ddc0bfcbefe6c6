//! AP021: Basic auth on a server that is not TLS-only.

use super::common::{ReportedOnce, area_label, arg_span, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::Outcome;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP021",
        name: "basic-auth-cleartext",
        family: Family::Apache,
        severity: Severity::Warning,
        summary: "AuthType Basic on a server without `SSLEngine on`: passwords travel in clear text",
        doc: r#"## What it does
Reports areas that ask for a Basic login on a server (main server or `<VirtualHost>`)
without `SSLEngine on`.

## Why is this bad?
Basic auth sends the password base64-encoded — readable by anyone on the path — with every
request. Over plain HTTP it can be sniffed on any shared network.

## Example
```apache
<VirtualHost *:80>
    <Location /admin>
        AuthType Basic
        …
    </Location>
</VirtualHost>
```

## Use instead
Serve the area only over HTTPS and redirect HTTP:
```apache
<VirtualHost *:80>
    Redirect permanent / https://example.org/
</VirtualHost>
<VirtualHost *:443>
    SSLEngine on
    <Location /admin>
        AuthType Basic
        …
    </Location>
</VirtualHost>
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_auth_basic.html
- RFC 7617 §4 (Security Considerations)
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        if !a.is_basic() || m.servers[a.place.server].tls {
            continue;
        }
        if a.outcome(m, "GET") != Outcome::Challenge {
            continue;
        }
        let Some(t) = a.config.auth_type else {
            continue;
        };
        let span = arg_span(m, t);
        if !once.first(span, "") {
            continue;
        }
        let mut d = diag(
            &RULE.info,
            span,
            format!(
                "Basic auth for {} on a server without TLS: the password is sent in clear text",
                area_label(m, a)
            ),
        )
        .label("Basic credentials over plain HTTP");
        if let Some(v) = m.servers[a.place.server].span {
            d = d.with_secondary(v, "no `SSLEngine on` in this server");
        }
        out.push(d.help("serve this area from a `<VirtualHost *:443>` with `SSLEngine on`, and redirect port 80 to https"));
    }
}
