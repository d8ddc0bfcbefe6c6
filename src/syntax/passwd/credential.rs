//! Credentials written where no entry is: a commented-out entry (`# bob:P@ssw0rd`) or a
//! password in a note (`# admin password: hunter2`). Shape only: whether the text is a
//! hash (a disabled user) or a password is [`crate::hash`]'s call, made by the caller.
//!
//! Prose is told apart by its blanks: a note puts a blank after its colon
//! (`# Note: rotated`), an entry does not; a password in a note is one word that ends
//! the line (`# password: see the vault` is prose).

use super::is_ws;
use std::ops::Range;

/// How the credential is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `#user:secret`, `# user:secret`: an entry behind a `#`.
    Entry,
    /// `# password: secret`, `# bob's password is secret`, `# pw=secret`.
    Note,
}

/// Where a comment line holds a credential (offsets into the line given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentCredential {
    pub shape: Shape,
    /// The user name of an [`Shape::Entry`].
    pub user: Option<Range<usize>>,
    /// From the first byte after the separator's blanks to the end of the line (trailing
    /// blanks left out). May hold blanks for an entry (`#bob:$apr1$… old`); a note's
    /// secret is one word.
    pub secret: Range<usize>,
}

impl CommentCredential {
    /// The secret is one word, as a password is (an entry's may be followed by a note).
    pub fn is_one_word(&self, line: &[u8]) -> bool {
        !line[self.secret.clone()].iter().any(|b| is_ws(*b))
    }
}

/// A user or group name for a message, without what follows a `:` (`bob:…`): whoever
/// typed `bob:secret` as a name may have typed a password after the colon.
pub fn shown_name(name: &str) -> String {
    match name.split_once(':') {
        Some((before, _)) => format!("{before}:…"),
        None => name.to_string(),
    }
}

/// Words that announce a password in a note (compared case-insensitively, whole words).
const KEYWORDS: &[&[u8]] = &[
    b"password",
    b"passwd",
    b"passphrase",
    b"pass",
    b"pwd",
    b"pw",
];

/// The credential in a comment line (`line`: the line without its ending; leading blanks
/// allowed), or `None` for a line that is not a comment or holds none.
pub fn credential_in_comment(line: &[u8]) -> Option<CommentCredential> {
    let hash = line.iter().position(|b| !is_ws(*b))?;
    if line[hash] != b'#' {
        return None;
    }
    let end = line.iter().rposition(|b| !is_ws(*b))? + 1;
    let body = hash
        + 1
        + line[hash + 1..end]
            .iter()
            .take_while(|b| is_ws(**b))
            .count();
    entry_in(line, body, end).or_else(|| note_in(line, body, end))
}

/// `user:secret` from `body`: a user without blanks, no blank after the colon.
fn entry_in(line: &[u8], body: usize, end: usize) -> Option<CommentCredential> {
    let colon = body + line[body..end].iter().position(|b| *b == b':')?;
    let user = &line[body..colon];
    let after = *line.get(colon + 1).filter(|_| colon + 1 < end)?;
    if user.is_empty() || user.iter().any(|b| is_ws(*b)) || is_ws(after) {
        return None;
    }
    // `https://…` and `10:30` are not entries.
    if line[colon + 1..].starts_with(b"//") || user.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // `#password:hunter2` is a note, not the entry of a user named "password".
    if is_keyword(user) {
        return Some(CommentCredential {
            shape: Shape::Note,
            user: None,
            secret: colon + 1..end,
        });
    }
    Some(CommentCredential {
        shape: Shape::Entry,
        user: Some(body..colon),
        secret: colon + 1..end,
    })
}

fn is_keyword(word: &[u8]) -> bool {
    KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
}

