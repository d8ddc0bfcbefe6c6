//! PW014 no-final-newline: the last entry has no line ending.

use super::common::PwFile;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::Ending;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW014",
        name: "no-final-newline",
        family: Family::Passwd,
        severity: Severity::Warning,
        summary: "No newline at the end of the file: the next `htpasswd` add glues two users together",
        doc: r#"## What it does
Finds password files whose last line does not end with a newline.

## Why is this bad?
Both servers read the last line fine today. But Apache's `htpasswd` (and many scripts doing
`echo … >> file`) append the new entry right after the last byte: `bob:$apr1$…carol:$2y$…`
becomes one line, and both `bob` and `carol` get 401. (`htguard user add` terminates the line
first.)

## Example
```text
alice:$2y$10$…⏎
bob:$2y$10$…
```

## Use instead
End the file with a newline (`htguard check --fix` adds it).

## References
- Apache `htpasswd` (support/htpasswd.c) copies the old file and appends the new record
  without checking that the last line ended; `htguard user add` checks.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let Some(last) = f.lines().last() else {
            continue;
        };
        if last.ending() != Ending::None || f.input.parsed.ends_with_newline() {
            continue;
        }
        let end = last.content().end;
        let style = f.input.parsed.line_ending();
        out.push(
            Diagnostic::new(
                &RULE.info,
                f.line_span(last),
                "no newline at the end of the file: the next `htpasswd` add would glue its entry onto this line",
            )
            .label("last line ends here")
            .help("add a newline at the end of the file")
            .fix(f.fix("add the final newline", vec![(end..end, style.as_bytes())])),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_a_missing_final_newline() {
        let src = b"a:x\r\nb:y";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(apply_fix(src, &d[0]), b"a:x\r\nb:y\r\n");
    }

    #[test]
    fn passes_terminated_and_empty_files() {
        assert!(run(&RULE, b"a:x\n").is_empty());
        assert!(run(&RULE, b"").is_empty());
    }
}
