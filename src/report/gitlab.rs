//! `--format gitlab`: GitLab's Code Quality report, a JSON array of issues that the merge
//! request widget and the pipeline's Code Quality tab read from
//! `artifacts: reports: codequality:`.
//!
//! ```text
//! [ {
//!   "description": "…",                  // the finding's message
//!   "check_name": "PW007",               // the rule code
//!   "fingerprint": "32 hex digits",      // stable across runs, distinct per finding
//!   "severity": "critical",              // error → critical, warning → major, info → info
//!   "location": { "path": "relative/to/the/repository", "lines": { "begin": 3, "end": 3 } }
//! } ]
//! ```
//!
//! GitLab compares the fingerprints of the target branch with those of the merge request:
//! one seen in both is "unchanged". So a fingerprint is made of what the finding *is* (rule,
//! file, message, label), not where it is: adding a line above it does not turn it into
//! a new finding. Findings alike in all of these are told apart by their order.

use super::Findings;
use crate::diag::{Diagnostic, Severity};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Component, Path};

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's five levels, from the three of htguard: an error is someone locked out, a
/// 500 or an open door (critical); a warning works today and bites later (major).
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// `path` as GitLab wants it: relative to the repository (`base`, the directory the check
/// ran in), without `./`. A file outside `base` keeps its absolute path: there is no
/// repository path to give it.
pub fn repository_path(path: &Path, base: &Path) -> String {
    let inside = if path.is_absolute() {
        path.strip_prefix(base).ok()
    } else {
        Some(path)
    };
    let Some(rel) = inside else {
        return path.display().to_string();
    };
    let parts: Vec<String> = rel
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        path.display().to_string()
    } else {
        parts.join("/")
    }
}

/// What identifies a finding apart from its position: rule, file, message, labels.
fn identity(d: &Diagnostic, path: &str) -> String {
    let mut id = format!("{}\0{path}\0{}\0{}", d.code, d.message, d.primary.message);
    for s in &d.secondary {
        id.push('\0');
        id.push_str(&s.message);
    }
    id
}

/// The Code Quality report, pretty-printed. `base` is the repository root (the directory
/// the check runs in); paths under it are written relative to it.
pub fn render(f: &Findings<'_>, base: &Path) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Issue> = f
        .diagnostics
        .iter()
        .map(|d| {
            let path = repository_path(&f.sources.get(d.primary.span.file).path, base);
            let identity = identity(d, &path);
            let n = seen.entry(identity.clone()).or_insert(0);
            *n += 1;
            let digest = md5::compute(format!("{identity}\0{n}"));
            let p = f.position(d.primary.span);
            Issue {
                description: d.message.clone(),
                check_name: d.code,
                fingerprint: format!("{digest:x}"),
                severity: severity(d.severity),
                location: Location {
                    path,
                    lines: Lines {
                        begin: p.line,
                        end: p.end_line.max(p.line),
                    },
                },
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::repository_path;
    use std::path::Path;

    #[test]
    fn paths_are_relative_to_the_repository() {
        let base = Path::new("/builds/site");
        let rel = |p: &str| repository_path(Path::new(p), base);
        assert_eq!(
            rel("/builds/site/etc/nginx/nginx.conf"),
            "etc/nginx/nginx.conf"
        );
        assert_eq!(rel("./etc/apache2/.htpasswd"), "etc/apache2/.htpasswd");
        assert_eq!(rel("etc/./a b.conf"), "etc/a b.conf");
        assert_eq!(rel("/etc/apache2/.htpasswd"), "/etc/apache2/.htpasswd");
    }
}
