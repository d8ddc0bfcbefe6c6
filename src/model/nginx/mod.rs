//! The nginx model: auth_basic coverage of every server and location.
//!
//! `load` reads nginx.conf (or one site file, assumed included from `http {}`), follows
//! `include` the way nginx does, and computes for every server, location and
//! `limit_except` the *effective* auth settings after nginx's inheritance
//! (http → server → location → nested location → limit_except; each directive inherits
//! on its own). [`NginxModel::find_location`] picks the location nginx would pick for a URI,
//! so rules can ask which configuration serves `/admin/x.php`.

mod build;
pub mod coverage;
mod loader;
mod matcher;
pub mod perms;
pub mod sample;

use crate::diag::{Diagnostic, Server as ServerKind};
use crate::model::{LoadOptions, PasswdRole, PasswdUse};
use crate::source::{Sources, Span};
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use build::client_controlled;
pub use loader::glob;

/// Everything htguard predicts about one nginx configuration tree.
#[derive(Debug, Default)]
pub struct NginxModel {
    /// The file checked (as given).
    pub conf_path: PathBuf,
    pub start: Option<NginxStart>,
    /// The conf prefix nginx resolves relative paths against (server view, with a trailing
    /// component-free form, e.g. `/etc/nginx`).
    pub prefix: PathBuf,
    /// The options the model was loaded with (for mapping server paths to local ones).
    pub opts: LoadOptions,
    /// The worker user that opens password files, and where it was set (if in the config).
    pub user: String,
    pub user_span: Option<Span>,
    /// Every server block, in configuration order.
    pub servers: Vec<VirtualServer>,
    /// The effective settings of the `http {}` level.
    pub http: Conf,
    /// `map $source $target { ... }` blocks, for reasoning about `auth_basic $var`.
    pub maps: Vec<MapDef>,
    /// `set $var value;` directives anywhere.
    pub sets: Vec<SetDef>,
    /// Every configuration file read, in reading order.
    pub files: Vec<PathBuf>,
    /// Cache of [`NginxModel::user_file_refs`].
    pub user_file_cache: std::cell::OnceCell<Vec<UserFileRef>>,
    /// Cache of [`NginxModel::user_files_by_path`].
    pub user_file_groups: std::cell::OnceCell<Vec<Vec<usize>>>,
}

/// A scope of one server, by index (see [`NginxModel::scope`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeRef {
    Server,
    Location(usize),
    LimitExcept(usize),
}

/// One `auth_basic_user_file` directive and every scope where nginx opens the file
/// (a realm other than `off` is in effect there too), as (server index, scope).
#[derive(Clone, Debug)]
pub struct UserFileRef {
    pub directive: Span,
    pub places: Vec<(usize, ScopeRef)>,
}

/// How the checked path enters nginx's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NginxStart {
    /// nginx.conf.
    MainConfig,
    /// A server/site file, assumed included from `http {}`.
    Snippet,
}

/// A directive value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set<T> {
    pub value: T,
    /// The whole directive.
    pub directive: Span,
    /// Its (first) argument.
    pub arg: Span,
}

/// The value of `auth_basic`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Realm {
    /// A literal realm: protection is on.
    Text(String),
    /// `auth_basic off;`.
    Off,
    /// A realm with variables: evaluated per request; the value `off` switches auth off.
    Variable(String),
}

/// The value of `auth_basic_user_file`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFile {
    /// As written.
    pub raw: String,
    /// Resolved against the conf prefix (variables left in place).
    pub server_path: PathBuf,
    /// Where that file is on this machine (`--root` applied).
    pub local_path: PathBuf,
    /// The path contains variables: nginx evaluates it per request.
    pub has_variable: bool,
    /// The path was relative (resolved against the conf prefix).
    pub relative: bool,
}

/// `allow` / `deny`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRule {
    pub allow: bool,
    /// `all`, an address, a CIDR, or `unix:`.
    pub what: String,
    pub span: Span,
}

/// `root` or `alias`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocRoot {
    pub alias: bool,
    pub raw: String,
    pub server_path: PathBuf,
    pub local_path: PathBuf,
    /// For `alias`: how many bytes of the URI the declaring location's prefix removes.
    pub strip: usize,
}

/// `rewrite regex replacement [flag];`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub span: Span,
    pub regex: String,
    pub replacement: String,
    /// `last`, `break`, `redirect`, `permanent`, or none.
    pub flag: Option<String>,
    /// Inside an `if` block.
    pub conditional: bool,
}

