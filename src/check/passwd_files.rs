//! Loading the password files of a check: every file a server config names (once, however
//! many directives name it) and every password file given on its own. A file that cannot
//! be read is a problem kept as data for the HG004 rule; a missing one is the server rules'
//! finding (they know what the server answers).

use super::discover::{Candidate, Unread};
use super::kind::{self, InputKind};
use super::{CheckError, Overlay, canonical};
use crate::model::{FoundUnreadable, PasswdRole, PasswdUse, UnreadableFile};
use crate::rules::PasswdInput;
use crate::source::{Content, FileId, Sources, read_file};
use crate::syntax::passwd::{self, KindHint};
use foldhash::HashMap;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The password files of a run, parsed, and those that could not be read.
pub struct Loaded {
    pub inputs: Vec<PasswdInput>,
    pub unreadable: Vec<UnreadableFile>,
}

impl Loaded {
    /// Add the files discovery could not read (found in a directory or named on the
    /// command line), each as an empty source for findings to point at: unless a
    /// directive names the same file, which the finding then points at instead.
    pub fn add_unread(&mut self, unread: &[Unread], sources: &mut Sources) {
        for u in unread {
            let key = canonical(&u.path);
            if self.unreadable.iter().any(|f| canonical(&f.path) == key) {
                continue;
            }
            self.unreadable.push(UnreadableFile {
                path: u.path.clone(),
                directives: Vec::new(),
                error: u.error,
                message: u.message.clone(),
                found: Some(FoundUnreadable {
                    file: sources.add(u.path.clone(), Vec::new()),
                    kind: u.kind.map(InputKind::name),
                    explicit: u.explicit,
                    why: u.why.clone(),
                }),
            });
        }
    }
}

/// One password file and everything that names it.
struct PasswdGroup {
    path: PathBuf,
    /// Named on the command line.
    explicit: bool,
    uses: Vec<PasswdUse>,
    /// What the file's name or `--kind` says it is.
    named: KindHint,
}

impl PasswdGroup {
    /// The directives that use the file decide; if they disagree, content does.
    fn hint(&self) -> KindHint {
        let mut roles = self.uses.iter().map(|u| u.role);
        let Some(first) = roles.next() else {
            return self.named;
        };
        if roles.any(|r| r != first) {
            return KindHint::Auto;
        }
        match first {
            PasswdRole::Basic => KindHint::Basic,
            PasswdRole::Digest => KindHint::Digest,
            PasswdRole::Group => KindHint::Group,
        }
    }
}

/// What a standalone password file is for, when its name or `--kind` says so. Content
/// alone cannot tell `alice: bob` (a group) from a password with a stray space.
fn passwd_hint(c: &Candidate, forced: Option<InputKind>) -> KindHint {
    match forced.or_else(|| kind::by_name(&c.path)) {
        Some(InputKind::Htpasswd) => KindHint::Basic,
        Some(InputKind::Htdigest) => KindHint::Digest,
        Some(InputKind::Htgroup) => KindHint::Group,
        _ => KindHint::Auto,
    }
}

/// Load each password file once: those `uses` name and the standalone `candidates`.
pub fn load(
    uses: Vec<PasswdUse>,
    candidates: &[Candidate],
    forced: Option<InputKind>,
    overlay: &Overlay,
    sources: &mut Sources,
) -> Result<Loaded, CheckError> {
    let standalone: Vec<&Candidate> = candidates.iter().filter(|c| c.kind.is_passwd()).collect();
    let groups = group_by_file(uses, &standalone, forced);
    // Read side by side, then number in group order.
    let fetched: Vec<Fetched> = groups
        .par_iter()
        .map(|g| read_passwd(g, overlay, sources))
        .collect();
    let mut loaded = Vec::with_capacity(groups.len());
    let mut unreadable = Vec::new();
    for (g, f) in groups.into_iter().zip(fetched) {
        let id = match f {
            Fetched::Known(id) => id,
            Fetched::Read(bytes) => sources.add(g.path.clone(), bytes),
            Fetched::Absent => continue,
            Fetched::Failed(e) if g.explicit => return Err(CheckError::io(&g.path, e)),
            Fetched::Failed(e) => {
                unreadable.push(UnreadableFile {
                    directives: g.uses.iter().map(|u| u.directive).collect(),
                    path: g.path,
                    error: e.kind(),
                    message: e.to_string(),
                    found: None,
                });
                continue;
            }
        };
        loaded.push((id, g.hint(), g.uses));
    }
    let sources = &*sources;
    let inputs = loaded
        .into_par_iter()
        .map(|(file, hint, uses)| {
            let bytes = &sources.get(file).bytes;
            let input = PasswdInput::new(file, passwd::parse_with(bytes, hint), uses);
            // Identify every hash now, side by side, rather than in the first hash rule.
            input.hashes(bytes);
            input
        })
        .collect();
    Ok(Loaded { inputs, unreadable })
}

