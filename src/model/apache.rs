//! The Apache httpd 2.4 model: what the server will do with a configuration tree.
//!
//! Loading: `load` reads the tree as httpd does ([`loader`]: includes, `${VAR}`,
//! `<IfModule>`…), splits it into servers and per-directory scopes ([`build`]), finds the
//! `.htaccess` files httpd may read ([`htaccess`]) and builds the protected areas
//! ([`areas`]).
//!
//! What httpd does with a request, phase by phase, each its own module:
//! - [`sections`]: which `<Directory>`, `<Files>`, `<Location>` sections and `.htaccess`
//!   files apply to a path (directory_walk, file_walk, location_walk);
//! - [`overrides`]: what httpd does with a `.htaccess` under the `AllowOverride` in effect;
//! - [`merge`]: the per-directory configuration merged in httpd's order at a place;
//! - [`access_compat`] (Order/Allow/Deny) and [`authz`] (the `Require` tree);
//! - [`outcome`]: the answer to an anonymous request (open, 401, 403 or 500).

pub mod access;
pub mod access_compat;
pub mod areas;
pub mod authz;
pub mod build;
pub mod config;
pub mod directives;
pub mod htaccess;
pub mod loader;
pub mod merge;
pub mod outcome;
pub mod overrides;
pub mod request;
pub mod sections;
pub mod stock;
pub mod stores;
pub mod walk;

use crate::model::{LoadOptions, PasswdRole, PasswdUse};
use crate::source::{FileId, Sources, Span};
use crate::target::Server;
pub use areas::{Area, Place};
pub use authz::{RequireNode, RequireTree, needs_user, needs_user_any_case};
pub use config::*;
pub use directives::{TAKE1, arity_error, directive_module};
pub use loader::{Arg, Dir, Item, Module};
pub use merge::MergedConfig;
pub use outcome::{OpenWhy, Outcome};
pub use overrides::HtaccessVerdict;
use std::path::{Path, PathBuf};

/// Everything htguard predicts about one Apache configuration tree.
#[derive(Debug, Default)]
pub struct ApacheModel {
    pub start: ApacheStart,
    /// The file the check started from (local path).
    pub entry: PathBuf,
    /// ServerRoot (server path) that relative paths resolve against.
    pub server_root: PathBuf,
    pub server_root_span: Option<Span>,
    pub modules: Vec<Module>,
    /// Names defined with `<AuthnProviderAlias provider name>`.
    pub provider_aliases: Vec<String>,
    /// Worker user and group, with the directive that set them.
    pub user: (String, Option<Span>),
    pub group: (String, Option<Span>),
    pub access_file_name: String,
    /// `[0]` is the main server.
    pub servers: Vec<VServer>,
    pub scopes: Vec<Scope>,
    pub areas: Vec<Area>,
    pub problems: Vec<Problem>,
    pub assumptions: Vec<Assumption>,
    pub opts: LoadOptions,
    /// Config files read (server path, id).
    pub files: Vec<(PathBuf, FileId)>,
    /// The `Include`/`IncludeOptional` that read each included config file.
    pub included_by: foldhash::HashMap<FileId, Span>,
    /// For each `.htaccess` scope (by scope index): what httpd does with it.
    pub htaccess_verdicts: Vec<Option<overrides::HtaccessVerdict>>,
    /// uid and gids of the worker user (from /etc/passwd and /etc/group under `--root`);
    /// None when the user is unknown there.
    pub worker: Option<access::Identity>,
    /// `<IfModule>` blocks with auth directives that httpd skips (module not loaded).
    pub skipped_auth: Vec<(Span, String)>,
    pub index: sections::ScopeIndex,
    /// The directives that make Apache read a password file, each (with its role) once,
    /// in area order: (the first area it is in effect for, the directive, its role).
    pub passwd_directives: Vec<(usize, DirectiveRef, PasswdRole)>,
}

/// Parse the configuration starting at `path` and build the model. Problems found while
/// reading (syntax errors, missing includes) are kept in the model; the AP rules report them.
pub fn load(
    path: &Path,
    start: ApacheStart,
    opts: &LoadOptions,
    sources: &mut Sources,
) -> ApacheModel {
    load_with(path, start, opts, sources, None)
}

