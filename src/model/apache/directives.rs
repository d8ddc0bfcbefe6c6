//! What httpd knows of its directives: the module that defines each and the
//! `AllowOverride` classes that let it into a `.htaccess` (a table generated from httpd's
//! command tables, `directives.tsv`), and the ones that take exactly one argument.

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

/// The `AllowOverride` classes that let a directive into a `.htaccess` (httpd's `OR_*`
/// bits: `OR_LIMIT`, `OR_OPTIONS`, `OR_FILEINFO`, `OR_AUTHCFG`, `OR_INDEXES`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Classes(u8);

impl Classes {
    pub const NONE: Classes = Classes(0);
    /// The `AllowOverride` keywords, each with its bit.
    pub const KEYWORDS: [(&'static str, Classes); 5] = [
        ("Limit", Classes(1)),
        ("Options", Classes(2)),
        ("FileInfo", Classes(4)),
        ("AuthConfig", Classes(8)),
        ("Indexes", Classes(16)),
    ];
    pub const ALL: Classes = Classes(31);

    /// The class an `AllowOverride` keyword names (any case; `Options=…` is `Options`).
    pub fn from_keyword(word: &str) -> Option<Classes> {
        let word = word.split('=').next().unwrap_or("");
        if word.eq_ignore_ascii_case("all") {
            return Some(Classes::ALL);
        }
        Self::KEYWORDS
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(word))
            .map(|(_, c)| *c)
    }

    pub fn union(self, other: Classes) -> Classes {
        Classes(self.0 | other.0)
    }

    pub fn intersects(self, other: Classes) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The keywords of the classes, as `AllowOverride` takes them (`AuthConfig Limit`).
    pub fn keywords(self) -> Vec<&'static str> {
        Self::KEYWORDS
            .iter()
            .filter(|(_, c)| self.intersects(*c))
            .map(|(k, _)| *k)
            .collect()
    }
}

/// A directive as a module's command table declares it.
#[derive(Clone, Debug)]
pub struct Command {
    /// As the module spells it (`AuthUserFile`, `<Files`).
    pub name: &'static str,
    /// The module id `LoadModule` names (`authn_file_module`).
    pub module: &'static str,
    /// Where it is allowed in a `.htaccess`; empty: nowhere ("not allowed here").
    pub classes: Classes,
}

/// Every command of httpd's modules (generated from httpd's sources by
/// `scripts/gen-apache-directives.py`) and of the third-party modules Debian packages.
struct Table {
    /// By lower-case name; a name several modules define has several entries.
    by_name: foldhash::HashMap<String, Vec<Command>>,
    /// Every module id the table knows, with or without directives.
    modules: foldhash::HashSet<&'static str>,
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table {
            by_name: Default::default(),
            modules: Default::default(),
        };
        let text = [
            include_str!("directives.tsv"),
            include_str!("directives-third-party.tsv"),
        ];
        for line in text.iter().flat_map(|t| t.lines()) {
            let mut cols = line.split('\t');
            let (Some(name), Some(module), Some(classes)) = (cols.next(), cols.next(), cols.next())
            else {
                continue; // a comment
            };
            t.modules.insert(module);
            if name == "-" {
                continue; // a module without directives
            }
            let classes = classes
                .split(',')
                .filter_map(Classes::from_keyword)
                .fold(Classes::NONE, Classes::union);
            t.by_name
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(Command {
                    name,
                    module,
                    classes,
                });
        }
        t
    })
}

/// The modules that define directive `name` (any case; a section as `<Files`), each
/// with the classes it is allowed under. Empty: no module htguard knows defines it.
pub fn commands(name: &str) -> &'static [Command] {
    // Asked for every directive of every `.htaccess` at every place: lower-cased on the
    // stack when the name fits.
    let mut buf = [0u8; 64];
    let owned;
    let lower = match buf.get_mut(..name.len()) {
        Some(b) if name.is_ascii() => {
            b.copy_from_slice(name.as_bytes());
            b.make_ascii_lowercase();
            std::str::from_utf8(b).unwrap_or("")
        }
        _ => {
            owned = name.to_lowercase();
            owned.as_str()
        }
    };
    table().by_name.get(lower).map_or(&[], Vec::as_slice)
}

/// Whether htguard knows every directive module `id` defines (httpd's own modules and
/// the third-party ones in the table).
pub fn is_known_module(id: &str) -> bool {
    table().modules.contains(id)
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
