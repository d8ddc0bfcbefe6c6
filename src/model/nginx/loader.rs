//! Reading nginx configuration files: `include` expanded in place (as nginx reads it,
//! relative to the conf prefix, globs sorted, no match = nothing), cycles refused.

use crate::diag::{Diagnostic, Server};
use crate::model::LoadOptions;
use crate::rules::nginx::{include_problem, syntax_error};
use crate::source::{FileId, Sources, Span};
use crate::syntax::nginx::{ConfFile, Directive, parse};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Includes nested deeper than this are reported instead of followed.
const MAX_INCLUDE_DEPTH: usize = 64;

pub struct Loader<'a> {
    opts: &'a LoadOptions,
    prefix: PathBuf,
    sources: &'a mut Sources,
    diags: &'a mut Vec<Diagnostic>,
    /// Parsed files by id: a file included twice is parsed once.
    parsed: HashMap<FileId, Rc<ConfFile>>,
    /// Files read by this loader, by local path (Sources::find is a linear scan).
    ids: HashMap<PathBuf, FileId>,
    /// Files being expanded (local, canonical), for cycle detection.
    stack: Vec<PathBuf>,
    order: Vec<PathBuf>,
    seen: HashSet<PathBuf>,
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
            parsed: HashMap::new(),
            ids: HashMap::new(),
            stack: Vec::new(),
            order: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// The files read, in order.
    pub fn files(&self) -> Vec<PathBuf> {
        self.order.clone()
    }

    /// Read the starting file (a local path) and everything it includes.
    pub fn load_root(&mut self, path: &Path) -> Vec<Directive> {
        match self.read(path) {
            Ok(id) => self.expand_file(id, path),
            Err(e) => {
                // The engine reports unreadable inputs; record nothing more here.
                let _ = e;
                Vec::new()
            }
        }
    }

    fn read(&mut self, local: &Path) -> std::io::Result<FileId> {
        if let Some(id) = self.ids.get(local) {
            return Ok(*id);
        }
        let id = self.sources.load(local)?;
        self.ids.insert(local.to_path_buf(), id);
        Ok(id)
    }

    fn expand_file(&mut self, id: FileId, local: &Path) -> Vec<Directive> {
        let parsed = match self.parsed.get(&id) {
            Some(p) => Rc::clone(p),
            None => {
                let p = Rc::new(parse(id, &self.sources.get(id).bytes));
                if let Some(e) = &p.error {
                    self.diags.push(
                        Diagnostic::new(&syntax_error::RULE.info, e.span, e.message.clone())
                            .label("nginx stops reading the configuration here")
                            .help("fix the syntax; `nginx -t` refuses to load this file")
                            .servers(&[Server::Nginx]),
                    );
                }
                self.parsed.insert(id, Rc::clone(&p));
                p
            }
        };
        if self.seen.insert(local.to_path_buf()) {
            self.order.push(local.to_path_buf());
        }
        let canonical = local.canonicalize().unwrap_or_else(|_| local.to_path_buf());
        self.stack.push(canonical);
        let out = self.expand(&parsed.items);
        self.stack.pop();
        out
    }

    /// A copy of `items` with every `include` replaced by what it brings in.
    fn expand(&mut self, items: &[Directive]) -> Vec<Directive> {
        let mut out = Vec::with_capacity(items.len());
        for d in items {
            if d.is("include") && d.block.is_none() && d.args.len() == 1 {
                out.extend(self.include(d));
                continue;
            }
            let block = d.block.as_ref().map(|b| crate::syntax::nginx::Block {
                open: b.open,
                close: b.close,
                items: self.expand(&b.items),
            });
            out.push(Directive {
                name: d.name.clone(),
                args: d.args.clone(),
                block,
                span: d.span,
            });
        }
        out
    }

    /// The directives an `include` brings in, in nginx's order.
    fn include(&mut self, d: &Directive) -> Vec<Directive> {
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
            let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
            if self.stack.contains(&canonical) {
                self.report(
                    arg,
                    format!("include cycle: {} includes itself", file.display()),
                    Some("nginx would recurse until it runs out of file descriptors; remove the include from the included file"),
                );
                continue;
            }
            match self.read(&file) {
                Ok(id) => out.extend(self.expand_file(id, &file)),
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
