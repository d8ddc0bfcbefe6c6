//! Reads configuration the way httpd does while it loads it: `Include`/`IncludeOptional`
//! (globs, directories, ServerRoot-relative paths, cycles), `Define`/`UnDefine`/`${VAR}`,
//! `ServerRoot`, `LoadModule`, and the read-time conditionals `<IfModule>`, `<IfDefine>`,
//! `<IfVersion>`. The result is a tree of the directives httpd will act on.

use super::{Problem, ProblemKind};
use crate::model::LoadOptions;
use crate::source::glob::{self, DeadEnd, Dialect};
use crate::source::{FileId, Sources, Span};
use crate::syntax::apache::{self as syn, Node};
use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};

/// One argument after `${VAR}` substitution.
#[derive(Clone, Debug)]
pub struct Arg {
    pub value: String,
    pub span: Span,
    pub quoted: bool,
}

/// A directive httpd will act on.
#[derive(Clone, Debug)]
pub struct Dir {
    /// As written (`AuthUserFile`); compare with [`Dir::is`].
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Arg>,
    pub raw_args: String,
    pub span: Span,
}

impl Dir {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }
    /// Span of the arguments (or of the name when there are none).
    pub fn args_span(&self) -> Span {
        match (self.args.first(), self.args.last()) {
            (Some(a), Some(b)) if a.span.file == b.span.file && a.span.start <= b.span.end => {
                Span::new(a.span.file, a.span.start, b.span.end)
            }
            _ => self.name_span,
        }
    }
}

/// A directive or a section, after read-time evaluation.
#[derive(Clone, Debug)]
pub enum Item {
    Dir(Dir),
    /// `head.name` is the section name without `<`.
    Block {
        head: Dir,
        items: Vec<Item>,
    },
}

/// A module httpd has (built in or loaded).
#[derive(Clone, Debug)]
pub struct Module {
    /// `auth_basic_module`
    pub id: String,
    /// `mod_auth_basic.c`
    pub source: String,
    /// The LoadModule line (None for built-in modules).
    pub span: Option<Span>,
}

/// Modules compiled into Debian's apache2 (`apache2 -l`).
pub const BUILTIN: &[&str] = &[
    "core",
    "so",
    "watchdog",
    "http",
    "log_config",
    "logio",
    "version",
    "unixd",
];

pub fn module_source(id: &str) -> String {
    let base = id.strip_suffix("_module").unwrap_or(id);
    match base {
        "core" => "core.c".into(),
        "http" => "http_core.c".into(),
        "mpm_event" => "event.c".into(),
        "mpm_prefork" => "prefork.c".into(),
        "mpm_worker" => "worker.c".into(),
        b => format!("mod_{b}.c"),
    }
}

/// Environment variables Debian's `/etc/apache2/envvars` exports before httpd starts.
pub const DEBIAN_ENVVARS: &[(&str, &str)] = &[
    ("APACHE_RUN_USER", "www-data"),
    ("APACHE_RUN_GROUP", "www-data"),
    ("APACHE_PID_FILE", "/var/run/apache2/apache2.pid"),
    ("APACHE_RUN_DIR", "/var/run/apache2"),
    ("APACHE_LOCK_DIR", "/var/lock/apache2"),
    ("APACHE_LOG_DIR", "/var/log/apache2"),
    ("LANG", "C"),
];

/// Read-time state, carried through every included file in order.
pub struct Loader<'a> {
    pub opts: &'a LoadOptions,
    pub sources: &'a mut Sources,
    pub server_root: PathBuf,
    pub server_root_span: Option<Span>,
    pub defines: HashMap<String, String>,
    pub modules: Vec<Module>,
    pub problems: Vec<Problem>,
    /// Files being read, outermost first (server paths), for cycle detection.
    stack: Vec<PathBuf>,
    /// Every config file read, as (server path, file id).
    pub files: Vec<(PathBuf, FileId)>,
    /// `<IfModule>` blocks skipped because the module is not loaded, that hold auth
    /// directives: (the opening tag, the module named).
    pub skipped_auth: Vec<(Span, String)>,
    /// Files this loader put in the source set, by local path (the source set also holds
    /// files other starting points read).
    loaded: HashMap<PathBuf, FileId>,
    /// The opening tags of the sections being evaluated, outermost first.
    sections: Vec<Span>,
    /// The `Include`/`IncludeOptional` that read each included file.
    pub included_by: HashMap<FileId, Span>,
}