/// The files to read, one group per canonical path (a path that does not resolve keeps
/// its spelling: `/a//b` and `/a/b` are one file), in the order first named.
fn group_by_file(
    uses: Vec<PasswdUse>,
    standalone: &[&Candidate],
    forced: Option<InputKind>,
) -> Vec<PasswdGroup> {
    let spellings: Vec<&Path> = uses
        .iter()
        .map(|u| u.local_path.as_path())
        .chain(standalone.iter().map(|c| c.path.as_path()))
        .collect();
    let canon = canonical_paths(&spellings);
    let mut groups: Vec<PasswdGroup> = Vec::new();
    let mut index: HashMap<std::ffi::OsString, usize> = HashMap::default();
    let mut group_for = |path: &Path| -> usize {
        let key = crate::model::path_key(&canon[path.as_os_str()]);
        if let Some(&i) = index.get::<std::ffi::OsStr>(&key) {
            return i;
        }
        groups.push(PasswdGroup {
            path: path.to_path_buf(),
            explicit: false,
            uses: Vec::new(),
            named: KindHint::Auto,
        });
        index.insert(key.into_owned(), groups.len() - 1);
        groups.len() - 1
    };
    let use_groups: Vec<usize> = uses.iter().map(|u| group_for(&u.local_path)).collect();
    let standalone_groups: Vec<usize> = standalone.iter().map(|c| group_for(&c.path)).collect();
    for (u, i) in uses.into_iter().zip(use_groups) {
        groups[i].uses.push(u);
    }
    for (c, i) in standalone.iter().zip(standalone_groups) {
        groups[i].explicit |= c.explicit;
        groups[i].named = passwd_hint(c, forced);
    }
    groups
}

/// The canonical path of each distinct spelling (thousands of directives name the same
/// few files: each is resolved once).
fn canonical_paths<'p>(spellings: &[&'p Path]) -> HashMap<&'p std::ffi::OsStr, PathBuf> {
    // Sorted as bytes: a `Path` compares component by component, which made sorting the
    // 10,000 spellings of the Apache bench tree most of this stage.
    let by_bytes = |a: &&Path, b: &&Path| a.as_os_str().cmp(b.as_os_str());
    let mut distinct: Vec<&Path> = spellings.to_vec();
    distinct.sort_unstable_by(by_bytes);
    distinct.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    // Many files share a few directories: each directory is resolved once, and a file
    // that is not itself a link is its directory's canonical path plus its name (10,000
    // files: 10,000 readlink calls instead of 50,000).
    let mut parents: Vec<&Path> = distinct.iter().filter_map(|p| p.parent()).collect();
    parents.sort_unstable_by(by_bytes);
    parents.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    let parents: HashMap<&Path, Option<PathBuf>> = parents
        .par_iter()
        .map(|d| (*d, std::fs::canonicalize(d).ok()))
        .collect();
    distinct
        .par_iter()
        .map(|p| {
            let in_parent = || {
                let dir = parents.get(p.parent()?)?.as_ref()?;
                let name = p.file_name()?;
                let meta = std::fs::symlink_metadata(p).ok()?;
                (!meta.file_type().is_symlink()).then(|| dir.join(name))
            };
            (p.as_os_str(), in_parent().unwrap_or_else(|| canonical(p)))
        })
        .collect()
}

/// A password file's contents, or why there are none.
enum Fetched {
    /// Already read (as a config file or a starting point).
    Known(FileId),
    Read(Content),
    /// Missing or not a regular file: the server rules' finding.
    Absent,
    Failed(std::io::Error),
}

/// Read one password file (or take it from `overlay`, for a `--diff` preview).
fn read_passwd(g: &PasswdGroup, overlay: &Overlay, sources: &Sources) -> Fetched {
    if let Some(id) = sources.find(&g.path) {
        return Fetched::Known(id);
    }
    if !overlay.is_empty()
        && let Some(bytes) = overlay.get(&canonical(&g.path))
    {
        return Fetched::Read(bytes.clone().into());
    }
    let referenced = !g.uses.is_empty();
    let read = if referenced && !g.explicit {
        match std::fs::metadata(&g.path) {
            Ok(m) if m.is_file() => read_file(&g.path, Some(m.len())),
            _ => return Fetched::Absent,
        }
    } else {
        read_file(&g.path, None)
    };
    match read {
        Ok(bytes) => Fetched::Read(bytes),
        Err(e) => Fetched::Failed(e),
    }
}
