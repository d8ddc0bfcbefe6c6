//! The tokenizer and block parser: a transcription of nginx's `ngx_conf_read_token()`
//! and `ngx_conf_parse()` (src/core/ngx_conf_file.c) over an in-memory buffer.

use super::{Block, ConfFile, Directive, SyntaxError, Word};
use crate::source::{FileId, Span};

/// nginx's `NGX_CONF_BUFFER`: a word (or comment) that fills it is an error.
const CONF_BUFFER: usize = 4096;

/// Blocks nested deeper than this are refused rather than risk the stack. Real
/// configurations nest a handful of levels.
const MAX_DEPTH: usize = 200;

/// Parse one configuration file. Never panics; stops at the first error as nginx does.
pub fn parse(file: FileId, bytes: &[u8]) -> ConfFile {
    let mut p = Parser {
        file,
        bytes,
        pos: 0,
        comments: Vec::new(),
        error: None,
        words: Vec::new(),
        directives: Vec::new(),
    };
    let (items, _) = p.items(0);
    ConfFile {
        items,
        comments: p.comments,
        error: p.error,
    }
}

/// How `read_token` stopped (nginx's return codes).
enum Stop {
    /// `;` (its span).
    Semicolon(Span),
    /// `{` (its span).
    BlockStart(Span),
    /// `}` (its span).
    BlockDone(Span),
    /// End of the buffer with no pending words.
    FileDone,
    /// A syntax error (already recorded).
    Error,
}

struct Parser<'a> {
    file: FileId,
    bytes: &'a [u8],
    pos: usize,
    comments: Vec<Span>,
    error: Option<SyntaxError>,
    /// Scratch for the words of the directive being read, and a stack of the directives
    /// of every open block: the tree keeps exact-size copies, not vectors grown by
    /// doubling (half the parse tree's memory on a large tree, and memory is most of
    /// a run's time).
    words: Vec<Word>,
    directives: Vec<Directive>,
}

fn is_space(ch: u8) -> bool {
    matches!(ch, b' ' | b'\t' | b'\r' | b'\n')
}

