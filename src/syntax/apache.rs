//! Apache httpd configuration syntax (httpd.conf, vhost files, `.htaccess`), lossless.
//!
//! Follows httpd 2.4's reader exactly (server/util.c `ap_cfg_getline`, `cfg_trim_line`,
//! `ap_getword_conf`; server/config.c `ap_build_config_sub`):
//! - a physical line ending in `\` (optionally `\r`) before its newline continues on the next
//!   line; the backslash and newline are removed and the lines joined without a space;
//! - the logical line is trimmed; it is a comment only when it *starts* with `#` (Apache has
//!   no trailing comments: `Foo bar # x` has the arguments `bar`, `#`, `x`);
//! - words are split on whitespace; a word starting with `"` or `'` runs to the matching quote,
//!   inside which `\"` (or `\'`) and `\\` are escapes; outside quotes only `\\` is;
//! - `<Name args>` opens a section (its arguments end at the last `>` on the line), `</Name>`
//!   closes it (case-insensitive; must be one word ending in `>`).
//!
//! No server semantics here: `${VAR}`, `Include`, `<IfModule>` are the model's business.
//! Every node keeps [`Span`]s into its file; any bytes parse without panicking.

use crate::source::{FileId, Span};
use std::borrow::Cow;

/// One word of a directive line, unescaped, with the span of its raw text (quotes included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub span: Span,
    /// The quote character when the word was quoted (`"` or `'`).
    pub quote: Option<char>,
}

/// A directive line: `Name arg1 "arg 2"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub name: Word,
    pub args: Vec<Word>,
    /// The arguments as one string (after the name, trimmed), as httpd hands it to
    /// RAW_ARGS directives such as `Require`.
    pub raw_args: String,
    /// The whole logical line (from the name to its last non-blank byte).
    pub span: Span,
}

/// A `<Name args> … </Name>` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The name without `<` (e.g. `Directory`), span on the `<Name` text.
    pub name: Word,
    /// The arguments before the closing `>`.
    pub args: Vec<Word>,
    /// The arguments as one string (for `<If expr>`).
    pub raw_args: String,
    /// The opening line.
    pub open: Span,
    pub children: Vec<Node>,
    /// The closing `</Name>` line, if present.
    pub close: Option<Span>,
}

/// One item of a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Directive(Directive),
    Section(Section),
    /// A whole-line `#` comment.
    Comment(Span),
}

/// Bad syntax that httpd rejects (the server will not start, or `.htaccess` gives 500).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// Another place involved (e.g. the section a close tag does not match).
    pub related: Option<(Span, String)>,
}

/// A parsed file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub file: FileId,
    pub nodes: Vec<Node>,
    pub errors: Vec<SyntaxError>,
}

impl Section {
    /// The section name, lower-cased (`directory`, `ifmodule`, …).
    pub fn kind(&self) -> String {
        self.name.value.to_ascii_lowercase()
    }
}

impl Directive {
    pub fn is(&self, name: &str) -> bool {
        self.name.value.eq_ignore_ascii_case(name)
    }
}

/// apr_isspace: the C locale's whitespace (space, and `\t` `\n` `\v` `\f` `\r`).
#[inline]
fn is_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// A logical line: its bytes and where each byte is in the file. Most lines are one
/// physical line and borrow the file's bytes; only a `\`-joined line is copied.
struct Logical<'a> {
    bytes: Cow<'a, [u8]>,
    /// Offset of each byte, for a joined line; None: byte `i` is at `base + i`.
    offsets: Option<Vec<usize>>,
    base: usize,
}

impl Logical<'_> {
    #[inline]
    fn off(&self, i: usize) -> usize {
        match &self.offsets {
            Some(o) => o[i],
            None => self.base + i,
        }
    }

    #[inline]
    fn span(&self, file: FileId, from: usize, to: usize) -> Span {
        let len = self.bytes.len();
        if from >= to || from >= len {
            let at = if len == 0 {
                self.offsets
                    .as_ref()
                    .map_or(self.base, |o| o.first().copied().unwrap_or(self.base))
            } else {
                self.off(from.min(len - 1))
            };
            return Span::new(file, at, at);
        }
        let to = to.min(len);
        Span::new(file, self.off(from), self.off(to - 1) + 1)
    }
}

