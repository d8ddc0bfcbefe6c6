//! The server rewrite, find-config, rewrite and post-rewrite phases
//! (`ngx_http_rewrite_handler`, `ngx_http_script_*_code` in src/http/ngx_http_script.c,
//! `ngx_http_core_find_config_phase`, `ngx_http_core_post_rewrite_phase`).

use super::super::script::{Condition, FileTest, IfBlock, Pattern, RewriteFlag, ScriptOp};
use super::super::{LocationKind, Served};
use super::{Conf, Eval, Flow, Start};
use crate::model::request::FileState;
use std::path::Path;

/// How one directive of the script leaves it.
enum Next {
    Go,
    /// The script stops (`last`, `break`, the end of a `return`).
    Stop,
    Leave(Flow),
}

impl<'a> Eval<'a> {
    /// From `start` to the configuration whose access phase comes next.
    pub(super) fn rewrite_phases(&mut self, start: Start) -> Result<Conf<'a>, Flow> {
        let mut conf = match start {
            Start::ServerRewrite => {
                self.state.valid_location = true;
                let server_conf = self.conf_of(Served::Server);
                self.conf = Some(server_conf);
                let script = &self.server().settings.script;
                if let Next::Leave(flow) = self.run_script(script, None) {
                    return Err(flow);
                }
                self.find_config()?
            }
            Start::Named(i) => {
                let conf = self.conf_of(Served::Location(i));
                let what = format!("{} takes the request", self.where_(conf.served));
                let span = self.server().locations[i].span;
                self.step(what, Some(span));
                self.conf = Some(conf);
                conf
            }
        };
        loop {
            if conf.served != Served::Server {
                let mut current = Some(conf);
                let next = self.run_script(&conf.settings.script, Some(&mut current));
                conf = current.unwrap_or(conf);
                if let Next::Leave(flow) = next {
                    return Err(flow);
                }
            }
            if !self.state.uri_changed {
                return Ok(conf);
            }
            self.state.uri_changes -= 1;
            if self.state.uri_changes == 0 {
                self.decide("rewrite or internal redirection cycle: 500", None);
                return Err(Flow::Finalize {
                    code: 500,
                    span: None,
                });
            }
            conf = self.find_config()?;
        }
    }

    /// Location selection for the current URI (`ngx_http_core_find_config_phase`).
    fn find_config(&mut self) -> Result<Conf<'a>, Flow> {
        self.state.uri_changed = false;
        let s = self.server();
        let uri = self.state.uri.clone();
        let served = s.find_location(&uri);
        if let Some(redirect) = self.auto_redirect(served, &uri) {
            return Err(redirect);
        }
        if let Served::Location(i) = served {
            let loc = &s.locations[i];
            if let (LocationKind::Regex { .. }, Some(re)) = (loc.kind, &loc.regex) {
                self.state.captures = captures(re, &uri);
            }
        }
        let conf = self.conf_of(served);
        self.conf = Some(conf);
        let span = match served {
            Served::Location(i) => Some(s.locations[i].span),
            Served::Server => None,
        };
        self.step(format!("{} takes `{uri}`", self.where_(served)), span);
        if let Served::Location(i) = served
            && let Some(internal) = s.locations[i].settings.internal
            && !self.state.internal
        {
            self.decide(
                "the location is `internal`: 404 for a client's request",
                Some(internal),
            );
            return Err(Flow::Finalize {
                code: 404,
                span: Some(internal),
            });
        }
        if let Some(le) = conf.limited {
            let what = format!(
                "{} is not among `limit_except {}`: its block applies",
                self.state.method,
                le.methods.join(" ")
            );
            self.step(what, Some(le.span));
        }
        Ok(conf)
    }

    /// A URI one `/` short of a proxied location's name is redirected to it (301).
    fn auto_redirect(&mut self, served: Served, uri: &str) -> Option<Flow> {
        let s = self.server();
        if let Served::Location(i) = served
            && s.locations[i].kind == LocationKind::Exact
        {
            return None;
        }
        let with_slash = format!("{uri}/");
        let target = s.locations.iter().find(|l| {
            (l.is_prefix() || l.kind == LocationKind::Exact)
                && l.pattern == with_slash
                && l.settings
                    .handler
                    .as_ref()
                    .is_some_and(|h| h.value.0.ends_with("_pass"))
        })?;
        let what = format!(
            "{} is proxied: `{uri}` is redirected to `{with_slash}` (301)",
            target.describe()
        );
        self.decide(what, Some(target.span));
        Some(Flow::Finalize {
            code: 301,
            span: Some(target.span),
        })
    }

    /// Run a script; `conf` is the location's configuration (None at server level,
    /// where an `if` does not switch configuration).
    fn run_script(&mut self, ops: &'a [ScriptOp], mut conf: Option<&mut Option<Conf<'a>>>) -> Next {
        for op in ops {
            let next = match op {
                ScriptOp::Rewrite {
                    span,
                    pattern,
                    replacement,
                    flag,
                } => self.rewrite(*span, pattern, replacement, *flag),
                ScriptOp::Return { span, code, text } => {
                    self.return_(*span, *code, text.as_deref())
                }
                ScriptOp::Break { span } => {
                    if self.state.uri_changed {
                        self.state.valid_location = false;
                        self.state.uri_changed = false;
                    }
                    self.step("`break` ends the rewrite script", Some(*span));
                    Next::Stop
                }
                ScriptOp::Set { span, var, value } => {
                    match self.expand(value) {
                        Ok(v) => {
                            self.state.set.insert(var.clone(), v);
                        }
                        Err(e) => {
                            self.depends_on(format!("`set ${var}` takes {e}"));
                            let _ = span;
                        }
                    }
                    Next::Go
                }
                ScriptOp::If(block) => self.if_block(block, conf.as_deref_mut()),
            };
            match next {
                Next::Go => {}
                other => return other,
            }
        }
        Next::Go
    }

    fn if_block(&mut self, block: &'a IfBlock, conf: Option<&mut Option<Conf<'a>>>) -> Next {
        let holds = match self.condition(&block.condition) {
            Ok(b) => b,
            Err(why) => {
                self.depends_on(format!("an `if` htguard cannot evaluate ({why})"));
                self.step(
                    format!("`if` depends on {why}: taken as false"),
                    Some(block.span),
                );
                false
            }
        };
        if !holds {
            return Next::Go;
        }
        self.step("the `if` condition holds", Some(block.span));
        if let (Some(conf), Some(settings)) = (conf, &block.settings) {
            if let Some(c) = conf.as_mut() {
                c.settings = settings;
                c.limited = None;
                self.conf = Some(*c);
            }
            let body = &block.body;
            return self.run_script(body, Some(conf));
        }
        self.run_script(&block.body, None)
    }

    fn condition(&mut self, c: &Condition) -> Result<bool, String> {
        Ok(match c {
            Condition::Variable(v) => {
                let value = self.var(v)?;
                !value.is_empty() && value != "0"
            }
            Condition::Equals {
                var,
                value,
                negated,
            } => {
                let left = self.var(var)?;
                let right = self.expand(value)?;
                (left == right) != *negated
            }
            Condition::Matches {
                var,
                pattern,
                negated,
            } => {
                let text = self.var(var)?;
                let re = regex_of(pattern)?;
                let caps = captures(re, &text);
                let matched = !caps.is_empty();
                if matched {
                    self.state.captures = caps;
                }
                matched != *negated
            }
            Condition::File {
                test,
                path,
                negated,
            } => {
                let path = self.expand(path)?;
                let state = self.files.state(Path::new(&path));
                let ok = match test {
                    FileTest::File => matches!(state, FileState::File { .. }),
                    FileTest::Directory => state == FileState::Directory,
                    FileTest::Exists => {
                        matches!(
                            state,
                            FileState::File { .. } | FileState::Directory | FileState::Other
                        )
                    }
                    FileTest::Executable => return Err("whether a file is executable".into()),
                };
                ok != *negated
            }
            Condition::Unknown(text) => return Err(format!("the condition `{text}`")),
        })
    }

    fn rewrite(
        &mut self,
        span: crate::source::Span,
        pattern: &Pattern,
        replacement: &str,
        flag: RewriteFlag,
    ) -> Next {
        let re = match regex_of(pattern) {
            Ok(re) => re,
            Err(why) => {
                self.depends_on(why.clone());
                self.step(format!("`rewrite` not evaluated: {why}"), Some(span));
                return Next::Go;
            }
        };
        let caps = captures(re, &self.state.uri);
        if caps.is_empty() {
            return Next::Go;
        }
        self.state.captures = caps;
        let (text, add_args) = match replacement.strip_suffix('?') {
            Some(t) => (t, false),
            None => (replacement, true),
        };
        let new = match self.expand(text) {
            Ok(v) => v,
            Err(e) => {
                self.depends_on(format!("the rewrite's replacement takes {e}"));
                return Next::Go;
            }
        };
        if matches!(flag, RewriteFlag::Redirect | RewriteFlag::Permanent) {
            return self.rewrite_redirect(span, new, add_args, flag);
        }
        self.state.internal = true;
        if flag == RewriteFlag::Break {
            self.state.valid_location = false;
            self.state.uri_changed = false;
        } else {
            self.state.uri_changed = true;
        }
        self.set_uri(new, add_args);
        let how = match flag {
            RewriteFlag::Last => ": location selection runs again",
            RewriteFlag::Break => " and stays in this location (`break`)",
            _ => "",
        };
        self.step(
            format!("`rewrite` changes the URI to `{}`{how}", self.state.uri),
            Some(span),
        );
        if self.state.uri.is_empty() {
            self.decide("the rewritten URI is empty: 500", Some(span));
            return Next::Leave(Flow::Finalize {
                code: 500,
                span: Some(span),
            });
        }
        match flag {
            RewriteFlag::Last | RewriteFlag::Break => Next::Stop,
            _ => Next::Go,
        }
    }

    /// `rewrite … redirect|permanent` (or a replacement that is a URL): 302 or 301.
    fn rewrite_redirect(
        &mut self,
        span: crate::source::Span,
        new: String,
        add_args: bool,
        flag: RewriteFlag,
    ) -> Next {
        let code = if flag == RewriteFlag::Permanent {
            301
        } else {
            302
        };
        let mut location = new.clone();
        if add_args && !self.state.args.is_empty() {
            location.push(if new.contains('?') { '&' } else { '?' });
            location.push_str(&self.state.args);
        }
        self.decide(
            format!("`rewrite` redirects to `{location}` ({code})"),
            Some(span),
        );
        Next::Leave(Flow::Finalize {
            code,
            span: Some(span),
        })
    }

    /// The rewritten URI and arguments (`ngx_http_script_regex_end_code`): a `?` in the
    /// replacement starts new arguments, to which the old ones are added unless the
    /// replacement ended in `?`.
    fn set_uri(&mut self, new: String, add_args: bool) {
        match new.split_once('?') {
            Some((uri, args)) => {
                let mut args = args.to_string();
                if add_args && !self.state.args.is_empty() {
                    args.push('&');
                    args.push_str(&self.state.args);
                }
                self.state.uri = uri.to_string();
                self.state.args = args;
            }
            None => {
                self.state.uri = new;
                if !add_args {
                    self.state.args.clear();
                }
            }
        }
    }

    fn return_(&mut self, span: crate::source::Span, code: u16, text: Option<&str>) -> Next {
        let redirect = matches!(code, 301 | 302 | 303 | 307 | 308);
        let flow = if redirect || (code >= 400 && text.is_none()) {
            Flow::Finalize {
                code,
                span: Some(span),
            }
        } else {
            Flow::Sent {
                code,
                span: Some(span),
            }
        };
        let target = match (redirect, text) {
            (true, Some(t)) => {
                format!(" to `{}`", self.expand(t).unwrap_or_else(|_| t.to_string()))
            }
            _ => String::new(),
        };
        self.decide(format!("`return {code}`{target}"), Some(span));
        Next::Leave(flow)
    }
}

fn regex_of(p: &Pattern) -> Result<&regex::Regex, String> {
    p.regex.as_deref().ok_or_else(|| {
        format!(
            "the regex `{}` uses PCRE features htguard cannot run",
            p.source
        )
    })
}

/// The captures of `re` on `text` ($0, $1, …); empty when it does not match.
pub(super) fn captures(re: &regex::Regex, text: &str) -> Vec<Option<String>> {
    re.captures(text)
        .map(|c| {
            c.iter()
                .map(|m| m.map(|m| m.as_str().to_string()))
                .collect()
        })
        .unwrap_or_default()
}
