//! The per-directory configuration httpd merges for a request, in core's order
//! (server/request.c): server defaults (main, then vhost), non-regex `<Directory>` from
//! `/` down — with each level's `.htaccess` read where `AllowOverride` lets it — then
//! regex `<Directory ~>`/`<DirectoryMatch>`, then `<Files>`/`<FilesMatch>`, then
//! `<Location>`/`<LocationMatch>`; a vhost's sections come after the main server's of the
//! same kind. `Require` lines merge as mod_authz_core's `merge_authz_core_dir_config`
//! does: with AuthMerging Off (or unset) the newer section's replace the older ones.

use super::ApacheModel;
use super::areas::Place;
use super::authz::{Replaced, RequireNode, RequireTree};
use super::config::{Condition, ConditionKind, ContainerKind, DirectiveRef, Scope, ScopeKind};
use super::directives::NameBuf;
use super::overrides::{HtaccessVerdict, htaccess_verdict};
use super::sections::{dir_depth, key_ancestors, location_matches, path_key};
use crate::source::Span;
use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

/// The configuration in effect at a place: for each setting, the directive that set it.
#[derive(Clone, Debug, Default)]
pub struct MergedConfig {
    /// Scopes merged, in order.
    pub applied: Vec<usize>,
    /// `<If>`/`<ElseIf>`/`<Else>` blocks merged after the scopes (only when merging for a
    /// request), each with the scope it is in.
    pub applied_conditions: Vec<(usize, Arc<Condition>)>,
    /// Every `.htaccess` met on the way, with what httpd did with it.
    pub htaccess: Vec<(usize, HtaccessVerdict)>,
    pub auth_type: Option<DirectiveRef>,
    /// What that AuthType names (None: unset, or `None`): rules ask it of every area.
    pub auth_scheme: Option<AuthScheme>,
    pub auth_name: Option<DirectiveRef>,
    pub user_file: Option<DirectiveRef>,
    pub group_file: Option<DirectiveRef>,
    pub basic_provider: Option<DirectiveRef>,
    pub digest_provider: Option<DirectiveRef>,
    pub satisfy: Option<DirectiveRef>,
    pub order: Option<DirectiveRef>,
    pub allows: Vec<DirectiveRef>,
    pub denies: Vec<DirectiveRef>,
    /// Every mod_access_compat directive (Order, Allow, Deny, Satisfy) of the section in
    /// effect for it, in order (their `<Limit>`s make them per method).
    pub access_compat: Vec<DirectiveRef>,
    pub allow_override: Option<DirectiveRef>,
    pub authz: Option<RequireTree>,
    /// `Require` sets that a newer section replaced (AuthMerging Off).
    pub replaced: Vec<Replaced>,
    /// The first reason the whole place answers 500 (a broken `.htaccess`).
    pub broken: Option<(Span, String)>,
    /// mod_authz_core's merge in progress (see [`AuthzConf`]).
    authz_merge: AuthzMerge,
}

/// `AuthMerging` as a section sets it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Merging {
    #[default]
    Unset,
    Off,
    And,
    Or,
}

/// mod_authz_core's per-directory configuration: the `AuthMerging` in effect and the
/// Require set (None: no Require lines).
#[derive(Clone, Debug, Default)]
struct AuthzConf {
    op: Merging,
    section: Option<RequireTree>,
}

/// httpd merges each walk's sections among themselves first (the directory walk with its
/// `.htaccess` files, the file walk, the location walk, each `<If>` level), then that
/// result onto the configuration so far. mod_authz_core's merge is not associative, so
/// the order of merging shows: `<Files a>AuthMerging And</Files>` after
/// `<FilesMatch>Require …</FilesMatch>` and-merges the FilesMatch's lines with the
/// directory's (observed), where section by section they would replace them.
#[derive(Clone, Debug, Default)]
struct AuthzMerge {
    /// The `AuthMerging` of the configuration so far (its Require set is `authz`).
    op: Merging,
    /// The walk in progress, merged among its own sections, and the last scope in it.
    walk: Option<(AuthzConf, usize)>,
}

