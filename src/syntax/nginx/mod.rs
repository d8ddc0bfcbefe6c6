//! nginx configuration syntax (lossless, with spans).
//!
//! The tokenizer follows `ngx_conf_read_token()` in nginx's `src/core/ngx_conf_file.c`
//! byte for byte: the same characters end a word, quotes and `\` escapes are read the
//! same way, `#` starts a comment only at the start of a word, `${var}` keeps its braces,
//! and the same inputs are errors (with nginx's own wording). nginx stops at the first
//! error in a file, and so does this parser: everything read before it is kept.
//!
//! Losslessness comes from spans: every directive, name, argument, block brace and
//! comment points at its bytes in [`crate::source::Sources`]; nothing is normalised away.
//! This layer knows no directive meanings: `include` is resolved by the model's loader.

mod tokenize;
mod value;

pub use tokenize::parse;
pub use value::Value;

use crate::source::Span;

/// One word of a directive: its exact text and the value nginx sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The raw bytes, quotes included.
    pub span: Span,
    /// The value after nginx's unquoting and escape processing (`\"`, `\'`, `\\`,
    /// `\t`, `\r`, `\n`; any other `\x` is kept as is).
    pub value: Value,
    /// `Some(b'"')` or `Some(b'\'')` when the word was quoted.
    pub quote: Option<u8>,
}

impl Word {
    /// The value as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }

    /// True when the value mentions an nginx variable (`$name` or `${name}`), which
    /// nginx evaluates per request wherever the directive accepts variables.
    pub fn has_variable(&self) -> bool {
        self.value
            .windows(2)
            .any(|w| w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphanumeric()))
    }
}

/// A directive: `name arg... ;` or `name arg... { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub name: Word,
    pub args: Vec<Word>,
    /// The block, for `name ... { ... }` (boxed: most directives have none, and a
    /// smaller directive makes a smaller parse tree).
    pub block: Option<Box<Block>>,
    /// From the first byte of the name to the `;` or the closing `}` (or the end of
    /// the file for a block nginx found unterminated).
    pub span: Span,
}

impl Directive {
    /// The directive name as text.
    pub fn name_text(&self) -> std::borrow::Cow<'_, str> {
        self.name.text()
    }

    /// True when the name equals `name` exactly (nginx directive names are case-sensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.value == name.as_bytes()
    }

    /// The `i`-th argument's value as text.
    pub fn arg(&self, i: usize) -> Option<std::borrow::Cow<'_, str>> {
        self.args.get(i).map(Word::text)
    }

    /// The directives inside the block (empty for a simple directive).
    pub fn children(&self) -> &[Directive] {
        self.block.as_ref().map_or(&[], |b| &b.items)
    }

    /// The `;` or `{` that ends the directive's head. nginx's tokenizer has read it when
    /// the directive is judged, so nginx's messages (`in FILE:LINE`) name its line.
    pub fn terminator(&self) -> Span {
        match &self.block {
            Some(b) => b.open,
            None => Span::new(
                self.span.file,
                self.span.end.saturating_sub(1),
                self.span.end,
            ),
        }
    }

    /// Where a message about this directive points so that its line is nginx's: see
    /// [`on_line_of`]. `bytes` is the file's text.
    pub fn on_terminator_line(&self, part: Span, bytes: &[u8]) -> Span {
        on_line_of(part, self.terminator(), bytes)
    }
}

/// `part` (a word of a directive) when it starts on the line of `end` (the directive's
/// terminator), else from the first word of that line to `end`: nginx names the line
/// of the terminator, and a message's span starts on the line it names.
pub fn on_line_of(part: Span, end: Span, bytes: &[u8]) -> Span {
    let between = bytes.get(part.start..end.start).unwrap_or_default();
    let Some(last_newline) = between.iter().rposition(|&b| b == b'\n') else {
        return part;
    };
    let line = part.start + last_newline + 1;
    let indent = bytes[line..end.start]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    Span::new(part.file, line + indent, end.end)
}

/// The inside of `{ ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The `{`.
    pub open: Span,
    /// The `}`; `None` when the file ended first (an error nginx reports).
    pub close: Option<Span>,
    pub items: Vec<Directive>,
}

/// A syntax error, worded as nginx words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfFile {
    pub items: Vec<Directive>,
    /// Every `#` comment, to the end of its line (line ending excluded).
    pub comments: Vec<Span>,
    /// The first error, if any: nginx stops reading the file there, and so does the parser.
    pub error: Option<SyntaxError>,
}

impl ConfFile {
    /// Every directive of the file, depth first, with its nesting depth.
    pub fn walk(&self) -> Vec<(&Directive, usize)> {
        fn go<'a>(items: &'a [Directive], depth: usize, out: &mut Vec<(&'a Directive, usize)>) {
            for d in items {
                out.push((d, depth));
                go(d.children(), depth + 1, out);
            }
        }
        let mut out = Vec::new();
        go(&self.items, 0, &mut out);
        out
    }
}

#[cfg(test)]
mod tests;
