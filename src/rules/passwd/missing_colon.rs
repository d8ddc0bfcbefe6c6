//! PW008 missing-colon: a line that is not `user:hash`.

use super::common::{PwFile, show};
use crate::diag::{Diagnostic, Server, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::LineKind;
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW008",
        name: "missing-colon",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Line without a `:`: no one can log in with it, and it can hide other lines",
        doc: r#"## What it does
Finds non-comment lines in a user file that have no `:`.

## Why is this bad?
Such a line is usually a user whose hash was lost, a hash whose user was lost, or a line
broken in two by an editor. Apache reads the whole line as a user name with an *empty*
hash: that user gets **401**, and because the first entry wins, a correct entry for the same
user further down is never read. nginx ignores the line, but when the line is a prefix of a
user name (`ali` before `alice:…`), it also skips the line after it for that user.

## Example
```text
alice
alice:$2y$10$…
```

## Use instead
```text
alice:$2y$10$…
```

## References
- Apache `ap_getword` returns the whole line when there is no `:`.
- nginx `ngx_http_auth_basic_handler` state machine.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let servers = f.user_file_servers();
        if servers.is_empty() {
            continue;
        }
        let lines = f.lines();
        let mut users: Option<HashSet<&[u8]>> = None;
        for (i, line) in lines.iter().enumerate() {
            if line.kind() != LineKind::NoColon {
                continue;
            }
            let text = f.bytes(line.text_start()..line.content().end).trim_ascii();
            // The line may be a password pasted on its own: it is named only when it is
            // the name of a user of the file.
            let users = users.get_or_insert_with(|| user_names(&f));
            let mut msg = String::from("no `:` on this line");
            if servers.contains(&Server::Apache) {
                msg.push_str(&match users.contains(text) {
                    true => {
                        let name = show(text);
                        format!(
                            ": Apache reads `{name}` as a user with an empty hash (401, and it hides any later `{name}` entry)"
                        )
                    }
                    false => ": Apache reads the line as a user name with an empty hash (401, and it hides any later entry of that user)".to_string(),
                });
            }
            if servers.contains(&Server::Nginx) {
                msg.push_str(if servers.contains(&Server::Apache) {
                    "; nginx ignores it"
                } else {
                    ": nginx ignores it"
                });
                // nginx consumes the LF on the mismatch and skips the next line too.
                if let Some(next) = lines.get(i + 1).filter(|n| n.kind() == LineKind::Basic) {
                    let next_user = next.user().map(|r| f.bytes(r)).unwrap_or_default();
                    if !line.has(crate::syntax::passwd::Facts::BOM)
                        && line.ending() != crate::syntax::passwd::Ending::CrLf
                        && next_user.starts_with(f.bytes(line.content()))
                    {
                        msg.push_str(&format!(
                            ", and then skips line {} for `{}`, so that user gets 401 too",
                            i + 2,
                            show(next_user)
                        ));
                    }
                }
            }
            out.push(
                Diagnostic::new(&RULE.info, f.line_span(line), msg)
                    .label("not `user:hash`")
                    .help("write the entry as `user:hash` (e.g. `htguard user set FILE USER`), or comment the line out with `#`")
                    .servers(&servers),
            );
        }
    }
}

/// The user names of the file's entries, as Apache reads them (blanks trimmed).
fn user_names<'a>(f: &PwFile<'a>) -> HashSet<&'a [u8]> {
    f.lines()
        .iter()
        .filter(|l| l.kind().is_entry())
        .filter_map(|l| l.user())
        .map(|r| f.bytes(r).trim_ascii())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run;
    use super::*;

    #[test]
    fn flags_a_line_without_colon() {
        let d = run(&RULE, b"alice\nalice:$apr1$a$b\n");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .contains("Apache reads `alice` as a user with an empty hash")
        );
        assert!(
            d[0].message.contains("skips line 2 for `alice`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_line_that_names_no_user_is_not_repeated() {
        let d = run(&RULE, b"alice:$apr1$a$b\nKq7vZx2W\n");
        assert_eq!(d.len(), 1);
        assert!(!d[0].message.contains("Kq7"), "{}", d[0].message);
        assert!(
            d[0].message
                .contains("Apache reads the line as a user name")
        );
    }

    #[test]
    fn passes_entries_comments_and_blanks() {
        assert!(run(&RULE, b"# note\n\n   \nalice:$apr1$a$b\n").is_empty());
    }
}