impl Parser<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn fail(&mut self, start: usize, end: usize, message: String) -> Stop {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                span: self.span(start, end),
                message,
            });
        }
        Stop::Error
    }

    /// `ngx_conf_parse()` for one file or block: directives until `}` / end of file.
    /// Returns the items and the closing `}` if there was one.
    fn items(&mut self, depth: usize) -> (Vec<Directive>, Option<Span>) {
        let base = self.directives.len();
        let close = self.read_items(depth);
        (self.directives.drain(base..).collect(), close)
    }

    /// The loop of [`Parser::items`]: pushes the block's directives on `self.directives`.
    fn read_items(&mut self, depth: usize) -> Option<Span> {
        let in_block = depth > 0;
        loop {
            let mut words = std::mem::take(&mut self.words);
            let stop = self.read_token(&mut words);
            let mut read = words.drain(..);
            let name = read.next();
            let args: Vec<Word> = read.collect();
            self.words = words;
            match stop {
                Stop::Error => return None,
                Stop::BlockDone(close) => {
                    if !in_block {
                        self.fail(close.start, close.end, "unexpected \"}\"".into());
                        return None;
                    }
                    return Some(close);
                }
                Stop::FileDone => {
                    if in_block {
                        let end = self.bytes.len();
                        self.fail(end, end, "unexpected end of file, expecting \"}\"".into());
                    }
                    return None;
                }
                Stop::Semicolon(semi) => {
                    // `read_token` only returns `;` after at least one word.
                    let directive = directive(name, args, None, semi.end)?;
                    self.directives.push(directive);
                }
                Stop::BlockStart(open) => {
                    if depth >= MAX_DEPTH {
                        self.fail(
                            open.start,
                            open.end,
                            format!("blocks nested more than {MAX_DEPTH} levels deep"),
                        );
                        return None;
                    }
                    let (inner, close) = self.items(depth + 1);
                    let end = close.map_or(self.bytes.len().max(open.end), |c| c.end);
                    let block = Box::new(Block {
                        open,
                        close,
                        items: inner,
                    });
                    let directive = directive(name, args, Some(block), end)?;
                    self.directives.push(directive);
                    if self.error.is_some() {
                        return None;
                    }
                }
            }
        }
    }

    /// `ngx_conf_read_token()`: read the words of one directive into `args`.
    fn read_token(&mut self, args: &mut Vec<Word>) -> Stop {
        let bytes = self.bytes;
        let mut need_space = false;
        let mut last_space = true;
        let mut sharp_comment: Option<usize> = None;
        let mut variable = false;
        let mut quoted = false;
        let mut s_quoted = false;
        let mut d_quoted = false;
        let mut start = self.pos;

        loop {
            if self.pos >= bytes.len() {
                if let Some(c) = sharp_comment {
                    self.push_comment(c, bytes.len());
                }
                if !args.is_empty() || !last_space {
                    let end = bytes.len();
                    return self.fail(
                        end,
                        end,
                        "unexpected end of file, expecting \";\" or \"}\"".into(),
                    );
                }
                return Stop::FileDone;
            }

            // nginx refuses a word (or comment) that fills its whole read buffer.
            if self.pos - start >= CONF_BUFFER {
                let message = if d_quoted {
                    "too long parameter, probably missing terminating '\"' character".to_string()
                } else if s_quoted {
                    "too long parameter, probably missing terminating \"'\" character".to_string()
                } else {
                    let head = &bytes[start..start + 10];
                    format!(
                        "too long parameter \"{}...\" started",
                        String::from_utf8_lossy(head)
                    )
                };
                return self.fail(start, self.pos, message);
            }

            let ch = bytes[self.pos];
            self.pos += 1;

            if ch == b'\n'
                && let Some(c) = sharp_comment.take()
            {
                // nginx falls through: the newline is then read as whitespace.
                self.push_comment(c, self.pos - 1);
            }
            if sharp_comment.is_some() {
                continue;
            }
            if quoted {
                quoted = false;
                continue;
            }

            if need_space {
                if is_space(ch) {
                    last_space = true;
                    need_space = false;
                    continue;
                }
                if ch == b';' {
                    return Stop::Semicolon(self.span(self.pos - 1, self.pos));
                }
                if ch == b'{' {
                    return Stop::BlockStart(self.span(self.pos - 1, self.pos));
                }
                if ch == b')' {
                    last_space = true;
                    need_space = false;
                } else {
                    return self.unexpected(ch);
                }
            }

            if last_space {
                start = self.pos - 1;
                if is_space(ch) {
                    continue;
                }
                match ch {
                    b';' | b'{' => {
                        if args.is_empty() {
                            return self.unexpected(ch);
                        }
                        let span = self.span(self.pos - 1, self.pos);
                        return if ch == b'{' {
                            Stop::BlockStart(span)
                        } else {
                            Stop::Semicolon(span)
                        };
                    }
                    b'}' => {
                        if !args.is_empty() {
                            return self.unexpected(ch);
                        }
                        return Stop::BlockDone(self.span(self.pos - 1, self.pos));
                    }
                    b'#' => {
                        sharp_comment = Some(self.pos - 1);
                        continue;
                    }
                    b'\\' => {
                        quoted = true;
                        last_space = false;
                        continue;
                    }
                    b'"' => {
                        start += 1;
                        d_quoted = true;
                        last_space = false;
                        continue;
                    }
                    b'\'' => {
                        start += 1;
                        s_quoted = true;
                        last_space = false;
                        continue;
                    }
                    b'$' => {
                        variable = true;
                        last_space = false;
                        continue;
                    }
                    _ => last_space = false,
                }
            } else {
                if ch == b'{' && variable {
                    continue;
                }
                variable = false;
                if ch == b'\\' {
                    quoted = true;
                    continue;
                }
                if ch == b'$' {
                    variable = true;
                    continue;
                }

                let mut found = false;
                let mut quote = None;
                if d_quoted {
                    if ch == b'"' {
                        d_quoted = false;
                        need_space = true;
                        found = true;
                        quote = Some(b'"');
                    }
                } else if s_quoted {
                    if ch == b'\'' {
                        s_quoted = false;
                        need_space = true;
                        found = true;
                        quote = Some(b'\'');
                    }
                } else if is_space(ch) || ch == b';' || ch == b'{' {
                    last_space = true;
                    found = true;
                }

                if found {
                    let end = self.pos - 1;
                    let raw = match quote {
                        Some(_) => self.span(start - 1, end + 1),
                        None => self.span(start, end),
                    };
                    args.push(Word {
                        span: raw,
                        value: unescape(&bytes[start..end]),
                        quote,
                    });
                    let span = self.span(self.pos - 1, self.pos);
                    if ch == b';' {
                        return Stop::Semicolon(span);
                    }
                    if ch == b'{' {
                        return Stop::BlockStart(span);
                    }
                }
            }
        }
    }

    fn unexpected(&mut self, ch: u8) -> Stop {
        let at = self.pos - 1;
        let shown = if ch.is_ascii_graphic() || ch == b' ' {
            (ch as char).to_string()
        } else {
            format!("\\x{ch:02x}")
        };
        self.fail(at, at + 1, format!("unexpected \"{shown}\""))
    }

    fn push_comment(&mut self, start: usize, mut end: usize) {
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        self.comments.push(self.span(start, end));
    }
}

/// Build a directive from its words; `None` only if there are none (never after `;`/`{`).
fn directive(
    name: Option<Word>,
    args: Vec<Word>,
    block: Option<Box<Block>>,
    end: usize,
) -> Option<Directive> {
    let name = name?;
    let span = Span::new(name.span.file, name.span.start, end.max(name.span.end));
    Some(Directive {
        name,
        args,
        block,
        span,
    })
}

/// nginx's copy loop: `\"`, `\'`, `\\` lose the backslash; `\t`, `\r`, `\n` become
/// control characters; any other backslash stays.
fn unescape(raw: &[u8]) -> super::Value {
    // Nearly every word has no backslash: no copy to make.
    if !raw.contains(&b'\\') {
        return super::Value::new(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            match raw.get(i + 1) {
                Some(b'"' | b'\'' | b'\\') => {
                    i += 1;
                }
                Some(b't') => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                Some(b'r') => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                Some(b'n') => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out.into()
}
