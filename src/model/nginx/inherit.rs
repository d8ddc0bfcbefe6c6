//! One block's effective settings from its parent's, as nginx merges them: each
//! directive on its own (a location without `auth_basic` keeps its server's realm but
//! may name its own user file), a list (`allow`/`deny`, `proxy_set_header`,
//! `fastcgi_param`) only as a whole when the block sets none of it, and the
//! rewrite-phase and content-handler directives never.

use super::loader::Tree;
use super::{
    AccessRule, DocumentRoot, Realm, Return, Rewrite, SetVariable, Setting, Settings,
    UpstreamField, UserFile,
};
use crate::model::LoadOptions;
use crate::syntax::nginx::Directive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// nginx's compiled-in prefix on Debian: relative `root`/`alias` resolve against it
/// (not against the conf prefix, which only `include` and `auth_basic_user_file` use).
const DEBIAN_PREFIX: &str = "/usr/share/nginx";

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
                c.satisfy_any = Some(setting(d, d.args[0].value == b"any"));
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
            "try_files" => c.try_files = Some(d.span),
            _ => {}
        }
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
            Path::new(DEBIAN_PREFIX).join(&raw)
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
