//! The effective settings of one level (`http`, `server`, `location`, `limit_except`)
//! after nginx's inheritance, and what they mean for a request.

use super::script::{ErrorPage, ScriptOp};
use crate::source::Span;
use std::path::PathBuf;
use std::sync::Arc;

/// A directive's value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
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
pub struct DocumentRoot {
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

/// A header or parameter sent upstream: (name, value).
pub type UpstreamField = Setting<(String, String)>;

/// Effective settings at one level. Inherited values are shared (`Arc`): a tree of
/// 10,000 locations under one `auth_basic_user_file` holds one copy of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub auth_basic: Option<Arc<Setting<Realm>>>,
    pub user_file: Option<Arc<Setting<UserFile>>>,
    /// `satisfy any` (true) or `all` (false).
    pub satisfy_any: Option<Arc<Setting<bool>>>,
    /// allow/deny rules: nginx inherits the whole list only when a level has none.
    pub access: Arc<[AccessRule]>,
    /// `root` or `alias`, whichever the level has in effect.
    pub root: Option<Arc<Setting<DocumentRoot>>>,
    /// `proxy_set_header` (inherited as a whole list, like nginx).
    pub proxy_headers: Arc<[UpstreamField]>,
    /// `fastcgi_param` (inherited as a whole list).
    pub fastcgi_params: Arc<[UpstreamField]>,
    /// `proxy_pass_request_headers off` / `fastcgi_pass_request_headers off`.
    pub request_headers_off: Option<Span>,
    /// `index` files, in order (nginx's default is `index.html`).
    pub index: Option<Arc<Setting<Vec<String>>>>,
    /// `autoindex on|off`.
    pub autoindex: Option<Arc<Setting<bool>>>,
    /// `error_page` (inherited as a whole list, like nginx).
    pub error_pages: Arc<[ErrorPage]>,
    /// `recursive_error_pages on|off`.
    pub recursive_error_pages: Option<Arc<Setting<bool>>>,
    /// `auth_request URI` (`None` as the value: `auth_request off`).
    pub auth_request: Option<Arc<Setting<Option<String>>>>,
    /// `merge_slashes on|off` (server level).
    pub merge_slashes: Option<Arc<Setting<bool>>>,
    // Not inherited: what this very block does.
    /// The rewrite module's directives in order (see [`super::script`]).
    pub script: Arc<[ScriptOp]>,
    /// `try_files` with its arguments.
    pub try_files_list: Option<Arc<Setting<Vec<String>>>>,
    /// The content handler the block sets (`proxy_pass`, `fastcgi_pass`, `uwsgi_pass`,
    /// `scgi_pass`, `grpc_pass`, `memcached_pass`, `stub_status`, `empty_gif`, …): the
    /// directive's name and argument.
    pub handler: Option<Arc<Setting<(String, String)>>>,
    /// `internal;`: only internal redirects reach the location.
    pub internal: Option<Span>,
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

impl Settings {
    /// What a nested block starts from: everything but the rewrite-phase and content
    /// handler directives, which belong to the block that writes them.
    pub fn inherited(&self) -> Settings {
        Settings {
            auth_basic: self.auth_basic.clone(),
            user_file: self.user_file.clone(),
            satisfy_any: self.satisfy_any.clone(),
            access: Arc::clone(&self.access),
            root: self.root.clone(),
            proxy_headers: Arc::clone(&self.proxy_headers),
            fastcgi_params: Arc::clone(&self.fastcgi_params),
            request_headers_off: self.request_headers_off,
            index: self.index.clone(),
            autoindex: self.autoindex.clone(),
            error_pages: Arc::clone(&self.error_pages),
            recursive_error_pages: self.recursive_error_pages.clone(),
            auth_request: self.auth_request.clone(),
            merge_slashes: self.merge_slashes.clone(),
            script: Arc::default(),
            try_files_list: None,
            handler: None,
            internal: None,
            rewrites: Vec::new(),
            returns: Vec::new(),
            proxy_pass: None,
            fastcgi_pass: None,
            try_files: None,
        }
    }

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
