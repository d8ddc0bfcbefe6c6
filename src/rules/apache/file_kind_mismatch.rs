//! AP010: AuthType Basic over an htdigest file, or Digest over an htpasswd file.

use super::common::{Once, arg_span, diag, live_areas, passwd_at, value, where_};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;
use crate::syntax::passwd::FileKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP010",
        name: "auth-file-kind-mismatch",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "AuthType Basic with an htdigest file, or AuthType Digest with an htpasswd file",
        doc: r#"# auth-file-kind-mismatch (AP010)

## What it does
Reads the file `AuthUserFile` names and compares its lines with the AuthType in effect:
`user:hash` lines (htpasswd) are for `AuthType Basic`, `user:realm:md5` lines (htdigest)
are for `AuthType Digest`.

## Why is this bad?
Nobody can log in: **401 for everyone**. With Basic over an htdigest file httpd takes the
realm as the hash (AH01617 password mismatch); with Digest over an htpasswd file it finds no
user in the realm (AH01790). Basic and Digest data cannot be mixed in one file.

## Example
```apache
AuthType Basic
AuthName "Staff"
AuthUserFile /etc/apache2/staff.htdigest   # made with htdigest
```

## Use instead
```apache
AuthType Digest
AuthName "Staff"
AuthUserFile /etc/apache2/staff.htdigest
```
or create an htpasswd file with `htpasswd -c /etc/apache2/staff.htpasswd alice`.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_auth_digest.html
- https://httpd.apache.org/docs/2.4/programs/htdigest.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = Once::default();
    for (m, a) in live_areas(ctx) {
        let (Some(uf), Some(t)) = (a.eff.user_file, a.eff.auth_type(m)) else {
            continue;
        };
        if !a.eff.uses_file_provider(m) || !(t == "basic" || t == "digest") {
            continue;
        }
        let local = m.local(&m.resolve(value(m, uf)));
        let Some(input) = passwd_at(ctx, &local) else {
            continue;
        };
        let kind = input.parsed.kind();
        let (bad, what, fix) = match (t.as_str(), kind) {
            ("basic", FileKind::Digest) => (
                true,
                "an htdigest file (user:realm:hash) used with AuthType Basic",
                "use `AuthType Digest`, or create an htpasswd file: `htpasswd -c FILE USER`",
            ),
            ("digest", FileKind::Basic) => (
                true,
                "an htpasswd file (user:hash) used with AuthType Digest",
                "use `AuthType Basic`, or create an htdigest file: `htdigest -c FILE \"REALM\" USER`",
            ),
            _ => (false, "", ""),
        };
        if !bad {
            continue;
        }
        let span = arg_span(m, uf);
        if !once.first(span, "") {
            continue;
        }
        let mut d = diag(
            &RULE.info,
            span,
            format!("{what}: every login under {} answers 401", where_(m, a)),
        )
        .label("this file")
        .help(fix);
        if let Some((_, line)) = input.parsed.entries().next() {
            d = d.with_secondary(
                Span::new(input.file, line.start(), line.content().end),
                "first entry",
            );
        }
        if let Some(at) = a.eff.auth_type {
            d = d.with_secondary(arg_span(m, at), "AuthType in effect");
        }
        out.push(d);
    }
}
