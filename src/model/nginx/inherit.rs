//! One block's effective settings from its parent's, as nginx merges them: each
//! directive on its own (a location without `auth_basic` keeps its server's realm but
//! may name its own user file), a list (`allow`/`deny`, `proxy_set_header`,
//! `fastcgi_param`) only as a whole when the block sets none of it, and the
//! rewrite-phase and content-handler directives never.

use super::loader::Tree;
use super::script::{self, ErrorPage, ScriptOp};
use super::{
    AccessRule, DocumentRoot, Realm, Return, Rewrite, SetVariable, Setting, Settings,
    UpstreamField, UserFile,
};
use crate::model::LoadOptions;
use crate::syntax::nginx::Directive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// nginx's compiled-in prefix on Debian: relative `root`/`alias` resolve against it
/// (not against the conf prefix, which only `include` and `auth_basic_user_file` use),
/// unless nginx runs with `-p` (`--prefix`).
pub const DEBIAN_PREFIX: &str = "/usr/share/nginx";

/// The prefix relative `root`/`alias` resolve against (`ngx_cycle->prefix`).
pub fn install_prefix(opts: &LoadOptions) -> PathBuf {
    opts.nginx_prefix
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEBIAN_PREFIX))
}

/// What merging needs besides the directives: where relative paths lead.
pub struct Inheritance<'a> {
    pub tree: &'a Tree,
    pub opts: &'a LoadOptions,
    /// The conf prefix.
    pub prefix: &'a Path,
}

/// A block's settings and what else its directives declare.
pub struct BlockSettings<'t> {
    pub settings: Settings,
    /// The block's first `limit_except` (nginx allows one per location).
    pub limit_except: Option<&'t Directive>,
    /// `set $var value;` in the block and its `if` blocks.
    pub variables: Vec<SetVariable>,
}

/// The lists a block sets; each replaces the inherited list when not empty.
#[derive(Default)]
struct OwnLists {
    access: Vec<AccessRule>,
    error_pages: Vec<ErrorPage>,
    proxy_headers: Vec<UpstreamField>,
    fastcgi_params: Vec<UpstreamField>,
}