/// The version `<IfVersion>` compares against.
pub const HTTPD_VERSION: (u32, u32, u32) = (2, 4, 71);

impl<'a> Loader<'a> {
    pub fn new(opts: &'a LoadOptions, sources: &'a mut Sources, server_root: PathBuf) -> Self {
        let mut defines = HashMap::new();
        for (k, v) in DEBIAN_ENVVARS {
            defines.insert(k.to_string(), v.to_string());
        }
        Loader {
            opts,
            sources,
            server_root,
            server_root_span: None,
            defines,
            modules: BUILTIN
                .iter()
                .map(|b| Module {
                    id: format!("{b}_module"),
                    source: module_source(&format!("{b}_module")),
                    span: None,
                })
                .collect(),
            problems: Vec::new(),
            stack: Vec::new(),
            files: Vec::new(),
            loaded: HashMap::new(),
            skipped_auth: Vec::new(),
            sections: Vec::new(),
            included_by: HashMap::new(),
        }
    }

    /// Resolve a path as `ap_server_root_relative` does.
    pub fn server_relative(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.server_root.join(p)
        }
    }

    /// Read one file (server path) into the source set; `None` if it cannot be read.
    pub fn read(&mut self, server_path: &Path) -> Result<FileId, std::io::Error> {
        let local = self.opts.map_path(server_path);
        if let Some(id) = self.loaded.get(&local) {
            return Ok(*id);
        }
        let id = self.sources.load(&local)?;
        self.loaded.insert(local, id);
        Ok(id)
    }

    pub fn has_module(&self, name: &str) -> bool {
        self.modules
            .iter()
            .any(|m| m.id == name || m.source == name)
    }

    /// Load a config file (a server path) and evaluate it. `via` is the Include that named it.
    pub fn load_file(&mut self, server_path: &Path, via: Option<Span>) -> Vec<Item> {
        self.load_listed(server_path, via, None)
    }

    /// [`Loader::load_file`] of a file whose type a directory listing gave (`listed`).
    fn load_listed(
        &mut self,
        server_path: &Path,
        via: Option<Span>,
        listed: Option<std::fs::FileType>,
    ) -> Vec<Item> {
        if self.stack.iter().any(|p| p == server_path) {
            if let Some(span) = via {
                self.problems.push(Problem {
                    kind: ProblemKind::IncludeCycle,
                    span,
                    message: format!(
                        "including {} again while it is still being read (include cycle)",
                        server_path.display()
                    ),
                    related: vec![],
                });
            }
            return Vec::new();
        }
        let included = |p: &Path| match via {
            Some(_) => crate::source::check_config_file(p, listed),
            None => Ok(()),
        };
        let read = included(&self.opts.map_path(server_path)).and_then(|()| self.read(server_path));
        let id = match read {
            Ok(id) => id,
            Err(e) => {
                if let Some(span) = via {
                    self.problems.push(Problem {
                        kind: ProblemKind::IncludeMissing,
                        span,
                        message: format!("cannot read {}: {e}", server_path.display()),
                        related: vec![],
                    });
                }
                return Vec::new();
            }
        };
        self.files.push((server_path.to_path_buf(), id));
        if let Some(span) = via {
            self.included_by.entry(id).or_insert(span);
        }
        let parsed = syn::parse(id, &self.sources.get(id).bytes);
        self.problems
            .extend(parsed.errors.iter().map(syntax_problem));
        self.stack.push(server_path.to_path_buf());
        let items = eval(self, parsed.nodes, true);
        self.stack.pop();
        items
    }

    /// Evaluate already-parsed nodes as top-level configuration (stock/assumed text).
    pub fn eval_nodes(&mut self, nodes: Vec<Node>) -> Vec<Item> {
        eval(self, nodes, true)
    }

    fn directive(&mut self, d: Dir, top: bool, out: &mut Vec<Item>) {
        let lname = d.name.to_ascii_lowercase();
        match lname.as_str() {
            "define" => {
                if let Some(name) = d.arg(0) {
                    let v = d.arg(1).unwrap_or("").to_string();
                    self.defines.insert(name.to_string(), v);
                }
            }
            "undefine" => {
                if let Some(name) = d.arg(0) {
                    self.defines.remove(name);
                }
            }
            "serverroot" if top => {
                if self.opts.server_root.is_none()
                    && let Some(p) = d.arg(0)
                {
                    self.server_root = PathBuf::from(p);
                    self.server_root_span = Some(d.args_span());
                }
            }
            "loadmodule" if top => {
                if let Some(id) = d.arg(0)
                    && !self.has_module(id)
                {
                    self.modules.push(Module {
                        id: id.to_string(),
                        source: module_source(id),
                        span: Some(d.span),
                    });
                }
            }
            "include" | "includeoptional" if top => {
                let optional = lname == "includeoptional";
                if let Some(pat) = d.arg(0) {
                    let pat = self.server_relative(pat);
                    let to_local = |p: &Path| self.opts.map_path(p);
                    let expansion = glob::expand(&pat, Dialect::Apache, &to_local);
                    let (files, kinds) = (expansion.paths, expansion.kinds);
                    // httpd's `Include` stops at the first place the pattern leads nowhere.
                    let no_match =
                        |p: &Path| format!("No matches for the wildcard in {}", p.display());
                    let missing = |p: &Path| format!("Include file {} does not exist", p.display());
                    let refusal = match expansion.dead_ends.first() {
                        _ if optional => None,
                        _ if files.is_empty() && has_wildcard(&pat.to_string_lossy()) => {
                            Some(no_match(&pat))
                        }
                        _ if files.is_empty() => Some(missing(&pat)),
                        Some(DeadEnd::NoMatch(p)) => Some(no_match(p)),
                        Some(DeadEnd::Missing(p)) => Some(missing(p)),
                        None => None,
                    };
                    if let Some(message) = refusal {
                        self.problems.push(Problem {
                            kind: ProblemKind::IncludeMissing,
                            span: d.args_span(),
                            message,
                            related: vec![],
                        });
                    }
                    if optional && files.is_empty() && !has_wildcard(&pat.to_string_lossy()) {
                        self.problems.push(self.optional_missing(&d, &pat));
                    }
                    for (f, kind) in files.into_iter().zip(kinds) {
                        let items = self.load_listed(&f, Some(d.args_span()), kind);
                        out.extend(items);
                    }
                }
            }
            _ => out.push(Item::Dir(d)),
        }
    }
}

