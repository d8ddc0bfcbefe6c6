//! Reading nginx configuration files: `include` expanded in place (as nginx reads it,
//! relative to the conf prefix, globs sorted, no match = nothing), cycles refused.

use crate::diag::{Diagnostic, Server};
use crate::model::LoadOptions;
use crate::rules::nginx::{include_problem, syntax_error};
use crate::source::{FileId, Sources, Span};
use crate::syntax::nginx::{ConfFile, Directive, parse};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Includes nested deeper than this are reported instead of followed.
const MAX_INCLUDE_DEPTH: usize = 64;

/// Every file read, parsed once, and where each `include` leads. The configuration
/// nginx sees is the root file with includes spliced in: [`Tree::flat`] gives that view
/// without copying any directive.
#[derive(Debug, Default)]
pub struct Tree {
    files: HashMap<FileId, Rc<ConfFile>>,
    /// `include` directive (by span) → the files it brings in, in nginx's order.
    /// Edges that would close a cycle are left out (and reported).
    includes: HashMap<Span, Vec<FileId>>,
    pub root: Option<FileId>,
}

impl Tree {
    /// The directives of the root file, includes spliced in.
    pub fn root_items(&self) -> Vec<&Directive> {
        match self.root.and_then(|id| self.files.get(&id)) {
            Some(f) => self.flat(&f.items),
            None => Vec::new(),
        }
    }

    /// `items` with every `include` replaced by the directives it brings in.
    pub fn flat<'a>(&'a self, items: &'a [Directive]) -> Vec<&'a Directive> {
        let mut out = Vec::with_capacity(items.len());
        self.flat_into(items, &mut out);
        out
    }

    fn flat_into<'a>(&'a self, items: &'a [Directive], out: &mut Vec<&'a Directive>) {
        for d in items {
            if is_include(d) {
                for id in self.includes.get(&d.span).map_or(&[][..], Vec::as_slice) {
                    if let Some(f) = self.files.get(id) {
                        self.flat_into(&f.items, out);
                    }
                }
            } else {
                out.push(d);
            }
        }
    }
}

fn is_include(d: &Directive) -> bool {
    d.is("include") && d.block.is_none() && d.args.len() == 1
}

pub struct Loader<'a> {
    opts: &'a LoadOptions,
    prefix: PathBuf,
    sources: &'a mut Sources,
    diags: &'a mut Vec<Diagnostic>,
    tree: Tree,
    /// Files read by this loader, by local path (Sources::find is a linear scan).
    ids: HashMap<PathBuf, FileId>,
    /// Files being read, for cycle detection (a cycle through differently spelled paths
    /// still ends at MAX_INCLUDE_DEPTH).
    stack: Vec<FileId>,
    order: Vec<PathBuf>,
    /// Files parsed ahead (in parallel) but not yet walked.
    prefetched: HashMap<FileId, ConfFile>,
}

