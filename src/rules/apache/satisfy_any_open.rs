//! AP016: `Satisfy Any` that lets everyone in.

use super::common::{ReportedOnce, area_label, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{OpenWhy, Outcome, RequireNode, needs_user};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP016",
        name: "satisfy-any-open",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Satisfy Any` with `Allow from all` (or no host rules): no login is asked",
        doc: r#"## What it does
Evaluates the 2.2-style access rules of mod_access_compat (`Order`, `Allow`, `Deny`,
`Satisfy`) in effect where a `Require` needs a login.

## Why is this bad?
`Satisfy Any` means "host rules **or** login". With `Allow from all` — or with no
`Order`/`Allow`/`Deny` at all, whose default allows everyone — the host rules always pass:
**everyone gets in without a password (200)**.

## Example
```apache
AuthType Basic
AuthName "Staff"
AuthUserFile /etc/apache2/.htpasswd
Require valid-user
Order allow,deny
Allow from all
Satisfy Any
```

## Use instead
```apache
AuthType Basic
AuthName "Staff"
AuthUserFile /etc/apache2/.htpasswd
Require valid-user
```
(2.4 syntax; for "office network or login" use `Require ip 192.0.2.0/24` beside
`Require valid-user`.)

## References
- https://httpd.apache.org/docs/2.4/mod/mod_access_compat.html#satisfy
- https://httpd.apache.org/docs/2.4/upgrading.html#access
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        // Without a Satisfy in effect there is no finding: skip the outcome.
        let Some(sat) = a.config.satisfy else {
            continue;
        };
        if a.outcome(m, "GET") != Outcome::Open(OpenWhy::SatisfyAny) {
            continue;
        }
        let wants_login = a
            .config
            .requires()
            .iter()
            .any(|n| matches!(n, RequireNode::Req { provider, .. } if needs_user(provider)));
        if !wants_login {
            continue;
        }
        let sd = &m.dir(sat).dir;
        if !once.first(sd.span, "") {
            continue;
        }
        let mut d = diag(
            &RULE.info,
            sd.span,
            format!(
                "`Satisfy Any` and the host rules let everyone in: {} is open (200, no login)",
                area_label(m, a)
            ),
        )
        .label("host rules OR login");
        let why = match a.config.allows.first() {
            Some(al) => {
                d = d.with_secondary(m.dir(*al).dir.span, "allows every client");
                "`Allow from all`"
            }
            None => "no Order/Allow/Deny (the default allows everyone)",
        };
        out.push(d.help(format!(
            "delete `Satisfy Any` (the host rules here are {why})"
        )));
    }
}
