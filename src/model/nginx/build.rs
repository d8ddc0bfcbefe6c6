//! From directives to servers and location trees: the structure nginx builds while it
//! reads `http {}` (each block's settings come from [`super::inherit`]).

use super::inherit::{BlockSettings, Inheritance};
use super::loader::Tree;
use super::{
    LimitExcept, Listen, Location, LocationKind, LocationLevel, MapEntry, NginxStart, SetVariable,
    Settings, VariableMap, VirtualServer,
};
use crate::model::LoadOptions;
use crate::source::Span;
use crate::syntax::nginx::Directive;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The worker user of Debian's nginx package (its nginx.conf says `user www-data;`).
pub const DEFAULT_USER: &str = "www-data";

/// A compiled location regex, or why it could not be compiled. Shared, not cloned: each
/// clone of a `Regex` gets its own match cache, and a tree of 4,000 servers repeating
/// one pattern then held 4,000 caches.
type Compiled = (Option<Arc<regex::Regex>>, Option<String>);

/// What the configuration declares, before the model's derived views are added.
#[derive(Default)]
pub struct Declared {
    pub user: Option<(String, Span)>,
    pub http: Settings,
    pub servers: Vec<VirtualServer>,
    pub maps: Vec<VariableMap>,
    pub sets: Vec<SetVariable>,
}

struct Builder<'a> {
    inheritance: Inheritance<'a>,
    declared: Declared,
    /// Compiled location regexes by (pattern, case-insensitive): generated and templated
    /// configs repeat the same few patterns thousands of times.
    regexes: HashMap<(String, bool), Compiled>,
    samples: HashMap<String, Arc<[String]>>,
}

/// Build the servers of the configuration whose top-level directives are `items`.
pub fn build(
    tree: &Tree,
    items: &[&Directive],
    start: NginxStart,
    opts: &LoadOptions,
    prefix: &Path,
) -> Declared {
    let mut b = Builder {
        inheritance: Inheritance { tree, opts, prefix },
        declared: Declared::default(),
        regexes: HashMap::new(),
        samples: HashMap::new(),
    };
    let none = Settings::default();
    match start {
        NginxStart::MainConfig => {
            for d in items {
                if d.is("user")
                    && let Some(u) = d.arg(0)
                {
                    b.declared.user = Some((u.into_owned(), d.span));
                }
                if d.is("http") && d.block.is_some() {
                    b.http(&tree.flat(d.children()), &none);
                }
            }
        }
        NginxStart::Snippet => {
            // A file of bare locations is a server snippet: give it an implicit server.
            let has_server = items.iter().any(|d| d.is("server"));
            let has_location = items.iter().any(|d| d.is("location"));
            if !has_server && has_location {
                let http = b.block(&none, items).settings;
                let server = b.server(None, items, &http);
                b.declared.servers.push(server);
                b.declared.http = http;
            } else {
                b.http(items, &none);
            }
        }
    }
    b.declared
}

