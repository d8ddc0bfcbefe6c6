//! The access phase (`ngx_http_core_access_phase`, `ngx_http_core_post_access_phase`):
//! the access module (`allow`/`deny`), then auth_basic (the password step), then
//! auth_request, in that order. With `satisfy all` the first refusal answers; with
//! `satisfy any` the first handler that lets the request in ends the phase, and a
//! refusal waits (401 winning over 403) until every handler has spoken.

use super::super::{AccessRule, Realm, Settings};
use super::{Conf, Eval, Flow};
use crate::hash::{self, VerifyError};
use crate::hash::{Support, support_for};
use crate::model::passwd::{Lookup, NginxRead, nginx_find};
use crate::model::request::{FileState, Verdict};
use crate::source::Span;
use crate::target::Server;
use std::net::IpAddr;
use std::path::PathBuf;

/// What one access handler says (nginx's return codes).
enum Rc {
    Declined,
    Ok,
    Refuse(u16, Option<Span>),
}

impl<'a> Eval<'a> {
    /// `None`: the request goes on to the content phases.
    pub(super) fn access_phase(&mut self, conf: Conf<'a>) -> Option<Flow> {
        let s = conf.settings;
        let any = s.satisfy_any.as_ref().is_some_and(|x| x.value);
        let mut pending: Option<(u16, Option<Span>)> = None;
        for handler in 0..3 {
            let rc = match handler {
                0 => self.access_rules(s),
                1 => self.auth_basic(s),
                _ => self.auth_request(s),
            };
            match rc {
                Rc::Declined => {}
                Rc::Ok if any => {
                    let span = s.satisfy_any.as_ref().map(|x| x.directive);
                    self.step("`satisfy any`: one check passing is enough", span);
                    return None;
                }
                Rc::Ok => {}
                Rc::Refuse(code @ (401 | 403), span) if any => {
                    if pending.is_none_or(|(c, _)| c != 401) {
                        pending = Some((code, span));
                    }
                }
                Rc::Refuse(code, span) => return Some(Flow::Finalize { code, span }),
            }
        }
        pending.map(|(code, span)| {
            if let Some(span) = span {
                self.decided_by = Some(span);
            }
            Flow::Finalize { code, span }
        })
    }

    /// `allow` / `deny`: the first rule matching the client decides.
    fn access_rules(&mut self, s: &'a Settings) -> Rc {
        let client = self.request.client;
        let Some(rule) = s.access.iter().find(|r| matches_client(r, client)) else {
            return Rc::Declined;
        };
        let kind = if rule.allow { "allow" } else { "deny" };
        let what = format!("`{kind} {}` matches the client {client}", rule.what);
        if rule.allow {
            self.step(what, Some(rule.span));
            Rc::Ok
        } else {
            self.decide(format!("{what}: 403"), Some(rule.span));
            Rc::Refuse(403, Some(rule.span))
        }
    }

