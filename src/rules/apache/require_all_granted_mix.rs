//! AP014: `Require all granted` beside `Require valid-user`.

use super::common::{ReportedOnce, area_label, diag, live_areas};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::ContainerKind;
use crate::model::apache::{OpenWhy, Outcome, needs_user_any_case};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP014",
        name: "require-all-granted-mix",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Require all granted` beside a `Require` that needs a login, in one implicit RequireAny",
        doc: r#"## What it does
Finds `Require all granted` in the same implicit `<RequireAny>` (several `Require` lines
outside a container, or inside `<RequireAny>`) as `Require valid-user`, `user` or `group`.

## Why is this bad?
Several `Require` lines mean "any one of them is enough". `all granted` is always true, so
**everyone gets in without a password (200)** and the login line does nothing.

## Example
```apache
<Directory "/var/www/html/admin">
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/.htpasswd
    Require all granted
    Require valid-user
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
- https://httpd.apache.org/docs/2.4/mod/mod_authz_core.html#logic
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        let s = &m.scopes[a.scope];
        let in_any = |c: &[(ContainerKind, crate::source::Span)]| {
            c.last().is_none_or(|(k, _)| *k == ContainerKind::Any)
        };
        // Two passes over the scope's lines, rather than a list of its `Require`s per area.
        let reqs = || {
            s.directives
                .iter()
                .filter(|d| d.dir.is("Require") && !d.conditional && in_any(&d.containers))
        };
        let granted = reqs().find(|d| {
            d.dir.arg(0).is_some_and(|p| p.eq_ignore_ascii_case("all"))
                && d.dir
                    .arg(1)
                    .is_some_and(|v| v.eq_ignore_ascii_case("granted"))
        });
        let login = reqs().find(|d| d.dir.arg(0).is_some_and(needs_user_any_case));
        let (Some(g), Some(l)) = (granted, login) else {
            continue;
        };
        // The outcome last: the directives above rule out most areas more cheaply.
        if a.outcome(m, "GET") != Outcome::Open(OpenWhy::Granted) {
            continue;
        }
        if g.containers.last().map(|c| c.1) != l.containers.last().map(|c| c.1) {
            continue;
        }
        if !once.first(g.dir.span, "") {
            continue;
        }
        out.push(
            diag(
                &RULE.info,
                g.dir.span,
                format!("`Require all granted` beside `{} {}`: any one is enough, so {} is open to everyone (200, no login)", l.dir.name, l.dir.raw_args, area_label(m, a)),
            )
            .label("always true")
            .with_secondary(l.dir.span, "never needed")
            .help("delete `Require all granted` (or wrap both in `<RequireAll>` if you meant \"and\")"),
        );
    }
}
