//! AP008: AuthName with unquoted spaces.

use super::common::{diag, htaccess_ignored, rejected_consequence};
use crate::diag::{Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP008",
        name: "auth-name-unquoted",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`AuthName` with several words and no quotes",
        doc: r#"## What it does
Finds `AuthName` lines whose realm has spaces but no quotes, so httpd reads several
arguments.

## Why is this bad?
`AuthName` takes exactly one argument. httpd reports "AuthName takes one argument": in the
main configuration the server **will not start**; in a `.htaccess` every request to that
directory answers **500**.

## Example
```apache
AuthName Members only
```

## Use instead
```apache
AuthName "Members only"
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_core.html#authname
- https://httpd.apache.org/docs/2.4/configuring.html#syntax
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for (si, s) in m.scopes.iter().enumerate() {
            if htaccess_ignored(m, si) {
                continue;
            }
            for d in &s.directives {
                if !d.dir.is("AuthName") || d.dir.args.len() < 2 {
                    continue;
                }
                // A `#` word is a trailing comment: AP009's finding.
                if d.dir
                    .args
                    .iter()
                    .skip(1)
                    .any(|a| !a.quoted && a.value.starts_with('#'))
                {
                    continue;
                }
                let span = d.dir.args_span();
                let words: Vec<&str> = d.dir.args.iter().map(|a| a.value.as_str()).collect();
                let realm = words.join(" ");
                let mut dg = diag(
                    &RULE.info,
                    span,
                    format!(
                        "AuthName takes one argument, but `{realm}` is {} words",
                        words.len()
                    ),
                )
                .label(rejected_consequence(m, span))
                .help(format!("quote the realm: AuthName \"{realm}\""));
                if !realm.contains(['"', '\\']) && span.file == d.dir.name_span.file {
                    dg = dg.fix(Fix {
                        description: "quote the realm".into(),
                        edits: vec![Edit {
                            span: Span::new(span.file, span.start, span.end),
                            replacement: format!("\"{realm}\"").into_bytes(),
                        }],
                    });
                }
                out.push(dg);
            }
        }
    }
}
