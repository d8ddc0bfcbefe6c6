//! Line and file classification: basic, digest or group, from shape alone.
//!
//! A group line `admins: alice bob` and a basic line with a space after the
//! colon (`alice: $2y$…`) share a shape. Content decides when it can: two or
//! more words after the colon, none of them hash-like, is a group list; one
//! hash-like word is a password. Anything else follows the caller's hint (the
//! file name, or the directive that names the file) and otherwise reads as basic.

use super::{FileKind, Line, LineKind, PasswdFile, is_ws};

/// What the caller knows about the file's purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KindHint {
    /// Decide from content alone.
    #[default]
    Auto,
    /// Used as AuthUserFile / auth_basic_user_file for Basic auth.
    Basic,
    /// Used as AuthUserFile for Digest auth.
    Digest,
    /// Used as AuthGroupFile, or named like one (`.htgroup`, `groups`).
    Group,
}

/// Hex digits a third field may have and still read as a digest line
/// (32 is well-formed; near misses are digest lines with a bad hash).
const DIGEST_HEX_LEN: std::ops::RangeInclusive<usize> = 24..=40;

pub(super) fn classify(file: &mut PasswdFile, src: &[u8], hint: KindHint) {
    let mut strong_group = 0usize;
    let mut strong_basic = 0usize;
    let mut digest = 0usize;
    let mut entries = 0usize;
    // Each line's shape was set while indexing ([`shape`]).
    for line in &mut file.lines {
        if line.kind == LineKind::Digest && hint == KindHint::Group {
            line.kind = LineKind::Basic;
        }
        match line.kind {
            // Once a hash-like or digest line is seen the file is no group file: stop voting.
            LineKind::Basic if hint != KindHint::Auto || strong_basic > 0 || digest > 0 => {
                entries += 1
            }
            LineKind::Basic => {
                entries += 1;
                match group_vote(line, src) {
                    Vote::Group => strong_group += 1,
                    Vote::Basic => strong_basic += 1,
                    Vote::Unsure => {}
                }
            }
            LineKind::Digest => {
                entries += 1;
                digest += 1;
            }
            _ => {}
        }
    }
    let is_group = match hint {
        KindHint::Group => true,
        KindHint::Basic | KindHint::Digest => false,
        KindHint::Auto => strong_group > 0 && strong_basic == 0 && digest == 0,
    };
    if is_group {
        for line in &mut file.lines {
            if line.kind == LineKind::Basic {
                line.kind = LineKind::Group;
            }
        }
    }
    file.kind = if entries == 0 {
        FileKind::Empty
    } else if is_group {
        FileKind::Group
    } else if digest == 0 {
        FileKind::Basic
    } else if digest == entries {
        FileKind::Digest
    } else {
        FileKind::Mixed
    };
}

/// Blank, comment, no colon, digest or basic.
pub(super) fn shape(line: &Line, src: &[u8]) -> LineKind {
    let text = src
        .get(line.text_start()..line.content_end as usize)
        .unwrap_or_default();
    let trimmed = trim_ws(text);
    if trimmed.is_empty() {
        return LineKind::Blank;
    }
    if trimmed[0] == b'#' {
        return LineKind::Comment;
    }
    if line.colon1().is_none() {
        return LineKind::NoColon;
    }
    if let Some(f3) = line.field3().and_then(|r| src.get(r)) {
        let f3 = trim_ws(f3);
        if DIGEST_HEX_LEN.contains(&f3.len()) && f3.iter().all(u8::is_ascii_hexdigit) {
            return LineKind::Digest;
        }
    }
    LineKind::Basic
}

enum Vote {
    Group,
    Basic,
    Unsure,
}

fn group_vote(line: &Line, src: &[u8]) -> Vote {
    // Members never hold a colon; a second colon means `user:hash:comment`.
    let (Some(c1), None) = (line.colon1(), line.colon2()) else {
        return Vote::Unsure;
    };
    let rest = src
        .get(c1 + 1..line.content_end as usize)
        .unwrap_or_default();
    let mut words = rest
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| !w.is_empty());
    let (Some(first), second) = (words.next(), words.next()) else {
        return Vote::Unsure;
    };
    if looks_like_hash(first) {
        return Vote::Basic;
    }
    match second {
        Some(w) if !looks_like_hash(w) => Vote::Group,
        _ => Vote::Unsure,
    }
}

/// `$id$…`, `{SCHEME}…`, or a 13-character DES hash (which has a digit, `.` or `/`).
pub fn looks_like_hash(w: &[u8]) -> bool {
    if w.len() > 3 && (w[0] == b'$' || w[0] == b'{') {
        return true;
    }
    w.len() == 13
        && w.iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'/')
        && w.iter()
            .any(|b| b.is_ascii_digit() || *b == b'.' || *b == b'/')
}

pub(crate) fn trim_ws(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !is_ws(*b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_ws(*b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}
