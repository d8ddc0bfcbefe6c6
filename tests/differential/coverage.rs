//! What a run covered: per server, every grammar construct with the number of configs
//! it appeared in, of those that started, and of those where a request reached it;
//! the request kinds sent; the distribution of the servers' answers; the verdicts.
//!
//! "Reached" is judged from paths alone: a construct counts when some answered request's
//! normalised path lies in the scope of every section around it (Location prefix or
//! regex, the URL space of a Directory, a Files name, an nginx location). That is an
//! approximation of where the server went, good enough to show which constructs the
//! requests exercised.

use std::collections::BTreeMap;
use std::fmt::Write;

use regex::Regex;

use super::runner::Outcome;
use super::tree::{FileBody, Node, Request, ServerKind, Setup};

#[derive(Default)]
struct Count {
    configs: usize,
    started: usize,
    reached: usize,
}

#[derive(Default)]
struct Tally {
    configs: usize,
    started: usize,
    constructs: BTreeMap<String, Count>,
    requests: BTreeMap<String, usize>,
    answers: BTreeMap<String, usize>,
    verdicts: BTreeMap<String, usize>,
    /// Why configs did not start, by the server's message.
    start_failures: BTreeMap<String, usize>,
}

#[derive(Default)]
pub struct Coverage {
    servers: BTreeMap<ServerKind, Tally>,
}

/// A path scope: where a section applies, as far as a request path tells.
#[derive(Clone, Debug)]
enum Scope {
    Any,
    Prefix(String),
    Exact(String),
    /// Matched against the URL path.
    Url(Regex),
    /// Matched against the last path segment.
    Name(Regex),
    /// Matched against `SITE/htdocs` + the URL path (for `<DirectoryMatch>`).
    Disk(Regex),
}

impl Scope {
    fn holds(&self, path: &str) -> bool {
        match self {
            Scope::Any => true,
            Scope::Prefix(p) => path.starts_with(p.as_str()),
            Scope::Exact(p) => path == p,
            Scope::Url(re) => re.is_match(path),
            Scope::Name(re) => re.is_match(path.rsplit('/').next().unwrap_or("")),
            Scope::Disk(re) => re.is_match(&format!("SITE/htdocs{path}")),
        }
    }
}

impl Coverage {
    /// Counts one config: its constructs, its requests and the answers they got, and
    /// why it did not start (`start_failure`: the harness's message with the logs).
    pub fn add(
        &mut self,
        setup: &Setup,
        requests: &[Request],
        outcomes: &[Outcome],
        start_failure: Option<&str>,
    ) {
        let tally = self.servers.entry(setup.server).or_default();
        if let Some(failure) = start_failure {
            *tally
                .start_failures
                .entry(super::runner::start_cause(failure))
                .or_default() += 1;
        }
        let started = !outcomes.contains(&Outcome::DoesNotStart);
        tally.configs += 1;
        tally.started += usize::from(started);
        let answered: Vec<String> = requests
            .iter()
            .zip(outcomes)
            .filter(|(_, o)| o.status().is_some())
            .map(|(r, _)| normalise(&r.path))
            .collect();
        let mut found: BTreeMap<String, bool> = BTreeMap::new();
        let mut note = |tag: String, reached: bool| *found.entry(tag).or_default() |= reached;
        walk(setup.server, &setup.tree, None, &[], &answered, &mut note);
        if setup.server == ServerKind::Apache {
            for module in super::apache_gen::MODULES {
                let loaded = setup.tree.iter().any(|n| {
                    n.name() == "LoadModule"
                        && n.args()
                            .first()
                            .is_some_and(|a| a == &format!("{module}_module"))
                });
                if !loaded {
                    note(format!("module left out: {module}"), !answered.is_empty());
                }
            }
        }
        for file in &setup.files {
            let reached = started && !answered.is_empty();
            note(format!("file: {}", file.label), reached);
            if let FileBody::Config(nodes) = &file.body {
                let scope = htaccess_scope(&file.path);
                walk(
                    setup.server,
                    nodes,
                    None,
                    &[scope],
                    &answered,
                    &mut |tag, hit| note(format!("{}: {tag}", file.label), hit),
                );
            }
        }
        for (tag, reached) in found {
            let count = tally.constructs.entry(tag).or_default();
            count.configs += 1;
            count.started += usize::from(started);
            count.reached += usize::from(started && reached);
        }
        for (request, outcome) in requests.iter().zip(outcomes) {
            for kind in request_kinds(request) {
                *tally.requests.entry(kind).or_default() += 1;
            }
            *tally.answers.entry(outcome.label()).or_default() += 1;
        }
    }

