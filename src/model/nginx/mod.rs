//! The nginx model: what nginx holds after reading its configuration, for the
//! questions rules (and, next, a request evaluator) ask.
//!
//! [`load`] reads nginx.conf (or one site file, assumed included from `http {}`),
//! follows `include` the way nginx does, and builds every server with its listens and
//! names, its location tree (kinds, patterns, compiled regexes) and the *effective*
//! settings of each level after nginx's inheritance (http → server → location → nested
//! location → limit_except; each directive inherits on its own).
//! [`VirtualServer::find_location`] picks the location nginx would pick for a URI.
//!
//! The model is frozen once built (`Send + Sync`, no caches): what several rules ask
//! (the user files nginx opens, the open doors of each location) is computed here,
//! once. What nginx would refuse while reading (syntax errors, includes it cannot
//! follow) is data in [`NginxModel::problems`], which rules turn into findings.

mod build;
pub mod coverage;
mod inherit;
mod loader;
mod location_match;
mod paths;
pub mod perms;
pub mod reach;
mod refusals;
pub mod request;
pub mod roots;
pub mod sample;
pub mod script;
mod server;
mod settings;
mod user_files;
mod variables;

pub use build::DEFAULT_USER;
pub use server::{
    LimitExcept, Listen, Location, LocationKind, LocationLevel, OpenDoor, Served, VirtualServer,
};
pub use settings::{
    AccessRule, DocumentRoot, Protection, Realm, Return, Rewrite, Setting, Settings, UpstreamField,
    UserFile,
};
pub use user_files::UserFileRef;
pub use variables::{MapEntry, SetVariable, VariableMap, client_controlled};

use crate::model::LoadOptions;
use crate::source::{Sources, Span};
use std::path::{Path, PathBuf};

/// Everything htguard predicts about one nginx configuration tree.
#[derive(Debug, Default)]
pub struct NginxModel {
    /// The file checked (as given).
    pub conf_path: PathBuf,
    pub start: NginxStart,
    /// The conf prefix nginx resolves relative paths against (server view, e.g.
    /// `/etc/nginx`).
    pub prefix: PathBuf,
    /// The options the model was loaded with (for mapping server paths to local ones).
    pub opts: LoadOptions,
    /// The worker user that opens password files, and where it was set (if in the config).
    pub user: String,
    pub user_span: Option<Span>,
    /// Every server block, in configuration order.
    pub servers: Vec<VirtualServer>,
    /// The effective settings of the `http {}` level.
    pub http: Settings,
    /// `map $source $target { ... }` blocks, for reasoning about `auth_basic $var`.
    pub maps: Vec<VariableMap>,
    /// `set $var value;` directives anywhere.
    pub sets: Vec<SetVariable>,
    /// Every configuration file read, in reading order.
    pub files: Vec<PathBuf>,
    /// What nginx would refuse while reading the files.
    pub problems: Vec<Problem>,
    /// What htguard assumed about context it could not see.
    pub assumptions: Vec<Assumption>,
    /// Every user-file directive nginx actually opens, in configuration order, with
    /// the scopes where it does.
    pub user_files: Vec<UserFileRef>,
    /// [`NginxModel::user_files`] (by index) grouped by the local file they name,
    /// paths with variables left out; groups and members in configuration order.
    pub user_files_by_path: Vec<Vec<usize>>,
    /// For each group of [`NginxModel::user_files_by_path`]: the file's stat, links
    /// followed as nginx's open() follows them; `None` when there is no file to stat.
    pub user_files_on_disk: Vec<Option<std::fs::Metadata>>,
    /// Listening addresses and server names, for choosing the server of a request.
    pub server_index: request::select::ServerIndex,
}

/// How the checked path enters nginx's configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NginxStart {
    /// nginx.conf.
    #[default]
    MainConfig,
    /// A server/site file, assumed included from `http {}`.
    Snippet,
}

/// Something nginx would refuse while reading its configuration (`nginx -t` fails).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    /// What is wrong, worded as nginx words it where it has words for it.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// nginx reads no further: the tokenizer stopped, or a directive is named as no
    /// directive of any module is (`unknown directive`).
    Syntax,
    /// An included file that cannot be opened (missing, unreadable, a directory).
    IncludeNotOpened {
        /// The include path was relative (resolved against the conf prefix).
        relative: bool,
    },
    /// An include that leads back to a file being read.
    IncludeCycle,
    /// Includes nested deeper than htguard follows them.
    IncludeTooDeep,
    /// Read, but refused when nginx builds its configuration (a duplicate location, a
    /// second default server for one address, …).
    Refused,
}

/// An assumption htguard made about context it could not see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumption {
    pub span: Span,
    pub message: String,
}

/// A scope of one server, by index (see [`NginxModel::scope`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeRef {
    Server,
    Location(usize),
    LimitExcept(usize),
}