/// [`load`] for questions about a few requests (`htguard why`): only the `.htaccess`
/// files of `htaccess_dirs` (server paths) are read, and the protected areas the rules
/// read are not built. The evaluator asks for the directories a request walks.
pub fn load_for_requests(
    path: &Path,
    start: ApacheStart,
    opts: &LoadOptions,
    sources: &mut Sources,
    htaccess_dirs: &[PathBuf],
) -> ApacheModel {
    load_with(path, start, opts, sources, Some(htaccess_dirs))
}

/// `htaccess_dirs`: None reads every `.htaccess` and builds the areas (check).
fn load_with(
    path: &Path,
    start: ApacheStart,
    opts: &LoadOptions,
    sources: &mut Sources,
    htaccess_dirs: Option<&[PathBuf]>,
) -> ApacheModel {
    let server_path = server_path_of(path, opts);
    let default_root = match start {
        ApacheStart::MainConfig => server_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/")),
        _ => PathBuf::from(stock::SERVER_ROOT),
    };
    // `--server-root .` names a directory here, like the absolute path would.
    let root = match &opts.server_root {
        Some(r) if r.is_relative() => server_path_of(r, opts).components().collect(),
        Some(r) => r.clone(),
        None => default_root,
    };
    let mut ld = loader::Loader::new(opts, sources, root);
    let mut assumptions = Vec::new();
    let items = match start {
        ApacheStart::MainConfig => ld.load_file(&server_path, None),
        ApacheStart::Snippet | ApacheStart::Htaccess => {
            stock_context(&mut ld, start, &server_path, &mut assumptions)
        }
    };
    let mut model = ApacheModel {
        start,
        entry: path.to_path_buf(),
        opts: opts.clone(),
        ..Default::default()
    };
    build::build(&mut model, &mut ld, items);
    match (start, htaccess_dirs) {
        (ApacheStart::Htaccess, _) => {
            htaccess::attach_lone_htaccess(&mut model, &mut ld, &server_path, &mut assumptions)
        }
        (_, Some(dirs)) => htaccess::read_htaccess_in(&mut model, &mut ld, dirs),
        (_, None) => htaccess::discover_htaccess(&mut model, &mut ld),
    }
    model.server_root = ld.server_root.clone();
    model.server_root_span = ld.server_root_span;
    model.modules = ld.modules.clone();
    model.problems = std::mem::take(&mut ld.problems);
    model.files = std::mem::take(&mut ld.files);
    model.included_by = std::mem::take(&mut ld.included_by);
    model.skipped_auth = std::mem::take(&mut ld.skipped_auth);
    model.assumptions = assumptions;
    if let Some(u) = &opts.server_user {
        model.user = (u.clone(), None);
    }
    model.worker = access::identity(opts.root.as_deref(), &model.user.0, &model.group.0);
    let docroots: Vec<(usize, PathBuf)> = (0..model.servers.len())
        .filter_map(|s| Some((s, model.document_root(s)?.to_path_buf())))
        .collect();
    model.index = sections::ScopeIndex::build(
        &model.scopes,
        docroots.iter().map(|(s, p)| (*s, p.as_path())),
    );
    if htaccess_dirs.is_none() {
        (model.areas, model.htaccess_verdicts) = areas::build_areas(&model);
        model.passwd_directives = model.find_passwd_directives();
    }
    model
}

