//! PW023 password-in-plain-sight: a plaintext password in a comment or on a stray line.

use super::common::{PwFile, basic_hash_range};
use crate::diag::{Diagnostic, Severity};
use crate::hash::{self, Kind};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{CredentialShape, FileKind, Line, LineKind, credential_in_comment};
use std::collections::HashSet;
use std::ops::Range;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW023",
        name: "password-in-plain-sight",
        family: Family::Passwd,
        severity: Severity::Warning,
        summary: "Plaintext password in a comment or on a stray line of a user file",
        doc: r#"## What it does
Looks at the lines of a user file that are not entries for a password written in clear:
- a commented-out entry whose second field is not a hash (`# bob:P@ssw0rd`);
- a note that gives a password: `password`, `passwd`, `passphrase`, `pass`, `pwd` or `pw`,
  then `:`, `=` or `is`, then one word that ends the line (`# admin password: hunter2`);
- a stray line: one word, no colon, not a hash, not the name of a user of the file
  (a password pasted on a line of its own).

A commented-out entry that holds a hash (`#alice:$apr1$…`) is a disabled user, not a
leak. Prose is left alone: a note puts a blank after its colon (`# Note: rotated`), and
a password in a note is one word that ends the line (`# password: in the vault` is prose).
A 13-character password of letters, digits, `.` and `/` looks exactly like a DES hash and
is taken for one.

## Why is this bad?
The hashes protect the passwords from whoever reads the file: the web server's workers,
backups, configuration management, a copy in a repository, a download when the file is
served by mistake (AP020, NX015). A password beside them in clear gives all of that away,
and it is usually still valid somewhere: for the user of the commented-out line, or for
the account the note is about. htguard never shows these passwords: its output replaces
them with `…`.

## Example
```text
alice:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy
# bob:P@ssw0rd
# admin password: hunter2
```

## Use instead
Delete the lines, then change those passwords wherever they are still used
(`htguard user set FILE bob`). To disable a user, comment out its hashed entry:
```text
alice:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy
#bob:$2y$10$6a2Z5y0cdvJuCfTXoPfRDeJOm5zAyxzmU0cN3QSsNAA.4VqxnhD.C
```

## References
- CWE-256: Plaintext Storage of a Password. https://cwe.mitre.org/data/definitions/256.html
- CWE-615: Inclusion of Sensitive Information in Source Code Comments.
  https://cwe.mitre.org/data/definitions/615.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        // A group file's `#admins:alice` is a commented-out group, not a password.
        if !f.is_user_file() || f.kind() == FileKind::Group {
            continue;
        }
        let mut users: Option<HashSet<&[u8]>> = None;
        let lines = f.lines();
        for (i, line) in lines.iter().enumerate() {
            let found = match line.kind() {
                LineKind::Comment => in_comment(&f, line),
                LineKind::NoColon => {
                    let users = users.get_or_insert_with(|| user_names(&f));
                    stray(&f, line, i.checked_sub(1).map(|p| &lines[p]), users)
                }
                _ => None,
            };
            if let Some((range, message, help)) = found {
                out.push(
                    Diagnostic::new(&RULE.info, f.span(range), message)
                        .label("plaintext password")
                        .help(help),
                );
            }
        }
    }
}

/// A finding's secret span, message and help.
type Found = (Range<usize>, String, String);

fn in_comment(f: &PwFile<'_>, line: &Line) -> Option<Found> {
    let start = line.text_start();
    let text = f.bytes(start..line.content().end);
    let c = credential_in_comment(text)?;
    let secret = &text[c.secret.clone()];
    let span = start + c.secret.start..start + c.secret.end;
    match (c.shape, c.user.clone()) {
        (CredentialShape::Entry, Some(user)) => {
            if !c.is_one_word(text) || disabled_entry(secret) {
                return None;
            }
            let user = super::common::show(&text[user]);
            Some((
                span,
                format!(
                    "this comment holds a plaintext password for `{user}`: anyone who can read the file reads it"
                ),
                format!(
                    "delete the line and change `{user}`'s password wherever it is still used; to disable a user, comment out its hashed entry"
                ),
            ))
        }
        _ => (!is_hash(secret)).then(|| {
            (
                span,
                "this comment holds a plaintext password: anyone who can read the file reads it"
                    .to_string(),
                "delete the note and change that password wherever it is still used".to_string(),
            )
        }),
    }
}