/// The scheme an `AuthType` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    Basic,
    Digest,
    /// Any other (`Form`, a third-party module's).
    Other,
}

impl AuthScheme {
    /// What `AuthType value` sets (None for `None`, or no value).
    fn of(value: Option<&str>) -> Option<AuthScheme> {
        let v = value?;
        Some(if v.eq_ignore_ascii_case("basic") {
            AuthScheme::Basic
        } else if v.eq_ignore_ascii_case("digest") {
            AuthScheme::Digest
        } else if v.eq_ignore_ascii_case("none") {
            return None;
        } else {
            AuthScheme::Other
        })
    }
}

impl MergedConfig {
    /// The first argument of the directive that set a setting.
    pub fn value<'m>(&self, m: &'m ApacheModel, r: Option<DirectiveRef>) -> Option<&'m str> {
        r.and_then(|r| m.dir(r).dir.arg(0))
    }

    /// The AuthType in effect as written; None for unset or `None`.
    pub fn auth_type_name<'m>(&self, m: &'m ApacheModel) -> Option<&'m str> {
        self.auth_scheme?;
        self.value(m, self.auth_type)
    }

    /// The AuthType in effect, lower-case; None for unset or `None`.
    pub fn auth_type(&self, m: &ApacheModel) -> Option<String> {
        self.auth_type_name(m).map(str::to_ascii_lowercase)
    }

    pub fn is_basic(&self) -> bool {
        self.auth_scheme == Some(AuthScheme::Basic)
    }

    pub fn is_digest(&self) -> bool {
        self.auth_scheme == Some(AuthScheme::Digest)
    }

    /// The `AuthBasicProvider`/`AuthDigestProvider` in effect for the AuthType.
    fn provider_directive(&self) -> Option<DirectiveRef> {
        if self.is_digest() {
            self.digest_provider
        } else {
            self.basic_provider
        }
    }

    /// The authn providers in effect for the AuthType (default `file`).
    pub fn providers(&self, m: &ApacheModel) -> Vec<(String, Option<DirectiveRef>)> {
        match self.provider_directive() {
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

    /// Whether the `file` provider (AuthUserFile) checks passwords here.
    pub fn uses_file_provider(&self, m: &ApacheModel) -> bool {
        self.provider_directive()
            .is_none_or(|r| m.dir(r).dir.args.iter().any(|a| a.value == "file"))
    }

    /// Every `Require` leaf in effect.
    pub fn requires(&self) -> Vec<&RequireNode> {
        fn collect<'a>(n: &'a RequireNode, out: &mut Vec<&'a RequireNode>) {
            match n {
                RequireNode::Req { .. } => out.push(n),
                RequireNode::Group { children, .. } => {
                    children.iter().for_each(|c| collect(c, out))
                }
            }
        }
        let mut out = Vec::new();
        if let Some(tree) = &self.authz {
            collect(&tree.root, &mut out);
        }
        out
    }
}

/// The configuration in effect at `place`, without `<If>` blocks (their expressions need a
/// request).
pub fn merge_at(m: &ApacheModel, place: &Place) -> MergedConfig {
    merge_sections(m, place)
}

/// The configuration in effect at `place` for a request: after the sections, every
/// `<If>`/`<ElseIf>`/`<Else>` block of a merged section whose condition holds, in merge
/// order (core's `ap_if_walk`). `holds` answers for an `<If>`/`<ElseIf>` expression.
pub fn merge_for_request(
    m: &ApacheModel,
    place: &Place,
    holds: &mut dyn FnMut(&Condition) -> bool,
) -> MergedConfig {
    let mut config = merge_sections(m, place);
    let sections: Vec<(usize, Option<Arc<Condition>>)> =
        config.applied.iter().map(|&s| (s, None)).collect();
    apply_if_level(m, sections, holds, &mut config);
    config
}