/// Split the file into trimmed logical lines (continuations joined).
fn logical_lines(bytes: &[u8]) -> Vec<Logical<'_>> {
    // At most one per physical line: sized once instead of grown line by line.
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
    // One search over the file for each of newline and NUL (per-line searches cost more
    // in setup than in scanning: most lines are short).
    let mut newlines = memchr::memchr_iter(b'\n', bytes);
    let has_nul = memchr::memchr(0, bytes).is_some();
    let trimmed = |l| trim(l, has_nul);
    let mut pos = 0;
    // A joined line being built: its bytes and their offsets.
    let mut joined: Option<(Vec<u8>, Vec<usize>)> = None;
    while pos < bytes.len() {
        let end = newlines.next();
        let (content_end, next, has_lf) = match end {
            Some(e) => (e, e + 1, true),
            None => (bytes.len(), bytes.len(), false),
        };
        let mut keep_end = content_end;
        let mut continued = false;
        if has_lf {
            let mut e = content_end;
            if e > pos && bytes[e - 1] == b'\r' {
                e -= 1;
            }
            if e > pos && bytes[e - 1] == b'\\' {
                keep_end = e - 1;
                continued = true;
            }
        }
        let last = !continued || next >= bytes.len();
        match (&mut joined, last) {
            (None, true) => out.push(trimmed(Logical {
                bytes: Cow::Borrowed(&bytes[pos..keep_end]),
                offsets: None,
                base: pos,
            })),
            (j, _) => {
                let (b, o) = j.get_or_insert_with(Default::default);
                b.extend_from_slice(&bytes[pos..keep_end]);
                o.extend(pos..keep_end);
                if last {
                    let (b, o) = joined.take().unwrap_or_default();
                    let base = o.first().copied().unwrap_or(pos);
                    out.push(trimmed(Logical {
                        bytes: Cow::Owned(b),
                        offsets: Some(o),
                        base,
                    }));
                }
            }
        }
        pos = next;
    }
    out
}

