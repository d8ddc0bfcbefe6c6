//! Which server answers a connection and a Host (`ngx_http_init_connection`,
//! `ngx_http_validate_host`, `ngx_http_find_virtual_server` in src/http/ngx_http_request.c):
//! the listens on the connection's port whose address is the one connected to, else the
//! wildcard ones; among their servers the `server_name` that matches exactly, then the
//! longest `*.`/`.` wildcard, then a `.*` wildcard, then the first regex in
//! configuration order; else the `default_server`, else the first server listed.

use super::super::{Listen, NginxModel, VirtualServer};
use crate::source::Span;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A `listen` as an address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Socket {
    /// `None`: every address of the family (`*`, `[::]`).
    addr: Option<IpAddr>,
    v6: bool,
    port: u16,
}

/// A listen's address (`None`: every address of the family), whether it is IPv6, and
/// its port; `None` for a unix socket or an address htguard cannot read.
pub fn listen_socket(listen: &Listen) -> Option<(Option<IpAddr>, bool, u16)> {
    socket(listen).map(|s| (s.addr, s.v6, s.port))
}

fn socket(listen: &Listen) -> Option<Socket> {
    let a = listen.address.as_str();
    if a.starts_with("unix:") {
        return None;
    }
    if let Ok(port) = a.parse::<u16>() {
        return Some(Socket {
            addr: None,
            v6: false,
            port,
        });
    }
    if let Some(rest) = a.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        let ip: Ipv6Addr = host.parse().ok()?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => 80,
        };
        let addr = (!ip.is_unspecified()).then_some(IpAddr::V6(ip));
        return Some(Socket {
            addr,
            v6: true,
            port,
        });
    }
    let (host, port) = match a.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (a, 80),
    };
    let addr = match host {
        "*" | "0.0.0.0" => None,
        "localhost" => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        h => Some(IpAddr::V4(h.parse().ok()?)),
    };
    Some(Socket {
        addr,
        v6: false,
        port,
    })
}

/// The servers listening where a connection arrives (server index, its listen), in
/// configuration order; empty when nothing listens there.
pub fn listeners(m: &NginxModel, local: IpAddr, port: u16) -> Vec<(usize, &Listen)> {
    let mut exact = Vec::new();
    let mut wildcard = Vec::new();
    for (i, s) in m.servers.iter().enumerate() {
        for l in &s.listens {
            let Some(sock) = socket(l) else { continue };
            if sock.port != port {
                continue;
            }
            match sock.addr {
                Some(a) if a == local => exact.push((i, l)),
                None if sock.v6 == local.is_ipv6() => wildcard.push((i, l)),
                _ => {}
            }
        }
    }
    // nginx keeps one entry per server and address.
    let mut chosen = if exact.is_empty() { wildcard } else { exact };
    chosen.dedup_by_key(|(i, _)| *i);
    chosen
}

/// How the server was chosen.
pub struct Chosen {
    pub server: usize,
    pub why: String,
    pub span: Span,
}

/// The Host as nginx keeps it: lower case, port and a trailing dot dropped; `None`
/// when nginx answers 400 ("client sent invalid host header").
pub fn validate_host(host: &str) -> Option<String> {
    let bytes = host.as_bytes();
    let mut dot_pos: Option<usize> = None;
    let mut end = bytes.len();
    let mut literal = false;
    let mut rest = false;
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'.' => {
                if i > 0 && dot_pos == Some(i - 1) {
                    return None;
                }
                dot_pos = Some(i);
            }
            b':' if !literal && !rest => {
                end = i;
                rest = true;
            }
            b'[' if i == 0 => literal = true,
            b']' if literal && !rest => {
                end = i + 1;
                rest = true;
                literal = false;
            }
            b'/' | b'\\' => return None,
            c if c <= 0x20 || c == 0x7f => return None,
            _ => {}
        }
    }
    if end > 0 && dot_pos == Some(end - 1) {
        end -= 1;
    }
    if end == 0 {
        return None;
    }
    Some(host[..end].to_ascii_lowercase())
}

/// The server of `candidates` that answers `host`.
pub fn server_for_host(m: &NginxModel, candidates: &[(usize, &Listen)], host: &str) -> Chosen {
    let servers: Vec<(usize, &VirtualServer)> = candidates
        .iter()
        .map(|&(i, _)| (i, &m.servers[i]))
        .collect();
    if let Some(c) = by_name(&servers, host) {
        return c;
    }
    let default = candidates
        .iter()
        .find(|(_, l)| l.default_server)
        .or(candidates.first())
        .expect("candidates is not empty");
    let (why, span) = if default.1.default_server {
        (
            format!("no server_name matches `{host}`: the default_server for this address answers"),
            default.1.span.unwrap_or(m.servers[default.0].span),
        )
    } else {
        (
            format!(
                "no server_name matches `{host}`: the first server listening on this address answers"
            ),
            m.servers[default.0].span,
        )
    };
    Chosen {
        server: default.0,
        why,
        span,
    }
}

fn by_name(servers: &[(usize, &VirtualServer)], host: &str) -> Option<Chosen> {
    let chosen = |i: usize, name: &str, kind: &str| Chosen {
        server: i,
        why: format!("server_name {name} matches `{host}` ({kind})"),
        span: servers
            .iter()
            .find(|s| s.0 == i)
            .map_or(Span::default(), |s| s.1.span),
    };
    let names = || {
        servers
            .iter()
            .flat_map(|&(i, s)| s.names.iter().map(move |n| (i, n.to_ascii_lowercase())))
    };
    // `.example.com` is also the exact name `example.com`; the first server wins.
    let exact = names().find(|(_, n)| n == host || n.strip_prefix('.') == Some(host));
    if let Some((i, n)) = exact {
        return Some(chosen(i, &n, "exact name"));
    }
    // The longest wildcard at the front wins.
    let head = names()
        .filter_map(|(i, n)| {
            let suffix = n
                .strip_prefix("*.")
                .or_else(|| n.strip_prefix('.'))?
                .to_string();
            host.strip_suffix(suffix.as_str())
                .is_some_and(|h| h.ends_with('.') && h.len() > 1)
                .then_some((i, n, suffix.len()))
        })
        .max_by_key(|&(i, _, len)| (len, std::cmp::Reverse(i)));
    if let Some((i, n, _)) = head {
        return Some(chosen(i, &n, "wildcard name"));
    }
    let tail = names().find(|(_, n)| {
        n.strip_suffix(".*").is_some_and(|prefix| {
            host.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
        })
    });
    if let Some((i, n)) = tail {
        return Some(chosen(i, &n, "wildcard name"));
    }
    for &(i, s) in servers {
        for n in &s.names {
            let Some(pattern) = n.strip_prefix('~') else {
                continue;
            };
            if regex::Regex::new(pattern).is_ok_and(|r| r.is_match(host)) {
                return Some(chosen(i, n, "regular expression"));
            }
        }
    }
    None
}