impl Loader<'_> {
    /// `IncludeOptional` of one file that does not exist: httpd includes nothing, without
    /// a word. Related: the section that was to get its directives (innermost).
    fn optional_missing(&self, d: &Dir, pat: &Path) -> Problem {
        Problem {
            kind: ProblemKind::OptionalMissing,
            span: d.args_span(),
            message: format!(
                "IncludeOptional {}: the file does not exist, so httpd includes nothing \
                 here and says nothing",
                pat.display()
            ),
            related: self
                .sections
                .last()
                .map(|s| (*s, "the section its directives were meant for".to_string()))
                .into_iter()
                .collect(),
        }
    }
}

/// What read-time evaluation needs from its surroundings: the main loader (which follows
/// includes and records `Define`s) or a `.htaccess` evaluated on its own.
pub trait EvalHost {
    fn defines(&self) -> &HashMap<String, String>;
    fn has_module(&self, name: &str) -> bool;
    fn problem(&mut self, p: Problem);
    fn skipped_auth(&mut self, open: Span, module: String);
    /// Act on a directive (`Define`, `Include`, …) or add it to `out`.
    fn directive(&mut self, d: Dir, top: bool, out: &mut Vec<Item>);
    /// A section (not a read-time conditional) opens at `head` / closes.
    fn enter_section(&mut self, _head: Span) {}
    fn leave_section(&mut self) {}
}

