//! What httpd knows of the directives htguard reads: the module that defines each, and
//! the ones that take exactly one argument.

use super::loader::Dir;

/// Room for the longest directive name matched on (`AuthzSendForbiddenOnFailure`).
const NAME_MAX: usize = 32;

/// A directive name in lower case, without an allocation (names are matched for every
/// directive of every scope at every place).
#[derive(Default)]
pub struct NameBuf([u8; NAME_MAX]);

impl NameBuf {
    /// `name` in lower case; "" for a name longer than any matched on or not ASCII.
    pub fn lowercase(&mut self, name: &str) -> &str {
        let Some(out) = self.0.get_mut(..name.len()) else {
            return "";
        };
        if !name.is_ascii() {
            return "";
        }
        out.copy_from_slice(name.as_bytes());
        out.make_ascii_lowercase();
        std::str::from_utf8(out).unwrap_or("")
    }
}

/// Override classes of the directives htguard knows (`AllowOverride` keywords).
pub fn override_class(lname: &str) -> Option<&'static str> {
    Some(match lname {
        "authtype"
        | "authname"
        | "authuserfile"
        | "authgroupfile"
        | "authbasicprovider"
        | "authdigestprovider"
        | "require"
        | "authmerging"
        | "satisfy"
        | "authbasicauthoritative"
        | "authdigestdomain"
        | "authzsendforbiddenonfailure" => "authconfig",
        "order" | "allow" | "deny" => "limit",
        "options" => "options",
        "directoryindex" | "indexoptions" | "indexignore" | "headername" | "readmename"
        | "expiresactive" | "expiresdefault" | "expiresbytype" | "adddescription" => "indexes",
        "addtype" | "addhandler" | "addcharset" | "adddefaultcharset" | "addencoding"
        | "addlanguage" | "defaultlanguage" | "errordocument" | "rewriteengine" | "rewriterule"
        | "rewritecond" | "rewritebase" | "redirect" | "redirectmatch" | "redirectpermanent"
        | "header" | "requestheader" | "setenvif" | "setenv" | "forcetype" | "sethandler"
        | "setoutputfilter" => "fileinfo",
        _ => return None,
    })
}

/// The module that defines an auth-related directive (lower-case name).
pub fn directive_module(lname: &str) -> Option<&'static str> {
    Some(match lname {
        "authtype" | "authname" => "authn_core_module",
        "authuserfile" => "authn_file_module",
        "authgroupfile" => "authz_groupfile_module",
        "authbasicprovider" | "authbasicauthoritative" | "authbasicfake" => "auth_basic_module",
        "authdigestprovider" | "authdigestqop" | "authdigestdomain" | "authdigestalgorithm" => {
            "auth_digest_module"
        }
        "require" | "authmerging" | "authzsendforbiddenonfailure" => "authz_core_module",
        "order" | "allow" | "deny" | "satisfy" => "access_compat_module",
        _ => return None,
    })
}

/// Directives that take exactly one argument (AP_INIT_TAKE1 in httpd's source).
pub const TAKE1: &[&str] = &[
    "AuthType",
    "AuthName",
    "AuthUserFile",
    "AuthGroupFile",
    "AuthMerging",
    "Satisfy",
    "Order",
    "DocumentRoot",
    "ServerRoot",
    "User",
    "Group",
    "AccessFileName",
];

/// httpd's own argument-count error for a TAKE1 directive ("X takes one argument").
pub fn arity_error(d: &Dir) -> Option<String> {
    // One argument is right for every directive this knows (asked first: it is cheap).
    if d.args.len() == 1 {
        return None;
    }
    let name = TAKE1.iter().find(|n| d.is(n))?;
    Some(format!("{name} takes one argument, {}", take1_doc(name)))
}

fn take1_doc(name: &str) -> &'static str {
    match name {
        "AuthType" => "an HTTP authorization type (e.g., \"Basic\")",
        "AuthName" => "the authentication realm (e.g. \"Members Only\")",
        "AuthUserFile" => "text file containing user IDs and passwords",
        "AuthGroupFile" => "text file containing group names and member user IDs",
        _ => "see the httpd documentation",
    }
}
