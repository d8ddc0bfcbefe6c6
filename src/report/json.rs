//! `--format json`: a stable, versioned document.
//!
//! ```text
//! {
//!   "version": 1,                       // bumped only on incompatible changes
//!   "tool": { "name": "htguard", "version": "0.1.0" },
//!   "summary": { "errors": 1, "warnings": 0, "infos": 0,
//!                "files_checked": 2, "files_with_findings": 1, "suppressed": 0 },
//!   "findings": [ {
//!     "code": "PW001", "name": "utf8-bom", "severity": "error",   // error|warning|info
//!     "message": "…", "label": "…" | null,
//!     "file": "path as given", "line": 1, "column": 1,            // 1-based
//!     "end_line": 1, "end_column": 2,                             // exclusive end
//!     "start_offset": 0, "end_offset": 3,                         // bytes, half-open
//!     "servers": ["apache", "nginx"],                             // may be empty
//!     "help": "…" | null,
//!     "secondary": [ { "file", "line", "column", "end_line", "end_column",
//!                      "start_offset", "end_offset", "message" } ],
//!     "fix": null | { "description": "…", "edits": [ { "file", "line", "column",
//!              "end_line", "end_column", "start_offset", "end_offset",
//!              "replacement": "text" | null,       // null: withheld (password-file secret)
//!              "replacement_withheld": false } ] }
//!   } ],
//!   "inputs": [ {                        // every file read, in reading order (added in 0.2)
//!     "file": "path as given", "kind": "apache" | "apache-snippet" | "htaccess" | "nginx"
//!             | "nginx-snippet" | "htpasswd" | "htdigest" | "htgroup" | "config" | "assumed"
//!             | "unreadable",                     // exists, could not be read (HG004)
//!     "why": "included by the Apache config at /etc/apache2/apache2.conf:225"
//!   } ]
//! }
//! ```
//! New fields are only ever added (readers must ignore fields they do not know); the
//! version changes only when a field changes meaning or goes away.
//! Columns count Unicode characters; offsets count bytes. Findings are sorted by file
//! (in reading order) and position.

use super::{Findings, Position};
use crate::diag::{Diagnostic, Severity};
use crate::source::Span;
use serde::Serialize;

/// The schema version of this output.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Vec<Finding<'a>>,
    inputs: Vec<Input<'a>>,
}

#[derive(Serialize)]
struct Input<'a> {
    file: String,
    kind: &'a str,
    why: &'a str,
}

/// The `tool` object of the JSON documents (`check`, `probe`).
#[derive(Serialize)]
pub(super) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    pub(super) const HTGUARD: Tool = Tool {
        name: "htguard",
        version: env!("CARGO_PKG_VERSION"),
    };
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
    files_checked: usize,
    files_with_findings: usize,
    suppressed: usize,
}

#[derive(Serialize)]
struct Location {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_offset: usize,
    end_offset: usize,
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    label: Option<&'a str>,
    #[serde(flatten)]
    location: Location,
    servers: Vec<&'static str>,
    help: Option<&'a str>,
    secondary: Vec<Secondary<'a>>,
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct Secondary<'a> {
    #[serde(flatten)]
    location: Location,
    message: &'a str,
}

#[derive(Serialize)]
struct FixOut<'a> {
    description: &'a str,
    edits: Vec<EditOut>,
}

#[derive(Serialize)]
struct EditOut {
    #[serde(flatten)]
    location: Location,
    replacement: Option<String>,
    replacement_withheld: bool,
}

fn location(f: &Findings<'_>, span: Span) -> Location {
    let Position {
        line,
        column,
        end_line,
        end_column,
    } = f.position(span);
    Location {
        file: f.path(span.file),
        line,
        column,
        end_line,
        end_column,
        start_offset: span.start,
        end_offset: span.end,
    }
}

fn finding<'a>(f: &Findings<'_>, d: &'a Diagnostic) -> Finding<'a> {
    Finding {
        code: d.code,
        name: d.name,
        severity: d.severity,
        message: &d.message,
        label: (!d.primary.message.is_empty()).then_some(d.primary.message.as_str()),
        location: location(f, d.primary.span),
        servers: d.servers.iter().map(|s| s.as_str()).collect(),
        help: d.help.as_deref(),
        secondary: d
            .secondary
            .iter()
            .map(|l| Secondary {
                location: location(f, l.span),
                message: &l.message,
            })
            .collect(),
        fix: d.fix.as_ref().map(|fix| FixOut {
            description: &fix.description,
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    let replacement = f.printable_replacement(e);
                    EditOut {
                        location: location(f, e.span),
                        replacement_withheld: replacement.is_none(),
                        replacement,
                    }
                })
                .collect(),
        }),
    }
}

/// The JSON document, pretty-printed, with a final newline.
pub fn render(f: &Findings<'_>) -> String {
    let count = |s: Severity| f.diagnostics.iter().filter(|d| d.severity == s).count();
    let mut files: Vec<_> = f.diagnostics.iter().map(|d| d.primary.span.file).collect();
    files.sort();
    files.dedup();
    let doc = Document {
        version: VERSION,
        tool: Tool::HTGUARD,
        summary: Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            files_checked: f.sources.len(),
            files_with_findings: files.len(),
            suppressed: f.suppressed,
        },
        findings: f.diagnostics.iter().map(|d| finding(f, d)).collect(),
        inputs: f
            .inputs
            .iter()
            .map(|p| Input {
                file: f.path(p.file),
                kind: &p.kind,
                why: &p.why,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        // Serializing plain strings and numbers cannot fail; keep the output valid JSON anyway.
        format!("{{\"version\":{VERSION},\"error\":{:?}}}", e.to_string())
    });
    s.push('\n');
    s
}
