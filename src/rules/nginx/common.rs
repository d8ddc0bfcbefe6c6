//! Questions several nginx rules ask of the model.

use crate::diag::{Diagnostic, Server as ServerKind};
use crate::model::nginx::{
    Conf, NginxModel, Protection, Scope, Served, Set, UserFile, VirtualServer,
};
use crate::rules::RuleInfo;
use crate::source::Span;

/// A finding about nginx.
pub fn diag(rule: &RuleInfo, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(rule, span, message).servers(&[ServerKind::Nginx])
}

/// Human name of a scope: `server example.com (443 ssl) > location /admin/`.
pub fn scope_name(s: &VirtualServer, scope: &Scope<'_>) -> String {
    match scope {
        Scope::Server(_) => s.describe(),
        Scope::Location(i, _) => format!("{} > {}", s.describe(), s.location_path(*i)),
        Scope::LimitExcept(i, le) => format!(
            "{} > {} > limit_except {}",
            s.describe(),
            s.location_path(*i),
            le.methods.join(" ")
        ),
    }
}

/// One `auth_basic_user_file` directive and the places where nginx actually opens it
/// (a realm other than `off` is in effect there too).
pub struct FileUse<'a> {
    pub file: &'a Set<UserFile>,
    pub realm: Option<Span>,
    /// Where it protects, e.g. `server _ (*:80) > location /admin/`.
    pub places: Vec<String>,
}

/// Every user-file directive nginx opens, in configuration order.
pub fn file_uses(m: &NginxModel) -> Vec<FileUse<'_>> {
    let mut out: Vec<FileUse<'_>> = Vec::new();
    for (s, scope) in m.scopes() {
        let conf = scope.conf();
        let Some(file) = &conf.user_file else {
            continue;
        };
        if conf.protection() == Protection::Open {
            continue;
        }
        let place = scope_name(s, &scope);
        match out.iter_mut().find(|u| u.file.directive == file.directive) {
            Some(u) => u.places.push(place),
            None => out.push(FileUse {
                file,
                realm: conf.auth_basic.as_ref().map(|r| r.directive),
                places: vec![place],
            }),
        }
    }
    out
}

/// "in N places: a, b, …" for a message.
pub fn places_text(places: &[String]) -> String {
    match places {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, rest @ ..] => format!("{a} and {} more", rest.len()),
    }
}

/// The settings nginx applies to a GET of `uri` on server `s`.
pub fn conf_for_uri<'a>(s: &'a VirtualServer, uri: &str) -> (Served, &'a Conf) {
    let served = s.find_location(uri);
    (served, s.conf_for(served, "GET"))
}

/// Display name of what serves a request.
pub fn served_name(s: &VirtualServer, served: Served) -> String {
    match served {
        Served::Server => format!("{} (no location matches)", s.describe()),
        Served::Location(i) => s.location_path(i),
    }
}

/// Span of what serves a request: the location keyword, or the server keyword.
pub fn served_span(s: &VirtualServer, served: Served) -> Span {
    match served {
        Served::Server => s.span,
        Served::Location(i) => s.locations[i].span,
    }
}

/// True when `uri` is in the URL space a location is written for (ignoring precedence).
pub fn in_space(s: &VirtualServer, i: usize, uri: &str) -> bool {
    use crate::model::nginx::LocKind;
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
    use crate::model::nginx::{LocKind, sample::samples};
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
        LocKind::Regex { .. } => samples(&l.pattern)
            .into_iter()
            .map(|x| {
                if x.starts_with('/') {
                    x
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
                    out.push(other.pattern.clone());
                    out.push(format!("{}x", other.pattern));
                }
                LocKind::Regex { .. } => {
                    for smp in samples(&other.pattern) {
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
pub fn open_doors(s: &VirtualServer, i: usize) -> Vec<(String, Served)> {
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
