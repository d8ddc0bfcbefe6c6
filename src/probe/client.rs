//! The HTTP client: ureq over rustls, HTTP/1.1 (ureq has no HTTP/2, and a second HTTP
//! stack for it is not worth its weight here: servers decide a login the same way over
//! both). Certificates are checked against the system's roots unless `insecure`; redirects
//! are never followed (the plan decides what to ask next); no proxy from the environment
//! is used, so the answers are the server's own.

use super::reply::Reply;
use super::url::Url;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// `--resolve HOST:PORT:ADDR`: connect to ADDR for HOST:PORT, keep HOST in the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

impl Resolve {
    /// Parse `HOST:PORT:ADDR` (ADDR may be an IPv6 address, with or without brackets).
    pub fn parse(text: &str) -> Result<Resolve, String> {
        let bad = || format!("--resolve {text}: expected HOST:PORT:ADDR");
        let mut parts = text.splitn(3, ':');
        let host = parts.next().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let port = parts
            .next()
            .and_then(|p| p.parse::<u16>().ok())
            .ok_or_else(bad)?;
        let addr = parts.next().ok_or_else(bad)?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let addr = addr.parse::<IpAddr>().map_err(|_| bad())?;
        Ok(Resolve {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }
}

/// How to connect.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// For each request: connect, send and receive the head.
    pub timeout: Duration,
    /// Accept any certificate (self-signed, expired, another name).
    pub insecure: bool,
    pub resolve: Vec<Resolve>,
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("cannot resolve {0}: no such host (DNS)")]
    Dns(String),
    #[error("connection refused by {0}: nothing listens there")]
    Refused(String),
    #[error("no answer from {0} within {1} s")]
    Timeout(String, u64),
    #[error(
        "TLS with {0} failed: {1} (--insecure accepts a self-signed or mismatched certificate)"
    )]
    Tls(String, String),
    #[error("{0}: {1}")]
    Other(String, String),
}

/// Sends one request and reads the head of its answer.
pub trait Transport {
    fn send(&self, out: &Outgoing<'_>) -> Result<Reply, ClientError>;
}

/// Sends one request at a time over the network.
pub struct Client {
    agent: ureq::Agent,
    timeout: Duration,
}

/// The request a plan step sends.
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    /// The `Authorization` value, if any (never shown).
    pub authorization: Option<&'a str>,
}

impl Client {
    pub fn new(opts: &ClientOptions) -> Client {
        use ureq::tls::{RootCerts, TlsConfig};
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::PlatformVerifier)
            .disable_verification(opts.insecure)
            .build();
        let config = ureq::config::Config::builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(None)
            .allow_non_standard_methods(true)
            .user_agent(concat!("htguard-probe/", env!("CARGO_PKG_VERSION")))
            .timeout_global(Some(opts.timeout))
            .tls_config(tls)
            .build();
        let resolver = Overrides {
            entries: opts.resolve.clone(),
        };
        Client {
            agent: ureq::Agent::with_parts(config, DefaultConnector::new(), resolver),
            timeout: opts.timeout,
        }
    }
}

impl Transport for Client {
    /// Send one request and read the head of its answer (the body is not read).
    fn send(&self, out: &Outgoing<'_>) -> Result<Reply, ClientError> {
        let origin = out.url.origin().to_string();
        let other = |e: String| ClientError::Other(origin.clone(), e);
        let mut builder = ureq::http::Request::builder()
            .method(out.method)
            .uri(out.url.to_string());
        if let Some(auth) = out.authorization {
            let mut value = ureq::http::HeaderValue::from_str(auth)
                .map_err(|_| other("the credentials cannot be sent in a header".into()))?;
            value.set_sensitive(true);
            builder = builder.header("authorization", value);
        }
        let request = builder.body(()).map_err(|e| other(e.to_string()))?;
        let response = self
            .agent
            .run(request)
            .map_err(|e| self.classify(e, out.url))?;
        Ok(read_head(&response))
    }
}

impl Client {
    fn classify(&self, e: ureq::Error, url: &Url) -> ClientError {
        let origin = url.origin().to_string();
        match e {
            ureq::Error::HostNotFound => ClientError::Dns(url.host.clone()),
            ureq::Error::Timeout(_) => ClientError::Timeout(origin, self.timeout.as_secs()),
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => ClientError::Refused(origin),
                std::io::ErrorKind::TimedOut => {
                    ClientError::Timeout(origin, self.timeout.as_secs())
                }
                // rustls reports a failed handshake or a bad record as invalid data.
                std::io::ErrorKind::InvalidData
                    if url.scheme == crate::model::request::Scheme::Https =>
                {
                    ClientError::Tls(origin, io.to_string())
                }
                _ if looks_like_tls(&io.to_string()) => ClientError::Tls(origin, io.to_string()),
                _ => ClientError::Other(origin, io.to_string()),
            },
            ureq::Error::Rustls(t) => ClientError::Tls(origin, t.to_string()),
            ureq::Error::Tls(t) => ClientError::Tls(origin, t.to_string()),
            other => ClientError::Other(origin, other.to_string()),
        }
    }
}

fn looks_like_tls(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["certificate", "tls", "handshake", "alert"]
        .iter()
        .any(|w| m.contains(w))
}

fn read_head(response: &ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status();
    Reply {
        version: format!("{:?}", response.version()),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        headers: response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    }
}

/// The default resolver, with `--resolve` entries first.
#[derive(Debug)]
struct Overrides {
    entries: Vec<Resolve>,
}

impl Resolver for Overrides {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or("").to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        let wanted = self.entries.iter().find(|e| {
            e.host.trim_start_matches('[').trim_end_matches(']') == host && e.port == port
        });
        match wanted {
            Some(e) => {
                let mut out = self.empty();
                out.push(SocketAddr::new(e.addr, port));
                Ok(out)
            }
            None => DefaultResolver::default().resolve(uri, config, timeout),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_entries() {
        let r = Resolve::parse("Shop.example:443:127.0.0.1").unwrap();
        assert_eq!(r.host, "shop.example");
        assert_eq!(r.port, 443);
        assert_eq!(r.addr, "127.0.0.1".parse::<IpAddr>().unwrap());
        let v6 = Resolve::parse("h:80:[::1]").unwrap();
        assert_eq!(v6.addr, "::1".parse::<IpAddr>().unwrap());
        assert_eq!(Resolve::parse("h:80:::1").unwrap().addr, v6.addr);
        for bad in ["h:80", ":80:1.2.3.4", "h:x:1.2.3.4", "h:80:nope"] {
            assert!(Resolve::parse(bad).is_err(), "{bad}");
        }
    }
}
