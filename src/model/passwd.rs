//! How each server SEES a password file (spec/passwd-files.md).
//!
//! The views replay the servers' own reading code over the raw bytes, so a
//! rule or `user verify` asks "what does Apache derive from this line?" instead
//! of re-deriving it:
//!
//! - Apache (mod_authn_file, `ap_cfg_getline` into an 8192-byte buffer): a line
//!   ending in `\` is joined with the next; leading and trailing whitespace is
//!   trimmed; blank and `#` lines are skipped; fields are split with `ap_getword`
//!   (consecutive colons are skipped, so `u::h` has the hash `h`); a NUL ends the
//!   line; a line with more than 8190 bytes before its LF makes the read fail and
//!   no later line is ever seen. A line without a colon is a user with an empty hash.
//! - nginx (ngx_http_auth_basic_module): no trimming; a line starting with `#`
//!   or CR is skipped (only the first byte counts: `  # u:h` is the user `  # u`,
//!   observed on the real server, unlike the spec table's first draft); the user is everything up to the first `:` (leading
//!   spaces and a BOM included); the hash ends at `:`, CR or LF.
//!
//! Both servers stop at the first matching line ("first entry wins").
//! The views are lazy iterators: checking a 1M-line file allocates nothing per line.

use crate::syntax::passwd::{Line, PasswdFile};
use std::borrow::Cow;
use std::ops::Range;

/// Apache reads password lines into an 8192-byte buffer (MAX_STRING_LEN): a line
/// with more than this many bytes before its LF stops the read of the whole file.
pub const APACHE_MAX_LINE: usize = 8190;

/// Whether Apache stops reading the file at this line (longer than its line buffer).
pub fn apache_line_too_long(line: &Line) -> bool {
    line.len_before_lf() > APACHE_MAX_LINE
}

/// A field as a server derives it, with the source bytes it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// The bytes the server compares (joined across a `\` continuation if needed).
    pub text: Cow<'a, [u8]>,
    /// Source range from the field's first to its last byte (empty at the field's position
    /// when the field is empty).
    pub span: Range<usize>,
}

impl Word<'_> {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }
    /// Lossy text, for messages.
    pub fn lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.text)
    }
}

// ---------------------------------------------------------------- Apache

/// Apache's `MAX_STRING_LEN` (the password-file line buffer, NUL included).
const APACHE_BUF: usize = 8192;
/// `VARBUF_MAX_LEN` of mod_authz_groupfile.
const APACHE_GROUP_BUF: usize = 16 * 1024 * 1024;

/// One logical line as Apache reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApacheRecord<'a> {
    /// Index of the first syntax line read.
    pub first_line: usize,
    /// Index of the last syntax line read (greater than `first_line` after a `\` join).
    pub last_line: usize,
    /// The source bytes read, line endings included.
    pub span: Range<usize>,
    pub read: ApacheRead<'a>,
}

/// What Apache makes of one logical line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApacheRead<'a> {
    /// Blank or `#` after trimming.
    Skipped,
    /// A user line (also a line without a colon: a user with an empty hash).
    Entry(ApacheEntry<'a>),
    /// Too long for the buffer: the read fails here; this and every later line is unseen.
    StopsReading,
}

/// The first three `:`-separated words of a line (`ap_getword`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApacheEntry<'a> {
    pub user: Word<'a>,
    /// The hash (AuthType Basic) or the realm (AuthType Digest).
    pub second: Word<'a>,
    /// The digest hash (AuthType Digest); for Basic, text after the hash, ignored.
    pub third: Word<'a>,
    /// Everything after the user and its colons (a group line's member list).
    pub rest: Word<'a>,
    /// The line was joined with the next by a trailing `\`.
    pub joined: bool,
}

impl<'a> ApacheEntry<'a> {
    /// The hash Basic auth verifies against.
    pub fn basic_hash(&self) -> &Word<'a> {
        &self.second
    }
    pub fn digest_realm(&self) -> &Word<'a> {
        &self.second
    }
    pub fn digest_hash(&self) -> &Word<'a> {
        &self.third
    }
}

/// Apache's reading of a user file (AuthUserFile), record by record.
pub fn apache_view<'a>(file: &'a PasswdFile, src: &'a [u8]) -> ApacheReader<'a> {
    ApacheReader::new(file, src, APACHE_BUF)
}