fn merge_sections(m: &ApacheModel, place: &Place) -> MergedConfig {
    let mut config = MergedConfig::default();
    apply_scope(m, m.servers[0].defaults, &mut config);
    end_walk(&mut config);
    if place.server != 0 {
        apply_scope(m, m.servers[place.server].defaults, &mut config);
        end_walk(&mut config);
    }
    if let Some(dir) = &place.dir {
        apply_directory_levels(m, place.server, dir, &mut config);
        apply_regex_directories(m, place.server, dir, place.filename.as_deref(), &mut config);
        end_walk(&mut config);
    }
    if let Some(name) = &place.file {
        apply_files_sections(m, place.server, name, &mut config);
        end_walk(&mut config);
    }
    if let Some(url) = &place.url {
        apply_locations(m, place.server, url, &mut config);
        end_walk(&mut config);
    }
    if let Some(forced) = place.force
        && !config.applied.contains(&forced)
    {
        apply_scope(m, forced, &mut config);
        end_walk(&mut config);
    }
    config
}

/// Whether a scope of server `server`'s requests: the main server's and its own.
fn in_server(s: &Scope, server: usize) -> bool {
    s.server == 0 || s.server == server
}

/// Non-regex `<Directory>` sections and `.htaccess` files from `/` down to `dir`
/// (core's directory_walk).
fn apply_directory_levels(m: &ApacheModel, server: usize, dir: &Path, config: &mut MergedConfig) {
    let index = &m.index;
    // `/`, `/var`, `/var/www`, … down to the directory itself, as index keys.
    let dir_key = path_key(dir);
    let mut keys: Vec<&OsStr> = key_ancestors(&dir_key).collect();
    keys.reverse();
    // Wildcard `<Directory>` globs match the path as spelled.
    let spelled: Vec<&Path> = if index.wildcard_directories.is_empty() {
        Vec::new()
    } else {
        let mut all: Vec<&Path> = dir.ancestors().collect();
        all.reverse();
        all
    };
    for (level, key) in keys.into_iter().enumerate() {
        let mut here: Vec<usize> = index
            .directories_at(key)
            .iter()
            .copied()
            .filter(|&i| in_server(&m.scopes[i], server))
            .collect();
        if let Some(prefix) = spelled.get(level) {
            let prefix = prefix.to_string_lossy();
            here.extend(index.wildcard_directories.iter().copied().filter(|&i| {
                in_server(&m.scopes[i], server)
                    && dir_depth(&m.scopes[i].pattern) == level + 1
                    && index.glob_matches(i, &prefix)
            }));
        }
        // The main server's sections before the vhost's, each in file order.
        here.sort_by_key(|&i| (m.scopes[i].server != 0, i));
        for &i in &here {
            apply_scope(m, i, config);
        }
        for &i in index.htaccess_at(key) {
            apply_htaccess(m, i, config);
        }
    }
}

/// A `.htaccess` at one level: merged, ignored or the reason its directory answers 500.
fn apply_htaccess(m: &ApacheModel, scope: usize, config: &mut MergedConfig) {
    let verdict = htaccess_verdict(m, &m.scopes[scope], config.allow_override);
    match &verdict {
        HtaccessVerdict::Applied => apply_scope(m, scope, config),
        HtaccessVerdict::Broken { at, reason, .. } => {
            if config.broken.is_none() {
                config.broken = Some((*at, reason.clone()));
            }
        }
        HtaccessVerdict::Ignored { .. } => {}
    }
    config.htaccess.push((scope, verdict));
}

