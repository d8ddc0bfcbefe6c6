//! AP011: no htdigest entry has the AuthName realm.

use super::common::{Once, arg_span, diag, live_areas, passwd_at, value, where_};
use crate::diag::{Diagnostic, Severity};
use crate::model::passwd::{ApacheRead, apache_view};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;
use crate::syntax::passwd::FileKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP011",
        name: "digest-realm-mismatch",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "AuthType Digest where no entry of the htdigest file has the AuthName realm",
        doc: r#"# digest-realm-mismatch (AP011)

## What it does
For `AuthType Digest`, compares `AuthName` with the realm field of every line of the
htdigest file (`user:realm:hash`). The comparison is exact: case and spaces count.

## Why is this bad?
mod_auth_digest looks users up by (user, realm). With no entry in the AuthName realm every
login answers **401** (AH01790 "user not found in realm"), and the hash itself depends on the
realm, so the entries cannot simply be renamed.

## Example
```apache
AuthType Digest
AuthName "Private"
AuthUserFile /etc/apache2/users.htdigest   # alice:private:…
```

## Use instead
```apache
AuthName "private"
```
or re-create the entries: `htdigest /etc/apache2/users.htdigest "Private" alice`.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_auth_digest.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = Once::default();
    for (m, a) in live_areas(ctx) {
        let (Some(uf), Some(an)) = (a.eff.user_file, a.eff.auth_name) else {
            continue;
        };
        if !a.eff.is_digest(m) || !a.eff.uses_file_provider(m) {
            continue;
        }
        let local = m.local(&m.resolve(value(m, uf)));
        let Some(input) = passwd_at(ctx, &local) else {
            continue;
        };
        if input.parsed.kind() != FileKind::Digest {
            continue;
        }
        let realm = value(m, an);
        let src = &ctx.sources.get(input.file).bytes;
        let mut first_other = None;
        let mut matched = false;
        for rec in apache_view(&input.parsed, src) {
            if let ApacheRead::Entry(e) = &rec.read {
                if e.digest_realm().as_bytes() == realm.as_bytes() {
                    matched = true;
                    break;
                }
                if first_other.is_none() {
                    first_other = Some((
                        e.digest_realm().span.clone(),
                        e.digest_realm().lossy().into_owned(),
                    ));
                }
            }
        }
        if matched {
            continue;
        }
        let span = arg_span(m, an);
        if !once.first(span, &local.to_string_lossy()) {
            continue;
        }
        let mut d = diag(
            &RULE.info,
            span,
            format!(
                "no entry of {} has the realm \"{realm}\": every login under {} answers 401",
                local.display(),
                where_(m, a)
            ),
        )
        .label("the realm httpd looks users up in")
        .with_secondary(arg_span(m, uf), "this htdigest file");
        let help = match &first_other {
            Some((r, other)) => {
                d = d.with_secondary(
                    Span::new(input.file, r.start, r.end),
                    format!("realm \"{other}\""),
                );
                format!(
                    "set `AuthName \"{other}\"`, or re-create the users with `htdigest FILE \"{realm}\" USER`"
                )
            }
            None => format!("add users with `htdigest FILE \"{realm}\" USER`"),
        };
        out.push(d.help(help));
    }
}
