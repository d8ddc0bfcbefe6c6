//! What Apache httpd 2.4 answers one request, and why: the request's way through the
//! server, phase by phase as `ap_process_request_internal` and the handlers take it.
//!
//! - [`checks`]: whether httpd starts at all with this configuration;
//! - [`vhost`]: the listening socket and the virtual host (address, port, Host);
//! - [`uri`]: the path normalized and decoded (400/404 cases);
//! - [`translate`]: ProxyPass, rewrite, Redirect, Alias, DocumentRoot;
//! - [`storage`]: the directory walk through the file system (path_info);
//! - merge (`merge::merge_for_request`): the sections, `.htaccess` files and `<If>`
//!   blocks in effect ([`expr`] evaluates the conditions);
//! - [`access`]: Satisfy, Order/Allow/Deny, the Require tree ([`authorize`]) and
//!   authentication ([`authn`]);
//! - [`handler`]: mod_dir, CGI, autoindex and the default handler.
//!
//! Facts htguard cannot see (DNS, environment variables other modules set, a backend)
//! are "unknown": the request is evaluated twice, taking them as failing and as holding;
//! when the two answers differ the verdict is [`Verdict::Depends`].

pub mod access;
pub mod address;
pub mod authn;
pub mod authorize;
pub mod checks;
pub mod expr;
pub mod handler;
pub mod map;
pub mod settings;
pub mod storage;
pub mod translate;
pub mod uri;
pub mod vhost;

use super::ApacheModel;
use super::areas::Place;
use super::authz as authorize_result;
use super::merge::{MergedConfig, merge_for_request};
use super::overrides::HtaccessVerdict;
use crate::model::request::{Answer, Files, Request, Scheme, Step, Verdict};
use crate::source::Span;
use authorize::{LineResult, RequestVars};
use storage::Walk;
use translate::Translation;

/// What httpd answers `request`, with the chain of decisions.
pub fn evaluate(model: &ApacheModel, request: &Request, files: &dyn Files) -> Answer {
    evaluate_with(model, request, files, Options::default()).answer
}

/// What to evaluate besides the request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Answer as this server (index into `model.servers`) instead of choosing it from
    /// the address, port and Host (`map` asks each virtual host in turn).
    pub server: Option<usize>,
    /// Stop once access is decided: 200 then means "access granted" (no handler runs).
    pub access_only: bool,
    /// The caller made sure httpd starts with this configuration
    /// ([`checks::start_failure`] is None): not checked again for each request.
    pub starts: bool,
}

/// The login a request met, when authentication ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    /// As written (`Basic`, `Digest`).
    pub auth_type: String,
    pub realm: Option<String>,
    /// The `file` provider's user file (server path), when it is the provider.
    pub user_file: Option<std::path::PathBuf>,
    /// The providers asked, in order.
    pub providers: Vec<String>,
}

/// An answer, the login met on the way, and what of the request it read.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub answer: Answer,
    pub login: Option<Login>,
    pub reads: Reads,
}

/// Which parts of the request the answer depended on, beyond the URL: the same
/// request with another client address (or method) gets the same answer when the flag
/// is false.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// The client's address (Require ip/local/host, Allow/Deny, `<If>`…).
    pub client: bool,
    /// The method (`<Limit>`, Require method, `<If>`…).
    pub method: bool,
}

impl std::ops::BitOr for Reads {
    type Output = Reads;
    fn bitor(self, o: Reads) -> Reads {
        Reads {
            client: self.client || o.client,
            method: self.method || o.method,
        }
    }
}

