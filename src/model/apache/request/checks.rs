//! Configuration errors httpd finds while reading a directive: in the main configuration
//! they stop the server from starting; in a `.htaccess` they answer 500 for its directory.
//! Only the directives whose errors decide an auth outcome are checked here (their
//! modules, arguments, `Require` providers and container logic), plus the loader's
//! problems (syntax errors, missing includes) and the listening sockets.

use super::address;
use super::vhost;
use crate::model::apache::authz::{RequireNode, require_tree_where};
use crate::model::apache::config::{Condition, ContainerKind, ProblemKind, ScopeKind, ScopedDir};
use crate::model::apache::directives::commands;
use crate::model::apache::overrides::invalid_command;
use crate::model::apache::{ApacheModel, arity_error, directive_module};
use crate::source::Span;

/// Why httpd would not start with this configuration, and the line to blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartFailure {
    pub span: Option<Span>,
    pub message: String,
}

/// The first error that stops httpd from starting, if any.
pub fn start_failure(m: &ApacheModel) -> Option<StartFailure> {
    if let Some(p) = m.problems.iter().find(|p| {
        matches!(
            p.kind,
            ProblemKind::Syntax | ProblemKind::IncludeMissing | ProblemKind::IncludeCycle
        )
    }) {
        return Some(StartFailure {
            span: Some(p.span),
            message: p.message.clone(),
        });
    }
    for (i, s) in m.scopes.iter().enumerate() {
        // A `.htaccess` (and the `<Files>` in one) is read per request, not at startup.
        if in_htaccess(m, i) {
            continue;
        }
        for d in &s.directives {
            if let Some(message) = directive_error(m, d, false) {
                return Some(StartFailure {
                    span: Some(d.dir.span),
                    message,
                });
            }
            if s.server != 0 && s.kind == ScopeKind::Server && d.dir.is("Listen") {
                return Some(StartFailure {
                    span: Some(d.dir.span),
                    message: "Listen cannot occur within <VirtualHost> section".into(),
                });
            }
        }
        if let Some(message) = tree_error(&m.index.require_tree(i), true) {
            return Some(StartFailure {
                span: Some(s.head),
                message,
            });
        }
        // Each `<If>` block is a section of its own with its own Require set.
        let mut blocks: Vec<&std::sync::Arc<Condition>> = Vec::new();
        for d in &s.directives {
            if let Some(c) = &d.condition
                && !blocks.iter().any(|b| std::sync::Arc::ptr_eq(b, c))
            {
                blocks.push(c);
            }
        }
        for block in blocks {
            let tree = require_tree_where(s, i, |d| {
                d.condition
                    .as_ref()
                    .is_some_and(|c| std::sync::Arc::ptr_eq(c, block))
            });
            if let Some(message) = tree_error(&tree, true) {
                return Some(StartFailure {
                    span: Some(block.span),
                    message,
                });
            }
        }
    }
    if vhost::listeners(m).is_empty() {
        return Some(StartFailure {
            span: None,
            message: "no listening sockets available, shutting down (no Listen directive)".into(),
        });
    }
    None
}

/// Whether scope `i` is a `.htaccess` file or a section inside one.
fn in_htaccess(m: &ApacheModel, i: usize) -> bool {
    std::iter::successors(Some(i), |&s| m.scopes[s].parent)
        .any(|s| m.scopes[s].kind == ScopeKind::Htaccess)
}

/// The error httpd reports for directive `d` when it reads it (None: accepted).
pub fn directive_error(m: &ApacheModel, d: &ScopedDir, in_htaccess: bool) -> Option<String> {
    let lname = d.dir.name.to_ascii_lowercase();
    let undefined = if in_htaccess {
        // A `.htaccess` has its own rules (AllowOverride Nonfatal=Unknown): see overrides.
        directive_module(&lname).is_some_and(|module| !m.has_module(module))
    } else {
        no_loaded_module_defines(m, &d.dir.name)
    };
    if undefined {
        return Some(invalid_command(&d.dir.name));
    }
    if let Some(e) = arity_error(&d.dir) {
        return Some(e);
    }
    let arg = |i: usize| d.dir.arg(i).unwrap_or("");
    match lname.as_str() {
        "require" => require_error(m, d),
        "authbasicprovider" | "authdigestprovider" => d
            .dir
            .args
            .iter()
            .find(|a| !authn_provider_known(m, &a.value))
            .map(|a| format!("Unknown Authn provider: {}", a.value)),
        "authmerging" if !["off", "and", "or"].contains(&arg(0).to_ascii_lowercase().as_str()) => {
            Some("AuthMerging must be one of: Off | And | Or".into())
        }
        "satisfy" if !["all", "any"].contains(&arg(0).to_ascii_lowercase().as_str()) => {
            Some("Satisfy either 'any' or 'all'.".into())
        }
        "order" if order_of(arg(0)).is_none() => Some("unknown order".into()),
        "allow" | "deny" => allow_error(d),
        "allowoverride" if in_htaccess => Some("AllowOverride not allowed here".into()),
        _ => None,
    }
}

