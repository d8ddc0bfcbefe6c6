//! Renderers only: human (miette), JSON, SARIF 2.1.0, GitHub annotations, GitLab Code
//! Quality, unified diffs of fixes, and the rule list. They decide nothing: what to
//! report, and how severe it is, was settled by `check`.
//!
//! No renderer echoes the content of a password file, except the human snippet,
//! which is drawn from a redacted copy ([`redact`]).

pub mod diff;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod probe;
pub mod redact;
pub mod rules_list;
pub mod sarif;
pub mod why;

use crate::diag::{Diagnostic, Edit, Severity};
use crate::source::{FileId, Provenance, Sources, Span};
use crate::syntax::passwd::FileKind;
use std::collections::HashMap;

/// What the renderers draw from.
#[derive(Clone, Copy, Debug)]
pub struct Findings<'a> {
    pub sources: &'a Sources,
    pub diagnostics: &'a [Diagnostic],
    /// Password files (their hashes are never shown in full) and their detected kind.
    pub passwd_files: &'a HashMap<FileId, FileKind>,
    /// Findings silenced by inline suppressions (for the summary).
    pub suppressed: usize,
    /// Why each file was read (the JSON report lists them).
    pub inputs: &'a [Provenance],
}

impl<'a> Findings<'a> {
    fn path(&self, file: FileId) -> String {
        self.sources.get(file).path.display().to_string()
    }

    fn is_secret(&self, file: FileId) -> bool {
        self.passwd_files.contains_key(&file)
    }

    /// 1-based (line, column, end line, end column) of a span; columns count
    /// characters, the end is exclusive.
    fn position(&self, span: Span) -> Position {
        let f = self.sources.get(span.file);
        let (line, column) = f.line_col(span.start);
        let (end_line, end_column) = f.line_col(span.end);
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// An edit's replacement as text, or `None` when showing it could reveal a
    /// password-file secret (anything but whitespace in a password file).
    fn printable_replacement(&self, edit: &Edit) -> Option<String> {
        let text = String::from_utf8_lossy(&edit.replacement).into_owned();
        if self.is_secret(edit.span.file) && !text.chars().all(char::is_whitespace) {
            None
        } else {
            Some(text)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Position {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// "3 errors, 1 warning in 2 files" (and what was suppressed or is fixable).
pub fn summary(f: &Findings<'_>) -> String {
    let count = |s: Severity| f.diagnostics.iter().filter(|d| d.severity == s).count();
    let plural = |n: usize, word: &str| match (n, word) {
        (1, _) | (_, "info") => format!("{n} {word}"),
        _ => format!("{n} {word}s"),
    };
    let mut files: Vec<FileId> = f.diagnostics.iter().map(|d| d.primary.span.file).collect();
    files.sort();
    files.dedup();
    let checked = f.sources.len();
    let mut out = if f.diagnostics.is_empty() {
        format!("No findings in {}", plural(checked, "file"))
    } else {
        let parts: Vec<String> = [
            (Severity::Error, "error"),
            (Severity::Warning, "warning"),
            (Severity::Info, "info"),
        ]
        .iter()
        .filter(|(s, _)| count(*s) > 0)
        .map(|(s, w)| plural(count(*s), w))
        .collect();
        format!(
            "{} in {} ({} checked)",
            parts.join(", "),
            plural(files.len(), "file"),
            checked
        )
    };
    let fixable = f.diagnostics.iter().filter(|d| d.fix.is_some()).count();
    if fixable > 0 {
        out.push_str(&format!("; {fixable} fixable with --fix"));
    }
    if f.suppressed > 0 {
        out.push_str(&format!("; {} suppressed", f.suppressed));
    }
    out.push('.');
    out
}
