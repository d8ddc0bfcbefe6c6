//! `--format sarif`: SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers),
//! built with the serde-sarif types. Every rule is described with its summary and its
//! full documentation; results carry exact regions (lines, columns, byte offsets),
//! related locations for secondary labels, and fixes (except where a replacement
//! would reveal a password-file secret).

use super::Findings;
use crate::diag::RuleInfo;
use crate::diag::{Diagnostic, Severity};
use crate::source::Span;
use serde_sarif::sarif::{
    Artifact, ArtifactChange, ArtifactContent, ArtifactLocation, Fix, Location, Message,
    MultiformatMessageString, PhysicalLocation, Region, Replacement, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

/// The `$schema` written into the document (the schema's own `$id`).
pub const SCHEMA_URI: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

/// A relative path stays relative (GitHub resolves it against the repository root);
/// an absolute one becomes a `file://` URI. Bytes outside the URI-safe set are %-encoded.
fn uri(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    // A probe's transcript is named by the URL it probed: it stays that URL.
    if let Some(url) = path.to_str().filter(|p| is_web_url(p)) {
        return url_uri(url);
    }
    let mut out = String::new();
    if path.is_absolute() {
        out.push_str("file://");
    }
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_web_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// A URL with every byte outside RFC 3986's characters %-encoded.
fn url_uri(url: &str) -> String {
    let mut out = String::new();
    for &b in url.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text(s: impl Into<String>) -> Message {
    Message::builder().text(s.into()).build()
}

fn region(f: &Findings<'_>, span: Span) -> Region {
    let p = f.position(span);
    Region::builder()
        .start_line(p.line as i64)
        .start_column(p.column as i64)
        .end_line(p.end_line as i64)
        .end_column(p.end_column as i64)
        .byte_offset(span.start as i64)
        .byte_length(span.len() as i64)
        .build()
}

fn artifact(f: &Findings<'_>, span: Span) -> ArtifactLocation {
    ArtifactLocation::builder()
        .uri(uri(&f.sources.get(span.file).path))
        .build()
}

fn location(f: &Findings<'_>, span: Span, message: &str) -> Location {
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact(f, span))
        .region(region(f, span))
        .build();
    if message.is_empty() {
        Location::builder().physical_location(physical).build()
    } else {
        Location::builder()
            .physical_location(physical)
            .message(text(message))
            .build()
    }
}

fn fix(f: &Findings<'_>, d: &Diagnostic) -> Option<Fix> {
    let fix = d.fix.as_ref()?;
    let mut changes: Vec<ArtifactChange> = Vec::new();
    let mut files: Vec<_> = fix.edits.iter().map(|e| e.span.file).collect();
    files.sort();
    files.dedup();
    for file in files {
        let mut replacements = Vec::new();
        for e in fix.edits.iter().filter(|e| e.span.file == file) {
            // A fix we cannot show in full is left out rather than shown wrong.
            let inserted = f.printable_replacement(e)?;
            let deleted = Region::builder()
                .byte_offset(e.span.start as i64)
                .byte_length(e.span.len() as i64)
                .build();
            replacements.push(if inserted.is_empty() {
                Replacement::builder().deleted_region(deleted).build()
            } else {
                Replacement::builder()
                    .deleted_region(deleted)
                    .inserted_content(ArtifactContent::builder().text(inserted).build())
                    .build()
            });
        }
        let first = fix.edits.iter().find(|e| e.span.file == file)?;
        changes.push(
            ArtifactChange::builder()
                .artifact_location(artifact(f, first.span))
                .replacements(replacements)
                .build(),
        );
    }
    Some(
        Fix::builder()
            .description(text(fix.description.clone()))
            .artifact_changes(changes)
            .build(),
    )
}

fn descriptor(rule: &RuleInfo) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(rule.code)
        .name(rule.name)
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.summary)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(rule.summary)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(rule.doc)
                .markdown(rule.doc)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::Value::from(level_name(rule.severity)))
                .build(),
        )
        .build()
}

/// The SARIF log (one run), pretty-printed. `rules` are described in the tool driver
/// (pass every registered rule, so result `ruleIndex` values are stable).
pub fn render(f: &Findings<'_>, rules: &[&RuleInfo]) -> String {
    render_with_contents(f, rules, &[])
}

/// [`render`], with the text of the files in `embedded` carried in the log's `artifacts`
/// (for sources that exist nowhere else, such as a probe's transcript of answers, so that
/// result regions point into text a viewer has).
pub fn render_with_contents(
    f: &Findings<'_>,
    rules: &[&RuleInfo],
    embedded: &[crate::source::FileId],
) -> String {
    let results: Vec<SarifResult> = f
        .diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let related: Vec<Location> = d
                .secondary
                .iter()
                .map(|l| location(f, l.span, &l.message))
                .collect();
            let mut r = SarifResult::builder()
                .rule_id(d.code)
                .level(level(d.severity))
                .message(text(message))
                .locations(vec![location(f, d.primary.span, &d.primary.message)])
                .build();
            r.rule_index = rules
                .iter()
                .position(|rule| rule.code == d.code)
                .map(|i| i as i64);
            if !related.is_empty() {
                r.related_locations = Some(related);
            }
            r.fixes = fix(f, d).map(|x| vec![x]);
            r
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("htguard")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .build();
    if !embedded.is_empty() {
        run.artifacts = Some(
            embedded
                .iter()
                .map(|&file| {
                    let source = f.sources.get(file);
                    Artifact::builder()
                        .location(ArtifactLocation::builder().uri(uri(&source.path)).build())
                        .contents(ArtifactContent::builder().text(source.text_lossy()).build())
                        .build()
                })
                .collect(),
        );
    }
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            uri(std::path::Path::new("conf/a b.conf")),
            "conf/a%20b.conf"
        );
        assert_eq!(uri(std::path::Path::new("/etc/x#1")), "file:///etc/x%231");
        assert_eq!(
            uri(std::path::Path::new("https://h:8443/a b?x=1")),
            "https://h:8443/a%20b?x=1"
        );
    }
}