impl<'t> Builder<'t> {
    fn tree(&self) -> &'t Tree {
        self.inheritance.tree
    }

    /// A block's settings; its `set` directives are recorded.
    fn block(&mut self, parent: &Settings, items: &[&'t Directive]) -> BlockSettings<'t> {
        let block = self.inheritance.block(parent, items);
        self.declared.sets.extend(block.variables.iter().cloned());
        block
    }

    fn http(&mut self, items: &[&'t Directive], parent: &Settings) {
        let http = self.block(parent, items).settings;
        for d in items {
            if d.is("map") && d.args.len() >= 2 {
                let map = self.map(d);
                self.declared.maps.push(map);
            }
        }
        for d in items {
            if d.is("server") && d.block.is_some() {
                let s = self.server(Some(d), &self.tree().flat(d.children()), &http);
                self.declared.servers.push(s);
            }
        }
        self.declared.http = http;
    }

    fn map(&self, d: &Directive) -> VariableMap {
        let mut values = Vec::new();
        let mut has_default = false;
        let mut entries = Vec::new();
        let mut default = None;
        let mut hostnames = false;
        for e in self.tree().flat(d.children()) {
            // `hostnames`, `volatile` take no value; `include` was expanded already.
            if e.args.is_empty() && e.is("hostnames") {
                hostnames = true;
            }
            if let Some(v) = e.args.first() {
                let entry = MapEntry {
                    key: e.name_text().into_owned(),
                    value: v.text().into_owned(),
                    span: e.span,
                };
                if e.is("default") {
                    has_default = true;
                    default = Some(entry);
                } else {
                    entries.push(entry);
                }
                values.push((v.text().into_owned(), v.span));
            }
        }
        VariableMap {
            span: d.span,
            source: d.args[0].text().into_owned(),
            target: d.args[1].text().into_owned(),
            values,
            has_default,
            entries,
            default,
            hostnames,
        }
    }

    /// A `server` block (`None`: the implicit server around a file of locations).
    fn server(
        &mut self,
        d: Option<&Directive>,
        items: &[&'t Directive],
        http: &Settings,
    ) -> VirtualServer {
        let settings = self.block(http, items).settings;
        let span = match d {
            Some(d) => d.name.span,
            None => items.first().map_or(Span::default(), |i| i.name.span),
        };
        let mut listens: Vec<Listen> = items
            .iter()
            .filter(|d| d.is("listen") && !d.args.is_empty())
            .map(|d| listen(d))
            .collect();
        if listens.is_empty() {
            listens.push(Listen {
                span: None,
                address: "*:80".into(),
                ssl: false,
                default_server: false,
                quic: false,
            });
        }
        let names = items
            .iter()
            .filter(|d| d.is("server_name"))
            .flat_map(|d| d.args.iter().map(|a| a.text().into_owned()))
            .collect();
        // Locations are large: size the vector once rather than grow it.
        let mut locations = Vec::with_capacity(self.count_locations(items));
        let top_level = self.locations(items, &settings, None, &mut locations);
        let top_level = LocationLevel::new(top_level, &locations);
        VirtualServer {
            span,
            listens,
            names,
            settings,
            locations,
            top_level,
            open_doors: Vec::new(),
        }
    }

    /// How many locations a block holds, nested ones included.
    fn count_locations(&self, items: &[&'t Directive]) -> usize {
        items
            .iter()
            .filter(|d| d.is("location") && d.block.is_some())
            .map(|d| 1 + self.count_locations(&self.tree().flat(d.children())))
            .sum()
    }

    /// The locations of one block, appended to `out` (each followed by its nested
    /// ones); returns their indices, in file order.
    fn locations(
        &mut self,
        items: &[&'t Directive],
        parent_settings: &Settings,
        parent: Option<usize>,
        out: &mut Vec<Location>,
    ) -> Vec<usize> {
        let mut mine = Vec::new();
        for d in items {
            if !d.is("location") || d.block.is_none() || d.args.is_empty() {
                continue;
            }
            let Some((kind, pattern, pattern_span)) = location_pattern(d) else {
                continue;
            };
            let inner = self.tree().flat(d.children());
            let location = self.location(d, &inner, kind, pattern, pattern_span, parent_settings);
            let index = out.len();
            let settings = location.settings.clone();
            out.push(Location { parent, ..location });
            let children = self.locations(&inner, &settings, Some(index), out);
            out[index].children = LocationLevel::new(children, out);
            mine.push(index);
        }
        mine
    }

    /// One location (without its nested ones).
    fn location(
        &mut self,
        d: &Directive,
        inner: &[&'t Directive],
        kind: LocationKind,
        pattern: String,
        pattern_span: Span,
        parent_settings: &Settings,
    ) -> Location {
        let block = self.block(parent_settings, inner);
        let mut settings = block.settings;
        // An alias replaces the part of the URI that the location declaring it matched.
        if let Some(root) = &mut settings.root
            && root.value.alias
            && inner.iter().any(|c| c.is("alias"))
        {
            Arc::make_mut(root).value.strip = pattern.len();
        }
        let limit_except = block.limit_except.map(|le| {
            let le_items = self.tree().flat(le.children());
            let mut le_settings = self.block(&settings, &le_items).settings;
            // The upstream modules hand the location's handler to its limit_except
            // (`clcf->lmt_excpt` in ngx_http_proxy_merge_loc_conf and its peers).
            if le_settings.handler.is_none()
                && let Some(h) = &settings.handler
                && h.value.0.ends_with("_pass")
            {
                le_settings.handler = Some(h.clone());
            }
            Box::new(LimitExcept {
                span: le.name.span,
                methods: le.args.iter().map(|a| a.text().into_owned()).collect(),
                settings: le_settings,
            })
        });
        let (regex, regex_error, samples) = self.regex_of(kind, &pattern);
        Location {
            span: d.name.span,
            block_span: d.span,
            open: d.terminator(),
            kind,
            pattern,
            pattern_span,
            regex,
            regex_error,
            samples,
            parent: None,
            children: LocationLevel::default(),
            settings,
            limit_except,
        }
    }

    /// A regex location's compiled pattern (or why it failed) and samples, once per
    /// distinct pattern.
    fn regex_of(
        &mut self,
        kind: LocationKind,
        pattern: &str,
    ) -> (Option<Arc<regex::Regex>>, Option<String>, Arc<[String]>) {
        let LocationKind::Regex { case_insensitive } = kind else {
            return (None, None, Arc::default());
        };
        let (regex, error) = self
            .regexes
            .entry((pattern.to_string(), case_insensitive))
            .or_insert_with(|| compile(pattern, case_insensitive))
            .clone();
        let samples = self
            .samples
            .entry(pattern.to_string())
            .or_insert_with(|| super::sample::samples(pattern).into())
            .clone();
        (regex, error, samples)
    }
}

/// `listen address [flags...]`.
fn listen(d: &Directive) -> Listen {
    let flags: Vec<String> = d.args[1..].iter().map(|a| a.text().into_owned()).collect();
    let has = |names: &[&str]| flags.iter().any(|f| names.contains(&f.as_str()));
    Listen {
        span: Some(d.span),
        address: d.args[0].text().into_owned(),
        ssl: has(&["ssl"]),
        default_server: has(&["default_server", "default"]),
        quic: has(&["quic", "http3"]),
    }
}

/// `location [modifier] pattern` → kind, pattern, span of the pattern.
fn location_pattern(d: &Directive) -> Option<(LocationKind, String, Span)> {
    let regex = |case_insensitive| LocationKind::Regex { case_insensitive };
    if d.args.len() >= 2 {
        let kind = match d.args[0].value.as_slice() {
            b"=" => LocationKind::Exact,
            b"~" => regex(false),
            b"~*" => regex(true),
            b"^~" => LocationKind::NoRegexPrefix,
            _ => return None,
        };
        return Some((kind, d.args[1].text().into_owned(), d.args[1].span));
    }
    // The modifier written against the pattern: `~*\.php$`, `=/x`.
    let w = &d.args[0];
    let text = w.text().into_owned();
    let (kind, pattern) = if let Some(rest) = text.strip_prefix("~*") {
        (regex(true), rest)
    } else if let Some(rest) = text.strip_prefix('~') {
        (regex(false), rest)
    } else if let Some(rest) = text.strip_prefix('=') {
        (LocationKind::Exact, rest)
    } else if text.starts_with('@') {
        (LocationKind::Named, text.as_str())
    } else {
        (LocationKind::Prefix, text.as_str())
    };
    Some((kind, pattern.to_string(), w.span))
}

/// Compile a location regex. nginx uses PCRE; the Rust engine covers the common subset
/// (no look-around, no back-references). Matching is on bytes, like nginx.
fn compile(pattern: &str, case_insensitive: bool) -> Compiled {
    let full = if case_insensitive {
        format!("(?i){pattern}")
    } else {
        pattern.to_string()
    };
    match regex::RegexBuilder::new(&full).size_limit(1 << 22).build() {
        Ok(r) => (Some(Arc::new(r)), None),
        Err(e) => (None, Some(e.to_string())),
    }
}
