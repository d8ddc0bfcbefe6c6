//! Everything `htguard rules` lists and `htguard explain` documents: the rules `check`
//! runs, and the probe's diagnoses (which `check` never runs, so `--select` knows only
//! the rules).

use crate::diag::RuleInfo;

/// Rules, then probe diagnoses, in code order.
pub fn all_info() -> Vec<&'static RuleInfo> {
    let mut v = crate::rules::all_info();
    v.extend(crate::probe::diagnoses::all_info());
    v.sort_by_key(|i| i.code);
    v
}

/// Look a rule or diagnosis up by code or name, case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    all_info().into_iter().find(|i| {
        i.code.eq_ignore_ascii_case(code_or_name) || i.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The code or name closest to `text`, for "did you mean" hints.
pub fn suggest(text: &str) -> Option<&'static str> {
    crate::rules::meta::suggest_among(text, all_info().into_iter().flat_map(|i| [i.code, i.name]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rules_and_diagnoses_have_distinct_codes_and_names() {
        let all = super::all_info();
        let mut keys: Vec<String> = all
            .iter()
            .flat_map(|i| [i.code.to_string(), i.name.to_string()])
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "a code or name is used twice");
        assert_eq!(
            super::find("pb001").map(|i| i.name),
            Some("credentials-rejected")
        );
        assert_eq!(super::find("open").map(|i| i.code), Some("PB010"));
        assert_eq!(super::suggest("PB01"), Some("PB001"));
    }
}
