//! Credential stores read by other authn providers and modules than `file`: what they
//! are, where their directives are, and the files they name (which htguard must not
//! judge by htpasswd rules).

use super::ApacheModel;
use crate::source::Span;
use std::path::PathBuf;

/// What a store is and who reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreKind {
    /// The directive naming the store (`AuthDBMUserFile`), or the provider name for
    /// stores without one (`socache`).
    pub directive: &'static str,
    pub module: &'static str,
    /// In a sentence: "a DBM database".
    pub what: &'static str,
    /// The directive's argument is a file path (resolved against ServerRoot).
    pub is_file: bool,
}

/// The stores htguard knows of and does not check.
pub const STORES: &[StoreKind] = &[
    StoreKind {
        directive: "AuthDBMUserFile",
        module: "authn_dbm_module",
        what: "a DBM database of users (mod_authn_dbm)",
        is_file: true,
    },
    StoreKind {
        directive: "AuthDBMGroupFile",
        module: "authz_dbm_module",
        what: "a DBM database of groups (mod_authz_dbm)",
        is_file: true,
    },
    StoreKind {
        directive: "AuthPlainUserFile",
        module: "auth_plain_module",
        what: "a file of plain-text passwords that mod_auth_plain compares as text",
        is_file: true,
    },
    StoreKind {
        directive: "AuthPlainGroupFile",
        module: "auth_plain_module",
        what: "a group file read by mod_auth_plain",
        is_file: true,
    },
    StoreKind {
        directive: "AuthDBDUserPWQuery",
        module: "authn_dbd_module",
        what: "an SQL database (mod_authn_dbd)",
        is_file: false,
    },
    StoreKind {
        directive: "AuthLDAPURL",
        module: "authnz_ldap_module",
        what: "an LDAP directory (mod_authnz_ldap)",
        is_file: false,
    },
    StoreKind {
        directive: "Anonymous",
        module: "authn_anon_module",
        what: "anonymous logins: any listed user name with any password (mod_authn_anon)",
        is_file: false,
    },
    StoreKind {
        directive: "AuthnCacheProvideFor",
        module: "authn_socache_module",
        what: "a cache of other providers' answers (mod_authn_socache)",
        is_file: false,
    },
];

/// One directive naming a store of another reader.
#[derive(Clone, Debug)]
pub struct OtherStore {
    pub kind: &'static StoreKind,
    /// The directive's name and arguments.
    pub span: Span,
    pub scope: usize,
    /// For file stores: where the file is on this machine.
    pub local_path: Option<PathBuf>,
}

impl ApacheModel {
    /// Every directive that names a store of another reader, in scope order.
    pub fn other_stores(&self) -> Vec<OtherStore> {
        let mut found = Vec::new();
        for (i, s) in self.scopes.iter().enumerate() {
            for d in &s.directives {
                let Some(kind) = STORES.iter().find(|k| d.dir.is(k.directive)) else {
                    continue;
                };
                let local_path = kind
                    .is_file
                    .then(|| d.dir.arg(0))
                    .flatten()
                    .map(|a| self.local(&self.resolve(a)));
                found.push(OtherStore {
                    kind,
                    span: d.dir.span,
                    scope: i,
                    local_path,
                });
            }
        }
        found
    }
}
