//! `htguard rules`: the rule table, as text or JSON.

use crate::diag::RuleInfo;
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
pub fn text(rules: &[&RuleInfo]) -> String {
    let w = rules.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!(
        "{:<6} {:<w$} {:<7} {:<8} SUMMARY\n",
        "CODE", "NAME", "FAMILY", "SEVERITY"
    );
    for r in rules {
        out.push_str(&format!(
            "{:<6} {:<w$} {:<7} {:<8} {}\n",
            r.code,
            r.name,
            r.family.as_str(),
            r.severity.as_str(),
            r.summary
        ));
    }
    out
}

/// `{"version": 1, "rules": [{code, name, family, severity, summary}]}`.
pub fn json(rules: &[&RuleInfo]) -> String {
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
                code: r.code,
                name: r.name,
                family: r.family.as_str(),
                severity: r.severity,
                summary: r.summary,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
