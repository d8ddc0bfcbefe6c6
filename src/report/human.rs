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
    out.push_str(&summary(f));
    out.push('\n');
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
        .with_show_related_as_nested(true);
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
/// relative to the window.
#[derive(Debug)]
struct Snippet {
    name: String,
    text: String,
    /// 0-based line number of the window's first line in the file.
    first_line: usize,
    labels: Vec<LabeledSpan>,
}

impl Snippet {
    fn new(f: &Findings<'_>, file: FileId, labels: &[&Label]) -> Snippet {
        let src = f.sources.get(file);
        let len = src.bytes.len();
        let lo = labels
            .iter()
            .map(|l| l.span.start)
            .min()
            .unwrap_or(0)
            .min(len);
        let hi = labels
            .iter()
            .map(|l| l.span.end)
            .max()
            .unwrap_or(0)
            .min(len);
        let (first_line, start, end) = src.lines_around(lo, hi, CONTEXT_LINES);
        let mode = Mode::for_kind(f.passwd_files.get(&file).copied());
        let text = redact::display_text(&src.bytes[start..end], mode);
        let labels = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                // A label edge inside a redacted `…` moves to the nearest character
                // boundary: the bytes there are hidden anyway.
                let mut s = l.span.start.clamp(start, end) - start;
                while !text.is_char_boundary(s) {
                    s -= 1;
                }
                let mut e = (l.span.end.clamp(start, end) - start).max(s);
                while !text.is_char_boundary(e) {
                    e += 1;
                }
                let span = SourceSpan::new(s.into(), e - s);
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
            text,
            first_line,
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
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(Shifted {
            data: inner.data(),
            span: *inner.span(),
            line: inner.line() + self.first_line,
            column: inner.column(),
            line_count: inner.line_count(),
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
