//! The request plan: a short, fixed list of requests, each chosen by the answers before
//! it. At most [`MAX_REQUESTS`]; credentials go only to the probed origin.
//!
//! 1. the method and URL without credentials;
//! 2. with the given credentials (Basic, or Digest when only Digest is offered), once more
//!    with a fresh nonce when a Digest server calls the first one stale;
//! 3. the same user with a deliberately wrong password (without `--user`: a made-up user,
//!    when the first answer is 401 or 403, to learn whether credentials change anything);
//! 4. each redirect's target once: with the same credentials on the same origin, without
//!    any on another;
//! 5. `OPTIONS` when the method is refused (405, 501), to read `Allow`;
//! 6. the other scheme (`https` for an `http` URL on port 80) when a Basic challenge came
//!    over plain HTTP, without credentials.

use super::challenge::Challenge;
use super::client::{ClientError, Outgoing, Transport};
use super::digest;
use super::reply::Reply;
use super::url::Url;
use crate::model::request::{Credentials, Scheme};
use base64::Engine;
use zeroize::Zeroizing;

/// The most requests one probe sends.
pub const MAX_REQUESTS: usize = 10;

/// The user name sent with a made-up password when no `--user` was given.
pub const MADE_UP_USER: &str = "htguard-probe";

/// Which credentials a request carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    Nothing,
    /// The given user's password.
    Given {
        user: String,
        scheme: AuthScheme,
    },
    /// The given user (or [`MADE_UP_USER`]) with a password that is surely wrong.
    Wrong {
        user: String,
        scheme: AuthScheme,
    },
}

impl Sent {
    pub fn any(&self) -> bool {
        !matches!(self, Sent::Nothing)
    }

    /// "without credentials", "as alice (Basic)", "as alice with a wrong password (Basic)".
    pub fn describe(&self) -> String {
        match self {
            Sent::Nothing => "without credentials".into(),
            Sent::Given { user, scheme } => format!("as {user} ({})", scheme.name()),
            Sent::Wrong { user, scheme } => {
                format!("as {user} with a wrong password ({})", scheme.name())
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    Basic,
    Digest,
}

impl AuthScheme {
    pub fn name(self) -> &'static str {
        match self {
            AuthScheme::Basic => "Basic",
            AuthScheme::Digest => "Digest",
        }
    }
}

/// Why a request was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Step 1.
    First,
    /// Step 2.
    Given,
    /// Step 2, again with a fresh Digest nonce.
    FreshNonce,
    /// Step 3.
    Wrong,
    /// Step 4: the target of request `from`'s redirect.
    Redirect { from: usize },
    /// Step 5.
    Options,
    /// Step 6.
    OtherScheme,
}

/// One request and what came back.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// 1-based, in sending order.
    pub n: usize,
    pub purpose: Purpose,
    pub method: String,
    pub url: Url,
    pub sent: Sent,
    pub answer: Result<Reply, ClientError>,
}

impl Exchange {
    pub fn reply(&self) -> Option<&Reply> {
        self.answer.as_ref().ok()
    }

    pub fn status(&self) -> Option<u16> {
        self.reply().map(|r| r.status)
    }
}

/// What to probe.
pub struct PlanInput<'a> {
    pub url: &'a Url,
    pub method: &'a str,
    pub credentials: Option<&'a Credentials>,
}

/// Every value that must never reach the output: passwords and the headers made of them.
#[derive(Default)]
pub struct Secrets {
    values: Vec<Zeroizing<Vec<u8>>>,
}

impl Secrets {
    fn add(&mut self, value: &[u8]) {
        if value.len() >= 3 && !self.values.iter().any(|v| v.as_slice() == value) {
            self.values.push(Zeroizing::new(value.to_vec()));
        }
    }

    /// `text` with every secret in it replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            let v = String::from_utf8_lossy(v);
            if out.contains(v.as_ref()) {
                out = out.replace(v.as_ref(), "[redacted]");
            }
        }
        out
    }
}

