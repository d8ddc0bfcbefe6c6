//! htpasswd, htdigest and group files, lossless.
//!
//! [`parse`] turns any bytes into a [`PasswdFile`]: a compact index of lines
//! (u32 offsets, no per-line allocation) into bytes the caller keeps. Every
//! byte belongs to exactly one line (`content` + `ending`), so
//! [`PasswdFile::to_bytes`] rebuilds the input byte for byte, and an edit
//! ([`Editor`]) rewrites only the lines it means to.
//!
//! This layer knows the *shape* of lines (fields split at colons, whitespace,
//! endings) but not how a server reads them: that is `model::passwd`.

mod classify;
mod credential;
mod edit;

pub use classify::{KindHint, looks_like_hash};
pub use credential::{
    CommentCredential, Shape as CredentialShape, credential_in_comment, shown_name,
};
pub use edit::{EditError, Editor};

use std::ops::Range;

/// What a password file holds, detected from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FileKind {
    /// No entries at all (empty, or only comments/blank lines).
    #[default]
    Empty,
    /// `user:hash` lines (htpasswd).
    Basic,
    /// `user:realm:md5hex` lines (htdigest).
    Digest,
    /// `group: user1 user2` lines (AuthGroupFile).
    Group,
    /// Basic and digest lines in one file.
    Mixed,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Empty => "empty",
            FileKind::Basic => "htpasswd",
            FileKind::Digest => "htdigest",
            FileKind::Group => "group",
            FileKind::Mixed => "mixed",
        }
    }
}

/// What one line is, by its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// Empty or only whitespace (a BOM on line 1 does not count).
    Blank,
    /// First non-blank byte is `#`.
    Comment,
    /// Text without any `:`.
    NoColon,
    /// `user:hash[:anything]`.
    Basic,
    /// `user:realm:hex` (the third field is 24..=40 hex digits; exactly 32 is well-formed).
    Digest,
    /// `group: member member` (in a file detected or hinted as a group file).
    Group,
}

impl LineKind {
    /// A line that names a user or group (has a colon and is not a comment).
    pub fn is_entry(self) -> bool {
        matches!(self, LineKind::Basic | LineKind::Digest | LineKind::Group)
    }
}

/// How a line ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ending {
    /// Last line of a file without a final newline.
    None,
    Lf,
    CrLf,
    /// A lone CR at the very end of the file (a CR anywhere else is content).
    Cr,
}

impl Ending {
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            Ending::None => b"",
            Ending::Lf => b"\n",
            Ending::CrLf => b"\r\n",
            Ending::Cr => b"\r",
        }
    }
    pub fn len(self) -> usize {
        self.as_bytes().len()
    }
    pub fn is_empty(self) -> bool {
        self == Ending::None
    }
}

/// Raw facts about a line that rules need, as bit flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Facts(u16);

impl Facts {
    /// Line 1 starts with a UTF-8 BOM (EF BB BF).
    pub const BOM: Facts = Facts(1);
    /// Whitespace (space, tab, VT, FF, CR) before the first non-blank byte.
    pub const LEADING_WS: Facts = Facts(1 << 1);
    /// Whitespace right after the first colon (`u: hash`).
    pub const WS_AFTER_COLON: Facts = Facts(1 << 2);
    /// Whitespace right before the first colon (`u :hash`).
    pub const WS_BEFORE_COLON: Facts = Facts(1 << 3);
    /// Whitespace at the end of the content (before the line ending).
    pub const TRAILING_WS: Facts = Facts(1 << 4);
    /// The content ends with `\` (Apache joins the next line when an LF follows).
    pub const TRAILING_BACKSLASH: Facts = Facts(1 << 5);
    /// `u::hash`: the first colon is directly followed by another.
    pub const DOUBLED_COLON: Facts = Facts(1 << 6);
    /// A NUL byte in the content.
    pub const NUL: Facts = Facts(1 << 8);
    /// A CR inside the content (not part of a CRLF ending).
    pub const INNER_CR: Facts = Facts(1 << 9);
    /// Whitespace inside the second field after its first non-blank byte (`u:hash # note`).
    pub const WS_IN_FIELD2: Facts = Facts(1 << 10);
    /// The content is not valid UTF-8.
    pub const NOT_UTF8: Facts = Facts(1 << 11);