/// [`evaluate`] with [`Options`].
pub fn evaluate_with(
    model: &ApacheModel,
    request: &Request,
    files: &dyn Files,
    opts: Options,
) -> Evaluation {
    let first = login_pass(model, request, files, false, opts);
    if first.unknowns.is_empty() {
        return Evaluation {
            answer: first.answer,
            login: first.login,
            reads: first.reads,
        };
    }
    let second = login_pass(model, request, files, true, opts);
    let login = first.login;
    let reads = first.reads | second.reads;
    let mut answer = first.answer;
    let on = first.unknowns.join("; ");
    if answer.verdict == second.answer.verdict {
        answer.steps.push(Step::new(
            format!("the answer is the same whatever {on}"),
            None,
        ));
        return Evaluation {
            answer,
            login,
            reads,
        };
    }
    let (when_not, when_so) = (show(&answer.verdict), show(&second.answer.verdict));
    answer.steps.push(Step::new(
        format!("depends on {on}: {when_not} if not, {when_so} if so"),
        None,
    ));
    answer.verdict = Verdict::Depends {
        on,
        status: answer.verdict.status(),
    };
    Evaluation {
        answer,
        login,
        reads,
    }
}

/// One pass as the client logs in: credentials go as Basic; a 401 that challenges with
/// Digest is answered once with Digest credentials.
fn login_pass(
    model: &ApacheModel,
    request: &Request,
    files: &dyn Files,
    assume: bool,
    opts: Options,
) -> Pass {
    let first = Eval::new(model, request, files, assume, opts);
    let first = first.finish();
    let retry = request.credentials.is_some()
        && first.digest_asked
        && first.answer.verdict == Verdict::Status(401);
    if !retry {
        return first;
    }
    let mut again = Eval::new(model, request, files, assume, opts);
    again.digest_sent = true;
    again.step(
        "401 with a Digest challenge: the client sends its credentials again, as Digest",
        None,
    );
    again.finish()
}

fn show(v: &Verdict) -> String {
    match v {
        Verdict::Status(s) => s.to_string(),
        Verdict::DoesNotStart => "no answer (httpd does not start)".into(),
        Verdict::NoListener => "no answer (nothing listens)".into(),
        Verdict::Depends { on, .. } => format!("what {on} answers"),
    }
}

/// One pass over a request.
pub struct Eval<'a> {
    pub m: &'a ApacheModel,
    /// The request being answered (for a subrequest: with the subrequest's method).
    pub req: &'a Request,
    pub files: &'a dyn Files,
    /// How unknown facts are taken in this pass.
    pub assume: bool,
    pub unknowns: Vec<String>,
    pub steps: Vec<Step>,
    pub decided_by: Option<Span>,
    /// Environment variables something may set before the access checks (read from the
    /// whole configuration on first use).
    env_setters: Option<Vec<String>>,
    pub opts: Options,
    /// The login met, when authentication ran.
    pub login: Option<Login>,
    /// What of the request the answer read.
    pub reads: Reads,
    /// The server answering (index into `model.servers`).
    pub server: usize,
    /// The method of the request in progress (GET in mod_dir's subrequests).
    pub method: String,
    /// The Require lines' answers of the last tree asked.
    pub last_lines: Vec<LineResult>,
    /// The client sends its credentials as Digest (it does after a Digest challenge;
    /// first it sends Basic, as a browser or `curl -u` does).
    pub digest_sent: bool,
    /// Whether the last authentication asked was Digest's (what a 401 challenges with).
    pub digest_asked: bool,
}

/// The outcome of one pass.
struct Pass {
    answer: Answer,
    unknowns: Vec<String>,
    login: Option<Login>,
    reads: Reads,
    digest_asked: bool,
}

/// A request that passed translation, the walk, the merge and access.
pub struct Prepared {
    pub uri: String,
    pub query: Option<String>,
    pub walk: Walk,
    pub config: MergedConfig,
    /// ScriptAlias: the CGI handler is forced.
    pub cgi: bool,
    /// The line that mapped the URL to the file name.
    pub translated_by: Option<Span>,
    pub user: Option<String>,
}

impl<'a> Eval<'a> {
    fn new(
        m: &'a ApacheModel,
        req: &'a Request,
        files: &'a dyn Files,
        assume: bool,
        opts: Options,
    ) -> Self {
        Eval {
            m,
            req,
            files,
            assume,
            unknowns: Vec::new(),
            steps: Vec::new(),
            decided_by: None,
            env_setters: None,
            opts,
            login: None,
            reads: Reads::default(),
            server: 0,
            method: req.method.clone(),
            last_lines: Vec::new(),
            digest_sent: false,
            digest_asked: false,
        }
    }

