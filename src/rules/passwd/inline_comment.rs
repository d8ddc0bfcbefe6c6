//! PW018 inline-comment: `# note` after the hash.

use super::common::{PwFile, basic_hash_range, server_names};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW018",
        name: "inline-comment",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "`# comment` after a hash: it becomes part of the hash",
        doc: r#"## What it does
Finds entries with a `#` comment after the hash on the same line.

## Why is this bad?
Password files have no inline comments: only a line that *starts* with `#` is a comment. Both
servers read ` # note` as the end of the hash, the comparison fails, and the user gets **401**.

## Example
```text
alice:$2y$10$… # Alice, accounting
```

## Use instead
```text
# Alice, accounting
alice:$2y$10$…
```
`htguard check --fix` moves the comment to its own line above the entry.

## References
- Apache `mod_authn_file` skips only lines starting with `#`; nginx likewise.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let servers = f.basic_servers();
        if servers.is_empty() {
            continue;
        }
        let ending = f.input.parsed.line_ending();
        for line in f.lines() {
            if line.kind() != LineKind::Basic || !line.has(Facts::WS_IN_FIELD2) {
                continue;
            }
            let Some(hash) = basic_hash_range(line, f.src) else {
                continue;
            };
            let h = f.bytes(hash.clone());
            let lead = h.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let Some(gap) = h[lead..]
                .windows(2)
                .position(|w| matches!(w[0], b' ' | b'\t') && w[1] == b'#')
                .map(|p| p + lead)
            else {
                continue;
            };
            let blank_start = h[..=gap]
                .iter()
                .rposition(|b| !matches!(b, b' ' | b'\t'))
                .map_or(0, |p| p + 1);
            let comment = hash.start + blank_start..line.content().end;
            let comment_text = f
                .bytes(hash.start + gap + 1..line.content().end)
                .trim_ascii();
            let name = f.user_of(line);
            let n = servers.len();
            let mut moved = comment_text.to_vec();
            moved.extend_from_slice(ending.as_bytes());
            let indent = line.start();
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.span(comment.clone()),
                    format!(
                        "{} answer{} 401 for `{name}`: the inline comment is read as part of the hash",
                        server_names(&servers),
                        if n == 1 { "s" } else { "" }
                    ),
                )
                .label("part of the hash")
                .help("put the comment on its own line starting with `#`")
                .servers(&servers)
                .fix(f.fix(
                    "move the comment to its own line",
                    vec![(indent..indent, moved.as_slice()), (comment, &b""[..])],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_and_moves_an_inline_comment() {
        let src = b"alice:$apr1$a$b # accounting\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .contains("Apache and nginx answer 401 for `alice`")
        );
        assert_eq!(apply_fix(src, &d[0]), b"# accounting\nalice:$apr1$a$b\n");
    }

    #[test]
    fn passes_hashes_with_hash_signs_and_comments_in_a_third_field() {
        assert!(run(&RULE, b"alice:{PLAIN}a#b\n").is_empty());
        assert!(run(&RULE, b"alice:$apr1$a$b:note # x\n").is_empty());
    }
}
