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
use crate::model::apache::ApacheModel;
use crate::model::nginx::NginxModel;
use crate::model::{PasswdUse, UnreadableFile};
use crate::source::{FileId, Sources};
use crate::target::Profile;

/// A rule: its info and the check that emits its findings.
pub struct Rule {
    pub info: RuleInfo,
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
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

    /// A user file with entries (a group file or an empty one holds no hashes).
    pub fn holds_hashes(&self) -> bool {
        use crate::syntax::passwd::FileKind;
        matches!(
            self.parsed.kind(),
            FileKind::Basic | FileKind::Digest | FileKind::Mixed
        )
    }

    /// The first entry of the file (its first line if it has none), for findings about
    /// the file as a whole.
    pub fn first_entry(&self) -> crate::source::Span {
        let line = self.parsed.entries().next().map(|(_, l)| l);
        let range = line
            .or_else(|| self.parsed.lines().first())
            .map_or(0..0, |l| l.content());
        crate::source::Span::new(self.file, range.start, range.end)
    }

    /// The hash census of this file, whose bytes are `src`.
    pub fn hashes(&self, src: &[u8]) -> &passwd::census::HashCensus {
        self.hashes
            .get_or_init(|| passwd::census::HashCensus::build(self.parsed.lines(), src))
    }
}

/// Everything a rule may look at: the frozen result of loading (shared by every rule
/// running side by side).
pub struct Context<'a> {
    pub sources: &'a Sources,
    pub profile: &'a Profile,
    pub passwd: &'a [PasswdInput],
    /// Password files that configs name but that could not be read.
    pub unreadable: &'a [UnreadableFile],
    pub apache: &'a [ApacheModel],
    pub nginx: &'a [NginxModel],
}

/// The local files a configuration's directives name, by absolute path key. The
/// password files of the run that none of them names (a backup, a copy, a file the other
/// server uses) are still sent if a document root holds them: AP020 and NX015 ask
/// about those too.
#[derive(Default)]
pub struct NamedFiles(foldhash::HashSet<std::ffi::OsString>);

impl NamedFiles {
    pub fn insert(&mut self, local: &std::path::Path) {
        self.0
            .insert(crate::source::path_key(&absolute(local)).into_owned());
    }

    /// The files of the run that hold password hashes and that no directive named, each
    /// with its absolute local path.
    pub fn others<'c>(
        &'c self,
        ctx: &'c Context<'_>,
    ) -> impl Iterator<Item = (&'c PasswdInput, std::path::PathBuf)> + 'c {
        ctx.passwd
            .iter()
            .filter(|i| i.holds_hashes())
            .map(|i| (i, absolute(&ctx.sources.get(i.file).path)))
            .filter(|(_, local)| {
                !self
                    .0
                    .contains::<std::ffi::OsStr>(&crate::source::path_key(local))
            })
    }
}

/// `path` made absolute as the process sees it (unchanged when that fails).
fn absolute(path: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
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
                Family::Probe => "PB",
            };
            assert!(
                r.info.code.starts_with(prefix),
                "{} in family {:?}",
                r.info.code,
                r.info.family
            );
        }
    }
}
