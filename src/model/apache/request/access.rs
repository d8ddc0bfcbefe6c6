//! The access phase of `ap_process_request_internal`: `Satisfy` decides how
//! mod_access_compat's host rules (Order/Allow/Deny) combine with mod_authz_core's
//! `Require` tree; the tree is asked first without a user, then, if a user may change
//! its answer, authentication runs and the tree is asked again with the user.

use super::Eval;
use super::address::{self, ClientName};
use super::authn::{self, Authn};
use super::authorize::{LineResult, RequestAuthorizer, RequestVars};
use super::checks::order_of;
use super::settings::Settings;
use crate::model::apache::authz::{AuthzResult, apply_with, limited};
use crate::model::apache::config::DirectiveRef;
use crate::model::apache::merge::MergedConfig;
use crate::model::request::{Step, Verdict};
use crate::source::Span;

/// The authenticated user, if authentication ran; or the answer that ends the request.
pub fn check(
    ev: &mut Eval<'_>,
    config: &MergedConfig,
    settings: &Settings<'_>,
    vars: &RequestVars<'_>,
) -> Result<Option<String>, Verdict> {
    let m = ev.m;
    let compat_loaded = m.has_module("access_compat_module");
    if compat_loaded && !config.access_compat.is_empty() {
        ev.reads.client = true;
        ev.reads.method |= config
            .access_compat
            .iter()
            .any(|&r| m.dir(r).limit.is_some());
    }
    let satisfy_any = if compat_loaded {
        satisfy_any(ev, config)
    } else {
        (false, None)
    };
    if compat_loaded {
        let (allowed, span, why) = host_rules(ev, config);
        if satisfy_any.0 && allowed {
            ev.step(
                format!(
                    "Satisfy Any, and the host rules let {} in ({why})",
                    ev.req.client
                ),
                satisfy_any.1,
            );
            ev.decided(satisfy_any.1.or(span));
            return Ok(None);
        }
        if !satisfy_any.0 && !allowed {
            return Err(ev.stop(
                403,
                format!("client denied by the host rules: {why} (AH01797)"),
                span,
            ));
        }
        if span.is_some() {
            ev.step(format!("host rules: {why}"), span);
        }
    }
    if !m.has_module("authz_core_module") {
        return Err(without_authz_core(ev, config, settings));
    }
    let Some(tree) = &config.authz else {
        let auth_type = config.auth_type.map(|r| m.dir(r).dir.span);
        if config.auth_type_name(m).is_some() {
            return Err(ev.stop(
                500,
                "AuthType configured with no corresponding authorization directives (AH01627)",
                auth_type,
            ));
        }
        ev.step(
            "no Require applies here: access granted without a login",
            None,
        );
        return Ok(None);
    };
    ev.reads.method |= has_limit(&tree.root);
    if !limited(&tree.root, &ev.method) {
        let span = first_limit(&tree.root);
        ev.step(
            format!(
                "every Require line here is inside a <Limit> that leaves {} out: granted without a login",
                ev.method
            ),
            span,
        );
        ev.decided(span);
        return Ok(None);
    }
    let result = ask(ev, config, vars, &tree.root, None);
    match result {
        AuthzResult::Granted => return Ok(None),
        AuthzResult::Denied | AuthzResult::Neutral => {
            let span = ev.last_line_span();
            return Err(ev.stop(403, "client denied by server configuration (AH01630)", span));
        }
        AuthzResult::GeneralError => {
            return Err(ev.stop(500, "an authorization provider failed", ev.last_line_span()));
        }
        AuthzResult::DeniedNoUser => {}
    }
    let user = authenticate(ev, config, settings)?;
    let result = ask(ev, config, vars, &tree.root, Some(&user));
    match result {
        AuthzResult::Granted => Ok(Some(user)),
        AuthzResult::DeniedNoUser => Err(ev.stop(
            401,
            "authorization failure (no authenticated user) (AH01629)",
            ev.last_line_span(),
        )),
        AuthzResult::Denied | AuthzResult::Neutral => {
            let status = if settings.forbidden_on_failure() {
                403
            } else {
                401
            };
            let span = ev.last_line_span();
            Err(ev.stop(
                status,
                format!("user {user}: authorization failure (AH01631)"),
                span,
            ))
        }
        AuthzResult::GeneralError => {
            Err(ev.stop(500, "an authorization provider failed", ev.last_line_span()))
        }
    }
}