/// Result of a lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<T> {
    /// The first matching entry.
    Found(T),
    /// No entry matched. For Apache, `stopped_at` is the line whose length ended the read.
    NotFound { stopped_at: Option<usize> },
}

impl<T> Lookup<T> {
    pub fn found(self) -> Option<T> {
        match self {
            Lookup::Found(t) => Some(t),
            Lookup::NotFound { .. } => None,
        }
    }
}

/// The entry Apache Basic auth uses for `user` (mod_authn_file `check_password`).
pub fn apache_find_basic<'a>(
    file: &'a PasswdFile,
    src: &'a [u8],
    user: &[u8],
) -> Lookup<ApacheRecord<'a>> {
    let mut reader = apache_view(file, src);
    if let Some(line) = first_candidate_line(file, src, user) {
        reader.start_at_line(line);
    }
    apache_find_in(reader, |e| e.user.as_bytes() == user)
}

/// The line where a lookup of `user` can safely start: records before the first line
/// whose raw bytes contain `user` cannot name it, provided nothing before that line is
/// joined to its successor (`\` continuation), stops Apache's reading (over-long line)
/// or hides bytes (NUL, CR). `None`: read from the top. A user that appears nowhere starts
/// at the end (nothing to find), under the same conditions.
fn first_candidate_line(file: &PasswdFile, src: &[u8], user: &[u8]) -> Option<usize> {
    use crate::syntax::passwd::Facts;
    if user.is_empty() {
        return None;
    }
    let lines = file.lines();
    let k = match memchr::memmem::find(src, user) {
        Some(at) => file.line_at(at)?,
        None => lines.len(),
    };
    let unsafe_facts = [
        Facts::TRAILING_BACKSLASH,
        Facts::TRAILING_WS,
        Facts::NUL,
        Facts::INNER_CR,
    ];
    let blocked = lines[..k]
        .iter()
        .any(|l| apache_line_too_long(l) || unsafe_facts.iter().any(|f| l.has(*f)));
    (!blocked && k > 0).then_some(k)
}

/// The entry Apache Digest auth uses for `user` in `realm` (`get_realm_hash`).
pub fn apache_find_digest<'a>(
    file: &'a PasswdFile,
    src: &'a [u8],
    user: &[u8],
    realm: &[u8],
) -> Lookup<ApacheRecord<'a>> {
    apache_find(file, src, |e| {
        e.user.as_bytes() == user && e.second.as_bytes() == realm
    })
}

fn apache_find<'a>(
    file: &'a PasswdFile,
    src: &'a [u8],
    matches: impl Fn(&ApacheEntry<'a>) -> bool,
) -> Lookup<ApacheRecord<'a>> {
    apache_find_in(apache_view(file, src), matches)
}

fn apache_find_in<'a>(
    reader: ApacheReader<'a>,
    matches: impl Fn(&ApacheEntry<'a>) -> bool,
) -> Lookup<ApacheRecord<'a>> {
    for rec in reader {
        match &rec.read {
            ApacheRead::Entry(e) if matches(e) => return Lookup::Found(rec),
            ApacheRead::StopsReading => {
                return Lookup::NotFound {
                    stopped_at: Some(rec.first_line),
                };
            }
            _ => {}
        }
    }
    Lookup::NotFound { stopped_at: None }
}

/// One group line as mod_authz_groupfile reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRecord<'a> {
    pub first_line: usize,
    pub last_line: usize,
    /// The group name (trailing blanks dropped, as Apache does).
    pub name: Word<'a>,
    /// Members, split like config words (`ap_getword_conf`: quotes group words).
    pub members: Vec<Word<'a>>,
}

/// Apache's reading of a group file (AuthGroupFile): groups with their members.
pub fn apache_groups<'a>(
    file: &'a PasswdFile,
    src: &'a [u8],
) -> impl Iterator<Item = GroupRecord<'a>> + 'a {
    ApacheReader::new(file, src, APACHE_GROUP_BUF)
        .map_while(|rec| match rec.read {
            ApacheRead::StopsReading => None,
            read => Some((rec.first_line, rec.last_line, read)),
        })
        .filter_map(|(first_line, last_line, read)| match read {
            ApacheRead::Entry(e) => Some((first_line, last_line, e)),
            _ => None,
        })
        .map(|(first_line, last_line, e)| {
            let (name, members) = e.group_parts();
            GroupRecord {
                first_line,
                last_line,
                name,
                members,
            }
        })
}