/// Regex `<Directory ~>` and `<DirectoryMatch>` sections. httpd matches them against the
/// request's file name as the directory walk left it (the file itself for a file, the
/// directory with or without the URL's trailing slash); a place without one (an area)
/// matches its directory with and without a trailing slash.
fn apply_regex_directories(
    m: &ApacheModel,
    server: usize,
    dir: &Path,
    filename: Option<&str>,
    config: &mut MergedConfig,
) {
    if m.index.regex_directories.is_empty() {
        return;
    }
    let plain = dir.to_string_lossy().into_owned();
    let slashed = format!("{}/", plain.trim_end_matches('/'));
    let mut hits: Vec<usize> = m
        .index
        .regex_directories
        .iter()
        .copied()
        .filter(|&i| {
            let s = &m.scopes[i];
            in_server(s, server)
                && s.regex.as_ref().is_some_and(|r| match filename {
                    Some(f) => r.is_match(f),
                    None => r.is_match(&plain) || r.is_match(&slashed),
                })
        })
        .collect();
    // core_reorder_directories: by the number of `/` in the pattern as written, then
    // the main server's before the virtual host's, then in file order.
    hits.sort_by_key(|&i| {
        let s = &m.scopes[i];
        (s.pattern.matches('/').count(), s.server != 0, i)
    });
    for i in hits {
        apply_scope(m, i, config);
    }
}

/// `<Files>` and `<FilesMatch>` sections matching the file name (core's file_walk): those
/// at server level first, then those nested in a section already merged.
fn apply_files_sections(m: &ApacheModel, server: usize, name: &str, config: &mut MergedConfig) {
    let mut files: Vec<usize> = m
        .index
        .files
        .iter()
        .copied()
        .filter(|&i| {
            let s = &m.scopes[i];
            match s.parent {
                None => in_server(s, server),
                Some(p) => config.applied.contains(&p),
            }
        })
        .collect();
    // core merges `<Files>` lists section by section: those at server level (the main
    // server's, then the virtual host's), then those nested in each merged section, in
    // the order the sections were merged.
    let merged_at = |p: usize| config.applied.iter().position(|&a| a == p);
    files.sort_by_key(|&i| {
        let s = &m.scopes[i];
        (s.parent.and_then(merged_at), s.server != 0, i)
    });
    for i in files {
        let s = &m.scopes[i];
        let hit = match &s.regex {
            Some(r) => r.is_match(name),
            None if s.is_regex => false,
            None => m.index.glob_matches(i, name),
        };
        if hit {
            apply_scope(m, i, config);
        }
    }
}

/// `<Location>` and `<LocationMatch>` sections matching the URL (core's location_walk):
/// the main server's first, then the virtual host's, each in file order.
fn apply_locations(m: &ApacheModel, server: usize, url: &str, config: &mut MergedConfig) {
    let main = m.index.locations_of(0);
    let own = if server != 0 {
        m.index.locations_of(server)
    } else {
        &[]
    };
    for &i in main.iter().chain(own) {
        let s = &m.scopes[i];
        let hit = match &s.regex {
            Some(r) => r.is_match(url),
            None if s.is_regex => false,
            None if m.index.has_glob(i) => m.index.glob_matches(i, url),
            None => location_matches(&s.pattern, url),
        };
        if hit {
            apply_scope(m, i, config);
        }
    }
}

/// What one directive of a scope sets in the merged configuration.
#[derive(Clone, Copy, Debug)]
pub enum Setting {
    AuthType,
    AuthName,
    UserFile,
    GroupFile,
    BasicProvider,
    DigestProvider,
    Satisfy,
    Order,
    Allow,
    Deny,
    AllowOverride,
    AuthMerging,
    Require,
    ForbiddenOnFailure,
}

/// The setting directive `name` (any case) sets.
pub fn setting_of(name: &str) -> Option<Setting> {
    setting(NameBuf::default().lowercase(name))
}

