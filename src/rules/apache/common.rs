//! Helpers shared by the Apache rules: walking areas once per directive, naming the
//! consequence of a bad line where it sits, finding a referenced password file.

use crate::diag::{Diagnostic, Server};
use crate::model::apache::DirectiveRef;
use crate::model::apache::{ApacheModel, Area, ScopeKind};
use crate::rules::{Context, PasswdInput, RuleInfo};
use crate::source::Span;
use foldhash::HashSet;
use std::path::Path;

/// Every area whose own directives are in effect (a `.htaccess` httpd ignores or refuses
/// is not), with its model.
pub fn live_areas<'a>(ctx: &'a Context<'a>) -> impl Iterator<Item = (&'a ApacheModel, &'a Area)> {
    ctx.apache
        .iter()
        .flat_map(|m| m.areas.iter().filter(|a| a.is_live()).map(move |a| (m, a)))
}

/// Remembers which spans a rule has reported, so a directive shared by many areas is
/// reported once.
#[derive(Default)]
pub struct ReportedOnce {
    /// Spans reported without a key (most calls: no string to allocate and hash).
    spans: HashSet<Span>,
    keyed: HashSet<(Span, String)>,
}

impl ReportedOnce {
    pub fn first(&mut self, span: Span, key: &str) -> bool {
        if key.is_empty() {
            self.spans.insert(span)
        } else {
            self.keyed.insert((span, key.to_string()))
        }
    }
}

/// Whether `span` lies in a `.htaccess` (then a bad line means 500 for its directory,
/// not a server that refuses to start).
pub fn htaccess_dir(m: &ApacheModel, span: Span) -> Option<&str> {
    m.scopes
        .iter()
        .find(|s| s.kind == ScopeKind::Htaccess && s.file == span.file)
        .map(|s| s.pattern.as_str())
}

/// What httpd does with a line it rejects, where the line is.
pub fn rejected_consequence(m: &ApacheModel, span: Span) -> String {
    match htaccess_dir(m, span) {
        Some(dir) => format!("every request under {dir} answers 500 Internal Server Error"),
        None => {
            "httpd refuses to start (`apache2 -t` fails), and a reload keeps the old configuration"
                .into()
        }
    }
}

/// A new finding for the Apache server.
pub fn diag(rule: &RuleInfo, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(rule, span, message).servers(&[Server::Apache])
}

/// The loaded password file at `local`, if the engine read it.
pub fn passwd_at<'a>(ctx: &'a Context<'a>, local: &Path) -> Option<&'a PasswdInput> {
    // The source set indexes files by exact path: one lookup, then an id comparison,
    // instead of comparing paths with every loaded file (this runs once per area).
    if let Some(id) = ctx.sources.find(local) {
        // The engine reads password files in order, so their ids usually ascend: try a
        // binary search (a hit is exact whatever the order), then a scan.
        if let Ok(i) = ctx.passwd.binary_search_by_key(&id, |p| p.file) {
            return Some(&ctx.passwd[i]);
        }
        if let Some(p) = ctx.passwd.iter().find(|p| p.file == id) {
            return Some(p);
        }
    }
    // Byte comparison: `Path ==` walks components.
    let bytes = local.as_os_str();
    if let Some(p) = ctx
        .passwd
        .iter()
        .find(|p| ctx.sources.get(p.file).path.as_os_str() == bytes)
    {
        return Some(p);
    }
    // The engine groups files by canonical path; the name it kept may differ.
    let canon = std::fs::canonicalize(local).ok()?;
    ctx.passwd.iter().find(|p| {
        std::fs::canonicalize(&ctx.sources.get(p.file).path)
            .ok()
            .as_ref()
            == Some(&canon)
    })
}

/// The first argument of a directive.
pub fn value(m: &ApacheModel, r: DirectiveRef) -> &str {
    m.dir(r).dir.arg(0).unwrap_or("")
}

/// The span of a directive's arguments.
pub fn arg_span(m: &ApacheModel, r: DirectiveRef) -> Span {
    m.dir(r).dir.args_span()
}

/// A short description of an area: `<Directory "/srv/x">` in the main server.
pub fn area_label(m: &ApacheModel, a: &Area) -> String {
    let s = &m.scopes[a.scope];
    if a.place.server == 0 || s.kind == ScopeKind::Htaccess {
        s.describe()
    } else {
        format!(
            "{} in {}",
            s.describe(),
            m.servers[a.place.server].describe()
        )
    }
}

/// Whether httpd never reads `.htaccess` scope `scope` (explicit AllowOverride None), so
/// nothing written in it has any effect.
pub fn htaccess_ignored(m: &ApacheModel, scope: usize) -> bool {
    matches!(
        m.htaccess_verdicts.get(scope),
        Some(Some(crate::model::apache::HtaccessVerdict::Ignored { .. }))
    )
}
