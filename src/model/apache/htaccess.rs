//! Finding the `.htaccess` files httpd may read and turning each into scopes.

use super::build::{Ctx, collect_dirs, new_scope, walk_server};
use super::config::*;
use super::directives::{self, Classes};
use super::loader::{self, Item, Module};
use super::walk;
use super::{ApacheModel, Assumption};
use crate::source::{FileId, Span};
use std::path::{Path, PathBuf};

/// Directory trees whose `.htaccess` files httpd may read: every DocumentRoot and every
/// non-regex `<Directory>` (other than `/`), as server paths.
fn htaccess_roots(model: &ApacheModel) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = (0..model.servers.len())
        .filter_map(|s| model.document_root(s).map(Path::to_path_buf))
        .collect();
    for s in &model.scopes {
        if s.kind == ScopeKind::Directory && !s.pattern.is_empty() && s.pattern != "/" {
            if loader::has_wildcard(&s.pattern) {
                continue;
            }
            roots.push(PathBuf::from(s.pattern.trim_end_matches('/')));
        }
    }
    roots.sort();
    roots.dedup();
    // Drop roots inside another root: walking the outer one finds them.
    let all: foldhash::HashSet<PathBuf> = roots.iter().cloned().collect();
    roots.retain(|r| !r.ancestors().skip(1).any(|a| all.contains(a)));
    roots
}

pub(super) fn discover_htaccess(model: &mut ApacheModel, ld: &mut loader::Loader<'_>) {
    use rayon::prelude::*;
    let roots: Vec<(PathBuf, PathBuf)> = htaccess_roots(model)
        .into_iter()
        .map(|r| {
            let local = model.opts.map_path(&r);
            (r, local)
        })
        .collect();
    let found = walk::find_files(&roots, &model.access_file_name);
    // Parsing, evaluating and splitting thousands of small files into scopes is the
    // bulk of the work: do it in parallel, then append in discovery order.
    let first_id = ld.sources.len();
    let (defines, modules) = (&ld.defines, &ld.modules[..]);
    let (opts, name) = (&model.opts, &model.access_file_name);
    let built: Vec<(PathBuf, HtaccessScopes)> = found
        .par_iter()
        .enumerate()
        .map(|(k, f)| {
            let local = opts.map_path(&f.dir.join(name));
            let b = build_htaccess(first_id + k, &f.dir, &f.bytes, defines, modules);
            (local, b)
        })
        .collect();
    // Straight into the source set: the loader's own map of files only serves `Include`,
    // which is over by now. The files and the scopes go in side by side.
    let (locals, built): (Vec<PathBuf>, Vec<HtaccessScopes>) = built.into_iter().unzip();
    let sources = &mut *ld.sources;
    let (problems, skipped) = (&mut ld.problems, &mut ld.skipped_auth);
    rayon::join(
        || {
            sources.reserve(found.len());
            for (k, (f, local)) in found.into_iter().zip(locals).enumerate() {
                let id = sources.add(local, f.bytes);
                debug_assert_eq!(id, first_id + k);
            }
        },
        || {
            model
                .scopes
                .reserve(built.iter().map(|b| b.scopes.len()).sum());
            for (k, b) in built.into_iter().enumerate() {
                // Parsed with the id the file gets beside.
                debug_assert_eq!(b.scopes[0].file, first_id + k);
                append_htaccess(&mut model.scopes, problems, skipped, b);
            }
        },
    );
}

/// The `.htaccess` files of these directories only (server paths; the ones that exist),
/// in order.
pub(super) fn read_htaccess_in(
    model: &mut ApacheModel,
    ld: &mut loader::Loader<'_>,
    dirs: &[PathBuf],
) {
    for dir in dirs {
        let file = dir.join(&model.access_file_name);
        if model.opts.map_path(&file).is_file() {
            add_htaccess(model, ld, &file, dir);
        }
    }
}

/// One `.htaccess` turned into scopes (its own, then any `<Files>` inside, whose
/// `parent` indexes count from its own), with what evaluating it reported.
struct HtaccessScopes {
    scopes: Vec<Scope>,
    problems: Vec<Problem>,
    skipped_auth: Vec<(Span, String)>,
}

fn build_htaccess(
    id: FileId,
    dir: &Path,
    bytes: &[u8],
    defines: &foldhash::HashMap<String, String>,
    modules: &[Module],
) -> HtaccessScopes {
    let parsed = crate::syntax::apache::parse(id, bytes);
    let mut ev = loader::FixedEval {
        defines,
        modules,
        problems: Vec::new(),
        skipped_auth: Vec::new(),
    };
    let items = ev.eval(parsed.nodes);
    let mut commands = Vec::new();
    list_commands(&items, modules, &mut commands);
    let mut scopes = Vec::new();
    let idx = htaccess_scopes(&mut scopes, id, dir, items, parsed.errors);
    scopes[idx].htaccess_commands = commands;
    HtaccessScopes {
        scopes,
        problems: ev.problems,
        skipped_auth: ev.skipped_auth,
    }
}