/// `l` without leading and trailing whitespace, and cut at its first NUL (`has_nul`: the
/// file has one somewhere).
fn trim(l: Logical<'_>, has_nul: bool) -> Logical<'_> {
    // httpd works on C strings: a NUL byte ends the line.
    let cut = match has_nul {
        true => memchr::memchr(0, &l.bytes).unwrap_or(l.bytes.len()),
        false => l.bytes.len(),
    };
    let b = &l.bytes[..cut];
    let start = b.iter().position(|c| !is_space(*c)).unwrap_or(cut);
    let end = b
        .iter()
        .rposition(|c| !is_space(*c))
        .map(|i| i + 1)
        .unwrap_or(start);
    match (l.bytes, l.offsets) {
        (Cow::Borrowed(b), None) => Logical {
            bytes: Cow::Borrowed(&b[start..end]),
            offsets: None,
            base: l.base + start,
        },
        (b, o) => {
            let o = o.unwrap_or_else(|| (l.base..l.base + b.len()).collect());
            let base = o.get(start).copied().unwrap_or(l.base);
            Logical {
                bytes: Cow::Owned(b[start..end].to_vec()),
                offsets: Some(o[start..end].to_vec()),
                base,
            }
        }
    }
}

/// `ap_getword_conf` over `line[from..to]`: the words, appended to `out`, with spans from
/// `span(start, end)` (offsets in `line`); and where the first word starts and ends in `line`.
fn words(
    line: &[u8],
    from: usize,
    to: usize,
    span: impl Fn(usize, usize) -> Span,
    out: &mut Vec<Word>,
) -> Option<(usize, usize)> {
    let mut first = None;
    let mut push = |value: String, start: usize, end: usize, quote: Option<u8>| {
        first.get_or_insert((start, end));
        out.push(Word {
            value,
            span: span(start, end),
            quote: quote.map(char::from),
        });
    };
    let mut i = from;
    loop {
        while i < to && is_space(line[i]) {
            i += 1;
        }
        if i >= to {
            return first;
        }
        let start = i;
        let q = line[i];
        // Fast paths: a word without backslashes is its own text (most words are).
        if q == b'"' || q == b'\'' {
            let body = &line[i + 1..to];
            let plain = match memchr::memchr2(q, b'\\', body) {
                None => Some(body.len()),
                Some(k) if body[k] == q => Some(k),
                Some(_) => None,
            };
            if let Some(k) = plain {
                i = (i + 1 + k + 1).min(to);
                let value = lossy(&body[..k]);
                push(value, start, i, Some(q));
                continue;
            }
        } else {
            // One pass finds the word's end and whether it has a backslash.
            let mut end = i;
            let mut escaped = false;
            while end < to && !is_space(line[end]) {
                escaped |= line[end] == b'\\';
                end += 1;
            }
            if !escaped {
                let value = lossy(&line[i..end]);
                push(value, start, end, None);
                i = end;
                continue;
            }
        }
        let mut value = Vec::new();
        if q == b'"' || q == b'\'' {
            i += 1;
            while i < to && line[i] != q {
                if line[i] == b'\\' && i + 1 < to && (line[i + 1] == q || line[i + 1] == b'\\') {
                    value.push(line[i + 1]);
                    i += 2;
                } else {
                    value.push(line[i]);
                    i += 1;
                }
            }
            if i < to {
                i += 1; // the closing quote
            }
            push(lossy(&value), start, i, Some(q));
        } else {
            while i < to && !is_space(line[i]) {
                if line[i] == b'\\' && i + 1 < to && line[i + 1] == b'\\' {
                    value.push(b'\\');
                    i += 2;
                } else {
                    value.push(line[i]);
                    i += 1;
                }
            }
            push(lossy(&value), start, i, None);
        }
    }
}

fn to_words(file: FileId, l: &Logical, from: usize, to: usize) -> Vec<Word> {
    let mut out = Vec::new();
    words(&l.bytes, from, to, |s, e| l.span(file, s, e), &mut out);
    out
}

/// Open sections, innermost last, each with the children read so far.
type Stack = Vec<(Option<Section>, Vec<Node>)>;

/// Parse a configuration file. Never fails; problems are in `errors`.
pub fn parse(file: FileId, bytes: &[u8]) -> ConfigFile {
    // Stack of open sections; index 0 is the file's top level.
    let lines = logical_lines(bytes);
    // The top level holds most lines of a typical file (`.htaccess`, vhost files).
    let mut stack: Stack = vec![(None, Vec::with_capacity(lines.len()))];
    let mut errors = Vec::new();
    let mut scratch: Vec<Word> = Vec::new();
    for l in lines {
        if l.bytes.is_empty() {
            continue;
        }
        let whole = l.span(file, 0, l.bytes.len());
        if l.bytes[0] == b'#' {
            push(&mut stack, Node::Comment(whole));
            continue;
        }
        // One pass over the line: the name, then (for a directive) its arguments. The words
        // go to a vector kept for the whole file; a directive's arguments then get one of
        // their exact size (most have one or two: a vector grown word by word holds four).
        scratch.clear();
        let first = words(
            &l.bytes,
            0,
            l.bytes.len(),
            |s, e| l.span(file, s, e),
            &mut scratch,
        );
        let mut rest = scratch.drain(..);
        let (Some((ns, ne)), Some(name)) = (first, rest.next()) else {
            continue;
        };
        let Word {
            value: name_raw,
            span: name_span,
            quote: nq,
        } = name;
        let mut args_from = ne;
        while args_from < l.bytes.len() && is_space(l.bytes[args_from]) {
            args_from += 1;
        }
        let raw_args = lossy(&l.bytes[args_from..]);
        if nq.is_none() && name_raw.starts_with("</") {
            close_section(file, &l, &name_raw, ns, ne, whole, &mut stack, &mut errors);
            continue;
        }
        if nq.is_none() && name_raw.starts_with('<') {
            // `<Else>`: the name itself ends with `>`.
            let bare = name_raw.strip_suffix('>').unwrap_or(&name_raw);
            let name = Word {
                value: bare[1..].to_string(),
                span: l.span(file, ns, ne),
                quote: None,
            };
            let (args, raw) = if name_raw.ends_with('>') {
                (Vec::new(), String::new())
            } else {
                match l.bytes[args_from..].iter().rposition(|b| *b == b'>') {
                    Some(gt) => {
                        let gt = args_from + gt;
                        (
                            to_words(file, &l, args_from, gt),
                            String::from_utf8_lossy(&l.bytes[args_from..gt])
                                .trim()
                                .to_string(),
                        )
                    }
                    None => {
                        errors.push(SyntaxError {
                            span: whole,
                            message: format!("<{}> directive missing closing '>'", name.value),
                            related: None,
                        });
                        (to_words(file, &l, args_from, l.bytes.len()), raw_args)
                    }
                }
            };
            let section = Section {
                name,
                args,
                raw_args: raw,
                open: whole,
                children: Vec::new(),
                close: None,
            };
            stack.push((Some(section), Vec::new()));
            continue;
        }
        let d = Directive {
            name: Word {
                value: name_raw,
                span: name_span,
                quote: nq,
            },
            args: rest.collect(),
            raw_args,
            span: whole,
        };
        push(&mut stack, Node::Directive(d));
    }
    // Sections still open at the end of the file.
    while stack.len() > 1 {
        if let Some((Some(mut s), children)) = stack.pop() {
            errors.push(SyntaxError {
                span: s.open,
                message: format!("<{}> was not closed", s.name.value),
                related: None,
            });
            s.children = children;
            push(&mut stack, Node::Section(s));
        }
    }
    let nodes = stack.pop().map(|(_, n)| n).unwrap_or_default();
    ConfigFile {
        file,
        nodes,
        errors,
    }
}

fn push(stack: &mut [(Option<Section>, Vec<Node>)], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.1.push(node);
    }
}

