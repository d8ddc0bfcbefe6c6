//! PW016 line-too-long: a line Apache cannot read stops it reading the file.

use super::common::PwFile;
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::passwd::{APACHE_MAX_LINE, apache_line_too_long};
use crate::model::passwd::{ApacheRead, apache_view};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::Facts;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW016",
        name: "line-too-long",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Line longer than 8190 bytes: Apache stops reading the file there",
        doc: r#"## What it does
Finds a line in a user file with more than 8190 bytes before its newline (joined `\` lines
count together).

## Why is this bad?
Apache reads user files into an 8192-byte buffer. When a line does not fit, the read fails and
Apache stops reading the *whole file* there: every user on a later line gets **401** (and so
does the user on that line). nginx reads long lines fine, so the problem shows on Apache only.
Such a line is usually pasted garbage, a base64 blob, or several entries without newlines.

## Example
```text
alice:$2y$10$…
junk:AAAA…(9000 bytes)…
bob:$2y$10$…        # never read by Apache
```

## Use instead
Remove or shorten the line; keep one `user:hash` entry per line.

## References
- Apache `mod_authn_file` reads with `ap_cfg_getline(l, MAX_STRING_LEN, f)`; `MAX_STRING_LEN` is 8192.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        // Only a long line, or lines joined by `\`, can overflow Apache's buffer.
        if !f.user_file_servers().contains(&Server::Apache)
            || !(f.any_line_has(Facts::TRAILING_BACKSLASH)
                || f.lines().iter().any(apache_line_too_long))
        {
            continue;
        }
        let Some(stop) =
            apache_view(&f.input.parsed, f.src).find(|r| r.read == ApacheRead::StopsReading)
        else {
            continue;
        };
        let Some(line) = f.lines().get(stop.first_line) else {
            continue;
        };
        let later = f.lines()[stop.first_line + 1..]
            .iter()
            .filter(|l| l.kind().is_entry())
            .count();
        let len = line.raw_len();
        let start = line.start();
        out.push(
            Diagnostic::new(
                &RULE.info,
                f.span(start..line.content().end),
                format!(
                    "line {} has {len} bytes: Apache stops reading the file here, so the {later} entr{} after it get{} 401",
                    stop.first_line + 1,
                    if later == 1 { "y" } else { "ies" },
                    if later == 1 { "s" } else { "" },
                ),
            )
            .label(format!("more than {APACHE_MAX_LINE} bytes"))
            .help("remove or shorten this line")
            .servers(&[Server::Apache]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run;
    use super::*;

    #[test]
    fn flags_the_line_that_stops_apache() {
        let src = [b"a:x\nlong:".as_slice(), &[b'y'; 9000], b"\nb:x\nc:x\n"].concat();
        let d = run(&RULE, &src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Apache]);
        assert!(
            d[0].message.contains("line 2 has 9005 bytes"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("the 2 entries after it get 401"));
    }

    #[test]
    fn passes_lines_that_fit() {
        let src = [b"a:".as_slice(), &[b'y'; 8188], b"\nb:x\n"].concat();
        assert!(run(&RULE, &src).is_empty());
    }
}