/// Whether httpd would call directive `name` an invalid command: modules htguard knows
/// define it, and none of them is loaded. A name the table lacks is left alone (it
/// misses the commands httpd's headers declare by macro, such as Listen).
fn no_loaded_module_defines(m: &ApacheModel, name: &str) -> bool {
    let defined = commands(name);
    !defined.is_empty() && !defined.iter().any(|c| m.has_module(c.module))
}

/// `Order` as mod_access_compat reads it.
pub fn order_of(v: &str) -> Option<&'static str> {
    ["allow,deny", "deny,allow", "mutual-failure"]
        .into_iter()
        .find(|o| v.eq_ignore_ascii_case(o))
}

fn allow_error(d: &ScopedDir) -> Option<String> {
    if !d.dir.arg(0).is_some_and(|f| f.eq_ignore_ascii_case("from")) {
        return Some("allow and deny must be followed by 'from'".into());
    }
    d.dir.args.iter().skip(1).find_map(|a| {
        let w = a.value.as_str();
        let lower = w.to_ascii_lowercase();
        if lower.starts_with("env=") || lower == "all" {
            return None;
        }
        match address::parse_word(w) {
            Ok(_) => None,
            Err(address::SubnetError::NotAnAddress) if !w.contains('/') => w
                .contains('#')
                .then(|| "No comments are allowed here".into()),
            Err(_) => Some("An IP address was expected".into()),
        }
    })
}

/// The module behind each authorization provider name (lower case).
pub fn authz_provider_module(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "all" | "env" | "method" | "expr" => "authz_core_module",
        "ip" | "host" | "local" | "forward-dns" => "authz_host_module",
        "user" | "valid-user" => "authz_user_module",
        "group" => "authz_groupfile_module",
        "file-owner" | "file-group" => "authz_owner_module",
        "dbm-group" => "authz_dbm_module",
        "dbd-group" | "dbd-login" | "dbd-logout" => "authz_dbd_module",
        p if p.starts_with("ldap-") => "authnz_ldap_module",
        _ => return None,
    })
}

/// The module behind each authentication provider name.
pub fn authn_provider_module(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "file" => "authn_file_module",
        "dbm" => "authn_dbm_module",
        "anon" => "authn_anon_module",
        "dbd" => "authn_dbd_module",
        "socache" => "authn_socache_module",
        "ldap" => "authnz_ldap_module",
        _ => return None,
    })
}

fn authn_provider_known(m: &ApacheModel, p: &str) -> bool {
    m.provider_aliases.iter().any(|a| a == p)
        || authn_provider_module(p).is_some_and(|module| m.has_module(module))
}

fn require_error(m: &ApacheModel, d: &ScopedDir) -> Option<String> {
    let words: Vec<&str> = d.dir.args.iter().map(|a| a.value.as_str()).collect();
    let negate = words.first().is_some_and(|w| w.eq_ignore_ascii_case("not"));
    let rest = &words[usize::from(negate)..];
    let Some((provider, args)) = rest.split_first() else {
        return Some("Require takes a provider".into());
    };
    let p = provider.to_ascii_lowercase();
    if !authz_provider_module(&p).is_some_and(|module| m.has_module(module)) {
        return Some(format!("Unknown Authz provider: {provider}"));
    }
    match p.as_str() {
        "all" if !matches!(args, [a] if a.eq_ignore_ascii_case("granted") || a.eq_ignore_ascii_case("denied")) =>
        {
            return Some("Argument for 'Require all' must be 'granted' or 'denied'".into());
        }
        "ip" if args.is_empty() => return Some("'require ip' requires an argument".into()),
        "ip" => {
            if let Some(bad) = args.iter().find(|a| address::parse_word(a).is_err()) {
                return Some(format!("ip address '{bad}' appears to be invalid"));
            }
        }
        "method" => {
            if let Some(bad) = args.iter().find(|a| !super::handler::known_method(a)) {
                return Some(format!("Invalid Method '{bad}'"));
            }
        }
        _ => {}
    }
    // A negative line in an OR context (a section's implicit <RequireAny>, <RequireAny>,
    // <RequireNone>) is refused.
    let or_context = d
        .containers
        .last()
        .is_none_or(|(k, _)| *k != ContainerKind::All);
    if negate && or_context {
        return Some(format!(
            "negative Require directive has no effect in {} directive",
            context_name(d.containers.last().map(|(k, _)| *k))
        ));
    }
    // Likewise a <RequireNone> directly in an OR context.
    for (i, (kind, _)) in d.containers.iter().enumerate() {
        let parent = i.checked_sub(1).map(|p| d.containers[p].0);
        if *kind == ContainerKind::None && parent.is_none_or(|k| k != ContainerKind::All) {
            return Some(format!(
                "<RequireNone> directive has no effect in {} directive",
                context_name(parent)
            ));
        }
    }
    None
}

