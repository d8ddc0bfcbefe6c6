//! From directives to the coverage model: nginx's inheritance, directive by directive.

use super::loader::Tree;
use super::{
    AccessRule, Conf, DocRoot, LimitExcept, Listen, LocKind, Location, MapDef, NginxModel,
    NginxStart, Realm, Return, Rewrite, Set, SetDef, UserFile, VirtualServer,
};
use crate::model::LoadOptions;
use crate::source::Span;
use crate::syntax::nginx::Directive;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The worker user of Debian's nginx package (its nginx.conf says `user www-data;`).
pub const DEFAULT_USER: &str = "www-data";

/// nginx's compiled-in prefix on Debian: relative `root`/`alias` resolve against it
/// (not against the conf prefix, which only `include` and `auth_basic_user_file` use).
const DEBIAN_PREFIX: &str = "/usr/share/nginx";

/// A compiled location regex, or why it could not be compiled.
type Compiled = (Option<Rc<regex::Regex>>, Option<String>);

struct Builder<'a> {
    tree: &'a Tree,
    opts: &'a LoadOptions,
    prefix: &'a Path,
    model: NginxModel,
    /// Compiled location regexes by (pattern, case-insensitive): generated and templated
    /// configs repeat the same few patterns thousands of times.
    regexes: HashMap<(String, bool), Compiled>,
    samples: HashMap<String, Rc<Vec<String>>>,
}

pub fn build<'t>(
    tree: &'t Tree,
    items: &[&'t Directive],
    start: NginxStart,
    opts: &LoadOptions,
    prefix: &Path,
) -> NginxModel {
    let mut b = Builder {
        tree,
        opts,
        prefix,
        model: NginxModel {
            prefix: prefix.to_path_buf(),
            opts: opts.clone(),
            user: DEFAULT_USER.to_string(),
            ..NginxModel::default()
        },
        regexes: HashMap::new(),
        samples: HashMap::new(),
    };
    let empty = Conf::default();
    match start {
        NginxStart::MainConfig => {
            for d in items {
                if d.is("user")
                    && let Some(u) = d.arg(0)
                {
                    b.model.user = u.into_owned();
                    b.model.user_span = Some(d.span);
                }
                if d.is("http") && d.block.is_some() {
                    b.http(&tree.flat(d.children()), &empty);
                }
            }
        }
        NginxStart::Snippet => {
            // A file of bare locations is a server snippet: give it an implicit server.
            let has_server = items.iter().any(|d| d.is("server"));
            let has_location = items.iter().any(|d| d.is("location"));
            if !has_server && has_location {
                let http = b.level(&empty, items, &mut Vec::new());
                b.model.http = http.clone();
                let server = b.server(None, items, &http);
                b.model.servers.push(server);
            } else {
                b.http(items, &empty);
            }
        }
    }
    if let Some(u) = &opts.server_user {
        b.model.user = u.clone();
    }
    b.model
}