    pub fn contains(self, other: Facts) -> bool {
        self.0 & other.0 == other.0
    }
    /// Any of the facts in `other`.
    pub fn intersects(self, other: Facts) -> bool {
        self.0 & other.0 != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    fn insert(&mut self, other: Facts) {
        self.0 |= other.0;
    }
}

impl std::ops::BitOr for Facts {
    type Output = Facts;
    fn bitor(self, rhs: Facts) -> Facts {
        Facts(self.0 | rhs.0)
    }
}

const NONE: u32 = u32::MAX;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One line: byte offsets into the file (20 bytes, no allocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    start: u32,
    content_end: u32,
    colon1: u32,
    colon2: u32,
    kind: LineKind,
    ending: Ending,
    facts: Facts,
}

/// Whitespace as Apache's `apr_isspace` sees it, minus LF (which ends a line).
pub fn is_blank(b: u8) -> bool {
    is_ws(b)
}

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r')
}

impl Line {
    /// A slot [`scan_lines`] overwrites.
    const PLACEHOLDER: Line = Line {
        start: 0,
        content_end: 0,
        colon1: NONE,
        colon2: NONE,
        kind: LineKind::Blank,
        ending: Ending::None,
        facts: Facts(0),
    };
    /// The whole line, ending included.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end()
    }
    /// Offset of the first byte.
    pub fn start(&self) -> usize {
        self.start as usize
    }
    /// Offset just past the ending.
    pub fn end(&self) -> usize {
        self.content_end as usize + self.ending.len()
    }
    /// The line without its ending (a BOM on line 1 included).
    pub fn content(&self) -> Range<usize> {
        self.start as usize..self.content_end as usize
    }
    /// The ending bytes (possibly empty).
    pub fn ending_range(&self) -> Range<usize> {
        self.content_end as usize..self.end()
    }
    pub fn ending(&self) -> Ending {
        self.ending
    }
    pub fn kind(&self) -> LineKind {
        self.kind
    }
    pub fn facts(&self) -> Facts {
        self.facts
    }
    /// Bytes before the LF: the content and a CR that ends it (what a reader with a
    /// line buffer must hold).
    pub fn len_before_lf(&self) -> usize {
        let cr = usize::from(matches!(self.ending, Ending::CrLf | Ending::Cr));
        self.content_end as usize - self.start as usize + cr
    }
    pub fn has(&self, fact: Facts) -> bool {
        self.facts.contains(fact)
    }
    /// Where the text starts: after a BOM on line 1.
    pub fn text_start(&self) -> usize {
        self.start as usize
            + if self.facts.contains(Facts::BOM) {
                BOM.len()
            } else {
                0
            }
    }
    /// The BOM, if this line has one.
    pub fn bom(&self) -> Option<Range<usize>> {
        self.facts
            .contains(Facts::BOM)
            .then(|| self.start as usize..self.text_start())
    }
    /// Offset of the first colon.
    pub fn colon1(&self) -> Option<usize> {
        (self.colon1 != NONE).then_some(self.colon1 as usize)
    }
    /// Offset of the second colon.
    pub fn colon2(&self) -> Option<usize> {
        (self.colon2 != NONE).then_some(self.colon2 as usize)
    }
    /// Text before the first colon, raw (whitespace included, BOM excluded).
    /// `None` for a line without a colon.
    pub fn user(&self) -> Option<Range<usize>> {
        self.colon1().map(|c| self.text_start()..c)
    }
    /// Text between the first and the second colon (or the end of the content), raw.
    pub fn field2(&self) -> Option<Range<usize>> {
        let c1 = self.colon1()?;
        let end = self.colon2().unwrap_or(self.content_end as usize);
        Some(c1 + 1..end)
    }
    /// Everything after the second colon, raw.
    pub fn field3(&self) -> Option<Range<usize>> {
        self.colon2().map(|c| c + 1..self.content_end as usize)
    }
    /// Leading whitespace (after a BOM).
    pub fn leading_ws(&self, src: &[u8]) -> Range<usize> {
        let s = self.text_start();
        let e = self.content_end as usize;
        let n = src
            .get(s..e)
            .map_or(0, |t| t.iter().take_while(|b| is_ws(**b)).count());
        s..s + n
    }
    /// Trailing whitespace before the ending.
    pub fn trailing_ws(&self, src: &[u8]) -> Range<usize> {
        let s = self.text_start();
        let e = self.content_end as usize;
        let n = src
            .get(s..e)
            .map_or(0, |t| t.iter().rev().take_while(|b| is_ws(**b)).count());
        e - n..e
    }
    /// Bytes before the LF, CR of a CRLF included: what Apache's buffer must hold.
    pub fn raw_len(&self) -> usize {
        let cr = usize::from(self.ending == Ending::CrLf || self.ending == Ending::Cr);
        self.content_end as usize - self.start as usize + cr
    }
}