impl ScopeRef {
    /// The settings of this scope of server `s` (a location's own when it has no
    /// `limit_except`).
    pub fn settings(self, s: &VirtualServer) -> &Settings {
        match self {
            ScopeRef::Server => &s.settings,
            ScopeRef::Location(i) => &s.locations[i].settings,
            ScopeRef::LimitExcept(i) => match &s.locations[i].limit_except {
                Some(le) => &le.settings,
                None => &s.locations[i].settings,
            },
        }
    }
}

/// One place with effective settings.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    Server(&'a Settings),
    Location(usize, &'a Settings),
    LimitExcept(usize, &'a LimitExcept),
}

impl<'a> Scope<'a> {
    pub fn settings(&self) -> &'a Settings {
        match self {
            Scope::Server(c) | Scope::Location(_, c) => c,
            Scope::LimitExcept(_, le) => &le.settings,
        }
    }
}

/// Parse the configuration starting at `path` and build the model. What nginx would
/// refuse while reading is kept in [`NginxModel::problems`].
pub fn load(
    path: &Path,
    start: NginxStart,
    opts: &LoadOptions,
    sources: &mut Sources,
) -> NginxModel {
    let prefix = paths::conf_prefix(path, start, opts);
    let loaded = loader::Loader::new(opts, &prefix, sources).load_root(path);
    let items = loaded.tree.root_items();
    let user = opts.server_user.as_deref().unwrap_or(DEFAULT_USER);
    let assumptions = match (start, items.first()) {
        (NginxStart::Snippet, Some(first)) => vec![Assumption {
            span: first.name.span,
            message: format!(
                "checked as a site file included from `http {{}}`, with conf prefix {} and worker user {user}",
                prefix.display(),
            ),
        }],
        _ => Vec::new(),
    };
    let declared = build::build(&loaded.tree, &items, start, opts, &prefix);
    // The model keeps spans, not directives: free the parse tree now, and what is built
    // next reuses its memory.
    drop(items);
    let loader::Loaded {
        tree,
        files,
        problems: loader_problems,
    } = loaded;
    drop(tree);
    let mut servers = declared.servers;
    for s in &mut servers {
        s.open_doors = coverage::open_doors(s);
    }
    let user_files = user_files::user_file_refs(&servers);
    let user_files_by_path = user_files::group_by_path(&servers, &user_files);
    let user_files_on_disk = user_files::on_disk(&servers, &user_files, &user_files_by_path);
    let (declared_user, user_span) = declared.user.unzip();
    let server_index = request::select::ServerIndex::new(&servers);
    let mut problems = loader_problems;
    problems.extend(refusals::refusals(&servers, sources));
    NginxModel {
        conf_path: path.to_path_buf(),
        start,
        prefix,
        opts: opts.clone(),
        user: match &opts.server_user {
            Some(u) => u.clone(),
            None => declared_user.unwrap_or_else(|| DEFAULT_USER.to_string()),
        },
        user_span,
        servers,
        http: declared.http,
        maps: declared.maps,
        sets: declared.sets,
        files,
        problems,
        assumptions,
        user_files,
        user_files_by_path,
        user_files_on_disk,
        server_index,
    }
}

impl NginxModel {
    /// Every (server, scope) pair: server level, each location, each limit_except.
    pub fn scopes(&self) -> impl Iterator<Item = (&VirtualServer, Scope<'_>)> {
        self.servers.iter().flat_map(|s| {
            std::iter::once((s, Scope::Server(&s.settings))).chain(
                s.locations.iter().enumerate().flat_map(move |(i, l)| {
                    std::iter::once((s, Scope::Location(i, &l.settings))).chain(
                        l.limit_except
                            .iter()
                            .map(move |le| (s, Scope::LimitExcept(i, le))),
                    )
                }),
            )
        })
    }

    /// The scope a [`ScopeRef`] names.
    pub fn scope(&self, server: usize, r: ScopeRef) -> (&VirtualServer, Scope<'_>) {
        let s = &self.servers[server];
        let scope = match r {
            ScopeRef::Server => Scope::Server(&s.settings),
            ScopeRef::Location(i) => Scope::Location(i, &s.locations[i].settings),
            ScopeRef::LimitExcept(i) => match &s.locations[i].limit_except {
                Some(le) => Scope::LimitExcept(i, le),
                None => Scope::Location(i, &s.locations[i].settings),
            },
        };
        (s, scope)
    }

    /// The prefix relative `root` and `alias` paths resolve against (nginx's `-p`,
    /// else the compiled-in `/usr/share/nginx`); nginx's default root is `html` there.
    pub fn install_prefix(&self) -> PathBuf {
        inherit::install_prefix(&self.opts)
    }

    /// Map a path nginx would open to this machine (`--root`).
    pub fn local(&self, server_path: &Path) -> PathBuf {
        self.opts.map_path(server_path)
    }
}

#[cfg(test)]
mod tests;
