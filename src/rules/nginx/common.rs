//! Questions several nginx rules ask of the model.

pub use crate::model::nginx::coverage::{candidates, in_space, open_doors, own_auth_off};

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

/// Where something applies, for a message: the first two places and a count. Names
/// are only formatted when shown (a tree can have tens of thousands of places).
#[derive(Debug, Default)]
pub struct Places<'a> {
    shown: Vec<(&'a VirtualServer, Scope<'a>)>,
    count: usize,
}

impl<'a> Places<'a> {
    pub fn add(&mut self, server: &'a VirtualServer, scope: Scope<'a>) {
        if self.shown.len() < 2 {
            self.shown.push((server, scope));
        }
        self.count += 1;
    }

    /// "a", "a and b", "a and 3 more".
    pub fn text(&self) -> String {
        let name = |i: usize| scope_name(self.shown[i].0, &self.shown[i].1);
        match (self.shown.len(), self.count) {
            (0, _) => String::new(),
            (1, _) => name(0),
            (2, 2) => format!("{} and {}", name(0), name(1)),
            (_, n) => format!("{} and {} more", name(0), n - 1),
        }
    }
}

/// One `auth_basic_user_file` directive and the places where nginx actually opens it
/// (a realm other than `off` is in effect there too).
pub struct FileUse<'a> {
    pub file: &'a Set<UserFile>,
    pub realm: Option<Span>,
    /// Where it protects, e.g. `server _ (*:80) > location /admin/`.
    pub places: Places<'a>,
}

/// Every user-file directive nginx opens, in configuration order.
pub fn file_uses(m: &NginxModel) -> Vec<FileUse<'_>> {
    let mut out: Vec<FileUse<'_>> = Vec::new();
    let mut index: std::collections::HashMap<Span, usize> = std::collections::HashMap::new();
    for (s, scope) in m.scopes() {
        let conf = scope.conf();
        let Some(file) = &conf.user_file else {
            continue;
        };
        if conf.protection() == Protection::Open {
            continue;
        }
        let i = *index.entry(file.directive).or_insert_with(|| {
            out.push(FileUse {
                file,
                realm: conf.auth_basic.as_ref().map(|r| r.directive),
                places: Places::default(),
            });
            out.len() - 1
        });
        out[i].places.add(s, scope);
    }
    out
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
