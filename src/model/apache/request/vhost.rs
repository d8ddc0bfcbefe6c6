//! Which server answers (server/vhost.c): the `Listen` sockets, the IP-based match of the
//! connection's local address and port (`find_ipaddr`, then `find_default_server` for
//! `*`/`_default_` addresses), then the name-based match of the Host header against
//! `ServerName`/`ServerAlias` among the virtual hosts sharing that address
//! (`update_server_from_aliases`), the first of them being the default.

use super::address;
use crate::model::apache::ApacheModel;
use crate::model::request::{Credentials, Files, Request, Scheme};
use crate::source::Span;
use std::net::IpAddr;
use std::path::Path;

/// A `Listen` socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// None: every address.
    pub addr: Option<IpAddr>,
    pub port: u16,
    pub span: Span,
}

/// `Listen [addr:]port [protocol]` lines of the main server.
pub fn listeners(m: &ApacheModel) -> Vec<Listener> {
    let defaults = &m.scopes[m.servers[0].defaults];
    defaults
        .find("Listen")
        .filter(|(_, d)| !d.conditional)
        .filter_map(|(_, d)| {
            let (addr, port) = parse_host_port(d.dir.arg(0)?)?;
            let addr = match addr {
                None => None,
                Some(a) => Some(a.parse::<IpAddr>().ok()?),
            };
            Some(Listener {
                addr: addr.filter(|a| !a.is_unspecified()),
                port: port?,
                span: d.dir.span,
            })
        })
        .collect()
}

/// `host:port`, `[v6]:port`, `port` or `host` (None port).
fn parse_host_port(s: &str) -> Option<(Option<&str>, Option<u16>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((Some(host), port));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Some((None, Some(s.parse().ok()?)));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((Some(h), Some(p.parse().ok()?))),
        Some(_) => Some((Some(s), None)),
        None => Some((Some(s), None)),
    }
}

/// The listener a connection to `addr:port` reaches.
pub fn listener_for(ls: &[Listener], addr: IpAddr, port: u16) -> Option<&Listener> {
    ls.iter()
        .find(|l| l.port == port && l.addr.is_none_or(|a| a == addr))
}

/// One address of a `<VirtualHost>` line.
#[derive(Clone, Debug)]
struct VhostAddr {
    server: usize,
    /// None: `*`, `_default_` or an unspecified address.
    ip: Option<IpAddr>,
    /// 0: any port.
    port: u16,
    /// The address as written (`sar->virthost`).
    text: String,
}

/// The server chosen for a request, and how.
#[derive(Clone, Debug)]
pub struct Selection {
    pub server: usize,
    pub how: String,
    pub span: Option<Span>,
}

/// Apache's choice of server for `req` (the connection's address and port, then the Host).
pub fn select(m: &ApacheModel, req: &Request, files: &dyn Files) -> Selection {
    let addrs = vhost_addresses(m, files);
    let port = req.port;
    let Some(chain) = ip_chain(&addrs, req.local_addr, port) else {
        return Selection {
            server: 0,
            how: format!(
                "no <VirtualHost> matches {}:{port}: the main server answers",
                req.local_addr
            ),
            span: None,
        };
    };
    // The chain's servers in file order (each once, with its addresses on this port).
    let candidates: Vec<&VhostAddr> = chain
        .iter()
        .filter(|a| a.port == 0 || a.port == port)
        .copied()
        .collect();
    let default = chain[0].server;
    let span = |s: usize| m.servers[s].span;
    let host = req.host.trim_end_matches('.');
    if chain.iter().map(|a| a.server).all(|s| s == default) {
        return Selection {
            server: default,
            how: format!(
                "the only <VirtualHost> for {}:{port} answers whatever the Host",
                req.local_addr
            ),
            span: span(default),
        };
    }
    let main_name = main_server_name(m, files);
    let mut seen = Vec::new();
    for a in &candidates {
        if seen.contains(&a.server) {
            continue;
        }
        seen.push(a.server);
        if let Some(name) = matching_name(m, a.server, host, &main_name, files) {
            return Selection {
                server: a.server,
                how: format!("Host {host} matches {name}"),
                span: span(a.server),
            };
        }
    }
    if let Some(a) = candidates
        .iter()
        .find(|a| a.text.eq_ignore_ascii_case(host))
    {
        return Selection {
            server: a.server,
            how: format!("Host {host} is the address of this <VirtualHost>"),
            span: span(a.server),
        };
    }
    Selection {
        server: default,
        how: format!(
            "no ServerName/ServerAlias matches Host {host}: the first <VirtualHost> for {}:{port} answers",
            req.local_addr
        ),
        span: span(default),
    }
}

