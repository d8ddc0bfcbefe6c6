//! The Apache httpd 2.4 model: what the server will do with a configuration tree.
//!
//! `load` reads the tree as httpd does ([`loader`]: includes, `${VAR}`, `<IfModule>`…),
//! splits it into servers (main + `<VirtualHost>`) and per-directory *scopes*
//! (server defaults, `<Directory>`, `<Files>`, `<Location>`, `.htaccess`), finds the
//! `.htaccess` files under every DocumentRoot and `<Directory>`, and builds one
//! [`Area`] per scope that carries auth directives: the configuration merged in httpd's
//! order at that place ([`merge`]), from which the rules predict 401, 500 or "open".

pub mod access;
pub mod loader;
pub mod merge;
pub mod stock;
pub mod walk;

use crate::diag::{Diagnostic, Server};
use crate::model::{LoadOptions, PasswdRole, PasswdUse};
use crate::source::{FileId, Sources, Span};
pub use loader::{Arg, Dir, Item, Module};
pub use merge::{Authz, Effective, Outcome, Probe};
use std::path::{Path, PathBuf};

/// How the checked path enters Apache's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ApacheStart {
    /// apache2.conf / httpd.conf.
    #[default]
    MainConfig,
    /// A vhost or conf snippet, assumed included from a stock main config.
    Snippet,
    /// A lone `.htaccess`, assumed under stock defaults.
    Htaccess,
}

/// A problem met while reading the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    pub related: Vec<(Span, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Bad syntax (unclosed or mismatched section, missing `>`).
    Syntax,
    /// `Include` of a missing file or a wildcard matching nothing.
    IncludeMissing,
    /// A file includes itself (directly or not).
    IncludeCycle,
    /// `${VAR}` that no `Define` (or Debian envvars) sets.
    UndefinedVariable,
}

/// What kind of per-directory scope a [`Scope`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// Directives outside any section (the server's defaults).
    Server,
    Directory,
    DirectoryMatch,
    Files,
    FilesMatch,
    Location,
    LocationMatch,
    Htaccess,
}

impl ScopeKind {
    pub fn is_dir_kind(self) -> bool {
        matches!(
            self,
            ScopeKind::Directory | ScopeKind::DirectoryMatch | ScopeKind::Htaccess
        )
    }
}

/// `<Limit>` / `<LimitExcept>` around a directive.
#[derive(Clone, Debug)]
pub struct Limit {
    pub methods: Vec<String>,
    pub except: bool,
    pub span: Span,
}

impl Limit {
    /// Whether a request with `method` is inside the limit (`GET` covers `HEAD`).
    pub fn covers(&self, method: &str) -> bool {
        let m = if method.eq_ignore_ascii_case("HEAD") {
            "GET"
        } else {
            method
        };
        let listed = self.methods.iter().any(|x| x.eq_ignore_ascii_case(m));
        listed != self.except
    }
}

/// `<RequireAll>`, `<RequireAny>`, `<RequireNone>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    All,
    Any,
    None,
}

/// A directive inside a scope, with what encloses it there.
#[derive(Clone, Debug)]
pub struct ScopedDir {
    pub dir: Dir,
    pub limit: Option<std::sync::Arc<Limit>>,
    /// Enclosing Require containers, outermost first (with the opening tag's span).
    pub containers: Vec<(ContainerKind, Span)>,
    /// Inside `<If>`/`<ElseIf>`/`<Else>`: applies only when an expression holds at request time.
    pub conditional: bool,
}

/// One per-directory configuration section (or `.htaccess`, or the server defaults).
#[derive(Clone, Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    /// Index into [`ApacheModel::servers`].
    pub server: usize,
    /// The path, URL or file pattern as written (after `${VAR}`); for `.htaccess`, its
    /// directory (server path).
    pub pattern: String,
    /// The pattern is a regular expression (`~` or a `…Match` section).
    pub is_regex: bool,
    pub regex: Option<regex::Regex>,
    /// The opening tag (or the `.htaccess` file's first line, or the first directive).
    pub head: Span,
    pub file: FileId,
    pub directives: Vec<ScopedDir>,
    /// The scope a `<Files>` is nested in.
    pub parent: Option<usize>,
    /// For `.htaccess`: syntax errors (any makes the directory answer 500).
    pub htaccess_errors: Vec<Problem>,
}