/// `KEYWORD: word`, `KEYWORD = word`, `KEYWORD is word` ending the line.
fn note_in(line: &[u8], body: usize, end: usize) -> Option<CommentCredential> {
    let text = &line[body..end];
    let mut at = 0;
    while at < text.len() {
        let word_end = at
            + text[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
        if word_end > at
            && is_keyword(&text[at..word_end])
            && let Some(secret) = after_separator(text, word_end)
        {
            return Some(CommentCredential {
                shape: Shape::Note,
                user: None,
                secret: body + secret.start..body + secret.end,
            });
        }
        // Next word: skip this one and what separates it from the next.
        at = word_end
            + text[word_end..]
                .iter()
                .take_while(|b| !b.is_ascii_alphanumeric())
                .count()
                .max(usize::from(word_end == at));
    }
    None
}

/// After a keyword ending at `from`: `:`, `=` or ` is `, then one word to the end.
fn after_separator(text: &[u8], from: usize) -> Option<Range<usize>> {
    let skip = |i: usize| i + text[i..].iter().take_while(|b| is_ws(**b)).count();
    let at = skip(from);
    let rest = &text[at..];
    let start = if rest.starts_with(b":") || rest.starts_with(b"=") {
        skip(at + 1)
    } else if rest.len() > 2 && rest[..2].eq_ignore_ascii_case(b"is") && is_ws(rest[2]) && at > from
    {
        skip(at + 2)
    } else {
        return None;
    };
    let word = &text[start..];
    let placeholder = !word.iter().any(u8::is_ascii_alphanumeric)
        || (word.starts_with(b"<") && word.ends_with(b">"));
    if word.is_empty() || word.iter().any(|b| is_ws(*b)) || placeholder {
        return None;
    }
    Some(start..text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(line: &str) -> Option<(Shape, &str)> {
        credential_in_comment(line.as_bytes()).map(|c| (c.shape, &line[c.secret]))
    }

    #[test]
    fn commented_out_entries() {
        assert_eq!(secret("# bob:P@ssw0rd"), Some((Shape::Entry, "P@ssw0rd")));
        assert_eq!(
            secret("#alice:$apr1$x$y  "),
            Some((Shape::Entry, "$apr1$x$y"))
        );
        assert_eq!(
            secret("  # carol:{SHA}abc=\r"),
            Some((Shape::Entry, "{SHA}abc="))
        );
        let c = credential_in_comment(b"#dave:secret").unwrap();
        assert_eq!(c.user, Some(1..5));
    }

    #[test]
    fn passwords_in_notes() {
        assert_eq!(
            secret("# password: hunter2"),
            Some((Shape::Note, "hunter2"))
        );
        assert_eq!(
            secret("# bob's Password is hunter2"),
            Some((Shape::Note, "hunter2"))
        );
        assert_eq!(secret("# admin_pw=hunter2"), Some((Shape::Note, "hunter2")));
        assert_eq!(
            secret("# PASSWD : hunter2 "),
            Some((Shape::Note, "hunter2"))
        );
        assert_eq!(secret("#password:hunter2"), Some((Shape::Note, "hunter2")));
    }

    #[test]
    fn prose_is_not_a_credential() {
        for line in [
            "# Note: rotated 2024",
            "# htguard: ignore[PW006] kiosk",
            "# password: see the vault",
            "# Passwords are rotated monthly",
            "# password: <redacted>",
            "# password: ***",
            "# the passing grade is high",
            "# bypass: none",
            "# see https://httpd.apache.org/docs/",
            "# 10:30 nightly backup",
            "#",
            "# user:",
            "not a comment:secret",
            "",
        ] {
            assert_eq!(secret(line), None, "{line}");
        }
    }

    #[test]
    fn names_are_shown_up_to_a_colon() {
        assert_eq!(shown_name("bob"), "bob");
        assert_eq!(shown_name("bob:Secr3t"), "bob:…");
    }

    #[test]
    fn any_bytes_are_fine() {
        for bytes in [
            &b"#\xff:\xfe"[..],
            b"# pw:",
            b"# pw is",
            b"#:x",
            b"# \xffpw= \xfe",
        ] {
            let _ = credential_in_comment(bytes);
        }
        assert!(credential_in_comment(b"#:x").is_none());
    }
}