    /// `auth_request URI` (`ngx_http_auth_request_handler`): a subrequest to the URI,
    /// run through the phases but access; a 2xx lets the request in, 401 and 403 are
    /// passed on, anything else is a 500. An upstream behind it decides: unknown.
    fn auth_request(&mut self, s: &'a Settings) -> Rc {
        let Some(setting) = &s.auth_request else {
            return Rc::Declined;
        };
        let Some(uri) = &setting.value else {
            return Rc::Declined;
        };
        let span = Some(setting.directive);
        let server = self.server.expect("a server was chosen");
        let mut sub = Eval::new(self.model, self.request, self.files, self.profile);
        sub.server = Some(server);
        sub.subrequest = true;
        sub.state.method = self.state.method.clone();
        sub.state.internal = true;
        let (path, args) = match uri.split_once('?') {
            Some((p, a)) => (p.to_string(), a.to_string()),
            None => (uri.clone(), String::new()),
        };
        sub.state.uri = path;
        sub.state.args = args;
        let verdict = sub.drive(super::Start::ServerRewrite);
        for step in sub.steps {
            self.step(format!("auth_request {uri}: {}", step.what), step.span);
        }
        let status = match (&verdict, sub.depends) {
            (Verdict::Status(code), None) => *code,
            (_, why) => {
                let on = why.unwrap_or_else(|| format!("the auth_request subrequest to {uri}"));
                self.depends_on(on);
                self.step(
                    format!("`auth_request {uri}`: decided by the subrequest (taken as allowing)"),
                    span,
                );
                return Rc::Ok;
            }
        };
        match status {
            200..=299 => {
                self.step(
                    format!("`auth_request {uri}`: the subrequest answers {status}: allowed"),
                    span,
                );
                Rc::Ok
            }
            401 | 403 => {
                self.decide(
                    format!("`auth_request {uri}`: the subrequest answers {status}"),
                    span,
                );
                Rc::Refuse(status, span)
            }
            other => {
                self.decide(
                    format!("`auth_request {uri}`: the subrequest answers {other}: 500"),
                    span,
                );
                Rc::Refuse(500, span)
            }
        }
    }

    /// `auth_basic` (`ngx_http_auth_basic_handler`).
    fn auth_basic(&mut self, s: &'a Settings) -> Rc {
        let (Some(realm), Some(file)) = (&s.auth_basic, &s.user_file) else {
            return Rc::Declined;
        };
        let realm_text = match &realm.value {
            Realm::Off => return Rc::Declined,
            Realm::Text(t) => t.clone(),
            Realm::Variable(v) => match self.expand(v) {
                Ok(t) => t,
                Err(e) => {
                    self.depends_on(format!("the realm `{v}` takes {e}"));
                    v.clone()
                }
            },
        };
        if realm_text == "off" {
            self.step(
                "`auth_basic` evaluates to `off`: no password asked",
                Some(realm.directive),
            );
            return Rc::Declined;
        }
        let span = Some(realm.directive);
        let Some((user, password)) = self.basic_credentials() else {
            self.decide(
                format!("`auth_basic \"{realm_text}\"`: no credentials sent: 401"),
                span,
            );
            return Rc::Refuse(401, span);
        };
        self.password_checked = true;
        let path = match self.user_file_path(&file.value) {
            Ok(p) => p,
            Err(e) => {
                self.depends_on(format!("the user file path takes {e}"));
                return Rc::Refuse(401, span);
            }
        };
        let fspan = Some(file.directive);
        let shown = path.display().to_string();
        let bytes = match self.files.state(&path) {
            FileState::Missing => {
                self.decide(format!("the user file {shown} does not exist: 403"), fspan);
                return Rc::Refuse(403, fspan);
            }
            FileState::Unreadable(why) => {
                self.decide(
                    format!("the user file {shown} cannot be opened ({why}): 500"),
                    fspan,
                );
                return Rc::Refuse(500, fspan);
            }
            FileState::Directory => {
                self.decide(format!("the user file {shown} is a directory: 500"), fspan);
                return Rc::Refuse(500, fspan);
            }
            FileState::File { .. } | FileState::Other
                if self.files.cannot_read(&path).is_some() =>
            {
                let why = self.files.cannot_read(&path).unwrap_or_default();
                self.decide(
                    format!("the user file {shown} cannot be opened ({why}): 500"),
                    fspan,
                );
                return Rc::Refuse(500, fspan);
            }
            FileState::File { .. } | FileState::Other => match self.files.read(&path) {
                Ok(b) => b,
                Err(e) => {
                    self.decide(
                        format!("the user file {shown} cannot be read ({e}): 500"),
                        fspan,
                    );
                    return Rc::Refuse(500, fspan);
                }
            },
        };
        self.check_password(&bytes, &shown, &user, &password, span)
    }

