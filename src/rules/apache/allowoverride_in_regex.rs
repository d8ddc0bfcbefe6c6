//! AP019: AllowOverride in a regex `<Directory>`, which httpd ignores.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::ScopeKind;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP019",
        name: "allowoverride-in-regex",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`AllowOverride` inside `<DirectoryMatch>` or `<Directory ~>`, where httpd ignores it",
        doc: r#"## What it does
Reports `AllowOverride` (and `AllowOverrideList`) inside a regular-expression directory
section.

## Why is this bad?
httpd only honours AllowOverride in plain `<Directory>` sections. In `<DirectoryMatch>` or
`<Directory ~ …>` it has no effect: the `.htaccess` files it was meant to enable are
**ignored, and the directories they protect are open (200)** under the usual
`AllowOverride None` (Debian's stock `<Directory />`); where no AllowOverride is set at all,
httpd reads them but refuses their auth directives: 500.

## Example
```apache
<DirectoryMatch "^/var/www/sites/[^/]+/private">
    AllowOverride AuthConfig
</DirectoryMatch>
```

## Use instead
```apache
<Directory "/var/www/sites/*/private">
    AllowOverride AuthConfig
</Directory>
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#allowoverride
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for s in m
            .scopes
            .iter()
            .filter(|s| s.kind == ScopeKind::DirectoryMatch)
        {
            for d in s
                .directives
                .iter()
                .filter(|d| d.dir.is("AllowOverride") || d.dir.is("AllowOverrideList"))
            {
                out.push(
                    diag(
                        &RULE.info,
                        d.dir.span,
                        format!("{} in a regex directory section has no effect: the .htaccess files it means to enable are not read (AllowOverride None) or refused with 500 (AllowOverride never set)", d.dir.name),
                    )
                    .label("no effect here")
                    .with_secondary(s.head, "regex section")
                    .help("move it to a plain `<Directory \"/path\">` section (wildcards like `/var/www/*/private` are allowed there)"),
                );
            }
        }
    }
}
