//! mod_authz_core: the `Require` tree of a place and how httpd evaluates it
//! (`apply_authz_sections`), including `<Limit>` method masks and negation.

use super::config::{ContainerKind, DirectiveRef, Limit, Scope, ScopedDir};
use crate::source::Span;
use std::sync::Arc;

/// A node of the authorization tree.
#[derive(Clone, Debug)]
pub enum RequireNode {
    /// One `Require` line.
    Req {
        directive: DirectiveRef,
        provider: String,
        args: Vec<String>,
        negate: bool,
        limit: Option<Arc<Limit>>,
    },
    /// `<RequireAll>`/`<RequireAny>`/`<RequireNone>` (with its opening tag), or the
    /// implicit `<RequireAny>` of a section's lines (no span).
    Group {
        op: ContainerKind,
        span: Option<Span>,
        children: Vec<RequireNode>,
    },
}

impl RequireNode {
    /// An implicit `<RequireAny>` with no lines.
    pub fn empty() -> RequireNode {
        RequireNode::Group {
            op: ContainerKind::Any,
            span: None,
            children: Vec::new(),
        }
    }
}

/// The merged `Require` configuration and the scopes it came from.
#[derive(Clone, Debug)]
pub struct RequireTree {
    /// Shared: every place below a section carries its `Require` tree (and the trees it
    /// replaced), and thousands of places share the same ones.
    pub root: Arc<RequireNode>,
    pub scopes: Vec<usize>,
}

/// An older `Require` set that a newer section replaced (AuthMerging Off).
#[derive(Clone, Debug)]
pub struct Replaced {
    pub old: RequireTree,
    pub by_scope: usize,
}

/// authz_core's `authz_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthzResult {
    Granted,
    Denied,
    /// Denied now; an authenticated user may change it (authn runs next).
    DeniedNoUser,
    Neutral,
    /// A provider failed (the request answers 500).
    GeneralError,
}

/// What each authorization provider answers for one request: mod_authz_core calls the
/// provider of every `Require` line its tree reaches.
pub trait Authorizer {
    /// The request's method (`<Limit>` masks and `Require method`).
    fn method(&self) -> &str;
    /// The provider's answer for one `Require` line (`negate` is applied by the tree).
    fn check(&mut self, provider: &str, args: &[String], directive: DirectiveRef) -> AuthzResult;
}

/// An anonymous client at an arbitrary remote address: what most rules ask about.
pub struct AnonymousRemote<'a> {
    pub method: &'a str,
}

impl Authorizer for AnonymousRemote<'_> {
    fn method(&self) -> &str {
        self.method
    }

    fn check(&mut self, provider: &str, args: &[String], _: DirectiveRef) -> AuthzResult {
        match provider {
            "all" => all_result(args),
            "method" => method_result(args, self.method),
            p if needs_user(p) => AuthzResult::DeniedNoUser,
            // ip, host, local, env, expr, forward-dns: not an arbitrary remote client.
            _ => AuthzResult::Denied,
        }
    }
}

/// `Require all granted|denied`.
pub fn all_result(args: &[String]) -> AuthzResult {
    match args.first().map(|a| a.to_ascii_lowercase()).as_deref() {
        Some("granted") => AuthzResult::Granted,
        _ => AuthzResult::Denied,
    }
}

/// `Require method M…` (`HEAD` is `GET` to httpd).
pub fn method_result(args: &[String], method: &str) -> AuthzResult {
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    if args.iter().any(|a| a.eq_ignore_ascii_case(method)) {
        AuthzResult::Granted
    } else {
        AuthzResult::Denied
    }
}

/// Whether `method` is inside the node's method mask.
pub fn limited(n: &RequireNode, method: &str) -> bool {
    match n {
        RequireNode::Req { limit, .. } => limit.as_ref().is_none_or(|l| l.covers(method)),
        RequireNode::Group { children, .. } => children.iter().any(|c| limited(c, method)),
    }
}

