//! Reading nginx configuration files: `include` expanded in place as nginx reads it
//! (relative to the conf prefix, patterns through glob(3): see [`crate::source::glob`]),
//! cycles refused. What nginx would refuse is kept as a [`Problem`].

use super::{Problem, ProblemKind};
use crate::model::LoadOptions;
use crate::source::glob::{self, Dialect};
use crate::source::{Content, FileId, Sources, Span, read_file};
use crate::syntax::nginx::{ConfFile, Directive, parse};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Includes nested deeper than this are reported instead of followed.
const MAX_INCLUDE_DEPTH: usize = 64;

/// Every file read, parsed once, and where each `include` leads. The configuration
/// nginx sees is the root file with includes spliced in: [`Tree::flat`] gives that view
/// without copying any directive.
#[derive(Debug, Default)]
pub struct Tree {
    files: HashMap<FileId, ConfFile>,
    /// `include` directive (by span) → the files it brings in, in nginx's order.
    /// Edges that would close a cycle are left out (and reported).
    includes: HashMap<Span, Vec<FileId>>,
    root: Option<FileId>,
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

/// The blocks of nginx's core and stock modules whose contents are directives: inside
/// any other (`map`, `types`, `geo`, `split_clients`, `charset_map`, a third-party
/// module's block) a module reads the lines its own way.
const DIRECTIVE_BLOCKS: &[&str] = &[
    "events",
    "http",
    "server",
    "location",
    "if",
    "limit_except",
    "upstream",
    "stream",
    "mail",
];

/// Whether `name` can be a directive at all: every directive of nginx and its modules
/// is named in lowercase ASCII letters, digits and `_`; any other name is an "unknown
/// directive" to nginx, whichever modules it has.
fn is_directive_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

fn is_include(d: &Directive) -> bool {
    d.is("include") && d.block.is_none() && d.args.len() == 1
}

/// What reading a configuration produced.
pub struct Loaded {
    pub tree: Tree,
    /// Every file read (local paths), in reading order.
    pub files: Vec<PathBuf>,
    pub problems: Vec<Problem>,
}

pub struct Loader<'a> {
    opts: &'a LoadOptions,
    prefix: PathBuf,
    sources: &'a mut Sources,
    tree: Tree,
    problems: Vec<Problem>,
    /// Files read by this loader, by local path: each model reads (and numbers) the
    /// files it includes itself.
    ids: HashMap<PathBuf, FileId>,
    /// Files being read, for cycle detection (a cycle through differently spelled paths
    /// still ends at MAX_INCLUDE_DEPTH).
    stack: Vec<FileId>,
    order: Vec<PathBuf>,
}

/// An included file read and parsed before its turn (see [`Loader::read_ahead`]).
struct ReadAhead {
    /// The id it was parsed with.
    id: FileId,
    read: std::io::Result<(Content, ConfFile)>,
}

/// One file an `include` names: where nginx opens it, and where it is here.
struct IncludedFile {
    server_path: PathBuf,
    local_path: PathBuf,
    /// Its type as a directory listing gave it (a pattern's match).
    listed: Option<std::fs::FileType>,
}

impl<'a> Loader<'a> {
    pub fn new(opts: &'a LoadOptions, prefix: &Path, sources: &'a mut Sources) -> Self {
        Loader {
            opts,
            prefix: prefix.to_path_buf(),
            sources,
            tree: Tree::default(),
            problems: Vec::new(),
            ids: HashMap::new(),
            stack: Vec::new(),
            order: Vec::new(),
        }
    }