/// Every `<VirtualHost>` address, in file order.
fn vhost_addresses(m: &ApacheModel, files: &dyn Files) -> Vec<VhostAddr> {
    let default_port = main_server_port(m);
    let mut out = Vec::new();
    for (server, vs) in m.servers.iter().enumerate().skip(1) {
        for text in &vs.addrs {
            let (host, port) = if let Some(h) = text.strip_suffix(":*") {
                (h, Some(0))
            } else if text == "*" {
                ("*", None)
            } else {
                match parse_host_port(text) {
                    Some((Some(h), p)) => (h, p),
                    _ => continue,
                }
            };
            let ip = if host == "*" || host.eq_ignore_ascii_case("_default_") {
                None
            } else if let Ok(ip) = host.parse::<IpAddr>() {
                Some(ip).filter(|ip| !ip.is_unspecified())
            } else {
                // A name: what it resolves to at start (AH00547 "ignoring" if nothing).
                match resolve(host, files) {
                    Some(ip) => Some(ip),
                    None => continue,
                }
            };
            out.push(VhostAddr {
                server,
                ip,
                port: port.unwrap_or(default_port),
                text: host.to_string(),
            });
        }
    }
    out
}

/// The chain of addresses a connection to `local:port` is matched against: the specific
/// addresses equal to `local` (exact port first, then a `:*` port), else the wildcard
/// addresses for the port (exact port first, then `:*`). Each chain holds the addresses
/// of every vhost that shares its (address, port) key, in file order.
fn ip_chain(addrs: &[VhostAddr], local: IpAddr, port: u16) -> Option<Vec<&VhostAddr>> {
    let same_ip = |a: &VhostAddr| a.ip.is_some_and(|ip| ip == local);
    let key = |want_port: u16, specific: bool| -> Vec<&VhostAddr> {
        addrs
            .iter()
            .filter(|a| a.port == want_port && (if specific { same_ip(a) } else { a.ip.is_none() }))
            .collect()
    };
    for (specific, p) in [(true, port), (true, 0), (false, port), (false, 0)] {
        let chain = key(p, specific);
        if !chain.is_empty() {
            return Some(chain);
        }
    }
    None
}

/// The main server's port from `ServerName host:port` (0: any).
fn main_server_port(m: &ApacheModel) -> u16 {
    let d = &m.scopes[m.servers[0].defaults];
    d.last("ServerName")
        .and_then(|d| d.dir.arg(0))
        .map(strip_scheme)
        .and_then(parse_host_port)
        .and_then(|(_, p)| p)
        .unwrap_or(0)
}

fn strip_scheme(name: &str) -> &str {
    name.split_once("://").map_or(name, |(_, rest)| rest)
}

/// A host name without its port (`ServerName www.example.com:80`).
fn host_part(name: &str) -> &str {
    match parse_host_port(strip_scheme(name)) {
        Some((Some(h), _)) => h,
        _ => name,
    }
}

/// The name of server `s` that `host` matches (ServerName, then ServerAlias), if any.
fn matching_name(
    m: &ApacheModel,
    s: usize,
    host: &str,
    main_name: &str,
    files: &dyn Files,
) -> Option<String> {
    let scope = &m.scopes[m.servers[s].defaults];
    let server_name = match scope.last("ServerName").and_then(|d| d.dir.arg(0)) {
        Some(n) => host_part(n).to_string(),
        None => implicit_name(m, s, main_name, files),
    };
    if server_name.eq_ignore_ascii_case(host) {
        return Some(format!("ServerName {server_name}"));
    }
    for (_, d) in scope.find("ServerAlias").filter(|(_, d)| !d.conditional) {
        for alias in &d.dir.args {
            if wildcard_match(&alias.value, host) {
                return Some(format!("ServerAlias {}", alias.value));
            }
        }
    }
    None
}

