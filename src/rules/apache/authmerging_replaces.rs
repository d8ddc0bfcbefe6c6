//! AP024: a nested `Require` that replaces a parent's login (AuthMerging Off).

use super::common::{ReportedOnce, area_label, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{RequireNode, RequireTree, needs_user};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP024",
        name: "authmerging-replaces-login",
        family: Family::Apache,
        severity: Severity::Warning,
        summary: "a `Require` in a nested section or `.htaccess` replaces the parent's login (AuthMerging Off)",
        doc: r#"## What it does
Replays how httpd merges `Require` from the outer to the inner sections. With `AuthMerging
Off` (the default) any `Require` in a nested section or child `.htaccess` **replaces** the
parent's. It reports an inner `Require` without a login that replaces an outer one with a
login.

## Why is this bad?
`Require ip 192.0.2.10` meant as "also from the office" removes the password for that
subtree: the office gets in without a login and everyone else gets 403 instead of a prompt;
`Require all granted` opens it to everyone.

## Example
```apache
<Directory /var/www/html/admin>
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
</Directory>
<Directory /var/www/html/admin/reports>
    Require ip 192.0.2.0/24
</Directory>
```

The same happens across section kinds: sections merge `<Directory>` → `<Files>` →
`<Location>`, so a `<Location "/"> Require all granted` replaces the `Require valid-user` of
every `<Directory>` below it — those areas are **open (200)**, reported as an error.

## Use instead
```apache
<Directory /var/www/html/admin/reports>
    AuthMerging And
    Require ip 192.0.2.0/24
</Directory>
```
(`AuthMerging Or` for "office or login").

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authz_core.html#authmerging
"#,
    },
    check,
};

/// Whether some `Require` in the tree can let a client in (anything but `all denied`).
fn can_grant(a: &RequireTree) -> bool {
    fn go(n: &RequireNode) -> bool {
        match n {
            RequireNode::Req { provider, args, .. } => {
                !(provider == "all"
                    && args
                        .first()
                        .is_some_and(|x| x.eq_ignore_ascii_case("denied")))
            }
            RequireNode::Group { children, .. } => children.iter().any(go),
        }
    }
    go(&a.root)
}

fn has_login(a: &RequireTree) -> bool {
    fn go(n: &RequireNode) -> bool {
        match n {
            RequireNode::Req {
                provider, negate, ..
            } => !negate && needs_user(provider),
            RequireNode::Group { children, .. } => children.iter().any(go),
        }
    }
    go(&a.root)
}

fn first_req(a: &RequireTree) -> Option<crate::model::apache::DirectiveRef> {
    fn go(n: &RequireNode) -> Option<crate::model::apache::DirectiveRef> {
        match n {
            RequireNode::Req { directive: r, .. } => Some(*r),
            RequireNode::Group { children, .. } => children.iter().find_map(go),
        }
    }
    go(&a.root)
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    replaced_by_later_section(ctx, out, &mut once);
    for (m, a) in live_areas(ctx) {
        let Some(new) = &a.config.authz else { continue };
        if has_login(new) || !can_grant(new) {
            continue;
        }
        for rep in &a.config.replaced {
            if rep.by_scope != a.scope || !has_login(&rep.old) {
                continue;
            }
            let (Some(nr), Some(or)) = (first_req(new), first_req(&rep.old)) else {
                continue;
            };
            let nd = &m.dir(nr).dir;
            if !once.first(nd.span, "") {
                continue;
            }
            let old_scope = &m.scopes[or.scope];
            out.push(
                diag(
                    &RULE.info,
                    nd.span,
                    format!(
                        "this `Require` replaces the login required by {} (AuthMerging Off): {} no longer asks for a password",
                        old_scope.describe(),
                        area_label(m, a)
                    ),
                )
                .label("replaces the parent's Require")
                .with_secondary(m.dir(or).dir.span, "no longer applies here")
                .help("add `AuthMerging And` (both must pass) or `AuthMerging Or` (either) to this section"),
            );
        }
    }
}

/// An area's own login `Require` that a section merged after it (a `<Location>` over a
/// `<Directory>`, a `<Files>` …) replaces, leaving the area open.
fn replaced_by_later_section(
    ctx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    once: &mut ReportedOnce,
) {
    for (m, a) in live_areas(ctx) {
        // Few areas replace a login: look for that before computing the outcome.
        let Some(rep) = a
            .config
            .replaced
            .iter()
            .find(|r| r.old.scopes.contains(&a.scope) && has_login(&r.old))
        else {
            continue;
        };
        if !a.outcome(m, "GET").is_open() {
            continue;
        }
        let Some(final_scope) = a
            .config
            .authz
            .as_ref()
            .and_then(|z| z.scopes.last().copied())
        else {
            continue;
        };
        if final_scope == a.scope {
            continue;
        }
        let Some(own) = m.scopes[a.scope]
            .directives
            .iter()
            .find(|d| d.dir.is("Require") && !d.conditional)
        else {
            continue;
        };
        if !once.first(own.dir.span, "later") {
            continue;
        }
        let by = &m.scopes[final_scope];
        let _ = rep;
        out.push(
            diag(
                &RULE.info,
                own.dir.span,
                format!(
                    "{} is merged after this section and its `Require` replaces this one (AuthMerging Off): {} is open to everyone (200, no login)",
                    by.describe(),
                    area_label(m, a)
                ),
            )
            .severity(crate::diag::Severity::Error)
            .label("replaced, never evaluated")
            .with_secondary(by.head, "its Require wins")
            .help(format!(
                "narrow or remove the `Require` in {}, or add `AuthMerging And` to it so both must pass",
                by.describe()
            )),
        );
    }
}