    fn finish(mut self) -> Pass {
        let verdict = self.run();
        Pass {
            answer: Answer {
                verdict,
                steps: self.steps,
                decided_by: self.decided_by,
            },
            unknowns: self.unknowns,
            login: self.login,
            reads: self.reads,
            digest_asked: self.digest_asked,
        }
    }

    /// Environment variables something may set before the access checks.
    pub fn env_setters(&mut self) -> &[String] {
        let m = self.m;
        self.env_setters
            .get_or_insert_with(|| settings::Settings::env_setters(m))
    }

    pub fn step(&mut self, what: impl Into<String>, span: Option<Span>) {
        self.steps.push(Step::new(what, span));
    }

    /// The line that decides the verdict (a later decision replaces it).
    pub fn decided(&mut self, span: Option<Span>) {
        if span.is_some() {
            self.decided_by = span;
        }
    }

    /// End the request with `status`.
    pub fn stop(&mut self, status: u16, what: impl Into<String>, span: Option<Span>) -> Verdict {
        self.step(format!("{status}: {}", what.into()), span);
        self.decided(span);
        Verdict::Status(status)
    }

    /// End the request with an answer decided outside the configuration.
    pub fn elsewhere(&mut self, what: impl Into<String>, span: Option<Span>) -> Verdict {
        let what = what.into();
        self.step(format!("decided by {what}"), span);
        self.decided(span);
        Verdict::Depends {
            on: what,
            status: None,
        }
    }

    /// Record an unknown fact; returns how this pass takes it.
    pub fn unknown(&mut self, what: String) -> bool {
        if !self.unknowns.contains(&what) {
            self.unknowns.push(what);
        }
        self.assume
    }

    /// The span of the Require line that decided the last tree's answer.
    fn last_line_span(&self) -> Option<Span> {
        self.last_lines
            .last()
            .map(|l| self.m.dir(l.directive).dir.span)
    }

    /// The Require line behind a tree's answer: the last line that answered the same
    /// (the one that ended an `<RequireAny>` or `<RequireAll>`), or for "needs a login"
    /// the first line that asked for a user.
    fn decisive_line(&self, result: authorize_result::AuthzResult) -> Option<Span> {
        let lines = &self.last_lines;
        let line = if result == authorize_result::AuthzResult::DeniedNoUser {
            lines.iter().find(|l| l.result == result)
        } else {
            lines.iter().rev().find(|l| l.result == result)
        };
        line.or(lines.last())
            .map(|l| self.m.dir(l.directive).dir.span)
    }

    fn run(&mut self) -> Verdict {
        let m = self.m;
        if let Some(f) = (!self.opts.starts)
            .then(|| checks::start_failure(m))
            .flatten()
        {
            self.step(format!("httpd does not start: {}", f.message), f.span);
            self.decided(f.span);
            return Verdict::DoesNotStart;
        }
        let listeners = vhost::listeners(m);
        let Some(listener) = vhost::listener_for(&listeners, self.req.local_addr, self.req.port)
        else {
            self.step(
                format!(
                    "no Listen covers {}:{}: the connection is refused",
                    self.req.local_addr, self.req.port
                ),
                None,
            );
            return Verdict::NoListener;
        };
        let listen_span = listener.span;
        self.step(
            format!("Listen accepts the connection on port {}", self.req.port),
            Some(listen_span),
        );
        let sel = match self.opts.server {
            Some(server) => vhost::Selection {
                server,
                how: "asked as this server".into(),
                span: m.servers[server].span,
            },
            None => vhost::select(m, self.req, self.files),
        };
        self.server = sel.server;
        self.step(
            format!("{} answers: {}", m.servers[sel.server].describe(), sel.how),
            sel.span,
        );
        if let Some(v) = self.tls() {
            return v;
        }
        if !valid_host(&self.req.host) {
            return self.stop(
                400,
                format!("malformed Host header {:?}", self.req.host),
                None,
            );
        }
        let merge = server_flag(m, sel.server, "MergeSlashes", true);
        let slashes = encoded_slashes(m, sel.server);
        let target = match uri::parse(&self.req.target, merge, slashes) {
            Ok(t) => t,
            Err(r) => return self.stop(r.status, r.why, None),
        };
        match self.prepare(&target.path, target.query.as_deref(), None) {
            Ok(_) if self.opts.access_only => {
                self.step("access granted", None);
                Verdict::Status(200)
            }
            Ok(p) => self.respond(&p),
            Err(v) => v,
        }
    }