impl EvalHost for Loader<'_> {
    fn defines(&self) -> &HashMap<String, String> {
        &self.defines
    }
    fn has_module(&self, name: &str) -> bool {
        Loader::has_module(self, name)
    }
    fn problem(&mut self, p: Problem) {
        self.problems.push(p);
    }
    fn skipped_auth(&mut self, open: Span, module: String) {
        self.skipped_auth.push((open, module));
    }
    fn directive(&mut self, d: Dir, top: bool, out: &mut Vec<Item>) {
        Loader::directive(self, d, top, out)
    }
    fn enter_section(&mut self, head: Span) {
        self.sections.push(head);
    }
    fn leave_section(&mut self) {
        self.sections.pop();
    }
}

/// Evaluates a file against fixed read-time state (`Define`s and modules), changing
/// nothing: a `.htaccess` against the finished main configuration (httpd refuses
/// `Define` there, so one file's `Define` never reaches another), or a config file that
/// changes no state. Thousands of them are evaluated in parallel.
pub struct FixedEval<'l> {
    pub defines: &'l HashMap<String, String>,
    pub modules: &'l [Module],
    pub problems: Vec<Problem>,
    pub skipped_auth: Vec<(Span, String)>,
}

impl FixedEval<'_> {
    pub fn eval(&mut self, nodes: Vec<Node>) -> Vec<Item> {
        eval(self, nodes, false)
    }
}

impl EvalHost for FixedEval<'_> {
    fn defines(&self) -> &HashMap<String, String> {
        self.defines
    }
    fn has_module(&self, name: &str) -> bool {
        self.modules
            .iter()
            .any(|m| m.id == name || m.source == name)
    }
    fn problem(&mut self, p: Problem) {
        self.problems.push(p);
    }
    fn skipped_auth(&mut self, open: Span, module: String) {
        self.skipped_auth.push((open, module));
    }
    fn directive(&mut self, d: Dir, _top: bool, out: &mut Vec<Item>) {
        if !d.is("Define") && !d.is("UnDefine") {
            out.push(Item::Dir(d));
        }
    }
}