/// The name of a `<VirtualHost>` without ServerName: the main server's when it has a
/// wildcard address, else the reverse lookup of its first address.
fn implicit_name(m: &ApacheModel, s: usize, main_name: &str, files: &dyn Files) -> String {
    let vs = &m.servers[s];
    let wildcard = vs.addrs.iter().any(|a| {
        let h = a.split(':').next().unwrap_or(a);
        h == "*" || h.eq_ignore_ascii_case("_default_") || h == "0.0.0.0"
    });
    if wildcard {
        return main_name.to_string();
    }
    vs.addrs
        .first()
        .and_then(|a| parse_host_port(a))
        .and_then(|(h, _)| h?.parse::<IpAddr>().ok())
        .and_then(|ip| match address::client_name(ip, files) {
            address::ClientName::Known(n) => Some(n),
            address::ClientName::FromDns => None,
        })
        .unwrap_or_else(|| "bogus_host_without_reverse_dns".into())
}

/// The main server's name: ServerName, else what `ap_get_local_host` finds (the host
/// name if it is fully qualified, else its address from the hosts file).
fn main_server_name(m: &ApacheModel, files: &dyn Files) -> String {
    let d = &m.scopes[m.servers[0].defaults];
    if let Some(n) = d.last("ServerName").and_then(|d| d.dir.arg(0)) {
        return host_part(n).to_string();
    }
    let hostname = files
        .read(Path::new("/etc/hostname"))
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    if hostname.contains('.') {
        return hostname;
    }
    resolve(&hostname, files)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// A name's first address in the hosts file.
fn resolve(name: &str, files: &dyn Files) -> Option<IpAddr> {
    if name.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::from([127, 0, 0, 1]));
    }
    let hosts = files.read(Path::new("/etc/hosts")).ok()?;
    String::from_utf8_lossy(&hosts).lines().find_map(|l| {
        let l = l.split('#').next()?;
        let mut words = l.split_whitespace();
        let ip = words.next()?.parse::<IpAddr>().ok()?;
        words.any(|w| w.eq_ignore_ascii_case(name)).then_some(ip)
    })
}

/// `ap_strcasecmp_match`: `*` and `?` wildcards, case-insensitive.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some((&c, rest)) => t.split_first().is_some_and(|(&tc, trest)| {
                (c == b'?' || c.eq_ignore_ascii_case(&tc)) && go(rest, trest)
            }),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// A request that reaches virtual host `server`: its name as Host, and the port and
/// address it listens on (its own `addr:port`, else the first `Listen`).
pub fn request_to(
    m: &ApacheModel,
    server: usize,
    target: &str,
    method: &str,
    client: IpAddr,
    credentials: Option<Credentials>,
) -> Request {
    let vs = &m.servers[server];
    let listen = listeners(m);
    let own = vs.addrs.first().map(|a| {
        let (host, port) = match a.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().ok()),
            None => (a.as_str(), None),
        };
        (host.trim_matches(['[', ']']).parse::<IpAddr>().ok(), port)
    });
    let port = own
        .and_then(|(_, p)| p)
        .filter(|&p| p != 0)
        .or_else(|| listen.first().map(|l| l.port))
        .unwrap_or(80);
    let local_addr = own
        .and_then(|(ip, _)| ip)
        .filter(|ip| !ip.is_unspecified())
        .or_else(|| listen.iter().find(|l| l.port == port).and_then(|l| l.addr))
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    Request {
        method: method.into(),
        scheme: if vs.tls { Scheme::Https } else { Scheme::Http },
        host: vs.name.clone().unwrap_or_else(|| "localhost".into()),
        port,
        local_addr,
        target: target.into(),
        client,
        credentials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ports_parse() {
        assert_eq!(parse_host_port("80"), Some((None, Some(80))));
        assert_eq!(
            parse_host_port("127.0.0.1:8080"),
            Some((Some("127.0.0.1"), Some(8080)))
        );
        assert_eq!(parse_host_port("[::1]:443"), Some((Some("::1"), Some(443))));
        assert_eq!(
            parse_host_port("example.com"),
            Some((Some("example.com"), None))
        );
    }

    #[test]
    fn aliases_match_with_wildcards() {
        assert!(wildcard_match("*.example.com", "www.EXAMPLE.com"));
        assert!(!wildcard_match("*.example.com", "example.com"));
        assert!(wildcard_match("www?.example.com", "www1.example.com"));
        assert!(wildcard_match("*", ""));
    }
}