/// The setting a directive (lower-case name) sets.
fn setting(lname: &str) -> Option<Setting> {
    Some(match lname {
        "authtype" => Setting::AuthType,
        "authname" => Setting::AuthName,
        "authuserfile" => Setting::UserFile,
        "authgroupfile" => Setting::GroupFile,
        "authbasicprovider" => Setting::BasicProvider,
        "authdigestprovider" => Setting::DigestProvider,
        "satisfy" => Setting::Satisfy,
        "order" => Setting::Order,
        "allow" => Setting::Allow,
        "deny" => Setting::Deny,
        "allowoverride" => Setting::AllowOverride,
        "authmerging" => Setting::AuthMerging,
        "require" => Setting::Require,
        "authzsendforbiddenonfailure" => Setting::ForbiddenOnFailure,
        _ => return None,
    })
}

/// Merge one scope's unconditional directives into `config`.
fn apply_scope(m: &ApacheModel, scope: usize, config: &mut MergedConfig) {
    config.applied.push(scope);
    let directives = m.index.settings(scope).iter().map(|&(index, setting)| {
        let d = &m.scopes[scope].directives[index];
        (DirectiveRef { scope, index }, d, setting)
    });
    let conf =
        apply_directives(m.scopes[scope].kind, directives, config).map(|(op, has_require)| {
            AuthzConf {
                op,
                section: has_require.then(|| RequireTree {
                    root: m.index.require_tree(scope),
                    scopes: vec![scope],
                }),
            }
        });
    if let Some(conf) = conf {
        add_to_walk(conf, scope, config);
    }
}

/// A section's authz configuration joins the walk in progress (ap_merge_per_dir_configs:
/// the first one is taken as it is, later ones merged onto it).
fn add_to_walk(conf: AuthzConf, scope: usize, config: &mut MergedConfig) {
    let merged = match config.authz_merge.walk.take() {
        None => conf,
        Some((acc, _)) => merge_authz(acc, conf, scope, &mut config.replaced),
    };
    config.authz_merge.walk = Some((merged, scope));
}

/// The walk's merged authz configuration goes onto the configuration so far.
fn end_walk(config: &mut MergedConfig) {
    let Some((walk, scope)) = config.authz_merge.walk.take() else {
        return;
    };
    let base = AuthzConf {
        op: config.authz_merge.op,
        section: config.authz.take(),
    };
    let merged = merge_authz(base, walk, scope, &mut config.replaced);
    config.authz_merge.op = merged.op;
    config.authz = merged.section;
}

/// mod_authz_core's `merge_authz_core_dir_config` (`scope`: the newer side's last
/// section, for the record of Require sets it replaces).
fn merge_authz(
    base: AuthzConf,
    new: AuthzConf,
    scope: usize,
    replaced: &mut Vec<Replaced>,
) -> AuthzConf {
    if new.op == Merging::Unset && new.section.is_none() && base.section.is_some() {
        // Only AuthzSendForbiddenOnFailure was set.
        return base;
    }
    if matches!(new.op, Merging::Off | Merging::Unset)
        || (base.section.is_none() && new.section.is_none())
    {
        if let Some(old) = base.section {
            replaced.push(Replaced {
                old,
                by_scope: scope,
            });
        }
        return new;
    }
    let section = match (base.section, new.section) {
        (Some(b), Some(n)) => {
            let mut scopes = b.scopes.clone();
            scopes.extend(&n.scopes);
            let op = if new.op == Merging::And {
                ContainerKind::All
            } else {
                ContainerKind::Any
            };
            Some(RequireTree {
                root: Arc::new(RequireNode::Group {
                    op,
                    span: None,
                    children: vec![Arc::unwrap_or_clone(b.root), Arc::unwrap_or_clone(n.root)],
                }),
                scopes,
            })
        }
        (Some(b), None) => Some(b),
        (None, n) => n,
    };
    AuthzConf {
        op: new.op,
        section,
    }
}