/// A parsed password file: an index of lines into bytes the caller keeps.
#[derive(Debug, Clone, Default)]
pub struct PasswdFile {
    lines: Vec<Line>,
    len: usize,
    kind: FileKind,
    /// Bytes past 4 GiB are kept as one opaque tail (offsets are u32).
    tail: Option<usize>,
}

/// Parse any bytes; never fails, never panics. The file kind is detected from content.
pub fn parse(bytes: &[u8]) -> PasswdFile {
    parse_with(bytes, KindHint::Auto)
}

/// Parse with a hint about what the file is for (from its name or from the config
/// that uses it): decides lines a content check cannot, such as `name: word`.
pub fn parse_with(bytes: &[u8], hint: KindHint) -> PasswdFile {
    let limit = bytes.len().min(NONE as usize - 1);
    // Lines stop at the last LF before `limit` when the file goes on past it.
    let end = if limit < bytes.len() {
        memchr::memrchr(b'\n', &bytes[..limit]).map_or(0, |i| i + 1)
    } else {
        limit
    };
    let lines = scan_lines(bytes, end);
    let tail = (end < bytes.len()).then_some(end);
    let mut file = PasswdFile {
        lines,
        len: bytes.len(),
        kind: FileKind::Empty,
        tail,
    };
    classify::classify(&mut file, bytes, hint);
    file
}

/// Below this size one thread indexes the file; above, chunks are indexed in parallel.
const PARALLEL_MIN: usize = 1 << 20;

/// Index (and shape) every line of `bytes[..end]`. Big files are cut into chunks at
/// LFs, each chunk's lines counted first, so every chunk writes its own part of one
/// vector: the result is the same as one pass, without a second copy of the index.
fn scan_lines(bytes: &[u8], end: usize) -> Vec<Line> {
    use rayon::prelude::*;
    let pieces = if end < PARALLEL_MIN {
        1
    } else {
        rayon::current_num_threads().max(1) * 4
    };
    let mut bounds = vec![0usize];
    for k in 1..pieces {
        let target = (end / pieces * k).max(*bounds.last().unwrap_or(&0));
        let cut = memchr::memchr(b'\n', &bytes[target..end]).map_or(end, |i| target + i + 1);
        if cut < end && cut > *bounds.last().unwrap_or(&0) {
            bounds.push(cut);
        }
    }
    bounds.push(end);
    let ranges: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    // Every line but possibly the last of the file ends in an LF.
    let counts: Vec<usize> = ranges
        .par_iter()
        .map(|&(from, to)| {
            let chunk = &bytes[from..to];
            memchr::memchr_iter(b'\n', chunk).count()
                + usize::from(chunk.last().is_some_and(|b| *b != b'\n'))
        })
        .collect();
    let mut lines = vec![Line::PLACEHOLDER; counts.iter().sum()];
    let mut parts = Vec::with_capacity(ranges.len());
    let mut rest = lines.as_mut_slice();
    for n in &counts {
        let (part, after) = rest.split_at_mut(*n);
        parts.push(part);
        rest = after;
    }
    parts
        .into_par_iter()
        .zip(ranges.par_iter())
        .for_each(|(part, &(from, to))| {
            let mut pos = from;
            for slot in part.iter_mut() {
                let line_end = memchr::memchr(b'\n', &bytes[pos..to]).map_or(to, |i| pos + i + 1);
                let mut line = scan_line(bytes, pos, line_end, pos == 0);
                line.kind = classify::shape(&line, bytes);
                *slot = line;
                pos = line_end;
            }
        });
    lines
}

