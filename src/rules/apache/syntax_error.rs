//! AP001: configuration text httpd cannot read.

use super::common::{diag, htaccess_ignored, rejected_consequence};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::ProblemKind;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP001",
        name: "apache-syntax-error",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "a section that is not closed, closed by the wrong tag, or missing its `>`",
        doc: r#"## What it does
Reads every configuration file and `.htaccess` the way httpd 2.4 does (`ap_cfg_getline`,
`ap_getword_conf`, `ap_build_config`) and reports what httpd rejects: a `<Section>` that
is never closed, a `</Section>` that closes a different section than the one open, a
closing tag with no opening one, and a section line missing its `>`.

## Why is this bad?
In the main configuration httpd refuses to start, and `apachectl graceful` keeps running the
old configuration, so the change you think you deployed is not live. In a `.htaccess` every
request to that directory and below answers **500 Internal Server Error**.

## Example
```apache
<Directory "/var/www/admin">
    Require valid-user
</Location>
```

## Use instead
```apache
<Directory "/var/www/admin">
    Require valid-user
</Directory>
```

## References
- https://httpd.apache.org/docs/2.4/configuring.html#syntax
- httpd source: `server/config.c` (`ap_build_config_sub`)
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        // A `.htaccess` under AllowOverride None is never read: its syntax does not matter.
        let htaccess = m
            .scopes
            .iter()
            .enumerate()
            .filter(|(i, _)| !htaccess_ignored(m, *i))
            .flat_map(|(_, s)| s.htaccess_errors.iter());
        for p in m
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Syntax)
            .chain(htaccess)
        {
            let mut d =
                diag(&RULE.info, p.span, p.message.clone()).label(rejected_consequence(m, p.span));
            for (span, msg) in &p.related {
                d = d.with_secondary(*span, msg.clone());
            }
            out.push(
                d.help("close every `<Section …>` with a matching `</Section>` on its own line"),
            );
        }
    }
}
