//! `try_files` (the precontent phase, `ngx_http_try_files_module.c`) and the content
//! phase: an upstream handler, else `index` (`ngx_http_index_module.c`), `autoindex`,
//! the static module (`ngx_http_static_module.c`), and nginx's last word for a
//! directory (403). Paths come from `root`/`alias` as `ngx_http_map_uri_to_path` builds
//! them.

use super::super::{LocationKind, NginxModel, Served, Settings, VirtualServer};
use super::{Conf, Eval, Flow};
use crate::model::request::FileState;
use std::path::{Path, PathBuf};

/// nginx's default `root`: `html` under the prefix.
fn default_root(m: &NginxModel) -> String {
    m.install_prefix().join("html").display().to_string()
}

impl<'a> Eval<'a> {
    /// `try_files`: the first entry that exists sets the URI; else the last entry
    /// (`=code`, `@name` or a URI) decides.
    pub(super) fn try_files(&mut self, conf: Conf<'a>) -> Result<Conf<'a>, Flow> {
        let Some(tf) = &conf.settings.try_files_list else {
            return Ok(conf);
        };
        let Some((last, entries)) = tf.value.split_last() else {
            return Ok(conf);
        };
        let span = Some(tf.directive);
        for entry in entries {
            // An entry written with a trailing `/` tests for a directory; nginx drops
            // that slash from the name (ngx_http_try_files: `tf[i].test_dir`).
            let (entry, test_dir) = match entry.strip_suffix('/') {
                Some(e) => (e, true),
                None => (entry.as_str(), false),
            };
            let name = match self.expand(entry) {
                Ok(n) => n,
                Err(e) => {
                    self.depends_on(format!("`try_files {entry}` takes {e}"));
                    continue;
                }
            };
            let path = match self.map_path(conf, &name) {
                Ok(p) => p,
                Err(e) => return Err(self.server_error(e, span)),
            };
            let state = self.files.state(&path);
            let hit = match state {
                FileState::Directory => test_dir,
                FileState::File { .. } | FileState::Other => !test_dir,
                _ => false,
            };
            if hit {
                self.step(
                    format!(
                        "`try_files`: {} exists: the URI is `{name}`",
                        path.display()
                    ),
                    span,
                );
                self.state.uri = name;
                return Ok(conf);
            }
        }
        let fallback = self.expand(last).unwrap_or_else(|_| last.clone());
        if let Some(code) = fallback.strip_prefix('=') {
            let code = code.parse().unwrap_or(404);
            self.decide(format!("`try_files`: no entry exists: {code}"), span);
            return Err(Flow::Finalize { code, span });
        }
        if fallback.starts_with('@') {
            self.step(
                format!("`try_files`: no entry exists: on to {fallback}"),
                span,
            );
            return Err(Flow::Named(fallback));
        }
        self.step(
            format!("`try_files`: no entry exists: internal redirect to `{fallback}`"),
            span,
        );
        let (uri, args) = match fallback.split_once('?') {
            Some((u, a)) => (u.to_string(), a.to_string()),
            None => (fallback.clone(), self.state.args.clone()),
        };
        Err(Flow::Redirect { uri, args })
    }

    /// The content handler: an upstream, or index → autoindex → static.
    pub(super) fn content_phase(&mut self, conf: Conf<'a>) -> Flow {
        self.served = Some(conf.served);
        if let Some(h) = self.handler_of(conf) {
            let (name, arg) = &h.value;
            let mut on = format!("the upstream (`{name} {arg}`)");
            if let Some(note) = self.upstream_note(conf.settings) {
                on.push_str(&format!("; {note}"));
            }
            self.decide(format!("`{name}` answers: {on}"), Some(h.directive));
            return Flow::Upstream { on };
        }
        let uri = self.state.uri.clone();
        let method = self.state.method.clone();
        let get_head_post = matches!(method.as_str(), "GET" | "HEAD" | "POST");
        if uri.ends_with('/') && get_head_post {
            if let Some(flow) = self.index(conf, &uri) {
                return flow;
            }
            let autoindex = conf.settings.autoindex.as_ref().filter(|a| a.value);
            if let Some(a) = autoindex
                && matches!(method.as_str(), "GET" | "HEAD")
            {
                return self.autoindex(conf, &uri, a.directive);
            }
        }
        self.static_file(conf, &uri, &method)
    }

    /// The content handler in effect: the configuration's own, else (after an `if`
    /// or in `limit_except`) the location's.
    fn handler_of(&self, conf: Conf<'a>) -> Option<&'a super::super::Setting<(String, String)>> {
        if let Some(h) = &conf.settings.handler {
            return Some(h);
        }
        match conf.served {
            Served::Location(i) => self.server().locations[i].settings.handler.as_deref(),
            Served::Server => None,
        }
    }

    /// What is known of what an upstream receives.
    fn upstream_note(&self, s: &Settings) -> Option<String> {
        let blank = |f: &super::super::UpstreamField| {
            let (name, value) = &f.value;
            value.is_empty()
                && (name.eq_ignore_ascii_case("Authorization")
                    || name.eq_ignore_ascii_case("HTTP_AUTHORIZATION"))
        };
        if s.request_headers_off.is_some()
            || s.proxy_headers.iter().any(blank)
            || s.fastcgi_params.iter().any(blank)
        {
            return Some("the Authorization header is not passed on".into());
        }
        None
    }

    fn index(&mut self, conf: Conf<'a>, uri: &str) -> Option<Flow> {
        let default = [String::from("index.html")];
        let (names, span): (&[String], _) = match &conf.settings.index {
            Some(i) => (&i.value, Some(i.directive)),
            None => (&default, None),
        };
        let dir = match self.map_path(conf, uri) {
            Ok(p) => p,
            Err(e) => return Some(self.server_error(e, span)),
        };
        let mut dir_tested = false;
        for raw in names {
            let name = self.expand(raw).unwrap_or_else(|_| raw.clone());
            if name.starts_with('/') {
                self.step(format!("`index {name}`: internal redirect"), span);
                let args = self.state.args.clone();
                return Some(Flow::Redirect { uri: name, args });
            }
            let path = join(&dir, &name);
            match self.files.state(&path) {
                FileState::Missing => {}
                FileState::Unreadable(why) => {
                    self.decide(
                        format!("index {} cannot be opened ({why}): 403", path.display()),
                        span,
                    );
                    return Some(Flow::Finalize { code: 403, span });
                }
                _ => {
                    let next = format!("{uri}{name}");
                    self.step(
                        format!(
                            "index file {} exists: internal redirect to `{next}`",
                            path.display()
                        ),
                        span,
                    );
                    let args = self.state.args.clone();
                    return Some(Flow::Redirect { uri: next, args });
                }
            }
            if !dir_tested {
                dir_tested = true;
                match self.files.state(&dir) {
                    FileState::Directory | FileState::Unreadable(_) => {}
                    _ => {
                        self.decide(
                            format!("{} does not exist: 404", dir.display()),
                            root_span(conf),
                        );
                        return Some(Flow::Finalize {
                            code: 404,
                            span: root_span(conf),
                        });
                    }
                }
            }
        }
        None
    }

    fn autoindex(&mut self, conf: Conf<'a>, uri: &str, span: crate::source::Span) -> Flow {
        let dir = match self.map_path(conf, uri) {
            Ok(p) => p,
            Err(e) => return self.server_error(e, Some(span)),
        };
        let (code, what) = match self.files.state(&dir) {
            FileState::Directory => (200, "lists"),
            FileState::Unreadable(_) => (403, "cannot open"),
            _ => (404, "finds no directory at"),
        };
        self.decide(
            format!("`autoindex on` {what} {}: {code}", dir.display()),
            Some(span),
        );
        if code == 200 {
            Flow::Sent {
                code,
                span: Some(span),
            }
        } else {
            Flow::Finalize {
                code,
                span: Some(span),
            }
        }
    }

    fn static_file(&mut self, conf: Conf<'a>, uri: &str, method: &str) -> Flow {
        let span = root_span(conf);
        if !matches!(method, "GET" | "HEAD" | "POST") {
            self.decide(format!("the static module refuses {method}: 405"), span);
            return Flow::Finalize { code: 405, span };
        }
        if uri.ends_with('/') {
            let dir = self
                .map_path(conf, uri)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            self.decide(
                format!("no index file in {dir} and no autoindex: 403"),
                span,
            );
            return Flow::Finalize { code: 403, span };
        }
        let path = match self.map_path(conf, uri) {
            Ok(p) => p,
            Err(e) => return self.server_error(e, span),
        };
        let shown = path.display();
        let unreadable = self.files.cannot_read(&path);
        let (code, what) = match self.files.state(&path) {
            FileState::Missing => (404, format!("{shown} does not exist")),
            FileState::File { .. } if unreadable.is_some() => (
                403,
                format!(
                    "{shown} cannot be opened ({})",
                    unreadable.unwrap_or_default()
                ),
            ),
            FileState::Unreadable(why) => (403, format!("{shown} cannot be opened ({why})")),
            FileState::Other => (404, format!("{shown} is not a regular file")),
            FileState::Directory => (301, format!("{shown} is a directory: redirect to `{uri}/`")),
            FileState::File { .. } if method == "POST" => (
                405,
                format!("{shown} is a file and the static module refuses POST"),
            ),
            FileState::File { .. } => {
                self.file = Some(path.clone());
                self.decide(format!("the static module sends {shown}: 200"), span);
                return Flow::Sent { code: 200, span };
            }
        };
        self.decide(format!("{what}: {code}"), span);
        Flow::Finalize { code, span }
    }

    fn server_error(&mut self, why: String, span: Option<crate::source::Span>) -> Flow {
        self.decide(format!("{why}: 500"), span);
        Flow::Finalize { code: 500, span }
    }

    /// The file a URI maps to in this configuration (`ngx_http_map_uri_to_path`).
    pub(super) fn map_path(&mut self, conf: Conf<'a>, uri: &str) -> Result<PathBuf, String> {
        let Some(root) = &conf.settings.root else {
            return Ok(PathBuf::from(format!("{}{uri}", default_root(self.model))));
        };
        let doc = &root.value;
        if doc.alias && !self.state.valid_location {
            return Err("`alias` cannot be used where the URI was rewritten with `break`".into());
        }
        let base = if doc.raw.contains('$') {
            let v = self.expand(&doc.raw)?;
            if v.starts_with('/') {
                v
            } else {
                format!("{}/{v}", self.model.install_prefix().display())
            }
        } else {
            doc.server_path.display().to_string()
        };
        if doc.alias && alias_is_whole_path(self.server(), conf.served, root.directive) {
            return Ok(PathBuf::from(base));
        }
        let strip = if doc.alias {
            doc.strip.min(uri.len())
        } else {
            0
        };
        let rest = uri.get(strip..).unwrap_or("");
        Ok(PathBuf::from(format!("{base}{rest}")))
    }
}

/// In a regex location, `alias` names the whole path (nginx sets `clcf->alias` to
/// `NGX_MAX_SIZE_T_VALUE`): the URI is not appended.
fn alias_is_whole_path(s: &VirtualServer, served: Served, directive: crate::source::Span) -> bool {
    let Served::Location(mut i) = served else {
        return false;
    };
    loop {
        let l = &s.locations[i];
        let declares = l.block_span.file == directive.file
            && l.block_span.start <= directive.start
            && directive.end <= l.block_span.end;
        if declares {
            return matches!(l.kind, LocationKind::Regex { .. });
        }
        match l.parent {
            Some(p) => i = p,
            None => return false,
        }
    }
}

/// The `root`/`alias` directive in effect, for steps.
fn root_span(conf: Conf<'_>) -> Option<crate::source::Span> {
    conf.settings.root.as_ref().map(|r| r.directive)
}

fn join(dir: &Path, name: &str) -> PathBuf {
    PathBuf::from(format!("{}{name}", dir.display()))
}

/// The file nginx serves for `uri` at `served` of server `server` (no request state:
/// no variables beyond the literal path), for rules asking "who serves this file?".
pub fn map_to_path(m: &NginxModel, server: usize, served: Served, uri: &str) -> Option<PathBuf> {
    let s = &m.servers[server];
    let settings = match served {
        Served::Server => &s.settings,
        Served::Location(i) => &s.locations[i].settings,
    };
    let Some(root) = &settings.root else {
        return Some(PathBuf::from(format!("{}{uri}", default_root(m))));
    };
    if root.value.raw.contains('$') {
        return None;
    }
    let base = root.value.server_path.display().to_string();
    if root.value.alias && alias_is_whole_path(s, served, root.directive) {
        return Some(PathBuf::from(base));
    }
    let strip = if root.value.alias {
        root.value.strip.min(uri.len())
    } else {
        0
    };
    Some(PathBuf::from(format!(
        "{base}{}",
        uri.get(strip..).unwrap_or("")
    )))
}
