//! Splitting the evaluated configuration into servers and scopes.

use super::ApacheModel;
use super::config::*;
use super::loader::{self, Dir, Item};
use crate::source::{FileId, Span};
use std::path::PathBuf;

/// Split the evaluated tree into servers and scopes.
pub(super) fn build(model: &mut ApacheModel, ld: &mut loader::Loader<'_>, items: Vec<Item>) {
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

pub(super) fn new_scope(
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
        htaccess_commands: Vec::new(),
    });
    scopes.len() - 1
}

/// Items at server level (main or vhost).
pub(super) fn walk_server(
    model: &mut ApacheModel,
    ld: &mut loader::Loader<'_>,
    items: Vec<Item>,
    server: usize,
    defaults: usize,
) {
    // The last server-level `<If>`/`<ElseIf>` block, for an `<ElseIf>`/`<Else>` after it.
    let mut last_if = None;
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
                            let outer = Ctx::default();
                            let inner = Ctx::from_head(&head, &outer, last_if.clone());
                            if is_condition(&kind) {
                                last_if = inner.opened_condition(&outer);
                            }
                            collect_dirs(&mut model.scopes, defaults, items, &inner);
                            continue;
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
        condition: None,
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

fn is_condition(lname: &str) -> bool {
    matches!(lname, "if" | "elseif" | "else")
}

/// What encloses a directive inside a scope.
#[derive(Clone, Default)]
pub(super) struct Ctx {
    limit: Option<std::sync::Arc<Limit>>,
    containers: Vec<(ContainerKind, Span)>,
    conditional: bool,
    condition: Option<std::sync::Arc<Condition>>,
}

impl Ctx {
    /// The context inside section `head`; `previous` is the `<If>`/`<ElseIf>` block just
    /// before it at the same level (what an `<ElseIf>`/`<Else>` continues).
    pub(super) fn from_head(
        head: &Dir,
        parent: &Ctx,
        previous: Option<std::sync::Arc<Condition>>,
    ) -> Ctx {
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
            name => {
                c.conditional = true;
                let kind = match name {
                    "if" => Some(ConditionKind::If),
                    "elseif" => Some(ConditionKind::ElseIf),
                    "else" => Some(ConditionKind::Else),
                    _ => None,
                };
                if let Some(kind) = kind {
                    c.condition = Some(std::sync::Arc::new(Condition {
                        kind,
                        // core's ifsection takes the first word (quotes removed).
                        expr: head.arg(0).unwrap_or("").to_string(),
                        span: head.span,
                        parent: parent.condition.clone(),
                        previous: previous.filter(|_| kind != ConditionKind::If),
                    }));
                }
            }
        }
        c
    }

    /// The `<If>`/`<ElseIf>` block this context opens, when a following `<ElseIf>`/`<Else>`
    /// may continue it.
    pub(super) fn opened_condition(&self, parent: &Ctx) -> Option<std::sync::Arc<Condition>> {
        let cond = self.condition.as_ref()?;
        let new = parent
            .condition
            .as_ref()
            .is_none_or(|p| !std::sync::Arc::ptr_eq(p, cond));
        (new && cond.kind != ConditionKind::Else).then(|| cond.clone())
    }
}

pub(super) fn collect_dirs(scopes: &mut Vec<Scope>, scope: usize, items: Vec<Item>, ctx: &Ctx) {
    scopes[scope].directives.reserve(items.len());
    // The last `<If>`/`<ElseIf>` block at this level, for an `<ElseIf>`/`<Else>` after it.
    let mut last_if = None;
    for it in items {
        match it {
            Item::Dir(d) => scopes[scope].directives.push(ScopedDir {
                dir: d,
                limit: ctx.limit.clone(),
                containers: ctx.containers.clone(),
                conditional: ctx.conditional,
                condition: ctx.condition.clone(),
            }),
            Item::Block { head, items } => {
                let lname = head.name.to_ascii_lowercase();
                match section_kind(&lname) {
                    Some(k @ (ScopeKind::Files | ScopeKind::FilesMatch)) => {
                        let server = scopes[scope].server;
                        open_section(scopes, &head, items, k, server, Some(scope));
                    }
                    Some(_) => {} // not allowed nested; httpd refuses to start
                    None => {
                        let inner = Ctx::from_head(&head, ctx, last_if.clone());
                        if is_condition(&lname) {
                            last_if = inner.opened_condition(ctx);
                        }
                        collect_dirs(scopes, scope, items, &inner);
                    }
                }
            }
        }
    }
}
