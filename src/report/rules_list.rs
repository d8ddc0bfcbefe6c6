//! `htguard rules`: the rule table, as text or JSON.

use crate::rules::Rule;
use serde::Serialize;

#[derive(Serialize)]
struct Entry {
    code: &'static str,
    name: &'static str,
    family: &'static str,
    severity: crate::diag::Severity,
    summary: &'static str,
}

/// One line per rule: code, name, family, default severity, summary.
pub fn text(rules: &[&Rule]) -> String {
    let w = rules
        .iter()
        .map(|r| r.info.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:<6} {:<w$} {:<7} {:<8} SUMMARY\n",
        "CODE", "NAME", "FAMILY", "SEVERITY"
    );
    for r in rules {
        out.push_str(&format!(
            "{:<6} {:<w$} {:<7} {:<8} {}\n",
            r.info.code,
            r.info.name,
            r.info.family.as_str(),
            r.info.severity.as_str(),
            r.info.summary
        ));
    }
    out
}

/// `{"version": 1, "rules": [{code, name, family, severity, summary}]}`.
pub fn json(rules: &[&Rule]) -> String {
    #[derive(Serialize)]
    struct Doc {
        version: u32,
        rules: Vec<Entry>,
    }
    let doc = Doc {
        version: 1,
        rules: rules
            .iter()
            .map(|r| Entry {
                code: r.info.code,
                name: r.info.name,
                family: r.info.family.as_str(),
                severity: r.info.severity,
                summary: r.info.summary,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
