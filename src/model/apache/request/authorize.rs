//! The authorization providers' answers for one request (mod_authz_core's `all`, `env`,
//! `method`, `expr`; mod_authz_host's `ip`, `local`, `host`, `forward-dns`;
//! mod_authz_user's `user`, `valid-user`; mod_authz_groupfile's `group`). A provider whose
//! answer depends on what htguard cannot see (DNS, environment set by other modules, a
//! database) is unknown: it is recorded and taken as the evaluation's assumption says.

use super::address::{self, ClientName};
use super::authn;
use super::expr::{self, ExprEnv, Value};
use crate::model::apache::ApacheModel;
use crate::model::apache::authz::{Authorizer, AuthzResult, all_result, method_result};
use crate::model::apache::config::DirectiveRef;
use crate::model::apache::merge::MergedConfig;
use crate::model::passwd;
use crate::model::request::{Files, Request};
use std::net::IpAddr;

/// One `Require` line's answer, for the chain of decisions.
#[derive(Clone, Debug)]
pub struct LineResult {
    pub directive: DirectiveRef,
    pub result: AuthzResult,
    pub why: String,
}

/// Answers the providers for one request, with or without an authenticated user.
pub struct RequestAuthorizer<'a> {
    pub m: &'a ApacheModel,
    pub config: &'a MergedConfig,
    pub req: &'a Request,
    pub files: &'a dyn Files,
    pub env: &'a dyn ExprEnv,
    pub user: Option<&'a str>,
    /// The request's method (a subrequest's is GET).
    pub method: &'a str,
    /// How an unknown answer is taken in this pass.
    pub assume: bool,
    /// Environment variables something may set before authz (lower case; `*`: any).
    pub env_setters: &'a [String],
    /// Unknown answers met.
    pub unknowns: Vec<String>,
    pub lines: Vec<LineResult>,
}

impl RequestAuthorizer<'_> {
    fn unknown(&mut self, what: String) -> AuthzResult {
        self.unknowns.push(what);
        if self.assume {
            AuthzResult::Granted
        } else {
            AuthzResult::Denied
        }
    }

    fn answer(
        &mut self,
        provider: &str,
        args: &[String],
        directive: DirectiveRef,
    ) -> (AuthzResult, String) {
        let client = self.req.client;
        let user = self.user;
        let yes_no = |hit: bool| {
            if hit {
                AuthzResult::Granted
            } else {
                AuthzResult::Denied
            }
        };
        match provider {
            "all" => (all_result(args), format!("all {}", args.join(" "))),
            "method" => (
                method_result(args, self.method),
                format!("method {} against {}", self.method, args.join(" ")),
            ),
            "ip" => {
                let hit = args
                    .iter()
                    .filter_map(|a| address::parse_word(a).ok())
                    .any(|s| s.contains(client));
                (
                    yes_no(hit),
                    format!("client {client} {} {}", in_or_not(hit), args.join(" ")),
                )
            }
            "local" => {
                let hit = address::is_local(client, self.req.local_addr);
                (
                    yes_no(hit),
                    format!("client {client} is {}local", if hit { "" } else { "not " }),
                )
            }
            "host" => self.host(args),
            "forward-dns" => {
                let what = format!("whether {} resolves to {client} (DNS)", args.join(" "));
                (self.unknown(what.clone()), what)
            }
            "env" => self.env(args),
            "expr" => self.expr(&raw_after_provider(&self.m.dir(directive).dir.raw_args)),
            "valid-user" => match user {
                Some(u) => (AuthzResult::Granted, format!("user {u} is authenticated")),
                None => (
                    AuthzResult::DeniedNoUser,
                    "needs an authenticated user".into(),
                ),
            },
            "user" => match user {
                Some(u) => {
                    let hit = args.iter().any(|a| a == u);
                    (
                        yes_no(hit),
                        format!("user {u} {} {}", in_or_not(hit), args.join(" ")),
                    )
                }
                None => (
                    AuthzResult::DeniedNoUser,
                    "needs an authenticated user".into(),
                ),
            },
            "group" => match user {
                Some(u) => self.group(u, args),
                None => (
                    AuthzResult::DeniedNoUser,
                    "needs an authenticated user".into(),
                ),
            },
            other => match user {
                None if crate::model::apache::authz::needs_user(other) => (
                    AuthzResult::DeniedNoUser,
                    "needs an authenticated user".into(),
                ),
                _ => {
                    let what = format!("the {other} authorization provider's answer");
                    (self.unknown(what.clone()), what)
                }
            },
        }
    }

    fn host(&mut self, args: &[String]) -> (AuthzResult, String) {
        let client = self.req.client;
        match address::client_name(client, self.files) {
            ClientName::Known(name) => {
                let hit = args.iter().any(|d| address::in_domain(d, &name));
                let r = if hit {
                    AuthzResult::Granted
                } else {
                    AuthzResult::Denied
                };
                (
                    r,
                    format!(
                        "client {client} is {name} (hosts file), {} {}",
                        in_or_not(hit),
                        args.join(" ")
                    ),
                )
            }
            ClientName::FromDns => {
                let what = format!("whether {client}'s DNS name is in {}", args.join(" "));
                (self.unknown(what.clone()), what)
            }
        }
    }

    fn env(&mut self, args: &[String]) -> (AuthzResult, String) {
        let settable = |v: &String| {
            self.env_setters
                .iter()
                .any(|s| s == "*" || s.eq_ignore_ascii_case(v))
        };
        if args.iter().any(settable) {
            let what = format!("whether environment variable {} is set", args.join(" or "));
            return (self.unknown(what.clone()), what);
        }
        (
            AuthzResult::Denied,
            format!("nothing sets {} before authorization", args.join(" or ")),
        )
    }

    fn expr(&mut self, text: &str) -> (AuthzResult, String) {
        let text = text.to_string();
        // mod_authz_core: an expression that reads REMOTE_USER needs a user first.
        if text.contains("REMOTE_USER") && self.user.is_none() {
            return (
                AuthzResult::DeniedNoUser,
                format!("expr {text} needs a user"),
            );
        }
        match expr::evaluate(&text, self.env) {
            Some(true) => (AuthzResult::Granted, format!("expr {text} holds")),
            Some(false) => (AuthzResult::Denied, format!("expr {text} does not hold")),
            None => {
                let what = format!("expression {text}");
                (self.unknown(what.clone()), what)
            }
        }
    }

    /// mod_authz_groupfile: the user's groups from AuthGroupFile.
    fn group(&mut self, user: &str, args: &[String]) -> (AuthzResult, String) {
        let Some(r) = self.config.group_file else {
            return (
                AuthzResult::Denied,
                "No group file was specified in the configuration (AH01664)".into(),
            );
        };
        let path = self.m.resolve(self.m.dir(r).dir.arg(0).unwrap_or(""));
        let bytes = match authn::open(self.files, &path) {
            Ok(b) => b,
            Err(why) => {
                return (
                    AuthzResult::Denied,
                    format!(
                        "Could not open group file: {} ({why}) (AH01665)",
                        path.display()
                    ),
                );
            }
        };
        let parsed = crate::syntax::passwd::parse(&bytes);
        let groups: Vec<String> = passwd::apache_groups(&parsed, &bytes)
            .filter(|g| g.members.iter().any(|w| w.as_bytes() == user.as_bytes()))
            .map(|g| g.name.lossy().into_owned())
            .collect();
        let hit = args.iter().any(|a| groups.iter().any(|g| g == a));
        let r = if hit {
            AuthzResult::Granted
        } else {
            AuthzResult::Denied
        };
        let why = if groups.is_empty() {
            format!("user {user} is in no group of {} (AH01666)", path.display())
        } else {
            format!(
                "user {user} is in {} of {}, {} {}",
                groups.join(" "),
                path.display(),
                in_or_not(hit),
                args.join(" ")
            )
        };
        (r, why)
    }
}