/// Without mod_authz_core no access_checker_ex hook grants the request, so httpd asks
/// for a user (check_user_id) and then finds no auth_checker hook to authorize them:
/// every request reaching access is refused, 401 when the login itself fails, else 500
/// (AH00027 without a user, AH00025 with one).
fn without_authz_core(
    ev: &mut Eval<'_>,
    config: &MergedConfig,
    settings: &Settings<'_>,
) -> Verdict {
    let m = ev.m;
    ev.step(
        "mod_authz_core is not loaded: nothing can grant access (only a failed login changes the answer)",
        None,
    );
    if config.auth_type_name(m).is_none() {
        let why = if m.has_module("authn_core_module") {
            "no authentication done but request not allowed without authentication (AH00027)"
        } else {
            "configuration error: couldn't check user (AH00025)"
        };
        return ev.stop(500, why, None);
    }
    match authenticate(ev, config, settings) {
        Ok(user) => ev.stop(
            500,
            format!("user {user}: configuration error: couldn't check authorization (AH00025)"),
            None,
        ),
        Err(v) => v,
    }
}

/// The Require tree's answer, each line's answer recorded as a step.
fn ask(
    ev: &mut Eval<'_>,
    config: &MergedConfig,
    vars: &RequestVars<'_>,
    root: &crate::model::apache::authz::RequireNode,
    user: Option<&str>,
) -> AuthzResult {
    let env_setters = if uses_env(root) {
        ev.env_setters().to_vec()
    } else {
        Vec::new()
    };
    let method = ev.method.clone();
    let mut who = RequestAuthorizer {
        m: ev.m,
        config,
        req: ev.req,
        files: ev.files,
        env: vars,
        user,
        method: &method,
        assume: ev.assume,
        env_setters: &env_setters,
        unknowns: Vec::new(),
        lines: Vec::new(),
    };
    let result = apply_with(root, &mut who, true);
    ev.unknowns.extend(who.unknowns);
    for l in &who.lines {
        let provider = require_provider(ev.m, l.directive);
        let reads_client = matches!(
            provider.as_str(),
            "ip" | "local" | "host" | "forward-dns" | "env" | "expr"
        );
        ev.reads.client |= reads_client;
        ev.reads.method |= matches!(provider.as_str(), "method" | "expr");
    }
    let m = ev.m;
    for LineResult {
        directive,
        result: r,
        why,
    } in &who.lines
    {
        let text = require_text(m, *directive);
        ev.step(
            format!("{text}: {} ({why})", describe(*r)),
            Some(m.dir(*directive).dir.span),
        );
    }
    ev.last_lines = who.lines;
    let decisive = ev.decisive_line(result);
    ev.decided(decisive);
    let who_text = match user {
        Some(u) => format!("user {u}"),
        None => "a client without a login".into(),
    };
    ev.step(
        format!(
            "the Require lines' answer for {who_text}: {}",
            describe(result)
        ),
        None,
    );
    result
}

/// Whether any line of a tree is inside `<Limit>`/`<LimitExcept>`.
fn has_limit(n: &crate::model::apache::authz::RequireNode) -> bool {
    use crate::model::apache::authz::RequireNode;
    match n {
        RequireNode::Req { limit, .. } => limit.is_some(),
        RequireNode::Group { children, .. } => children.iter().any(has_limit),
    }
}

/// Whether a tree asks `Require env` (the only provider that needs the env setters).
fn uses_env(n: &crate::model::apache::authz::RequireNode) -> bool {
    use crate::model::apache::authz::RequireNode;
    match n {
        RequireNode::Req { provider, .. } => provider == "env",
        RequireNode::Group { children, .. } => children.iter().any(uses_env),
    }
}