impl<'a> Inheritance<'a> {
    /// The effective settings of a block whose directives are `items`.
    pub fn block<'t>(&self, parent: &Settings, items: &[&'t Directive]) -> BlockSettings<'t> {
        let mut settings = parent.inherited();
        let mut lists = OwnLists::default();
        let mut limit_except = None;
        for d in items {
            if d.is("limit_except") && d.block.is_some() {
                limit_except = limit_except.or(Some(*d));
            } else {
                self.directive(d, &mut settings, &mut lists);
            }
        }
        let mut variables = Vec::new();
        self.rewrite_phase(items, false, &mut settings, &mut variables);
        if !lists.access.is_empty() {
            settings.access = lists.access.into();
        }
        if !lists.error_pages.is_empty() {
            settings.error_pages = lists.error_pages.into();
        }
        settings.script = self.script(items, &settings).into();
        if !lists.proxy_headers.is_empty() {
            settings.proxy_headers = lists.proxy_headers.into();
        }
        if !lists.fastcgi_params.is_empty() {
            settings.fastcgi_params = lists.fastcgi_params.into();
        }
        BlockSettings {
            settings,
            limit_except,
            variables,
        }
    }

    /// Apply one directive of the block (those that take no part are ignored).
    fn directive(&self, d: &Directive, c: &mut Settings, lists: &mut OwnLists) {
        let name = d.name_text();
        let first = d.args.first();
        match name.as_ref() {
            "auth_basic" if first.is_some() => c.auth_basic = Some(Arc::new(setting(d, realm(d)))),
            "auth_basic_user_file" if first.is_some() => {
                c.user_file = Some(Arc::new(setting(d, self.user_file(d))));
            }
            "satisfy" if first.is_some() => {
                c.satisfy_any = Some(Arc::new(setting(d, d.args[0].value == b"any")));
            }
            "allow" | "deny" if first.is_some() => lists.access.push(AccessRule {
                allow: name == "allow",
                what: d.args[0].text().into_owned(),
                span: d.span,
            }),
            "root" | "alias" if first.is_some() => {
                c.root = Some(Arc::new(setting(d, self.document_root(d, name == "alias"))));
            }
            "proxy_set_header" if d.args.len() >= 2 => lists.proxy_headers.push(name_value(d)),
            "fastcgi_param" if d.args.len() >= 2 => lists.fastcgi_params.push(name_value(d)),
            "proxy_pass_request_headers" | "fastcgi_pass_request_headers" => {
                let off = first.is_some_and(|a| a.value == b"off");
                c.request_headers_off = off.then_some(d.span);
            }
            "proxy_pass" => c.proxy_pass = Some(d.span),
            "fastcgi_pass" => c.fastcgi_pass = Some(d.span),
            "try_files" => {
                c.try_files = Some(d.span);
                c.try_files_list = Some(Arc::new(setting(d, words(d))));
            }
            "index" if first.is_some() => c.index = Some(Arc::new(setting(d, words(d)))),
            "autoindex" if first.is_some() => c.autoindex = Some(Arc::new(setting(d, is_on(d)))),
            "recursive_error_pages" if first.is_some() => {
                c.recursive_error_pages = Some(Arc::new(setting(d, is_on(d))));
            }
            "merge_slashes" if first.is_some() => {
                c.merge_slashes = Some(Arc::new(setting(d, is_on(d))))
            }
            "auth_request" if first.is_some() => {
                let uri = d.arg(0).filter(|a| a != "off").map(|a| a.into_owned());
                c.auth_request = Some(Arc::new(setting(d, uri)));
            }
            "error_page" => lists.error_pages.extend(script::error_page(d)),
            "internal" => c.internal = Some(d.span),
            _ => {}
        }
        if HANDLERS.contains(&name.as_ref()) {
            let arg = d.arg(0).map(|a| a.into_owned()).unwrap_or_default();
            c.handler = Some(Arc::new(setting(d, (name.into_owned(), arg))));
        }
    }

    /// The block's rewrite-module script; an `if` gets its own configuration, which
    /// inherits from `settings` (the enclosing block's, complete).
    fn script<'t>(&self, items: &[&'t Directive], settings: &Settings) -> Vec<ScriptOp>
    where
        'a: 't,
    {
        let mut ops = Vec::new();
        for d in items {
            let mut if_items = Vec::new();
            let op = script::op(d, |d| {
                if_items = self.tree.flat(d.children());
                let mut own = self.block(settings, &if_items).settings;
                own.script = Arc::default();
                Some(Arc::new(own))
            });
            match op {
                Some(ScriptOp::If(mut block)) => {
                    let base = block.settings.as_deref().unwrap_or(settings);
                    block.body = self.script(&if_items, base);
                    ops.push(ScriptOp::If(block));
                }
                Some(op) => ops.push(op),
                None => {}
            }
        }
        ops
    }

    /// `auth_basic_user_file`: relative to the conf prefix.
    fn user_file(&self, d: &Directive) -> UserFile {
        let w = &d.args[0];
        let raw = w.text().into_owned();
        let relative = !raw.starts_with('/');
        let server_path = if relative {
            self.prefix.join(&raw)
        } else {
            PathBuf::from(&raw)
        };
        UserFile {
            has_variable: w.has_variable(),
            local_path: self.opts.map_path(&server_path),
            raw,
            server_path,
            relative,
        }
    }

    /// `root` / `alias`: relative to nginx's compiled-in prefix. An alias's `strip` is
    /// set by the location that declares it.
    fn document_root(&self, d: &Directive, alias: bool) -> DocumentRoot {
        let raw = d.args[0].text().into_owned();
        let server_path = if raw.starts_with('/') {
            PathBuf::from(&raw)
        } else {
            install_prefix(self.opts).join(&raw)
        };
        DocumentRoot {
            alias,
            local_path: self.opts.map_path(&server_path),
            raw,
            server_path,
            strip: 0,
        }
    }

    /// `rewrite`, `return` and `set` of a block and of its `if` blocks.
    fn rewrite_phase(
        &self,
        items: &[&Directive],
        conditional: bool,
        c: &mut Settings,
        variables: &mut Vec<SetVariable>,
    ) {
        for d in items {
            if d.is("rewrite") && d.args.len() >= 2 {
                c.rewrites.push(Rewrite {
                    span: d.span,
                    regex: d.args[0].text().into_owned(),
                    replacement: d.args[1].text().into_owned(),
                    flag: d.arg(2).map(|f| f.into_owned()),
                    conditional,
                });
            } else if d.is("return") && !d.args.is_empty() {
                c.returns.push(Return {
                    span: d.span,
                    code: d.arg(0).and_then(|a| a.parse().ok()),
                    conditional,
                });
            } else if d.is("set") && d.args.len() >= 2 {
                variables.push(SetVariable {
                    span: d.span,
                    var: d.args[0].text().into_owned(),
                    value: d.args[1].text().into_owned(),
                });
            } else if d.is("if") && d.block.is_some() {
                self.rewrite_phase(&self.tree.flat(d.children()), true, c, variables);
            }
        }
    }
}

/// Directives that make a location's content handler (nginx sets `clcf->handler`).
const HANDLERS: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "memcached_pass",
    "stub_status",
    "empty_gif",
    "perl",
    "flv",
    "mp4",
    "js_content",
];

/// Every argument as text.
fn words(d: &Directive) -> Vec<String> {
    d.args.iter().map(|a| a.text().into_owned()).collect()
}

/// `on` (anything else is `off`; nginx refuses other words at load time).
fn is_on(d: &Directive) -> bool {
    d.args.first().is_some_and(|a| a.value == b"on")
}

/// The value of `auth_basic`.
fn realm(d: &Directive) -> Realm {
    let w = &d.args[0];
    let text = w.text().into_owned();
    if w.has_variable() {
        Realm::Variable(text)
    } else if text == "off" {
        Realm::Off
    } else {
        Realm::Text(text)
    }
}

/// `proxy_set_header NAME VALUE` / `fastcgi_param NAME VALUE`.
fn name_value(d: &Directive) -> UpstreamField {
    setting(
        d,
        (d.args[0].text().into_owned(), d.args[1].text().into_owned()),
    )
}

/// A value with the spans of its directive and first argument.
pub fn setting<T>(d: &Directive, value: T) -> Setting<T> {
    Setting {
        value,
        directive: d.span,
        arg: d.args.first().map_or(d.name.span, |a| a.span),
    }
}