    /// An https request needs `SSLEngine on` where it lands; an http one must not get it.
    fn tls(&mut self) -> Option<Verdict> {
        let tls = self.m.servers[self.server].tls;
        match (self.req.scheme, tls) {
            (Scheme::Https, false) => Some(self.elsewhere(
                "a TLS handshake with a server that speaks plain HTTP on this port (no SSLEngine on)",
                self.m.servers[self.server].span,
            )),
            (Scheme::Http, true) => Some(self.stop(
                400,
                "plain HTTP sent to an SSL-enabled port",
                self.m.servers[self.server].span,
            )),
            _ => None,
        }
    }

    /// Translation, the directory walk, the merge and access for `uri` (a subrequest of
    /// `main` when given: mod_dir's index and fallback lookups).
    pub(crate) fn prepare(
        &mut self,
        uri: &str,
        query: Option<&str>,
        main: Option<&Prepared>,
    ) -> Result<Prepared, Verdict> {
        let sub = main.is_some();
        let m = self.m;
        let (filename, translated_by, cgi) = match translate::translate(m, self.server, uri) {
            Translation::File {
                filename,
                by,
                what,
                cgi,
            } => {
                self.step(what, by);
                (filename, by, cgi)
            }
            Translation::Redirect { status, to, by } => {
                return Err(self.stop(
                    status,
                    format!("Redirect sends {uri} to {to} before any access check"),
                    Some(by),
                ));
            }
            Translation::Elsewhere { what, by } => return Err(self.elsewhere(what, Some(by))),
        };
        if !sub && self.method == "TRACE" {
            return Err(self.trace());
        }
        let walk = match storage::walk(self.files, &filename) {
            Ok(w) => w,
            Err(storage::Refused(why)) => return Err(self.stop(403, why, None)),
        };
        self.step(walk_text(&walk), None);
        // httpd's directory walk cache: a subrequest for a file in the directory the main
        // request walked reuses the main's directory merge, `<DirectoryMatch>` sections
        // matched against the main's file name included. The cache is only consulted for
        // a file or a directory that exists (a missing index file is walked afresh).
        let cached = walk.found == storage::Found::File
            || (walk.found == storage::Found::Directory && walk.path_info.is_empty());
        let dir_filename = match main {
            Some(main) if cached && walk_key(&walk) == walk_key(&main.walk) => {
                main.walk.filename.clone()
            }
            _ => walk.filename.clone(),
        };
        let config = self.merge(uri, query, &walk, dir_filename);
        self.report_sections(&config);
        if let Some((span, why)) = config.broken.clone() {
            return Err(self.stop(
                500,
                format!("the .htaccess cannot be read: {why}"),
                Some(span),
            ));
        }
        if let Some((span, why)) = self.htaccess_error(&config) {
            return Err(self.stop(500, format!("the .htaccess is refused: {why}"), Some(span)));
        }
        let method = self.method.clone();
        let vars = RequestVars {
            req: self.req,
            method: &method,
            path: uri,
            query,
            server_name: self.server_name(),
            user: None,
        };
        // A subrequest whose sections are exactly the main request's has httpd's very
        // same merged configuration: access is not checked again (the main passed it).
        let user = match main {
            Some(main) if same_sections(&main.config, &config) => {
                self.step(
                    "the same sections as the request it serves: access is not checked again",
                    None,
                );
                main.user.clone()
            }
            _ => {
                let settings = settings::Settings::new(m, &config);
                access::check(self, &config, &settings, &vars)?
            }
        };
        Ok(Prepared {
            uri: uri.to_string(),
            query: query.map(str::to_string),
            walk,
            config,
            cgi,
            translated_by,
            user,
        })
    }