impl Scope {
    /// Directives named `name` that apply unconditionally.
    pub fn find<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (usize, &'a ScopedDir)> + 'a {
        self.directives
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.dir.is(name))
    }
    pub fn last(&self, name: &str) -> Option<&ScopedDir> {
        self.directives
            .iter()
            .rev()
            .find(|d| d.dir.is(name) && !d.conditional)
    }
    /// A short human name: `<Directory "/var/www/admin">`, `.htaccess in /srv/x`.
    pub fn describe(&self) -> String {
        match self.kind {
            ScopeKind::Server => "server config".into(),
            ScopeKind::Htaccess => format!(".htaccess in {}", self.pattern),
            k => format!("<{:?} \"{}\">", k, self.pattern),
        }
    }
    pub fn has_auth(&self) -> bool {
        self.directives
            .iter()
            .any(|d| AUTH_DIRECTIVES.iter().any(|n| d.dir.is(n)))
    }
}

/// Directives that make a scope a protected area worth modelling.
pub const AUTH_DIRECTIVES: &[&str] = &[
    "AuthType",
    "AuthName",
    "AuthUserFile",
    "AuthGroupFile",
    "AuthBasicProvider",
    "AuthDigestProvider",
    "Require",
    "Satisfy",
    "AuthMerging",
];

/// The main server or a `<VirtualHost>`.
#[derive(Clone, Debug, Default)]
pub struct VServer {
    /// The `<VirtualHost …>` tag (None for the main server).
    pub span: Option<Span>,
    pub addrs: Vec<String>,
    pub name: Option<String>,
    /// `SSLEngine on` in this server.
    pub tls: bool,
    /// DocumentRoot (server path) and the directive that set it (None: inherited/default).
    pub document_root: Option<(PathBuf, Option<Span>)>,
    /// The scope of directives outside sections in this server.
    pub defaults: usize,
}

impl VServer {
    pub fn describe(&self) -> String {
        match (&self.span, &self.name) {
            (None, _) => "the main server".into(),
            (Some(_), Some(n)) => format!("<VirtualHost {}> ({n})", self.addrs.join(" ")),
            (Some(_), None) => format!("<VirtualHost {}>", self.addrs.join(" ")),
        }
    }
}

/// A place with auth configuration, and what httpd does there.
#[derive(Clone, Debug)]
pub struct Area {
    /// The scope whose directives make this an area.
    pub scope: usize,
    pub probe: Probe,
    pub eff: Effective,
    /// What a GET answers, once asked (most Apache rules ask).
    get: std::sync::OnceLock<Outcome>,
    /// Facts most rules ask of every area, read once here: each costs loads through
    /// the area's own vectors and the model's scopes (cache misses, 11,000 areas deep).
    live: bool,
    auth_type: bool,
    basic: bool,
    digest: bool,
    file_provider: bool,
}

impl Area {
    /// An area of `m` (whose scopes are final: the facts kept here are read from them).
    pub fn new(m: &ApacheModel, scope: usize, probe: Probe, eff: Effective) -> Area {
        let (auth_type, basic, digest, file_provider) = eff.auth_facts(m);
        Area {
            live: eff.applied.contains(&scope) && eff.broken.is_none(),
            auth_type,
            basic,
            digest,
            file_provider,
            scope,
            probe,
            eff,
            get: std::sync::OnceLock::new(),
        }
    }

    /// Its own directives are in effect (not in a `.htaccess` httpd ignores or refuses).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// An AuthType other than `None` is in effect ([`Effective::auth_type`] is set).
    pub fn has_auth_type(&self) -> bool {
        self.auth_type
    }

    /// The AuthType in effect is Basic.
    pub fn is_basic(&self) -> bool {
        self.basic
    }

    /// [`Effective::is_digest`].
    pub fn is_digest(&self) -> bool {
        self.digest
    }

    /// [`Effective::uses_file_provider`].
    pub fn uses_file_provider(&self) -> bool {
        self.file_provider
    }

    /// What httpd answers a `method` request without credentials here
    /// ([`Effective::outcome`]; a GET's answer is worked out once).
    pub fn outcome(&self, m: &ApacheModel, method: &str) -> Outcome {
        if method == "GET" {
            return self.get.get_or_init(|| self.eff.outcome(m, "GET")).clone();
        }
        self.eff.outcome(m, method)
    }
}

