//! The inline suppression comment, `# htguard: ignore[CODE, NAME] reason`.
//!
//! It is a whole-line `#` comment, which every input htguard reads treats as a comment
//! (Apache and nginx configs, htpasswd, htdigest and group files), so adding one never
//! changes what a server does. It silences findings whose primary span starts on the
//! line right after it; several suppression lines stacked directly above one line all
//! apply to that line.

use crate::source::{FileId, SourceFile, Span};

/// One code (or rule name) inside `ignore[...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressedCode {
    /// The text as written, e.g. `PW001` or `utf8-bom`.
    pub text: String,
    pub span: Span,
}

/// A parsed suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The comment, from its `#` to the end of the line (without the line ending).
    pub span: Span,
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based line whose findings it silences.
    pub target_line: usize,
    pub codes: Vec<SuppressedCode>,
    /// The reason after `]`, trimmed; `None` when missing.
    pub reason: Option<String>,
}

/// A comment that starts like a suppression (`# htguard:`) but cannot be read as one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedSuppression {
    pub span: Span,
    pub problem: &'static str,
}

/// Every suppression comment of one file, well-formed or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSuppressions {
    pub suppressions: Vec<Suppression>,
    pub malformed: Vec<MalformedSuppression>,
}

const MARKER: &[u8] = b"htguard:";

/// The marker's searcher, built once: a run scans thousands of small files, and building
/// it costs more than searching one of them.
static MARKER_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARKER));

/// Find the suppression comments of `file`. Only lines holding the `htguard:` marker are
/// looked at (found with a SIMD substring search), so a million-line password file
/// without suppressions costs one fast pass.
pub fn scan(id: FileId, file: &SourceFile) -> FileSuppressions {
    let mut out = FileSuppressions::default();
    let bytes = &file.bytes;
    // The current run of suppression lines on consecutive lines, waiting for their target.
    let mut pending: Vec<Suppression> = Vec::new();
    let mut next_from = 0;
    for hit in MARKER_FINDER.find_iter(bytes) {
        if hit < next_from {
            continue; // a second marker on a line already handled
        }
        let start = memchr::memrchr(b'\n', &bytes[..hit]).map_or(0, |i| i + 1);
        let nl = memchr::memchr(b'\n', &bytes[hit..]).map(|i| hit + i);
        next_from = nl.map_or(bytes.len(), |i| i + 1);
        let mut end = nl.unwrap_or(bytes.len());
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let line = file.line_col(start).0;
        if pending.last().is_some_and(|p| p.line + 1 != line) {
            let target = pending.last().map_or(line, |p| p.line + 1);
            flush(&mut pending, target, &mut out);
        }
        match parse_line(id, bytes, start, end, line) {
            Some(Ok(s)) => pending.push(s),
            Some(Err(m)) => {
                out.malformed.push(m);
                flush(&mut pending, line, &mut out);
            }
            None => {}
        }
    }
    let target = pending.last().map_or(0, |p| p.line + 1);
    flush(&mut pending, target, &mut out);
    out
}

fn flush(pending: &mut Vec<Suppression>, target_line: usize, out: &mut FileSuppressions) {
    for mut s in pending.drain(..) {
        s.target_line = target_line;
        out.suppressions.push(s);
    }
}

/// `None` when the line is not a suppression comment at all.
fn parse_line(
    id: FileId,
    bytes: &[u8],
    start: usize,
    end: usize,
    line: usize,
) -> Option<Result<Suppression, MalformedSuppression>> {
    let text = &bytes[start..end];
    let indent = text
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if text.get(indent) != Some(&b'#') {
        return None;
    }
    let mut pos = indent + 1;
    pos += count_blank(&text[pos..]);
    let rest = &text[pos..];
    if !rest.starts_with(MARKER) {
        return None;
    }
    // From the `#`: indentation is not part of the comment.
    let span = Span::new(id, start + indent, end);
    let bad = |problem| Some(Err(MalformedSuppression { span, problem }));
    pos += MARKER.len();
    pos += count_blank(&text[pos..]);
    let Some(after_ignore) = strip_prefix_ci(&text[pos..], b"ignore") else {
        return bad("expected `ignore[CODE] reason` after `htguard:`");
    };
    pos = text.len() - after_ignore.len();
    if text.get(pos) != Some(&b'[') {
        return bad("expected `[` right after `ignore`: `ignore[CODE] reason`");
    }
    let Some(close) = text[pos..].iter().position(|b| *b == b']').map(|i| pos + i) else {
        return bad("missing `]` after the codes");
    };
    let mut codes = Vec::new();
    let mut cursor = pos + 1;
    for part in text[pos + 1..close].split(|b| *b == b',') {
        let lead = count_blank(part);
        let trimmed = trim_blank(part);
        if !trimmed.is_empty() {
            let s = start + cursor + lead;
            codes.push(SuppressedCode {
                text: String::from_utf8_lossy(trimmed).into_owned(),
                span: Span::new(id, s, s + trimmed.len()),
            });
        }
        cursor += part.len() + 1;
    }
    if codes.is_empty() {
        return bad("no rule code inside `ignore[]`");
    }
    let reason = String::from_utf8_lossy(&text[close + 1..]);
    let reason = reason
        .trim()
        .trim_start_matches(['-', ':', '—', '–'])
        .trim();
    let reason = reason
        .chars()
        .any(char::is_alphanumeric)
        .then(|| reason.to_string());
    Some(Ok(Suppression {
        span,
        line,
        target_line: 0,
        codes,
        reason,
    }))
}