/// `return code [text|URL];` / `return URL;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Return {
    pub span: Span,
    pub code: Option<u16>,
    pub conditional: bool,
}

/// Effective settings at one level (after inheritance where nginx inherits).
/// Inherited values are shared (`Rc`): a tree of 10,000 locations holds one copy each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conf {
    pub auth_basic: Option<Rc<Set<Realm>>>,
    pub user_file: Option<Rc<Set<UserFile>>>,
    /// `satisfy any` (true) or `all` (false).
    pub satisfy_any: Option<Set<bool>>,
    /// allow/deny rules: nginx inherits the whole list only when a level has none.
    pub access: Rc<Vec<AccessRule>>,
    pub root: Option<Rc<Set<DocRoot>>>,
    /// `proxy_set_header` (inherited as a whole list, like nginx).
    pub proxy_headers: Rc<Vec<Set<(String, String)>>>,
    /// `fastcgi_param` (inherited as a whole list).
    pub fastcgi_params: Rc<Vec<Set<(String, String)>>>,
    /// `proxy_pass_request_headers off` / `fastcgi_pass_request_headers off`.
    pub request_headers_off: Option<Span>,
    // Not inherited: what this very block does.
    pub rewrites: Vec<Rewrite>,
    pub returns: Vec<Return>,
    pub proxy_pass: Option<Span>,
    pub fastcgi_pass: Option<Span>,
    pub try_files: Option<Span>,
}

/// Whether a request is asked for a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Realm and user file in effect.
    Protected,
    /// `auth_basic $var`: protected unless the variable evaluates to `off`.
    Switchable,
    /// Asked for a password, but `satisfy any` with an allow that matches every client.
    SatisfiedByAddress,
    /// No password: no auth_basic, `auth_basic off`, or only one of the two directives.
    Open,
}

impl Conf {
    /// The protection nginx applies under these settings.
    pub fn protection(&self) -> Protection {
        let Some(realm) = &self.auth_basic else {
            return Protection::Open;
        };
        if self.user_file.is_none() {
            return Protection::Open;
        }
        let base = match realm.value {
            Realm::Off => return Protection::Open,
            Realm::Text(_) => Protection::Protected,
            Realm::Variable(_) => Protection::Switchable,
        };
        if self.satisfy_any.as_ref().is_some_and(|s| s.value) && self.allow_all().is_some() {
            return Protection::SatisfiedByAddress;
        }
        base
    }

    /// True when a password is asked for (possibly switchable or bypassed by address).
    pub fn asks_password(&self) -> bool {
        self.protection() != Protection::Open
    }

    /// True when every request (or all but a few) is refused by `deny all` first.
    pub fn denies_all(&self) -> bool {
        self.access
            .first()
            .is_some_and(|r| !r.allow && r.what == "all")
    }

    /// The first access rule that lets every client in (`allow all`, `0.0.0.0/0`, `::/0`)
    /// before any deny that could match first.
    pub fn allow_all(&self) -> Option<&AccessRule> {
        for r in self.access.iter() {
            let everyone = matches!(r.what.as_str(), "all" | "0.0.0.0/0" | "::/0");
            if r.allow && everyone {
                return Some(r);
            }
            if !r.allow && r.what == "all" {
                return None;
            }
        }
        None
    }

    /// The realm text for display.
    pub fn realm_text(&self) -> Option<String> {
        self.auth_basic.as_ref().map(|r| match &r.value {
            Realm::Text(t) => t.clone(),
            Realm::Off => "off".to_string(),
            Realm::Variable(v) => v.clone(),
        })
    }
}

/// `listen` (or the implicit `listen *:80`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listen {
    /// `None` for the implicit default listen.
    pub span: Option<Span>,
    pub address: String,
    pub ssl: bool,
    pub default_server: bool,
    /// `quic`/`http3`: always encrypted.
    pub quic: bool,
}

/// One `server {}`.
#[derive(Clone, Debug, Default)]
pub struct VirtualServer {
    /// The `server` keyword.
    pub span: Span,
    pub listens: Vec<Listen>,
    pub names: Vec<String>,
    /// Effective server-level settings (what a URI matching no location gets).
    pub conf: Conf,
    /// All locations of this server, nested ones included (see `parent`/`children`).
    pub locations: Vec<Location>,
    /// Indices of the top-level locations, in file order.
    pub top: Vec<usize>,
    /// Cache of [`coverage::open_doors`] per location.
    pub doors: std::cell::OnceCell<Vec<Vec<(String, Served)>>>,
}