impl<'t> Builder<'t> {
    fn http(&mut self, items: &[&'t Directive], parent: &Conf) {
        let http = self.level(parent, items, &mut Vec::new());
        for d in items {
            if d.is("map") && d.args.len() >= 2 {
                self.map(d);
            }
        }
        for d in items {
            if d.is("server") && d.block.is_some() {
                let s = self.server(Some(d), &self.tree.flat(d.children()), &http);
                self.model.servers.push(s);
            }
        }
        self.model.http = http;
    }

    fn map(&mut self, d: &Directive) {
        let mut values = Vec::new();
        let mut has_default = false;
        for e in self.tree.flat(d.children()) {
            // `hostnames`, `volatile` take no value; `include` was expanded already.
            if let Some(v) = e.args.first() {
                if e.is("default") {
                    has_default = true;
                }
                values.push((v.text().into_owned(), v.span));
            }
        }
        self.model.maps.push(MapDef {
            span: d.span,
            source: d.args[0].text().into_owned(),
            target: d.args[1].text().into_owned(),
            values,
            has_default,
        });
    }

    fn server(
        &mut self,
        d: Option<&Directive>,
        items: &[&'t Directive],
        http: &Conf,
    ) -> VirtualServer {
        let conf = self.level(http, items, &mut Vec::new());
        let mut s = VirtualServer {
            span: d.map_or_else(
                || items.first().map_or(Span::default(), |i| i.name.span),
                |d| d.name.span,
            ),
            conf: conf.clone(),
            ..VirtualServer::default()
        };
        for d in items {
            if d.is("listen") && !d.args.is_empty() {
                let flags: Vec<String> =
                    d.args[1..].iter().map(|a| a.text().into_owned()).collect();
                s.listens.push(Listen {
                    span: Some(d.span),
                    address: d.args[0].text().into_owned(),
                    ssl: flags.iter().any(|f| f == "ssl"),
                    default_server: flags
                        .iter()
                        .any(|f| f == "default_server" || f == "default"),
                    quic: flags.iter().any(|f| f == "quic" || f == "http3"),
                });
            }
            if d.is("server_name") {
                s.names.extend(d.args.iter().map(|a| a.text().into_owned()));
            }
        }
        if s.listens.is_empty() {
            s.listens.push(Listen {
                span: None,
                address: "*:80".into(),
                ssl: false,
                default_server: false,
                quic: false,
            });
        }
        // Locations are large: size the vector once rather than grow it.
        let mut locs = Vec::with_capacity(self.count_locations(items));
        let top = self.locations(items, &conf, None, &mut locs);
        s.locations = locs;
        s.top = top;
        s
    }

    /// How many locations a block holds, nested ones included.
    fn count_locations(&self, items: &[&'t Directive]) -> usize {
        items
            .iter()
            .filter(|d| d.is("location") && d.block.is_some())
            .map(|d| 1 + self.count_locations(&self.tree.flat(d.children())))
            .sum()
    }

    /// The locations of one block; returns their indices (file order).
    fn locations(
        &mut self,
        items: &[&'t Directive],
        parent_conf: &Conf,
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
            let mut les = Vec::new();
            let inner = self.tree.flat(d.children());
            let conf = self.level(parent_conf, &inner, &mut les);
            let (regex, regex_error) = match kind {
                LocKind::Regex { case_insensitive } => self
                    .regexes
                    .entry((pattern.clone(), case_insensitive))
                    .or_insert_with(|| compile(&pattern, case_insensitive))
                    .clone(),
                _ => (None, None),
            };
            let samples = match kind {
                LocKind::Regex { .. } => Rc::clone(
                    self.samples
                        .entry(pattern.clone())
                        .or_insert_with(|| Rc::new(super::sample::samples(&pattern))),
                ),
                _ => Rc::default(),
            };
            let limit_except = les.into_iter().next().map(|le: &Directive| {
                Box::new(LimitExcept {
                    span: le.name.span,
                    methods: le.args.iter().map(|a| a.text().into_owned()).collect(),
                    conf: self.level(&conf, &self.tree.flat(le.children()), &mut Vec::new()),
                })
            });
            let idx = out.len();
            out.push(Location {
                span: d.name.span,
                block_span: d.span,
                kind,
                pattern,
                pattern_span,
                regex,
                regex_error,
                samples,
                parent,
                children: Vec::new(),
                conf: conf.clone(),
                limit_except,
            });
            let alias_fix = &mut out[idx];
            let strip = alias_fix.pattern.len();
            if let Some(root) = &mut alias_fix.conf.root
                && root.value.alias
                && inner.iter().any(|c| c.is("alias"))
            {
                Rc::make_mut(root).value.strip = strip;
            }
            let conf = out[idx].conf.clone();
            let children = self.locations(&inner, &conf, Some(idx), out);
            out[idx].children = children;
            mine.push(idx);
        }
        mine
    }

    /// Effective settings of one block given its parent's.
    fn level(
        &mut self,
        parent: &Conf,
        items: &[&'t Directive],
        limit_excepts: &mut Vec<&'t Directive>,
    ) -> Conf {
        let mut c = parent.clone();
        c.rewrites.clear();
        c.returns.clear();
        c.proxy_pass = None;
        c.fastcgi_pass = None;
        c.try_files = None;
        let mut access = Vec::new();
        let mut proxy_headers = Vec::new();
        let mut fastcgi_params = Vec::new();
        for d in items {
            let name = d.name_text();
            let first = d.args.first();
            match name.as_ref() {
                "auth_basic" if first.is_some() => {
                    let w = &d.args[0];
                    let text = w.text().into_owned();
                    let realm = if w.has_variable() {
                        Realm::Variable(text)
                    } else if text == "off" {
                        Realm::Off
                    } else {
                        Realm::Text(text)
                    };
                    c.auth_basic = Some(Rc::new(set(d, realm)));
                }
                "auth_basic_user_file" if first.is_some() => {
                    let w = &d.args[0];
                    let raw = w.text().into_owned();
                    let relative = !raw.starts_with('/');
                    let server_path = if relative {
                        self.prefix.join(&raw)
                    } else {
                        PathBuf::from(&raw)
                    };
                    let local_path = self.opts.map_path(&server_path);
                    c.user_file = Some(Rc::new(set(
                        d,
                        UserFile {
                            has_variable: w.has_variable(),
                            raw,
                            server_path,
                            local_path,
                            relative,
                        },
                    )));
                }
                "satisfy" if first.is_some() => {
                    c.satisfy_any = Some(set(d, d.args[0].value == b"any"));
                }
                "allow" | "deny" if first.is_some() => access.push(AccessRule {
                    allow: name == "allow",
                    what: d.args[0].text().into_owned(),
                    span: d.span,
                }),
                "root" | "alias" if first.is_some() => {
                    let raw = d.args[0].text().into_owned();
                    let server_path = if raw.starts_with('/') {
                        PathBuf::from(&raw)
                    } else {
                        Path::new(DEBIAN_PREFIX).join(&raw)
                    };
                    let local_path = self.opts.map_path(&server_path);
                    c.root = Some(Rc::new(set(
                        d,
                        DocRoot {
                            alias: name == "alias",
                            raw,
                            server_path,
                            local_path,
                            strip: 0,
                        },
                    )));
                }
                "proxy_set_header" if d.args.len() >= 2 => proxy_headers.push(set(
                    d,
                    (d.args[0].text().into_owned(), d.args[1].text().into_owned()),
                )),
                "fastcgi_param" if d.args.len() >= 2 => fastcgi_params.push(set(
                    d,
                    (d.args[0].text().into_owned(), d.args[1].text().into_owned()),
                )),
                "proxy_pass_request_headers" | "fastcgi_pass_request_headers"
                    if first.is_some_and(|a| a.value == b"off") =>
                {
                    c.request_headers_off = Some(d.span);
                }
                "proxy_pass_request_headers" | "fastcgi_pass_request_headers" => {
                    c.request_headers_off = None;
                }
                "proxy_pass" => c.proxy_pass = Some(d.span),
                "fastcgi_pass" => c.fastcgi_pass = Some(d.span),
                "try_files" => c.try_files = Some(d.span),
                "limit_except" if d.block.is_some() => limit_excepts.push(d),
                _ => {}
            }
        }
        self.rewrite_phase(items, false, &mut c);
        if !access.is_empty() {
            c.access = Rc::new(access);
        }
        if !proxy_headers.is_empty() {
            c.proxy_headers = Rc::new(proxy_headers);
        }
        if !fastcgi_params.is_empty() {
            c.fastcgi_params = Rc::new(fastcgi_params);
        }
        c
    }

    /// `rewrite`, `return` and `set` of a block and of its `if` blocks.
    fn rewrite_phase(&mut self, items: &[&'t Directive], conditional: bool, c: &mut Conf) {
        for d in items {
            if d.is("rewrite") && d.args.len() >= 2 {
                c.rewrites.push(Rewrite {
                    span: d.span,
                    regex: d.args[0].text().into_owned(),
                    replacement: d.args[1].text().into_owned(),
                    flag: d.arg(2).map(|f| f.into_owned()),
                    conditional,
                });
            } else if d.is("return") && !d.args.is_empty() {
                c.returns.push(Return {
                    span: d.span,
                    code: d.arg(0).and_then(|a| a.parse().ok()),
                    conditional,
                });
            } else if d.is("set") && d.args.len() >= 2 {
                self.model.sets.push(SetDef {
                    span: d.span,
                    var: d.args[0].text().into_owned(),
                    value: d.args[1].text().into_owned(),
                });
            } else if d.is("if") && d.block.is_some() {
                self.rewrite_phase(&self.tree.flat(d.children()), true, c);
            }
        }
    }
}

/// A value with the spans of its directive and first argument.
fn set<T>(d: &Directive, value: T) -> Set<T> {
    Set {
        value,
        directive: d.span,
        arg: d.args.first().map_or(d.name.span, |a| a.span),
    }
}

/// `location [mod] pattern` → kind, pattern, span of the pattern.
fn location_pattern(d: &Directive) -> Option<(LocKind, String, Span)> {
    if d.args.len() >= 2 {
        let kind = match d.args[0].value.as_slice() {
            b"=" => LocKind::Exact,
            b"~" => LocKind::Regex {
                case_insensitive: false,
            },
            b"~*" => LocKind::Regex {
                case_insensitive: true,
            },
            b"^~" => LocKind::NoRegexPrefix,
            _ => return None,
        };
        return Some((kind, d.args[1].text().into_owned(), d.args[1].span));
    }
    let w = &d.args[0];
    let text = w.text().into_owned();
    let (kind, pattern) = if let Some(rest) = text.strip_prefix("~*") {
        (
            LocKind::Regex {
                case_insensitive: true,
            },
            rest,
        )
    } else if let Some(rest) = text.strip_prefix('~') {
        (
            LocKind::Regex {
                case_insensitive: false,
            },
            rest,
        )
    } else if let Some(rest) = text.strip_prefix('=') {
        (LocKind::Exact, rest)
    } else if text.starts_with('@') {
        (LocKind::Named, text.as_str())
    } else {
        (LocKind::Prefix, text.as_str())
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
        Ok(r) => (Some(Rc::new(r)), None),
        Err(e) => (None, Some(e.to_string())),
    }
}

/// Whether a client can set this variable's value directly (headers, query, cookies,
/// the URI, the Host).
pub fn client_controlled(var: &str) -> bool {
    let v = var
        .trim_start_matches('$')
        .trim_start_matches('{')
        .trim_end_matches('}');
    ["http_", "arg_", "cookie_", "sent_http_"]
        .iter()
        .any(|p| v.starts_with(p))
        || matches!(
            v,
            "args"
                | "query_string"
                | "request_uri"
                | "uri"
                | "document_uri"
                | "request_method"
                | "host"
                | "request"
                | "request_body"
                | "content_type"
                | "content_length"
                | "remote_user"
                | "is_args"
        )
}