#[allow(clippy::too_many_arguments)]
fn close_section(
    file: FileId,
    l: &Logical,
    name_raw: &str,
    ns: usize,
    ne: usize,
    whole: Span,
    stack: &mut Stack,
    errors: &mut Vec<SyntaxError>,
) {
    let tag = l.span(file, ns, ne);
    if stack.len() <= 1 {
        errors.push(SyntaxError {
            span: tag,
            message: format!(
                "{} without matching <{} section",
                name_raw.trim_end_matches('>'),
                name_raw[2..].trim_end_matches('>')
            ),
            related: None,
        });
        return;
    }
    let Some(closed) = name_raw.strip_suffix('>') else {
        errors.push(SyntaxError {
            span: tag,
            message: format!("{name_raw}> directive missing closing '>'"),
            related: None,
        });
        return;
    };
    let open_name = stack
        .last()
        .and_then(|(s, _)| s.as_ref())
        .map(|s| (s.name.value.clone(), s.open))
        .unwrap_or_default();
    if !closed[2..].eq_ignore_ascii_case(&open_name.0) {
        errors.push(SyntaxError {
            span: tag,
            message: format!("Expected </{}> but saw {closed}>", open_name.0),
            related: Some((open_name.1, format!("<{}> opened here", open_name.0))),
        });
        return;
    }
    if let Some((Some(mut s), children)) = stack.pop() {
        s.children = children;
        s.close = Some(whole);
        push(stack, Node::Section(s));
    }
}

/// Every directive in `nodes`, depth-first, with the chain of enclosing sections.
pub fn walk<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Directive, &[&'a Section])) {
    fn go<'a>(
        nodes: &'a [Node],
        parents: &mut Vec<&'a Section>,
        f: &mut dyn FnMut(&'a Directive, &[&'a Section]),
    ) {
        for n in nodes {
            match n {
                Node::Directive(d) => f(d, parents),
                Node::Section(s) => {
                    parents.push(s);
                    go(&s.children, parents, f);
                    parents.pop();
                }
                Node::Comment(_) => {}
            }
        }
    }
    go(nodes, &mut Vec::new(), f)
}

