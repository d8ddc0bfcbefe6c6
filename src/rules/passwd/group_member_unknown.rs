//! PW019 group-member-unknown: a group names a user the user file does not have.

use super::common::{PwFile, show};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::model::passwd::{ApacheRead, apache_groups, apache_view};
use crate::rules::{Context, Family, PasswdInput, Rule, RuleInfo};
use std::collections::HashSet;
use std::path::Path;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW019",
        name: "group-member-unknown",
        family: Family::Passwd,
        severity: Severity::Warning,
        summary: "Group member that is not in the user file used with the group file",
        doc: r#"## What it does
For a group file (`AuthGroupFile`) used together with a user file (`AuthUserFile`), finds
members of a group that have no entry in that user file.

## Why is this bad?
`Require group admins` lets in a user only if that user first authenticates against the user
file. A member without an entry can never log in: usually a typo (`bbo` for `bob`), a user
renamed or deleted from one file but not the other, or the wrong user file.

## Example
```text
# groups
admins: alice bbo
# users
alice:$2y$10$…
bob:$2y$10$…
```

## Use instead
```text
admins: alice bob
```

## References
- Apache `mod_authz_groupfile`: members are compared with the authenticated user name.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if !f.has_role(PasswdRole::Group) {
            continue;
        }
        let user_files: HashSet<&Path> = f
            .input
            .uses
            .iter()
            .filter(|u| u.role == PasswdRole::Group)
            .filter_map(|u| u.user_file.as_deref())
            .collect();
        for path in user_files {
            let Some(users_input) = find_input(ctx, path) else {
                continue;
            };
            let users_src = &ctx.sources.get(users_input.file).bytes;
            let users: HashSet<&[u8]> = apache_view(&users_input.parsed, users_src)
                .filter_map(|r| match r.read {
                    ApacheRead::Entry(e) => match e.user.text {
                        std::borrow::Cow::Borrowed(b) => Some(b),
                        std::borrow::Cow::Owned(_) => None,
                    },
                    _ => None,
                })
                .collect();
            let users_path = ctx.sources.get(users_input.file).path.display().to_string();
            for group in apache_groups(&f.input.parsed, f.src) {
                for member in &group.members {
                    if users.contains(member.as_bytes()) {
                        continue;
                    }
                    let (m, g) = (show(member.as_bytes()), show(group.name.as_bytes()));
                    out.push(
                        Diagnostic::new(
                            &RULE.info,
                            f.span(member.span.clone()),
                            format!(
                                "`{m}` in group `{g}` has no entry in {users_path}: Apache never lets `{m}` in through `Require group {g}`"
                            ),
                        )
                        .label("not in the user file")
                        .with_secondary(
                            crate::source::Span::new(users_input.file, 0, 0),
                            format!("the user file has no `{m}`"),
                        )
                        .help(format!(
                            "fix the spelling, or add the user: `htguard user add {users_path} {m}`"
                        ))
                        .servers(&[Server::Apache]),
                    );
                }
            }
        }
    }
}

/// The user file among the run's inputs, by the path the config gave.
fn find_input<'a>(ctx: &'a Context<'_>, path: &Path) -> Option<&'a PasswdInput> {
    ctx.passwd.iter().find(|i| {
        ctx.sources.get(i.file).path == path
            || i.uses
                .iter()
                .any(|u| u.local_path == path || u.server_path == path)
    })
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run_ctx;
    use super::*;
    use crate::model::PasswdUse;
    use crate::source::{Sources, Span};
    use crate::syntax::passwd::{KindHint, parse_with};
    use crate::target::Profile;

    fn run(groups: &[u8], users: &[u8]) -> Vec<Diagnostic> {
        let mut sources = Sources::new();
        let g = sources.add("groups", groups.to_vec());
        let u = sources.add("users", users.to_vec());
        let use_ = |role, user_file: Option<&str>| PasswdUse {
            server: Server::Apache,
            role,
            server_path: "/x".into(),
            local_path: "/x".into(),
            directive: Span::default(),
            realm: None,
            user_file: user_file.map(Into::into),
        };
        let inputs = [
            PasswdInput::new(
                g,
                parse_with(groups, KindHint::Group),
                vec![use_(PasswdRole::Group, Some("users"))],
            ),
            PasswdInput::new(
                u,
                parse_with(users, KindHint::Basic),
                vec![use_(PasswdRole::Basic, None)],
            ),
        ];
        run_ctx(&RULE, &sources, &inputs, &Profile::default())
    }

    #[test]
    fn flags_a_member_without_an_entry() {
        let d = run(b"admins: alice bbo\n", b"alice:x\nbob:y\n");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .starts_with("`bbo` in group `admins` has no entry in users")
        );
        assert_eq!(d[0].secondary[0].span.file, 1);
    }

    #[test]
    fn passes_when_every_member_exists() {
        assert!(run(b"admins: alice bob\n", b"alice:x\n  bob:y\n").is_empty());
    }
}
