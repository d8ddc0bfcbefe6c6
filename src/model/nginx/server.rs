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
    /// Indices of the top-level locations, in file order.
    pub top_level: Vec<usize>,
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
    pub kind: LocationKind,
    pub pattern: String,
    pub pattern_span: Span,
    /// The compiled regex (`None` for non-regex locations, or when the pattern uses PCRE
    /// features the Rust engine lacks; see `regex_error`).
    pub regex: Option<regex::Regex>,
    pub regex_error: Option<String>,
    /// For regex locations: example strings the regex matches (see [`super::sample`]).
    pub samples: Arc<[String]>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
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