    /// Counts one comparison verdict ("agree", "disagree", "depends", ...).
    pub fn verdict(&mut self, server: ServerKind, verdict: &str) {
        let tally = self.servers.entry(server).or_default();
        *tally.verdicts.entry(verdict.to_owned()).or_default() += 1;
    }

    /// Configs and requests counted for `server`.
    pub fn totals(&self, server: ServerKind) -> (usize, usize) {
        self.servers
            .get(&server)
            .map_or((0, 0), |t| (t.configs, t.answers.values().sum()))
    }

    /// The report as Markdown.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (server, t) in &self.servers {
            let requests: usize = t.answers.values().sum();
            let _ = writeln!(
                out,
                "## {}: {} configs ({} started), {requests} requests\n",
                server.name(),
                t.configs,
                t.started
            );
            let _ = writeln!(out, "answers: {}\n", join_counts(&t.answers));
            if !t.verdicts.is_empty() {
                let _ = writeln!(out, "verdicts: {}\n", join_counts(&t.verdicts));
            }
            let _ = writeln!(out, "requests: {}\n", join_counts(&t.requests));
            for (cause, n) in &t.start_failures {
                let _ = writeln!(out, "- did not start ({n}): {cause}");
            }
            out.push('\n');
            let _ = writeln!(
                out,
                "| construct | configs | started | reached |\n|---|---:|---:|---:|"
            );
            for (tag, c) in &t.constructs {
                let _ = writeln!(
                    out,
                    "| `{tag}` | {} | {} | {} |",
                    c.configs, c.started, c.reached
                );
            }
            out.push('\n');
        }
        out
    }
}

