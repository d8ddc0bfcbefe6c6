//! Which password files nginx opens, and where: found once while the model is built
//! (several rules and the password-file loading ask).

use super::{NginxModel, Protection, Realm, ScopeRef, Settings, UserFile, VirtualServer};
use crate::diag::Server as ServerKind;
use crate::model::{PasswdRole, PasswdUse};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;
use std::path::Path;

/// One `auth_basic_user_file` directive and every scope where nginx opens the file
/// (a realm other than `off` is in effect there too), as (server index, scope).
#[derive(Clone, Debug)]
pub struct UserFileRef {
    pub directive: Span,
    pub places: Vec<(usize, ScopeRef)>,
}

/// Every scope of `servers` with its settings, by index, in configuration order.
pub fn scope_refs(servers: &[VirtualServer]) -> impl Iterator<Item = (usize, ScopeRef, &Settings)> {
    servers.iter().enumerate().flat_map(|(si, s)| {
        std::iter::once((si, ScopeRef::Server, &s.settings)).chain(
            s.locations.iter().enumerate().flat_map(move |(i, l)| {
                std::iter::once((si, ScopeRef::Location(i), &l.settings)).chain(
                    l.limit_except
                        .iter()
                        .map(move |le| (si, ScopeRef::LimitExcept(i), &le.settings)),
                )
            }),
        )
    })
}

/// Every user-file directive nginx actually opens, in configuration order, with the
/// scopes where it does.
pub fn user_file_refs(servers: &[VirtualServer]) -> Vec<UserFileRef> {
    let mut out: Vec<UserFileRef> = Vec::new();
    let mut index: HashMap<Span, usize> = HashMap::new();
    let mut last: Option<(Span, usize)> = None;
    for (si, scope, settings) in scope_refs(servers) {
        let Some(file) = &settings.user_file else {
            continue;
        };
        if settings.protection() == Protection::Open {
            continue;
        }
        // A location's nested scopes usually inherit the directive just seen.
        let i = match last {
            Some((directive, i)) if directive == file.directive => i,
            _ => *index.entry(file.directive).or_insert_with(|| {
                out.push(UserFileRef {
                    directive: file.directive,
                    places: Vec::new(),
                });
                out.len() - 1
            }),
        };
        last = Some((file.directive, i));
        out[i].places.push((si, scope));
    }
    out
}

/// The file a user-file directive names (at its first place).
fn named_file<'s>(servers: &'s [VirtualServer], r: &UserFileRef) -> Option<&'s UserFile> {
    let &(si, scope) = r.places.first()?;
    let file = scope.settings(&servers[si]).user_file.as_ref()?;
    Some(&file.value)
}

/// The stat of each group's file (see [`NginxModel::user_files_on_disk`]), side by side:
/// a tree naming 10,000 files stats each once, not once in every rule that asks.
pub fn on_disk(
    servers: &[VirtualServer],
    refs: &[UserFileRef],
    groups: &[Vec<usize>],
) -> Vec<Option<std::fs::Metadata>> {
    groups
        .par_iter()
        .map(|g| {
            let file = named_file(servers, &refs[*g.first()?])?;
            std::fs::metadata(&file.local_path).ok()
        })
        .collect()
}

/// `refs` (by index) grouped by the local file they name, paths with variables left
/// out; groups and members in configuration order.
pub fn group_by_path(servers: &[VirtualServer], refs: &[UserFileRef]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<&Path, usize> = HashMap::new();
    let mut last: Option<(&Path, usize)> = None;
    for (i, r) in refs.iter().enumerate() {
        let Some(f) = named_file(servers, r) else {
            continue;
        };
        if f.has_variable {
            continue;
        }
        let path = f.local_path.as_path();
        // Neighbouring directives usually name the same file: skip hashing it again.
        let g = match last {
            Some((p, g)) if p == path => g,
            _ => *index.entry(path).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            }),
        };
        last = Some((path, g));
        groups[g].push(i);
    }
    groups
}

impl NginxModel {
    /// The password files this configuration makes nginx read (paths without
    /// variables): one use per distinct (file, realm in effect), pointing at the first
    /// `auth_basic_user_file` that names the file under that realm. A generated tree
    /// naming one file in 10,000 locations yields a handful of uses, not 10,000.
    pub fn passwd_uses(&self) -> Vec<PasswdUse> {
        let mut out: Vec<PasswdUse> = Vec::new();
        let mut seen: HashSet<(&Path, Option<&str>)> = HashSet::new();
        // Neighbouring locations usually name the same file: skip hashing the path again.
        let mut last: Option<(&Path, Option<&str>)> = None;
        let levels = std::iter::once(&self.http).chain(scope_refs(&self.servers).map(|s| s.2));
        for settings in levels {
            let Some(uf) = &settings.user_file else {
                continue;
            };
            if uf.value.has_variable {
                continue;
            }
            let realm = match settings.auth_basic.as_ref().map(|r| &r.value) {
                Some(Realm::Text(t)) => Some(t.as_str()),
                _ => None,
            };
            let key = (uf.value.local_path.as_path(), realm);
            if last == Some(key) {
                continue;
            }
            last = Some(key);
            if !seen.insert(key) {
                continue;
            }
            out.push(PasswdUse {
                server: ServerKind::Nginx,
                role: PasswdRole::Basic,
                server_path: uf.value.server_path.clone(),
                local_path: uf.value.local_path.clone(),
                directive: uf.directive,
                realm: realm.map(str::to_string),
                user_file: None,
            });
        }
        out
    }
}
