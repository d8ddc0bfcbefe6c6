//! Per-directory settings the request phases after access read (core's Options and
//! handler, mod_dir, mod_alias's per-directory redirects, mod_rewrite, mod_mime's
//! handlers, a few authn/authz flags), taken from the sections merged at a place, in
//! merge order. Only the evaluator needs them, so they are read from the merge's list
//! of sections instead of being merged for every area.

use crate::model::apache::ApacheModel;
use crate::model::apache::config::{DirectiveRef, ScopeKind, ScopedDir};
use crate::model::apache::merge::MergedConfig;
use crate::source::Span;
use std::sync::Arc;

/// The directives merged at a place, each with the kind of section it came from.
pub struct Settings<'m> {
    directives: Vec<(DirectiveRef, &'m ScopedDir, ScopeKind)>,
}

/// The `Options` flags that decide statuses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub indexes: bool,
    pub exec_cgi: bool,
}

impl<'m> Settings<'m> {
    pub fn new(m: &'m ApacheModel, config: &MergedConfig) -> Settings<'m> {
        let mut directives = Vec::new();
        for &scope in &config.applied {
            let s = &m.scopes[scope];
            for (index, d) in s.directives.iter().enumerate() {
                if !d.conditional {
                    directives.push((DirectiveRef { scope, index }, d, s.kind));
                }
            }
        }
        for (scope, block) in &config.applied_conditions {
            for (index, d) in m.scopes[*scope].directives.iter().enumerate() {
                if d.condition.as_ref().is_some_and(|c| Arc::ptr_eq(c, block)) {
                    directives.push((
                        DirectiveRef {
                            scope: *scope,
                            index,
                        },
                        d,
                        ScopeKind::Location,
                    ));
                }
            }
        }
        Settings { directives }
    }

    fn named<'a>(&'a self, name: &'a str) -> impl DoubleEndedIterator<Item = &'a ScopedDir> + 'a {
        self.directives
            .iter()
            .filter(move |(_, d, _)| d.dir.is(name))
            .map(|(_, d, _)| *d)
    }