/// An assumption htguard made about context it could not see.
#[derive(Clone, Debug)]
pub struct Assumption {
    pub span: Span,
    pub message: String,
}

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
    /// For each `.htaccess` scope (by scope index): what httpd does with it.
    pub htaccess_states: Vec<Option<merge::HtState>>,
    /// uid and gids of the worker user (from /etc/passwd and /etc/group under `--root`);
    /// None when the user is unknown there.
    pub worker: Option<access::Identity>,
    /// `<IfModule>` blocks with auth directives that httpd skips (module not loaded).
    pub skipped_auth: Vec<(Span, String)>,
    pub index: merge::ScopeIndex,
    /// [`ApacheModel::passwd_directives`], found once (the engine and AP020 both ask).
    passwd_directives: std::sync::OnceLock<Vec<(usize, merge::DRef, PasswdRole)>>,
}

/// Parse the configuration starting at `path` and build the model. Problems found while
/// reading (syntax errors, missing includes) are kept in the model; the AP rules report them.
pub fn load(
    path: &Path,
    start: ApacheStart,
    opts: &LoadOptions,
    sources: &mut Sources,
    _diags: &mut Vec<Diagnostic>,
) -> ApacheModel {
    let server_path = server_path_of(path, opts);
    let default_root = match start {
        ApacheStart::MainConfig => server_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/")),
        _ => PathBuf::from(stock::SERVER_ROOT),
    };
    let root = opts.server_root.clone().unwrap_or(default_root);
    let mut ld = loader::Loader::new(opts, sources, root);
    let mut assumptions = Vec::new();
    let items = match start {
        ApacheStart::MainConfig => ld.load_file(&server_path, None),
        ApacheStart::Snippet | ApacheStart::Htaccess => {
            let stock_id = ld
                .sources
                .add(stock::STOCK_PATH, stock::STOCK_CONF.as_bytes().to_vec());
            let parsed = crate::syntax::apache::parse(stock_id, stock::STOCK_CONF.as_bytes());
            let mut nodes_items = ld.eval_nodes(parsed.nodes);
            if start == ApacheStart::Snippet {
                nodes_items.extend(ld.load_file(&server_path, None));
                let span = ld
                    .files
                    .iter()
                    .find(|(p, _)| *p == server_path)
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
            nodes_items
        }
    };
    let mut model = ApacheModel {
        start,
        entry: path.to_path_buf(),
        opts: opts.clone(),
        ..Default::default()
    };
    crate::phase::mark("apache load_file");
    build(&mut model, &mut ld, items);
    crate::phase::mark("apache build");
    if start == ApacheStart::Htaccess {
        attach_lone_htaccess(&mut model, &mut ld, &server_path, &mut assumptions);
    } else {
        discover_htaccess(&mut model, &mut ld);
    }
    crate::phase::mark("apache htaccess");
    model.server_root = ld.server_root.clone();
    model.server_root_span = ld.server_root_span;
    model.modules = ld.modules.clone();
    model.problems = std::mem::take(&mut ld.problems);
    model.files = std::mem::take(&mut ld.files);
    model.skipped_auth = std::mem::take(&mut ld.skipped_auth);
    model.assumptions = assumptions;
    if let Some(u) = &opts.server_user {
        model.user = (u.clone(), None);
    }
    model.worker = access::identity(opts.root.as_deref(), &model.user.0, &model.group.0);
    crate::phase::mark("apache misc");
    merge::build_areas(&mut model);
    crate::phase::mark("apache areas");
    model
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

/// Split the evaluated tree into servers and scopes.
fn build(model: &mut ApacheModel, ld: &mut loader::Loader<'_>, items: Vec<Item>) {
    model.user = ("www-data".into(), None);
    model.group = ("www-data".into(), None);
    model.access_file_name = ".htaccess".into();
    model.servers.push(VServer::default());
    let file = items.first().map(item_file).unwrap_or(0);
    let defaults = new_scope(
        &mut model.scopes,
        ScopeKind::Server,
        0,
        String::new(),
        false,
        Span::new(file, 0, 0),
        None,
    );
    model.servers[0].defaults = defaults;
    // Debian's compiled-in DocumentRoot.
    model.servers[0].document_root = Some((PathBuf::from("/var/www/html"), None));
    walk_server(model, ld, items, 0, defaults);
}

fn item_file(i: &Item) -> FileId {
    match i {
        Item::Dir(d) => d.span.file,
        Item::Block { head, .. } => head.span.file,
    }
}

fn new_scope(
    scopes: &mut Vec<Scope>,
    kind: ScopeKind,
    server: usize,
    pattern: String,
    is_regex: bool,
    head: Span,
    parent: Option<usize>,
) -> usize {
    let regex = if is_regex {
        regex::Regex::new(&pattern).ok()
    } else {
        None
    };
    scopes.push(Scope {
        kind,
        server,
        pattern,
        is_regex,
        regex,
        head,
        file: head.file,
        directives: Vec::new(),
        parent,
        htaccess_errors: Vec::new(),
    });
    scopes.len() - 1
}

/// Items at server level (main or vhost).
fn walk_server(
    model: &mut ApacheModel,
    ld: &mut loader::Loader<'_>,
    items: Vec<Item>,
    server: usize,
    defaults: usize,
) {
    for it in items {
        match it {
            Item::Dir(d) => server_directive(model, ld, d, server, defaults),
            Item::Block { head, items } => {
                let kind = head.name.to_ascii_lowercase();
                match kind.as_str() {
                    "virtualhost" if server == 0 => {
                        let vs = VServer {
                            span: Some(head.span),
                            addrs: head.args.iter().map(|a| a.value.clone()).collect(),
                            ..Default::default()
                        };
                        model.servers.push(vs);
                        let idx = model.servers.len() - 1;
                        let d = new_scope(
                            &mut model.scopes,
                            ScopeKind::Server,
                            idx,
                            String::new(),
                            false,
                            head.span,
                            None,
                        );
                        model.servers[idx].defaults = d;
                        walk_server(model, ld, items, idx, d);
                    }
                    "authnprovideralias" => {
                        if let Some(alias) = head.arg(1) {
                            model.provider_aliases.push(alias.to_string());
                        }
                    }
                    "macro" | "proxy" | "proxymatch" => {}
                    _ => {
                        if let Some(sk) = section_kind(&kind) {
                            open_section(&mut model.scopes, &head, items, sk, server, None);
                        } else {
                            // Limit, Require containers, If… at server level.
                            collect_dirs(
                                &mut model.scopes,
                                defaults,
                                items,
                                &Ctx::from_head(&head, &Ctx::default()),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn server_directive(
    model: &mut ApacheModel,
    _ld: &mut loader::Loader<'_>,
    d: Dir,
    server: usize,
    defaults: usize,
) {
    let lname = d.name.to_ascii_lowercase();
    match lname.as_str() {
        "user" if server == 0 => {
            if let Some(v) = d.arg(0) {
                model.user = (v.to_string(), Some(d.args_span()));
            }
        }
        "group" if server == 0 => {
            if let Some(v) = d.arg(0) {
                model.group = (v.to_string(), Some(d.args_span()));
            }
        }
        "accessfilename" if server == 0 => {
            if let Some(v) = d.arg(0) {
                model.access_file_name = v.to_string();
            }
        }
        "documentroot" => {
            if let Some(v) = d.arg(0) {
                let p = _ld.server_relative(v);
                model.servers[server].document_root = Some((p, Some(d.args_span())));
            }
        }
        "servername" => model.servers[server].name = d.arg(0).map(str::to_string),
        "sslengine" => {
            model.servers[server].tls = d.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("on"))
        }
        _ => {}
    }
    model.scopes[defaults].directives.push(ScopedDir {
        dir: d,
        limit: None,
        containers: Vec::new(),
        conditional: false,
    });
}

fn section_kind(lname: &str) -> Option<ScopeKind> {
    Some(match lname {
        "directory" => ScopeKind::Directory,
        "directorymatch" => ScopeKind::DirectoryMatch,
        "files" => ScopeKind::Files,
        "filesmatch" => ScopeKind::FilesMatch,
        "location" => ScopeKind::Location,
        "locationmatch" => ScopeKind::LocationMatch,
        _ => return None,
    })
}

fn open_section(
    scopes: &mut Vec<Scope>,
    head: &Dir,
    items: Vec<Item>,
    kind: ScopeKind,
    server: usize,
    parent: Option<usize>,
) {
    let (pattern, tilde) = match (head.arg(0), head.arg(1)) {
        (Some("~"), Some(p)) => (p.to_string(), true),
        (Some(p), _) => (p.to_string(), false),
        _ => (String::new(), false),
    };
    let is_regex = tilde
        || matches!(
            kind,
            ScopeKind::DirectoryMatch | ScopeKind::FilesMatch | ScopeKind::LocationMatch
        );
    let kind = match (kind, is_regex) {
        (ScopeKind::Directory, true) => ScopeKind::DirectoryMatch,
        (ScopeKind::Files, true) => ScopeKind::FilesMatch,
        (ScopeKind::Location, true) => ScopeKind::LocationMatch,
        (k, _) => k,
    };
    let idx = new_scope(scopes, kind, server, pattern, is_regex, head.span, parent);
    collect_dirs(scopes, idx, items, &Ctx::default());
}

/// What encloses a directive inside a scope.
#[derive(Clone, Default)]
struct Ctx {
    limit: Option<std::sync::Arc<Limit>>,
    containers: Vec<(ContainerKind, Span)>,
    conditional: bool,
}

impl Ctx {
    fn from_head(head: &Dir, parent: &Ctx) -> Ctx {
        let mut c = parent.clone();
        match head.name.to_ascii_lowercase().as_str() {
            "limit" | "limitexcept" => {
                // Shared by every directive inside (each keeps a reference).
                c.limit = Some(std::sync::Arc::new(Limit {
                    methods: head
                        .args
                        .iter()
                        .map(|a| a.value.to_ascii_uppercase())
                        .collect(),
                    except: head.is("LimitExcept"),
                    span: head.span,
                }))
            }
            "requireall" => c.containers.push((ContainerKind::All, head.span)),
            "requireany" => c.containers.push((ContainerKind::Any, head.span)),
            "requirenone" => c.containers.push((ContainerKind::None, head.span)),
            _ => c.conditional = true,
        }
        c
    }
}

fn collect_dirs(scopes: &mut Vec<Scope>, scope: usize, items: Vec<Item>, ctx: &Ctx) {
    scopes[scope].directives.reserve(items.len());
    for it in items {
        match it {
            Item::Dir(d) => scopes[scope].directives.push(ScopedDir {
                dir: d,
                limit: ctx.limit.clone(),
                containers: ctx.containers.clone(),
                conditional: ctx.conditional,
            }),
            Item::Block { head, items } => {
                let lname = head.name.to_ascii_lowercase();
                match section_kind(&lname) {
                    Some(k @ (ScopeKind::Files | ScopeKind::FilesMatch)) => {
                        let server = scopes[scope].server;
                        open_section(scopes, &head, items, k, server, Some(scope));
                    }
                    Some(_) => {} // not allowed nested; httpd refuses to start
                    None => collect_dirs(scopes, scope, items, &Ctx::from_head(&head, ctx)),
                }
            }
        }
    }
}

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

fn discover_htaccess(model: &mut ApacheModel, ld: &mut loader::Loader<'_>) {
    use rayon::prelude::*;
    let roots: Vec<(PathBuf, PathBuf)> = htaccess_roots(model)
        .into_iter()
        .map(|r| {
            let local = model.opts.map_path(&r);
            (r, local)
        })
        .collect();
    crate::phase::mark("ht roots");
    let found = walk::find_files(&roots, &model.access_file_name);
    crate::phase::mark("ht walk");
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
    crate::phase::mark("ht parse");
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
    let mut scopes = Vec::new();
    htaccess_scopes(&mut scopes, id, dir, items, parsed.errors);
    HtaccessScopes {
        scopes,
        problems: ev.problems,
        skipped_auth: ev.skipped_auth,
    }
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
fn attach_lone_htaccess(
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

/// The module that defines an auth-related directive (lower-case name).
pub fn directive_module(lname: &str) -> Option<&'static str> {
    Some(match lname {
        "authtype" | "authname" => "authn_core_module",
        "authuserfile" => "authn_file_module",
        "authgroupfile" => "authz_groupfile_module",
        "authbasicprovider" | "authbasicauthoritative" | "authbasicfake" => "auth_basic_module",
        "authdigestprovider" | "authdigestqop" | "authdigestdomain" | "authdigestalgorithm" => {
            "auth_digest_module"
        }
        "require" | "authmerging" | "authzsendforbiddenonfailure" => "authz_core_module",
        "order" | "allow" | "deny" | "satisfy" => "access_compat_module",
        _ => return None,
    })
}

/// Directives that take exactly one argument (AP_INIT_TAKE1 in httpd's source).
pub const TAKE1: &[&str] = &[
    "AuthType",
    "AuthName",
    "AuthUserFile",
    "AuthGroupFile",
    "AuthMerging",
    "Satisfy",
    "Order",
    "DocumentRoot",
    "ServerRoot",
    "User",
    "Group",
    "AccessFileName",
];

/// httpd's own argument-count error for a TAKE1 directive ("X takes one argument").
pub fn arity_error(d: &Dir) -> Option<String> {
    // One argument is right for every directive this knows (asked first: it is cheap).
    if d.args.len() == 1 {
        return None;
    }
    let name = TAKE1.iter().find(|n| d.is(n))?;
    Some(format!("{name} takes one argument, {}", take1_doc(name)))
}

fn take1_doc(name: &str) -> &'static str {
    match name {
        "AuthType" => "an HTTP authorization type (e.g., \"Basic\")",
        "AuthName" => "the authentication realm (e.g. \"Members Only\")",
        "AuthUserFile" => "text file containing user IDs and passwords",
        "AuthGroupFile" => "text file containing group names and member user IDs",
        _ => "see the httpd documentation",
    }
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
    pub fn dir(&self, r: merge::DRef) -> &ScopedDir {
        &self.scopes[r.scope].directives[r.index]
    }

    /// The password files this configuration makes Apache read: one use per directive.
    pub fn passwd_uses(&self) -> Vec<PasswdUse> {
        use rayon::prelude::*;
        // The directives first, which needs no allocation; then their paths and realms,
        // side by side.
        self.passwd_directives()
            .par_iter()
            .map(|&(k, r, role)| {
                let eff = &self.areas[k].eff;
                let d = &self.dir(r).dir;
                let realm = eff
                    .auth_name
                    .map(|r| self.dir(r).dir.arg(0).unwrap_or("").to_string());
                let user_file = (role == PasswdRole::Group)
                    .then_some(eff.user_file)
                    .flatten()
                    .map(|r| self.local(&self.resolve(self.dir(r).dir.arg(0).unwrap_or(""))));
                let server_path = self.resolve(d.arg(0).unwrap_or(""));
                PasswdUse {
                    server: Server::Apache,
                    role,
                    local_path: self.local(&server_path),
                    server_path,
                    directive: d.args_span(),
                    realm,
                    user_file,
                }
            })
            .collect()
    }

    /// The directives that make Apache read a password file, each (with its role) once,
    /// in area order: (the first area it is in effect for, the directive, its role).
    pub fn passwd_directives(&self) -> &[(usize, merge::DRef, PasswdRole)] {
        self.passwd_directives
            .get_or_init(|| self.find_passwd_directives())
    }

    fn find_passwd_directives(&self) -> Vec<(usize, merge::DRef, PasswdRole)> {
        let mut todo: Vec<(usize, merge::DRef, PasswdRole)> = Vec::new();
        // The roles each directive was seen in, one bit per role, by scope. A scope's
        // setting in effect is always its last line of that name, so (scope, role)
        // names one directive: a flag per scope, not a hash per area.
        let mut seen = vec![0u8; self.scopes.len()];
        for (k, area) in self.areas.iter().enumerate() {
            let eff = &area.eff;
            let basic_role = if area.is_digest() {
                PasswdRole::Digest
            } else {
                PasswdRole::Basic
            };
            for (r, role) in [
                (eff.user_file, basic_role),
                (eff.group_file, PasswdRole::Group),
            ] {
                let Some(r) = r else { continue };
                if role != PasswdRole::Group && !area.uses_file_provider() {
                    continue;
                }
                let bit = 1u8 << role as u8;
                if seen[r.scope] & bit != 0 {
                    continue;
                }
                seen[r.scope] |= bit;
                todo.push((k, r, role));
            }
        }
        // A directive without a path names no file, in any area: drop it now, side by
        // side (reading each directive is a trip through the model's scopes).
        use rayon::prelude::*;
        todo.into_par_iter()
            .filter(|&(_, r, _)| self.dir(r).dir.arg(0).is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests;