/// authz_core's `apply_authz_sections` for an anonymous, arbitrary remote client.
pub fn apply(n: &RequireNode, method: &str, parent_and: bool) -> AuthzResult {
    apply_with(n, &mut AnonymousRemote { method }, parent_and)
}

/// authz_core's `apply_authz_sections`: the tree's answer with each provider asked
/// through `who`.
pub fn apply_with(n: &RequireNode, who: &mut dyn Authorizer, parent_and: bool) -> AuthzResult {
    if !limited(n, who.method()) {
        return if parent_and {
            AuthzResult::Granted
        } else {
            AuthzResult::Neutral
        };
    }
    let (result, negate) = match n {
        RequireNode::Req {
            directive,
            provider,
            args,
            negate,
            ..
        } => (who.check(provider, args, *directive), *negate),
        RequireNode::Group { op, children, .. } => {
            let and = *op == ContainerKind::All;
            let mut res = AuthzResult::Neutral;
            for c in children {
                let r = apply_with(c, who, and);
                if r == AuthzResult::GeneralError {
                    return r;
                }
                if r == AuthzResult::Neutral {
                    continue;
                }
                if and {
                    if r == AuthzResult::Denied {
                        res = r;
                        break;
                    }
                    if (r == AuthzResult::DeniedNoUser && res != AuthzResult::Denied)
                        || res == AuthzResult::Neutral
                    {
                        res = r;
                    }
                } else {
                    if r == AuthzResult::Granted {
                        res = r;
                        break;
                    }
                    if (r == AuthzResult::DeniedNoUser && res == AuthzResult::Denied)
                        || res == AuthzResult::Neutral
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
            AuthzResult::Granted => AuthzResult::Denied,
            AuthzResult::Denied | AuthzResult::DeniedNoUser => AuthzResult::Neutral,
            r => r,
        }
    } else {
        result
    }
}

/// [`needs_user`] for a provider name as written (any case).
pub fn needs_user_any_case(provider: &str) -> bool {
    needs_user(&provider.to_ascii_lowercase())
}

/// Providers that need an authenticated user (lower-case name).
pub fn needs_user(provider: &str) -> bool {
    matches!(
        provider,
        "valid-user" | "user" | "group" | "file-owner" | "file-group" | "dbm-group" | "dbd-group"
    ) || provider.starts_with("ldap-")
}

/// The `Require` lines of scope `scope` (index `index`) as one tree: an implicit
/// `<RequireAny>` holding its lines and containers.
pub fn require_tree(scope: &Scope, index: usize) -> Arc<RequireNode> {
    require_tree_where(scope, index, |d| !d.conditional)
}

/// [`require_tree`] of the `Require` lines of `scope` that `pick` keeps (an `<If>`
/// block's own lines).
pub fn require_tree_where(
    scope: &Scope,
    index: usize,
    pick: impl Fn(&ScopedDir) -> bool,
) -> Arc<RequireNode> {
    let mut root = RequireNode::empty();
    for (i, d) in scope.directives.iter().enumerate() {
        if pick(d) && d.dir.is("require") {
            insert_require(
                &mut root,
                d,
                DirectiveRef {
                    scope: index,
                    index: i,
                },
            );
        }
    }
    Arc::new(root)
}

fn insert_require(root: &mut RequireNode, d: &ScopedDir, directive: DirectiveRef) {
    let mut node = root;
    for (kind, span) in &d.containers {
        let RequireNode::Group { children, .. } = node else {
            return;
        };
        let pos = children
            .iter()
            .position(|c| matches!(c, RequireNode::Group { span: Some(s), .. } if s == span));
        let pos = match pos {
            Some(p) => p,
            None => {
                children.push(RequireNode::Group {
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
    let provider = provider.value.to_ascii_lowercase();
    let args: Vec<String> = rest.iter().map(|a| a.value.clone()).collect();
    if let RequireNode::Group { children, .. } = node {
        children.push(RequireNode::Req {
            directive,
            provider,
            args,
            negate,
            limit: d.limit.clone(),
        });
    }
}