/// A `Require` line's text after `[not] provider`, as written (mod_authz_core hands
/// providers the raw rest of the line; `expr` parses it with its quotes).
fn raw_after_provider(raw: &str) -> String {
    /// The text after the first word.
    fn after_word(s: &str) -> (&str, &str) {
        let s = s.trim_start();
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        (&s[..end], s[end..].trim_start())
    }
    let (first, rest) = after_word(raw);
    let rest = if first.eq_ignore_ascii_case("not") {
        after_word(rest).1
    } else {
        rest
    };
    rest.trim_end().to_string()
}

fn in_or_not(hit: bool) -> &'static str {
    if hit { "matches" } else { "does not match" }
}

impl Authorizer for RequestAuthorizer<'_> {
    fn method(&self) -> &str {
        self.method
    }

    fn check(&mut self, provider: &str, args: &[String], directive: DirectiveRef) -> AuthzResult {
        let (result, why) = self.answer(provider, args, directive);
        self.lines.push(LineResult {
            directive,
            result,
            why,
        });
        result
    }
}

/// The request as `ap_expr` variables see it.
pub struct RequestVars<'a> {
    pub req: &'a Request,
    pub method: &'a str,
    /// `r->uri` (decoded path).
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub server_name: String,
    pub user: Option<&'a str>,
}

impl RequestVars<'_> {
    /// The Host header as a client sends it: the URL's host, with the port unless it
    /// is the scheme's default (curl's way).
    pub fn host_header(&self) -> String {
        let r = self.req;
        if r.host.is_empty() || r.port == r.scheme.default_port() {
            r.host.clone()
        } else {
            format!("{}:{}", r.host, r.port)
        }
    }
}

impl ExprEnv for RequestVars<'_> {
    fn var(&self, name: &str) -> Value {
        let r = self.req;
        let https = r.scheme == crate::model::request::Scheme::Https;
        Value::Known(match name {
            "REQUEST_METHOD" => self.method.to_string(),
            "REQUEST_SCHEME" => if https { "https" } else { "http" }.into(),
            "HTTPS" => if https { "on" } else { "off" }.into(),
            "HTTP_HOST" => self.host_header(),
            "SERVER_NAME" => self.server_name.clone(),
            "SERVER_PORT" => r.port.to_string(),
            "SERVER_ADDR" => r.local_addr.to_string(),
            "REMOTE_ADDR" | "CONN_REMOTE_ADDR" => r.client.to_string(),
            "REQUEST_URI" => self.path.to_string(),
            "QUERY_STRING" => self.query.unwrap_or("").to_string(),
            "REMOTE_USER" => self.user.unwrap_or("").to_string(),
            "HTTP_AUTHORIZATION" if r.credentials.is_none() => String::new(),
            _ => return Value::Unknown,
        })
    }

    fn header(&self, name: &str) -> Value {
        match name {
            "host" => Value::Known(self.host_header()),
            "authorization" if self.req.credentials.is_none() => Value::Known(String::new()),
            "authorization" => Value::NonEmpty,
            _ => Value::Unknown,
        }
    }

    fn client(&self) -> IpAddr {
        self.req.client
    }
}