/// `text` with `${VAR}` replaced (taken as is, without a copy, when it has none).
fn substitute(h: &mut impl EvalHost, text: String, span: Span, report: bool) -> String {
    // Most words have no `$` at all: one byte scan instead of a substring search.
    if memchr::memchr(b'$', text.as_bytes()).is_none() || !text.contains("${") {
        return text;
    }
    let text = text.as_str();
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(j) => {
                let name = &after[..j];
                match h.defines().get(name) {
                    Some(v) => out.push_str(v),
                    None if report => {
                        h.problem(Problem {
                            kind: ProblemKind::UndefinedVariable,
                            span,
                            message: format!("Config variable ${{{name}}} is not defined"),
                            related: vec![],
                        });
                        out.push_str(&rest[i..i + 3 + j]);
                    }
                    None => out.push_str(&rest[i..i + 3 + j]),
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn make_dir(
    h: &mut impl EvalHost,
    name: syn::Word,
    args: Vec<syn::Word>,
    raw: String,
    span: Span,
) -> Dir {
    let args = args
        .into_iter()
        .map(|w| Arg {
            value: substitute(h, w.value, w.span, true),
            span: w.span,
            quoted: w.quote.is_some(),
        })
        .collect();
    Dir {
        name: name.value,
        name_span: name.span,
        args,
        raw_args: substitute(h, raw, span, false),
        span,
    }
}

fn eval(h: &mut impl EvalHost, nodes: Vec<Node>, top: bool) -> Vec<Item> {
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        match n {
            Node::Comment(_) => {}
            Node::Directive(d) => {
                let dir = make_dir(h, d.name, d.args, d.raw_args, d.span);
                h.directive(dir, top, &mut out);
            }
            Node::Section(s) => {
                let kind = s.kind();
                let head = make_dir(h, s.name, s.args, s.raw_args, s.open);
                let cond = match kind.as_str() {
                    "ifmodule" => Some(if_module(h, &head)),
                    "ifdefine" => Some(if_define(h, &head)),
                    "ifversion" => Some(if_version(&head)),
                    _ => None,
                };
                match cond {
                    Some(true) => out.extend(eval(h, s.children, top)),
                    Some(false) => {
                        if kind == "ifmodule" && holds_auth(&s.children) {
                            h.skipped_auth(s.open, head.arg(0).unwrap_or("").to_string());
                        }
                    }
                    None => {
                        h.enter_section(s.open);
                        let items = eval(h, s.children, top);
                        h.leave_section();
                        out.push(Item::Block { head, items });
                    }
                }
            }
        }
    }
    out
}

fn if_module(h: &impl EvalHost, head: &Dir) -> bool {
    let arg = head.arg(0).unwrap_or("");
    let (neg, name) = match arg.strip_prefix('!') {
        Some(n) => (true, n),
        None => (false, arg),
    };
    h.has_module(name) != neg
}

fn if_define(h: &impl EvalHost, head: &Dir) -> bool {
    let arg = head.arg(0).unwrap_or("");
    let (neg, name) = match arg.strip_prefix('!') {
        Some(n) => (true, n),
        None => (false, arg),
    };
    h.defines().contains_key(name) != neg
}

fn syntax_problem(e: &syn::SyntaxError) -> Problem {
    Problem {
        kind: ProblemKind::Syntax,
        span: e.span,
        message: e.message.clone(),
        related: e.related.iter().cloned().collect(),
    }
}

/// Whether a subtree holds an auth directive (AuthType, Require, …).
fn holds_auth(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Directive(d) => super::AUTH_DIRECTIVES.iter().any(|a| d.is(a)),
        Node::Section(s) => holds_auth(&s.children),
        Node::Comment(_) => false,
    })
}

/// `<IfVersion [op] version>` against [`HTTPD_VERSION`].
fn if_version(head: &Dir) -> bool {
    let (op, ver) = match (head.arg(0), head.arg(1)) {
        (Some(op), Some(v)) => (op.to_string(), v.to_string()),
        (Some(v), None) => ("=".to_string(), v.to_string()),
        _ => return false,
    };
    let (neg, op) = match op.strip_prefix('!') {
        Some(o) => (true, o.to_string()),
        None => (false, op),
    };
    let (a, b, c) = HTTPD_VERSION;
    let full = format!("{a}.{b}.{c}");
    let res = if op == "~" || (ver.starts_with('/') && ver.ends_with('/') && ver.len() > 1) {
        let re = ver.trim_matches('/');
        regex::Regex::new(re)
            .map(|r| r.is_match(&full))
            .unwrap_or(false)
    } else {
        let parts: Vec<u32> = ver.split('.').filter_map(|p| p.parse().ok()).collect();
        let want = (
            parts.first().copied().unwrap_or(0),
            parts.get(1).copied().unwrap_or(0),
            parts.get(2).copied().unwrap_or(0),
        );
        // A partial version (`2.4`) matches any patch level for `=`.
        let have = if parts.len() < 3 && (op == "=" || op == "==") {
            (a, if parts.len() < 2 { 0 } else { b }, 0)
        } else {
            (a, b, c)
        };
        let have = if parts.len() < 2 && (op == "=" || op == "==") {
            (a, 0, 0)
        } else {
            have
        };
        match op.as_str() {
            "=" | "==" => have == want,
            ">" => (a, b, c) > want,
            ">=" => (a, b, c) >= want,
            "<" => (a, b, c) < want,
            "<=" => (a, b, c) <= want,
            _ => false,
        }
    };
    res != neg
}

pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}