/// How a location matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocKind {
    /// `location /p`.
    Prefix,
    /// `location ^~ /p`: a match stops the regex search.
    NoRegexPrefix,
    /// `location = /p`.
    Exact,
    /// `location ~ re` / `location ~* re`.
    Regex { case_insensitive: bool },
    /// `location @name`: only internal redirects reach it.
    Named,
}

/// One `location`.
#[derive(Clone, Debug)]
pub struct Location {
    /// The `location` keyword.
    pub span: Span,
    /// The whole directive with its block.
    pub block_span: Span,
    pub kind: LocKind,
    pub pattern: String,
    pub pattern_span: Span,
    /// The compiled regex (`None` for non-regex locations, or when the pattern uses PCRE
    /// features the Rust engine lacks; see `regex_error`).
    pub regex: Option<Rc<regex::Regex>>,
    pub regex_error: Option<String>,
    /// For regex locations: example strings the regex matches (see [`sample`]).
    pub samples: std::rc::Rc<Vec<String>>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub conf: Conf,
    pub limit_except: Option<Box<LimitExcept>>,
}

impl Location {
    /// How the location is written, e.g. `location ~* \.php$`.
    pub fn describe(&self) -> String {
        match self.kind {
            LocKind::Prefix | LocKind::Named => format!("location {}", self.pattern),
            LocKind::NoRegexPrefix => format!("location ^~ {}", self.pattern),
            LocKind::Exact => format!("location = {}", self.pattern),
            LocKind::Regex {
                case_insensitive: false,
            } => format!("location ~ {}", self.pattern),
            LocKind::Regex {
                case_insensitive: true,
            } => format!("location ~* {}", self.pattern),
        }
    }

    /// True for prefix locations (`/p` and `^~ /p`).
    pub fn is_prefix(&self) -> bool {
        matches!(self.kind, LocKind::Prefix | LocKind::NoRegexPrefix)
    }
}

/// `limit_except METHOD... { ... }`: its settings apply to every method *not* listed.
#[derive(Clone, Debug)]
pub struct LimitExcept {
    pub span: Span,
    /// As written (GET implies HEAD in nginx).
    pub methods: Vec<String>,
    pub conf: Conf,
}

impl LimitExcept {
    /// True when `method` is one of the listed (exempt) methods.
    pub fn exempts(&self, method: &str) -> bool {
        self.methods.iter().any(|m| {
            m.eq_ignore_ascii_case(method) || (method == "HEAD" && m.eq_ignore_ascii_case("GET"))
        })
    }
}

/// `map $source $target { ... }`.
#[derive(Clone, Debug)]
pub struct MapDef {
    pub span: Span,
    pub source: String,
    pub target: String,
    /// Values the map can produce (default included), as written.
    pub values: Vec<(String, Span)>,
    /// The map has a `default` (otherwise unmatched requests get an empty value).
    pub has_default: bool,
}

/// `set $var value;`
#[derive(Clone, Debug)]
pub struct SetDef {
    pub span: Span,
    pub var: String,
    pub value: String,
}

/// Which configuration answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// No location matched: the server-level settings apply.
    Server,
    /// This location (index into `VirtualServer::locations`).
    Location(usize),
}

impl VirtualServer {
    /// The settings that apply to `method` on a location (or the server level).
    pub fn conf_for(&self, served: Served, method: &str) -> &Conf {
        match served {
            Served::Server => &self.conf,
            Served::Location(i) => {
                let loc = &self.locations[i];
                match &loc.limit_except {
                    Some(le) if !le.exempts(method) => &le.conf,
                    _ => &loc.conf,
                }
            }
        }
    }