fn context_name(kind: Option<ContainerKind>) -> &'static str {
    match kind {
        None | Some(ContainerKind::Any) => "<RequireAny>",
        Some(ContainerKind::All) => "<RequireAll>",
        Some(ContainerKind::None) => "<RequireNone>",
    }
}

/// AH01624: a container whose lines are all negative (checked at startup only).
pub fn tree_error(node: &RequireNode, root: bool) -> Option<String> {
    let RequireNode::Group { op, children, .. } = node else {
        return None;
    };
    let negative = |c: &RequireNode| match c {
        RequireNode::Req { negate, .. } => *negate,
        RequireNode::Group { op, .. } => *op == ContainerKind::None,
    };
    let mut lines = Vec::new();
    spliced(*op, children, &mut lines);
    if !root && !lines.is_empty() && lines.iter().all(|c| negative(c)) {
        return Some(format!(
            "{} directive contains only negative authorization directives (AH01624)",
            match op {
                ContainerKind::All => "<RequireAll>",
                ContainerKind::Any => "<RequireAny>",
                ContainerKind::None => "<RequireNone>",
            }
        ));
    }
    lines.into_iter().find_map(|c| tree_error(c, false))
}

/// The members of a container as httpd holds them: a `<RequireAll>` in a `<RequireAll>`
/// (or `<RequireAny>` in `<RequireAny>`) is not kept as a container but its lines join
/// the outer one as it is read (mod_authz_core's add_authz_section, "be associative"),
/// so `<RequireAll><RequireAll>Require not ip X</RequireAll>Require ip Y</RequireAll>`
/// starts: the outer container holds a positive line (observed).
fn spliced<'a>(op: ContainerKind, children: &'a [RequireNode], out: &mut Vec<&'a RequireNode>) {
    for child in children {
        match child {
            RequireNode::Group {
                op: inner,
                children: members,
                ..
            } if *inner == op && op != ContainerKind::None => spliced(op, members, out),
            _ => out.push(child),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::apache::config::DirectiveRef;

    fn line(negate: bool) -> RequireNode {
        RequireNode::Req {
            directive: DirectiveRef { scope: 0, index: 0 },
            provider: "ip".into(),
            args: vec!["10.0.0.1".into()],
            negate,
            limit: None,
        }
    }

    fn group(op: ContainerKind, children: Vec<RequireNode>) -> RequireNode {
        RequireNode::Group {
            op,
            span: None,
            children,
        }
    }

    fn section(children: Vec<RequireNode>) -> RequireNode {
        group(ContainerKind::Any, children)
    }

    #[test]
    fn only_negative_lines_in_a_container_stop_the_server() {
        let all_not = group(ContainerKind::All, vec![line(true)]);
        assert!(tree_error(&section(vec![all_not.clone()]), true).is_some());
        // Nested in a container of the same kind, its lines join the outer one.
        let outer = group(ContainerKind::All, vec![all_not.clone(), line(false)]);
        assert_eq!(tree_error(&section(vec![outer]), true), None);
        let outer_negative_only = group(ContainerKind::All, vec![all_not.clone()]);
        assert!(tree_error(&section(vec![outer_negative_only]), true).is_some());
        // A <RequireAll> in a <RequireAny> stays a container of its own.
        let any = group(ContainerKind::Any, vec![all_not, line(false)]);
        assert!(tree_error(&section(vec![any]), true).is_some());
    }
}
