//! Show password files without their secrets.
//!
//! The human snippet needs the file's text with the *same byte length*, so that every
//! span still points at the same place: each hash keeps the prefix
//! [`crate::hash::redact_hash`] allows, then `…` (3 bytes), then spaces up to the
//! original length. User names, comments and digest realms stay readable.
//! Other renderers use the short form (no padding).

use crate::hash::redact_hash;
use crate::syntax::passwd::FileKind;

/// How a line's secret is located.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Not a secret-bearing file (group files, configs): shown as is.
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
    if mode != Mode::Clear {
        let mut start = 0;
        while start < buf.len() {
            let end = buf[start..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(buf.len(), |i| start + i);
            redact_line_in_place(&mut buf[start..end], mode);
            start = end + 1;
        }
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
    if mode == Mode::Clear {
        return String::from_utf8_lossy(bytes).into_owned();
    }
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
    if mode == Mode::Clear {
        return None;
    }
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
        return commented_entry(line, lead + 1, end, mode);
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
    let secret = &line[start..end];
    let keep = match std::str::from_utf8(secret) {
        Ok(s) => redact_hash(s).trim_end_matches('…').len(),
        Err(_) => 0,
    }
    .min(secret.len());
    Some((start, end, keep))
}

/// A comment that holds a commented-out entry (`#bob:$apr1$…`, or nginx's view of an
/// indented `#user:hash`) still holds a hash. Prose comments (`# Note: …`, and the
/// `# htguard: ignore[…]` suppressions) have a blank after their colon and stay readable.
fn commented_entry(
    line: &[u8],
    from: usize,
    end: usize,
    mode: Mode,
) -> Option<(usize, usize, usize)> {
    let inner = from
        + line[from..end]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
    let colon = inner + line[inner..end].iter().position(|b| *b == b':')?;
    let user = &line[inner..colon];
    let after = line.get(colon + 1).copied();
    let entry_like = !user.is_empty()
        && !user.iter().any(|b| b.is_ascii_whitespace())
        && after.is_some_and(|b| !b.is_ascii_whitespace())
        && end - colon > 8;
    if !entry_like {
        return None;
    }
    let (s, e, keep) = secret_range(&line[inner..end], mode)?;
    Some((inner + s, inner + e, keep))
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
        assert!(!shown.contains(BCRYPT));
        assert!(shown.contains("alice:$2y$10$abcd…"), "{shown}");
        assert!(shown.contains("bob:{SHA}qUqP…"), "{shown}");
        assert!(shown.starts_with("# admins\n"));
        // Line structure (and so every span's line) is unchanged.
        assert_eq!(shown.matches('\n').count(), 3);
        assert!(shown.contains("\r\n"));
    }

    #[test]
    fn digest_realm_stays_visible() {
        let line = b"alice:Admin area:0123456789abcdef0123456789abcdef";
        let shown = display_text(line, Mode::Digest);
        assert!(shown.starts_with("alice:Admin area:0123…"), "{shown}");
        assert!(!shown.contains("0123456789abcdef0123456789abcdef"));
        assert_eq!(short_line(line, Mode::Digest), "alice:Admin area:0123…");
        // In a Basic file a digest-shaped line is all secret after the user.
        assert_eq!(short_line(line, Mode::Basic), "alice:Admi…");
    }

    #[test]
    fn commented_out_entries_are_redacted_but_prose_is_not() {
        let text = format!(
            "#bob:{BCRYPT}\n  # carol:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n# Note: rotated 2024\n# htguard: ignore[PW006] kiosk\n"
        );
        let shown = display_text(text.as_bytes(), Mode::Basic);
        assert_eq!(shown.len(), text.len());
        assert!(shown.contains("#bob:$2y$10$abcd…"), "{shown}");
        assert!(shown.contains("  # carol:{SHA}qUqP…"), "{shown}");
        assert!(!shown.contains(BCRYPT) && !shown.contains("qUqP5cyxm6YcTAhz05Hph5gvu9M="));
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
        let odd = b"\xEF\xBB\xBFu:\xff\xfehashhash\n";
        let shown = display_text(odd, Mode::Basic);
        assert_eq!(shown.len(), odd.len());
        assert!(shown.starts_with('\u{fffd}'));
        let pasted = display_text(b"hunter2secret\n", Mode::Basic);
        assert!(!pasted.contains("hunter2secret"));
        assert_eq!(
            short_text(b"u:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\r\n", Mode::Basic),
            "u:{SHA}qUqP…\r\n"
        );
    }
}
