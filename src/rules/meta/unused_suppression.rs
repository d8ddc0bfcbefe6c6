//! HG002: a suppression comment that silences nothing.

use super::suppression::SuppressedCode;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "HG002",
        name: "unused-suppression",
        family: Family::Meta,
        severity: Severity::Warning,
        summary: "An inline suppression silences no finding on the next line",
        doc: r#"## What it does
Finds codes in `# htguard: ignore[...]` comments for which the line right after
the comment has no finding (with that rule enabled).

## Why is this bad?
The problem was fixed, the line moved, or the comment sits above the wrong line.
A stale suppression will silently hide the next real problem that appears on the
line below it, so it should go.

Codes of rules that are disabled for the run (`--select`/`--ignore`, or
`htguard.toml`) are not reported: htguard cannot tell whether they are needed.

## Example
```
# htguard: ignore[PW001] exported from the old server
alice:$2y$10$Wp5Xw2NqJ8bV6jXHq0iL3eP4o8m1Hq0pZ8qQ0h5o8g9xYqkJ3u8cK
```
(the file no longer has a byte order mark, so PW001 does not fire)

## Use instead
Delete the comment, or only the code that is no longer needed.

## References
- `htguard explain suppression-without-reason` (HG001)
"#,
    },
    check: super::emitted_by_engine,
};

/// The finding for one code of a suppression that matched nothing.
pub fn diagnostic(code: &SuppressedCode, target_line: usize) -> Diagnostic {
    Diagnostic::new(
        &RULE.info,
        code.span,
        format!("`{}` suppresses nothing on line {target_line}", code.text),
    )
    .label("no such finding on the next line")
    .help("remove this code (or the whole comment) if the problem is gone")
}
