//! `--config`: every probe request also goes through the request evaluators, the way
//! `htguard why` asks them (same loaders, the `.htaccess` files the request walks, the
//! worker's permissions), and the answer the configuration predicts is held beside the
//! live one. An nginx front that
//! passes the request to a literal `proxy_pass` address is followed to the configured
//! server there, with the credentials only when the front passes them on.

use super::client::Resolve;
use super::plan::{Exchange, Sent};
use super::prediction::Prediction;
use super::url::Url;
use crate::check::why::{WhyOptions, answer_with_htaccess};
use crate::check::{CheckError, CheckOptions, load_configs_with, starting_points};
use crate::model::apache::{self, ApacheModel};
use crate::model::nginx::{self, NginxModel};
use crate::model::request::{Answer, Credentials, LocalFiles, Request, Verdict};
use crate::source::access::Account;
use crate::source::{Sources, Span};
use crate::target::Profile;
use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs, UdpSocket};
use zeroize::Zeroizing;

/// The configurations to hold the answers against.
pub struct Configs {
    pub sources: Sources,
    /// Each as last asked: re-read with the `.htaccess` files a request walked.
    apache: Vec<ApacheModel>,
    nginx: Vec<NginxModel>,
    inputs: CheckOptions,
}

/// Why `--config` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("--config: no Apache or nginx configuration among the inputs")]
    NoServerConfig,
}

impl Configs {
    /// Load the configurations the inputs name, as `why` does (no `.htaccess` file yet).
    pub fn load(inputs: &CheckOptions) -> Result<Configs, ConfigError> {
        let candidates = starting_points(inputs)?;
        let mut sources = Sources::new();
        let (apache, nginx) = load_configs_with(
            &candidates,
            inputs,
            &mut sources,
            |path, start, load, src| apache::load_for_requests(path, start, load, src, &[]),
        );
        if apache.is_empty() && nginx.is_empty() {
            return Err(ConfigError::NoServerConfig);
        }
        Ok(Configs {
            sources,
            apache,
            nginx,
            inputs: inputs.clone(),
        })
    }
}

/// What the request of each exchange is, as the evaluators take it.
pub struct Asking<'a> {
    pub credentials: Option<&'a Credentials>,
    pub resolve: &'a [Resolve],
    /// The client's address as the server sees it (`--from`); else guessed from the route.
    pub client: Option<IpAddr>,
}

/// One prediction per exchange, in order.
pub fn predict(
    configs: &mut Configs,
    exchanges: &[Exchange],
    asking: &Asking<'_>,
) -> Vec<Prediction> {
    exchanges
        .iter()
        .map(|e| predict_one(configs, &request_of(e, asking)))
        .collect()
}

/// The answer of the configured server that listens where the request goes.
struct Found {
    answer: Answer,
    server: &'static str,
    /// For an nginx upstream: the front's model, server and settings in effect.
    upstream: Option<Upstream>,
    login_at: Option<Span>,
}

/// Where an nginx front passes a request on, and what it does to the credentials.
struct Upstream {
    /// `http://127.0.0.1:8080` (a literal `proxy_pass` without a URI part).
    target: Option<Url>,
    /// The line that removes or blanks the Authorization header.
    drops_credentials: Option<Span>,
}

