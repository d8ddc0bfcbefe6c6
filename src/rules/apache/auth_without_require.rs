//! AP012: auth directives with no `Require`.

use super::common::{ReportedOnce, area_label, arg_span, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{OpenWhy, Outcome, RequireNode};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP012",
        name: "auth-without-require",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "AuthType/AuthUserFile in a section with no `Require`: open where a parent grants, 500 otherwise",
        doc: r#"## What it does
Finds sections that set up authentication (`AuthType`, `AuthName`, `AuthUserFile`) but have
no `Require` of their own, and works out what the inherited authorization does there.

## Why is this bad?
`AuthType` alone does not protect anything; only `Require` asks for a login.
- Where an enclosing section grants access (the stock `<Directory /var/www/> Require all
  granted`), the area is **open: 200 without a password**, and nothing is logged.
- Where nothing is inherited, **every request answers 500** (AH01627 "AuthType configured
  with no corresponding authorization directives").
The finding says which of the two applies here.

## Example
```apache
<Directory "/var/www/html/admin">
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/.htpasswd
</Directory>
```

## Use instead
```apache
<Directory "/var/www/html/admin">
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
</Directory>
```

## References
- https://httpd.apache.org/docs/2.4/howto/auth.html
- https://httpd.apache.org/docs/2.4/mod/mod_authz_core.html#require
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        let s = &m.scopes[a.scope];
        if s.last("Require").is_some() {
            continue;
        }
        let Some(own) = s
            .last("AuthType")
            .or_else(|| s.last("AuthUserFile"))
            .or_else(|| s.last("AuthName"))
        else {
            continue;
        };
        if own.dir.is("AuthType")
            && own
                .dir
                .arg(0)
                .is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            continue;
        }
        let span = own.dir.span;
        let outcome = a.outcome(m, "GET");
        let d = match &outcome {
            Outcome::Error500(w) if w.contains("AH01627") => diag(
                &RULE.info,
                span,
                format!(
                    "authentication without any `Require`: nothing is inherited here either, so every request under {} answers 500 (AH01627)",
                    area_label(m, a)
                ),
            ),
            Outcome::Open(OpenWhy::Granted | OpenWhy::NoAuthz) => {
                let mut d = diag(
                    &RULE.info,
                    span,
                    format!(
                        "authentication without any `Require`: the inherited authorization lets everyone in, so {} is open (200, no login asked)",
                        area_label(m, a)
                    ),
                );
                if let Some(RequireNode::Req { directive: r, .. }) = a.config.requires().into_iter().find(|n| {
                    matches!(n, RequireNode::Req { provider, args, negate: false, .. } if provider == "all" && args.first().is_some_and(|x| x.eq_ignore_ascii_case("granted")))
                }) {
                    d = d.with_secondary(m.dir(*r).dir.span, "inherited from here");
                }
                d
            }
            _ => continue,
        };
        if !once.first(span, "") {
            continue;
        }
        let mut d = d
            .label("no Require in this section")
            .help("add `Require valid-user` to this section");
        if let Some(t) = a.config.auth_type
            && t.scope != a.scope
        {
            d = d.with_secondary(arg_span(m, t), "AuthType in effect");
        }
        out.push(d);
    }
}
