//! The nginx request evaluator: what nginx answers one request, and the chain of
//! decisions on the way, phase by phase as `ngx_http_core_run_phases` takes a request
//! (src/http/ngx_http_core_module.c): server selection, URI parsing, the server's
//! rewrite script, location selection, the location's rewrite script (`rewrite last`
//! selects again, up to nginx's ten URI changes), the access phase (`allow`/`deny`,
//! `auth_basic` with the password file read and checked, `auth_request`, `satisfy`),
//! `try_files`, and the content phase (`index`, `autoindex`, the static module, or an
//! upstream); error statuses go through `error_page`, whose internal redirects run the
//! phases (and auth) again.
//!
//! One module per phase: [`select`] (servers), [`uri`] (the request target),
//! [`vars`] (variables), [`rewrite`] (the rewrite script), [`access`] (access phase and
//! the password step), [`content`] (`try_files` and the content phase), [`finalize`]
//! (special responses and `error_page`).

mod access;
mod content;
mod finalize;
mod rewrite;
pub mod select;
pub mod uri;
mod vars;

#[cfg(test)]
mod tests;

use super::{LimitExcept, NginxModel, Served, Settings, VirtualServer};
use crate::model::request::{Answer, Files, Request, Step, Verdict};
use crate::source::Span;
use crate::target::Profile;
use std::collections::HashMap;
use std::path::PathBuf;

/// nginx's `NGX_HTTP_MAX_URI_CHANGES` + 1: the eleventh change of URI is a 500.
const URI_CHANGES: u8 = 11;

/// What the evaluator found besides the answer: where the request ended, for rules and
/// `map` that ask "who serves this?".
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub answer: Answer,
    /// The server that answered (index into [`NginxModel::servers`]).
    pub server: Option<usize>,
    /// The configuration the request was last in.
    pub served: Option<Served>,
    /// A password was checked on the way (the request went through `auth_basic`).
    pub password_checked: bool,
    /// The file the static module sent (server path), when it sent one.
    pub file: Option<PathBuf>,
    /// The response is an upstream's (`proxy_pass` and the like).
    pub upstream: bool,
}

/// What nginx answers `request` (see the module doc), on a current Linux (libxcrypt).
pub fn evaluate(model: &NginxModel, request: &Request, files: &dyn Files) -> Answer {
    evaluate_with(model, request, files, &Profile::default()).answer
}

/// [`evaluate`] with the platform `profile` (which hashes crypt() verifies) and all
/// that was found on the way.
pub fn evaluate_with(
    model: &NginxModel,
    request: &Request,
    files: &dyn Files,
    profile: &Profile,
) -> Evaluation {
    let mut e = Eval::new(model, request, files, profile);
    let verdict = e.run();
    e.finish(verdict)
}

/// The configuration a request is in: the server's own (no location matched), a
/// location, its `limit_except`, or an `if` block of it whose condition held.
#[derive(Clone, Copy)]
struct Conf<'m> {
    served: Served,
    settings: &'m Settings,
    /// The location's `limit_except` applies (the method is not exempt).
    limited: Option<&'m LimitExcept>,
}

/// Where the phases start: a new request or internal redirect (server rewrite), or a
/// named location (its rewrite phase).
#[derive(Clone, Copy, Debug)]
enum Start {
    ServerRewrite,
    Named(usize),
}

/// How a phase hands the request on.
#[derive(Clone, Debug)]
enum Flow {
    /// `ngx_http_finalize_request(r, code)`: 3xx/4xx/5xx go through `error_page`.
    Finalize { code: u16, span: Option<Span> },
    /// A response sent as it is (`return 200 "x"`, a static file).
    Sent { code: u16, span: Option<Span> },
    /// `ngx_http_internal_redirect`.
    Redirect { uri: String, args: String },
    /// `ngx_http_named_location`.
    Named(String),
    /// An upstream or module outside htguard's view answers.
    Upstream { on: String },
}

