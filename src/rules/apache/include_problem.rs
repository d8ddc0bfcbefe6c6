//! AP002: an `Include` httpd cannot follow.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::ProblemKind;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP002",
        name: "apache-include-problem",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Include` of a missing file, a wildcard that matches nothing, or an include cycle",
        doc: r#"## What it does
Follows `Include` and `IncludeOptional` as httpd does: a relative path is resolved against
**ServerRoot** (not the including file's directory), wildcards are expanded in sorted order,
a directory includes every file in it. It reports an `Include` whose file does not exist or
whose wildcard matches nothing, and a file that includes itself (directly or through others).

## Why is this bad?
`Include` of a missing file or an empty wildcard stops httpd from starting. An include cycle
makes httpd recurse until it gives up. Auth settings in the missing file are not in effect.
`IncludeOptional` silently includes nothing, which is only right when that is what you mean.

## Example
```apache
ServerRoot "/etc/apache2"
Include sites-enabled/*.conf   # an empty directory: httpd will not start
```

## Use instead
```apache
IncludeOptional sites-enabled/*.conf
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#include
- https://httpd.apache.org/docs/2.4/mod/core.html#includeoptional
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for p in &m.problems {
            let help = match p.kind {
                ProblemKind::IncludeMissing => format!(
                    "create the file, fix the path (relative paths start at ServerRoot {}), or use `IncludeOptional`",
                    m.server_root.display()
                ),
                ProblemKind::IncludeCycle => {
                    "remove the Include that leads back to a file already being read".into()
                }
                _ => continue,
            };
            out.push(
                diag(&RULE.info, p.span, p.message.clone())
                    .label("httpd refuses to start")
                    .help(help),
            );
        }
    }
}