/// The provider of a `Require` line (lower case).
fn require_provider(m: &crate::model::apache::ApacheModel, r: DirectiveRef) -> String {
    let d = &m.dir(r).dir;
    let words: Vec<&str> = d.args.iter().map(|a| a.value.as_str()).collect();
    let skip = usize::from(words.first().is_some_and(|w| w.eq_ignore_ascii_case("not")));
    words
        .get(skip)
        .map(|w| w.to_ascii_lowercase())
        .unwrap_or_default()
}

fn require_text(m: &crate::model::apache::ApacheModel, r: DirectiveRef) -> String {
    let d = &m.dir(r).dir;
    let args: Vec<&str> = d.args.iter().map(|a| a.value.as_str()).collect();
    format!("Require {}", args.join(" "))
}

fn describe(r: AuthzResult) -> &'static str {
    match r {
        AuthzResult::Granted => "granted",
        AuthzResult::Denied => "denied",
        AuthzResult::DeniedNoUser => "needs a login",
        AuthzResult::Neutral => "neutral",
        AuthzResult::GeneralError => "error",
    }
}

/// Authentication, as a user or the answer that ends the request.
fn authenticate(
    ev: &mut Eval<'_>,
    config: &MergedConfig,
    settings: &Settings<'_>,
) -> Result<String, Verdict> {
    let m = ev.m;
    ev.login = Some(super::Login {
        auth_type: config.auth_type_name(m).unwrap_or("").to_string(),
        realm: config.value(m, config.auth_name).map(str::to_string),
        user_file: config
            .user_file
            .filter(|_| config.uses_file_provider(m))
            .map(|r| m.resolve(m.dir(r).dir.arg(0).unwrap_or(""))),
        providers: config.providers(m).into_iter().map(|(p, _)| p).collect(),
    });
    let auth_type = config.auth_type_name(m).unwrap_or("");
    let digest = auth_type.eq_ignore_ascii_case("digest");
    let scheme_module = if digest {
        "auth_digest_module"
    } else {
        "auth_basic_module"
    };
    let handled =
        (digest || auth_type.eq_ignore_ascii_case("basic")) && m.has_module(scheme_module);
    if handled {
        ev.digest_asked = digest;
        if ev.req.credentials.is_some() && digest != ev.digest_sent {
            let (sent, wanted) = if ev.digest_sent {
                ("Digest", "Basic")
            } else {
                ("Basic", "Digest")
            };
            let span = config.auth_type.map(|r| m.dir(r).dir.span);
            return Err(ev.stop(
                401,
                format!(
                    "the client sent {sent} credentials where AuthType {wanted} is in effect: \
                     client used wrong authentication scheme"
                ),
                span,
            ));
        }
    }
    let mut notes = Vec::new();
    let result = authn::authenticate(
        m,
        config,
        ev.req.credentials.as_ref(),
        ev.files,
        settings.basic_authoritative(),
        &mut notes,
    );
    let auth_type = config.auth_type.map(|r| m.dir(r).dir.span);
    let mut last_span = auth_type;
    for n in notes {
        if n.span.is_some() {
            last_span = n.span;
        }
        ev.steps.push(Step {
            what: n.what,
            span: n.span,
            line_in: n
                .file_line
                .map(|(path, line)| crate::model::request::FileLine { path, line }),
        });
    }
    match result {
        Authn::User(u) => {
            ev.step(format!("authenticated as {u}"), None);
            Ok(u)
        }
        // Without credentials the login prompt comes from the Require line that wants a
        // user (already the deciding line); with them, from the check that failed.
        Authn::Challenge(why) if ev.req.credentials.is_none() => Err(ev.stop(401, why, None)),
        Authn::Challenge(why) => Err(ev.stop(401, why, last_span)),
        Authn::Error(why) => Err(ev.stop(500, why, last_span)),
        Authn::Unknown(what) => {
            ev.unknowns.push(what.clone());
            match (ev.assume, &ev.req.credentials) {
                (true, Some(c)) => Ok(c.user.clone()),
                _ => Err(ev.stop(
                    401,
                    format!("{what} decides; taken as a failed login"),
                    last_span,
                )),
            }
        }
    }
}

