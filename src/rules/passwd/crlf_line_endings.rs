//! PW015 crlf-line-endings: Windows line endings.

use super::common::PwFile;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::Ending;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW015",
        name: "crlf-line-endings",
        family: Family::Passwd,
        severity: Severity::Info,
        summary: "CRLF line endings: fine for Apache and nginx, fatal to other readers",
        doc: r#"## What it does
Finds password files with Windows (CRLF) line endings.

## Why is this bad?
Apache trims the CR, nginx ends the hash at it, and Apache's `htpasswd -v` accepts it too
(observed), so nothing breaks on the servers. Other readers split lines at LF only and keep
the CR as the last character of the hash: shell `read`/`cut -d:` pipelines, many scripts and
library parsers then reject every password, and diffs show every line changed. The file was
usually edited on Windows or passed through a tool that converts endings.

## Example
```text
alice:$2y$10$…\r\n
```

## Use instead
```text
alice:$2y$10$…\n
```
`htguard check --fix` converts the endings to LF.

## References
- Apache `cfg_trim_line`; nginx `ngx_http_auth_basic_handler` (CR ends the password).
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let crlf: Vec<_> = f
            .lines()
            .iter()
            .filter(|l| l.ending() == Ending::CrLf)
            .collect();
        let Some(first) = crlf.first() else { continue };
        let n = crlf.len();
        let edits = crlf
            .iter()
            .map(|l| {
                let cr = l.content().end;
                (cr..cr + 1, &b""[..])
            })
            .collect();
        out.push(
            Diagnostic::new(
                &RULE.info,
                f.span(first.ending_range()),
                format!(
                    "{n} line{} end{} with CRLF: Apache, nginx and `htpasswd` accept it, but tools that split lines at LF keep the CR in the hash",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" }
                ),
            )
            .label("CR LF")
            .help("convert the file to LF line endings (`dos2unix`, or `htguard check --fix`)")
            .fix(f.fix("convert CRLF line endings to LF", edits)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_crlf_once_per_file_and_fixes_all() {
        let src = b"a:x\r\nb:y\r\nc:z";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Info);
        assert!(d[0].message.starts_with("2 lines end with CRLF"));
        assert_eq!(apply_fix(src, &d[0]), b"a:x\nb:y\nc:z");
    }

    #[test]
    fn passes_lf_files() {
        assert!(run(&RULE, b"a:x\nb:y\n").is_empty());
    }
}
