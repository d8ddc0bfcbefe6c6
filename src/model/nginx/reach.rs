//! Reachability: the other ways to a file that nginx serves, each asked of the
//! evaluator. A file under a protected location may also sit under another server's
//! `root`, under an `alias`, or under the parent of an `alias` whose location has no
//! trailing slash (`location /static { alias /srv/app/public/; }` maps
//! `/static../x` to `/srv/app/x`). For each such URI the evaluator answers a request
//! from an address no `allow` names, without credentials.

use super::request::{Evaluation, evaluate_with};
use super::roots::{RootIndex, RootPlace};
use super::{NginxModel, Served};
use crate::model::request::{Files, Request, Scheme};
use crate::source::Span;
use crate::target::Profile;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Component, Path, PathBuf};

/// A client address that stands for "any address" (TEST-NET-1, RFC 5737): only
/// `allow all` (or a rule covering it) lets it in.
pub const ANY_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

/// How a URI reaches a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A `root` whose tree holds the file.
    Root,
    /// An `alias` whose directory holds the file.
    Alias,
    /// `..` after an `alias` whose location has no trailing slash: the alias's parent.
    AliasParent,
}

/// One URI of one server that maps to a file.
#[derive(Clone, Debug)]
pub struct Way {
    pub server: usize,
    pub uri: String,
    pub via: Via,
    /// The `root` / `alias` directive that maps it.
    pub directive: Span,
}

/// Every URI (per server and mapping directive) that maps to `file` (a local path).
pub fn ways_to(m: &NginxModel, roots: &RootIndex<'_>, file: &Path) -> Vec<Way> {
    let mut out: Vec<Way> = Vec::new();
    let mut push = |w: Way| {
        if !out.iter().any(|o| o.server == w.server && o.uri == w.uri) {
            out.push(w);
        }
    };
    for place in roots.containing(file) {
        if let Some(uri) = uri_under(m, &place, file) {
            let via = if place.root.value.alias {
                Via::Alias
            } else {
                Via::Root
            };
            push(Way {
                server: place.server,
                uri,
                via,
                directive: place.root.directive,
            });
        }
    }
    for place in roots.alias_parents_containing(file) {
        let l = &m.servers[place.server].locations[place.location.unwrap_or(0)];
        let parent = place
            .root
            .value
            .local_path
            .parent()
            .unwrap_or(Path::new("/"));
        let Ok(rest) = file.strip_prefix(parent) else {
            continue;
        };
        push(Way {
            server: place.server,
            uri: format!("{}../{}", l.pattern, rest.to_string_lossy()),
            via: Via::AliasParent,
            directive: place.root.directive,
        });
    }
    out
}

/// The URI that `file` has under one root or alias (`None`: an alias outside a prefix
/// location, which maps no fixed URI).
pub fn uri_under(m: &NginxModel, place: &RootPlace<'_>, file: &Path) -> Option<String> {
    let root = &place.root.value;
    let rest = file.strip_prefix(&root.local_path).ok()?;
    let rest = rest.to_string_lossy();
    if !root.alias {
        return Some(format!("/{rest}"));
    }
    let l = &m.servers[place.server].locations[place.location?];
    if !l.is_prefix() {
        return None;
    }
    let base = &l.pattern[..root.strip.min(l.pattern.len())];
    Some(if base.ends_with('/') || rest.is_empty() {
        format!("{base}{rest}")
    } else {
        format!("{base}/{rest}")
    })
}

/// What server `server` answers `GET uri` from [`ANY_CLIENT`] without credentials
/// (`None` when no connection and Host reach that server).
pub fn ask(
    m: &NginxModel,
    server: usize,
    uri: &str,
    files: &dyn Files,
    profile: &Profile,
) -> Option<Evaluation> {
    let request = request_for(m, server, uri)?;
    let e = evaluate_with(m, &request, files, profile);
    (e.server == Some(server)).then_some(e)
}

/// A request that nginx gives to server `server`: its first TCP listen, and a Host
/// its names match.
pub fn request_for(m: &NginxModel, server: usize, uri: &str) -> Option<Request> {
    let s = &m.servers[server];
    let (local_addr, port, ssl) = s.listens.iter().find_map(|l| {
        let (addr, v6, port) = super::request::select::listen_socket(l)?;
        let any = if v6 {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        Some((addr.unwrap_or(any), port, l.ssl))
    })?;
    let host = s
        .names
        .iter()
        .find_map(|n| {
            if n.starts_with('~') || n.is_empty() {
                None
            } else if let Some(rest) = n.strip_prefix("*.").or_else(|| n.strip_prefix('.')) {
                Some(format!("www.{rest}"))
            } else if let Some(rest) = n.strip_suffix(".*") {
                Some(format!("{rest}.com"))
            } else {
                Some(n.clone())
            }
        })
        .unwrap_or_else(|| "unnamed.invalid".to_string());
    Some(Request {
        method: "GET".into(),
        scheme: if ssl { Scheme::Https } else { Scheme::Http },
        host,
        port,
        local_addr,
        target: uri.to_string(),
        client: ANY_CLIENT,
        credentials: None,
    })
}

/// Whether `served` (a path as nginx opens it, maybe with `..`) is `file`.
pub fn same_file(m: &NginxModel, served: &Path, file: &Path) -> bool {
    lexical(&m.local(served)) == lexical(file)
}

/// `..` and `.` resolved without the file system (as the kernel does for existing
/// directories).
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether `served` lies in the directory `dir`.
pub fn inside(m: &NginxModel, served: &Path, dir: &Path) -> bool {
    lexical(&m.local(served)).starts_with(lexical(dir))
}

/// The configuration a request ended in, for messages.
pub fn served_text(m: &NginxModel, server: usize, served: Option<Served>) -> String {
    let s = &m.servers[server];
    match served {
        Some(Served::Location(i)) => format!("{} > {}", s.describe(), s.location_path(i)),
        _ => s.describe(),
    }
}
