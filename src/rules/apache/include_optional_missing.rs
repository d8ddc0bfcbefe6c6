//! AP026: `IncludeOptional` of one file that does not exist.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::areas::place_for;
use crate::model::apache::merge::merge_at;
use crate::model::apache::{ApacheModel, Outcome, Problem, ProblemKind, ScopeKind};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP026",
        name: "include-optional-missing",
        family: Family::Apache,
        severity: Severity::Warning,
        summary: "`IncludeOptional` of one file that does not exist: httpd goes on without its directives, silently",
        doc: r#"## What it does
Reports an `IncludeOptional` that names one file (no wildcard) that does not exist, where
it was to supply directives. Inside a `<Directory>`, `<Location>` or `<Files>` section it
asks what httpd then answers there: a **warning** when the section is open to everyone
without the file's directives (200, no login), an **info** otherwise (and at server level).

## Why is this bad?
httpd ignores the missing file without a word, at start or in the error log. A section
whose protection was to come from that file (`IncludeOptional auth/admin.conf` inside
`<Location /admin>`) then serves everything under it to anyone, and nothing says so.
`IncludeOptional` is meant for wildcards that may match nothing (`conf.d/*.conf`).

## Example
```apache
<Location "/admin">
    IncludeOptional /etc/apache2/auth/admin.conf   # the file was never deployed
</Location>
```

## Use instead
```apache
<Location "/admin">
    Include /etc/apache2/auth/admin.conf           # httpd refuses to start without it
</Location>
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#includeoptional
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for p in &m.problems {
            if p.kind == ProblemKind::OptionalMissing {
                out.push(finding(m, p));
            }
        }
    }
}

fn finding(m: &ApacheModel, p: &Problem) -> Diagnostic {
    let help = "create the file, or use `Include` so that httpd refuses to start without it";
    let section = p.related.first().and_then(|(head, _)| {
        m.scopes
            .iter()
            .position(|s| s.head == *head && s.kind != ScopeKind::Server)
    });
    let Some(scope) = section else {
        return diag(&RULE.info, p.span, p.message.clone())
            .label("includes nothing")
            .help(help)
            .severity(Severity::Info);
    };
    let place = place_for(m, scope);
    let outcome = merge_at(m, &place).outcome(m, "GET");
    let s = &m.scopes[scope];
    let what = place
        .url
        .as_deref()
        .map(|u| format!("GET {u}"))
        .unwrap_or_else(|| "a request there".into());
    let (message, severity) = match outcome {
        Outcome::Open(_) => (
            format!(
                "{}: {} gets none of its directives and is open to everyone ({what} answers 200, no login)",
                p.message,
                s.describe()
            ),
            Severity::Warning,
        ),
        _ => (
            format!(
                "{}: {} gets none of its directives",
                p.message,
                s.describe()
            ),
            Severity::Info,
        ),
    };
    diag(&RULE.info, p.span, message)
        .label("includes nothing")
        .with_secondary(s.head, "served without the missing directives")
        .help(help)
        .severity(severity)
}
