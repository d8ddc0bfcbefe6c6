//! Protected areas: one per scope with auth directives, each with a place a request
//! would land on there and the configuration httpd merges at that place. Rules read
//! them; `.htaccess` verdicts come out of the same merges.

use super::ApacheModel;
use super::config::ScopeKind;
use super::loader::has_wildcard;
use super::merge::{MergedConfig, merge_at};
use super::outcome::Outcome;
use super::overrides::HtaccessVerdict;
use crate::source::{key_strip_prefix, path_key};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Where a simulated request goes: what httpd's walks match sections against.
#[derive(Clone, Debug, Default)]
pub struct Place {
    pub server: usize,
    /// The directory (server path) the request maps to.
    pub dir: Option<PathBuf>,
    /// The file name inside `dir` (for `<Files>`).
    pub file: Option<String>,
    /// The URL path (for `<Location>`).
    pub url: Option<String>,
    /// The file name as httpd's directory walk leaves it (`r->filename`: the file, or the
    /// directory with the URL's trailing slash), which `<DirectoryMatch>` is matched
    /// against; None for an area, whose directory is matched instead.
    pub filename: Option<String>,
    /// A scope to apply even if the place cannot show that it matches (regex sections).
    pub force: Option<usize>,
}

/// A place with auth configuration, and what httpd does there.
#[derive(Clone, Debug)]
pub struct Area {
    /// The scope whose directives make this an area.
    pub scope: usize,
    pub place: Place,
    pub config: MergedConfig,
    /// What an anonymous GET gets here (most Apache rules ask).
    pub anonymous_get: Outcome,
}

impl Area {
    /// Its own directives are in effect (not in a `.htaccess` httpd ignores or refuses).
    pub fn is_live(&self) -> bool {
        self.config.applied.contains(&self.scope) && self.config.broken.is_none()
    }

    /// An AuthType other than `None` is in effect.
    pub fn has_auth_type(&self) -> bool {
        self.config.auth_scheme.is_some()
    }

    pub fn is_basic(&self) -> bool {
        self.config.is_basic()
    }

    pub fn is_digest(&self) -> bool {
        self.config.is_digest()
    }

    pub fn uses_file_provider(&self, m: &ApacheModel) -> bool {
        self.config.uses_file_provider(m)
    }

    /// What httpd answers a `method` request without credentials here.
    pub fn outcome(&self, m: &ApacheModel, method: &str) -> Outcome {
        if method == "GET" {
            return self.anonymous_get.clone();
        }
        self.config.outcome(m, method)
    }
}

/// The URL of a directory (server path) under a server's DocumentRoot.
pub fn url_for(m: &ApacheModel, server: usize, dir: &Path) -> Option<String> {
    let (dir, root) = (path_key(dir), path_key(m.document_root(server)?));
    let rest = key_strip_prefix(&dir, &root)?;
    let mut url = format!("/{}", rest.to_string_lossy());
    if !url.ends_with('/') {
        url.push('/');
    }
    Some(url)
}

/// A place that lands in `scope`.
pub fn place_for(m: &ApacheModel, scope: usize) -> Place {
    let s = &m.scopes[scope];
    let literal = !s.is_regex && !has_wildcard(&s.pattern);
    match s.kind {
        ScopeKind::Server => Place {
            server: s.server,
            url: Some("/".into()),
            dir: m.document_root(s.server).map(Path::to_path_buf),
            file: Some("index.html".into()),
            force: None,
            filename: None,
        },
        ScopeKind::Directory | ScopeKind::Htaccess if literal => {
            let trimmed = s.pattern.trim_end_matches('/');
            let dir = PathBuf::from(if trimmed.is_empty() { "/" } else { trimmed });
            // A `.htaccess` or a main-server `<Directory>` is reached through the server
            // whose DocumentRoot holds it.
            let server = if s.kind == ScopeKind::Htaccess || s.server == 0 {
                m.index.server_for_dir(&dir)
            } else {
                s.server
            };
            Place {
                server,
                url: url_for(m, server, &dir),
                dir: Some(dir),
                file: Some("index.html".into()),
                force: None,
                filename: None,
            }
        }
        ScopeKind::Files | ScopeKind::FilesMatch => {
            let outer = s.parent.unwrap_or(m.servers[s.server].defaults);
            let mut place = place_for(m, outer);
            if literal {
                place.file = Some(s.pattern.clone());
                if let Some(url) = &mut place.url {
                    url.push_str(&s.pattern);
                }
            } else {
                place.force = Some(scope);
            }
            place
        }
        ScopeKind::Location if literal => Place {
            server: s.server,
            url: Some(s.pattern.clone()),
            dir: m
                .document_root(s.server)
                .map(|r| r.join(s.pattern.trim_start_matches('/'))),
            file: Some("index.html".into()),
            force: None,
            filename: None,
        },
        _ => {
            let mut place = place_for(m, m.servers[s.server].defaults);
            place.force = Some(scope);
            place
        }
    }
}

/// One area per scope with auth directives, and the verdict on every `.htaccess`
/// (indexed by scope), each from the merge at its place.
pub fn build_areas(m: &ApacheModel) -> (Vec<Area>, Vec<Option<HtaccessVerdict>>) {
    // The scopes first, so that the areas are collected straight into a vector of the
    // right size (areas are big, and there are thousands).
    let with_auth: Vec<usize> = (0..m.scopes.len())
        .filter(|&i| m.scopes[i].has_auth())
        .collect();
    let areas: Vec<Area> = with_auth
        .into_par_iter()
        .map(|i| {
            let place = place_for(m, i);
            let config = merge_at(m, &place);
            Area {
                scope: i,
                anonymous_get: config.outcome(m, "GET"),
                place,
                config,
            }
        })
        .collect();
    // A `.htaccess` with auth lines is an area (areas are in scope order): its verdict
    // came out of that merge. The others are merged here.
    let verdicts = (0..m.scopes.len())
        .into_par_iter()
        .map(|i| {
            if m.scopes[i].kind != ScopeKind::Htaccess {
                return None;
            }
            match areas.binary_search_by_key(&i, |a| a.scope) {
                Ok(a) => verdict_of(&areas[a].config, i),
                Err(_) => verdict_of(&merge_at(m, &place_for(m, i)), i),
            }
        })
        .collect();
    (areas, verdicts)
}

/// What the merge did with `.htaccess` scope `scope` (None: not on its path, or not a
/// `.htaccess`).
fn verdict_of(config: &MergedConfig, scope: usize) -> Option<HtaccessVerdict> {
    config
        .htaccess
        .iter()
        .find(|(s, _)| *s == scope)
        .map(|(_, v)| v.clone())
}