fn count_blank(b: &[u8]) -> usize {
    b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count()
}

fn trim_blank(b: &[u8]) -> &[u8] {
    let s = count_blank(b);
    let e = b.len()
        - b.iter()
            .rev()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
    if s >= e { &[] } else { &b[s..e] }
}

fn strip_prefix_ci<'a>(b: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &b[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_str(s: &str) -> FileSuppressions {
        scan(0, &SourceFile::new("f", s.as_bytes().to_vec()))
    }

    #[test]
    fn reads_codes_reason_and_target() {
        let f = scan_str("a\n  # htguard: ignore[PW001, utf8-bom] legacy client\nuser:x\n");
        assert!(f.malformed.is_empty());
        let s = &f.suppressions[0];
        assert_eq!(s.line, 2);
        assert_eq!(s.target_line, 3);
        let codes: Vec<_> = s.codes.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(codes, ["PW001", "utf8-bom"]);
        assert_eq!(s.reason.as_deref(), Some("legacy client"));
        let text = "a\n  # htguard: ignore[PW001, utf8-bom] legacy client\nuser:x\n";
        let c = &s.codes[1];
        assert_eq!(&text[c.span.start..c.span.end], "utf8-bom");
    }

    #[test]
    fn stacked_comments_share_the_next_line() {
        let f = scan_str(
            "# htguard: ignore[A] x\r\n#htguard: IGNORE[B]\r\nline\r\n# HTGUARD: ignore[C] r\n",
        );
        assert_eq!(f.suppressions.len(), 2);
        assert!(f.suppressions.iter().all(|s| s.target_line == 3));
        assert_eq!(f.suppressions[1].reason, None);
    }

    #[test]
    fn reason_needs_words() {
        let f = scan_str("# htguard: ignore[A] --\nx");
        assert_eq!(f.suppressions[0].reason, None);
        let f = scan_str("# htguard: ignore[A] -- ok because\nx");
        assert_eq!(f.suppressions[0].reason.as_deref(), Some("ok because"));
    }

    #[test]
    fn malformed_and_unrelated_comments() {
        let f = scan_str(
            "# htguard: ignore PW001\n# htguard: ignore[]\n# htguard: ignore[A\n# plain\nu:x # htguard: ignore[A] r\n",
        );
        assert_eq!(f.malformed.len(), 3);
        assert!(f.suppressions.is_empty());
    }

    #[test]
    fn separate_runs_have_separate_targets() {
        let f = scan_str(
            "# htguard: ignore[A] r\nx\ny\n  # htguard: ignore[B] r\nu:x # htguard: ignore[C] r\n",
        );
        let t: Vec<_> = f
            .suppressions
            .iter()
            .map(|s| (s.line, s.target_line))
            .collect();
        assert_eq!(t, [(1, 2), (4, 5)]);
        assert_eq!(
            f.suppressions[1].span.start,
            "# htguard: ignore[A] r\nx\ny\n  ".len()
        );
    }

    #[test]
    fn at_end_of_file_targets_nothing() {
        let f = scan_str("x\n# htguard: ignore[A] r");
        assert_eq!(f.suppressions[0].target_line, 3);
    }

    #[test]
    fn any_bytes_do_not_panic() {
        for s in [
            &b"#htguard:ignore["[..],
            b"\xff#htguard:",
            b"#",
            b"",
            b"# htguard:ignore[\xff]\xfe",
        ] {
            let _ = scan(0, &SourceFile::new("f", s.to_vec()));
        }
    }
}
