//! After access: the fixups (mod_rewrite's and mod_alias's per-directory rules, mod_dir's
//! trailing-slash redirect and DirectoryIndex subrequests, FallbackResource) and the
//! handler (CGI, server-status, autoindex, or core's default handler for static files).

use super::storage::Found;
use super::{Eval, Prepared};
use crate::model::request::Verdict;

/// Methods httpd knows (`ap_method_number_of`); others are M_INVALID (501 at the
/// default handler) unless a `<Limit>` registers them.
pub fn known_method(m: &str) -> bool {
    matches!(
        m,
        "GET"
            | "HEAD"
            | "PUT"
            | "POST"
            | "DELETE"
            | "CONNECT"
            | "OPTIONS"
            | "TRACE"
            | "PATCH"
            | "PROPFIND"
            | "PROPPATCH"
            | "MKCOL"
            | "COPY"
            | "MOVE"
            | "LOCK"
            | "UNLOCK"
            | "VERSION-CONTROL"
            | "CHECKOUT"
            | "UNCHECKOUT"
            | "CHECKIN"
            | "UPDATE"
            | "LABEL"
            | "REPORT"
            | "MKWORKSPACE"
            | "MKACTIVITY"
            | "BASELINE-CONTROL"
            | "MERGE"
    )
}

fn is_get(method: &str) -> bool {
    method == "GET" || method == "HEAD"
}