fn predict_one(configs: &mut Configs, request: &Request) -> Prediction {
    let Some(found) = answer(configs, request) else {
        return Prediction {
            summary: format!(
                "no configured server listens on {}:{}",
                request.host, request.port
            ),
            ..Prediction::default()
        };
    };
    let mut p = Prediction {
        listens: true,
        status: found.answer.status(),
        summary: describe(&found.answer, found.server),
        decided_by: found.answer.decided_by,
        login_at: found.login_at,
        ..Prediction::default()
    };
    if request.credentials.is_some() && found.answer.status() == Some(401) {
        p.rejection_causes = cause(&found.answer).into_iter().collect();
    }
    if let Some(up) = found.upstream {
        if request.credentials.is_some() {
            p.credentials_dropped_at = up.drops_credentials;
        }
        if let Some(target) = up.target {
            let mut behind = backend_request(request, &target);
            if up.drops_credentials.is_some() {
                behind.credentials = None;
            }
            if let Some(back) = answer(configs, &behind) {
                p.status = back.answer.status();
                p.summary = format!(
                    "{} behind {target}{}: {}",
                    p.status.map_or("an answer".into(), |s| s.to_string()),
                    if up.drops_credentials.is_some() && request.credentials.is_some() {
                        ", which gets no credentials"
                    } else {
                        ""
                    },
                    describe(&back.answer, back.server)
                );
                if p.credentials_dropped_at.is_none() && behind.credentials.is_some() {
                    p.rejection_causes = if back.answer.status() == Some(401) {
                        cause(&back.answer).into_iter().collect()
                    } else {
                        Vec::new()
                    };
                }
                p.decided_by = back.answer.decided_by.or(p.decided_by);
                p.login_at = back.login_at.or(p.login_at);
            }
        }
    }
    p
}

/// The first configured server that listens where `request` goes, and its answer.
fn answer(configs: &mut Configs, request: &Request) -> Option<Found> {
    let ask = WhyOptions {
        inputs: configs.inputs.clone(),
        request: request.clone(),
    };
    for slot in 0..configs.apache.len() {
        let before = configs.sources.len();
        let m = std::mem::take(&mut configs.apache[slot]);
        let (m, answer) = answer_with_htaccess(m, &ask, &mut configs.sources);
        // Re-read with this request's `.htaccess` files: the next request starts, as in
        // `why`, from the configuration without them.
        configs.apache[slot] = if configs.sources.len() > before {
            apache::load_for_requests(
                &m.entry,
                m.start,
                &ask.inputs.load,
                &mut configs.sources,
                &[],
            )
        } else {
            m
        };
        if answer.verdict != Verdict::NoListener {
            let login_at = (answer.status() == Some(401))
                .then_some(answer.decided_by)
                .flatten();
            return Some(Found {
                answer,
                server: "Apache",
                upstream: None,
                login_at,
            });
        }
    }
    for m in &configs.nginx {
        let files = LocalFiles {
            root: configs.inputs.load.root.clone(),
            worker: Account::lookup(configs.inputs.load.root.as_deref(), &m.user, None),
        };
        let profile: &Profile = &configs.inputs.profile;
        let ev = nginx::request::evaluate_with(m, request, &files, profile);
        if ev.answer.verdict == Verdict::NoListener {
            continue;
        }
        let settings = match (ev.server, ev.served) {
            (Some(s), Some(served)) => Some(m.servers[s].settings_for(served, &request.method)),
            _ => None,
        };
        let upstream = settings.filter(|_| ev.upstream).map(upstream_of);
        let login_at = settings.and_then(|s| s.auth_basic.as_ref().map(|a| a.directive));
        return Some(Found {
            answer: ev.answer,
            server: "nginx",
            upstream,
            login_at,
        });
    }
    None
}

/// What an nginx location that passes requests on does with them.
fn upstream_of(s: &nginx::Settings) -> Upstream {
    let blank = |f: &&nginx::UpstreamField, name: &str| {
        f.value.0.eq_ignore_ascii_case(name) && f.value.1.is_empty()
    };
    let (kind, arg) = s
        .handler
        .as_ref()
        .map(|h| (h.value.0.as_str(), h.value.1.as_str()))
        .unwrap_or(("", ""));
    let dropped = match kind {
        "proxy_pass" => s.proxy_headers.iter().find(|f| blank(f, "Authorization")),
        "fastcgi_pass" => s
            .fastcgi_params
            .iter()
            .find(|f| blank(f, "HTTP_AUTHORIZATION")),
        _ => None,
    };
    let drops_credentials = dropped.map(|f| f.directive).or(s.request_headers_off);
    // Only a literal address without a URI part passes the request target unchanged.
    let target = (kind == "proxy_pass" && !arg.contains('$'))
        .then(|| arg.split_once("://").map(|(_, rest)| !rest.contains('/')))
        .flatten()
        .filter(|no_uri| *no_uri)
        .and_then(|_| Url::parse(arg).ok());
    Upstream {
        target,
        drops_credentials,
    }
}

