//! AP007: AuthType without AuthName.

use super::common::{ReportedOnce, area_label, arg_span, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::Outcome;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP007",
        name: "auth-name-missing",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`AuthType Basic`/`Digest` with no `AuthName` (realm) in effect",
        doc: r#"## What it does
Finds protected areas whose `AuthType` is Basic or Digest and where no `AuthName` is in
effect (none in the section, none inherited).

## Why is this bad?
mod_auth_basic and mod_auth_digest need the realm to build the challenge; without it they
log "need AuthName" and **every request answers 500**.

## Example
```apache
<Location "/admin">
    AuthType Basic
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
</Location>
```

## Use instead
```apache
<Location "/admin">
    AuthType Basic
    AuthName "Admin area"
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
</Location>
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_core.html#authname
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        let (Some(t), None) = (a.config.auth_type, a.config.auth_name) else {
            continue;
        };
        if !matches!(a.outcome(m, "GET"), Outcome::Error500(ref w) if w.contains("AuthName")) {
            continue;
        }
        let span = arg_span(m, t);
        if !once.first(span, "") {
            continue;
        }
        out.push(
            diag(
                &RULE.info,
                span,
                format!(
                    "AuthType without AuthName: every request under {} answers 500",
                    area_label(m, a)
                ),
            )
            .label("this AuthType needs a realm")
            .help("add `AuthName \"Restricted area\"` next to the AuthType"),
        );
    }
}
