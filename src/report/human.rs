//! Human output: miette's graphical report, one per finding, then a summary line.
//!
//! Each finding is drawn from a small window of its file (the lines its labels cover,
//! plus context), so rendering stays cheap on a million-line password file; password
//! files are drawn from a redacted copy of that window (see [`super::redact`]).

use super::redact::{self, Mode};
use super::{Findings, summary};
use crate::diag::{Diagnostic, Label, Severity};
use crate::source::FileId;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan,
    SpanContents,
};
use std::fmt;

/// How to draw.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// ANSI colours (the CLI decides: a terminal, and no `NO_COLOR`).
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
        }
    }
}

/// Lines of context around labels (miette's default).
const CONTEXT_LINES: usize = 1;

/// Findings drawn per parallel task: big enough to amortize the task, small enough
/// to spread a million findings over every core.
const CHUNK: usize = 512;

/// Every finding, then the summary line.
pub fn render(f: &Findings<'_>, opts: HumanOptions) -> String {
    let mut out = render_findings(f, opts);
    out.push_str(&summary(f));
    out.push('\n');
    out
}

/// Every finding, without the summary line (for reports that write their own).
pub fn render_findings(f: &Findings<'_>, opts: HumanOptions) -> String {
    use rayon::prelude::*;
    // Drawing (layout, wrapping) is the cost on a file with a finding per line: chunks
    // are drawn in parallel and joined in order, so the text is the same as drawn in one
    // go. A batch at a time, so only one batch of drawn text exists besides `out`.
    let mut out = String::new();
    for batch in f.diagnostics.chunks(CHUNK * 64) {
        let drawn: Vec<String> = batch
            .par_chunks(CHUNK)
            .map(|chunk| render_chunk(f, chunk, opts))
            .collect();
        out.reserve(drawn.iter().map(String::len).sum());
        for text in drawn {
            out.push_str(&text);
        }
    }
    out
}

fn render_chunk(f: &Findings<'_>, diagnostics: &[Diagnostic], opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(opts.width)
        .with_context_lines(CONTEXT_LINES)
        .with_show_related_as_nested(true)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace);
    let mut out = String::new();
    for d in diagnostics {
        let report = build(f, d);
        if handler.render_report(&mut out, &report).is_err() {
            // A span miette cannot draw: still say what was found, and where.
            let p = f.position(d.primary.span);
            out.push_str(&format!(
                "{}: {}:{}:{}: {} {}\n",
                d.severity,
                f.path(d.primary.span.file),
                p.line,
                p.column,
                d.code,
                d.message
            ));
        }
        out.push('\n');
    }
    out
}

/// One finding as a miette diagnostic: labels in the primary file, and one related
/// diagnostic (with its own snippet) per other file involved.
fn build(f: &Findings<'_>, d: &Diagnostic) -> Report {
    let primary_file = d.primary.span.file;
    let mut same: Vec<&Label> = vec![&d.primary];
    let mut others: Vec<(FileId, Vec<&Label>)> = Vec::new();
    for l in &d.secondary {
        if l.span.file == primary_file {
            same.push(l);
        } else if let Some((_, v)) = others.iter_mut().find(|(id, _)| *id == l.span.file) {
            v.push(l);
        } else {
            others.push((l.span.file, vec![l]));
        }
    }
    let mut help = d.help.clone().unwrap_or_default();
    if let Some(fix) = &d.fix {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(&format!("fix: {} (htguard check --fix)", fix.description));
    }
    let servers: Vec<&str> = d.servers.iter().map(|s| s.as_str()).collect();
    let code = if servers.is_empty() {
        format!("{} {}", d.code, d.name)
    } else {
        format!("{} {} [{}]", d.code, d.name, servers.join(", "))
    };
    Report {
        message: d.message.clone(),
        code: Some(code),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help: (!help.is_empty()).then_some(help),
        snippet: Snippet::new(f, primary_file, &same),
        related: others
            .into_iter()
            .map(|(file, labels)| Report {
                message: format!("in {}", f.path(file)),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                snippet: Snippet::new(f, file, &labels),
                related: Vec::new(),
            })
            .collect(),
    }
}

#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    snippet: Snippet,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.snippet)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.snippet.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// The lines of one file that a finding's labels need, as display text, with labels
/// relative to the window. Each label brings its own lines (with context); labels far
/// apart are separate regions, so a duplicate user 50,000 lines after the first entry
/// shows two short snippets, not 50,000 lines, and each lookup reads one region only.
#[derive(Debug)]
struct Snippet {
    name: String,
    regions: Vec<Region>,
    labels: Vec<LabeledSpan>,
}