fn join_counts(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Records every node's tags; a node is reached when an answered path lies in every
/// scope around it (and its own, for a section).
fn walk(
    server: ServerKind,
    nodes: &[Node],
    parent: Option<&Node>,
    scopes: &[Scope],
    answered: &[String],
    note: &mut dyn FnMut(String, bool),
) {
    for node in nodes {
        let mut inner = scopes.to_vec();
        inner.push(scope(server, node));
        let reached = answered
            .iter()
            .any(|path| inner.iter().all(|s| s.holds(path)));
        for tag in tags(server, node, parent) {
            note(tag, reached);
        }
        if let Node::Block { body, .. } = node {
            walk(server, body, Some(node), &inner, answered, note);
        }
    }
}

/// The URL space of a `.htaccess` file's directory.
fn htaccess_scope(path: &str) -> Scope {
    let dir = path.trim_end_matches(".htaccess").trim_end_matches('/');
    match dir.split_once('/') {
        Some((_, rest)) if dir.starts_with("htdocs") => Scope::Prefix(format!("/{rest}")),
        None if dir.starts_with("htdocs") => Scope::Any,
        _ => Scope::Prefix("/o".into()),
    }
}

fn unquote(arg: &str) -> &str {
    arg.trim_matches('"')
}

fn regex(pattern: &str, case_insensitive: bool) -> Option<Regex> {
    let flags = if case_insensitive { "(?i)" } else { "" };
    Regex::new(&format!("{flags}{}", pattern.replace("{site}", "SITE"))).ok()
}

fn scope(server: ServerKind, node: &Node) -> Scope {
    let Node::Block { name, args, .. } = node else {
        return Scope::Any;
    };
    let arg = args.first().map(|a| unquote(a)).unwrap_or("");
    let re = |pattern: &str, ci: bool, wrap: fn(Regex) -> Scope| {
        regex(pattern, ci).map_or(Scope::Any, wrap)
    };
    match (server, name.as_str()) {
        (ServerKind::Apache, "Location") => Scope::Prefix(arg.to_owned()),
        (ServerKind::Apache, "LocationMatch") => re(arg, false, Scope::Url),
        (ServerKind::Apache, "Directory") => directory_scope(arg),
        (ServerKind::Apache, "DirectoryMatch") => re(arg, false, Scope::Disk),
        (ServerKind::Apache, "Files") => re(&glob_regex(arg), false, Scope::Name),
        (ServerKind::Apache, "FilesMatch") => re(arg, false, Scope::Name),
        (ServerKind::Nginx, "location") => match args.as_slice() {
            [m, p] if m == "=" => Scope::Exact(p.clone()),
            [m, p] if m == "^~" => Scope::Prefix(p.clone()),
            [m, p] if m == "~" => re(p, false, Scope::Url),
            [m, p] if m == "~*" => re(p, true, Scope::Url),
            [p] if !p.starts_with('@') => Scope::Prefix(p.clone()),
            _ => Scope::Any,
        },
        _ => Scope::Any,
    }
}

/// The URL space of a `<Directory>` of the generated site.
fn directory_scope(dir: &str) -> Scope {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        return Scope::Any;
    }
    for root in ["{site}/htdocs2", "{site}/htdocs"] {
        if let Some(rest) = dir.strip_prefix(root) {
            return regex(&format!("^{}(/|$)", glob_body(rest)), false)
                .map_or(Scope::Any, Scope::Url);
        }
    }
    match dir {
        "{site}/other" => regex("^/(o|m|cgi)(/|$)", false).map_or(Scope::Any, Scope::Url),
        "{site}/pw" => Scope::Prefix("/pw".into()),
        _ => Scope::Any,
    }
}

fn glob_body(glob: &str) -> String {
    regex::escape(glob)
        .replace("\\*", "[^/]*")
        .replace("\\?", "[^/]")
}

fn glob_regex(glob: &str) -> String {
    format!("^{}$", glob_body(glob))
}

/// `%2e` decoded, `//` collapsed, `.` and `..` segments resolved, query dropped.
fn normalise(path: &str) -> String {
    let path = path.split('?').next().unwrap_or("");
    let decoded = path.replace("%2e", ".").replace("%2E", ".");
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/').skip(1) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing = if decoded.ends_with('/') && !segments.is_empty() {
        "/"
    } else {
        ""
    };
    format!("/{}{trailing}", segments.join("/"))
}

fn request_kinds(r: &Request) -> Vec<String> {
    let login = match (r.user.as_deref(), r.password.as_deref()) {
        (None, _) => "no login",
        (Some("mallory"), _) => "unknown user",
        (_, Some("wrong")) => "wrong password",
        _ => "right password",
    };
    let mut kinds = vec![format!("{}", r.method), login.to_owned()];
    if r.from != "127.0.0.1" {
        kinds.push(format!("from {}", r.from));
    }
    if r.to != "127.0.0.1" {
        kinds.push(format!("to {}", r.to));
    }
    if r.port == super::tree::PortSlot::Port2 {
        kinds.push("port2".into());
    }
    if r.path.contains("..") || r.path.to_ascii_lowercase().contains("%2e") {
        kinds.push("path with .. or %2e".into());
    }
    if r.path.contains("/.") {
        kinds.push("dotfile".into());
    }
    kinds
}

/// The constructs a node stands for.
fn tags(server: ServerKind, node: &Node, parent: Option<&Node>) -> Vec<String> {
    match server {
        ServerKind::Apache => apache_tags(node, parent),
        ServerKind::Nginx => nginx_tags(node, parent),
    }
}

