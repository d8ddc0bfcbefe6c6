//! PW003 utf8-bom: a byte-order mark glued to the first user name.

use super::common::{PwFile, server_names, show};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Line, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW003",
        name: "utf8-bom",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "UTF-8 byte-order mark before the first entry: that user can never log in",
        doc: r#"## What it does
Finds a UTF-8 byte-order mark (the bytes `EF BB BF`) at the start of a password or group file.

## Why is this bad?
Neither Apache nor nginx knows about byte-order marks: both read the three bytes as part of
the first user name. The first user of the file then never matches and gets **401** with the
right password (Apache logs AH01618 "user not found", nginx "user ... was not found").
In a group file the first group's name carries the mark, so `Require group` never matches it.
Editors on Windows (Notepad, some IDE settings) add the mark silently.

## Example
```text
<EF BB BF>alice:$2y$10$…
bob:$2y$10$…
```

## Use instead
Save the file as UTF-8 *without* BOM (`htguard check --fix` removes it, except when a later
entry has the first user's name: `htpasswd` and `htguard user add` write one, since they
too read the mark as part of the name. Removing the mark then would make line 1 the entry
the servers find first and bring its old password back; delete one of the two first):
```text
alice:$2y$10$…
bob:$2y$10$…
```

## References
- Apache `mod_authn_file`, nginx `ngx_http_auth_basic_module`: user names are compared byte for byte.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let Some(first) = f.lines().first() else {
            continue;
        };
        let Some(bom) = first.bom() else { continue };
        let group = f.has_role(PasswdRole::Group) && !f.is_user_file();
        let servers = if group {
            vec![Server::Apache]
        } else {
            f.user_file_servers().to_vec()
        };
        // The reader profiles (lighttpd, the registry, Verdaccio) are PW022's.
        if servers.is_empty() {
            continue;
        }
        // Removing the mark when a later entry has the name line 1 then gets would make
        // line 1 the entry the servers find first: that user's password would change.
        let shadows = first.kind().is_entry() && name_taken_later(&f, first, group);
        let fix = (!shadows).then(|| f.fix("remove the byte-order mark", vec![(bom.clone(), b"")]));
        let d = if first.kind().is_entry() {
            let name = f.user_of(first);
            let what = if group { "group" } else { "user" };
            let msg = if group {
                format!(
                    "Apache never matches group `{name}`: the UTF-8 byte-order mark is read as part of its name"
                )
            } else {
                format!(
                    "{} answer{} 401 for `{name}`: the UTF-8 byte-order mark is read as part of the user name",
                    server_names(&servers),
                    if servers.len() == 1 { "s" } else { "" }
                )
            };
            Diagnostic::new(&RULE.info, f.span(bom), msg)
                .label(format!(
                    "invisible bytes EF BB BF before `{}`",
                    show(name.as_bytes())
                ))
                .help(format!(
                    "save the file as UTF-8 without BOM so the first {what} matches"
                ))
        } else {
            let msg = if first.kind() == LineKind::Comment {
                "UTF-8 byte-order mark: the comment on line 1 is read as an entry by both servers"
            } else {
                "UTF-8 byte-order mark at the start of the file: an entry added on line 1 would never match"
            };
            Diagnostic::new(&RULE.info, f.span(bom), msg)
                .severity(Severity::Warning)
                .label("invisible bytes EF BB BF")
                .help("save the file as UTF-8 without BOM")
        };
        let d = d.servers(&servers);
        out.push(match fix {
            Some(fix) => d.fix(fix),
            None => d.help(format!(
                "another entry for `{}` follows: without the mark line 1 would be the one the servers find; delete line 1 or the later entry first",
                f.user_of(first).trim_start_matches('\u{feff}')
            )),
        });
    }
}

/// Whether an entry after line 1 has the name line 1 has without the mark (group names
/// compared ignoring case, as httpd looks them up).
fn name_taken_later(f: &PwFile, first: &Line, group: bool) -> bool {
    let bare = |l: &Line| {
        l.user().map(|r| {
            let u = f.bytes(r);
            u.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(u).trim_ascii()
        })
    };
    let Some(name) = bare(first) else {
        return false;
    };
    f.lines()[1..]
        .iter()
        .filter(|l| l.kind().is_entry())
        .any(|l| {
            bare(l).is_some_and(|other| {
                if group {
                    other.eq_ignore_ascii_case(name)
                } else {
                    other == name
                }
            })
        })
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_a_bom_before_the_first_user() {
        let src = b"\xEF\xBB\xBFalice:$apr1$a$b\nbob:$apr1$a$b\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].message.contains("401 for `alice`"), "{}", d[0].message);
        assert_eq!((d[0].primary.span.start, d[0].primary.span.end), (0, 3));
        assert_eq!(apply_fix(src, &d[0]), b"alice:$apr1$a$b\nbob:$apr1$a$b\n");
    }

    /// `user add alice` on a file whose line 1 is `<BOM>alice` writes a second `alice`:
    /// removing the mark then would make the old line 1 the entry that counts.
    #[test]
    fn no_fix_when_the_name_without_the_mark_is_taken_later() {
        let src = b"\xEF\xBB\xBFalice:$apr1$old$b\nbob:$apr1$a$b\nalice:$apr1$new$b\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none(), "{:?}", d[0].fix);
        let help = d[0].help.as_deref().unwrap_or_default();
        assert!(help.contains("another entry for `alice` follows"), "{help}");
    }

    #[test]
    fn a_bom_before_a_comment_is_a_warning() {
        let d = run(&RULE, b"\xEF\xBB\xBF# users\nbob:x\n");
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn passes_a_clean_file() {
        assert!(run(&RULE, b"alice:$apr1$a$b\n").is_empty());
        assert!(run(&RULE, b"").is_empty());
    }
}