/// Index one line `[start, end)` where `end` is just past its LF (or the end of input).
fn scan_line(src: &[u8], start: usize, end: usize, first: bool) -> Line {
    let raw = &src[start..end];
    let (content_len, ending) = if raw.ends_with(b"\r\n") {
        (raw.len() - 2, Ending::CrLf)
    } else if raw.ends_with(b"\n") {
        (raw.len() - 1, Ending::Lf)
    } else if raw.ends_with(b"\r") {
        (raw.len() - 1, Ending::Cr)
    } else {
        (raw.len(), Ending::None)
    };
    let content_end = start + content_len;
    let mut facts = Facts::default();
    let mut text_start = start;
    if first && raw.starts_with(BOM) && content_len >= BOM.len() {
        facts.insert(Facts::BOM);
        text_start += BOM.len();
    }
    let text = &src[text_start..content_end];
    let colon1 = memchr::memchr(b':', text).map(|i| text_start + i);
    let colon2 =
        colon1.and_then(|c| memchr::memchr(b':', &src[c + 1..content_end]).map(|i| c + 1 + i));

    if text.first().is_some_and(|b| is_ws(*b)) {
        facts.insert(Facts::LEADING_WS);
    }
    if text.last().is_some_and(|b| is_ws(*b)) {
        facts.insert(Facts::TRAILING_WS);
    }
    if text.last() == Some(&b'\\') {
        facts.insert(Facts::TRAILING_BACKSLASH);
    }
    if let Some(c) = colon1 {
        if src.get(c + 1).is_some_and(|b| is_ws(*b)) && c + 1 < content_end {
            facts.insert(Facts::WS_AFTER_COLON);
        }
        if c > text_start && is_ws(src[c - 1]) {
            facts.insert(Facts::WS_BEFORE_COLON);
        }
        if colon2 == Some(c + 1) {
            facts.insert(Facts::DOUBLED_COLON);
        }
        let f2 = &src[c + 1..colon2.unwrap_or(content_end)];
        let body = f2.trim_ascii();
        // Every blank is a control byte or space: a branch-free (vectorized) scan for
        // any byte <= b' ' clears the common hash field before the exact test.
        let maybe_blank = body.iter().fold(0u8, |acc, &b| acc | u8::from(b <= b' ')) != 0;
        if maybe_blank && body.iter().any(|b| is_ws(*b)) {
            facts.insert(Facts::WS_IN_FIELD2);
        }
    }
    // One search for the common line with neither.
    if let Some(i) = memchr::memchr2(0, b'\r', text) {
        if memchr::memchr(0, &text[i..]).is_some() {
            facts.insert(Facts::NUL);
        }
        if memchr::memchr(b'\r', &text[i..]).is_some() {
            facts.insert(Facts::INNER_CR);
        }
    }
    if !text.is_ascii() && std::str::from_utf8(text).is_err() {
        facts.insert(Facts::NOT_UTF8);
    }
    Line {
        start: start as u32,
        content_end: content_end as u32,
        colon1: colon1.map_or(NONE, |c| c as u32),
        colon2: colon2.map_or(NONE, |c| c as u32),
        kind: LineKind::Blank,
        ending,
        facts,
    }
}