/// The request nginx sends to `target` for `front`: `Host: $proxy_host` (the request's
/// `host` is without the port), from nginx's own address.
fn backend_request(front: &Request, target: &Url) -> Request {
    let host = target
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addr = address_of(&host, target.port, &[]).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    Request {
        scheme: target.scheme,
        host: host.clone(),
        port: target.port,
        local_addr: addr,
        client: if addr.is_loopback() {
            addr
        } else {
            front.local_addr
        },
        ..front.clone()
    }
}

/// The request of an exchange, as the server sees it arrive.
fn request_of(e: &Exchange, asking: &Asking<'_>) -> Request {
    let host = e
        .url
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let local_addr =
        address_of(&host, e.url.port, asking.resolve).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let client = asking
        .client
        .unwrap_or_else(|| route_from(local_addr, e.url.port));
    let credentials = match &e.sent {
        Sent::Nothing => None,
        Sent::Given { .. } => asking.credentials.cloned(),
        Sent::Wrong { user, .. } => Some(Credentials {
            user: user.clone(),
            // Any wrong password gets the same answer; this one is never sent.
            password: Zeroizing::new(b"\x01htguard-not-the-password".to_vec()),
        }),
    };
    Request {
        method: e.method.clone(),
        scheme: e.url.scheme,
        host,
        port: e.url.port,
        local_addr,
        target: e.url.target.clone(),
        client,
        credentials,
    }
}

/// The address a client connects to for `host`: `--resolve`, a literal, else DNS.
fn address_of(host: &str, port: u16, resolve: &[Resolve]) -> Option<IpAddr> {
    if let Some(r) = resolve
        .iter()
        .find(|r| r.host.trim_matches(['[', ']']) == host && r.port == port)
    {
        return Some(r.addr);
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(ip);
    }
    (host, port).to_socket_addrs().ok()?.next().map(|a| a.ip())
}

/// This machine's address on the route to `server` (what the server sees, without NAT).
fn route_from(server: IpAddr, port: u16) -> IpAddr {
    if server.is_loopback() {
        return server;
    }
    let any: IpAddr = if server.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    // Connecting a UDP socket only picks the route; nothing is sent.
    UdpSocket::bind((any, 0))
        .and_then(|s| s.connect((server, port)).and_then(|()| s.local_addr()))
        .map(|a| a.ip())
        .unwrap_or(any)
}

/// `401 (user bob not found (AH01618))`, from the answer's last decision.
fn describe(answer: &Answer, server: &str) -> String {
    let status = match &answer.verdict {
        Verdict::Status(s) => s.to_string(),
        Verdict::DoesNotStart => {
            format!("no answer: {server} does not start with this configuration")
        }
        Verdict::NoListener => "no answer: nothing listens".into(),
        Verdict::Depends { on, status } => match status {
            Some(s) => format!("{s}, depending on {on}"),
            None => format!("what {on} answers"),
        },
    };
    match cause(answer) {
        Some((what, _)) => format!("{status} from {server} ({what})"),
        None => format!("{status} from {server}"),
    }
}

/// The last decision, without its leading status (`401: user bob not found` → `user bob
/// not found`), and its line.
fn cause(answer: &Answer) -> Option<(String, Option<Span>)> {
    let last = answer.steps.last()?;
    let what = last.what.trim();
    let what = match what.split_once(": ") {
        Some((code, rest)) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => what,
    };
    Some((what.to_string(), last.span.or(answer.decided_by)))
}