/// Iterator over Apache's logical lines.
pub struct ApacheReader<'a> {
    file: &'a PasswdFile,
    src: &'a [u8],
    buf_size: usize,
    pos: usize,
    line: usize,
    done: bool,
    pieces: Vec<Range<usize>>,
}

impl<'a> ApacheReader<'a> {
    fn new(file: &'a PasswdFile, src: &'a [u8], buf_size: usize) -> Self {
        ApacheReader {
            file,
            src,
            buf_size,
            pos: 0,
            line: 0,
            done: false,
            pieces: Vec::new(),
        }
    }

    /// Continue reading at the start of syntax line `line` (which must begin a record).
    fn start_at_line(&mut self, line: usize) {
        match self.file.lines().get(line) {
            Some(l) => {
                self.pos = l.start();
                self.line = line;
            }
            None => {
                self.pos = self.src.len();
                self.line = self.file.lines().len().saturating_sub(1);
            }
        }
    }

    /// The syntax line holding byte `offset` (offsets only grow, so this walks forward).
    fn line_of(&mut self, offset: usize) -> usize {
        let lines = self.file.lines();
        while self.line + 1 < lines.len() && lines[self.line].end() <= offset {
            self.line += 1;
        }
        self.line
    }

    /// Byte `k` of the logical buffer made of `pieces` then `tail`.
    fn logical_byte(&self, k: usize, tail: &Range<usize>) -> u8 {
        let mut k = k;
        for p in self.pieces.iter().chain(std::iter::once(tail)) {
            if k < p.len() {
                return self.src[p.start + k];
            }
            k -= p.len();
        }
        0
    }

    /// Drop logical bytes from `len` on (a continuation cuts `\` [CR] LF).
    fn truncate_pieces(&mut self, len: usize) {
        let mut left = len;
        let mut keep = 0;
        for p in &mut self.pieces {
            if left == 0 {
                break;
            }
            if p.len() > left {
                p.end = p.start + left;
            }
            left -= p.len();
            keep += 1;
        }
        self.pieces.truncate(keep);
    }
}

impl<'a> Iterator for ApacheReader<'a> {
    type Item = ApacheRecord<'a>;

    /// `ap_cfg_getline_core` with `apr_file_gets`, then `cfg_trim_line`.
    fn next(&mut self) -> Option<ApacheRecord<'a>> {
        if self.done || self.pos >= self.src.len() {
            return None;
        }
        let src = self.src;
        let start = self.pos;
        self.pieces.clear();
        let mut committed = 0usize;
        let mut joined = false;
        let stops = loop {
            // apr_file_gets(cbuf, cbufsize): at most cbufsize - 1 bytes, up to and including LF.
            let max = self.buf_size - committed - 1;
            if self.pos >= src.len() && max > 0 {
                // EOF: a line read before a continuation still counts.
                if joined {
                    break false;
                }
                self.done = true;
                return None;
            }
            let window_end = src.len().min(self.pos + max);
            let chunk_end = memchr::memchr(b'\n', &src[self.pos..window_end])
                .map_or(window_end, |i| self.pos + i + 1);
            let chunk = self.pos..chunk_end;
            self.pos = chunk_end;
            // strlen(): a NUL ends the C string.
            let eff_end =
                memchr::memchr(0, &src[chunk.clone()]).map_or(chunk.end, |i| chunk.start + i);
            let tail = chunk.start..eff_end;
            let total = committed + tail.len();
            let mut cp = total;
            if cp > 0 && self.logical_byte(cp - 1, &tail) == b'\n' {
                cp -= 1;
                if cp > 0 && self.logical_byte(cp - 1, &tail) == b'\r' {
                    cp -= 1;
                }
                if cp > 0 && self.logical_byte(cp - 1, &tail) == b'\\' {
                    cp -= 1;
                    self.pieces.push(tail);
                    self.truncate_pieces(cp);
                    committed = cp;
                    joined = true;
                    continue;
                }
            } else if total >= self.buf_size - 1 {
                break true;
            }
            self.pieces.push(tail);
            break false;
        };
        let first_line = self.line_of(start);
        let last_line = self.line_of(self.pos.saturating_sub(1).max(start));
        let span = start..self.pos;
        if stops {
            self.done = true;
            return Some(ApacheRecord {
                first_line,
                last_line,
                span,
                read: ApacheRead::StopsReading,
            });
        }
        let read = Logical::new(src, &self.pieces).entry(joined);
        Some(ApacheRecord {
            first_line,
            last_line,
            span,
            read,
        })
    }
}