    /// `ap_get_server_name`: the Host the client sent (lower case), unless
    /// `UseCanonicalName On` asks for the configured ServerName.
    fn server_name(&self) -> String {
        let configured = || {
            let own = self.m.servers[self.server].name.clone();
            own.or_else(|| self.m.servers[0].name.clone())
                .unwrap_or_default()
        };
        let canonical = server_flag(self.m, self.server, "UseCanonicalName", false);
        if canonical || self.req.host.is_empty() {
            configured()
        } else {
            self.req.host.to_ascii_lowercase()
        }
    }

    /// mod_http's TRACE answer at map_to_storage, before any access check.
    fn trace(&mut self) -> Verdict {
        let scope = &self.m.scopes[self.m.servers[0].defaults];
        let own = &self.m.scopes[self.m.servers[self.server].defaults];
        let setting = own
            .last("TraceEnable")
            .or_else(|| scope.last("TraceEnable"));
        let off = setting
            .and_then(|d| d.dir.arg(0))
            .is_some_and(|v| v.eq_ignore_ascii_case("off"));
        let span = setting.map(|d| d.dir.span);
        if off {
            self.stop(405, "TraceEnable Off refuses TRACE", span)
        } else {
            self.stop(
                200,
                "TRACE is echoed back before any access check (TraceEnable is on)",
                span,
            )
        }
    }

    /// The sections, `.htaccess` files and `<If>` blocks in effect for the walked file.
    fn merge(
        &mut self,
        uri: &str,
        query: Option<&str>,
        walk: &Walk,
        dir_filename: String,
    ) -> MergedConfig {
        let place = Place {
            server: self.server,
            dir: Some(walk.dir.clone()),
            file: Some(storage::basename(&walk.filename).to_string()),
            url: Some(uri.to_string()),
            force: None,
            filename: Some(dir_filename),
        };
        let method = self.method.clone();
        let vars = RequestVars {
            req: self.req,
            method: &method,
            path: uri,
            query,
            server_name: self.server_name(),
            user: None,
        };
        let assume = self.assume;
        let mut unknown = Vec::new();
        let mut met = Vec::new();
        let config = merge_for_request(self.m, &place, &mut |c| {
            let held = expr::evaluate(&c.expr, &vars);
            met.push((c.span, c.expr.clone(), held));
            held.unwrap_or_else(|| {
                unknown.push(format!("<If \"{}\">", c.expr));
                assume
            })
        });
        if !met.is_empty() {
            // An `<If>` may read anything of the request.
            self.reads.client = true;
            self.reads.method = true;
        }
        for (span, text, held) in met {
            let what = match held {
                Some(true) => format!("<If \"{text}\"> holds for this request"),
                Some(false) => format!("<If \"{text}\"> does not hold for this request"),
                None => format!("<If \"{text}\"> cannot be decided from the request"),
            };
            self.step(what, Some(span));
        }
        for u in unknown {
            self.unknown(u);
        }
        config
    }

    /// Steps for the sections with access directives that apply, and every `.htaccess`.
    fn report_sections(&mut self, config: &MergedConfig) {
        let m = self.m;
        for &s in &config.applied {
            let scope = &m.scopes[s];
            if scope.kind != super::config::ScopeKind::Htaccess && scope.has_auth() {
                self.step(format!("{} applies", scope.describe()), Some(scope.head));
            }
        }
        for (s, verdict) in &config.htaccess {
            let scope = &m.scopes[*s];
            let what = match verdict {
                HtaccessVerdict::Applied => format!("{} is read", scope.describe()),
                HtaccessVerdict::Ignored { .. } => {
                    format!("{} is ignored (AllowOverride None)", scope.describe())
                }
                HtaccessVerdict::Broken { reason, .. } => {
                    format!("{} is refused: {reason}", scope.describe())
                }
            };
            let span = match verdict {
                HtaccessVerdict::Ignored {
                    allow_override: Some(r),
                } => Some(m.dir(*r).dir.span),
                _ => Some(scope.head),
            };
            self.step(what, span);
        }
    }

