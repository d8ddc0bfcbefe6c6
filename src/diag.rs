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

/// A server whose behaviour a finding predicts. Apache and nginx are known from their
/// configs; the other programs read password files only (`target::reader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Server {
    Apache,
    Nginx,
    Lighttpd,
    DockerRegistry,
    Verdaccio,
}

impl Server {
    pub fn as_str(self) -> &'static str {
        match self {
            Server::Apache => "apache",
            Server::Nginx => "nginx",
            Server::Lighttpd => "lighttpd",
            Server::DockerRegistry => "docker-registry",
            Server::Verdaccio => "verdaccio",
        }
    }
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
    pub fn new(rule: &crate::rules::RuleInfo, span: Span, message: impl Into<String>) -> Self {
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

/// Show a secret (a hash) without giving it away: a scheme prefix and a few characters.
pub fn redact_hash(hash: &str) -> String {
    let keep = if hash.starts_with('$') {
        // `$2y$10$abcd…`: keep the id and params plus 4 characters.
        let mut dollars = 0;
        let mut cut = hash.len();
        for (i, c) in hash.char_indices() {
            if c == '$' {
                dollars += 1;
                if dollars == 3 || (dollars == 4 && hash[..i].contains("rounds=")) {
                    cut = i + 1;
                }
            }
        }
        if cut == hash.len() { 4 } else { cut + 4 }
    } else if let Some(end) = hash.find('}') {
        end + 1 + 4
    } else {
        4
    };
    let cut = hash
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(hash.len()))
        .find(|i| *i >= keep.min(hash.len()))
        .unwrap_or(hash.len());
    if cut >= hash.len() && hash.chars().count() <= 4 {
        // Too short to show any of it safely.
        return "…".to_string();
    }
    format!("{}…", &hash[..cut.min(hash.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_a_prefix() {
        assert_eq!(
            redact_hash("$2y$10$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMN"),
            "$2y$10$abcd…"
        );
        assert_eq!(
            redact_hash("{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M="),
            "{SHA}qUqP…"
        );
        assert_eq!(redact_hash("abcdefghijklm"), "abcd…");
        assert_eq!(redact_hash("$apr1$salt$hashhashhash"), "$apr1$salt$hash…");
        assert_eq!(redact_hash("ab"), "…");
    }
}
