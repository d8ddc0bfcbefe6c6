//! How a flow ends: a response, an internal redirect (`ngx_http_internal_redirect`), a
//! named location (`ngx_http_named_location`), or a special response with its
//! `error_page` (`ngx_http_special_response_handler`, `ngx_http_send_error_page` in
//! src/http/ngx_http_special_response.c).

use super::super::LocationKind;
use super::super::script::ErrorPage;
use super::{Eval, Flow, Start};
use crate::model::request::Verdict;

impl<'a> Eval<'a> {
    /// `Ok`: the answer; `Err`: run the phases again from there.
    pub(super) fn settle(&mut self, flow: Flow) -> Result<Verdict, Start> {
        match flow {
            Flow::Sent { code, span } => Ok(self.respond(code, span)),
            Flow::Upstream { on } => {
                self.upstream = true;
                Ok(Verdict::Depends {
                    on,
                    status: self.state.err_status,
                })
            }
            Flow::Redirect { uri, args } => {
                if let Some(v) = self.count_uri_change() {
                    return Ok(v);
                }
                self.state.uri = uri;
                self.state.args = args;
                self.state.internal = true;
                Err(Start::ServerRewrite)
            }
            Flow::Named(name) => {
                if let Some(v) = self.count_uri_change() {
                    return Ok(v);
                }
                let s = self.server();
                let found = s.top_level.in_file_order.iter().copied().find(|&i| {
                    s.locations[i].kind == LocationKind::Named && s.locations[i].pattern == name
                });
                match found {
                    Some(i) => {
                        self.state.internal = true;
                        Err(Start::Named(i))
                    }
                    None => {
                        self.decide(format!("no location {name}: 500"), None);
                        self.special_response(500)
                    }
                }
            }
            Flow::Finalize { code, span } => {
                if self.decided_by.is_none() {
                    self.decided_by = span;
                }
                self.special_response(code)
            }
        }
    }

    /// nginx counts every internal redirect; the eleventh is a 500 (no error page).
    fn count_uri_change(&mut self) -> Option<Verdict> {
        self.state.uri_changes -= 1;
        if self.state.uri_changes > 0 {
            return None;
        }
        self.decide("rewrite or internal redirection cycle: 500", None);
        self.state.err_status = Some(500);
        Some(Verdict::Status(500))
    }

    /// A 3xx/4xx/5xx status: the `error_page` for it, once (unless
    /// `recursive_error_pages on`), else the status itself.
    fn special_response(&mut self, code: u16) -> Result<Verdict, Start> {
        if code < 300 && code != 201 && code != 204 {
            return Ok(self.respond(code, None));
        }
        self.state.err_status = Some(code);
        let Some(conf) = self.conf else {
            return Ok(Verdict::Status(code));
        };
        let settings = conf.settings;
        if self.state.error_page || settings.error_pages.is_empty() || self.state.uri_changes == 0 {
            return Ok(Verdict::Status(code));
        }
        if !settings
            .recursive_error_pages
            .as_ref()
            .is_some_and(|r| r.value)
        {
            self.state.error_page = true;
        }
        let Some(page) = settings
            .error_pages
            .iter()
            .find(|p| p.codes.contains(&code))
        else {
            return Ok(Verdict::Status(code));
        };
        self.error_page(page, code)
    }

    fn error_page(&mut self, page: &'a ErrorPage, code: u16) -> Result<Verdict, Start> {
        match page.overwrite {
            None => {}
            Some(None) => self.state.err_status = None,
            Some(Some(c)) => self.state.err_status = Some(c),
        }
        let uri = self.expand(&page.uri).unwrap_or_else(|_| page.uri.clone());
        let span = Some(page.span);
        if uri.starts_with('/') {
            self.step(
                format!("`error_page` for {code}: internal redirect to `{uri}`"),
                span,
            );
            if self.state.method != "HEAD" {
                self.state.method = "GET".into();
            }
            let (uri, args) = match uri.split_once('?') {
                Some((u, a)) => (u.to_string(), a.to_string()),
                None => (uri, String::new()),
            };
            return self.settle(Flow::Redirect { uri, args });
        }
        if uri.starts_with('@') {
            self.step(format!("`error_page` for {code}: on to {uri}"), span);
            return self.settle(Flow::Named(uri));
        }
        let status = match page.overwrite {
            Some(Some(c @ (301 | 302 | 303 | 307 | 308))) => c,
            _ => 302,
        };
        self.state.err_status = Some(status);
        self.decide(
            format!("`error_page` for {code} redirects to `{uri}` ({status})"),
            span,
        );
        Ok(Verdict::Status(status))
    }
}
