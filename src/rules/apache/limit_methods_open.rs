//! AP015: `<Limit GET>` around `Require` leaves other methods open.

use super::common::{ReportedOnce, area_label, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::Outcome;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP015",
        name: "limit-leaves-methods-open",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Require` inside `<Limit>`: the methods not listed need no login",
        doc: r#"## What it does
Replays the request for GET, HEAD, POST, PUT, DELETE, PATCH and OPTIONS through the
`Require` lines in effect and reports a `<Limit>` that makes some methods ask for a login
while others are let through.

## Why is this bad?
`<Limit GET POST>` applies the `Require` inside it only to those methods. A request with any
other method skips authorization: **PUT, DELETE or OPTIONS get in without a password**.
Old tutorials put every auth block in `<Limit GET POST>`.

## Example
```apache
<Directory "/var/www/html/admin">
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/.htpasswd
    <Limit GET POST>
        Require valid-user
    </Limit>
</Directory>
```

## Use instead
```apache
    Require valid-user
```
(no `<Limit>`), or `<LimitExcept>` listing the methods that may skip the login.

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#limit
- https://httpd.apache.org/docs/2.4/mod/core.html#limitexcept
"#,
    },
    check,
};

const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        let s = &m.scopes[a.scope];
        let Some(limit) = s
            .directives
            .iter()
            .filter(|d| d.dir.is("Require"))
            .find_map(|d| d.limit.as_ref().filter(|l| !l.except))
        else {
            continue;
        };
        let mut asks = Vec::new();
        let mut open = Vec::new();
        for meth in METHODS {
            match a.outcome(m, meth) {
                Outcome::Challenge => asks.push(*meth),
                Outcome::Open(_) => open.push(*meth),
                _ => {}
            }
        }
        if asks.is_empty() || open.is_empty() {
            continue;
        }
        if !once.first(limit.span, "") {
            continue;
        }
        out.push(
            diag(
                &RULE.info,
                limit.span,
                format!(
                    "the login applies only to {}: {} under {} get in without a password",
                    asks.join(", "),
                    open.join(", "),
                    area_label(m, a)
                ),
            )
            .label("Require limited to these methods")
            .help("remove the `<Limit …>` and `</Limit>` lines around `Require` (or use `<LimitExcept>` for methods that may skip the login)"),
        );
    }
}