impl PasswdFile {
    /// What the file holds, detected from content (and the hint given to [`parse_with`]).
    pub fn kind(&self) -> FileKind {
        self.kind
    }
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
    pub fn line(&self, index: usize) -> Option<&Line> {
        self.lines.get(index)
    }
    /// Lines that name a user or group, with their index.
    pub fn entries(&self) -> impl Iterator<Item = (usize, &Line)> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind.is_entry())
    }
    /// Length of the parsed input in bytes.
    pub fn byte_len(&self) -> usize {
        self.len
    }
    /// Whether line 1 starts with a UTF-8 BOM.
    pub fn has_bom(&self) -> bool {
        self.lines.first().is_some_and(|l| l.has(Facts::BOM))
    }
    /// False when the last line has no line ending (an empty file counts as ending well).
    pub fn ends_with_newline(&self) -> bool {
        self.lines
            .last()
            .is_none_or(|l| !matches!(l.ending, Ending::None))
    }
    /// The ending a new line should get: the file's majority style (LF when unknown).
    pub fn line_ending(&self) -> Ending {
        let (mut lf, mut crlf) = (0usize, 0usize);
        let mut first = None;
        for l in &self.lines {
            match l.ending {
                Ending::Lf => lf += 1,
                Ending::CrLf => crlf += 1,
                _ => continue,
            }
            first.get_or_insert(l.ending);
        }
        match lf.cmp(&crlf) {
            std::cmp::Ordering::Less => Ending::CrLf,
            std::cmp::Ordering::Greater => Ending::Lf,
            std::cmp::Ordering::Equal => first.unwrap_or(Ending::Lf),
        }
    }
    /// Index of the line holding byte `offset` (the last line for offsets past the end).
    pub fn line_at(&self, offset: usize) -> Option<usize> {
        if self.lines.is_empty() {
            return None;
        }
        let i = self.lines.partition_point(|l| l.end() <= offset);
        Some(i.min(self.lines.len() - 1))
    }
    /// Rebuild the file from its lines: equal to the parsed input, byte for byte.
    pub fn to_bytes(&self, src: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for l in &self.lines {
            out.extend_from_slice(src.get(l.content()).unwrap_or_default());
            out.extend_from_slice(l.ending.as_bytes());
        }
        if let Some(t) = self.tail {
            out.extend_from_slice(src.get(t..).unwrap_or_default());
        }
        out
    }
    /// The first Basic entry for `user` (first entry wins on both servers).
    /// The name is compared as written, ignoring leading whitespace (a BOM counts).
    pub fn find_basic(&self, src: &[u8], user: &[u8]) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| l.kind == LineKind::Basic && entry_user(l, src) == Some(user))
    }
    /// The first Digest entry for `user` in `realm`.
    pub fn find_digest(&self, src: &[u8], user: &[u8], realm: &[u8]) -> Option<usize> {
        self.lines.iter().position(|l| {
            l.kind == LineKind::Digest
                && entry_user(l, src) == Some(user)
                && l.field2().and_then(|r| src.get(r)) == Some(realm)
        })
    }
    /// The first Group line for `group` (trailing blanks of the name ignored, as Apache does).
    pub fn find_group(&self, src: &[u8], group: &[u8]) -> Option<usize> {
        self.lines.iter().position(|l| {
            l.kind == LineKind::Group
                && entry_user(l, src).map(|u| u.trim_ascii_end()) == Some(group)
        })
    }
    /// Start a batch of edits over `src` (the bytes this file was parsed from).
    pub fn editor<'a>(&'a self, src: &'a [u8]) -> Editor<'a> {
        Editor::new(self, src)
    }
    /// Change `user`'s hash (first entry); error if absent.
    pub fn set_basic(&self, src: &[u8], user: &str, hash: &str) -> Result<Vec<u8>, EditError> {
        let mut e = self.editor(src);
        e.set_basic(user, hash)?;
        Ok(e.finish())
    }
    /// Change or add `user`'s digest hash in `realm`; error if absent.
    pub fn set_digest(
        &self,
        src: &[u8],
        user: &str,
        realm: &str,
        hash: &str,
    ) -> Result<Vec<u8>, EditError> {
        let mut e = self.editor(src);
        e.set_digest(user, realm, hash)?;
        Ok(e.finish())
    }
    /// Append `user:hash`; error if the user exists.
    pub fn add_basic(&self, src: &[u8], user: &str, hash: &str) -> Result<Vec<u8>, EditError> {
        let mut e = self.editor(src);
        e.add_basic(user, hash)?;
        Ok(e.finish())
    }
    /// Append `user:realm:hash`; error if the user exists in that realm.
    pub fn add_digest(
        &self,
        src: &[u8],
        user: &str,
        realm: &str,
        hash: &str,
    ) -> Result<Vec<u8>, EditError> {
        let mut e = self.editor(src);
        e.add_digest(user, realm, hash)?;
        Ok(e.finish())
    }
    /// Remove every entry of `user` (in `realm` for digest files); error if none.
    pub fn remove(
        &self,
        src: &[u8],
        user: &str,
        realm: Option<&str>,
    ) -> Result<Vec<u8>, EditError> {
        let mut e = self.editor(src);
        e.remove(user, realm)?;
        Ok(e.finish())
    }
}

/// The user (or group) name of an entry as the servers compare it: leading blanks dropped
/// (Apache trims them, and an edit rewrites the line without them), a BOM kept (both
/// servers, and Apache's `htpasswd`, read it as part of the first name).
pub(crate) fn entry_user<'a>(l: &Line, src: &'a [u8]) -> Option<&'a [u8]> {
    let r = l.user()?;
    let s = src.get(l.start()..r.end)?;
    let skip = s.iter().take_while(|b| is_ws(**b)).count();
    Some(&s[skip..])
}

#[cfg(test)]
mod tests;
