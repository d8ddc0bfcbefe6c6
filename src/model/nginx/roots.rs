//! Which servers serve a file from disk: every `root` and `alias` in effect, indexed by
//! the directory it names, so that "who serves /srv/www/.htpasswd?" costs a lookup per
//! directory above the file instead of a pass over every location of every server.

use super::{DocumentRoot, NginxModel, Setting};
use crate::source::{key_ancestors, path_key};
use foldhash::HashMap;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::Path;

/// A `root` or `alias` in effect at one place of one server.
#[derive(Clone, Copy, Debug)]
pub struct RootPlace<'m> {
    pub server: usize,
    /// `None`: the server level.
    pub location: Option<usize>,
    pub root: &'m Setting<DocumentRoot>,
}

/// Document roots by the local directory they name ([`path_key`]: a file's directories
/// are looked up by byte prefix, 10,000 files times their depth).
#[derive(Debug, Default)]
pub struct RootIndex<'m> {
    by_directory: HashMap<Cow<'m, OsStr>, Vec<RootPlace<'m>>>,
    /// Aliases whose location has no trailing slash while the alias has one, by the
    /// alias's parent directory (which `/static../` reaches).
    by_alias_parent: HashMap<Cow<'m, OsStr>, Vec<RootPlace<'m>>>,
}

impl<'m> RootIndex<'m> {
    /// Every place of `m` with a root in effect. A `root` is indexed once per server and
    /// directive (every location inheriting it maps URIs the same way); an `alias` once
    /// per location, whose pattern decides the URI.
    pub fn new(m: &'m NginxModel) -> RootIndex<'m> {
        let mut by_directory: HashMap<Cow<'m, OsStr>, Vec<RootPlace<'m>>> = HashMap::default();
        let mut by_alias_parent: HashMap<Cow<'m, OsStr>, Vec<RootPlace<'m>>> = HashMap::default();
        for (server, s) in m.servers.iter().enumerate() {
            let mut seen_roots = std::collections::HashSet::new();
            let levels = std::iter::once((None, &s.settings)).chain(
                s.locations
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (Some(i), &l.settings)),
            );
            for (location, settings) in levels {
                let Some(root) = settings.root.as_deref() else {
                    continue;
                };
                if !root.value.alias && !seen_roots.insert(root.directive) {
                    continue;
                }
                let place = RootPlace {
                    server,
                    location,
                    root,
                };
                if let Some(parent) = traversable_parent(m, &place) {
                    by_alias_parent
                        .entry(path_key(parent))
                        .or_default()
                        .push(place);
                }
                by_directory
                    .entry(path_key(&root.value.local_path))
                    .or_default()
                    .push(RootPlace {
                        server,
                        location,
                        root,
                    });
            }
        }
        RootIndex {
            by_directory,
            by_alias_parent,
        }
    }

    /// The aliases whose parent directory holds `file`, reachable through `..`.
    pub fn alias_parents_containing(&self, file: &Path) -> Vec<RootPlace<'m>> {
        let key = path_key(file);
        let mut found: Vec<RootPlace<'m>> = key_ancestors(&key)
            .filter_map(|dir| self.by_alias_parent.get(dir))
            .flatten()
            .copied()
            .collect();
        found.sort_by_key(|p| (p.server, p.location.map_or(0, |l| l + 1)));
        found
    }

    /// The places whose root directory holds `file` (or is `file`), by server, then
    /// the server level and locations in configuration order.
    pub fn containing(&self, file: &Path) -> Vec<RootPlace<'m>> {
        let key = path_key(file);
        let mut found: Vec<RootPlace<'m>> = key_ancestors(&key)
            .filter_map(|dir| self.by_directory.get(dir))
            .flatten()
            .copied()
            .collect();
        found.sort_by_key(|p| (p.server, p.location.map_or(0, |l| l + 1)));
        found
    }
}

/// The directory `/static../` reaches: the parent of an alias that ends in `/`, written
/// in the prefix location that declares it, whose pattern does not end in `/`.
fn traversable_parent<'m>(m: &'m NginxModel, place: &RootPlace<'m>) -> Option<&'m Path> {
    let root = &place.root.value;
    let l = &m.servers[place.server].locations[place.location?];
    let declares = l.block_span.file == place.root.directive.file
        && l.block_span.start <= place.root.directive.start
        && place.root.directive.end <= l.block_span.end;
    (root.alias
        && declares
        && l.is_prefix()
        && !l.pattern.ends_with('/')
        && root.raw.ends_with('/'))
    .then(|| root.local_path.parent())
    .flatten()
}