/// Merge one section's directives (a scope's, or an `<If>` block's) but its `Require`
/// lines; when it has any mod_authz_core directive, returns its `AuthMerging` and whether
/// it has `Require` lines (its authz configuration).
fn apply_directives<'m>(
    kind: ScopeKind,
    directives: impl Iterator<Item = (DirectiveRef, &'m super::config::ScopedDir, Setting)>,
    config: &mut MergedConfig,
) -> Option<(Merging, bool)> {
    let mut compat = AccessCompat::default();
    let mut compat_lines = Vec::new();
    let mut merging: Option<&str> = None;
    let mut has_require = false;
    let mut authz_directive = false;
    for (r, d, setting) in directives {
        match setting {
            Setting::AuthType => {
                config.auth_type = Some(r);
                config.auth_scheme = AuthScheme::of(d.dir.arg(0));
            }
            Setting::AuthName => config.auth_name = Some(r),
            Setting::UserFile => config.user_file = Some(r),
            Setting::GroupFile => config.group_file = Some(r),
            Setting::BasicProvider => config.basic_provider = Some(r),
            Setting::DigestProvider => config.digest_provider = Some(r),
            Setting::Satisfy => {
                compat.satisfy = Some(r);
                compat_lines.push(r);
            }
            Setting::Order => {
                compat.order = Some(r);
                compat_lines.push(r);
            }
            Setting::Allow => {
                compat.allows.push(r);
                compat_lines.push(r);
            }
            Setting::Deny => {
                compat.denies.push(r);
                compat_lines.push(r);
            }
            Setting::AllowOverride if kind == ScopeKind::Directory => {
                config.allow_override = Some(r)
            }
            Setting::AllowOverride => {}
            Setting::AuthMerging => merging = d.dir.arg(0),
            Setting::Require => has_require = true,
            Setting::ForbiddenOnFailure => authz_directive = true,
        }
    }
    // mod_access_compat has no merger: a section with any of its directives replaces
    // Order, Allow, Deny and Satisfy together (a `Satisfy Any` alone drops the `Deny
    // from all` of an enclosing section; observed).
    if compat.is_set() {
        config.satisfy = compat.satisfy;
        config.order = compat.order;
        config.allows = compat.allows;
        config.denies = compat.denies;
        config.access_compat = compat_lines;
    }
    let op = match merging.map(str::to_ascii_lowercase).as_deref() {
        None => Merging::Unset,
        Some("and") => Merging::And,
        Some("or") => Merging::Or,
        Some(_) => Merging::Off,
    };
    (has_require || merging.is_some() || authz_directive).then_some((op, has_require))
}

/// One section's mod_access_compat directives.
#[derive(Default)]
struct AccessCompat {
    satisfy: Option<DirectiveRef>,
    order: Option<DirectiveRef>,
    allows: Vec<DirectiveRef>,
    denies: Vec<DirectiveRef>,
}

impl AccessCompat {
    fn is_set(&self) -> bool {
        self.satisfy.is_some()
            || self.order.is_some()
            || !self.allows.is_empty()
            || !self.denies.is_empty()
    }
}