/// Text of config bytes, invalid UTF-8 replaced. `from_utf8` first: it checks a word at
/// a time, the lossy path byte by byte.
fn lossy(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ConfigFile {
        parse(0, s.as_bytes())
    }

    fn dir(n: &Node) -> &Directive {
        match n {
            Node::Directive(d) => d,
            other => panic!("not a directive: {other:?}"),
        }
    }

    fn vals(d: &Directive) -> Vec<&str> {
        d.args.iter().map(|w| w.value.as_str()).collect()
    }

    #[test]
    fn quoting_follows_ap_getword_conf() {
        let c = p(r#"AuthName "My \"big\" realm" 'it''s' a\\b "c\d" "open"#);
        let d = dir(&c.nodes[0]);
        assert_eq!(
            vals(d),
            vec![r#"My "big" realm"#, "it", "s", r"a\b", r"c\d", "open"]
        );
        assert_eq!(d.args[0].quote, Some('"'));
        let src = r#"AuthName "My \"big\" realm""#;
        assert_eq!(
            &src[d.args[0].span.start..d.args[0].span.end],
            r#""My \"big\" realm""#
        );
    }

    #[test]
    fn trailing_hash_is_an_argument_and_leading_hash_a_comment() {
        let c = p("  # note\nAuthUserFile /x # users\n");
        assert!(matches!(c.nodes[0], Node::Comment(_)));
        assert_eq!(vals(dir(&c.nodes[1])), vec!["/x", "#", "users"]);
    }

    #[test]
    fn continuation_joins_lines_without_space_and_keeps_spans() {
        let src = "Require user al\\\r\nice bob\nX y\\\n";
        let c = p(src);
        let d = dir(&c.nodes[0]);
        assert_eq!(vals(d), vec!["user", "alice", "bob"]);
        assert_eq!(d.args[1].span.start, src.find("al").unwrap());
        assert_eq!(d.args[1].span.end, src.find(" bob").unwrap());
        // A backslash at the very end of the file (no newline after) continues into nothing.
        assert_eq!(vals(dir(&c.nodes[1])), vec!["y"]);
    }

    #[test]
    fn sections_nest_and_close_case_insensitively() {
        let c = p(
            "<Directory \"/var/www\">\n <IfModule mod_x.c>\n  A b\n </ifmodule>\n<Else>\n</Else>\n</DIRECTORY>\n",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let Node::Section(s) = &c.nodes[0] else {
            panic!()
        };
        assert_eq!(s.kind(), "directory");
        assert_eq!(s.args[0].value, "/var/www");
        assert_eq!(s.children.len(), 2);
        assert!(s.close.is_some());
    }

    #[test]
    fn section_arguments_end_at_last_gt() {
        let c = p("<Files \".ht*\"> # c\n</Files>\n<Location /a b>\n</Location>");
        let Node::Section(s) = &c.nodes[0] else {
            panic!()
        };
        assert_eq!(s.args.len(), 1);
        assert_eq!(s.args[0].value, ".ht*");
        let Node::Section(s) = &c.nodes[1] else {
            panic!()
        };
        assert_eq!(s.args.len(), 2);
    }

    #[test]
    fn bad_nesting_is_reported_not_fatal() {
        let c = p("<Directory /x>\n</Location>\n</Foo\n<Files a\n");
        let msgs: Vec<_> = c.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("Expected </Directory> but saw </Location>"))
        );
        assert!(msgs.iter().any(|m| m.contains("missing closing '>'")));
        assert!(msgs.iter().any(|m| m.contains("was not closed")));
        let c = p("</Directory>\n");
        assert!(
            c.errors[0]
                .message
                .contains("without matching <Directory section")
        );
    }

    #[test]
    fn a_nul_ends_its_line_and_c_whitespace_separates_words() {
        // httpd reads C strings: what follows a NUL on its line is gone, the next line is not.
        let src = b"AuthName a\0 b c\nRequire\x0bvalid-user\x0c\r\nX\ty\0";
        let c = parse(0, src);
        assert_eq!(vals(dir(&c.nodes[0])), vec!["a"]);
        assert_eq!(dir(&c.nodes[0]).raw_args, "a");
        assert_eq!(vals(dir(&c.nodes[1])), vec!["valid-user"]);
        assert_eq!(vals(dir(&c.nodes[2])), vec!["y"]);
        // A joined line is cut at its NUL too, with spans still in the file.
        let c = parse(0, b"Require user \\\nal\0ice bob\n");
        let d = dir(&c.nodes[0]);
        assert_eq!(vals(d), vec!["user", "al"]);
        assert_eq!((d.args[1].span.start, d.args[1].span.end), (15, 17));
        // Without any NUL in the file, nothing is cut.
        assert_eq!(vals(dir(&p("X a\x0bb\n").nodes[0])), vec!["a", "b"]);
    }

    #[test]
    fn arguments_take_no_more_room_than_they_need() {
        // 10,000 `.htaccess` files hold 40,000 directives: a vector grown word by word
        // would keep room for four arguments each.
        let c = p("Require valid-user\nAuthType Basic\nSatisfy\nAuthName a b c d e\n");
        for n in &c.nodes {
            let d = dir(n);
            assert_eq!(d.args.capacity(), d.args.len(), "{}", d.name.value);
        }
    }

    #[test]
    fn walk_reports_parents() {
        let c = p(
            "<VirtualHost *:80>\n<Location /a>\nRequire valid-user\n</Location>\n</VirtualHost>\n",
        );
        let mut seen = Vec::new();
        walk(&c.nodes, &mut |d, parents| {
            seen.push((d.name.value.clone(), parents.len()));
        });
        assert_eq!(seen, vec![("Require".to_string(), 2)]);
    }
}
