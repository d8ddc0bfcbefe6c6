//! Questions several nginx rules ask of the model.

pub use crate::model::nginx::coverage::{UriSpace, in_space, own_auth_off};

use crate::diag::{Diagnostic, Server as ServerKind};
use crate::model::nginx::{NginxModel, Scope, Served, Setting, UserFile, VirtualServer};
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
    /// The first two.
    shown: [Option<(&'a VirtualServer, Scope<'a>)>; 2],
    count: usize,
}

impl<'a> Places<'a> {
    pub fn add(&mut self, server: &'a VirtualServer, scope: Scope<'a>) {
        if let Some(free) = self.shown.iter_mut().find(|s| s.is_none()) {
            *free = Some((server, scope));
        }
        self.count += 1;
    }

    /// "a", "a and b", "a and 3 more".
    pub fn text(&self) -> String {
        let name = |(s, scope): &(&VirtualServer, Scope<'_>)| scope_name(s, scope);
        match (&self.shown, self.count) {
            ([None, _], _) => String::new(),
            ([Some(a), None], _) => name(a),
            ([Some(a), Some(b)], 2) => format!("{} and {}", name(a), name(b)),
            ([Some(a), _], n) => format!("{} and {} more", name(a), n - 1),
        }
    }
}

/// One `auth_basic_user_file` directive and the places where nginx actually opens it
/// (a realm other than `off` is in effect there too).
pub struct FileUse<'a> {
    pub file: &'a Setting<UserFile>,
    pub realm: Option<Span>,
    /// Where it protects, e.g. `server _ (*:80) > location /admin/`.
    pub places: Places<'a>,
}

/// Every user-file directive nginx opens, in configuration order.
pub fn file_uses(m: &NginxModel) -> impl Iterator<Item = FileUse<'_>> {
    m.user_files.iter().filter_map(|r| file_use(m, r))
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

/// The user-file directives that name one file (variables excluded), first one first.
pub struct FileGroup<'a> {
    pub first: FileUse<'a>,
    /// The file's stat, links followed (`None`: there is no file to open).
    pub on_disk: Option<&'a std::fs::Metadata>,
    /// The arguments of (up to three of) the other directives naming the same file.
    pub others: Vec<Span>,
    /// How many other directives name it.
    pub other_count: usize,
}

impl FileGroup<'_> {
    /// " (and N more auth_basic_user_file directives name it)", or nothing.
    pub fn others_text(&self) -> String {
        match self.other_count {
            0 => String::new(),
            1 => " (1 more auth_basic_user_file names it)".to_string(),
            n => format!(" ({n} more auth_basic_user_file directives name it)"),
        }
    }

    /// Secondary labels on a few of the other directives.
    pub fn label_others(&self, mut d: Diagnostic) -> Diagnostic {
        for span in &self.others {
            d = d.with_secondary(*span, "also names this file");
        }
        d
    }
}

/// The use of one user-file reference of the model.
fn file_use<'a>(m: &'a NginxModel, r: &'a crate::model::nginx::UserFileRef) -> Option<FileUse<'a>> {
    let &(si, first) = r.places.first()?;
    let (_, scope) = m.scope(si, first);
    let settings = scope.settings();
    let file = settings.user_file.as_ref()?;
    let mut places = Places::default();
    for &(si, sr) in r.places.iter().take(2) {
        let (s, scope) = m.scope(si, sr);
        places.add(s, scope);
    }
    places.count = r.places.len();
    Some(FileUse {
        file,
        realm: settings.auth_basic.as_ref().map(|a| a.directive),
        places,
    })
}

/// User-file uses grouped by the file they name: one finding per file, not per line.
pub fn files_named(m: &NginxModel) -> impl Iterator<Item = FileGroup<'_>> {
    let refs = &m.user_files;
    m.user_files_by_path
        .iter()
        .zip(&m.user_files_on_disk)
        .filter_map(|(g, on_disk)| {
            let first = file_use(m, &refs[*g.first()?])?;
            let others = g[1..]
                .iter()
                .take(3)
                .filter_map(|&i| file_use(m, &refs[i]).map(|u| u.file.arg))
                .collect();
            Some(FileGroup {
                first,
                on_disk: on_disk.as_ref(),
                others,
                other_count: g.len() - 1,
            })
        })
}
