//! AP010: `Require user X` where X is not in the user file.

use super::common::{Once, diag, live_areas, passwd_at, value, where_};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{DirectiveRef, RequireNode};
use crate::model::passwd::{
    ApacheRead, Lookup, apache_find_basic, apache_find_digest, apache_view,
};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP010",
        name: "require-user-unknown",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Require user X` where X is not in the AuthUserFile (or differs only in case)",
        doc: r#"## What it does
Looks every name of `Require user` up in the user file in effect, the way httpd reads it
(first entry wins; for Digest, the user must be in the AuthName realm). User names are
case-sensitive; a name that matches only when case is ignored is called out.

## Why is this bad?
That user can never log in: the password check fails for a name that is not in the file
(AH01618 "user not found"), so the login prompt returns forever. When it is the only name,
**nobody** gets in.

## Example
```apache
Require user Alice      # the file has `alice:$apr1$…`
```

## Use instead
```apache
Require user alice
```
or add the user: `htpasswd /etc/apache2/.htpasswd Alice`.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authz_user.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = Once::default();
    for (m, a) in live_areas(ctx) {
        let Some(uf) = a.config.user_file else {
            continue;
        };
        if !a.uses_file_provider(m) {
            continue;
        }
        // Most areas name no user: find the `Require user` lines before the file.
        let user_reqs: Vec<DirectiveRef> = a
            .config
            .requires()
            .into_iter()
            .filter_map(|n| match n {
                RequireNode::Req {
                    directive: r,
                    provider,
                    negate: false,
                    ..
                } if provider == "user" => Some(*r),
                _ => None,
            })
            .collect();
        if user_reqs.is_empty() {
            continue;
        }
        let shown = m.resolve(value(m, uf));
        let local = m.local(&shown);
        let Some(input) = passwd_at(ctx, &local) else {
            continue;
        };
        let src = &ctx.sources.get(input.file).bytes;
        let digest = a.is_digest(m);
        let realm = a.config.auth_name.map(|r| value(m, r)).unwrap_or("");
        for r in user_reqs {
            let req = &m.dir(r).dir;
            for arg in req.args.iter().skip(1) {
                let user = arg.value.as_str();
                let found = if digest {
                    apache_find_digest(&input.parsed, src, user.as_bytes(), realm.as_bytes())
                } else {
                    apache_find_basic(&input.parsed, src, user.as_bytes())
                };
                let stopped = match found {
                    Lookup::Found(_) => continue,
                    Lookup::NotFound { stopped_at } => stopped_at,
                };
                if !once.first(arg.span, &local.to_string_lossy()) {
                    continue;
                }
                let near = apache_view(&input.parsed, src).find_map(|rec| match &rec.read {
                    ApacheRead::Entry(e)
                        if e.user.lossy().eq_ignore_ascii_case(user)
                            && (!digest || e.digest_realm().as_bytes() == realm.as_bytes()) =>
                    {
                        Some((e.user.lossy().into_owned(), e.user.span.clone()))
                    }
                    _ => None,
                });
                let realm_note = if digest {
                    format!(" in realm \"{realm}\"")
                } else {
                    String::new()
                };
                let mut d = diag(
                    &RULE.info,
                    arg.span,
                    match &near {
                        Some((name, _)) => format!(
                            "user `{user}` is not in {}{realm_note}; `{name}` differs only in case (names are case-sensitive): `{user}` can never log in under {}",
                            shown.display(),
                            where_(m, a)
                        ),
                        None => format!(
                            "user `{user}` is not in {}{realm_note}: `{user}` can never log in under {}",
                            shown.display(),
                            where_(m, a)
                        ),
                    },
                )
                .label("not in the user file")
                .with_secondary(m.dir(uf).dir.args_span(), "the user file in effect");
                if let Some(l) = stopped.and_then(|line| input.parsed.line(line)) {
                    d = d.with_secondary(
                        Span::new(input.file, l.start(), l.content().end),
                        "httpd stops reading the file at this over-long line",
                    );
                }
                let help = match &near {
                    Some((name, span)) => {
                        d = d.with_secondary(
                            Span::new(input.file, span.start, span.end),
                            "this entry",
                        );
                        format!("write `Require user {name}`")
                    }
                    None if digest => {
                        format!("add it: `htdigest {} \"{realm}\" {user}`", shown.display())
                    }
                    None => format!("add it: `htpasswd {} {user}`", shown.display()),
                };
                out.push(d.help(help));
            }
        }
    }
}