struct Eval<'a> {
    model: &'a NginxModel,
    request: &'a Request,
    files: &'a dyn Files,
    profile: &'a Profile,
    server: Option<usize>,
    steps: Vec<Step>,
    decided_by: Option<Span>,
    /// What the answer depends on that htguard cannot know (first reason).
    depends: Option<String>,
    state: State,
    /// The configuration the request is in (`r->loc_conf`), for `error_page`.
    conf: Option<Conf<'a>>,
    served: Option<Served>,
    password_checked: bool,
    file: Option<PathBuf>,
    upstream: bool,
    /// An `auth_request` subrequest: no access phase (`r != r->main`).
    subrequest: bool,
}

/// The request as it moves through the phases (`ngx_http_request_t`'s fields).
#[derive(Clone, Debug)]
struct State {
    uri: String,
    args: String,
    method: String,
    /// `r->internal`: internal-only locations may be used.
    internal: bool,
    uri_changes: u8,
    /// `r->uri_changed`: the rewrite script changed the URI (select a location again).
    uri_changed: bool,
    /// `r->valid_location`: false after `rewrite … break` (an `alias` then fails).
    valid_location: bool,
    /// `r->error_page`: an error page was already used.
    error_page: bool,
    /// `r->err_status`: the status an error page's answer is sent with.
    err_status: Option<u16>,
    /// The last regex match's captures ($0, $1, …).
    captures: Vec<Option<String>>,
    /// Variables set by `set`.
    set: HashMap<String, String>,
    /// The password-checked user (`$remote_user`).
    remote_user: Option<String>,
}