    /// The last directive named `name` in effect.
    pub fn last(&self, name: &str) -> Option<&'m ScopedDir> {
        self.directives
            .iter()
            .rev()
            .find(|(_, d, _)| d.dir.is(name))
            .map(|(_, d, _)| *d)
    }

    fn flag(&self, name: &str, default: bool) -> bool {
        self.last(name)
            .and_then(|d| d.dir.arg(0))
            .map_or(default, |v| v.eq_ignore_ascii_case("on"))
    }

    /// `Options` as merged: a line without +/- replaces the flags, +X/-X adjust them
    /// (the server default is `FollowSymLinks`).
    pub fn options(&self) -> Options {
        let mut o = Options::default();
        for d in self.named("Options") {
            let absolute = d.dir.args.iter().any(|a| !a.value.starts_with(['+', '-']));
            if absolute {
                o = Options::default();
            }
            for a in &d.dir.args {
                let (on, word) = match a.value.as_bytes().first() {
                    Some(b'-') => (false, &a.value[1..]),
                    Some(b'+') => (true, &a.value[1..]),
                    _ => (true, a.value.as_str()),
                };
                match word.to_ascii_lowercase().as_str() {
                    "indexes" => o.indexes = on,
                    "execcgi" => o.exec_cgi = on,
                    "all" => {
                        o.indexes = on;
                        o.exec_cgi = on;
                    }
                    "none" => o = Options::default(),
                    _ => {}
                }
            }
        }
        o
    }

    /// mod_dir's index names: those of the newest section with `DirectoryIndex` (several
    /// lines in it add up; `disabled` alone clears them); `index.html` when none sets any.
    pub fn directory_index(&self) -> (Vec<String>, Option<Span>) {
        let Some((last_ref, last, _)) = self
            .directives
            .iter()
            .rev()
            .find(|(_, d, _)| d.dir.is("DirectoryIndex"))
        else {
            return (vec!["index.html".into()], None);
        };
        let same_section = |r: &DirectiveRef, d: &ScopedDir| {
            r.scope == last_ref.scope
                && match (&d.condition, &last.condition) {
                    (None, None) => true,
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                }
        };
        let mut names = Vec::new();
        for (r, d, _) in &self.directives {
            if !d.dir.is("DirectoryIndex") || !same_section(r, d) {
                continue;
            }
            let words: Vec<&str> = d.dir.args.iter().map(|a| a.value.as_str()).collect();
            if let [only] = words.as_slice()
                && only.eq_ignore_ascii_case("disabled")
            {
                names.clear();
                continue;
            }
            names.extend(words.iter().map(|w| w.to_string()));
        }
        (names, Some(last.dir.span))
    }

    /// `DirectorySlash` (default On).
    pub fn directory_slash(&self) -> bool {
        self.flag("DirectorySlash", true)
    }

    /// `AcceptPathInfo On`: the default handler serves a file with path_info.
    pub fn accept_path_info(&self) -> bool {
        self.flag("AcceptPathInfo", false)
    }

    /// `AuthzSendForbiddenOnFailure On`.
    pub fn forbidden_on_failure(&self) -> bool {
        self.flag("AuthzSendForbiddenOnFailure", false)
    }

    /// `AuthBasicAuthoritative` (default On).
    pub fn basic_authoritative(&self) -> bool {
        self.flag("AuthBasicAuthoritative", true)
    }

    /// `SetHandler` in effect (`None` clears it).
    pub fn set_handler(&self) -> Option<(String, Span)> {
        let d = self.last("SetHandler")?;
        let h = d.dir.arg(0)?;
        (!h.eq_ignore_ascii_case("none")).then(|| (h.to_ascii_lowercase(), d.dir.span))
    }

    /// mod_mime's handler for a file name: `AddHandler`/`RemoveHandler` by extension
    /// (every extension of the name counts, the last one found wins).
    pub fn handler_for(&self, name: &str) -> Option<(String, Span)> {
        let exts: Vec<String> = name
            .split('.')
            .skip(1)
            .map(|e| e.to_ascii_lowercase())
            .collect();
        let mut found = None;
        for ext in &exts {
            let mut current = None;
            for (_, d, _) in &self.directives {
                let listed = |skip: usize| {
                    d.dir
                        .args
                        .iter()
                        .skip(skip)
                        .any(|a| a.value.trim_start_matches('.').eq_ignore_ascii_case(ext))
                };
                if d.dir.is("AddHandler") && listed(1) {
                    current = d.dir.arg(0).map(|h| (h.to_ascii_lowercase(), d.dir.span));
                } else if d.dir.is("RemoveHandler") && listed(0) {
                    current = None;
                }
            }
            if current.is_some() {
                found = current;
            }
        }
        found
    }

    /// Per-directory `Redirect*` lines (mod_alias's fixup), the newest section's first.
    pub fn redirects(&self) -> Vec<&'m ScopedDir> {
        let mut by_section: Vec<Vec<&'m ScopedDir>> = Vec::new();
        let mut last_scope = None;
        for (r, d, kind) in &self.directives {
            let is_redirect = [
                "Redirect",
                "RedirectMatch",
                "RedirectPermanent",
                "RedirectTemp",
            ]
            .iter()
            .any(|n| d.dir.is(n));
            if !is_redirect || *kind == ScopeKind::Server {
                continue;
            }
            if last_scope != Some(r.scope) {
                by_section.push(Vec::new());
                last_scope = Some(r.scope);
            }
            if let Some(v) = by_section.last_mut() {
                v.push(*d);
            }
        }
        by_section.into_iter().rev().flatten().collect()
    }

    /// A per-directory `RewriteRule` that runs (RewriteEngine On in the same merge).
    pub fn dir_rewrite(&self) -> Option<Span> {
        let on = self
            .directives
            .iter()
            .rev()
            .find(|(_, d, k)| d.dir.is("RewriteEngine") && *k != ScopeKind::Server)
            .and_then(|(_, d, _)| d.dir.arg(0))
            .is_some_and(|v| v.eq_ignore_ascii_case("on"));
        if !on {
            return None;
        }
        self.directives
            .iter()
            .find(|(_, d, k)| d.dir.is("RewriteRule") && *k != ScopeKind::Server)
            .map(|(_, d, _)| d.dir.span)
    }

    /// Every environment variable `SetEnvIf`-like directives may set before the access
    /// checks (for `Require env` / `Allow from env=`): their names, lower case.
    pub fn env_setters(m: &ApacheModel) -> Vec<String> {
        let setters = [
            "SetEnvIf",
            "SetEnvIfNoCase",
            "BrowserMatch",
            "BrowserMatchNoCase",
            "SetEnvIfExpr",
        ];
        let mut out = Vec::new();
        for s in &m.scopes {
            for d in &s.directives {
                if setters.iter().any(|n| d.dir.is(n)) {
                    let skip = if d.dir.is("SetEnvIfExpr")
                        || d.dir.name.to_ascii_lowercase().starts_with("browsermatch")
                    {
                        1
                    } else {
                        2
                    };
                    for a in d.dir.args.iter().skip(skip) {
                        let name = a.value.trim_start_matches('!');
                        let name = name.split('=').next().unwrap_or(name);
                        out.push(name.to_ascii_lowercase());
                    }
                }
                if d.dir.is("RewriteRule") {
                    // [E=VAR:value] flags set variables too.
                    out.push("*".into());
                }
            }
        }
        out
    }
}
