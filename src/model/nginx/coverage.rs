//! Which URIs of a location nginx actually gives to another location: the question
//! behind "this regex location serves /admin/x.php without a password".

use super::{LocKind, Served, VirtualServer};

/// URIs of protected location `i`'s space that nginx serves from a location (or the
/// server level) whose settings ask for no password and do not deny: (uri, who serves it),
/// one URI per serving location. Computed once per server and cached.
pub fn open_doors(s: &VirtualServer, i: usize) -> &[(String, Served)] {
    let all = s.doors.get_or_init(|| {
        (0..s.locations.len())
            .map(|j| {
                if s.locations[j].conf.asks_password() && may_be_taken(s, j) {
                    compute_open_doors(s, j)
                } else {
                    Vec::new()
                }
            })
            .collect()
    });
    all.get(i).map_or(&[], Vec::as_slice)
}

/// Whether any location could take a URI of location `p`'s space away from it (or
/// open it from inside): a cheap, conservative test on the location tree that spares the
/// URI search where nginx's precedence cannot hand those URIs elsewhere.
fn may_be_taken(s: &VirtualServer, p: usize) -> bool {
    let locs = &s.locations;
    // A nested location without a password check opens part of the space.
    let mut stack = locs[p].children.clone();
    while let Some(d) = stack.pop() {
        if !locs[d].conf.asks_password() {
            return true;
        }
        stack.extend(locs[d].children.iter().copied());
    }
    // At each level from `p` up: a sibling that can win over the location on the path.
    let mut cur = p;
    loop {
        let level = match locs[cur].parent {
            Some(a) => &locs[a].children,
            None => &s.top,
        };
        let c = &locs[cur];
        for &q in level {
            if q == cur {
                continue;
            }
            let o = &locs[q];
            let wins = match (c.kind, o.kind) {
                (_, LocKind::Named) => false,
                // An exact match only ever answers its own URI.
                (LocKind::Exact, _) => false,
                (LocKind::NoRegexPrefix, LocKind::Regex { .. }) => false,
                (LocKind::Prefix, LocKind::Regex { .. }) => true,
                (LocKind::Prefix | LocKind::NoRegexPrefix, _) => {
                    o.pattern.len() > c.pattern.len() && o.pattern.starts_with(c.pattern.as_str())
                }
                // A regex location loses to exact and `^~` matches, to earlier regexes,
                // and to regexes nested in the longest prefix.
                (LocKind::Regex { .. }, LocKind::Prefix) => !o.children.is_empty(),
                (LocKind::Regex { .. }, _) => true,
                (LocKind::Named, _) => false,
            };
            if wins {
                return true;
            }
        }
        match locs[cur].parent {
            Some(a) => cur = a,
            None => return false,
        }
    }
}

/// True when `uri` is in the URL space a location is written for (ignoring precedence).
pub fn in_space(s: &VirtualServer, i: usize, uri: &str) -> bool {
    let l = &s.locations[i];
    let own = match l.kind {
        LocKind::Prefix | LocKind::NoRegexPrefix => uri.starts_with(l.pattern.as_str()),
        LocKind::Exact => uri == l.pattern,
        LocKind::Regex { .. } => l.regex.as_ref().is_some_and(|r| r.is_match(uri)),
        LocKind::Named => false,
    };
    own && l.parent.is_none_or(|p| in_space(s, p, uri))
}

/// Concrete URIs in location `i`'s space worth asking "who serves this?": the
/// location's own pattern with typical tails, and every other location's pattern or
/// regex samples placed inside it.
pub fn candidates(s: &VirtualServer, i: usize) -> Vec<String> {
    const TAILS: &[&str] = &[
        "",
        "x",
        "x/",
        "index.html",
        "index.php",
        "x.php",
        "x.html",
        "x.js",
        "x.css",
        "x.png",
        "x.jpg",
        "x.gif",
        "x.svg",
        "x.ico",
        "x.txt",
        "x.json",
        "x.xml",
        "x.log",
        "x.zip",
        "x.sql",
        "x.bak",
        ".htpasswd",
        ".git/config",
    ];
    let l = &s.locations[i];
    let mut bases: Vec<String> = match l.kind {
        LocKind::Prefix | LocKind::NoRegexPrefix => vec![l.pattern.clone()],
        LocKind::Exact => vec![l.pattern.clone()],
        LocKind::Regex { .. } => l
            .samples
            .iter()
            .map(|x| {
                if x.starts_with('/') {
                    x.clone()
                } else {
                    format!("/x{x}")
                }
            })
            .collect(),
        LocKind::Named => return Vec::new(),
    };
    if bases.is_empty() {
        bases.push("/".into());
    }
    let mut out = Vec::new();
    for base in &bases {
        let dir = if base.ends_with('/') {
            base.clone()
        } else {
            format!("{base}/")
        };
        for (j, other) in s.locations.iter().enumerate() {
            if j == i {
                continue;
            }
            match other.kind {
                LocKind::Prefix | LocKind::NoRegexPrefix | LocKind::Exact => {
                    if !in_space(s, i, &other.pattern) {
                        continue;
                    }
                    out.push(other.pattern.clone());
                    out.push(format!("{}x", other.pattern));
                }
                LocKind::Regex { .. } => {
                    for smp in other.samples.iter() {
                        if smp.starts_with('/') {
                            out.push(smp.clone());
                        }
                        let tail = smp.trim_start_matches('/');
                        out.push(format!("{dir}x{tail}"));
                        out.push(format!("{dir}{tail}"));
                        out.push(format!("{base}{tail}"));
                    }
                }
                LocKind::Named => {}
            }
        }
        for t in TAILS {
            out.push(format!("{base}{t}"));
            out.push(format!("{dir}{t}"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|u| u.starts_with('/') && in_space(s, i, u) && seen.insert(u.clone()));
    out
}

/// A URI of location `i`'s space that nginx gives to another location whose settings
/// ask for no password: (uri, the location that serves it).
fn compute_open_doors(s: &VirtualServer, i: usize) -> Vec<(String, Served)> {
    let mut out: Vec<(String, Served)> = Vec::new();
    for uri in candidates(s, i) {
        let served = s.find_location(&uri);
        if served == Served::Location(i) {
            continue;
        }
        if s.conf_for(served, "GET").asks_password() || s.conf_for(served, "GET").denies_all() {
            continue;
        }
        if !out.iter().any(|(_, sv)| *sv == served) {
            out.push((uri, served));
        }
    }
    out
}

/// True when location `i` writes `auth_basic off` itself.
pub fn own_auth_off(s: &VirtualServer, i: usize) -> bool {
    use crate::model::nginx::Realm;
    let l = &s.locations[i];
    l.conf.auth_basic.as_ref().is_some_and(|a| {
        a.value == Realm::Off
            && a.directive.file == l.block_span.file
            && l.block_span.start <= a.directive.start
            && a.directive.end <= l.block_span.end
    })
}
