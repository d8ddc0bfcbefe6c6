//! PW010 no-usable-entry: a user file nobody can log in with.

use super::common::{PwFile, server_names};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::model::passwd::{ApacheRead, NginxRead, apache_view, nginx_view};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW010",
        name: "no-usable-entry",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Empty user file, or no entry a server can use: everyone gets 401",
        doc: r#"## What it does
Finds user files that are empty, hold only comments and blank lines, or whose every entry
lacks a user name or a hash as the server reads them.

## Why is this bad?
Authentication then fails for everyone: the protected area answers **401** to every login,
good password or not. This usually means the file was truncated by a failed write or a
deploy that shipped a placeholder.

## Example
```text
# users go here
```

## Use instead
```text
alice:$2y$10$…
```
(`htguard user add --create FILE alice`)

## References
- spec: an empty user file gives 401 on both servers.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let mut dead = Vec::new();
        let digest = f.has_role(PasswdRole::Digest) && !f.has_role(PasswdRole::Basic);
        if f.user_file_servers().contains(&Server::Apache) {
            let usable = apache_view(&f.input.parsed, f.src).any(|r| match r.read {
                ApacheRead::Entry(e) => {
                    !e.user.is_empty() && !(if digest { &e.third } else { &e.second }).is_empty()
                }
                _ => false,
            });
            if !usable {
                dead.push(Server::Apache);
            }
        }
        if f.basic_servers().contains(&Server::Nginx) {
            let usable = nginx_view(&f.input.parsed, f.src).any(|r| match r.read {
                NginxRead::Entry { user, hash } => !user.is_empty() && !hash.is_empty(),
                _ => false,
            });
            if !usable {
                dead.push(Server::Nginx);
            }
        }
        if dead.is_empty() {
            continue;
        }
        let empty = !f
            .lines()
            .iter()
            .any(|l| l.kind().is_entry() || l.kind() == crate::syntax::passwd::LineKind::NoColon);
        let what = if f.src.is_empty() {
            "the file is empty"
        } else if empty {
            "the file has no entries, only comments or blank lines"
        } else {
            "no entry has both a user name and a hash"
        };
        let s = if dead.len() == 1 { "s" } else { "" };
        let span = f.span(0..f.lines().first().map_or(0, |l| l.content().end));
        out.push(
            Diagnostic::new(
                &RULE.info,
                span,
                format!(
                    "{} answer{s} 401 to every user: {what}",
                    server_names(&dead)
                ),
            )
            .label("no usable entry")
            .help("add a user: `htguard user add FILE USER`")
            .servers(&dead),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run;
    use super::*;

    #[test]
    fn flags_empty_and_comment_only_files() {
        for src in [&b""[..], b"# nothing\n\n", b"alice:\n"] {
            let d = run(&RULE, src);
            assert_eq!(d.len(), 1, "{src:?}");
            assert!(d[0].message.contains("401 to every user"));
        }
    }

    #[test]
    fn passes_a_file_with_one_good_entry() {
        assert!(run(&RULE, b"# c\nalice:\nbob:$apr1$a$b\n").is_empty());
    }

    #[test]
    fn group_files_are_not_user_files() {
        let d = super::super::common::testing::run_with(
            &RULE,
            b"",
            &[(Server::Apache, PasswdRole::Group)],
            &crate::target::Profile::default(),
        );
        assert!(d.is_empty());
    }
}
