//! Findings as data. Rules create them; `report` renders them; nothing here prints.

use crate::source::Span;
use serde::Serialize;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing breaks.
    Info,
    /// Weak or fragile: works today, bites later.
    Warning,
    /// Someone is locked out, served a 500, or let in without a password.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use crate::target::Server;

/// Which kind of input a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// Findings about htguard's own input handling (suppressions, unreadable input).
    Meta,
    /// Password, digest and group files on their own.
    Passwd,
    /// Apache httpd configuration and the files it names.
    Apache,
    /// nginx configuration and the files it names.
    Nginx,
    /// Diagnoses of a live server's answers (`htguard probe`); not run by `check`.
    Probe,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Meta => "meta",
            Family::Passwd => "passwd",
            Family::Apache => "apache",
            Family::Nginx => "nginx",
            Family::Probe => "probe",
        }
    }
}

/// A rule's identity and documentation (the rules themselves live in `rules`; this is
/// what findings, reports and `explain` need to know of them).
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable code: `HG…` meta, `PW…` password files, `AP…` Apache, `NX…` nginx,
    /// `PB…` probe diagnoses.
    pub code: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Full Markdown documentation.
    pub doc: &'static str,
}

/// A span with a message, e.g. "this user is not in it".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One replacement of bytes in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: Vec<u8>,
}

/// A safe, mechanical fix that `--fix` may apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
}

/// The fixed content of one file: what `--fix` writes and `--diff` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlan {
    pub file: crate::source::FileId,
    pub path: std::path::PathBuf,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
    /// How many findings' fixes went into `after`.
    pub fixes: usize,
    /// For a password file, its kind: renderers must redact its hashes.
    pub passwd_kind: Option<crate::syntax::passwd::FileKind>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable rule code, e.g. `HT001`.
    pub code: &'static str,
    /// The rule's kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// Short, specific: what is wrong here.
    pub message: String,
    /// The exact text at fault.
    pub primary: Label,
    /// Other places involved (possibly in other files).
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Which servers behave as the message says. Empty means "not server-specific".
    pub servers: Vec<Server>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Start a finding for `rule` at `span`; the rule's default severity applies.
    pub fn new(rule: &RuleInfo, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
            servers: Vec::new(),
            fix: None,
        }
    }

    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, message));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn servers(mut self, servers: &[Server]) -> Self {
        self.servers = servers.to_vec();
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}
