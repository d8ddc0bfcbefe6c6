//! Servers and their location trees, as nginx holds them after reading the
//! configuration: listens and names for server selection, locations with their kind
//! and compiled regex for location selection, and each level's effective settings.

use super::Settings;
use crate::source::Span;
use std::sync::Arc;

/// `listen` (or the implicit `listen *:80`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listen {
    /// `None` for the implicit default listen.
    pub span: Option<Span>,
    pub address: String,
    pub ssl: bool,
    pub default_server: bool,
    /// `quic`/`http3`: always encrypted.
    pub quic: bool,
}

/// One `server {}`.
#[derive(Clone, Debug, Default)]
pub struct VirtualServer {
    /// The `server` keyword.
    pub span: Span,
    pub listens: Vec<Listen>,
    pub names: Vec<String>,
    /// Effective server-level settings (what a URI matching no location gets).
    pub settings: Settings,
    /// All locations of this server, nested ones included (see `parent`/`children`).
    pub locations: Vec<Location>,
    /// The top-level locations.
    pub top_level: LocationLevel,
    /// Per location (by index): URIs of its space that nginx answers elsewhere without
    /// a password (see [`super::coverage`]); empty for locations that ask for none.
    pub open_doors: Vec<Vec<OpenDoor>>,
}

/// A URI of a protected location's space that another configuration answers, asking
/// for no password and denying nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenDoor {
    pub uri: String,
    pub served: Served,
}

/// How a location matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationKind {
    /// `location /p`.
    Prefix,
    /// `location ^~ /p`: a match stops the regex search.
    NoRegexPrefix,
    /// `location = /p`.
    Exact,
    /// `location ~ re` / `location ~* re`.
    Regex { case_insensitive: bool },
    /// `location @name`: only internal redirects reach it.
    Named,
}

/// One `location`.
#[derive(Clone, Debug)]
pub struct Location {
    /// The `location` keyword.
    pub span: Span,
    /// The whole directive with its block.
    pub block_span: Span,
    /// The `{` of its block, where nginx judges the location (its messages name this line).
    pub open: Span,
    pub kind: LocationKind,
    pub pattern: String,
    pub pattern_span: Span,
    /// The compiled regex (`None` for non-regex locations, or when the pattern uses PCRE
    /// features the Rust engine lacks; see `regex_error`).
    pub regex: Option<Arc<regex::Regex>>,
    pub regex_error: Option<String>,
    /// For regex locations: example strings the regex matches (see [`super::sample`]).
    pub samples: Arc<[String]>,
    pub parent: Option<usize>,
    /// The locations nested in this one.
    pub children: LocationLevel,
    pub settings: Settings,
    pub limit_except: Option<Box<LimitExcept>>,
}

impl Location {
    /// How the location is written, e.g. `location ~* \.php$`.
    pub fn describe(&self) -> String {
        match self.kind {
            LocationKind::Prefix | LocationKind::Named => format!("location {}", self.pattern),
            LocationKind::NoRegexPrefix => format!("location ^~ {}", self.pattern),
            LocationKind::Exact => format!("location = {}", self.pattern),
            LocationKind::Regex {
                case_insensitive: false,
            } => format!("location ~ {}", self.pattern),
            LocationKind::Regex {
                case_insensitive: true,
            } => format!("location ~* {}", self.pattern),
        }
    }

    /// True for prefix locations (`/p` and `^~ /p`).
    pub fn is_prefix(&self) -> bool {
        matches!(
            self.kind,
            LocationKind::Prefix | LocationKind::NoRegexPrefix
        )
    }
}

/// The locations at one level (a server's top level, or those nested in one location),
/// arranged for nginx's search: exact and prefix locations by pattern (nginx keeps them
/// in a sorted tree, `ngx_http_core_find_static_location`), regexes in file order.
#[derive(Clone, Debug, Default)]
pub struct LocationLevel {
    /// Every location of the level (indices into `VirtualServer::locations`), in file order.
    pub in_file_order: Vec<usize>,
    /// Regex locations, in file order (nginx tries them one by one).
    pub regexes: Vec<usize>,
    /// Exact (`=`) locations, sorted by pattern.
    exacts: Vec<usize>,
    /// Prefix locations (`/p` and `^~ /p`), sorted by pattern.
    prefixes: Vec<usize>,
}