impl Eval<'_> {
    /// The fixups and the handler for a request that passed access.
    pub(super) fn respond(&mut self, p: &Prepared) -> Verdict {
        let m = self.m;
        let settings = super::settings::Settings::new(m, &p.config);
        if m.has_module("rewrite_module")
            && let Some(span) = settings.dir_rewrite()
        {
            return self.elsewhere(
                "a per-directory mod_rewrite rule runs here (its conditions and target are not modelled)",
                Some(span),
            );
        }
        if m.has_module("alias_module")
            && let Some(v) = self.dir_redirect(p, &settings)
        {
            return v;
        }
        if p.walk.found == Found::Directory
            && p.walk.path_info.is_empty()
            && m.has_module("dir_module")
        {
            if !p.uri.ends_with('/') {
                if settings.directory_slash() {
                    return self.stop(
                        301,
                        format!("{} is a directory: mod_dir redirects to {}/", p.uri, p.uri),
                        None,
                    );
                }
            } else if let Some(v) = self.directory_index(p, &settings) {
                return v;
            }
        }
        if p.walk.found == Found::Missing
            && m.has_module("dir_module")
            && let Some(fallback) = settings.last("FallbackResource")
            && let Some(target) = fallback
                .dir
                .arg(0)
                .filter(|t| !t.eq_ignore_ascii_case("disabled"))
            && let Some(v) = self.subrequest_serve(p, target, fallback.dir.span)
        {
            return v;
        }
        self.handler(p, &settings)
    }

    /// mod_alias's fixup: per-directory `Redirect*` lines.
    fn dir_redirect(
        &mut self,
        p: &Prepared,
        settings: &super::settings::Settings<'_>,
    ) -> Option<Verdict> {
        for d in settings.redirects() {
            let args: Vec<&str> = d.dir.args.iter().map(|a| a.value.as_str()).collect();
            let (status, pattern, target) = match args.as_slice() {
                [s, path, url] => (redirect_status(s, d)?, *path, Some(*url)),
                [a, b] if redirect_status(a, d).is_some() => (redirect_status(a, d)?, *b, None),
                [path, url] => (default_status(d), *path, Some(*url)),
                _ => continue,
            };
            let hit = if d.dir.is("RedirectMatch") {
                regex::Regex::new(pattern).is_ok_and(|r| r.is_match(&p.uri))
            } else {
                super::translate::alias_matches(&p.uri, pattern).is_some()
            };
            if hit {
                let to = target.unwrap_or("");
                return Some(self.stop(
                    status,
                    format!("{} sends {} to {to}", d.dir.name, p.uri),
                    Some(d.dir.span),
                ));
            }
        }
        None
    }

    /// mod_dir's `fixup_dir` for a URL ending in `/`: the first DirectoryIndex name that a
    /// GET subrequest finds as a file is served; a redirect, or a 401 when only one name
    /// is listed, is passed on; any other error is kept and answered if no name is found.
    fn directory_index(
        &mut self,
        p: &Prepared,
        settings: &super::settings::Settings<'_>,
    ) -> Option<Verdict> {
        let (names, span) = settings.directory_index();
        let mut error = None;
        for name in &names {
            let uri = if name.starts_with('/') {
                name.clone()
            } else {
                format!("{}{name}", p.uri)
            };
            let mark = self.steps.len();
            match self.subrequest(p, &uri, p.query.as_deref()) {
                Ok(sub) if sub.walk.found == Found::File => {
                    self.step(format!("DirectoryIndex {name}: {uri} is served"), span);
                    return Some(self.respond(&sub));
                }
                Ok(_) => {
                    self.steps.truncate(mark);
                    self.step(format!("DirectoryIndex {name}: {uri} is not a file"), span);
                }
                Err(v) => {
                    let status = v.status();
                    match status {
                        Some(404) => {
                            self.steps.truncate(mark);
                        }
                        Some(s) if (300..400).contains(&s) || (s == 401 && names.len() == 1) => {
                            return Some(v);
                        }
                        Some(_) => error = Some(v),
                        None => return Some(v),
                    }
                }
            }
        }
        if let Some(v) = error {
            self.step(
                "no DirectoryIndex file could be served: mod_dir answers the last error",
                span,
            );
            return Some(v);
        }
        if !names.is_empty() {
            self.step(
                format!("no DirectoryIndex file ({}) in {}", names.join(" "), p.uri),
                span,
            );
        }
        None
    }

    /// mod_dir's `fixup_dflt` (FallbackResource): serve the target if a subrequest finds it.
    fn subrequest_serve(
        &mut self,
        p: &Prepared,
        target: &str,
        span: crate::source::Span,
    ) -> Option<Verdict> {
        let mark = self.steps.len();
        match self.subrequest(p, target, p.query.as_deref()) {
            Ok(sub) if sub.walk.found == Found::File => {
                self.step(format!("FallbackResource serves {target}"), Some(span));
                Some(self.respond(&sub))
            }
            Ok(_) => {
                self.steps.truncate(mark);
                None
            }
            Err(v) => match v.status() {
                Some(404) | Some(200) => {
                    self.steps.truncate(mark);
                    None
                }
                _ => Some(v),
            },
        }
    }

    /// A GET subrequest up to the handler (`ap_sub_req_lookup_uri`).
    fn subrequest(
        &mut self,
        main_request: &Prepared,
        uri: &str,
        query: Option<&str>,
    ) -> Result<Prepared, Verdict> {
        let main = std::mem::replace(&mut self.method, "GET".into());
        let sub = self.prepare(uri, query, Some(main_request));
        self.method = main;
        sub
    }

    /// The handler in effect for the request, and what it answers.
    fn handler(&mut self, p: &Prepared, settings: &super::settings::Settings<'_>) -> Verdict {
        let m = self.m;
        let method = self.method.clone();
        let name = super::storage::basename(&p.walk.filename).to_string();
        let handler = settings
            .set_handler()
            .or_else(|| {
                p.cgi
                    .then_some(p.translated_by)
                    .flatten()
                    .map(|span| ("cgi-script".to_string(), span))
            })
            .or_else(|| settings.handler_for(&name));
        if let Some((h, span)) = &handler
            && let Some(v) = self.named_handler(p, settings, h, *span, &method)
        {
            return v;
        }
        if p.walk.found == Found::Directory && m.has_module("autoindex_module") && is_get(&method) {
            return if settings.options().indexes {
                self.stop(
                    200,
                    "Options Indexes: mod_autoindex lists the directory",
                    None,
                )
            } else {
                self.stop(
                    403,
                    "no DirectoryIndex file, and Options Indexes is off: mod_autoindex refuses (AH01276)",
                    None,
                )
            };
        }
        self.default_handler(p, settings, &method)
    }

    /// A handler named by SetHandler/AddHandler/ScriptAlias; None when the default handler
    /// serves the request after all (no loaded module claims the name, or it declines).
    fn named_handler(
        &mut self,
        p: &Prepared,
        settings: &super::settings::Settings<'_>,
        h: &str,
        span: crate::source::Span,
        method: &str,
    ) -> Option<Verdict> {
        let m = self.m;
        match h {
            "cgi-script" if m.has_module("cgi_module") || m.has_module("cgid_module") => {
                Some(match p.walk.found {
                    Found::Missing => {
                        self.stop(404, "the CGI script does not exist (AH02811)", Some(span))
                    }
                    Found::Directory => self.stop(
                        403,
                        "attempt to invoke a directory as a script (AH01215)",
                        Some(span),
                    ),
                    Found::File if !p.cgi && !settings.options().exec_cgi => self.stop(
                        403,
                        "Options ExecCGI is off in this directory (AH01212)",
                        Some(span),
                    ),
                    Found::File => self.elsewhere("the CGI script's output", Some(span)),
                })
            }
            "server-status" if m.has_module("status_module") && is_get(method) => {
                Some(self.stop(200, "mod_status answers (server-status)", Some(span)))
            }
            "server-info" if m.has_module("info_module") && is_get(method) => {
                Some(self.stop(200, "mod_info answers (server-info)", Some(span)))
            }
            h if h.starts_with("proxy:") && m.has_module("proxy_module") => {
                Some(self.elsewhere(format!("the backend behind {h}"), Some(span)))
            }
            h if h.contains("php") && m.modules.iter().any(|x| x.id.starts_with("php")) => {
                Some(self.elsewhere("the PHP script's output", Some(span)))
            }
            _ => {
                self.step(
                    format!("no loaded module handles \"{h}\": core's default handler serves the file as it is"),
                    Some(span),
                );
                None
            }
        }
    }

    /// core's `default_handler`.
    fn default_handler(
        &mut self,
        p: &Prepared,
        settings: &super::settings::Settings<'_>,
        method: &str,
    ) -> Verdict {
        if is_get(method) || method == "POST" {
            let file = &p.walk.filename;
            return match p.walk.found {
                Found::Missing => self.stop(
                    404,
                    format!("File does not exist: {file}{} (AH00128)", p.walk.path_info),
                    p.translated_by,
                ),
                Found::Directory => self.stop(
                    404,
                    format!("Attempt to serve directory: {file} (AH00129)"),
                    None,
                ),
                Found::File if !p.walk.path_info.is_empty() && !settings.accept_path_info() => self
                    .stop(
                        404,
                        format!(
                            "{file} has path info {} and AcceptPathInfo is not On (AH00130)",
                            p.walk.path_info
                        ),
                        None,
                    ),
                Found::File => match self.files.cannot_read(std::path::Path::new(file)) {
                    Some(why) => self.stop(
                        403,
                        format!("file permissions deny server access: {file} ({why}) (AH00132)"),
                        None,
                    ),
                    None => self.stop(200, format!("the file {file} is served"), None),
                },
            };
        }
        if !known_method(method) && !self.limit_registers(method) {
            return self.stop(501, format!("Invalid method {method} (AH00135)"), None);
        }
        if method == "OPTIONS" {
            return self.stop(200, "OPTIONS is answered with the allowed methods", None);
        }
        self.stop(
            405,
            format!("the default handler does not accept {method}"),
            None,
        )
    }

    /// A `<Limit>`/`<LimitExcept>` anywhere registers its methods with httpd.
    fn limit_registers(&self, method: &str) -> bool {
        self.m.scopes.iter().any(|s| {
            s.directives.iter().any(|d| {
                d.limit
                    .as_ref()
                    .is_some_and(|l| l.methods.iter().any(|x| x == method))
            })
        })
    }
}

fn redirect_status(word: &str, d: &crate::model::apache::config::ScopedDir) -> Option<u16> {
    if !(d.dir.is("Redirect") || d.dir.is("RedirectMatch")) {
        return None;
    }
    Some(match word.to_ascii_lowercase().as_str() {
        "permanent" => 301,
        "temp" => 302,
        "seeother" => 303,
        "gone" => 410,
        n if n.starts_with(|c: char| c.is_ascii_digit()) => n.parse().ok()?,
        _ => return None,
    })
}

fn default_status(d: &crate::model::apache::config::ScopedDir) -> u16 {
    if d.dir.is("RedirectPermanent") {
        301
    } else {
        302
    }
}