    /// Display name: first server_name and first listen.
    pub fn describe(&self) -> String {
        let name = self
            .names
            .first()
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| "_".to_string());
        let listen = self
            .listens
            .first()
            .map(|l| l.address.clone())
            .unwrap_or_default();
        format!("server {name} ({listen})")
    }

    /// The location nginx picks for `uri` (nginx's algorithm; see `matcher`).
    pub fn find_location(&self, uri: &str) -> Served {
        matcher::find(self, uri)
    }

    /// A location's display path including its parents, e.g. `/admin/ > ~ \.php$`.
    pub fn location_path(&self, i: usize) -> String {
        let mut chain = vec![self.locations[i].describe()];
        let mut cur = self.locations[i].parent;
        while let Some(p) = cur {
            chain.push(self.locations[p].describe());
            cur = self.locations[p].parent;
        }
        chain.reverse();
        chain.join(" > ")
    }
}

/// Parse the configuration starting at `path` and build the model. Problems found while
/// reading (syntax errors, missing includes) are pushed to `diags`.
pub fn load(
    path: &Path,
    start: NginxStart,
    opts: &LoadOptions,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> NginxModel {
    let prefix = conf_prefix(path, start, opts);
    let (tree, files) = loader::Loader::new(opts, &prefix, sources, diags).load_root(path);
    let items = tree.root_items();
    if start == NginxStart::Snippet
        && let Some(first) = items.first()
    {
        let rule = &crate::rules::nginx::snippet_context::RULE.info;
        diags.push(
            Diagnostic::new(
                rule,
                first.name.span,
                format!(
                    "checked as a site file included from `http {{}}`, with conf prefix {} and worker user {}",
                    prefix.display(),
                    opts.server_user.as_deref().unwrap_or(build::DEFAULT_USER)
                ),
            )
            .label("read as if inside http { }")
            .help("check nginx.conf instead to use its real http-level settings, or pass --prefix / --server-user")
            .servers(&[ServerKind::Nginx]),
        );
    }
    let mut model = build::build(&tree, &items, start, opts, &prefix);
    model.conf_path = path.to_path_buf();
    model.start = Some(start);
    model.files = files;
    model
}

/// nginx's conf prefix: `--prefix`, else the directory of nginx.conf. For a site file,
/// the directory above `sites-enabled/`, `conf.d/` and the like (where nginx.conf lives
/// on Debian, Alpine and RHEL), else the file's own directory.
fn conf_prefix(path: &Path, start: NginxStart, opts: &LoadOptions) -> PathBuf {
    if let Some(p) = &opts.nginx_prefix {
        return p.clone();
    }
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let dir = server_view(&dir, opts);
    if start == NginxStart::Snippet {
        let site_dirs = [
            "sites-enabled",
            "sites-available",
            "conf.d",
            "http.d",
            "vhosts.d",
            "servers",
            "sites",
        ];
        if dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| site_dirs.contains(&n))
            && let Some(up) = dir.parent()
        {
            return up.to_path_buf();
        }
    }
    dir
}

/// A local path as the server sees it: with `--root DIR`, a path under DIR is `/` + rest.
fn server_view(local: &Path, opts: &LoadOptions) -> PathBuf {
    if let Some(root) = &opts.root {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.clone());
        if let Ok(rest) = local.strip_prefix(&root) {
            return Path::new("/").join(rest);
        }
    }
    local.to_path_buf()
}

