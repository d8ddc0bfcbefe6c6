//! The Apache configuration as the model holds it: servers (main and `<VirtualHost>`)
//! and per-directory scopes (server defaults, sections, `.htaccess`), each directive
//! with what encloses it.

use super::loader::Dir;
use crate::source::{FileId, Span};
use std::path::PathBuf;

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
    /// `IncludeOptional` of one file (no wildcard) that does not exist: httpd goes on
    /// without it, silently.
    OptionalMissing,
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
    /// The innermost `<If>`/`<ElseIf>`/`<Else>` block around the directive.
    pub condition: Option<std::sync::Arc<Condition>>,
}

/// `<If>`, `<ElseIf>` or `<Else>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    If,
    ElseIf,
    Else,
}

/// An `<If>`/`<ElseIf>`/`<Else>` block: its directives are merged after every
/// `<Location>` when its expression holds (core's `ap_if_walk`).
#[derive(Debug)]
pub struct Condition {
    pub kind: ConditionKind,
    /// The expression as written (empty for `<Else>`).
    pub expr: String,
    /// The opening tag: identifies the block.
    pub span: Span,
    /// The block this one is nested in.
    pub parent: Option<std::sync::Arc<Condition>>,
    /// For `<ElseIf>`/`<Else>`: the `<If>`/`<ElseIf>` before it in the chain.
    pub previous: Option<std::sync::Arc<Condition>>,
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
    /// For `.htaccess`: every directive and section httpd meets in the file, in order
    /// (sections nested in it included), for the override and module checks.
    pub htaccess_commands: Vec<HtaccessCommand>,
}

/// A directive or section opening of a `.htaccess`, as httpd looks it up.
#[derive(Clone, Debug)]
pub struct HtaccessCommand {
    /// The name as written; a section keeps its `<` (`<Files`), as httpd's command table.
    pub name: String,
    pub name_span: Span,
    /// The override classes that allow it, from the definitions of the modules httpd
    /// loads (None: no loaded module defines it). Looked up once, when the file is read:
    /// every merge through the directory asks.
    pub loaded_classes: Option<super::directives::Classes>,
    /// httpd's argument-count error for it, if any (at the arguments).
    pub arity_error: Option<(Span, String)>,
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
    /// Whether any unconditional `Require` line is in the scope.
    pub fn has_require(&self) -> bool {
        self.directives
            .iter()
            .any(|d| !d.conditional && d.dir.is("require"))
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

/// An assumption htguard made about context it could not see.
#[derive(Clone, Debug)]
pub struct Assumption {
    pub span: Span,
    pub message: String,
}

/// A directive in a scope: `model.scopes[scope].directives[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DirectiveRef {
    pub scope: usize,
    pub index: usize,
}
