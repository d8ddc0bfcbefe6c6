//! Inline suppressions (`# htguard: ignore[CODE] reason`): read them once per file,
//! report the broken ones (HG001 no reason, HG003 malformed or unknown code), silence
//! the findings they name, and report the codes that silenced nothing (HG002).

use super::Settings;
use crate::diag::Diagnostic;
use crate::rules::Rule;
use crate::rules::meta::{
    invalid_suppression, suppression, suppression_without_reason, unused_suppression,
};
use crate::source::{FileId, Sources};
use std::collections::HashMap;

/// One code of one suppression comment, waiting to meet a finding.
struct Pending {
    rule_code: &'static str,
    written: suppression::SuppressedCode,
    target_line: usize,
    used: bool,
}

/// Add HG001/HG003 for broken suppressions, drop suppressed findings from `diags`, add
/// HG002 for unused codes (each only when enabled). Returns how many were suppressed.
pub fn apply(
    sources: &Sources,
    diags: &mut Vec<Diagnostic>,
    settings: &Settings,
    all_rules: &[&'static Rule],
) -> usize {
    // (file, target line) → the codes that silence findings there, each with a "used" flag.
    let mut by_line: HashMap<(FileId, usize), Vec<Pending>> = HashMap::new();
    let mut found = Vec::new();
    for (id, file) in sources.iter() {
        let scanned = suppression::scan(id, file);
        found.extend(scanned.malformed.iter().map(invalid_suppression::malformed));
        for s in scanned.suppressions {
            if s.reason.is_none() {
                found.push(suppression_without_reason::diagnostic(&s));
            }
            for code in s.codes {
                let Some(rule) = all_rules.iter().find(|r| {
                    r.info.code.eq_ignore_ascii_case(&code.text)
                        || r.info.name.eq_ignore_ascii_case(&code.text)
                }) else {
                    // Unknown codes are HG003, never "unused".
                    found.push(invalid_suppression::unknown_code(&code));
                    continue;
                };
                by_line
                    .entry((id, s.target_line))
                    .or_default()
                    .push(Pending {
                        rule_code: rule.info.code,
                        written: code,
                        target_line: s.target_line,
                        used: false,
                    });
            }
        }
    }
    found.retain(|d| settings.is_enabled(d.code));
    settings.apply_severity(&mut found);
    diags.extend(found);
    if by_line.is_empty() {
        return 0;
    }
    let before = diags.len();
    diags.retain(|d| {
        let file = d.primary.span.file;
        let (line, _) = sources.get(file).line_col(d.primary.span.start);
        let Some(codes) = by_line.get_mut(&(file, line)) else {
            return true;
        };
        let mut hit = false;
        for p in codes.iter_mut() {
            if p.rule_code == d.code {
                p.used = true;
                hit = true;
            }
        }
        !hit
    });
    let suppressed = before - diags.len();
    if settings.is_enabled(unused_suppression::RULE.info.code) {
        let mut unused: Vec<_> = by_line
            .values()
            .flatten()
            .filter(|p| !p.used && settings.is_enabled(p.rule_code))
            .map(|p| unused_suppression::diagnostic(&p.written, p.target_line))
            .collect();
        settings.apply_severity(&mut unused);
        diags.extend(unused);
    }
    suppressed
}