/// The stock Debian configuration a snippet or a lone `.htaccess` is assumed to be read
/// under (for a snippet: followed by the snippet itself).
fn stock_context(
    ld: &mut loader::Loader<'_>,
    start: ApacheStart,
    server_path: &Path,
    assumptions: &mut Vec<Assumption>,
) -> Vec<Item> {
    let stock_id = ld
        .sources
        .add(stock::STOCK_PATH, stock::STOCK_CONF.as_bytes().to_vec());
    let parsed = crate::syntax::apache::parse(stock_id, stock::STOCK_CONF.as_bytes());
    let mut items = ld.eval_nodes(parsed.nodes);
    if start == ApacheStart::Snippet {
        items.extend(ld.load_file(server_path, None));
        let span = ld
            .files
            .iter()
            .find(|(p, _)| p == server_path)
            .map(|(_, id)| Span::new(*id, 0, 0))
            .unwrap_or_default();
        assumptions.push(Assumption {
            span,
            message: format!(
                "assumed this file is included from a stock Debian apache2.conf \
                 (ServerRoot {}, worker user www-data, AllowOverride None, \
                 <FilesMatch \"^\\.ht\"> denied, the default modules enabled)",
                ld.server_root.display()
            ),
        });
    }
    items
}

/// The path the server sees for a local file (strip `--root`), absolute.
fn server_path_of(path: &Path, opts: &LoadOptions) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    if let Some(root) = &opts.root {
        let root_abs = if root.is_absolute() {
            root.clone()
        } else {
            std::env::current_dir()
                .map(|d| d.join(root))
                .unwrap_or_else(|_| root.clone())
        };
        if let Ok(rel) = abs.strip_prefix(&root_abs) {
            return Path::new("/").join(rel);
        }
    }
    abs
}

impl ApacheModel {
    /// A server's DocumentRoot (server path): its own, or the main server's.
    pub fn document_root(&self, server: usize) -> Option<&Path> {
        self.servers
            .get(server)
            .and_then(|s| s.document_root.as_ref())
            .or_else(|| self.servers.first().and_then(|s| s.document_root.as_ref()))
            .map(|(p, _)| p.as_path())
    }

    /// Resolve a path argument as httpd does (`ap_server_root_relative`): the server path.
    pub fn resolve(&self, value: &str) -> PathBuf {
        let p = Path::new(value);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.server_root.join(p)
        }
    }

    /// Where a server path is on this machine (`--root` applied).
    pub fn local(&self, server_path: &Path) -> PathBuf {
        self.opts.map_path(server_path)
    }

    pub fn has_module(&self, name: &str) -> bool {
        self.modules
            .iter()
            .any(|m| m.id == name || m.source == name)
    }

    /// The scope's directive.
    pub fn dir(&self, r: DirectiveRef) -> &ScopedDir {
        &self.scopes[r.scope].directives[r.index]
    }

    /// The password files this configuration makes Apache read: one use per directive.
    pub fn passwd_uses(&self) -> Vec<PasswdUse> {
        use rayon::prelude::*;
        self.passwd_directives
            .par_iter()
            .map(|&(area, directive, role)| {
                let config = &self.areas[area].config;
                let path_of = |r: DirectiveRef| self.resolve(self.dir(r).dir.arg(0).unwrap_or(""));
                let realm = config.value(self, config.auth_name).map(str::to_string);
                let user_file = (role == PasswdRole::Group)
                    .then_some(config.user_file)
                    .flatten()
                    .map(|r| self.local(&path_of(r)));
                let server_path = path_of(directive);
                PasswdUse {
                    server: Server::Apache,
                    role,
                    local_path: self.local(&server_path),
                    server_path,
                    directive: self.dir(directive).dir.args_span(),
                    realm,
                    user_file,
                }
            })
            .collect()
    }

    /// See [`ApacheModel::passwd_directives`]: each directive with a path once per role,
    /// in the first area it is in effect for.
    fn find_passwd_directives(&self) -> Vec<(usize, DirectiveRef, PasswdRole)> {
        let mut seen = foldhash::HashSet::default();
        let mut found = Vec::new();
        for (k, area) in self.areas.iter().enumerate() {
            let config = &area.config;
            let user_role = if area.is_digest() {
                PasswdRole::Digest
            } else {
                PasswdRole::Basic
            };
            let user_file = config.user_file.filter(|_| area.uses_file_provider(self));
            for (r, role) in [
                (user_file, user_role),
                (config.group_file, PasswdRole::Group),
            ] {
                let Some(r) = r else { continue };
                if self.dir(r).dir.arg(0).is_some() && seen.insert((r, role)) {
                    found.push((k, r, role));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests;
