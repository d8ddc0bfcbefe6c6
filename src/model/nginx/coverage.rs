//! Which URIs of a location nginx actually gives to another location: the question
//! behind "this regex location serves /admin/x.php without a password".

use super::{LocationKind, OpenDoor, Served, VirtualServer};

/// For every location of `s` (by index): the URIs of its space that nginx serves from a
/// location (or the server level) whose settings ask for no password and do not deny,
/// one URI per serving location. Empty for locations that ask for no password.
pub fn open_doors(s: &VirtualServer) -> Vec<Vec<OpenDoor>> {
    (0..s.locations.len())
        .map(|i| {
            if s.locations[i].settings.asks_password() && may_be_taken(s, i) {
                doors_of(s, i)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Whether any location could take a URI of location `p`'s space away from it (or
/// open it from inside): a cheap, conservative test on the location tree that spares the
/// URI search where nginx's precedence cannot hand those URIs elsewhere.
fn may_be_taken(s: &VirtualServer, p: usize) -> bool {
    let locs = &s.locations;
    // A nested location without a password check opens part of the space.
    let mut stack = locs[p].children.clone();
    while let Some(d) = stack.pop() {
        if !locs[d].settings.asks_password() {
            return true;
        }
        stack.extend(locs[d].children.iter().copied());
    }
    // At each level from `p` up: a sibling that can win over the location on the path.
    let mut cur = p;
    loop {
        let level = match locs[cur].parent {
            Some(a) => &locs[a].children,
            None => &s.top_level,
        };
        let c = &locs[cur];
        for &q in level {
            if q == cur {
                continue;
            }
            let o = &locs[q];
            let wins = match (c.kind, o.kind) {
                (_, LocationKind::Named) => false,
                // An exact match only ever answers its own URI.
                (LocationKind::Exact, _) => false,
                (LocationKind::NoRegexPrefix, LocationKind::Regex { .. }) => false,
                (LocationKind::Prefix, LocationKind::Regex { .. }) => true,
                (LocationKind::Prefix | LocationKind::NoRegexPrefix, _) => {
                    o.pattern.len() > c.pattern.len() && o.pattern.starts_with(c.pattern.as_str())
                }
                // A regex location loses to exact and `^~` matches, to earlier regexes,
                // and to regexes nested in the longest prefix.
                (LocationKind::Regex { .. }, LocationKind::Prefix) => !o.children.is_empty(),
                (LocationKind::Regex { .. }, _) => true,
                (LocationKind::Named, _) => false,
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
        LocationKind::Prefix | LocationKind::NoRegexPrefix => uri.starts_with(l.pattern.as_str()),
        LocationKind::Exact => uri == l.pattern,
        LocationKind::Regex { .. } => l.regex.as_ref().is_some_and(|r| r.is_match(uri)),
        LocationKind::Named => false,
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
        LocationKind::Prefix | LocationKind::NoRegexPrefix => vec![l.pattern.clone()],
        LocationKind::Exact => vec![l.pattern.clone()],
        LocationKind::Regex { .. } => l
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
        LocationKind::Named => return Vec::new(),
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
                LocationKind::Prefix | LocationKind::NoRegexPrefix | LocationKind::Exact => {
                    if !in_space(s, i, &other.pattern) {
                        continue;
                    }
                    out.push(other.pattern.clone());
                    out.push(format!("{}x", other.pattern));
                }
                LocationKind::Regex { .. } => {
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
                LocationKind::Named => {}
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

/// The URIs of location `i`'s space that nginx gives to another location whose
/// settings ask for no password, one per serving location.
fn doors_of(s: &VirtualServer, i: usize) -> Vec<OpenDoor> {
    let mut out: Vec<OpenDoor> = Vec::new();
    for uri in candidates(s, i) {
        let served = s.find_location(&uri);
        if served == Served::Location(i) {
            continue;
        }
        let settings = s.settings_for(served, "GET");
        if settings.asks_password() || settings.denies_all() {
            continue;
        }
        if !out.iter().any(|door| door.served == served) {
            out.push(OpenDoor { uri, served });
        }
    }
    out
}

/// True when location `i` writes `auth_basic off` itself.
pub fn own_auth_off(s: &VirtualServer, i: usize) -> bool {
    let l = &s.locations[i];
    l.settings.auth_basic.as_ref().is_some_and(|a| {
        a.value == super::Realm::Off
            && a.directive.file == l.block_span.file
            && l.block_span.start <= a.directive.start
            && a.directive.end <= l.block_span.end
    })
}
