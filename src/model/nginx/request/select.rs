//! Which server answers a connection and a Host (`ngx_http_init_connection`,
//! `ngx_http_validate_host`, `ngx_http_find_virtual_server` in src/http/ngx_http_request.c):
//! the listens on the connection's port whose address is the one connected to, else the
//! wildcard ones; among their servers the `server_name` that matches exactly, then the
//! longest `*.`/`.` wildcard, then a `.*` wildcard, then the first regex in
//! configuration order; else the `default_server`, else the first server listed.

use super::super::{Listen, NginxModel, VirtualServer};
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

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

/// The servers of one listening address (`ngx_http_addr_conf_t`), found once when the
/// model is built so that choosing a server costs a few lookups, not a pass over every
/// server (1,000 servers on one port: reachability asks thousands of questions).
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// (server, its listen) in configuration order, one per server.
    pub servers: Vec<(usize, Listen)>,
    members: HashSet<usize>,
    /// Servers with wildcard or regex names, with their compiled matchers.
    patterns: Vec<(usize, String, Matcher)>,
}

#[derive(Clone, Debug)]
enum Matcher {
    /// `*.example.com` / `.example.com`: the suffix after the `*`.
    Head(String),
    /// `www.example.*`: the prefix before the `*`.
    Tail(String),
    Regex(Option<Arc<regex::Regex>>),
}

/// Every listening address with its servers, and every exact server name.
#[derive(Clone, Debug, Default)]
pub struct ServerIndex {
    groups: HashMap<(u16, Option<IpAddr>, bool), Group>,
    /// Lower-cased exact names (`.example.com` also as `example.com`) → servers, in
    /// configuration order.
    exact: HashMap<String, Vec<usize>>,
}

impl ServerIndex {
    pub fn new(servers: &[VirtualServer]) -> ServerIndex {
        let mut index = ServerIndex::default();
        for (i, s) in servers.iter().enumerate() {
            for l in &s.listens {
                let Some(sock) = socket(l) else { continue };
                let g = index
                    .groups
                    .entry((sock.port, sock.addr, sock.v6))
                    .or_default();
                if g.members.insert(i) {
                    g.servers.push((i, l.clone()));
                    g.patterns.extend(patterns(i, &s.names));
                }
            }
            for n in &s.names {
                let n = n.to_ascii_lowercase();
                if n.starts_with('~') || n.starts_with('*') || n.ends_with(".*") {
                    continue;
                }
                let plain = n.strip_prefix('.').unwrap_or(&n).to_string();
                let list = index.exact.entry(plain).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        index
    }

    /// The servers listening where a connection arrives: the listens on the port with
    /// that very address, else the wildcard ones (`None`: nothing listens there).
    pub fn group(&self, local: IpAddr, port: u16) -> Option<&Group> {
        self.groups
            .get(&(port, Some(local), local.is_ipv6()))
            .or_else(|| self.groups.get(&(port, None, local.is_ipv6())))
    }

    /// The server of `group` that answers `host`.
    pub fn server_for_host(&self, m: &NginxModel, group: &Group, host: &str) -> Chosen {
        if let Some(c) = self.by_name(m, group, host) {
            return c;
        }
        let (server, listen) = group
            .servers
            .iter()
            .find(|(_, l)| l.default_server)
            .or(group.servers.first())
            .expect("a group has servers");
        let (why, span) = if listen.default_server {
            (
                format!(
                    "no server_name matches `{host}`: the default_server for this address answers"
                ),
                listen.span.unwrap_or(m.servers[*server].span),
            )
        } else {
            (
                format!(
                    "no server_name matches `{host}`: the first server listening on this address answers"
                ),
                m.servers[*server].span,
            )
        };
        Chosen {
            server: *server,
            why,
            span,
        }
    }

    fn by_name(&self, m: &NginxModel, group: &Group, host: &str) -> Option<Chosen> {
        let chosen = |i: usize, name: &str, kind: &str| Chosen {
            server: i,
            why: format!("server_name {name} matches `{host}` ({kind})"),
            span: m.servers[i].span,
        };
        if let Some(&i) = self
            .exact
            .get(host)
            .and_then(|list| list.iter().find(|i| group.members.contains(i)))
        {
            return Some(chosen(i, host, "exact name"));
        }
        // The longest wildcard at the front wins, then one at the end, then regexes.
        let head = group
            .patterns
            .iter()
            .filter_map(|(i, n, matcher)| match matcher {
                Matcher::Head(suffix) => host
                    .strip_suffix(suffix.as_str())
                    .is_some_and(|h| h.ends_with('.') && h.len() > 1)
                    .then_some((*i, n, suffix.len())),
                _ => None,
            })
            .max_by_key(|&(i, _, len)| (len, std::cmp::Reverse(i)));
        if let Some((i, n, _)) = head {
            return Some(chosen(i, n, "wildcard name"));
        }
        let tail = group.patterns.iter().find(|(_, _, matcher)| match matcher {
            Matcher::Tail(prefix) => host
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1),
            _ => false,
        });
        if let Some((i, n, _)) = tail {
            return Some(chosen(*i, n, "wildcard name"));
        }
        let regex = group.patterns.iter().find(|(_, _, matcher)| match matcher {
            Matcher::Regex(Some(re)) => re.is_match(host),
            _ => false,
        });
        regex.map(|(i, n, _)| chosen(*i, n, "regular expression"))
    }
}

/// The wildcard and regex names of server `i`.
fn patterns(i: usize, names: &[String]) -> Vec<(usize, String, Matcher)> {
    names
        .iter()
        .filter_map(|n| {
            let lower = n.to_ascii_lowercase();
            let matcher = if let Some(re) = n.strip_prefix('~') {
                Matcher::Regex(regex::Regex::new(re).ok().map(Arc::new))
            } else if let Some(rest) = lower.strip_prefix("*.").or_else(|| lower.strip_prefix('.'))
            {
                Matcher::Head(rest.to_string())
            } else if let Some(rest) = lower.strip_suffix(".*") {
                Matcher::Tail(rest.to_string())
            } else {
                return None;
            };
            Some((i, n.clone(), matcher))
        })
        .collect()
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