/// Consecutive lines of the file, as display text.
#[derive(Debug)]
struct Region {
    /// Offset of `text` in the snippet (the regions' texts laid end to end).
    at: usize,
    /// Byte offset of `text` in the file.
    start: usize,
    /// 0-based line number of the region's first line in the file.
    first_line: usize,
    text: String,
}

impl Snippet {
    fn new(f: &Findings<'_>, file: FileId, labels: &[&Label]) -> Snippet {
        let src = f.sources.get(file);
        let len = src.bytes.len();
        let mode = Mode::for_kind(f.passwd_files.get(&file).copied());
        let mut wanted: Vec<(usize, usize, usize)> = labels
            .iter()
            .map(|l| {
                let (lo, hi) = (l.span.start.min(len), l.span.end.min(len));
                src.lines_around(lo, hi.max(lo), CONTEXT_LINES)
            })
            .collect();
        wanted.sort_unstable_by_key(|w| w.1);
        // Regions that overlap or touch become one: (first line, start, end) in the file.
        let mut merged: Vec<(usize, usize, usize)> = Vec::with_capacity(wanted.len());
        for (line, s, e) in wanted {
            match merged.last_mut() {
                Some(last) if s <= last.2 => last.2 = last.2.max(e),
                _ => merged.push((line, s, e)),
            }
        }
        let mut regions = Vec::with_capacity(merged.len());
        let mut at = 0;
        for (first_line, s, e) in merged {
            let text = redact::display_text(&src.bytes[s..e], mode);
            let n = text.len();
            regions.push(Region {
                at,
                start: s,
                first_line,
                text,
            });
            at += n;
        }
        // The region holding a file offset, and the offset's place in its text. Both ends
        // of a label are in one region: its region was built around the whole label.
        let place = |o: usize| -> (&Region, usize) {
            let o = o.min(len);
            let k = regions.partition_point(|r| r.start <= o).saturating_sub(1);
            let r = &regions[k];
            (r, o.saturating_sub(r.start).min(r.text.len()))
        };
        let labels = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                // A label edge inside a redacted `…` moves to the nearest character
                // boundary: the bytes there are hidden anyway.
                let (r, mut s) = place(l.span.start);
                while !r.text.is_char_boundary(s) {
                    s -= 1;
                }
                let mut e = place(l.span.end).1.max(s);
                while !r.text.is_char_boundary(e) {
                    e += 1;
                }
                let span = SourceSpan::new((r.at + s).into(), e - s);
                let msg = (!l.message.is_empty()).then(|| l.message.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(msg, span)
                } else {
                    LabeledSpan::new_with_span(msg, span)
                }
            })
            .collect();
        Snippet {
            name: src.path.display().to_string(),
            regions,
            labels,
        }
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // The region holding the span; a span across two regions (miette asking to
        // merge far-apart labels) is out of bounds, so they stay apart.
        let k = self
            .regions
            .partition_point(|r| r.at <= span.offset())
            .saturating_sub(1);
        let r = self.regions.get(k).ok_or(MietteError::OutOfBounds)?;
        let offset = span.offset() - r.at;
        if offset + span.len() > r.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let inner = r.text.as_str().read_span(
            &SourceSpan::new(offset.into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(Shifted {
            data: inner.data(),
            span: SourceSpan::new((inner.span().offset() + r.at).into(), inner.span().len()),
            line: inner.line() + r.first_line,
            column: inner.column(),
            // miette's own count runs from the start of the text, and it merges two
            // labels' snippets when `line + line_count` reaches the next one: the
            // lines of these contents is what that test means.
            line_count: lines_in(inner.data()),
            name: &self.name,
        }))
    }
}

/// Window contents reported at their real line numbers.
struct Shifted<'a> {
    data: &'a [u8],
    span: SourceSpan,
    line: usize,
    column: usize,
    line_count: usize,
    name: &'a str,
}

/// Lines in a snippet's contents, as miette counts them (CR, LF and CRLF end a line).
fn lines_in(data: &[u8]) -> usize {
    let breaks = memchr::memchr2_iter(b'\r', b'\n', data).count()
        - memchr::memmem::find_iter(data, b"\r\n").count();
    breaks + usize::from(!data.is_empty() && !data.ends_with(b"\n") && !data.ends_with(b"\r"))
}

impl<'a> SpanContents<'a> for Shifted<'a> {
    fn data(&self) -> &'a [u8] {
        self.data
    }
    fn span(&self) -> &SourceSpan {
        &self.span
    }
    fn name(&self) -> Option<&str> {
        Some(self.name)
    }
    fn line(&self) -> usize {
        self.line
    }
    fn column(&self) -> usize {
        self.column
    }
    fn line_count(&self) -> usize {
        self.line_count
    }
}