/// A logical line: borrowed when it is one piece of source, joined otherwise.
struct Logical<'a> {
    text: Cow<'a, [u8]>,
    /// Source start of a single-piece line.
    start: usize,
    /// Source pieces of a joined line (empty for a single piece).
    pieces: Vec<Range<usize>>,
}

impl<'a> Logical<'a> {
    fn new(src: &'a [u8], pieces: &[Range<usize>]) -> Self {
        match pieces {
            [] => Logical {
                text: Cow::Borrowed(&src[0..0]),
                start: 0,
                pieces: Vec::new(),
            },
            [one] => Logical {
                text: Cow::Borrowed(&src[one.clone()]),
                start: one.start,
                pieces: Vec::new(),
            },
            many => Logical {
                text: Cow::Owned(
                    many.iter()
                        .flat_map(|p| src[p.clone()].iter().copied())
                        .collect(),
                ),
                start: many[0].start,
                pieces: many.to_vec(),
            },
        }
    }

    /// Source offset of logical byte `k`.
    fn map(&self, k: usize) -> usize {
        if self.pieces.is_empty() {
            return self.start + k;
        }
        let mut k = k;
        for p in &self.pieces {
            if k < p.len() {
                return p.start + k;
            }
            k -= p.len();
        }
        self.pieces.last().map_or(self.start, |p| p.end)
    }

    /// The logical bytes `[from, to)` as a word with its source span.
    fn word(&self, from: usize, to: usize) -> Word<'a> {
        let span = if to > from {
            self.map(from)..self.map(to - 1) + 1
        } else {
            self.map(from)..self.map(from)
        };
        let text = match &self.text {
            Cow::Borrowed(b) => Cow::Borrowed(&b[from..to]),
            Cow::Owned(v) => Cow::Owned(v[from..to].to_vec()),
        };
        Word { text, span }
    }

    /// `cfg_trim_line`, the blank/`#` skip, then `ap_getword(':')` three times.
    fn entry(&self, joined: bool) -> ApacheRead<'a> {
        let text: &[u8] = &self.text;
        let start = text
            .iter()
            .position(|b| !apr_isspace(*b))
            .unwrap_or(text.len());
        let end = text
            .iter()
            .rposition(|b| !apr_isspace(*b))
            .map_or(start, |e| e + 1);
        if start == end || text[start] == b'#' {
            return ApacheRead::Skipped;
        }
        let mut pos = start;
        let mut next_word = || {
            let from = pos;
            let to = memchr::memchr(b':', &text[from..end]).map_or(end, |i| from + i);
            pos = to;
            while pos < end && text[pos] == b':' {
                pos += 1;
            }
            (from, to, pos)
        };
        let (u0, u1, rest) = next_word();
        let (s0, s1, _) = next_word();
        let (t0, t1, _) = next_word();
        ApacheRead::Entry(ApacheEntry {
            user: self.word(u0, u1),
            second: self.word(s0, s1),
            third: self.word(t0, t1),
            rest: self.word(rest, end),
            joined,
        })
    }
}

fn apr_isspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

impl<'a> ApacheEntry<'a> {
    /// Split a group line: the name (up to the first `:`, trailing blanks dropped) and
    /// the members after it, read with `ap_getword_conf`.
    fn group_parts(self) -> (Word<'a>, Vec<Word<'a>>) {
        let mut name = self.user;
        let keep = name
            .text
            .iter()
            .rposition(|b| !apr_isspace(*b))
            .map_or(0, |i| i + 1);
        if keep < name.text.len() {
            name.span.end = name.span.start + keep.min(name.span.len());
            name.text = match name.text {
                Cow::Borrowed(b) => Cow::Borrowed(&b[..keep]),
                Cow::Owned(mut v) => {
                    v.truncate(keep);
                    Cow::Owned(v)
                }
            };
        }
        (name, getword_conf_all(&self.rest))
    }
}

