//! Which URIs of a location nginx actually gives to another location: the question
//! behind "this regex location serves /admin/x.php without a password".

use super::{Location, LocationKind, LocationLevel, OpenDoor, Served, VirtualServer};
use std::collections::HashSet;

/// Typical ends of a URI, tried after each location's pattern.
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

/// For every location of `s` (by index): the URIs of its space that nginx serves from a
/// location (or the server level) whose settings ask for no password and do not deny,
/// one URI per serving location. Empty for locations that ask for no password.
pub fn open_doors(s: &VirtualServer) -> Vec<Vec<OpenDoor>> {
    let space = UriSpace::new(s);
    (0..s.locations.len())
        .map(|i| {
            if s.locations[i].settings.asks_password() && space.may_be_taken(i) {
                space.doors_of(i)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// What a search for the URIs of one server's locations needs, found once: every
/// exact and prefix location by pattern, and one regex location per distinct pattern.
/// It keeps each question near the few locations that can answer it, so a server with
/// thousands of locations costs thousands of small searches, not millions.
pub struct UriSpace<'s> {
    s: &'s VirtualServer,
    /// Exact and prefix locations of every level, sorted by pattern.
    statics_by_pattern: Vec<usize>,
    /// Per distinct regex pattern, its first two locations (the second stands in for
    /// the first when the first is the location asked about).
    regexes_by_pattern: Vec<[Option<usize>; 2]>,
    /// Per level (0: the top level, i + 1: nested in location i): how many of its
    /// locations can take a URI from a regex sibling (exact, `^~`, regex, or a prefix
    /// with nested locations, which may hold regexes tried first).
    regex_rivals: Vec<usize>,
}

impl<'s> UriSpace<'s> {
    pub fn new(s: &'s VirtualServer) -> UriSpace<'s> {
        let locs = &s.locations;
        let mut statics_by_pattern: Vec<usize> =
            (0..locs.len()).filter(|&i| is_static(&locs[i])).collect();
        statics_by_pattern.sort_by(|&a, &b| locs[a].pattern.cmp(&locs[b].pattern));
        let mut regexes: Vec<usize> = (0..locs.len())
            .filter(|&i| matches!(locs[i].kind, LocationKind::Regex { .. }))
            .collect();
        regexes.sort_by(|&a, &b| locs[a].pattern.cmp(&locs[b].pattern).then(a.cmp(&b)));
        let regexes_by_pattern = regexes
            .chunk_by(|&a, &b| locs[a].pattern == locs[b].pattern)
            .map(|same| [same.first().copied(), same.get(1).copied()])
            .collect();
        let levels = std::iter::once(&s.top_level).chain(locs.iter().map(|l| &l.children));
        let regex_rivals = levels.map(|level| regex_rivals(locs, level)).collect();
        UriSpace {
            s,
            statics_by_pattern,
            regexes_by_pattern,
            regex_rivals,
        }
    }

    /// Whether any location could take a URI of location `p`'s space away from it (or
    /// open it from inside): a cheap, conservative test on the location tree that spares
    /// the URI search where nginx's precedence cannot hand those URIs elsewhere.
    pub fn may_be_taken(&self, p: usize) -> bool {
        let locs = &self.s.locations;
        // A nested location without a password check opens part of the space.
        let mut stack = locs[p].children.in_file_order.clone();
        while let Some(d) = stack.pop() {
            if !locs[d].settings.asks_password() {
                return true;
            }
            stack.extend(locs[d].children.in_file_order.iter().copied());
        }
        // At each level from `p` up: a sibling that can win over the location on the path.
        std::iter::successors(Some(p), |&c| locs[c].parent).any(|c| self.sibling_wins(c))
    }

    /// Whether a sibling of location `c` takes some URIs of its space.
    fn sibling_wins(&self, c: usize) -> bool {
        let locs = &self.s.locations;
        let l = &locs[c];
        let (level, level_number) = match l.parent {
            Some(a) => (&locs[a].children, a + 1),
            None => (&self.s.top_level, 0),
        };
        // A longer exact or prefix pattern inside its own. (An exact match of the very
        // pattern, `= /admin/`, serves a directory through `index`, whose internal
        // redirect comes back here: checked on nginx, 401.)
        let static_inside = || {
            level
                .starting_with(locs, &l.pattern)
                .any(|q| locs[q].pattern.len() > l.pattern.len())
        };
        match l.kind {
            // An exact match only ever answers its own URI.
            LocationKind::Exact | LocationKind::Named => false,
            LocationKind::Prefix => !level.regexes.is_empty() || static_inside(),
            LocationKind::NoRegexPrefix => static_inside(),
            // A regex location loses to exact and `^~` matches, to earlier regexes, and
            // to regexes nested in the longest prefix (itself counted among the rivals).
            LocationKind::Regex { .. } => self.regex_rivals[level_number] > 1,
        }
    }

    /// Concrete URIs in location `i`'s space worth asking "who serves this?": the
    /// location's own pattern with typical tails, and every other location's pattern or
    /// regex samples placed inside it.
    pub fn candidates(&self, i: usize) -> Vec<String> {
        let s = self.s;
        let Some(bases) = bases(&s.locations[i]) else {
            return Vec::new();
        };
        let others = self.others_near(i);
        let mut out = Vec::new();
        for base in &bases {
            let dir = if base.ends_with('/') {
                base.clone()
            } else {
                format!("{base}/")
            };
            for &j in &others {
                let other = &s.locations[j];
                if matches!(other.kind, LocationKind::Regex { .. }) {
                    for sample in other.samples.iter() {
                        if sample.starts_with('/') {
                            out.push(sample.clone());
                        }
                        let tail = sample.trim_start_matches('/');
                        out.push(format!("{dir}x{tail}"));
                        out.push(format!("{dir}{tail}"));
                        out.push(format!("{base}{tail}"));
                    }
                } else if in_space(s, i, &other.pattern) {
                    out.push(other.pattern.clone());
                    out.push(format!("{}x", other.pattern));
                }
            }
            for t in TAILS {
                out.push(format!("{base}{t}"));
                out.push(format!("{dir}{t}"));
            }
        }
        let mut seen = HashSet::new();
        out.retain(|u| u.starts_with('/') && in_space(s, i, u) && seen.insert(u.clone()));
        out
    }

    /// The other locations whose patterns or samples may fall in location `i`'s space,
    /// in file order: the exact and prefix ones starting with what every URI of the space
    /// starts with, and one regex location per distinct pattern (the others would only
    /// repeat its samples).
    fn others_near(&self, i: usize) -> Vec<usize> {
        let locs = &self.s.locations;
        let common_start = std::iter::successors(Some(i), |&a| locs[a].parent)
            .find(|&a| is_static(&locs[a]))
            .map_or("", |a| locs[a].pattern.as_str());
        let first = self
            .statics_by_pattern
            .partition_point(|&j| locs[j].pattern.as_str() < common_start);
        let statics = self.statics_by_pattern[first..]
            .iter()
            .copied()
            .take_while(|&j| locs[j].pattern.starts_with(common_start));
        let regexes = self
            .regexes_by_pattern
            .iter()
            .filter_map(|first_two| first_two.iter().flatten().copied().find(|&j| j != i));
        let mut others: Vec<usize> = statics.chain(regexes).filter(|&j| j != i).collect();
        others.sort_unstable();
        others
    }

    /// The URIs of location `i`'s space that nginx gives to another location whose
    /// settings ask for no password, one per serving location.
    pub fn doors_of(&self, i: usize) -> Vec<OpenDoor> {
        let s = self.s;
        let mut out: Vec<OpenDoor> = Vec::new();
        let mut served_seen: HashSet<Served> = HashSet::new();
        for uri in self.candidates(i) {
            let served = s.find_location(&uri);
            if served == Served::Location(i) {
                continue;
            }
            let settings = s.settings_for(served, "GET");
            if settings.asks_password() || settings.denies_all() {
                continue;
            }
            if served_seen.insert(served) {
                out.push(OpenDoor { uri, served });
            }
        }
        out
    }
}

/// Exact and prefix locations: matched by their text, not by a regex.
fn is_static(l: &Location) -> bool {
    l.is_prefix() || l.kind == LocationKind::Exact
}

/// The URIs a location's space starts from: its pattern, or its regex's samples
/// (`None` for a named location, which no URI reaches).
fn bases(l: &Location) -> Option<Vec<String>> {
    let mut bases: Vec<String> = match l.kind {
        LocationKind::Prefix | LocationKind::NoRegexPrefix | LocationKind::Exact => {
            vec![l.pattern.clone()]
        }
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
        LocationKind::Named => return None,
    };
    if bases.is_empty() {
        bases.push("/".into());
    }
    Some(bases)
}

/// How many locations of a level can take a URI from a regex sibling.
fn regex_rivals(locs: &[Location], level: &LocationLevel) -> usize {
    level
        .in_file_order
        .iter()
        .filter(|&&q| match locs[q].kind {
            LocationKind::Named => false,
            LocationKind::Prefix => !locs[q].children.is_empty(),
            _ => true,
        })
        .count()
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
