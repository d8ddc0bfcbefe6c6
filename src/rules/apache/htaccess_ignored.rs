//! AP017: a `.htaccess` with auth directives that httpd never reads.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::HtaccessVerdict;
use crate::model::apache::{AUTH_DIRECTIVES, ScopeKind};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP017",
        name: "htaccess-ignored",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "auth directives in a `.htaccess` where `AllowOverride None` makes httpd ignore the file",
        doc: r#"## What it does
Finds every `.htaccess` under a DocumentRoot or `<Directory>`, works out the
`AllowOverride` in effect for its directory (only non-regex `<Directory>` sections count;
the 2.4 default is `None`), and reports auth directives in a file httpd does not read.

## Why is this bad?
With `AllowOverride None` httpd never opens the `.htaccess`: the directory is served
**without a password (200)** and nothing is logged. The file looks like protection and is not.

## Example
```apache
<Directory /var/www/>
    AllowOverride None
</Directory>
# /var/www/html/private/.htaccess: AuthType Basic … Require valid-user
```

## Use instead
```apache
<Directory /var/www/html/private>
    AllowOverride AuthConfig
</Directory>
```
or move the auth directives into that `<Directory>` section and drop the `.htaccess`.

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#allowoverride
- https://httpd.apache.org/docs/2.4/howto/htaccess.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for a in &m.areas {
            let s = &m.scopes[a.scope];
            if s.kind != ScopeKind::Htaccess {
                continue;
            }
            let Some((_, HtaccessVerdict::Ignored { allow_override })) =
                a.config.htaccess.iter().find(|(i, _)| *i == a.scope)
            else {
                continue;
            };
            let Some(first) = s
                .directives
                .iter()
                .find(|d| AUTH_DIRECTIVES.iter().any(|n| d.dir.is(n)))
            else {
                continue;
            };
            let mut d = diag(
                &RULE.info,
                first.dir.span,
                format!(
                    "httpd never reads this .htaccess (AllowOverride None for {}): the directory is served without a password",
                    s.pattern
                ),
            )
            .label("ignored");
            match allow_override {
                Some(r) => d = d.with_secondary(m.dir(*r).dir.span, "AllowOverride in effect"),
                None => {
                    d = d.with_secondary(
                        first.dir.name_span,
                        "no AllowOverride applies here: the default is None",
                    )
                }
            }
            out.push(d.help(format!(
                "add `AllowOverride AuthConfig` to a `<Directory \"{}\">` section in the server configuration",
                s.pattern
            )));
        }
    }
}
