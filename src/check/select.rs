//! Which rules run and how severe their findings are: `--select`, `--ignore`,
//! `--severity`, `--fail-on`, and the same keys from `htguard.toml`.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{self, Family, Rule};

/// A rule selector as the user wrote it: a code (`PW001`), a name (`utf8-bom`),
/// a code prefix (`PW`, `PW0`), a family (`passwd`), or `ALL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    text: String,
    matcher: Matcher,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Matcher {
    All,
    Family(Family),
    Prefix(String),
    Exact(String),
}

const FAMILIES: &[(Family, &str, &str)] = &[
    (Family::Meta, "meta", "HG"),
    (Family::Passwd, "passwd", "PW"),
    (Family::Apache, "apache", "AP"),
    (Family::Nginx, "nginx", "NX"),
];

impl Selector {
    /// Parse a selector; an error names what was wrong and what would be accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let matcher = if t.eq_ignore_ascii_case("all") {
            Matcher::All
        } else if let Some((f, _, _)) = FAMILIES.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(t))
        {
            Matcher::Family(*f)
        } else if let Some(r) = rules::find(t) {
            Matcher::Exact(r.info.code.to_string())
        } else {
            let upper = t.to_ascii_uppercase();
            let family_prefix = FAMILIES.iter().any(|(_, _, p)| upper.starts_with(p));
            let any_rule = rules::all().iter().any(|r| r.info.code.starts_with(&upper));
            if upper.len() >= 2 && family_prefix && (any_rule || upper.len() == 2) {
                Matcher::Prefix(upper)
            } else {
                let hint = match rules::meta::suggest(t) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                return Err(format!(
                    "unknown rule `{t}`{hint}: expected a rule code or name (`htguard rules`), \
                     a code prefix such as `PW`, a family (meta, passwd, apache, nginx) or `ALL`"
                ));
            }
        };
        Ok(Selector {
            text: t.to_string(),
            matcher,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How specifically this selector names `code`; `None` if it does not match.
    /// Higher wins: an exact code beats a prefix, a longer prefix beats a shorter one.
    fn specificity(&self, code: &str) -> Option<usize> {
        match &self.matcher {
            Matcher::All => Some(0),
            Matcher::Family(f) => {
                let prefix = FAMILIES
                    .iter()
                    .find(|(g, _, _)| g == f)
                    .map(|(_, _, p)| *p)?;
                code.starts_with(prefix).then_some(1)
            }
            Matcher::Prefix(p) => code.starts_with(p.as_str()).then_some(1 + p.len()),
            Matcher::Exact(c) => (c == code).then_some(usize::MAX),
        }
    }
}

/// The resolved settings of one run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Rules to run; empty means `ALL`.
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    /// Severity overrides, applied from least to most specific.
    pub severity: Vec<(Selector, Severity)>,
    /// Findings at or above this fail the run.
    pub fail_on: Severity,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: Vec::new(),
            fail_on: Severity::Error,
        }
    }
}

impl Settings {
    /// Whether the rule with this code runs. The most specific selector decides;
    /// on a tie `ignore` wins.
    pub fn is_enabled(&self, code: &str) -> bool {
        let best = |v: &[Selector]| v.iter().filter_map(|s| s.specificity(code)).max();
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The rules that run.
    pub fn enabled_rules(&self, all: &[&'static Rule]) -> Vec<&'static Rule> {
        all.iter()
            .copied()
            .filter(|r| self.is_enabled(r.info.code))
            .collect()
    }

    /// The severity a finding of `code` gets, starting from `default`.
    pub fn severity_of(&self, code: &str, default: Severity) -> Severity {
        self.severity
            .iter()
            .filter_map(|(s, sev)| s.specificity(code).map(|spec| (spec, *sev)))
            .max_by_key(|(spec, _)| *spec)
            .map_or(default, |(_, sev)| sev)
    }

    /// Apply severity overrides to findings in place.
    pub fn apply_severity(&self, diags: &mut [Diagnostic]) {
        if self.severity.is_empty() {
            return;
        }
        for d in diags {
            d.severity = self.severity_of(d.code, d.severity);
        }
    }

    /// Whether a finding of this severity fails the run.
    pub fn fails(&self, severity: Severity) -> bool {
        severity >= self.fail_on
    }
}

/// Parse `CODE=level` (from `--severity`).
pub fn parse_severity_override(text: &str) -> Result<(Selector, Severity), String> {
    let (code, level) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected CODE=LEVEL, e.g. PW010=error"))?;
    let level = parse_level(level)?;
    Ok((Selector::parse(code)?, level))
}

/// Parse a severity name.
pub fn parse_level(text: &str) -> Result<Severity, String> {
    Severity::parse(text.trim()).ok_or_else(|| {
        format!(
            "unknown severity `{}`: expected error, warning or info",
            text.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(v: &[&str]) -> Vec<Selector> {
        v.iter().map(|s| Selector::parse(s).unwrap()).collect()
    }

    #[test]
    fn most_specific_selector_wins() {
        let s = Settings {
            select: sel(&["HG"]),
            ignore: sel(&["HG002"]),
            ..Settings::default()
        };
        assert!(s.is_enabled("HG001"));
        assert!(!s.is_enabled("HG002"));
        assert!(!s.is_enabled("PW001"));
        let s = Settings {
            select: sel(&["unused-suppression"]),
            ignore: sel(&["meta"]),
            ..Settings::default()
        };
        assert!(s.is_enabled("HG002"));
        assert!(!s.is_enabled("HG001"));
        let s = Settings {
            ignore: sel(&["ALL"]),
            ..Settings::default()
        };
        assert!(!s.is_enabled("HG001"));
    }

    #[test]
    fn severity_overrides_by_specificity() {
        let s = Settings {
            severity: vec![
                parse_severity_override("HG001=error").unwrap(),
                parse_severity_override("HG=info").unwrap(),
            ],
            ..Settings::default()
        };
        assert_eq!(s.severity_of("HG001", Severity::Warning), Severity::Error);
        assert_eq!(s.severity_of("HG002", Severity::Warning), Severity::Info);
        assert_eq!(s.severity_of("PW001", Severity::Warning), Severity::Warning);
    }

    #[test]
    fn unknown_selectors_are_errors() {
        let e = Selector::parse("HG01").unwrap_err();
        assert!(e.contains("did you mean `HG001`"), "{e}");
        assert!(Selector::parse("XX").is_err());
        assert!(
            Selector::parse("PW").is_ok(),
            "a family prefix is valid before its rules land"
        );
        assert!(parse_severity_override("HG001").is_err());
        assert!(parse_severity_override("HG001=fatal").is_err());
    }
}