/// One level of `<If>` blocks (ap_if_walk_sub): the blocks directly inside each
/// (section, enclosing block) given, in order, each chain's first block that holds; the
/// level is merged as one walk, then the blocks nested in those taken.
fn apply_if_level(
    m: &ApacheModel,
    sections: Vec<(usize, Option<Arc<Condition>>)>,
    holds: &mut dyn FnMut(&Condition) -> bool,
    config: &mut MergedConfig,
) {
    let mut taken_all: Vec<(usize, Option<Arc<Condition>>)> = Vec::new();
    for (scope, outer) in sections {
        let blocks = blocks_inside(m, scope, outer.as_ref());
        // Each expression is asked once; a block of the chain with no directives of its
        // own (an empty `<If>`) still decides whether the `<Else>` after it applies.
        let mut held: Vec<(Arc<Condition>, bool)> = Vec::new();
        let mut ask = |block: &Arc<Condition>| {
            if let Some((_, h)) = held.iter().find(|(b, _)| Arc::ptr_eq(b, block)) {
                return *h;
            }
            let h = match block.kind {
                ConditionKind::Else => true,
                ConditionKind::If | ConditionKind::ElseIf => holds(block),
            };
            held.push((block.clone(), h));
            h
        };
        for block in blocks {
            let earlier: Vec<&Arc<Condition>> =
                std::iter::successors(block.previous.as_ref(), |p| p.previous.as_ref()).collect();
            // The chain's first block that holds is taken: ask from the `<If>` on.
            let chain_taken = earlier.iter().rev().any(|p| ask(p));
            if !chain_taken && ask(block) {
                apply_condition_block(m, scope, block, config);
                taken_all.push((scope, Some(block.clone())));
            }
        }
    }
    end_walk(config);
    if !taken_all.is_empty() {
        apply_if_level(m, taken_all, holds, config);
    }
}

/// The `<If>` blocks of `scope` directly inside `outer` (None: at its top level), in file
/// order.
fn blocks_inside<'m>(
    m: &'m ApacheModel,
    scope: usize,
    outer: Option<&Arc<Condition>>,
) -> Vec<&'m Arc<Condition>> {
    let mut blocks: Vec<&Arc<Condition>> = Vec::new();
    for d in &m.scopes[scope].directives {
        let mut c = d.condition.as_ref();
        // Climb to the block whose parent is `outer`.
        while let Some(cond) = c {
            if same(cond.parent.as_ref(), outer) {
                break;
            }
            c = cond.parent.as_ref();
        }
        if let Some(cond) = c
            && !blocks.iter().any(|b| Arc::ptr_eq(b, cond))
        {
            blocks.push(cond);
        }
    }
    blocks.sort_by_key(|b| (b.span.file, b.span.start));
    blocks
}

fn same(a: Option<&Arc<Condition>>, b: Option<&Arc<Condition>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

/// Merge the directives of one `<If>` block (not those of blocks nested in it) into the
/// walk in progress.
fn apply_condition_block(
    m: &ApacheModel,
    scope: usize,
    block: &Arc<Condition>,
    config: &mut MergedConfig,
) {
    config.applied_conditions.push((scope, block.clone()));
    let mine =
        |d: &super::config::ScopedDir| d.condition.as_ref().is_some_and(|c| Arc::ptr_eq(c, block));
    let directives = m.scopes[scope]
        .directives
        .iter()
        .enumerate()
        .filter(|(_, d)| mine(d))
        .filter_map(|(index, d)| {
            let setting = setting_of(&d.dir.name)?;
            Some((DirectiveRef { scope, index }, d, setting))
        });
    if let Some((op, has_require)) = apply_directives(ScopeKind::Location, directives, config) {
        let section = has_require.then(|| RequireTree {
            root: super::authz::require_tree_where(&m.scopes[scope], scope, |d| mine(d)),
            scopes: vec![scope],
        });
        add_to_walk(AuthzConf { op, section }, scope, config);
    }
}

#[cfg(test)]
mod tests {
    use super::AuthScheme;

    #[test]
    fn auth_type_values_are_read_as_httpd_compares_them() {
        // mod_auth_basic and mod_auth_digest compare AuthType case-insensitively;
        // `None` (any case) switches authentication off, as if it were never set.
        for (value, scheme) in [
            (Some("Basic"), Some(AuthScheme::Basic)),
            (Some("BASIC"), Some(AuthScheme::Basic)),
            (Some("digest"), Some(AuthScheme::Digest)),
            (Some("Form"), Some(AuthScheme::Other)),
            (Some("basic2"), Some(AuthScheme::Other)),
            (Some("None"), None),
            (Some("NONE"), None),
            (None, None),
        ] {
            assert_eq!(AuthScheme::of(value), scheme, "{value:?}");
        }
    }
}