impl LocationLevel {
    /// The level made of `members` (in file order) of `locations`.
    pub fn new(members: Vec<usize>, locations: &[Location]) -> LocationLevel {
        let of_kind = |keep: fn(&Location) -> bool| -> Vec<usize> {
            members
                .iter()
                .copied()
                .filter(|&i| keep(&locations[i]))
                .collect()
        };
        let by_pattern = |mut v: Vec<usize>| {
            v.sort_by(|&a, &b| locations[a].pattern.cmp(&locations[b].pattern));
            v
        };
        LocationLevel {
            regexes: of_kind(|l| matches!(l.kind, LocationKind::Regex { .. })),
            exacts: by_pattern(of_kind(|l| l.kind == LocationKind::Exact)),
            prefixes: by_pattern(of_kind(Location::is_prefix)),
            in_file_order: members,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.in_file_order.is_empty()
    }

    /// The exact (`=`) location whose pattern is `uri`.
    pub fn exact(&self, locations: &[Location], uri: &str) -> Option<usize> {
        let at = self
            .exacts
            .partition_point(|&i| locations[i].pattern.as_str() < uri);
        self.exacts
            .get(at)
            .copied()
            .filter(|&i| locations[i].pattern == uri)
    }

    /// The prefix location with the longest pattern that `uri` starts with.
    pub fn longest_prefix(&self, locations: &[Location], uri: &str) -> Option<usize> {
        let uri = uri.as_bytes();
        let pattern = |i: usize| locations[i].pattern.as_bytes();
        // The greatest pattern not above `bound` (a start of `uri`) is the longest prefix
        // if `uri` starts with it. If not, no pattern sharing more of `uri` than it does
        // is one either: look again below the part they share.
        let mut bound = uri;
        loop {
            let end = self.prefixes.partition_point(|&i| pattern(i) <= bound);
            let below = *self.prefixes[..end].last()?;
            if uri.starts_with(pattern(below)) {
                return Some(below);
            }
            let shared = pattern(below)
                .iter()
                .zip(uri)
                .take_while(|(a, b)| a == b)
                .count();
            bound = &uri[..shared];
        }
    }

    /// Exact and prefix locations whose pattern starts with `text` (exact ones first),
    /// each sorted by pattern.
    pub fn starting_with<'l>(
        &'l self,
        locations: &'l [Location],
        text: &'l str,
    ) -> impl Iterator<Item = usize> + 'l {
        [&self.exacts, &self.prefixes]
            .into_iter()
            .flat_map(move |sorted| {
                let start = sorted.partition_point(|&i| locations[i].pattern.as_str() < text);
                sorted[start..]
                    .iter()
                    .copied()
                    .take_while(move |&i| locations[i].pattern.starts_with(text))
            })
    }
}

/// `limit_except METHOD... { ... }`: its settings apply to every method *not* listed.
#[derive(Clone, Debug)]
pub struct LimitExcept {
    pub span: Span,
    /// As written (GET implies HEAD in nginx).
    pub methods: Vec<String>,
    pub settings: Settings,
}

impl LimitExcept {
    /// True when `method` is one of the listed (exempt) methods.
    pub fn exempts(&self, method: &str) -> bool {
        self.methods.iter().any(|m| {
            m.eq_ignore_ascii_case(method) || (method == "HEAD" && m.eq_ignore_ascii_case("GET"))
        })
    }
}

/// Which configuration answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Served {
    /// No location matched: the server-level settings apply.
    Server,
    /// This location (index into `VirtualServer::locations`).
    Location(usize),
}

impl VirtualServer {
    /// The settings that apply to `method` on a location (or the server level).
    pub fn settings_for(&self, served: Served, method: &str) -> &Settings {
        match served {
            Served::Server => &self.settings,
            Served::Location(i) => {
                let loc = &self.locations[i];
                match &loc.limit_except {
                    Some(le) if !le.exempts(method) => &le.settings,
                    _ => &loc.settings,
                }
            }
        }
    }

    /// Display name: first server_name and first listen.
    pub fn describe(&self) -> String {
        let name = self
            .names
            .first()
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| "_".to_string());
        let listen = self
            .listens
            .first()
            .map(|l| l.address.clone())
            .unwrap_or_default();
        format!("server {name} ({listen})")
    }

    /// The location nginx picks for `uri` (nginx's algorithm; see `location_match`).
    pub fn find_location(&self, uri: &str) -> Served {
        super::location_match::find(self, uri)
    }

    /// A location's display path including its parents, e.g. `/admin/ > ~ \.php$`.
    pub fn location_path(&self, i: usize) -> String {
        let mut chain = vec![self.locations[i].describe()];
        let mut cur = self.locations[i].parent;
        while let Some(p) = cur {
            chain.push(self.locations[p].describe());
            cur = self.locations[p].parent;
        }
        chain.reverse();
        chain.join(" > ")
    }

    /// The open doors of location `i` (see [`VirtualServer::open_doors`]).
    pub fn open_doors_of(&self, i: usize) -> &[OpenDoor] {
        self.open_doors.get(i).map_or(&[], Vec::as_slice)
    }
}