/// Every `ap_getword_conf` word of `w`: blanks separate words, `"…"` or `'…'` quote one.
fn getword_conf_all<'a>(w: &Word<'a>) -> Vec<Word<'a>> {
    let mut out = Vec::new();
    let text: &[u8] = &w.text;
    // Spans are exact when the word is contiguous in the source (not `\`-joined).
    let contiguous = w.span.len() == text.len();
    let at = |k: usize| {
        if contiguous {
            w.span.start + k
        } else {
            w.span.start
        }
    };
    let slice = |from: usize, to: usize| -> Cow<'a, [u8]> {
        match &w.text {
            Cow::Borrowed(b) => Cow::Borrowed(&b[from..to]),
            Cow::Owned(v) => Cow::Owned(v[from..to].to_vec()),
        }
    };
    let mut i = 0;
    while i < text.len() {
        while i < text.len() && apr_isspace(text[i]) {
            i += 1;
        }
        if i >= text.len() {
            break;
        }
        let quote = text[i];
        if quote == b'"' || quote == b'\'' {
            let from = i + 1;
            let mut end = from;
            while end < text.len() && text[end] != quote {
                let escaped = text[end] == b'\\'
                    && end + 1 < text.len()
                    && (text[end + 1] == quote || text[end + 1] == b'\\');
                end += if escaped { 2 } else { 1 };
            }
            let end = end.min(text.len());
            let raw = &text[from..end];
            // substring_conf: a backslash before the quote character is dropped.
            let word: Cow<'a, [u8]> = if memchr::memchr(b'\\', raw).is_some() {
                let mut v = Vec::with_capacity(raw.len());
                let mut k = 0;
                while k < raw.len() {
                    if raw[k] == b'\\' && raw.get(k + 1) == Some(&quote) {
                        v.push(quote);
                        k += 2;
                    } else {
                        v.push(raw[k]);
                        k += 1;
                    }
                }
                Cow::Owned(v)
            } else {
                slice(from, end)
            };
            let close = (end + 1).min(text.len());
            out.push(Word {
                text: word,
                span: at(i)..at(close),
            });
            i = close;
        } else {
            let from = i;
            while i < text.len() && !apr_isspace(text[i]) {
                i += 1;
            }
            out.push(Word {
                text: slice(from, i),
                span: at(from)..at(i),
            });
        }
    }
    out
}

// ---------------------------------------------------------------- nginx

/// One line as nginx's auth_basic reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NginxRecord<'a> {
    /// Index of the syntax line.
    pub line: usize,
    pub read: NginxRead<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NginxRead<'a> {
    /// Empty, or starts with `#` or CR.
    Skipped,
    /// No `:` on the line: it never matches a user (and a user whose name starts with
    /// this whole line also misses the line after it; see [`nginx_find`]).
    NoColon,
    /// `user` is everything before the first `:`; `hash` ends at `:`, CR or LF.
    Entry { user: Word<'a>, hash: Word<'a> },
}

/// nginx's reading of an auth_basic_user_file, line by line.
pub fn nginx_view<'a>(
    file: &'a PasswdFile,
    src: &'a [u8],
) -> impl Iterator<Item = NginxRecord<'a>> + 'a {
    file.lines()
        .iter()
        .enumerate()
        .map(move |(i, l)| NginxRecord {
            line: i,
            read: nginx_read_line(l, src),
        })
}

fn nginx_read_line<'a>(l: &Line, src: &'a [u8]) -> NginxRead<'a> {
    let content = l.content();
    let Some(text) = src.get(content.clone()) else {
        return NginxRead::Skipped;
    };
    // Only the first byte is checked: an indented `#` line is a user (observed).
    match text.first() {
        None | Some(b'#') | Some(b'\r') => return NginxRead::Skipped,
        _ => {}
    }
    // A CR-terminated last line: the CR is not content but would end the hash anyway.
    let Some(c) = memchr::memchr(b':', text) else {
        return NginxRead::NoColon;
    };
    let base = content.start;
    let hash_end = memchr::memchr2(b':', b'\r', &text[c + 1..]).map_or(text.len(), |i| c + 1 + i);
    NginxRead::Entry {
        user: Word {
            text: Cow::Borrowed(&text[..c]),
            span: base..base + c,
        },
        hash: Word {
            text: Cow::Borrowed(&text[c + 1..hash_end]),
            span: base + c + 1..base + hash_end,
        },
    }
}