/// `user:HASH…` or `user:realm:DIGEST` behind the `#`: a disabled user.
fn disabled_entry(secret: &[u8]) -> bool {
    let mut fields = secret.split(|b| *b == b':');
    let first = fields.next().unwrap_or_default();
    let digest = fields
        .next_back()
        .is_some_and(|d| d.len() == 32 && d.iter().all(u8::is_ascii_hexdigit));
    is_hash(first) || digest
}

/// A recognised hash (or crypt's failure token), not text in clear.
fn is_hash(field: &[u8]) -> bool {
    !matches!(
        hash::kind_of(field),
        Kind::Unknown | Kind::PlainPrefixed | Kind::Empty
    )
}

/// A line without a colon that may be a password: one word, not a hash, not a user name
/// of the file (a user whose hash was lost, PW008), not the tail of the line before it
/// (a hash broken in two by an editor).
fn stray(
    f: &PwFile<'_>,
    line: &Line,
    before: Option<&Line>,
    users: &HashSet<&[u8]>,
) -> Option<Found> {
    let content = line.text_start()..line.content().end;
    let raw = f.bytes(content.clone());
    let lead = raw.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let word = raw.trim_ascii();
    if word.iter().any(u8::is_ascii_whitespace) || is_hash(word) || users.contains(word) {
        return None;
    }
    if let Some(prev) = before.filter(|p| p.kind() == LineKind::Basic)
        && let Some(r) = basic_hash_range(prev, f.src)
    {
        let mut joined = f.bytes(r).to_vec();
        joined.extend_from_slice(word);
        if hash::identify(&joined).malformed.is_none() && is_hash(&joined) {
            return None;
        }
    }
    let start = content.start + lead;
    Some((
        start..start + word.len(),
        "a line that is neither an entry nor a comment, shaped like a password: if it is one, anyone who can read the file reads it".to_string(),
        "delete the line (and change that password if it is one); write notes as comments starting with `#`".to_string(),
    ))
}

/// The user names of the file's entries (blanks trimmed, as Apache reads them).
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

    const BCRYPT: &str = "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    fn flagged(src: &str) -> Vec<String> {
        run(&RULE, src.as_bytes())
            .iter()
            .map(|d| src[d.primary.span.start..d.primary.span.end].to_string())
            .collect()
    }

    #[test]
    fn flags_passwords_in_comments_and_stray_lines() {
        let src = format!(
            "alice:{BCRYPT}\n# bob:P@ssw0rd\n#carol:{{PLAIN}}Tr0ub4dor\n# admin password: hunter2\nKq7vZx2W\n"
        );
        assert_eq!(
            flagged(&src),
            ["P@ssw0rd", "{PLAIN}Tr0ub4dor", "hunter2", "Kq7vZx2W"]
        );
        let d = run(&RULE, src.as_bytes());
        assert!(d[0].message.contains("for `bob`"), "{}", d[0].message);
        for f in &d {
            for secret in ["P@ss", "Tr0u", "hunt", "Kq7v"] {
                assert!(!f.message.contains(secret) && !f.primary.message.contains(secret));
                assert!(!f.help.as_deref().unwrap_or_default().contains(secret));
            }
        }
    }

    #[test]
    fn passes_disabled_users_prose_and_lost_users() {
        let src = format!(
            "#alice:{BCRYPT}\n# dave:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n#erin:*0\n\
             # frank:Realm:0123456789abcdef0123456789abcdef\n# Note: rotated 2024\n\
             # password: in the vault\n# htguard: ignore[PW006] kiosk\n\
             # see https://httpd.apache.org/docs/2.4/programs/htpasswd.html\n\
             grace\ngrace:{BCRYPT}\nthis line is prose\n"
        );
        assert_eq!(flagged(&src), Vec::<String>::new());
    }

    #[test]
    fn passes_a_hash_broken_in_two() {
        let src = format!("alice:{}\n{}\n", &BCRYPT[..30], &BCRYPT[30..]);
        assert_eq!(flagged(&src), Vec::<String>::new());
    }

    #[test]
    fn passes_group_files() {
        let d = super::super::common::testing::run_with(
            &RULE,
            b"#admins:alice\nadmins: alice bob\n",
            &[(crate::diag::Server::Apache, crate::model::PasswdRole::Group)],
            &crate::target::Profile::default(),
        );
        assert!(d.is_empty(), "{d:?}");
    }
}
