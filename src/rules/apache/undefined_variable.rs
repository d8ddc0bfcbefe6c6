//! AP003: `${VAR}` that nothing defines.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::ProblemKind;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP003",
        name: "apache-undefined-variable",
        family: Family::Apache,
        severity: Severity::Warning,
        summary: "`${VAR}` used in the configuration but never set with `Define`",
        doc: r#"## What it does
Substitutes `${VAR}` the way httpd does, from `Define` lines read so far and from the
environment Debian's `/etc/apache2/envvars` exports (`APACHE_RUN_USER`, `APACHE_LOG_DIR`, …),
and reports a variable that neither sets.

## Why is this bad?
httpd logs "Config variable ${VAR} is not defined" and keeps the text `${VAR}` literally, so
`AuthUserFile ${SECRETS}/users` opens a file named `${SECRETS}/users` under ServerRoot:
every login then answers 500.

## Example
```apache
AuthUserFile ${SECRETS}/htpasswd
```

## Use instead
```apache
Define SECRETS /etc/apache2/secrets
AuthUserFile ${SECRETS}/htpasswd
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#define
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for p in m
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UndefinedVariable)
        {
            out.push(
                diag(&RULE.info, p.span, p.message.clone())
                    .label("kept literally by httpd")
                    .help("add `Define NAME value` before this line, or export it in /etc/apache2/envvars"),
            );
        }
    }
}
