//! HG001: a suppression comment with no reason.

use super::suppression::Suppression;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "HG001",
        name: "suppression-without-reason",
        family: Family::Meta,
        severity: Severity::Warning,
        summary: "An inline `# htguard: ignore[...]` comment gives no reason",
        doc: r#"## What it does
Finds inline suppression comments (`# htguard: ignore[CODE]`) that do not say why
the finding is silenced.

## Why is this bad?
A suppression hides a finding from every later run. Without a reason, the next
person cannot tell whether it was a deliberate exception ("the legacy client only
sends DES") or a way to make CI pass, and cannot tell when it may be removed.

## Example
```
# htguard: ignore[PW010]
alice:$apr1$Zs3S2a8h$QZ2xE4JpX0rpd9EMRkWFl/
```

## Use instead
Write the reason after the closing bracket:
```
# htguard: ignore[PW010] kiosk firmware only speaks apr1, replaced in Q3
alice:$apr1$Zs3S2a8h$QZ2xE4JpX0rpd9EMRkWFl/
```

## References
- `htguard explain unused-suppression` (HG002)
- ShellCheck's `# shellcheck disable=` and ruff's `# noqa` follow the same idea.
"#,
    },
    check: super::emitted_by_engine,
};

/// The finding for a suppression comment without a reason.
pub fn diagnostic(s: &Suppression) -> Diagnostic {
    Diagnostic::new(&RULE.info, s.span, "suppression comment gives no reason")
        .label("no reason after `]`")
        .help("say why after the closing bracket: `# htguard: ignore[CODE] why this is fine`")
}
