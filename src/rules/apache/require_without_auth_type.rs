//! AP013: `Require valid-user` with no AuthType.

use super::common::{ReportedOnce, area_label, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{Outcome, RequireNode, needs_user};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP013",
        name: "require-without-auth-type",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Require valid-user`/`user`/`group` where no AuthType is in effect",
        doc: r#"## What it does
Finds areas whose `Require` needs a logged-in user while no `AuthType` is in effect.

## Why is this bad?
httpd cannot ask for a login without an AuthType: **every request answers 500** (AH00027
"No authentication done but request not allowed without authentication … Authentication
not configured?").

## Example
```apache
<Location "/admin">
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
</Location>
```

## Use instead
```apache
<Location "/admin">
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
</Location>
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_core.html#authtype
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        if !matches!(a.outcome(m, "GET"), Outcome::Error500(ref w) if w.contains("AH00027")) {
            continue;
        }
        let Some(RequireNode::Req { directive: r, .. }) = a
            .config
            .requires()
            .into_iter()
            .find(|n| matches!(n, RequireNode::Req { provider, .. } if needs_user(provider)))
        else {
            continue;
        };
        let d = &m.dir(*r).dir;
        if !once.first(d.span, "") {
            continue;
        }
        out.push(
            diag(&RULE.info, d.span, format!("`{} {}` needs a login but no AuthType is in effect: every request under {} answers 500", d.name, d.raw_args, area_label(m, a)))
                .label("needs an authenticated user")
                .help("add `AuthType Basic` and `AuthName \"…\"` to this section"),
        );
    }
}