impl<'a> Loader<'a> {
    pub fn new(
        opts: &'a LoadOptions,
        prefix: &Path,
        sources: &'a mut Sources,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Loader {
            opts,
            prefix: prefix.to_path_buf(),
            sources,
            diags,
            tree: Tree::default(),
            ids: HashMap::new(),
            stack: Vec::new(),
            order: Vec::new(),
            prefetched: HashMap::new(),
        }
    }

    /// Read the starting file (a local path) and everything it includes; returns the
    /// tree and the files read, in reading order.
    pub fn load_root(mut self, path: &Path) -> (Tree, Vec<PathBuf>) {
        // An unreadable starting file is reported by the engine; nothing more here.
        if let Ok(id) = self.read(path) {
            self.tree.root = Some(id);
            self.walk_file(id, path);
        }
        (self.tree, self.order)
    }

    fn read(&mut self, local: &Path) -> std::io::Result<FileId> {
        if let Some(id) = self.ids.get(local) {
            return Ok(*id);
        }
        let id = self.sources.load(local)?;
        self.ids.insert(local.to_path_buf(), id);
        Ok(id)
    }

    /// Parse a file (once) and follow its includes.
    fn walk_file(&mut self, id: FileId, local: &Path) {
        if self.tree.files.contains_key(&id) {
            return;
        }
        let parsed = Rc::new(match self.prefetched.remove(&id) {
            Some(p) => p,
            None => parse(id, &self.sources.get(id).bytes),
        });
        if let Some(e) = &parsed.error {
            self.diags.push(
                Diagnostic::new(&syntax_error::RULE.info, e.span, e.message.clone())
                    .label("nginx stops reading the configuration here")
                    .help("fix the syntax; `nginx -t` refuses to load this file")
                    .servers(&[Server::Nginx]),
            );
        }
        self.tree.files.insert(id, Rc::clone(&parsed));
        self.order.push(local.to_path_buf());
        self.stack.push(id);
        self.walk(&parsed.items);
        self.stack.pop();
    }

    fn walk(&mut self, items: &[Directive]) {
        for d in items {
            if is_include(d) {
                if !self.tree.includes.contains_key(&d.span) {
                    let ids = self.include(d);
                    self.tree.includes.insert(d.span, ids);
                }
            } else if let Some(b) = &d.block {
                self.walk(&b.items);
            }
        }
    }

    /// The files an `include` brings in, in nginx's order (each read and walked).
    fn include(&mut self, d: &Directive) -> Vec<FileId> {
        let raw = d.args[0].text().into_owned();
        let server_path = if Path::new(&raw).is_absolute() {
            PathBuf::from(&raw)
        } else {
            self.prefix.join(&raw)
        };
        let local = self.opts.map_path(&server_path);
        let arg = d.args[0].span;
        let files: Vec<PathBuf> = if raw.contains(['*', '?', '[']) {
            glob(&local)
        } else {
            vec![local.clone()]
        };
        self.prefetch(&files);
        let mut out = Vec::new();
        for file in files {
            if self.stack.len() >= MAX_INCLUDE_DEPTH {
                self.report(
                    arg,
                    format!("includes nested more than {MAX_INCLUDE_DEPTH} deep"),
                    None,
                );
                break;
            }
            let known = self.ids.get(&file).copied();
            if known.is_some_and(|id| self.stack.contains(&id)) {
                self.report(
                    arg,
                    format!("include cycle: {} includes itself", file.display()),
                    Some("nginx would recurse until it runs out of file descriptors; remove the include from the included file"),
                );
                continue;
            }
            match self.read(&file) {
                Ok(id) => {
                    self.walk_file(id, &file);
                    out.push(id);
                }
                Err(e) => {
                    let how = if server_path == local {
                        String::new()
                    } else {
                        format!(" (looked for {})", local.display())
                    };
                    self.report(
                        arg,
                        format!(
                            "open() \"{}\" failed ({}){how}: nginx refuses to start",
                            server_path.display(),
                            e.kind()
                        ),
                        Some(if Path::new(&raw).is_absolute() {
                            "create the file, or correct the path"
                        } else {
                            "relative include paths are resolved against the conf prefix (the directory of nginx.conf); pass --prefix if it differs"
                        }),
                    );
                }
            }
        }
        out
    }

    /// Read and parse many new files of one glob at once, on all cores (a sites
    /// directory can hold thousands). Files that fail to read are left to the
    /// sequential path, which reports them.
    fn prefetch(&mut self, files: &[PathBuf]) {
        use rayon::prelude::*;
        let fresh: Vec<&PathBuf> = files
            .iter()
            .filter(|f| !self.ids.contains_key(*f))
            .collect();
        if fresh.len() < 8 {
            return;
        }
        let read: Vec<(&PathBuf, std::io::Result<Vec<u8>>)> = fresh
            .into_par_iter()
            .map(|f| (f, std::fs::read(f)))
            .collect();
        let mut ids = Vec::new();
        for (path, bytes) in read {
            if let Ok(bytes) = bytes {
                let id = self.sources.add(path.clone(), bytes);
                self.ids.insert(path.clone(), id);
                ids.push(id);
            }
        }
        let sources = &*self.sources;
        let parsed: Vec<(FileId, ConfFile)> = ids
            .into_par_iter()
            .map(|id| (id, parse(id, &sources.get(id).bytes)))
            .collect();
        self.prefetched.extend(parsed);
    }

    fn report(&mut self, span: Span, message: String, help: Option<&str>) {
        let mut diag = Diagnostic::new(&include_problem::RULE.info, span, message)
            .label("this include")
            .servers(&[Server::Nginx]);
        if let Some(h) = help {
            diag = diag.help(h);
        }
        self.diags.push(diag);
    }
}

/// glob(3) as nginx calls it (flags 0): sorted, `*`/`?`/`[...]` per path component,
/// a leading `.` only matched explicitly, no match = empty.
pub fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut current = vec![PathBuf::new()];
    for comp in pattern.components() {
        let text = comp.as_os_str().to_string_lossy();
        let mut next = Vec::new();
        if !text.contains(['*', '?', '[']) {
            for base in &current {
                next.push(base.join(comp.as_os_str()));
            }
        } else {
            for base in &current {
                let dir = if base.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    base.as_path()
                };
                let Ok(rd) = std::fs::read_dir(dir) else {
                    continue;
                };
                let mut names: Vec<String> = rd
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| fnmatch(text.as_bytes(), n.as_bytes()))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| base.join(n)));
            }
        }
        current = next;
    }
    current.retain(|p| p.exists());
    current
}

/// Shell pattern match of one path component (no `/` in either).
pub fn fnmatch(pat: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pat.first() != Some(&b'.') {
        return false;
    }
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some(b'*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..])),
            Some(b'?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some(b'[') => {
                let Some(c) = n.first() else { return false };
                match class(&p[1..], *c) {
                    Some((matched, rest)) => matched && go(rest, &n[1..]),
                    None => n.first() == Some(&b'[') && go(&p[1..], &n[1..]),
                }
            }
            Some(b'\\') if p.len() > 1 => n.first() == Some(&p[1]) && go(&p[2..], &n[1..]),
            Some(c) => n.first() == Some(c) && go(&p[1..], &n[1..]),
        }
    }
    go(pat, name)
}

/// `[...]` after the `[`: whether `c` matches, and the pattern after `]`.
fn class(p: &[u8], c: u8) -> Option<(bool, &[u8])> {
    let (negate, mut i) = match p.first() {
        Some(b'!' | b'^') => (true, 1),
        _ => (false, 0),
    };
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((matched != negate, &p[i + 1..]));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_glob() {
        assert!(fnmatch(b"*.conf", b"a.conf"));
        assert!(!fnmatch(b"*.conf", b".hidden.conf"));
        assert!(fnmatch(b"*", b"default"));
        assert!(fnmatch(b"[a-c]?", b"bx"));
        assert!(!fnmatch(b"[!a-c]?", b"bx"));
        assert!(fnmatch(b"x[]]", b"x]"));
    }
}