/// The entry nginx uses for `user`, replaying `ngx_http_auth_basic_handler` byte for byte.
/// Besides first-entry-wins this has one quirk the per-line view cannot show: when a
/// line is a prefix of `user:` up to its LF, the mismatch consumes that LF and nginx
/// skips the next line too.
pub fn nginx_find<'a>(file: &'a PasswdFile, src: &'a [u8], user: &[u8]) -> Lookup<NginxRecord<'a>> {
    let mut pos = 0usize;
    let mut skip_next = false;
    while pos < src.len() {
        let line_end = memchr::memchr(b'\n', &src[pos..]).map_or(src.len(), |i| pos + i);
        let line = &src[pos..line_end];
        let next = (line_end + 1).min(src.len().max(line_end));
        let this = pos;
        pos = next;
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if line[0] == b'#' || line[0] == b'\r' {
            continue;
        }
        // Compare `user:` with the line; the byte after the line is LF (or EOF).
        let common = line
            .iter()
            .zip(user.iter().chain(std::iter::once(&b':')))
            .take_while(|(a, b)| a == b)
            .count();
        if common == user.len() + 1 {
            let c = this + user.len();
            let hash_end =
                memchr::memchr3(b':', b'\r', b'\n', &src[c + 1..]).map_or(src.len(), |i| c + 1 + i);
            let idx = file.line_at(this).unwrap_or(0);
            return Lookup::Found(NginxRecord {
                line: idx,
                read: NginxRead::Entry {
                    user: Word {
                        text: Cow::Borrowed(&src[this..c]),
                        span: this..c,
                    },
                    hash: Word {
                        text: Cow::Borrowed(&src[c + 1..hash_end]),
                        span: c + 1..hash_end,
                    },
                },
            });
        }
        if common == line.len() && line_end < src.len() {
            // The mismatch fell on the LF itself: sw_skip runs to the *next* LF.
            skip_next = true;
        }
    }
    Lookup::NotFound { stopped_at: None }
}

#[cfg(test)]
#[path = "passwd_tests.rs"]
mod tests;

#[cfg(test)]
mod fast_lookup_tests {
    use super::*;
    use crate::syntax::passwd::parse;
    use proptest::prelude::*;

    /// The lookup without the skip-ahead: every record from the top.
    fn slow(file: &PasswdFile, src: &[u8], user: &[u8]) -> Lookup<ApacheRecord<'static>> {
        let found = apache_find(file, src, |e| e.user.as_bytes() == user);
        // Compare by the line numbers only; records borrow `src`.
        match found {
            Lookup::Found(r) => Lookup::NotFound {
                stopped_at: Some(usize::MAX - r.first_line),
            },
            Lookup::NotFound { stopped_at } => Lookup::NotFound { stopped_at },
        }
    }

    fn fast(file: &PasswdFile, src: &[u8], user: &[u8]) -> Lookup<ApacheRecord<'static>> {
        match apache_find_basic(file, src, user) {
            Lookup::Found(r) => Lookup::NotFound {
                stopped_at: Some(usize::MAX - r.first_line),
            },
            Lookup::NotFound { stopped_at } => Lookup::NotFound { stopped_at },
        }
    }

    fn piece() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(vec![
            &b"u"[..],
            b"us",
            b"user",
            b"x",
            b":",
            b"::",
            b"$apr1$ab$cd",
            b"\n",
            b"\r\n",
            b"\r",
            b"\\",
            b" ",
            b"\t",
            b"#",
            b"\0",
            b"\xEF\xBB\xBF",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn skip_ahead_finds_what_the_full_read_finds(
            parts in prop::collection::vec(piece(), 0..60),
            user in prop::sample::select(vec![&b"u"[..], b"us", b"user", b"x", b"nobody"]),
        ) {
            let src = parts.concat();
            let file = parse(&src);
            prop_assert_eq!(fast(&file, &src, user), slow(&file, &src, user));
        }
    }

    #[test]
    fn skip_ahead_with_a_long_line_before_the_user_still_stops() {
        let mut src = b"a:x\n".to_vec();
        src.extend(std::iter::repeat_n(b'y', 9000));
        src.extend_from_slice(b"\nuser:hash\n");
        let file = parse(&src);
        assert!(matches!(
            apache_find_basic(&file, &src, b"user"),
            Lookup::NotFound {
                stopped_at: Some(1)
            }
        ));
    }
}
