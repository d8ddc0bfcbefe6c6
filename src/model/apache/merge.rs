//! httpd's per-request merge and access decision, replayed without a request.
//!
//! Sections merge in core's order (server/request.c): server defaults (main, then vhost),
//! non-regex `<Directory>` from `/` down — with each level's `.htaccess` read where
//! `AllowOverride` lets it — then regex `<Directory ~>`/`<DirectoryMatch>`, then
//! `<Files>`/`<FilesMatch>`, then `<Location>`/`<LocationMatch>`; a vhost's sections
//! come after the main server's of the same kind. `Require` sections merge as
//! mod_authz_core's `merge_authz_core_dir_config` does (AuthMerging Off/unset: the newer
//! section replaces the older) and are evaluated like its `apply_authz_sections`,
//! including `<Limit>` method masks. mod_access_compat's Order/Allow/Deny/Satisfy come
//! first, as in `ap_process_request_internal`.

use super::{ApacheModel, ContainerKind, Limit, Scope, ScopeKind};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A directive in a scope: `model.scopes[scope].directives[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DRef {
    pub scope: usize,
    pub index: usize,
}

/// Where a simulated request goes.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    pub server: usize,
    /// The directory (server path) the request maps to.
    pub dir: Option<PathBuf>,
    /// The file name inside `dir` (for `<Files>`).
    pub file: Option<String>,
    /// The URL path (for `<Location>`).
    pub url: Option<String>,
    /// A scope to apply even if the probe cannot show that it matches (regex sections).
    pub force: Option<usize>,
}

/// What happened to a `.htaccess` on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtState {
    Applied,
    /// Not read: `AllowOverride None` (the directive, or None for the default).
    Ignored {
        allow_override: Option<DRef>,
    },
    /// Read but refused: the directory answers 500.
    Broken {
        at: Span,
        reason: String,
        allow_override: Option<DRef>,
    },
}

/// A node of the authorization tree.
#[derive(Clone, Debug)]
pub enum AzNode {
    Req {
        r: DRef,
        provider: String,
        args: Vec<String>,
        negate: bool,
        limit: Option<std::sync::Arc<Limit>>,
    },
    Group {
        op: ContainerKind,
        span: Option<Span>,
        children: Vec<AzNode>,
    },
}

/// The merged `Require` configuration and the scopes it came from.
#[derive(Clone, Debug)]
pub struct Authz {
    /// Shared: every place below a section carries its `Require` tree (and the trees it
    /// replaced), and thousands of places share the same ones.
    pub root: std::sync::Arc<AzNode>,
    pub scopes: Vec<usize>,
}

/// An older `Require` set that a newer section replaced (AuthMerging Off).
#[derive(Clone, Debug)]
pub struct Replaced {
    pub old: Authz,
    pub by_scope: usize,
}

/// The configuration in effect at a probe.
#[derive(Clone, Debug, Default)]
pub struct Effective {
    pub applied: Vec<usize>,
    pub htaccess: Vec<(usize, HtState)>,
    pub auth_type: Option<DRef>,
    pub auth_name: Option<DRef>,
    pub user_file: Option<DRef>,
    pub group_file: Option<DRef>,
    pub basic_provider: Option<DRef>,
    pub digest_provider: Option<DRef>,
    pub satisfy: Option<DRef>,
    pub order: Option<DRef>,
    pub allows: Vec<DRef>,
    pub denies: Vec<DRef>,
    pub allow_override: Option<DRef>,
    pub authz: Option<Authz>,
    pub replaced: Vec<Replaced>,
    /// The first reason the whole place answers 500 (a broken `.htaccess`).
    pub broken: Option<(Span, String)>,
}

/// authz_core's `authz_status`, for a client with no credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AzResult {
    Granted,
    Denied,
    DeniedNoUser,
    Neutral,
}

/// Why a place is open to everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenWhy {
    /// No `Require` at all and no AuthType.
    NoAuthz,
    /// A `Require` grants everyone (e.g. `Require all granted`).
    Granted,
    /// The `Require` lines are limited to other methods (`<Limit>`).
    NotLimited,
    /// `Satisfy Any` and the host rules let everyone in.
    SatisfyAny,
}

/// What httpd answers an anonymous request from an arbitrary remote client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Open(OpenWhy),
    /// 401 with a challenge: credentials are checked.
    Challenge,
    Forbidden,
    Error500(String),
}

impl Outcome {
    pub fn is_open(&self) -> bool {
        matches!(self, Outcome::Open(_))
    }
}

impl Effective {
    fn value<'m>(&self, m: &'m ApacheModel, r: Option<DRef>) -> Option<&'m str> {
        r.and_then(|r| m.dir(r).dir.arg(0))
    }

    /// The AuthType in effect, lower-case; None for unset or `None`.
    pub fn auth_type(&self, m: &ApacheModel) -> Option<String> {
        self.auth_type_as_written(m).map(str::to_ascii_lowercase)
    }

    /// [`Effective::auth_type`] as written, without allocating.
    fn auth_type_as_written<'m>(&self, m: &'m ApacheModel) -> Option<&'m str> {
        self.value(m, self.auth_type)
            .filter(|t| !t.eq_ignore_ascii_case("none"))
    }

    pub fn is_digest(&self, m: &ApacheModel) -> bool {
        // `auth_type` without its allocation: this runs several times per area.
        self.value(m, self.auth_type)
            .is_some_and(|t| t.eq_ignore_ascii_case("digest"))
    }

    /// The authn providers in effect for the AuthType (default `file`).
    pub fn providers(&self, m: &ApacheModel) -> Vec<(String, Option<DRef>)> {
        let r = if self.is_digest(m) {
            self.digest_provider
        } else {
            self.basic_provider
        };
        match r {
            Some(r) => m
                .dir(r)
                .dir
                .args
                .iter()
                .map(|a| (a.value.clone(), Some(r)))
                .collect(),
            None => vec![("file".into(), None)],
        }
    }

    pub fn uses_file_provider(&self, m: &ApacheModel) -> bool {
        self.uses_file_provider_for(m, self.is_digest(m))
    }

    /// [`Effective::uses_file_provider`], the AuthType being Digest or not (`digest`).
    fn uses_file_provider_for(&self, m: &ApacheModel, digest: bool) -> bool {
        // `providers` without its allocations: this runs for every area.
        let r = if digest {
            self.digest_provider
        } else {
            self.basic_provider
        };
        r.is_none_or(|r| m.dir(r).dir.args.iter().any(|a| a.value == "file"))
    }

    /// The facts an [`Area`](super::Area) keeps, from one reading of the AuthType:
    /// (AuthType other than `None`, Basic, Digest, `file` provider).
    pub(super) fn auth_facts(&self, m: &ApacheModel) -> (bool, bool, bool, bool) {
        let ty = self.value(m, self.auth_type);
        let is = |name: &str| ty.is_some_and(|t| t.eq_ignore_ascii_case(name));
        let (set, basic, digest) = (ty.is_some() && !is("none"), is("basic"), is("digest"));
        (set, basic, digest, self.uses_file_provider_for(m, digest))
    }

    /// Every `Require` leaf in effect.
    pub fn requires(&self) -> Vec<&AzNode> {
        fn go<'a>(n: &'a AzNode, out: &mut Vec<&'a AzNode>) {
            match n {
                AzNode::Req { .. } => out.push(n),
                AzNode::Group { children, .. } => children.iter().for_each(|c| go(c, out)),
            }
        }
        let mut out = Vec::new();
        if let Some(a) = &self.authz {
            go(&a.root, &mut out);
        }
        out
    }

    /// What httpd answers an anonymous request with `method`.
    pub fn outcome(&self, m: &ApacheModel, method: &str) -> Outcome {
        if let Some((_, why)) = &self.broken {
            return Outcome::Error500(why.clone());
        }
        if m.has_module("access_compat_module") {
            let any = self
                .value(m, self.satisfy)
                .is_some_and(|v| v.eq_ignore_ascii_case("any"));
            let host_ok = self.hosts_allow_everyone(m);
            if any && host_ok {
                return Outcome::Open(OpenWhy::SatisfyAny);
            }
            if !any && !host_ok {
                return Outcome::Forbidden;
            }
        }
        let auth_type = self.auth_type_as_written(m);
        let Some(authz) = &self.authz else {
            return if auth_type.is_some() {
                Outcome::Error500(
                    "AuthType configured with no corresponding authorization directives (AH01627)"
                        .into(),
                )
            } else {
                Outcome::Open(OpenWhy::NoAuthz)
            };
        };
        if !limited(&authz.root, method) {
            return Outcome::Open(OpenWhy::NotLimited);
        }
        match apply(&authz.root, method, true) {
            AzResult::Granted => Outcome::Open(OpenWhy::Granted),
            AzResult::Denied | AzResult::Neutral => Outcome::Forbidden,
            AzResult::DeniedNoUser => {
                let Some(written) = auth_type else {
                    return Outcome::Error500(
                        "Require needs a user but no AuthType is set (AH00027)".into(),
                    );
                };
                let known = [
                    ("basic", "auth_basic_module"),
                    ("digest", "auth_digest_module"),
                ]
                .into_iter()
                .find(|(t, _)| written.eq_ignore_ascii_case(t));
                match known {
                    Some((t, module)) if !m.has_module(module) => Outcome::Error500(format!(
                        "AuthType {t} configured without mod_auth_{t} loaded (AH01796)"
                    )),
                    Some(_) if self.auth_name.is_none() => {
                        Outcome::Error500("AuthType set without AuthName".into())
                    }
                    _ => Outcome::Challenge,
                }
            }
        }
    }

    /// mod_access_compat's host check for a client no Allow/Deny names specifically.
    pub fn hosts_allow_everyone(&self, m: &ApacheModel) -> bool {
        let matches_all = |r: &DRef| {
            let d = &m.dir(*r).dir;
            d.args
                .iter()
                .skip(1)
                .any(|a| a.value.eq_ignore_ascii_case("all"))
        };
        let allow = self.allows.iter().any(matches_all);
        let deny = self.denies.iter().any(matches_all);
        // `Order` as mod_access_compat reads it: case and spaces do not matter.
        let deny_first = self.value(m, self.order).is_none_or(|o| {
            o.bytes()
                .filter(|&b| b != b' ')
                .map(|b| b.to_ascii_lowercase())
                .eq(b"deny,allow".iter().copied())
        });
        if deny_first {
            !deny || allow
        } else {
            allow && !deny
        }
    }
}

/// Whether `method` is inside the node's method mask.
pub fn limited(n: &AzNode, method: &str) -> bool {
    match n {
        AzNode::Req { limit, .. } => limit.as_ref().is_none_or(|l| l.covers(method)),
        AzNode::Group { children, .. } => children.iter().any(|c| limited(c, method)),
    }
}

/// authz_core's `apply_authz_sections` for an anonymous, arbitrary remote client.
pub fn apply(n: &AzNode, method: &str, parent_and: bool) -> AzResult {
    if !limited(n, method) {
        return if parent_and {
            AzResult::Granted
        } else {
            AzResult::Neutral
        };
    }
    let (result, negate) = match n {
        AzNode::Req {
            provider,
            args,
            negate,
            ..
        } => (provider_result(provider, args, method), *negate),
        AzNode::Group { op, children, .. } => {
            let and = *op == ContainerKind::All;
            let mut res = AzResult::Neutral;
            for c in children {
                let r = apply(c, method, and);
                if r == AzResult::Neutral {
                    continue;
                }
                if and {
                    if r == AzResult::Denied {
                        res = r;
                        break;
                    }
                    if (r == AzResult::DeniedNoUser && res != AzResult::Denied)
                        || res == AzResult::Neutral
                    {
                        res = r;
                    }
                } else {
                    if r == AzResult::Granted {
                        res = r;
                        break;
                    }
                    if (r == AzResult::DeniedNoUser && res == AzResult::Denied)
                        || res == AzResult::Neutral
                    {
                        res = r;
                    }
                }
            }
            (res, *op == ContainerKind::None)
        }
    };
    if negate {
        match result {
            AzResult::Granted => AzResult::Denied,
            AzResult::Denied | AzResult::DeniedNoUser => AzResult::Neutral,
            r => r,
        }
    } else {
        result
    }
}

/// [`needs_user`] for a provider name as written (any case), without an allocation.
pub fn needs_user_any_case(provider: &str) -> bool {
    let mut buf = [0u8; NAME_BUF];
    match provider.len() <= NAME_BUF && provider.is_ascii() {
        true => needs_user(lower_name(provider, &mut buf)),
        false => needs_user(&provider.to_ascii_lowercase()),
    }
}

/// Providers that need an authenticated user (lower-case name).
pub fn needs_user(provider: &str) -> bool {
    matches!(
        provider,
        "valid-user" | "user" | "group" | "file-owner" | "file-group" | "dbm-group" | "dbd-group"
    ) || provider.starts_with("ldap-")
}

fn provider_result(provider: &str, args: &[String], method: &str) -> AzResult {
    match provider {
        "all" => match args.first().map(|a| a.to_ascii_lowercase()).as_deref() {
            Some("granted") => AzResult::Granted,
            _ => AzResult::Denied,
        },
        "method" => {
            if args.iter().any(|a| a.eq_ignore_ascii_case(method)) {
                AzResult::Granted
            } else {
                AzResult::Denied
            }
        }
        p if needs_user(p) => AzResult::DeniedNoUser,
        // ip, host, local, env, expr, forward-dns: not an arbitrary remote client.
        _ => AzResult::Denied,
    }
}

/// Number of path components as `ap_count_dirs` sees a `<Directory>` path (`/` is 1).
fn dir_depth(p: &str) -> usize {
    1 + p.split('/').filter(|s| !s.is_empty()).count()
}

/// `<Location>` matching (core's location_walk): prefix on a segment boundary, or a glob.
pub fn location_matches(pattern: &str, url: &str) -> bool {
    if !url.starts_with(pattern) {
        return false;
    }
    pattern.ends_with('/')
        || url.len() == pattern.len()
        || url.as_bytes().get(pattern.len()) == Some(&b'/')
}

/// Override classes of the directives htguard knows (`AllowOverride` keywords).
fn override_class(lname: &str) -> Option<&'static str> {
    Some(match lname {
        "authtype"
        | "authname"
        | "authuserfile"
        | "authgroupfile"
        | "authbasicprovider"
        | "authdigestprovider"
        | "require"
        | "authmerging"
        | "satisfy"
        | "authbasicauthoritative"
        | "authdigestdomain"
        | "authzsendforbiddenonfailure" => "authconfig",
        "order" | "allow" | "deny" => "limit",
        "options" => "options",
        "directoryindex" | "indexoptions" | "indexignore" | "headername" | "readmename"
        | "expiresactive" | "expiresdefault" | "expiresbytype" | "adddescription" => "indexes",
        "addtype" | "addhandler" | "addcharset" | "adddefaultcharset" | "addencoding"
        | "addlanguage" | "defaultlanguage" | "errordocument" | "rewriteengine" | "rewriterule"
        | "rewritecond" | "rewritebase" | "redirect" | "redirectmatch" | "redirectpermanent"
        | "header" | "requestheader" | "setenvif" | "setenv" | "forcetype" | "sethandler"
        | "setoutputfilter" => "fileinfo",
        _ => return None,
    })
}

/// Whether `AllowOverride`'s arguments (in any case) let `class` (lower-case) through.
fn override_allows(args: &[super::loader::Arg], class: &str) -> bool {
    args.iter().any(|a| {
        let a = a.value.split('=').next().unwrap_or("");
        a.eq_ignore_ascii_case("all") || a.eq_ignore_ascii_case(class)
    })
}

/// The state of `.htaccess` scope `h` under `allow` (the AllowOverride in effect).
fn htaccess_state(m: &ApacheModel, h: &Scope, allow: Option<DRef>) -> HtState {
    // Never set anywhere (core's OR_UNSET|OR_NONE): httpd still reads the file, but no
    // override class is allowed, so any auth directive is "not allowed here" (500).
    // Only an explicit `AllowOverride None` skips the file.
    let args: &[super::loader::Arg] = allow.map_or(&[], |r| &m.dir(r).dir.args);
    if allow.is_some() && args.iter().all(|a| a.value.eq_ignore_ascii_case("none")) {
        return HtState::Ignored {
            allow_override: allow,
        };
    }
    if let Some(e) = h.htaccess_errors.first() {
        return HtState::Broken {
            at: e.span,
            reason: e.message.clone(),
            allow_override: allow,
        };
    }
    for d in &h.directives {
        let mut buf = [0u8; NAME_BUF];
        let lname = lower_name(&d.dir.name, &mut buf);
        if let Some(class) = override_class(lname)
            && !override_allows(args, class)
        {
            return HtState::Broken {
                at: d.dir.name_span,
                reason: format!("{} not allowed here", d.dir.name),
                allow_override: allow,
            };
        }
        if let Some(module) = super::directive_module(lname)
            && !m.has_module(module)
        {
            return HtState::Broken {
                at: d.dir.name_span,
                reason: format!(
                    "Invalid command '{}', perhaps misspelled or defined by a module not included in the server configuration",
                    d.dir.name
                ),
                allow_override: allow,
            };
        }
        if let Some(why) = super::arity_error(&d.dir) {
            return HtState::Broken {
                at: d.dir.args_span(),
                reason: why,
                allow_override: allow,
            };
        }
    }
    HtState::Applied
}

/// Scopes by kind and path, built once so that a probe does not scan every scope.
#[derive(Debug, Default)]
pub struct ScopeIndex {
    /// Non-regex `<Directory>` without wildcards, by normalized path ([`path_key`]).
    dirs: HashMap<OsString, Vec<usize>>,
    /// Non-regex `<Directory>` with wildcards.
    wild_dirs: Vec<usize>,
    dir_regex: Vec<usize>,
    htaccess: HashMap<OsString, Vec<usize>>,
    files: Vec<usize>,
    /// `<Location>`/`<LocationMatch>` by the server they are in, ascending: a probe
    /// looks at the main server's and its own, not at every virtual host's.
    locations: HashMap<usize, Vec<usize>>,
    /// Compiled globs of wildcard Directory/Files/Location patterns.
    globs: HashMap<usize, globset::GlobMatcher>,
    /// Servers by their DocumentRoot (ascending server index).
    docroots: HashMap<OsString, Vec<usize>>,
    /// The lengths of those keys, ascending: a path's ancestors of other lengths are no
    /// DocumentRoot, so they need no lookup.
    docroot_lens: Vec<usize>,
    /// Each scope's own `Require` tree, built the first time a place merges the scope:
    /// thousands of places below one section share it instead of each building a copy.
    requires: Vec<std::sync::OnceLock<std::sync::Arc<AzNode>>>,
}

/// [`crate::model::path_key`], owned: the ancestors of a key are keys too.
pub(super) fn path_key(p: &Path) -> OsString {
    crate::model::path_key(p).into_owned()
}

/// `Path::ancestors` of a [`path_key`], by byte search: a key is already normal, so
/// each parent is the text before the last `/` (the root's parent is none).
pub(super) fn key_ancestors(key: &OsStr) -> impl Iterator<Item = &OsStr> {
    std::iter::successors(Some(key.as_bytes()), |k| {
        if k.is_empty() || *k == b"/" {
            return None;
        }
        Some(match k.iter().rposition(|&c| c == b'/') {
            Some(0) => &b"/"[..],
            Some(i) => &k[..i],
            None => &b""[..],
        })
    })
    .map(OsStr::from_bytes)
}

fn normalize_dir(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        "/".into()
    } else {
        t.to_string()
    }
}

impl ScopeIndex {
    pub fn build(scopes: &[Scope]) -> Self {
        let mut ix = ScopeIndex {
            requires: (0..scopes.len()).map(|_| Default::default()).collect(),
            ..Default::default()
        };
        let count = |k: ScopeKind| scopes.iter().filter(|s| s.kind == k).count();
        ix.htaccess.reserve(count(ScopeKind::Htaccess));
        ix.dirs.reserve(count(ScopeKind::Directory));
        let glob = |p: &str| {
            globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        };
        for (i, s) in scopes.iter().enumerate() {
            match s.kind {
                ScopeKind::Directory => {
                    let p = normalize_dir(&s.pattern);
                    if super::loader::has_wildcard(&p) {
                        if let Some(g) = glob(&p) {
                            ix.globs.insert(i, g);
                        }
                        ix.wild_dirs.push(i);
                    } else {
                        ix.dirs.entry(path_key(Path::new(&p))).or_default().push(i);
                    }
                }
                ScopeKind::DirectoryMatch => ix.dir_regex.push(i),
                ScopeKind::Htaccess => ix
                    .htaccess
                    .entry(path_key(Path::new(&s.pattern)))
                    .or_default()
                    .push(i),
                ScopeKind::Files | ScopeKind::FilesMatch => {
                    if !s.is_regex
                        && let Some(g) = glob(&s.pattern)
                    {
                        ix.globs.insert(i, g);
                    }
                    ix.files.push(i);
                }
                ScopeKind::Location | ScopeKind::LocationMatch => {
                    if !s.is_regex
                        && super::loader::has_wildcard(&s.pattern)
                        && let Some(g) = glob(&s.pattern)
                    {
                        ix.globs.insert(i, g);
                    }
                    ix.locations.entry(s.server).or_default().push(i);
                }
                ScopeKind::Server => {}
            }
        }
        ix
    }
}

/// The configuration in effect for `probe`.
pub fn effective(m: &ApacheModel, probe: &Probe) -> Effective {
    let mut eff = server_defaults(m, probe.server);
    if let Some(dir) = &probe.dir {
        apply_dir_levels(m, probe.server, dir, 0..usize::MAX, &mut eff);
    }
    apply_after_dirs(m, probe, &mut eff);
    eff
}

/// The main server's defaults, then the virtual host's.
fn server_defaults(m: &ApacheModel, server: usize) -> Effective {
    let mut eff = Effective::default();
    apply_scope(m, m.servers[0].defaults, &mut eff);
    if server != 0 {
        apply_scope(m, m.servers[server].defaults, &mut eff);
    }
    eff
}

/// The number of directory levels [`apply_dir_levels`] walks for `dir` (`/` is one).
fn dir_level_count(dir: &Path) -> usize {
    key_ancestors(&path_key(dir)).count()
}

/// Non-regex `<Directory>` sections and `.htaccess` files from `/` down to `dir`, the
/// levels in `range` only (level 0 is `/`): a directory's siblings share every level
/// but the last, so [`build_areas`] merges those once.
fn apply_dir_levels(
    m: &ApacheModel,
    server: usize,
    dir: &Path,
    range: std::ops::Range<usize>,
    eff: &mut Effective,
) {
    let ix = &m.index;
    let in_server = |s: &Scope| s.server == 0 || s.server == server;
    // `/`, `/var`, `/var/www`, … down to the directory itself.
    // The same levels as index keys (same count: each ancestor drops one component).
    let dir_key = path_key(dir);
    let mut keys: Vec<&OsStr> = key_ancestors(&dir_key).collect();
    keys.reverse();
    // Wildcard `<Directory>` globs match the path as spelled (only they need it).
    let mut levels: Vec<&Path> = Vec::new();
    if !ix.wild_dirs.is_empty() {
        levels = dir.ancestors().collect();
        levels.reverse();
    }
    let mut here: Vec<usize> = Vec::new();
    for (level, key) in keys.into_iter().enumerate() {
        if !range.contains(&level) {
            continue;
        }
        here.clear();
        here.extend(
            ix.dirs
                .get(key)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| in_server(&m.scopes[i])),
        );
        if let Some(prefix) = levels.get(level) {
            let pstr = prefix.to_string_lossy();
            here.extend(ix.wild_dirs.iter().copied().filter(|&i| {
                in_server(&m.scopes[i])
                    && dir_depth(&m.scopes[i].pattern) == level + 1
                    && ix.globs.get(&i).is_some_and(|g| g.is_match(pstr.as_ref()))
            }));
        }
        if here.len() > 1 {
            here.sort_by_key(|&i| (m.scopes[i].server != 0, i));
        }
        for &i in &here {
            apply_scope(m, i, eff);
        }
        for &i in ix.htaccess.get(key).into_iter().flatten() {
            let st = htaccess_state(m, &m.scopes[i], eff.allow_override);
            match &st {
                HtState::Applied => apply_scope(m, i, eff),
                HtState::Broken { at, reason, .. } => {
                    if eff.broken.is_none() {
                        eff.broken = Some((*at, reason.clone()));
                    }
                }
                HtState::Ignored { .. } => {}
            }
            push_exact(&mut eff.htaccess, (i, st));
        }
    }
}

/// Regex `<Directory>`, then `<Files>`, then `<Location>` sections, then a forced scope.
fn apply_after_dirs(m: &ApacheModel, probe: &Probe, eff: &mut Effective) {
    let ix = &m.index;
    let in_server = |s: &Scope| s.server == 0 || s.server == probe.server;
    if let Some(dir) = &probe.dir
        && !ix.dir_regex.is_empty()
    {
        let dstr = dir.to_string_lossy().into_owned();
        let dslash = format!("{}/", dstr.trim_end_matches('/'));
        for &i in &ix.dir_regex {
            let s = &m.scopes[i];
            if in_server(s)
                && s.regex
                    .as_ref()
                    .is_some_and(|r| r.is_match(&dstr) || r.is_match(&dslash))
            {
                apply_scope(m, i, eff);
            }
        }
    }
    if let Some(name) = &probe.file {
        let mut files: Vec<usize> = ix
            .files
            .iter()
            .copied()
            .filter(|&i| {
                let s = &m.scopes[i];
                match s.parent {
                    None => in_server(s),
                    Some(p) => eff.applied.contains(&p),
                }
            })
            .collect();
        files.sort_by_key(|&i| (m.scopes[i].parent.is_some(), m.scopes[i].server != 0, i));
        for i in files {
            let s = &m.scopes[i];
            let hit = match &s.regex {
                Some(r) => r.is_match(name),
                None if s.is_regex => false,
                None => ix.globs.get(&i).is_some_and(|g| g.is_match(name)),
            };
            if hit {
                apply_scope(m, i, eff);
            }
        }
    }
    if let Some(url) = &probe.url {
        // The main server's sections first, then the virtual host's, each in order.
        let main = ix.locations.get(&0).into_iter().flatten();
        let own = (probe.server != 0)
            .then(|| ix.locations.get(&probe.server))
            .flatten()
            .into_iter()
            .flatten();
        for &i in main.chain(own) {
            let s = &m.scopes[i];
            let hit = match (&s.regex, ix.globs.get(&i)) {
                (Some(r), _) => r.is_match(url),
                _ if s.is_regex => false,
                (None, Some(g)) => g.is_match(url),
                (None, None) => location_matches(&s.pattern, url),
            };
            if hit {
                apply_scope(m, i, eff);
            }
        }
    }
    if let Some(f) = probe.force
        && !eff.applied.contains(&f)
    {
        apply_scope(m, f, eff);
    }
}

fn apply_scope(m: &ApacheModel, idx: usize, eff: &mut Effective) {
    let s = &m.scopes[idx];
    push_exact(&mut eff.applied, idx);
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    let mut merging: Option<String> = None;
    let mut has_require = false;
    for (index, d) in s.directives.iter().enumerate() {
        if d.conditional {
            continue;
        }
        let r = DRef { scope: idx, index };
        let mut buf = [0u8; NAME_BUF];
        match lower_name(&d.dir.name, &mut buf) {
            "authtype" => eff.auth_type = Some(r),
            "authname" => eff.auth_name = Some(r),
            "authuserfile" => eff.user_file = Some(r),
            "authgroupfile" => eff.group_file = Some(r),
            "authbasicprovider" => eff.basic_provider = Some(r),
            "authdigestprovider" => eff.digest_provider = Some(r),
            "satisfy" => eff.satisfy = Some(r),
            "order" => eff.order = Some(r),
            "allow" => allows.push(r),
            "deny" => denies.push(r),
            "allowoverride" if s.kind == ScopeKind::Directory => eff.allow_override = Some(r),
            "authmerging" => merging = d.dir.arg(0).map(str::to_ascii_lowercase),
            "require" => has_require = true,
            _ => {}
        }
    }
    if !allows.is_empty() || !denies.is_empty() {
        eff.allows = allows;
        eff.denies = denies;
    }
    if !has_require {
        return;
    }
    let root = match m.index.requires.get(idx) {
        Some(cell) => cell.get_or_init(|| require_tree(m, idx)).clone(),
        // No index (a model being built): nothing to share with.
        None => require_tree(m, idx),
    };
    let new = Authz {
        root,
        scopes: vec![idx],
    };
    match (merging.as_deref(), eff.authz.take()) {
        (Some(op @ ("and" | "or")), Some(base)) => {
            let mut scopes = base.scopes.clone();
            scopes.push(idx);
            eff.authz = Some(Authz {
                root: std::sync::Arc::new(AzNode::Group {
                    op: if op == "and" {
                        ContainerKind::All
                    } else {
                        ContainerKind::Any
                    },
                    span: None,
                    children: vec![
                        std::sync::Arc::unwrap_or_clone(base.root),
                        std::sync::Arc::unwrap_or_clone(new.root),
                    ],
                }),
                scopes,
            });
        }
        (_, base) => {
            if let Some(old) = base {
                push_exact(&mut eff.replaced, Replaced { old, by_scope: idx });
            }
            eff.authz = Some(new);
        }
    }
}

/// `v.push(x)`, growing `v` by one place only: every area keeps its merge lists, which
/// hold a few items (a vector grown the usual way keeps room for four, or twice its length).
fn push_exact<T>(v: &mut Vec<T>, x: T) {
    v.reserve_exact(1);
    v.push(x);
}

/// Room for the longest directive name matched on (`AuthzSendForbiddenOnFailure`).
const NAME_BUF: usize = 32;

/// `name` in lowercase, in `buf` (no allocation: this runs for every directive of every
/// scope). Longer or non-ASCII names are none of the directives matched on: "".
fn lower_name<'b>(name: &str, buf: &'b mut [u8; NAME_BUF]) -> &'b str {
    let Some(out) = buf.get_mut(..name.len()) else {
        return "";
    };
    // Every name matched on is ASCII; an ASCII name lower-cased is still ASCII.
    if !name.is_ascii() {
        return "";
    }
    out.copy_from_slice(name.as_bytes());
    out.make_ascii_lowercase();
    // SAFETY: ASCII bytes are valid UTF-8.
    unsafe { std::str::from_utf8_unchecked(out) }
}

/// The `Require` directives of scope `idx` as one tree (an implicit RequireAny).
fn require_tree(m: &ApacheModel, idx: usize) -> std::sync::Arc<AzNode> {
    let requires = || {
        m.scopes[idx]
            .directives
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.conditional && d.dir.is("require"))
    };
    // Room for every line at the top (most scopes have one `Require`, and no container).
    let mut root = AzNode::Group {
        op: ContainerKind::Any,
        span: None,
        children: Vec::with_capacity(requires().count()),
    };
    for (index, d) in requires() {
        insert_require(&mut root, d, DRef { scope: idx, index });
    }
    std::sync::Arc::new(root)
}

fn insert_require(root: &mut AzNode, d: &super::ScopedDir, r: DRef) {
    let mut node = root;
    for (kind, span) in &d.containers {
        let AzNode::Group { children, .. } = node else {
            return;
        };
        let pos = children
            .iter()
            .position(|c| matches!(c, AzNode::Group { span: Some(s), .. } if s == span));
        let pos = match pos {
            Some(p) => p,
            None => {
                children.push(AzNode::Group {
                    op: *kind,
                    span: Some(*span),
                    children: Vec::new(),
                });
                children.len() - 1
            }
        };
        node = &mut children[pos];
    }
    let words = &d.dir.args;
    let negate = words
        .first()
        .is_some_and(|a| a.value.eq_ignore_ascii_case("not"));
    let Some((provider, rest)) = words[usize::from(negate)..].split_first() else {
        return;
    };
    // Copied at their exact size: every place keeps these (11,000 on a big tree).
    let provider = provider.value.to_ascii_lowercase();
    let args: Vec<String> = rest.iter().map(|a| a.value.clone()).collect();
    if let AzNode::Group { children, .. } = node {
        children.push(AzNode::Req {
            r,
            provider,
            args,
            negate,
            limit: d.limit.clone(),
        });
    }
}

/// The URL of a directory (server path) under a server's DocumentRoot.
pub fn url_for(m: &ApacheModel, server: usize, dir: &Path) -> Option<String> {
    let root = m.document_root(server)?;
    let mut u = String::from("/");
    match plain_rest(dir.as_os_str().as_bytes(), root.as_os_str().as_bytes()) {
        Some(rest) => u.push_str(&String::from_utf8_lossy(rest)),
        None => u.push_str(&dir.strip_prefix(root).ok()?.to_string_lossy()),
    }
    if !u.ends_with('/') {
        u.push('/');
    }
    Some(u)
}

/// `path` after `prefix`, by bytes, when that is what `Path::strip_prefix` gives: the
/// prefix ends on a component boundary and the rest has no empty or `.` components
/// (`Path` would normalize those). None: ask `Path`.
fn plain_rest<'p>(path: &'p [u8], prefix: &[u8]) -> Option<&'p [u8]> {
    let rest = path.strip_prefix(prefix)?;
    let rest = match (prefix.last(), rest.first()) {
        (_, None) => rest,
        (Some(b'/'), _) => rest,
        (_, Some(b'/')) => &rest[1..],
        _ => return None,
    };
    let plain = rest.is_empty()
        || rest
            .split(|&b| b == b'/')
            .all(|c| !c.is_empty() && c != b".");
    plain.then_some(rest)
}

/// Every server whose DocumentRoot holds `path`, in ascending order.
pub fn servers_for_path(m: &ApacheModel, path: &Path) -> Vec<usize> {
    let key = path_key(path);
    let mut v: Vec<usize> = docroot_ancestors(m, &key)
        .filter_map(|a| m.index.docroots.get(a))
        .flatten()
        .copied()
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The server whose DocumentRoot holds `dir` (the main server first).
pub fn server_for_dir(m: &ApacheModel, dir: &Path) -> usize {
    let key = path_key(dir);
    docroot_ancestors(m, &key)
        .filter_map(|a| m.index.docroots.get(a))
        .filter_map(|servers| servers.first())
        .min()
        .copied()
        .unwrap_or(0)
}

/// The ancestors of `key` (itself included) as long as some DocumentRoot's key.
fn docroot_ancestors<'k>(m: &ApacheModel, key: &'k OsStr) -> impl Iterator<Item = &'k OsStr> {
    let lens = &m.index.docroot_lens;
    key_ancestors(key).filter(move |a| lens.binary_search(&a.len()).is_ok())
}

/// A probe that lands in `scope`.
pub fn probe_for(m: &ApacheModel, scope: usize) -> Probe {
    let s = &m.scopes[scope];
    let literal = !s.is_regex && !super::loader::has_wildcard(&s.pattern);
    match s.kind {
        ScopeKind::Server => {
            let dir = m.document_root(s.server).map(Path::to_path_buf);
            Probe {
                server: s.server,
                url: Some("/".into()),
                dir,
                file: Some("index.html".into()),
                force: None,
            }
        }
        ScopeKind::Directory | ScopeKind::Htaccess if literal => {
            let dir = PathBuf::from(s.pattern.trim_end_matches('/'));
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from("/")
            } else {
                dir
            };
            let server = if s.kind == ScopeKind::Htaccess || s.server == 0 {
                server_for_dir(m, &dir)
            } else {
                s.server
            };
            Probe {
                server,
                url: url_for(m, server, &dir),
                dir: Some(dir),
                file: Some("index.html".into()),
                force: None,
            }
        }
        ScopeKind::Files | ScopeKind::FilesMatch => {
            let mut p = match s.parent {
                Some(parent) => probe_for(m, parent),
                None => probe_for(m, m.servers[s.server].defaults),
            };
            if literal {
                p.file = Some(s.pattern.clone());
                if let Some(u) = &mut p.url {
                    u.push_str(&s.pattern);
                }
            } else {
                p.force = Some(scope);
            }
            p
        }
        ScopeKind::Location if literal => {
            let url = s.pattern.clone();
            let dir = m
                .document_root(s.server)
                .map(|r| r.join(url.trim_start_matches('/')));
            Probe {
                server: s.server,
                url: Some(url),
                dir,
                file: Some("index.html".into()),
                force: None,
            }
        }
        _ => {
            let mut p = probe_for(m, m.servers[s.server].defaults);
            p.force = Some(scope);
            p
        }
    }
}

/// One area per scope with auth directives, and the state of every `.htaccess`
/// (computed in parallel: each is independent). Places in the same directory share the
/// merge of every level above it (server defaults, `/`, `/var`, …), done once per parent.
pub fn build_areas(m: &mut ApacheModel) {
    use rayon::prelude::*;
    // Probes need only the DocumentRoots: find them while the rest of the index is built.
    m.index = ScopeIndex::default();
    for s in 0..m.servers.len() {
        if let Some(root) = m.document_root(s).map(Path::to_path_buf) {
            m.index.docroots.entry(path_key(&root)).or_default().push(s);
        }
    }
    let mut lens: Vec<usize> = m.index.docroots.keys().map(|k| k.len()).collect();
    lens.sort_unstable();
    lens.dedup();
    m.index.docroot_lens = lens;
    let model: &ApacheModel = m;
    let (index, probes) = rayon::join(
        || ScopeIndex::build(&model.scopes),
        || -> Vec<(usize, Probe)> {
            (0..model.scopes.len())
                .into_par_iter()
                .filter(|&i| {
                    let scope = &model.scopes[i];
                    scope.kind == ScopeKind::Htaccess || scope.has_auth()
                })
                .map(|i| (i, probe_for(model, i)))
                .collect()
        },
    );
    let docroots = std::mem::take(&mut m.index.docroots);
    let docroot_lens = std::mem::take(&mut m.index.docroot_lens);
    m.index = ScopeIndex {
        docroots,
        docroot_lens,
        ..index
    };
    crate::phase::mark("ar index+probes");
    let model: &ApacheModel = m;
    // The merge down to each parent directory, once per (server, parent): group the
    // probes by their directory's parent (as spelled, with its level count).
    // Each probe's key side by side (splitting paths is the costly part), then numbered
    // in probe order.
    let keys: Vec<Option<(usize, &OsStr, usize)>> = probes
        .par_iter()
        .map(|(_, p)| {
            let dir = p.dir.as_deref()?;
            let n = dir_level_count(dir);
            let parent = dir.parent()?.as_os_str();
            (n > 1).then_some((p.server, parent, n))
        })
        .collect();
    let mut group_of: Vec<Option<usize>> = Vec::with_capacity(probes.len());
    let mut groups: Vec<(usize, usize, usize)> = Vec::new();
    let mut seen: HashMap<(usize, &OsStr, usize), usize> = HashMap::new();
    for (k, key) in keys.into_iter().enumerate() {
        group_of.push(key.map(|key| {
            *seen.entry(key).or_insert_with(|| {
                groups.push((key.0, k, key.2));
                groups.len() - 1
            })
        }));
    }
    drop(seen);
    crate::phase::mark("ar groups");
    let prefixes: Vec<Effective> = groups
        .par_iter()
        .map(|&(server, k, n)| {
            let dir = probes[k].1.dir.as_deref().unwrap_or(Path::new("/"));
            let mut eff = server_defaults(model, server);
            apply_dir_levels(model, server, dir, 0..n - 1, &mut eff);
            eff
        })
        .collect();
    crate::phase::mark("ar prefixes");
    let scope_of: Vec<usize> = probes.iter().map(|(i, _)| *i).collect();
    // Straight into two vectors (an area is big: a tuple list first would touch and copy
    // every one of them twice).
    let (states_by_probe, areas): (Vec<Option<HtState>>, Vec<Option<super::Area>>) = probes
        .into_par_iter()
        .zip(group_of)
        .map(|((i, probe), group)| {
            let eff = match (group, probe.dir.as_deref()) {
                (Some(g), Some(dir)) => {
                    let (server, _, n) = groups[g];
                    let mut eff = prefixes[g].clone();
                    apply_dir_levels(model, server, dir, n - 1..n, &mut eff);
                    apply_after_dirs(model, &probe, &mut eff);
                    eff
                }
                _ => effective(model, &probe),
            };
            let scope = &model.scopes[i];
            let state = if scope.kind == ScopeKind::Htaccess {
                eff.htaccess
                    .iter()
                    .find(|(s, _)| *s == i)
                    .map(|(_, st)| st.clone())
            } else {
                None
            };
            let area = scope
                .has_auth()
                .then(|| super::Area::new(model, i, probe, eff));
            (state, area)
        })
        .unzip();
    crate::phase::mark("ar results");
    let mut states = vec![None; m.scopes.len()];
    for (i, state) in scope_of.into_iter().zip(states_by_probe) {
        states[i] = state;
    }
    // In place: `filter_map` over a vector's own items reuses its memory.
    #[allow(clippy::filter_map_identity)] // `flatten` would copy into a new vector
    let areas: Vec<super::Area> = areas.into_iter().filter_map(|a| a).collect();
    m.areas = areas;
    m.htaccess_states = states;
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn plain_rest_agrees_with_path_strip_prefix() {
        let roots = ["/srv/www", "/srv/www/", "/", "/srv//www", "/srv/www/."];
        let dirs = [
            "/srv/www",
            "/srv/www/",
            "/srv/www/a",
            "/srv/www/a/b/",
            "/srv/www/./a",
            "/srv/www//a",
            "/srv/wwwx/a",
            "/srv/www/a/.",
            "/srv/www/.a",
            "/other",
        ];
        for root in roots {
            for dir in dirs {
                let by_path = Path::new(dir)
                    .strip_prefix(root)
                    .ok()
                    .map(|r| r.as_os_str().as_bytes().to_vec());
                if let Some(rest) = plain_rest(dir.as_bytes(), root.as_bytes()) {
                    assert_eq!(Some(rest.to_vec()), by_path, "{dir} under {root}");
                }
            }
        }
    }
}

#[cfg(test)]
mod provider_tests {
    use super::*;

    #[test]
    fn needs_user_any_case_agrees_with_lower_casing_first() {
        let long = format!("LDAP-{}", "x".repeat(40));
        for p in [
            "valid-user",
            "Valid-User",
            "USER",
            "all",
            "ldap-group",
            "Ldap-Attribute",
            "ldap-ü",
            "ÜSER",
            long.as_str(),
            "",
        ] {
            assert_eq!(
                needs_user_any_case(p),
                needs_user(&p.to_ascii_lowercase()),
                "{p}"
            );
        }
    }
}
