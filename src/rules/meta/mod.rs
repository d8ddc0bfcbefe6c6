//! Meta rules: findings about htguard's own input handling — inline suppressions
//! and inputs that could not be read.

pub mod invalid_suppression;
pub mod suppression;
pub mod suppression_without_reason;
pub mod unreadable_file;
pub mod unused_suppression;

use super::{Context, Rule};
use crate::diag::Diagnostic;

/// Every rule of this family.
pub static RULES: &[&Rule] = &[
    &suppression_without_reason::RULE,
    &unused_suppression::RULE,
    &invalid_suppression::RULE,
    &unreadable_file::RULE,
];

/// The `check` of the suppression rules: their findings depend on every other rule's
/// (an unused suppression silences none of them), so the engine's suppression pass,
/// which runs after the rules, emits them.
fn emitted_by_engine(_: &Context<'_>, _: &mut Vec<Diagnostic>) {}

/// The rule code or name closest to `text`, for "did you mean" hints.
pub fn suggest(text: &str) -> Option<&'static str> {
    suggest_among(
        text,
        super::all()
            .into_iter()
            .flat_map(|r| [r.info.code, r.info.name]),
    )
}

/// The candidate closest to `text`, when close enough to be a typo of it.
pub fn suggest_among(
    text: &str,
    candidates: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    let text = text.to_ascii_lowercase();
    candidates
        .map(|candidate| {
            (
                edit_distance(&text, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_codes_and_names() {
        assert_eq!(suggest("HG01"), Some("HG001"));
        assert_eq!(suggest("unused-supression"), Some("unused-suppression"));
        assert_eq!(suggest("completely-different"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
