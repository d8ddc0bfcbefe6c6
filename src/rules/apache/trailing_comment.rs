//! AP009: a `# comment` after a directive.

use super::common::{diag, htaccess_ignored, rejected_consequence};
use crate::diag::{Diagnostic, Edit, Fix, Severity};
use crate::model::apache::arity_error;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP009",
        name: "trailing-comment",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "a `# comment` after a directive's arguments (Apache has only whole-line comments)",
        doc: r#"## What it does
Finds an unquoted word starting with `#` after a directive's arguments. Apache has no
trailing comments: only a line that *starts* with `#` is a comment, so `# users` becomes two
more arguments.

## Why is this bad?
For a one-argument directive such as `AuthUserFile`, `AuthType` or `AuthName`, httpd
reports "takes one argument": the main configuration **will not start**, and in a
`.htaccess` every request to that directory answers **500**. For list directives such as
`Require user` the comment words silently become more user names (reported as a warning).

## Example
```apache
AuthUserFile /etc/apache2/.htpasswd   # managed by ops
```

## Use instead
```apache
# managed by ops
AuthUserFile /etc/apache2/.htpasswd
```

## References
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
                let Some(hash) = d
                    .dir
                    .args
                    .iter()
                    .position(|a| !a.quoted && a.value.starts_with('#'))
                else {
                    continue;
                };
                let first = &d.dir.args[hash];
                let last = d.dir.args.last().unwrap_or(first);
                if first.span.file != last.span.file {
                    continue;
                }
                let comment = Span::new(first.span.file, first.span.start, last.span.end);
                let (msg, label, sev) = match arity_error(&d.dir) {
                    Some(why) => (
                        format!(
                            "{why}: `{}` is read as more arguments, not a comment",
                            first.value
                        ),
                        rejected_consequence(m, comment),
                        Severity::Error,
                    ),
                    None => (
                        format!(
                            "`{}` and what follows are more arguments to {}, not a comment",
                            first.value, d.dir.name
                        ),
                        "read as arguments".to_string(),
                        Severity::Warning,
                    ),
                };
                let cut_from = if hash > 0 {
                    d.dir.args[hash - 1].span.end
                } else {
                    d.dir.name_span.end
                };
                let mut dg = diag(&RULE.info, comment, msg)
                    .label(label)
                    .severity(sev)
                    .help("move the comment to its own line above the directive");
                if cut_from <= comment.start && d.dir.name_span.file == comment.file {
                    dg = dg.fix(Fix {
                        description: "remove the trailing comment".into(),
                        edits: vec![Edit {
                            span: Span::new(comment.file, cut_from, comment.end),
                            replacement: Vec::new(),
                        }],
                    });
                }
                out.push(dg);
            }
        }
    }
}