/// Sends the plan's requests; `seen` is told of each exchange as it completes. The
/// first request failing is an error (nothing was probed); later failures are recorded.
pub fn run(
    client: &dyn Transport,
    input: &PlanInput<'_>,
    seen: &mut dyn FnMut(&Exchange),
) -> Result<Vec<Exchange>, ClientError> {
    let mut p = Planner {
        client,
        input,
        exchanges: Vec::new(),
        secrets: Secrets::default(),
        seen,
    };
    if let Some(c) = input.credentials {
        p.secrets.add(&c.password);
    }
    let first = p.send(Purpose::First, input.method, input.url.clone(), None)?;
    let first_reply = first.answer.clone()?;
    p.credential_steps(&first_reply);
    p.follow_redirects();
    if matches!(first_reply.status, 405 | 501) && !input.method.eq_ignore_ascii_case("OPTIONS") {
        p.send_anonymous(Purpose::Options, "OPTIONS", input.url.clone());
    }
    let basic_over_http = p.exchanges.iter().any(|e| {
        e.url.scheme == Scheme::Http
            && e.reply()
                .is_some_and(|r| r.challenges().iter().any(|c| c.is("Basic")))
    });
    if basic_over_http && let Some(https) = input.url.other_scheme() {
        p.send_anonymous(Purpose::OtherScheme, input.method, https);
    }
    Ok(p.exchanges)
}

struct Planner<'a, 'b> {
    client: &'a dyn Transport,
    input: &'a PlanInput<'a>,
    exchanges: Vec<Exchange>,
    secrets: Secrets,
    seen: &'b mut dyn FnMut(&Exchange),
}

/// The credentials of one request, and the header carrying them.
struct Login {
    sent: Sent,
    authorization: Zeroizing<String>,
}

impl Planner<'_, '_> {
    fn budget_left(&self) -> bool {
        self.exchanges.len() < MAX_REQUESTS
    }

    /// Send and record one request. Err only when it is the first and got no answer.
    fn send(
        &mut self,
        purpose: Purpose,
        method: &str,
        url: Url,
        login: Option<&Login>,
    ) -> Result<&Exchange, ClientError> {
        let answer = self
            .client
            .send(&Outgoing {
                method,
                url: &url,
                authorization: login.map(|l| l.authorization.as_str()),
            })
            .map(|r| self.scrubbed(r));
        if self.exchanges.is_empty()
            && let Err(e) = answer
        {
            return Err(e);
        }
        self.exchanges.push(Exchange {
            n: self.exchanges.len() + 1,
            purpose,
            method: method.to_string(),
            url,
            sent: login.map_or(Sent::Nothing, |l| l.sent.clone()),
            answer,
        });
        let last = &self.exchanges[self.exchanges.len() - 1];
        (self.seen)(last);
        Ok(last)
    }

    fn send_anonymous(&mut self, purpose: Purpose, method: &str, url: Url) {
        if self.budget_left() {
            let _ = self.send(purpose, method, url, None);
        }
    }

    /// A server that echoes a secret back gets it replaced before anything keeps it.
    fn scrubbed(&self, mut r: Reply) -> Reply {
        for (_, v) in r.headers.iter_mut() {
            *v = self.secrets.scrub(v);
        }
        r
    }

    /// Steps 2 and 3.
    fn credential_steps(&mut self, first: &Reply) {
        let mut challenges = first.challenges();
        let offered = first.status == 401 || first.status == 403;
        if let Some(c) = self.input.credentials {
            let password = Zeroizing::new(c.password.to_vec());
            let Some(login) = self.login(&challenges, &c.user, &password, true) else {
                return;
            };
            let url = self.input.url.clone();
            let stale = self
                .send(Purpose::Given, self.input.method, url.clone(), Some(&login))
                .ok()
                .and_then(Exchange::reply)
                .and_then(|r| {
                    r.challenges()
                        .into_iter()
                        .find(|c| c.is("Digest") && c.stale())
                });
            // A stale nonce: the password was right, the nonce too old; answer the new one.
            if let Some(fresh) = stale
                && login.sent_scheme() == Some(AuthScheme::Digest)
            {
                challenges = vec![fresh];
                if let Some(again) = self.login(&challenges, &c.user, &password, true) {
                    let _ = self.send(
                        Purpose::FreshNonce,
                        self.input.method,
                        url.clone(),
                        Some(&again),
                    );
                }
            }
            let wrong = wrong_password(&c.password);
            if let Some(login) = self.login(&challenges, &c.user, &wrong, false) {
                let _ = self.send(Purpose::Wrong, self.input.method, url, Some(&login));
            }
        } else if offered {
            let wrong = wrong_password(b"");
            if let Some(login) = self.login(&challenges, MADE_UP_USER, &wrong, false) {
                let url = self.input.url.clone();
                let _ = self.send(Purpose::Wrong, self.input.method, url, Some(&login));
            }
        }
    }