impl<'a> Eval<'a> {
    fn new(
        model: &'a NginxModel,
        request: &'a Request,
        files: &'a dyn Files,
        profile: &'a Profile,
    ) -> Eval<'a> {
        Eval {
            model,
            request,
            files,
            profile,
            server: None,
            steps: Vec::new(),
            decided_by: None,
            depends: None,
            state: State {
                uri: String::new(),
                args: String::new(),
                method: request.method.clone(),
                internal: false,
                uri_changes: URI_CHANGES,
                uri_changed: false,
                valid_location: true,
                error_page: false,
                err_status: None,
                captures: Vec::new(),
                set: HashMap::new(),
                remote_user: None,
            },
            conf: None,
            served: None,
            password_checked: false,
            file: None,
            upstream: false,
            subrequest: false,
        }
    }

    fn step(&mut self, what: impl Into<String>, span: Option<Span>) {
        self.steps.push(Step::new(what, span));
    }

    /// The decision that settles the answer (the last one recorded wins).
    fn decide(&mut self, what: impl Into<String>, span: Option<Span>) {
        self.step(what, span);
        if span.is_some() {
            self.decided_by = span;
        }
    }

    fn depends_on(&mut self, why: impl Into<String>) {
        if self.depends.is_none() {
            self.depends = Some(why.into());
        }
    }

    fn server(&self) -> &'a VirtualServer {
        &self.model.servers[self.server.expect("a server was chosen")]
    }

    fn finish(self, verdict: Verdict) -> Evaluation {
        let verdict = match (verdict, self.depends) {
            (Verdict::Status(s), Some(on)) => Verdict::Depends {
                on,
                status: Some(s),
            },
            (v, _) => v,
        };
        Evaluation {
            answer: Answer {
                verdict,
                steps: self.steps,
                decided_by: self.decided_by,
            },
            server: self.server,
            served: self.served,
            password_checked: self.password_checked,
            file: self.file,
            upstream: self.upstream,
        }
    }

    /// Start checks, server selection, URI parsing, then the phases until a response.
    fn run(&mut self) -> Verdict {
        if let Some(p) = self.model.problems.first() {
            let what = format!("nginx does not start: {}", p.message);
            self.decide(what, Some(p.span));
            return Verdict::DoesNotStart;
        }
        let r = self.request;
        let index = &self.model.server_index;
        let Some(group) = index.group(r.local_addr, r.port) else {
            self.step(
                format!("no server listens on {}:{}", r.local_addr, r.port),
                None,
            );
            return Verdict::NoListener;
        };
        // Before the Host is read, the default server of the address decides how the
        // URI is parsed (merge_slashes).
        let default = group
            .servers
            .iter()
            .find(|(_, l)| l.default_server)
            .or(group.servers.first())
            .map_or(0, |(i, _)| *i);
        let merge = self.model.servers[default]
            .settings
            .merge_slashes
            .as_ref()
            .is_none_or(|m| m.value);
        let parsed = uri::parse(&r.target, merge);
        let host = select::validate_host(&r.host);
        let (Ok(parsed), Some(host)) = (parsed, host) else {
            self.server = Some(default);
            let why = match uri::parse(&r.target, merge) {
                Err(e) => format!("nginx refuses the request line: {e}"),
                Ok(_) => format!("nginx refuses the Host `{}`", r.host),
            };
            self.decide(why, None);
            return self.respond(400, None);
        };
        if matches!(r.method.as_str(), "TRACE") {
            self.server = Some(default);
            self.decide("nginx refuses TRACE (405)", None);
            return self.respond(405, None);
        }
        let chosen = index.server_for_host(self.model, group, &host);
        self.server = Some(chosen.server);
        let describe = self.model.servers[chosen.server].describe();
        self.step(
            format!("{describe} answers: {}", chosen.why),
            Some(chosen.span),
        );
        self.state.uri = parsed.uri;
        self.state.args = parsed.args;
        self.step(format!("the URI is `{}`", self.state.uri), None);
        self.drive(Start::ServerRewrite)
    }

    /// Run the phases from `start`, following internal redirects and error pages.
    fn drive(&mut self, mut start: Start) -> Verdict {
        loop {
            let flow = self.phases(start);
            match self.settle(flow) {
                Ok(verdict) => return verdict,
                Err(next) => start = next,
            }
        }
    }

    /// The response a finished request gets (the error page's status wins).
    fn respond(&mut self, code: u16, _span: Option<Span>) -> Verdict {
        Verdict::Status(self.state.err_status.unwrap_or(code))
    }

    /// The phases from `start` to the first flow that leaves them.
    fn phases(&mut self, start: Start) -> Flow {
        let conf = match self.rewrite_phases(start) {
            Ok(conf) => conf,
            Err(flow) => return flow,
        };
        if !self.subrequest
            && let Some(flow) = self.access_phase(conf)
        {
            return flow;
        }
        let conf = match self.try_files(conf) {
            Ok(conf) => conf,
            Err(flow) => return flow,
        };
        self.content_phase(conf)
    }

    /// The configuration of `served` for this request's method (`limit_except`).
    fn conf_of(&self, served: Served) -> Conf<'a> {
        let s = self.server();
        match served {
            Served::Server => Conf {
                served,
                settings: &s.settings,
                limited: None,
            },
            Served::Location(i) => {
                let loc = &s.locations[i];
                match &loc.limit_except {
                    Some(le) if !exempts(le, &self.state.method) => Conf {
                        served,
                        settings: &le.settings,
                        limited: Some(le),
                    },
                    _ => Conf {
                        served,
                        settings: &loc.settings,
                        limited: None,
                    },
                }
            }
        }
    }

    /// The text of a location for steps.
    fn where_(&self, served: Served) -> String {
        match served {
            Served::Server => "the server level (no location matches)".to_string(),
            Served::Location(i) => self.server().location_path(i),
        }
    }
}

/// `limit_except` lists the methods it exempts; GET brings HEAD. nginx knows a fixed set
/// of methods (`ngx_http_parse_request_line`): any other method is in no list.
fn exempts(le: &LimitExcept, method: &str) -> bool {
    le.exempts(method)
}

pub use content::map_to_path;