    /// Read the starting file (a local path) and everything it includes.
    pub fn load_root(mut self, path: &Path) -> Loaded {
        // An unreadable starting file is reported by the engine; nothing more here.
        if let Ok(id) = self.read(path) {
            self.tree.root = Some(id);
            self.walk_file(id, path, true);
        }
        Loaded {
            tree: self.tree,
            files: self.order,
            problems: self.problems,
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

    /// Parse a file (once) and follow its includes.
    /// `directives`: the file is read where nginx reads directives (not inside a `map`,
    /// `types` or other block whose lines a module reads its own way).
    fn walk_file(&mut self, id: FileId, local: &Path, directives: bool) {
        if self.tree.files.contains_key(&id) {
            return;
        }
        let parsed = parse(id, &self.sources.get(id).bytes);
        self.walk_parsed(id, local, directives, parsed);
    }

    /// Follow the includes of a file parsed as `id`, and keep it.
    fn walk_parsed(&mut self, id: FileId, local: &Path, directives: bool, parsed: ConfFile) {
        if let Some(e) = &parsed.error {
            self.problems.push(Problem {
                kind: ProblemKind::Syntax,
                span: e.span,
                message: e.message.clone(),
            });
        }
        self.order.push(local.to_path_buf());
        self.stack.push(id);
        self.walk(&parsed.items, directives);
        self.stack.pop();
        self.tree.files.insert(id, parsed);
    }

    fn walk(&mut self, items: &[Directive], directives: bool) {
        for d in items {
            if is_include(d) {
                if !self.tree.includes.contains_key(&d.span) {
                    let ids = self.include(d, directives);
                    self.tree.includes.insert(d.span, ids);
                }
                continue;
            }
            if directives && !is_directive_name(&d.name.value) {
                let bytes = &self.sources.get(d.span.file).bytes;
                let at = d.on_terminator_line(d.name.span, bytes);
                let message = format!("unknown directive \"{}\"", d.name_text());
                self.problem(ProblemKind::Syntax, at, message);
            }
            if let Some(b) = &d.block {
                let name = d.name_text();
                self.walk(
                    &b.items,
                    directives && DIRECTIVE_BLOCKS.contains(&name.as_ref()),
                );
            }
        }
    }

    /// The files an `include` brings in, in nginx's order (each read and walked).
    fn include(&mut self, d: &Directive, directives: bool) -> Vec<FileId> {
        let raw = d.args[0].text().into_owned();
        // nginx names the line of the `;`.
        let arg = d.on_terminator_line(d.args[0].span, &self.sources.get(d.span.file).bytes);
        let relative = !Path::new(&raw).is_absolute();
        let mut out = Vec::new();
        let files = self.included_files(&raw);
        let mut ahead = self.read_ahead(&files);
        for (file, ahead) in files.iter().zip(ahead.iter_mut()) {
            if self.stack.len() >= MAX_INCLUDE_DEPTH {
                self.problem(
                    ProblemKind::IncludeTooDeep,
                    arg,
                    format!("includes nested more than {MAX_INCLUDE_DEPTH} deep"),
                );
                break;
            }
            let known = self.ids.get(&file.local_path).copied();
            if known.is_some_and(|id| self.stack.contains(&id)) {
                self.problem(
                    ProblemKind::IncludeCycle,
                    arg,
                    format!(
                        "include cycle: {} includes itself",
                        file.local_path.display()
                    ),
                );
                continue;
            }
            if known.is_none()
                && let Some(ReadAhead { id, read }) = ahead.take()
            {
                match read {
                    Ok((bytes, parsed)) => {
                        let actual = self.sources.add(&file.local_path, bytes);
                        self.ids.insert(file.local_path.clone(), actual);
                        // An earlier file's own includes took the id it was parsed with.
                        if actual == id {
                            self.walk_parsed(actual, &file.local_path, directives, parsed);
                        } else {
                            self.walk_file(actual, &file.local_path, directives);
                        }
                        out.push(actual);
                        continue;
                    }
                    Err(e) => {
                        self.not_opened(file, &e, relative, arg);
                        continue;
                    }
                }
            }
            let read = crate::source::check_config_file(&file.local_path, file.listed)
                .and_then(|()| self.read(&file.local_path));
            match read {
                Ok(id) => {
                    self.walk_file(id, &file.local_path, directives);
                    out.push(id);
                }
                Err(e) => self.not_opened(file, &e, relative, arg),
            }
        }
        out
    }

    /// nginx cannot open an included file: it refuses to start.
    fn not_opened(&mut self, file: &IncludedFile, e: &std::io::Error, relative: bool, arg: Span) {
        let looked = if file.server_path == file.local_path {
            String::new()
        } else {
            format!(" (looked for {})", file.local_path.display())
        };
        self.problem(
            ProblemKind::IncludeNotOpened { relative },
            arg,
            format!(
                "open() \"{}\" failed ({}){looked}: nginx refuses to start",
                file.server_path.display(),
                open_failure(e)
            ),
        );
    }

    /// The files of one include that this loader has not read yet, read and parsed side
    /// by side (a `sites-enabled/*` of 1,000 files), each with the id it will get unless
    /// an earlier one includes new files of its own. `None` for the others, and for all
    /// when fewer than two are new.
    ///
    /// Side by side: 12.5% less time on the nginx tree of benches/compare.sh (1,000 site
    /// files; benches/interleave.py, 20 rounds, with and without, same run).
    fn read_ahead(&self, files: &[IncludedFile]) -> Vec<Option<ReadAhead>> {
        let mut seen = HashSet::new();
        let new: Vec<bool> = files
            .iter()
            .map(|f| !self.ids.contains_key(&f.local_path) && seen.insert(&f.local_path))
            .collect();
        let count = new.iter().filter(|n| **n).count();
        if count < 2 || self.stack.len() >= MAX_INCLUDE_DEPTH {
            return files.iter().map(|_| None).collect();
        }
        let mut next = self.sources.len();
        let ids: Vec<Option<FileId>> = new
            .iter()
            .map(|&n| {
                n.then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        files
            .par_iter()
            .zip(ids)
            .map(|(file, id)| {
                let id = id?;
                let read = crate::source::check_config_file(&file.local_path, file.listed)
                    .and_then(|()| read_file(&file.local_path, None))
                    .map(|bytes| {
                        let parsed = parse(id, &bytes);
                        (bytes, parsed)
                    });
                Some(ReadAhead { id, read })
            })
            .collect()
    }

    /// The files `include raw` names: one path, or a pattern's matches (none is fine).
    fn included_files(&self, raw: &str) -> Vec<IncludedFile> {
        let server_path = if Path::new(raw).is_absolute() {
            PathBuf::from(raw)
        } else {
            self.prefix.join(raw)
        };
        let to_local = |p: &Path| self.opts.map_path(p);
        let (server_paths, kinds) = if Dialect::Nginx.is_pattern(&server_path.to_string_lossy()) {
            let found = glob::expand(&server_path, Dialect::Nginx, &to_local);
            (found.paths, found.kinds)
        } else {
            (vec![server_path], vec![None])
        };
        server_paths
            .into_iter()
            .zip(kinds)
            .map(|(server_path, listed)| IncludedFile {
                local_path: to_local(&server_path),
                server_path,
                listed,
            })
            .collect()
    }

    fn problem(&mut self, kind: ProblemKind, span: Span, message: String) {
        self.problems.push(Problem {
            kind,
            span,
            message,
        });
    }
}

/// Why an include was not opened: the OS error's kind, or what [`check_config_file`]
/// found (a FIFO nginx would block on).
///
/// [`check_config_file`]: crate::source::check_config_file
fn open_failure(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(_) => e.kind().to_string(),
        None => e.to_string(),
    }
}