    /// Credentials for the probed URL: Digest when the server offers Digest and not Basic,
    /// else Basic (sent at once, as curl does with `-u`).
    fn login(
        &mut self,
        challenges: &[Challenge],
        user: &str,
        password: &[u8],
        right: bool,
    ) -> Option<Login> {
        let digest = challenges
            .iter()
            .find(|c| c.is("Digest") && digest::answerable(c));
        let basic_offered = challenges.iter().any(|c| c.is("Basic"));
        self.secrets.add(password);
        let (scheme, authorization) = match digest {
            Some(c) if !basic_offered => {
                let value = digest::authorization(
                    c,
                    self.input.method,
                    &self.input.url.target,
                    user,
                    password,
                    &digest::cnonce(),
                )?;
                (AuthScheme::Digest, value)
            }
            _ => {
                let mut plain = Zeroizing::new(format!("{user}:").into_bytes());
                plain.extend_from_slice(password);
                let token =
                    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*plain));
                self.secrets.add(token.as_bytes());
                (
                    AuthScheme::Basic,
                    Zeroizing::new(format!("Basic {}", *token)),
                )
            }
        };
        self.secrets.add(authorization.as_bytes());
        let user = user.to_string();
        let sent = if right {
            Sent::Given { user, scheme }
        } else {
            Sent::Wrong { user, scheme }
        };
        Some(Login {
            sent,
            authorization,
        })
    }

    /// Step 4, for the redirects answered so far.
    fn follow_redirects(&mut self) {
        let origin = self.input.url.origin();
        let mut followed: Vec<(Url, bool)> = Vec::new();
        let count = self.exchanges.len();
        for i in 0..count {
            let e = &self.exchanges[i];
            let Some(target) = e
                .reply()
                .filter(|r| r.is_redirect())
                .and_then(|r| r.location().and_then(|l| e.url.join(l)))
            else {
                continue;
            };
            if target == e.url {
                continue;
            }
            let same_origin = target.origin() == origin;
            let with_login = same_origin && e.sent.any();
            if followed.contains(&(target.clone(), with_login)) || !self.budget_left() {
                continue;
            }
            followed.push((target.clone(), with_login));
            let (from, sent, method) = (e.n, e.sent.clone(), e.method.clone());
            let login = if with_login {
                self.login_again(&sent)
            } else {
                None
            };
            let _ = self.send(Purpose::Redirect { from }, &method, target, login.as_ref());
        }
    }

    /// The same credentials again (Basic only: a Digest answer is bound to its URI).
    fn login_again(&mut self, sent: &Sent) -> Option<Login> {
        let c = self.input.credentials;
        match sent {
            Sent::Given { user, .. } => {
                let password = Zeroizing::new(c?.password.to_vec());
                self.login(&[], user, &password, true)
            }
            Sent::Wrong { user, .. } => {
                let wrong = wrong_password(c.map_or(&b""[..], |c| &c.password));
                self.login(&[], user, &wrong, false)
            }
            Sent::Nothing => None,
        }
    }
}

impl Login {
    fn sent_scheme(&self) -> Option<AuthScheme> {
        match &self.sent {
            Sent::Given { scheme, .. } | Sent::Wrong { scheme, .. } => Some(*scheme),
            Sent::Nothing => None,
        }
    }
}

/// A password that is surely not `right`: 24 random letters and digits.
fn wrong_password(right: &[u8]) -> Zeroizing<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    loop {
        let mut raw = [0u8; 24];
        if getrandom::fill(&mut raw).is_err() {
            raw = *b"htguard-surely-wrong-pw!";
        }
        let candidate: Vec<u8> = raw
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()])
            .collect();
        if candidate != right {
            return Zeroizing::new(candidate);
        }
    }
}

#[cfg(test)]
mod tests;
