//! `htguard why` output. Human: per server configuration, the status, the numbered chain
//! of decisions with where each was taken, the deciding line drawn with miette, and what
//! to change. JSON (`--format json`):
//!
//! ```text
//! {"version": 1,
//!  "answers": [{"server": "apache" | "nginx", "config": PATH,
//!               "status": INT | null,          // null: no HTTP answer (see "outcome")
//!               "outcome": "status" | "does-not-start" | "no-listener" | "depends",
//!               "depends_on": TEXT | null,
//!               "steps": [{"what": TEXT, "file": PATH | null, "line": N | null,
//!                          "column": N | null}],
//!               "decided_by": {"file": PATH, "line": N} | null,
//!               "advice": TEXT | null}]}
//! ```
//! A step may point into a password file (the line of the entry that decided); its
//! content is never shown.

use crate::source::{Sources, Span};
use crate::target::Server;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// The JSON schema version.
pub const VERSION: u32 = 1;

/// What a server configuration answers, as the renderers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<'a> {
    Status(u16),
    DoesNotStart,
    NoListener,
    /// Decided outside the configuration; the usual status when known.
    Depends {
        on: &'a str,
        status: Option<u16>,
    },
}

impl Verdict<'_> {
    fn status(&self) -> Option<u16> {
        match self {
            Verdict::Status(s) => Some(*s),
            Verdict::Depends { status, .. } => *status,
            _ => None,
        }
    }
}

/// One decision of the chain.
pub struct Step<'a> {
    pub what: &'a str,
    /// The config line.
    pub span: Option<Span>,
    /// A line of a file outside the configuration (a password file: never shown).
    pub line_in: Option<(&'a Path, usize)>,
}

/// One answer to render.
pub struct Shown<'a> {
    pub server: Server,
    pub config: &'a Path,
    pub verdict: Verdict<'a>,
    pub steps: Vec<Step<'a>>,
    pub decided_by: Option<Span>,
    pub advice: Option<&'a str>,
}

/// A one-line description of the request (`GET http://h/x from 127.0.0.1 as alice`).
pub fn render_human(
    sources: &Sources,
    request_line: &str,
    answers: &[Shown<'_>],
    color: bool,
    width: usize,
) -> String {
    let mut out = String::new();
    for (k, a) in answers.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}: {}\n{request_line}: {}\n",
            a.server.as_str(),
            a.config.display(),
            verdict_text(&a.verdict, a.server.as_str())
        ));
        for (i, step) in a.steps.iter().enumerate() {
            out.push_str(&format!("  {:>2}. {}", i + 1, step.what));
            if let Some(at) = step_location(sources, step) {
                out.push_str(&format!("\n      at {at}"));
            }
            out.push('\n');
        }
        if let Some(span) = a.decided_by {
            out.push_str(&draw(sources, span, color, width));
        }
        if let Some(advice) = a.advice {
            out.push_str(&format!("what to change: {advice}\n"));
        }
    }
    out
}

fn verdict_text(v: &Verdict<'_>, server: &str) -> String {
    match v {
        Verdict::Status(s) => format!("{s} {}", reason(*s)),
        Verdict::DoesNotStart => {
            let program = if server == "apache" { "httpd" } else { server };
            format!("{program} does not start with this configuration")
        }
        Verdict::NoListener => "nothing listens on that address and port".into(),
        Verdict::Depends {
            on,
            status: Some(s),
        } => format!("depends on {on} (otherwise {s} {})", reason(*s)),
        Verdict::Depends { on, status: None } => format!("depends on {on}"),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => "",
    }
}

/// `file:line:column` of a step.
fn step_location(sources: &Sources, step: &Step<'_>) -> Option<String> {
    if let Some(span) = step.span {
        let (file, line, column) = position(sources, span);
        return Some(format!("{file}:{line}:{column}"));
    }
    step.line_in
        .map(|(path, line)| format!("{}:{line}", path.display()))
}

fn position(sources: &Sources, span: Span) -> (String, usize, usize) {
    let f = sources.get(span.file);
    let (line, column) = f.line_col(span.start);
    (f.path.display().to_string(), line, column)
}

/// The deciding line with miette.
fn draw(sources: &Sources, span: Span, color: bool, width: usize) -> String {
    let f = sources.get(span.file);
    let text = f.text_lossy().into_owned();
    let end = span.end.max(span.start).min(text.len());
    let report = Decided {
        source: NamedSource::new(f.path.display().to_string(), text),
        span: (span.start, end - span.start.min(end)).into(),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(width)
        .with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        let (file, line, column) = position(sources, span);
        out = format!("decided by {file}:{line}:{column}\n");
    }
    out
}

/// The deciding line as a miette diagnostic.
struct Decided {
    source: NamedSource<String>,
    span: miette::SourceSpan,
}

impl fmt::Debug for Decided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decided here")
    }
}

impl fmt::Display for Decided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decided by this line")
    }
}

impl std::error::Error for Decided {}

impl miette::Diagnostic for Decided {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            self.span,
        ))))
    }
}

#[derive(Serialize)]
struct Document {
    version: u32,
    answers: Vec<AnswerOut>,
}

#[derive(Serialize)]
struct AnswerOut {
    server: &'static str,
    config: String,
    status: Option<u16>,
    outcome: &'static str,
    depends_on: Option<String>,
    steps: Vec<StepOut>,
    decided_by: Option<DecidedOut>,
    advice: Option<String>,
}

#[derive(Serialize)]
struct StepOut {
    what: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Serialize)]
struct DecidedOut {
    file: String,
    line: usize,
}

/// The JSON document.
pub fn render_json(sources: &Sources, answers: &[Shown<'_>]) -> String {
    let doc = Document {
        version: VERSION,
        answers: answers.iter().map(|a| answer_out(sources, a)).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn answer_out(sources: &Sources, a: &Shown<'_>) -> AnswerOut {
    let v = &a.verdict;
    AnswerOut {
        server: a.server.as_str(),
        config: a.config.display().to_string(),
        status: v.status(),
        outcome: match v {
            Verdict::Status(_) => "status",
            Verdict::DoesNotStart => "does-not-start",
            Verdict::NoListener => "no-listener",
            Verdict::Depends { .. } => "depends",
        },
        depends_on: match v {
            Verdict::Depends { on, .. } => Some(on.to_string()),
            _ => None,
        },
        steps: a
            .steps
            .iter()
            .map(|s| {
                let (file, line, column) = match (s.span, s.line_in) {
                    (Some(span), _) => {
                        let (f, l, c) = position(sources, span);
                        (Some(f), Some(l), Some(c))
                    }
                    (None, Some((path, line))) => {
                        (Some(path.display().to_string()), Some(line), Some(1))
                    }
                    (None, None) => (None, None, None),
                };
                StepOut {
                    what: s.what.to_string(),
                    file,
                    line,
                    column,
                }
            })
            .collect(),
        decided_by: a.decided_by.map(|span| {
            let (file, line, _) = position(sources, span);
            DecidedOut { file, line }
        }),
        advice: a.advice.map(str::to_string),
    }
}