/// `Satisfy` for the request's method (per `<Limit>`), and its line.
fn satisfy_any(ev: &Eval<'_>, config: &MergedConfig) -> (bool, Option<Span>) {
    let m = ev.m;
    let method = ev.method.as_str();
    config
        .access_compat
        .iter()
        .rev()
        .map(|&r| m.dir(r))
        .find(|d| d.dir.is("Satisfy") && d.limit.as_ref().is_none_or(|l| l.covers(method)))
        .map_or((false, None), |d| {
            (
                d.dir.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("any")),
                Some(d.dir.span),
            )
        })
}

/// mod_access_compat's `check_dir_access`: whether the host rules let the client in,
/// the line that decided, and why.
fn host_rules(ev: &mut Eval<'_>, config: &MergedConfig) -> (bool, Option<Span>, String) {
    let m = ev.m;
    let method = ev.method.clone();
    let lines: Vec<&crate::model::apache::config::ScopedDir> = config
        .access_compat
        .iter()
        .map(|&r| m.dir(r))
        .filter(|d| d.limit.as_ref().is_none_or(|l| l.covers(&method)))
        .collect();
    let order_line = lines.iter().rev().find(|d| d.dir.is("Order"));
    let order = order_line
        .and_then(|d| order_of(d.dir.arg(0).unwrap_or("")))
        .unwrap_or("deny,allow");
    let mut matching = |kind: &str| -> Option<Span> {
        for d in lines.iter().filter(|d| d.dir.is(kind)) {
            for word in d.dir.args.iter().skip(1) {
                if ev.host_word_matches(&word.value) {
                    return Some(d.dir.span);
                }
            }
        }
        None
    };
    let allow = matching("Allow");
    let deny = matching("Deny");
    let client = ev.req.client;
    let order_span = order_line.map(|d| d.dir.span);
    match order {
        "allow,deny" => match (allow, deny) {
            (_, Some(d)) => (
                false,
                Some(d),
                format!("Order allow,deny and a Deny matches {client}"),
            ),
            (Some(a), None) => (true, Some(a), format!("an Allow matches {client}")),
            (None, None) => (
                false,
                order_span,
                format!("Order allow,deny and no Allow matches {client}"),
            ),
        },
        "mutual-failure" => match (allow, deny) {
            (Some(a), None) => (
                true,
                Some(a),
                format!("an Allow matches {client} and no Deny does"),
            ),
            (_, d) => (
                false,
                d.or(order_span),
                format!("Order mutual-failure: {client} is not allowed"),
            ),
        },
        _ => match (allow, deny) {
            (Some(a), _) => (true, Some(a), format!("an Allow matches {client}")),
            (None, Some(d)) => (false, Some(d), format!("a Deny matches {client}")),
            (None, None) => (true, None, format!("no Allow or Deny matches {client}")),
        },
    }
}

impl Eval<'_> {
    /// Whether one `Allow from`/`Deny from` word matches the client (`find_allowdeny`).
    fn host_word_matches(&mut self, word: &str) -> bool {
        let lower = word.to_ascii_lowercase();
        if lower == "all" {
            return true;
        }
        if let Some(var) = lower.strip_prefix("env=") {
            let (negate, var) = match var.strip_prefix('!') {
                Some(v) => (true, v),
                None => (false, var),
            };
            let settable = self.env_setters().iter().any(|s| s == "*" || s == var);
            if !settable {
                return negate;
            }
            return self.unknown(format!("whether environment variable {var} is set")) != negate;
        }
        match address::parse_word(word) {
            Ok(subnet) => subnet.contains(self.req.client),
            Err(_) => match address::client_name(self.req.client, self.files) {
                ClientName::Known(name) => address::in_domain(word, &name),
                ClientName::FromDns => self.unknown(format!(
                    "whether {}'s DNS name is in {word}",
                    self.req.client
                )),
            },
        }
    }
}

/// The `<Limit>` that leaves the method out, for the step.
fn first_limit(n: &crate::model::apache::authz::RequireNode) -> Option<Span> {
    use crate::model::apache::authz::RequireNode;
    match n {
        RequireNode::Req { limit, .. } => limit.as_ref().map(|l| l.span),
        RequireNode::Group { children, .. } => children.iter().find_map(first_limit),
    }
}