impl NginxModel {
    /// The password files this configuration makes nginx read (paths without
    /// variables): one use per distinct (file, realm in effect), pointing at the first
    /// `auth_basic_user_file` that names the file under that realm. A generated tree
    /// naming one file in 10,000 locations yields a handful of uses, not 10,000.
    pub fn passwd_uses<'s>(&'s self) -> Vec<PasswdUse> {
        let mut out: Vec<PasswdUse> = Vec::new();
        let mut seen: std::collections::HashSet<(&Path, Option<&str>)> = Default::default();
        // Neighbouring locations usually name the same file: skip hashing the path again.
        let mut last: Option<(&Path, Option<&str>)> = None;
        let mut push = |conf: &'s Conf| {
            let Some(uf) = &conf.user_file else { return };
            if uf.value.has_variable {
                return;
            }
            let realm = match conf.auth_basic.as_ref().map(|r| &r.value) {
                Some(Realm::Text(t)) => Some(t.as_str()),
                _ => None,
            };
            let key = (uf.value.local_path.as_path(), realm);
            if last == Some(key) {
                return;
            }
            last = Some(key);
            if !seen.insert(key) {
                return;
            }
            let realm = realm.map(str::to_string);
            out.push(PasswdUse {
                server: ServerKind::Nginx,
                role: PasswdRole::Basic,
                server_path: uf.value.server_path.clone(),
                local_path: uf.value.local_path.clone(),
                directive: uf.directive,
                realm,
                user_file: None,
            });
        };
        push(&self.http);
        for s in &self.servers {
            push(&s.conf);
            for l in &s.locations {
                push(&l.conf);
                if let Some(le) = &l.limit_except {
                    push(&le.conf);
                }
            }
        }
        out
    }

    /// Every (server, served, conf) triple: server level, each location, each limit_except.
    pub fn scopes(&self) -> impl Iterator<Item = (&VirtualServer, Scope<'_>)> {
        self.servers.iter().flat_map(|s| {
            std::iter::once((s, Scope::Server(&s.conf))).chain(
                s.locations.iter().enumerate().flat_map(move |(i, l)| {
                    std::iter::once((s, Scope::Location(i, &l.conf))).chain(
                        l.limit_except
                            .iter()
                            .map(move |le| (s, Scope::LimitExcept(i, le))),
                    )
                }),
            )
        })
    }

    /// Every scope with its settings, by index.
    pub fn scope_refs(&self) -> impl Iterator<Item = (usize, ScopeRef, &Conf)> {
        self.servers.iter().enumerate().flat_map(|(si, s)| {
            std::iter::once((si, ScopeRef::Server, &s.conf)).chain(
                s.locations.iter().enumerate().flat_map(move |(i, l)| {
                    std::iter::once((si, ScopeRef::Location(i), &l.conf)).chain(
                        l.limit_except
                            .iter()
                            .map(move |le| (si, ScopeRef::LimitExcept(i), &le.conf)),
                    )
                }),
            )
        })
    }

    /// The scope a [`ScopeRef`] names.
    pub fn scope(&self, server: usize, r: ScopeRef) -> (&VirtualServer, Scope<'_>) {
        let s = &self.servers[server];
        let scope = match r {
            ScopeRef::Server => Scope::Server(&s.conf),
            ScopeRef::Location(i) => Scope::Location(i, &s.locations[i].conf),
            ScopeRef::LimitExcept(i) => match &s.locations[i].limit_except {
                Some(le) => Scope::LimitExcept(i, le),
                None => Scope::Location(i, &s.locations[i].conf),
            },
        };
        (s, scope)
    }

    /// Every user-file directive nginx actually opens, in configuration order, with the
    /// scopes where it does. Computed once (several rules ask).
    pub fn user_file_refs(&self) -> &[UserFileRef] {
        self.user_file_cache.get_or_init(|| {
            let mut out: Vec<UserFileRef> = Vec::new();
            let mut index: std::collections::HashMap<Span, usize> = Default::default();
            let mut last: Option<(Span, usize)> = None;
            for (si, r, conf) in self.scope_refs() {
                let Some(file) = &conf.user_file else {
                    continue;
                };
                if conf.protection() == Protection::Open {
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
                out[i].places.push((si, r));
            }
            out
        })
    }

    /// [`NginxModel::user_file_refs`] (by index) grouped by the local file they name,
    /// paths with variables left out; groups and members in configuration order.
    pub fn user_files_by_path(&self) -> &[Vec<usize>] {
        self.user_file_groups.get_or_init(|| {
            let refs = self.user_file_refs();
            let mut groups: Vec<Vec<usize>> = Vec::new();
            let mut index: std::collections::HashMap<&Path, usize> = Default::default();
            let mut last: Option<(&Path, usize)> = None;
            for (i, r) in refs.iter().enumerate() {
                let Some(&(si, sr)) = r.places.first() else {
                    continue;
                };
                let (_, scope) = self.scope(si, sr);
                let Some(f) = &scope.conf().user_file else {
                    continue;
                };
                if f.value.has_variable {
                    continue;
                }
                let path = f.value.local_path.as_path();
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
        })
    }

    /// Map a path nginx would open to this machine (`--root`).
    pub fn local(&self, server_path: &Path) -> PathBuf {
        self.opts.map_path(server_path)
    }
}

/// One place with effective settings.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    Server(&'a Conf),
    Location(usize, &'a Conf),
    LimitExcept(usize, &'a LimitExcept),
}

impl<'a> Scope<'a> {
    pub fn conf(&self) -> &'a Conf {
        match self {
            Scope::Server(c) | Scope::Location(_, c) => c,
            Scope::LimitExcept(_, le) => &le.conf,
        }
    }
}

#[cfg(test)]
mod tests;