/// The directives and section openings of `items`, in the order httpd executes them.
fn list_commands(items: &[Item], modules: &[Module], out: &mut Vec<HtaccessCommand>) {
    for it in items {
        match it {
            Item::Dir(d) => out.push(HtaccessCommand {
                loaded_classes: loaded_classes(&d.name, modules),
                name: d.name.clone(),
                name_span: d.name_span,
                arity_error: super::arity_error(d).map(|e| (d.args_span(), e)),
            }),
            Item::Block { head, items } => {
                let name = format!("<{}", head.name);
                out.push(HtaccessCommand {
                    loaded_classes: loaded_classes(&name, modules),
                    name,
                    name_span: head.name_span,
                    arity_error: None,
                });
                list_commands(items, modules, out);
            }
        }
    }
}

/// The override classes of command `name` in the modules httpd loads (None: none of
/// them defines it).
fn loaded_classes(name: &str, modules: &[Module]) -> Option<Classes> {
    let loaded = |module: &str| modules.iter().any(|m| m.id == module || m.source == module);
    directives::commands(name)
        .iter()
        .filter(|d| loaded(d.module))
        .map(|d| d.classes)
        .reduce(Classes::union)
}

fn append_htaccess(
    scopes: &mut Vec<Scope>,
    problems: &mut Vec<Problem>,
    skipped_auth: &mut Vec<(Span, String)>,
    b: HtaccessScopes,
) -> usize {
    let base = scopes.len();
    scopes.extend(b.scopes.into_iter().map(|mut s| {
        s.parent = s.parent.map(|p| p + base);
        s
    }));
    problems.extend(b.problems);
    skipped_auth.extend(b.skipped_auth);
    base
}

fn add_htaccess(
    model: &mut ApacheModel,
    ld: &mut loader::Loader<'_>,
    file: &Path,
    dir: &Path,
) -> Option<usize> {
    let id = ld.read(file).ok()?;
    let b = build_htaccess(id, dir, &ld.sources.get(id).bytes, &ld.defines, &ld.modules);
    Some(append_htaccess(
        &mut model.scopes,
        &mut ld.problems,
        &mut ld.skipped_auth,
        b,
    ))
}

/// The `.htaccess` scope (and nested `<Files>` scopes) of file `id` in directory `dir`.
fn htaccess_scopes(
    scopes: &mut Vec<Scope>,
    id: FileId,
    dir: &Path,
    items: Vec<Item>,
    errors: Vec<crate::syntax::apache::SyntaxError>,
) -> usize {
    let idx = new_scope(
        scopes,
        ScopeKind::Htaccess,
        0,
        dir.to_string_lossy().into_owned(),
        false,
        Span::new(id, 0, 0),
        None,
    );
    scopes[idx].htaccess_errors = errors
        .into_iter()
        .map(|e| Problem {
            kind: ProblemKind::Syntax,
            span: e.span,
            message: e.message,
            related: e.related.into_iter().collect(),
        })
        .collect();
    collect_dirs(scopes, idx, items, &Ctx::default());
    idx
}

/// A lone `.htaccess`: assume it sits in a directory of the stock DocumentRoot tree whose
/// `<Directory>` allows every override, so that its own directives are what is checked.
pub(super) fn attach_lone_htaccess(
    model: &mut ApacheModel,
    ld: &mut loader::Loader<'_>,
    server_path: &Path,
    assumptions: &mut Vec<Assumption>,
) {
    let dir = server_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let text = format!(
        "<Directory \"{}\">\n\tAllowOverride All\n\tRequire all granted\n</Directory>\n",
        dir.display()
    );
    let id = ld.sources.add(
        format!("(assumed <Directory> for {})", dir.display()),
        text.clone().into_bytes(),
    );
    let parsed = crate::syntax::apache::parse(id, text.as_bytes());
    let items = ld.eval_nodes(parsed.nodes);
    let defaults = model.servers[0].defaults;
    walk_server(model, ld, items, 0, defaults);
    model.servers[0].document_root = Some((dir.clone(), None));
    if let Some(idx) = add_htaccess(model, ld, server_path, &dir) {
        assumptions.push(Assumption {
            span: Span::new(model.scopes[idx].file, 0, 0),
            message: format!(
                "checked on its own: assumed a stock Debian apache2.conf (ServerRoot /etc/apache2, \
                 worker user www-data, the default modules) with `AllowOverride All` and \
                 `Require all granted` for {}",
                dir.display()
            ),
        });
    }
}
