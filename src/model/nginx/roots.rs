//! Which servers serve a file from disk: every `root` and `alias` in effect, indexed by
//! the directory it names, so that "who serves /srv/www/.htpasswd?" costs a lookup per
//! directory above the file instead of a pass over every location of every server.

use super::{DocumentRoot, NginxModel, Setting};
use std::collections::HashMap;
use std::path::Path;

/// A `root` or `alias` in effect at one place of one server.
#[derive(Clone, Copy, Debug)]
pub struct RootPlace<'m> {
    pub server: usize,
    /// `None`: the server level.
    pub location: Option<usize>,
    pub root: &'m Setting<DocumentRoot>,
}

/// Document roots by the local directory they name.
#[derive(Debug, Default)]
pub struct RootIndex<'m> {
    by_directory: HashMap<&'m Path, Vec<RootPlace<'m>>>,
}

impl<'m> RootIndex<'m> {
    /// Every place of `m` with a root in effect. A `root` is indexed once per server and
    /// directive (every location inheriting it maps URIs the same way); an `alias` once
    /// per location, whose pattern decides the URI.
    pub fn new(m: &'m NginxModel) -> RootIndex<'m> {
        let mut by_directory: HashMap<&'m Path, Vec<RootPlace<'m>>> = HashMap::new();
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
                by_directory
                    .entry(root.value.local_path.as_path())
                    .or_default()
                    .push(RootPlace {
                        server,
                        location,
                        root,
                    });
            }
        }
        RootIndex { by_directory }
    }

    /// The places whose root directory holds `file` (or is `file`), by server, then
    /// the server level and locations in configuration order.
    pub fn containing(&self, file: &Path) -> Vec<RootPlace<'m>> {
        let mut found: Vec<RootPlace<'m>> = file
            .ancestors()
            .filter_map(|dir| self.by_directory.get(dir))
            .flatten()
            .copied()
            .collect();
        found.sort_by_key(|p| (p.server, p.location.map_or(0, |l| l + 1)));
        found
    }
}