    /// The user and password of the Authorization header as nginx splits them (at the
    /// first `:`); `None` when nginx finds none (no header, an empty user).
    fn basic_credentials(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let c = self.request.credentials.as_ref()?;
        let mut raw = c.user.as_bytes().to_vec();
        raw.push(b':');
        raw.extend_from_slice(&c.password);
        let colon = raw.iter().position(|&b| b == b':')?;
        if colon == 0 {
            return None;
        }
        Some((raw[..colon].to_vec(), raw[colon + 1..].to_vec()))
    }

    /// The user file as nginx opens it: variables evaluated, relative to the conf prefix.
    fn user_file_path(&mut self, f: &super::super::UserFile) -> Result<PathBuf, String> {
        if !f.has_variable {
            return Ok(f.server_path.clone());
        }
        let raw = self.expand(&f.raw)?;
        Ok(if raw.starts_with('/') {
            PathBuf::from(raw)
        } else {
            self.model.prefix.join(raw)
        })
    }

    /// Find the user as nginx reads the file and check the password with the real hash code.
    fn check_password(
        &mut self,
        bytes: &[u8],
        shown: &str,
        user: &[u8],
        password: &[u8],
        span: Option<Span>,
    ) -> Rc {
        let file = crate::syntax::passwd::parse(bytes);
        let who = String::from_utf8_lossy(user).into_owned();
        let record = match nginx_find(&file, bytes, user) {
            Lookup::Found(r) => r,
            Lookup::NotFound { .. } => {
                self.decide(format!("user `{who}` is not in {shown}: 401"), span);
                return Rc::Refuse(401, span);
            }
        };
        let NginxRead::Entry { hash: found, .. } = &record.read else {
            return Rc::Refuse(401, span);
        };
        let line = record.line + 1;
        let hash_bytes = found
            .as_bytes()
            .split(|&b| b == 0)
            .next()
            .unwrap_or(&[])
            .to_vec();
        let info = hash::identify(&hash_bytes);
        let at = format!("{shown}:{line}");
        match support_for(&info, Server::Nginx, self.profile) {
            Support::Error500 { reason } => {
                self.decide(format!("user `{who}` ({at}): {reason}: 500"), span);
                return Rc::Refuse(500, span);
            }
            Support::Always401 { reason } => {
                self.decide(
                    format!("user `{who}` ({at}): {reason}: no password matches: 401"),
                    span,
                );
                return Rc::Refuse(401, span);
            }
            _ => {}
        }
        match hash::verify(password, &hash_bytes) {
            Ok(true) => {
                self.step(format!("user `{who}` ({at}): the password matches"), span);
                self.state.remote_user = Some(who);
                Rc::Ok
            }
            Ok(false) | Err(VerifyError::Malformed(_)) => {
                self.decide(
                    format!("user `{who}` ({at}): the password does not match: 401"),
                    span,
                );
                Rc::Refuse(401, span)
            }
            Err(VerifyError::Unsupported { kind, reason }) => {
                self.depends_on(format!("the platform crypt() for {kind} ({reason})"));
                self.step(
                    format!("user `{who}` ({at}): {kind} cannot be checked here"),
                    span,
                );
                Rc::Ok
            }
        }
    }
}

/// Whether an `allow`/`deny` rule covers the client (`ngx_http_access_module`): `all`,
/// an address, or a CIDR of the client's family (an IPv4-mapped IPv6 client is
/// checked as IPv4).
fn matches_client(rule: &AccessRule, client: IpAddr) -> bool {
    let what = rule.what.as_str();
    if what == "all" {
        return true;
    }
    if what.starts_with("unix:") {
        return false;
    }
    let client = match client {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(client, IpAddr::V4),
        v4 => v4,
    };
    let (addr, bits) = match what.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (what, None),
    };
    let Ok(addr) = addr.parse::<IpAddr>() else {
        return false;
    };
    match (addr, client) {
        (IpAddr::V4(a), IpAddr::V4(c)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(c) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(c)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(c) & mask
        }
        _ => false,
    }
}
