//! HG003: a suppression comment htguard cannot use.

use super::suppression::{MalformedSuppression, SuppressedCode};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "HG003",
        name: "invalid-suppression",
        family: Family::Meta,
        severity: Severity::Warning,
        summary: "A `# htguard:` comment is malformed or names no known rule",
        doc: r#"## What it does
Finds comments that start with `# htguard:` but are not a valid suppression:
the `ignore[...]` part is missing or unclosed, the brackets are empty, or a code
inside them is neither a rule code (`PW001`) nor a rule name (`utf8-bom`).

## Why is this bad?
Such a comment silences nothing. The finding it was meant to hide still fails the
build, or worse, a typo in the code (`PW01`) makes it look deliberate while the
real problem is reported under a code nobody reads.

## Example
```
# htguard: ignore PW010 legacy client
# htguard: ignore[PW01O] legacy client
```

## Use instead
```
# htguard: ignore[PW010] legacy client
```
Run `htguard rules` to list every code and name.

## References
- `htguard rules`
"#,
    },
    check: super::emitted_by_engine,
};

/// The finding for a comment that starts like a suppression but is not one.
pub fn malformed(m: &MalformedSuppression) -> Diagnostic {
    Diagnostic::new(
        &RULE.info,
        m.span,
        format!("malformed suppression: {}", m.problem),
    )
    .label("not a suppression htguard can read")
    .help("write `# htguard: ignore[CODE] reason` on the line before the finding")
}

/// The finding for a code inside `ignore[...]` that names no rule.
pub fn unknown_code(code: &SuppressedCode) -> Diagnostic {
    let help = match super::suggest(&code.text) {
        Some(s) => format!("did you mean `{s}`? `htguard rules` lists every rule"),
        None => "`htguard rules` lists every rule".to_string(),
    };
    Diagnostic::new(
        &RULE.info,
        code.span,
        format!("`{}` is not a rule code or name", code.text),
    )
    .label("unknown rule")
    .help(help)
}