fn file_variant(arg: &str) -> String {
    let name = unquote(arg).rsplit('/').next().unwrap_or("");
    let relative = if unquote(arg).starts_with('/') || arg.contains("{site}") {
        ""
    } else {
        " (relative)"
    };
    format!("{name}{relative}")
}

fn apache_tags(node: &Node, parent: Option<&Node>) -> Vec<String> {
    let args = node.args();
    let first = args.first().map(String::as_str).unwrap_or("");
    match node {
        Node::Block { name, .. } => {
            let mut tags = vec![format!("<{name}>")];
            if name == "VirtualHost" {
                tags[0] = format!(
                    "<VirtualHost {}>",
                    first.replace("{port2}", "port2").replace("{port}", "port")
                );
            }
            if let Some(parent) = parent.filter(|p| p.name() != "VirtualHost") {
                tags.push(format!("<{}> in <{}>", name, parent.name()));
            }
            tags
        }
        Node::Directive { name, .. } => vec![match name.as_str() {
            "Require" if first == "not" => format!("Require not {}", args.get(1).map_or("", |a| a)),
            "Require" => format!("Require {first}"),
            "AuthName" if args.len() > 1 => "AuthName unquoted (two words)".into(),
            "AuthUserFile" | "AuthGroupFile" => format!("{name} {}", file_variant(first)),
            "AuthType" | "AllowOverride" | "AuthMerging" | "Satisfy" | "Order" | "Options"
            | "AuthBasicProvider" | "AuthDigestProvider" | "Allow" | "Deny" | "Alias"
            | "AliasMatch" | "ScriptAlias" | "IncludeOptional" | "Include" => {
                format!("{name} {}", args.join(" ").replace("{site}", "SITE"))
            }
            "LoadModule" => "LoadModule".into(),
            _ => name.clone(),
        }],
    }
}

fn nginx_tags(node: &Node, parent: Option<&Node>) -> Vec<String> {
    let args = node.args();
    let first = args.first().map(String::as_str).unwrap_or("");
    let last = args.last().map(String::as_str).unwrap_or("");
    let tag = match node.name() {
        "location" => {
            let kind = match first {
                "=" | "^~" | "~" | "~*" => first,
                f if f.starts_with('@') => "@named",
                _ => "prefix",
            };
            let nested = parent.is_some_and(|p| p.name() == "location");
            let mut tags = vec![format!("location {kind}")];
            if nested {
                tags.push(format!("location {kind} nested in a location"));
            }
            return tags;
        }
        "listen" => args
            .join(" ")
            .replace("{port2}", "port2")
            .replace("{port}", "port"),
        "server_name" => {
            return args
                .iter()
                .map(|n| match n.as_str() {
                    n if n.starts_with('~') => "server_name regex".to_owned(),
                    n if n.contains('*') => "server_name wildcard".to_owned(),
                    "_" | "\"\"" => format!("server_name {n}"),
                    _ => "server_name exact".to_owned(),
                })
                .collect();
        }
        "auth_basic" => match first {
            "off" => "auth_basic off".into(),
            f if f.starts_with('$') => "auth_basic $variable".into(),
            _ => "auth_basic realm".into(),
        },
        "auth_basic_user_file" => format!("auth_basic_user_file {}", file_variant(first)),
        "alias" => {
            let location = parent
                .and_then(|p| p.args().last())
                .map_or("", |a| a.as_str());
            match (location.ends_with('/'), first.ends_with('/')) {
                (false, true) => "alias under a location without trailing slash".into(),
                (true, false) => "alias without trailing slash".into(),
                _ => "alias".into(),
            }
        }
        "rewrite" | "return" if parent.is_some_and(|p| p.name() == "server") => {
            format!("{} {last} (server)", node.name())
        }
        "rewrite" | "satisfy" | "return" => format!("{} {last}", node.name()),
        "allow" | "deny" | "limit_except" => format!("{} {}", node.name(), args.join(" ")),
        "try_files" => format!("try_files … {last}"),
        "error_page" if args.iter().any(|a| a == "=") => "error_page =".into(),
        name => name.to_owned(),
    };
    vec![tag]
}