    /// A directive of an applied `.htaccess` that httpd refuses while reading it.
    fn htaccess_error(&self, config: &MergedConfig) -> Option<(Span, String)> {
        let m = self.m;
        // httpd reads the whole file: the `<Files>` sections in it too, whether they
        // apply to this request or not (built right after the file's scope).
        let inside = |s: usize, file: usize| {
            std::iter::successors(Some(s), |&p| m.scopes[p].parent).any(|p| p == file)
        };
        config
            .applied
            .iter()
            .filter(|&&s| m.scopes[s].kind == super::config::ScopeKind::Htaccess)
            .flat_map(|&file| (file..m.scopes.len()).take_while(move |&s| inside(s, file)))
            .flat_map(|s| m.scopes[s].directives.iter())
            .find_map(|d| checks::directive_error(m, d, true).map(|e| (d.dir.span, e)))
    }
}

/// The key of httpd's directory walk cache: a directory as walked, or a file's
/// directory with a trailing slash.
fn walk_key(w: &Walk) -> String {
    match w.found {
        storage::Found::Directory if w.path_info.is_empty() => w.filename.clone(),
        _ => match w.filename.rfind('/') {
            Some(i) => w.filename[..=i].to_string(),
            None => w.filename.clone(),
        },
    }
}

/// Whether two merges took the same sections (and `<If>` blocks) in the same order.
fn same_sections(a: &MergedConfig, b: &MergedConfig) -> bool {
    a.applied == b.applied
        && a.applied_conditions.len() == b.applied_conditions.len()
        && a.applied_conditions
            .iter()
            .zip(&b.applied_conditions)
            .all(|((s1, c1), (s2, c2))| s1 == s2 && std::sync::Arc::ptr_eq(c1, c2))
}

fn walk_text(w: &Walk) -> String {
    let info = if w.path_info.is_empty() {
        String::new()
    } else {
        format!(" (path info {})", w.path_info)
    };
    match w.found {
        storage::Found::File => format!("{} is a file{info}", w.filename),
        storage::Found::Directory => format!("{} is a directory", w.filename),
        storage::Found::Missing => format!("{} does not exist{info}", w.filename),
    }
}

/// A Host httpd accepts (`fix_hostname` with HttpProtocolOptions Strict).
fn valid_host(host: &str) -> bool {
    if host.is_empty() {
        return true;
    }
    if host.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    host.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// A server-level On/Off directive for `server` (its own, else the main server's).
fn server_flag(m: &ApacheModel, server: usize, name: &str, default: bool) -> bool {
    let own = &m.scopes[m.servers[server].defaults];
    let main = &m.scopes[m.servers[0].defaults];
    own.last(name)
        .or_else(|| main.last(name))
        .and_then(|d| d.dir.arg(0))
        .map_or(default, |v| v.eq_ignore_ascii_case("on"))
}

/// `AllowEncodedSlashes` at server level.
fn encoded_slashes(m: &ApacheModel, server: usize) -> uri::EncodedSlashes {
    let own = &m.scopes[m.servers[server].defaults];
    let main = &m.scopes[m.servers[0].defaults];
    match own
        .last("AllowEncodedSlashes")
        .or_else(|| main.last("AllowEncodedSlashes"))
        .and_then(|d| d.dir.arg(0))
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("on") => uri::EncodedSlashes::Decode,
        Some("nodecode") => uri::EncodedSlashes::Keep,
        _ => uri::EncodedSlashes::Refuse,
    }
}

#[cfg(test)]
mod tests;
