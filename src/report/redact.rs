//! Show files without their secrets.
//!
//! What a secret field may show is [`crate::hash::visible_prefix`]'s answer, decided from
//! the field itself: a recognised hash keeps its scheme prefix, a plaintext password or
//! any other text shows nothing. Where the fields are:
//! - in a user file, everything after the user's colon (after the realm in a digest
//!   line), and the whole of a line without a colon (a password pasted on its own line);
//! - in any file (configs and group files too), a credential written in a comment
//!   (`# bob:P@ssw0rd`, `# password: hunter2`; see [`credential_in_comment`]).
//!
//! The human snippet needs the file's text with the *same byte length*, so that every
//! span still points at the same place: the hidden part becomes `…` (3 bytes), then
//! spaces up to the original length. User names, prose comments and digest realms stay
//! readable. Other renderers use the short form (no padding).

use crate::hash::visible_prefix;
use crate::syntax::passwd::{FileKind, credential_in_comment};

/// How a line's secret is located.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No entry holds a secret (group files, configs): only comments are looked at.
    Clear,
    /// `user:hash[:anything]`: everything after the first colon is secret.
    Basic,
    /// `user:realm:hash`: the third field is secret (a line of another shape: as Basic).
    Digest,
    /// Both shapes in one file: a line is digest-shaped only if its third field looks
    /// like an MD5 hex digest.
    Mixed,
}

impl Mode {
    pub fn for_kind(kind: Option<FileKind>) -> Mode {
        match kind {
            None | Some(FileKind::Group) => Mode::Clear,
            Some(FileKind::Digest) => Mode::Digest,
            Some(FileKind::Mixed) => Mode::Mixed,
            Some(FileKind::Basic) | Some(FileKind::Empty) => Mode::Basic,
        }
    }
}

/// Display text of `bytes` (a run of whole lines) with the same byte length:
/// secrets redacted per `mode`, each invalid UTF-8 byte shown as `?`, a BOM as `�`.
pub fn display_text(bytes: &[u8], mode: Mode) -> String {
    let mut buf = bytes.to_vec();
    let mut start = 0;
    while start < buf.len() {
        let end = buf[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(buf.len(), |i| start + i);
        redact_line_in_place(&mut buf[start..end], mode);
        start = end + 1;
    }
    same_length_utf8(&buf)
}

/// One line (no line ending) with its secret shortened to `prefix…`: for diffs and
/// any other place where lengths need not be kept.
pub fn short_line(line: &[u8], mode: Mode) -> String {
    let Some((start, end, keep)) = secret_range(line, mode) else {
        return String::from_utf8_lossy(line).into_owned();
    };
    let mut out = String::from_utf8_lossy(&line[..start + keep]).into_owned();
    if end > start + keep {
        out.push('…');
    }
    out.push_str(&String::from_utf8_lossy(&line[end..]));
    out
}

/// Redact a whole text for display without keeping lengths (line endings kept).
pub fn short_text(bytes: &[u8], mode: Mode) -> String {
    let mut out = String::with_capacity(bytes.len());
    for piece in bytes.split_inclusive(|b| *b == b'\n') {
        let body_len = piece.len()
            - piece
                .iter()
                .rev()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count();
        out.push_str(&short_line(&piece[..body_len], mode));
        out.push_str(&String::from_utf8_lossy(&piece[body_len..]));
    }
    out
}

fn redact_line_in_place(line: &mut [u8], mode: Mode) {
    let Some((start, end, keep)) = secret_range(line, mode) else {
        return;
    };
    let from = start + keep;
    let hidden = end - from;
    if hidden == 0 {
        return;
    }
    let fill: &[u8] = if hidden >= 3 { "…".as_bytes() } else { b"" };
    for (i, b) in line[from..end].iter_mut().enumerate() {
        *b = fill.get(i).copied().unwrap_or(b' ');
    }
}

/// (secret start, secret end, bytes of it that may be shown) within `line`.
fn secret_range(line: &[u8], mode: Mode) -> Option<(usize, usize, usize)> {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\r' {
        end -= 1;
    }
    let lead = line[..end]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if lead == end {
        return None;
    }
    if line[lead] == b'#' {
        let secret = credential_in_comment(&line[..end])?.secret;
        return Some(shown(line, secret.start, secret.end));
    }
    if mode == Mode::Clear {
        return None;
    }
    let start = match line[..end].iter().position(|b| *b == b':') {
        // No colon: maybe a password pasted on its own line. Treat it all as secret.
        None => lead,
        Some(c) => {
            let rest = &line[c + 1..end];
            let second = rest.iter().position(|b| *b == b':').map(|i| c + 1 + i);
            match (mode, second) {
                (Mode::Digest, Some(c2)) => c2 + 1,
                (Mode::Mixed, Some(c2)) if looks_md5(&line[c2 + 1..end]) => c2 + 1,
                _ => c + 1,
            }
        }
    };
    // Blanks before the secret hide nothing, and labels point at them (`u: hash`).
    let start = start
        + line[start..end]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
    Some(shown(line, start, end))
}

