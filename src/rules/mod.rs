//! Rules: one file per rule, grouped in families. A rule is a function over the
//! model and the parsed files that emits diagnostics; it never formats output.
//!
//! Each rule file defines `pub static RULE: Rule` whose `info.doc` is the rule's
//! documentation (What it does / Why is this bad? / Example / Use instead /
//! References). `htguard explain` prints exactly that text; nothing is written twice.

pub mod apache;
pub mod meta;
pub mod nginx;
pub mod passwd;

use crate::diag::Diagnostic;
pub use crate::diag::{Family, RuleInfo};
use crate::model::PasswdUse;
use crate::model::apache::ApacheModel;
use crate::model::nginx::NginxModel;
use crate::source::{FileId, Sources};
use crate::target::Profile;

/// A rule: its info and the check that emits its findings.
pub struct Rule {
    pub info: RuleInfo,
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

/// Server rules that look up the password files an area names (`passwd_at`).
const OTHERS_READING_PASSWD: [&str; 2] = ["AP010", "AP011"];

impl Rule {
    /// Whether the rule reads `Context::passwd`. The engine runs the others while it
    /// is still reading password files, with an empty `passwd`.
    pub fn reads_passwd(&self) -> bool {
        self.info.family == Family::Passwd || OTHERS_READING_PASSWD.contains(&self.info.code)
    }
}

/// A password file the run looks at, with what is known of how servers use it.
#[derive(Debug)]
pub struct PasswdInput {
    pub file: FileId,
    pub parsed: crate::syntax::passwd::PasswdFile,
    /// References from server configs. Empty when the file was checked on its own.
    pub uses: Vec<PasswdUse>,
    /// Each entry's hash identified once, for the hash rules (built on first use;
    /// `check` builds it beside the parse).
    hashes: std::sync::OnceLock<passwd::census::HashCensus>,
}

impl PasswdInput {
    pub fn new(
        file: FileId,
        parsed: crate::syntax::passwd::PasswdFile,
        uses: Vec<PasswdUse>,
    ) -> Self {
        PasswdInput {
            file,
            parsed,
            uses,
            hashes: std::sync::OnceLock::new(),
        }
    }

    /// The hash census of this file, whose bytes are `src`.
    pub fn hashes(&self, src: &[u8]) -> &passwd::census::HashCensus {
        self.hashes
            .get_or_init(|| passwd::census::HashCensus::build(self.parsed.lines(), src))
    }
}

/// Everything a rule may look at.
pub struct Context<'a> {
    pub sources: &'a Sources,
    pub profile: &'a Profile,
    pub passwd: &'a [PasswdInput],
    pub apache: &'a [ApacheModel],
    pub nginx: &'a [NginxModel],
}

/// Every rule, in code order.
pub fn all() -> Vec<&'static Rule> {
    let mut v: Vec<&'static Rule> = Vec::new();
    v.extend_from_slice(meta::RULES);
    v.extend_from_slice(passwd::RULES);
    v.extend_from_slice(apache::RULES);
    v.extend_from_slice(nginx::RULES);
    v.sort_by_key(|r| r.info.code);
    v
}

/// The metadata of every rule, in code order (what reports and `htguard rules` list).
pub fn all_info() -> Vec<&'static RuleInfo> {
    all().into_iter().map(|r| &r.info).collect()
}

/// Look a rule up by code (`PW001`) or name (`utf8-bom`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    all().into_iter().find(|r| {
        r.info.code.eq_ignore_ascii_case(code_or_name)
            || r.info.name.eq_ignore_ascii_case(code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let rules = all();
        let mut codes: Vec<_> = rules.iter().map(|r| r.info.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), rules.len(), "duplicate rule code");
        let mut names: Vec<_> = rules.iter().map(|r| r.info.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), rules.len(), "duplicate rule name");
        for r in rules {
            // `explain` prints its own title line; the doc starts with its first section.
            assert!(
                r.info.doc.starts_with("## What it does"),
                "{} doc must start with `## What it does`",
                r.info.code
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(
                    r.info.doc.contains(heading),
                    "{} doc lacks {heading}",
                    r.info.code
                );
            }
            let prefix = match r.info.family {
                Family::Meta => "HG",
                Family::Passwd => "PW",
                Family::Apache => "AP",
                Family::Nginx => "NX",
            };
            assert!(
                r.info.code.starts_with(prefix),
                "{} in family {:?}",
                r.info.code,
                r.info.family
            );
        }
    }

    /// The engine runs rules that do not say they read password files before it has
    /// read them: a rule that looks at `ctx.passwd` must say so (`reads_passwd`).
    #[test]
    fn rules_that_read_password_files_say_so() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let by_code: std::collections::HashMap<_, _> =
            all().into_iter().map(|r| (r.info.code, r)).collect();
        let mut seen_rules = 0;
        for family in ["apache", "nginx", "meta"] {
            for entry in std::fs::read_dir(root.join(family)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let Some(at) = text.find("code: \"") else {
                    // A helper file: only `passwd_at` may read the password files, so
                    // that finding its callers finds every rule that reads them.
                    for f in text.split("\npub fn ").skip(1) {
                        if f.contains("ctx.passwd") {
                            assert!(
                                f.starts_with("passwd_at"),
                                "{}: {}",
                                path.display(),
                                f.lines().next().unwrap_or_default()
                            );
                        }
                    }
                    continue;
                };
                let code = text[at + 7..].split('"').next().unwrap();
                let rule = by_code[code];
                seen_rules += 1;
                let reads = text.contains("ctx.passwd") || text.contains("passwd_at(ctx");
                assert_eq!(rule.reads_passwd(), reads, "{code} ({})", path.display());
            }
        }
        assert!(seen_rules > 20, "found only {seen_rules} rule files");
    }
}
