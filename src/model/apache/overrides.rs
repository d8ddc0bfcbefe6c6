//! The `.htaccess` override policy: what httpd does with a `.htaccess` under the
//! `AllowOverride` in effect (core's `ap_parse_htaccess` and the override classes).

use super::ApacheModel;
use super::config::{DirectiveRef, Scope};
use super::directives::{NameBuf, directive_module, override_class};
use crate::source::Span;

/// What happened to a `.htaccess` on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtaccessVerdict {
    Applied,
    /// Not read: `AllowOverride None` (the directive, or None for the default).
    Ignored {
        allow_override: Option<DirectiveRef>,
    },
    /// Read but refused: the directory answers 500.
    Broken {
        at: Span,
        reason: String,
        allow_override: Option<DirectiveRef>,
    },
}

/// Whether `AllowOverride`'s arguments (in any case) let `class` (lower-case) through.
fn override_allows(args: &[super::loader::Arg], class: &str) -> bool {
    args.iter().any(|a| {
        let a = a.value.split('=').next().unwrap_or("");
        a.eq_ignore_ascii_case("all") || a.eq_ignore_ascii_case(class)
    })
}

/// What httpd does with `.htaccess` scope `h` under `allow` (the AllowOverride in effect).
pub fn htaccess_verdict(
    m: &ApacheModel,
    h: &Scope,
    allow: Option<DirectiveRef>,
) -> HtaccessVerdict {
    // Never set anywhere (core's OR_UNSET|OR_NONE): httpd still reads the file, but no
    // override class is allowed, so any auth directive is "not allowed here" (500).
    // Only an explicit `AllowOverride None` skips the file.
    let args: &[super::loader::Arg] = allow.map_or(&[], |r| &m.dir(r).dir.args);
    if allow.is_some() && args.iter().all(|a| a.value.eq_ignore_ascii_case("none")) {
        return HtaccessVerdict::Ignored {
            allow_override: allow,
        };
    }
    if let Some(e) = h.htaccess_errors.first() {
        return HtaccessVerdict::Broken {
            at: e.span,
            reason: e.message.clone(),
            allow_override: allow,
        };
    }
    for d in &h.directives {
        let mut buf = NameBuf::default();
        let lname = buf.lowercase(&d.dir.name);
        if let Some(class) = override_class(lname)
            && !override_allows(args, class)
        {
            return HtaccessVerdict::Broken {
                at: d.dir.name_span,
                reason: format!("{} not allowed here", d.dir.name),
                allow_override: allow,
            };
        }
        if let Some(module) = directive_module(lname)
            && !m.has_module(module)
        {
            return HtaccessVerdict::Broken {
                at: d.dir.name_span,
                reason: format!(
                    "Invalid command '{}', perhaps misspelled or defined by a module not included in the server configuration",
                    d.dir.name
                ),
                allow_override: allow,
            };
        }
        if let Some(why) = super::arity_error(&d.dir) {
            return HtaccessVerdict::Broken {
                at: d.dir.args_span(),
                reason: why,
                allow_override: allow,
            };
        }
    }
    HtaccessVerdict::Applied
}
