//! Apply inline suppressions (`# htguard: ignore[CODE] reason`) to findings and
//! report the codes that silenced nothing (HG002).

use super::Settings;
use crate::diag::Diagnostic;
use crate::rules::Rule;
use crate::rules::meta::{suppression, unused_suppression};
use crate::source::{FileId, Sources};
use std::collections::HashMap;

/// Drop suppressed findings from `diags`, add HG002 for unused codes (when enabled).
/// Returns how many findings were suppressed.
pub fn apply(
    sources: &Sources,
    diags: &mut Vec<Diagnostic>,
    settings: &Settings,
    all_rules: &[&'static Rule],
) -> usize {
    // (file, target line) → the codes that silence findings there, each with a "used" flag.
    let mut by_line: HashMap<
        (FileId, usize),
        Vec<(String, suppression::SuppressedCode, usize, bool)>,
    > = HashMap::new();
    for (id, file) in sources.iter() {
        for s in suppression::scan(id, file).suppressions {
            for code in s.codes {
                // Unknown codes are HG003's business, never "unused".
                let Some(rule) = all_rules.iter().find(|r| {
                    r.info.code.eq_ignore_ascii_case(&code.text)
                        || r.info.name.eq_ignore_ascii_case(&code.text)
                }) else {
                    continue;
                };
                by_line.entry((id, s.target_line)).or_default().push((
                    rule.info.code.to_string(),
                    code,
                    s.target_line,
                    false,
                ));
            }
        }
    }
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
        for (code, _, _, used) in codes.iter_mut() {
            if code == d.code {
                *used = true;
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
            .filter(|(code, _, _, used)| !used && settings.is_enabled(code))
            .map(|(_, c, target, _)| unused_suppression::diagnostic(c, *target))
            .collect();
        settings.apply_severity(&mut unused);
        diags.extend(unused);
    }
    suppressed
}