/// The secret `line[start..end]` with the length of it that may be shown.
fn shown(line: &[u8], start: usize, end: usize) -> (usize, usize, usize) {
    (start, end, visible_prefix(&line[start..end]))
}

fn looks_md5(field: &[u8]) -> bool {
    let t = field.trim_ascii();
    t.len() >= 16 && t.iter().all(u8::is_ascii_hexdigit)
}

/// UTF-8 text with exactly `bytes.len()` bytes: invalid bytes become `?`, and a BOM
/// (invisible, zero width) becomes `�` (also 3 bytes) so a label on it can be seen.
fn same_length_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\u{feff}', "\u{fffd}"));
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BCRYPT: &str = "$2y$10$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMN";

    #[test]
    fn same_length_and_no_full_hash() {
        let text =
            format!("# admins\nalice:{BCRYPT}\r\n  bob:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=  \n");
        let shown = display_text(text.as_bytes(), Mode::Basic);
        assert_eq!(shown.len(), text.len());
        assert!(!shown.contains("abcd"));
        assert!(shown.contains("alice:$2y$10$…  "), "{shown}");
        assert!(shown.contains("bob:{SHA}…  "), "{shown}");
        assert!(shown.starts_with("# admins\n"));
        // Line structure (and so every span's line) is unchanged.
        assert_eq!(shown.matches('\n').count(), 3);
        assert!(shown.contains("\r\n"));
    }

    #[test]
    fn plaintext_shows_nothing_in_any_form() {
        let text = b"bob:secret\ndan:{PLAIN}tralala\neve: hunter22\nsecret7\n";
        let shown = display_text(text, Mode::Basic);
        assert_eq!(shown.len(), text.len());
        for piece in ["sec", "ecr", "ret", "tra", "ala", "hun", "r22"] {
            assert!(!shown.contains(piece), "{piece} in {shown}");
        }
        assert!(
            shown.starts_with("bob:…   \ndan:{PLAIN}…    \neve: …     \n"),
            "{shown}"
        );
        let short = short_text(text, Mode::Basic);
        assert_eq!(short, "bob:…\ndan:{PLAIN}…\neve: …\n…\n");
    }

    #[test]
    fn digest_realm_stays_visible() {
        let line = b"alice:Admin area:0123456789abcdef0123456789abcdef";
        let shown = display_text(line, Mode::Digest);
        assert!(shown.starts_with("alice:Admin area:…  "), "{shown}");
        assert!(!shown.contains("0123"));
        assert_eq!(short_line(line, Mode::Digest), "alice:Admin area:…");
        // In a Basic file a digest-shaped line is all secret after the user.
        assert_eq!(short_line(line, Mode::Basic), "alice:…");
    }

    #[test]
    fn credentials_in_comments_are_redacted_but_prose_is_not() {
        let text = format!(
            "#bob:{BCRYPT}\n  # carol:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n# dave:P@ssw0rd\n\
             # admin password: hunter2\n# Note: rotated 2024\n# htguard: ignore[PW006] kiosk\n"
        );
        let shown = display_text(text.as_bytes(), Mode::Basic);
        assert_eq!(shown.len(), text.len());
        assert!(shown.contains("#bob:$2y$10$…"), "{shown}");
        assert!(shown.contains("  # carol:{SHA}…"), "{shown}");
        assert!(shown.contains("# dave:…"), "{shown}");
        assert!(shown.contains("# admin password: …"), "{shown}");
        for piece in ["abc", "qUq", "w0r", "P@s", "unt"] {
            assert!(!shown.contains(piece), "{piece} in {shown}");
        }
        assert!(
            shown.contains("# Note: rotated 2024\n# htguard: ignore[PW006] kiosk\n"),
            "{shown}"
        );
    }

    #[test]
    fn groups_configs_and_odd_bytes() {
        assert_eq!(
            display_text(b"admins: alice bob\n", Mode::Clear),
            "admins: alice bob\n"
        );
        // A comment is a comment wherever it is: a config's too.
        assert_eq!(
            short_text(b"# pw=hunter2\nlisten 80;\n", Mode::Clear),
            "# pw=…\nlisten 80;\n"
        );
        let odd = b"\xEF\xBB\xBFu:\xff\xfehashhash\n";
        let shown = display_text(odd, Mode::Basic);
        assert_eq!(shown.len(), odd.len());
        assert!(shown.starts_with('\u{fffd}'));
        assert!(!shown.contains("has"));
        let pasted = display_text(b"hunter2secret\n", Mode::Basic);
        assert!(!pasted.contains("hun"));
        assert_eq!(
            short_text(b"u:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\r\n", Mode::Basic),
            "u:{SHA}…\r\n"
        );
        assert_eq!(short_text(b"u:*0\n", Mode::Basic), "u:*0\n");
    }
}
