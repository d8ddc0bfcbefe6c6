//! Authentication (the check_user_id hooks): mod_auth_basic and mod_auth_digest with the
//! `file` provider (mod_authn_file reading the user file as httpd does, the password
//! checked with the real hash code), and mod_authn_core's fallback for an AuthType no
//! loaded module handles.

use crate::hash::{self, Support};
use crate::model::apache::ApacheModel;
use crate::model::apache::merge::MergedConfig;
use crate::model::passwd::{self, ApacheRead, Lookup};
use crate::model::request::{Credentials, FileState, Files};
use crate::source::Span;
use crate::target::{Profile, Server};
use std::path::{Path, PathBuf};

/// What authentication decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authn {
    /// The user is authenticated.
    User(String),
    /// 401 (a challenge is sent).
    Challenge(String),
    /// 500, with the reason httpd logs.
    Error(String),
    /// Decided by something htguard does not read (another provider's store).
    Unknown(String),
}

/// One step of authentication worth showing, with a line of a password file when one
/// decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthnNote {
    pub what: String,
    pub span: Option<Span>,
    /// (password file, 1-based line) of the entry that decided.
    pub file_line: Option<(PathBuf, usize)>,
}

/// What a provider answered (authn_status).
enum Provider {
    Granted(AuthnNote),
    Denied(AuthnNote),
    NotFound(AuthnNote),
    Error(AuthnNote),
    Unknown(AuthnNote),
}

/// Authenticate the request's credentials for the AuthType in effect.
pub fn authenticate(
    m: &ApacheModel,
    config: &MergedConfig,
    credentials: Option<&Credentials>,
    files: &dyn Files,
    basic_authoritative: bool,
    notes: &mut Vec<AuthnNote>,
) -> Authn {
    let Some(auth_type) = config.auth_type_name(m) else {
        // mod_authn_core: no AuthType means no authentication, and no user.
        return Authn::Error(
            "a Require needs a user but no AuthType is set: no authentication is done (AH00027)"
                .into(),
        );
    };
    let module = if auth_type.eq_ignore_ascii_case("basic") {
        Some(("auth_basic_module", false))
    } else if auth_type.eq_ignore_ascii_case("digest") {
        Some(("auth_digest_module", true))
    } else {
        None
    };
    let Some((_, digest)) = module.filter(|(module, _)| m.has_module(module)) else {
        let loaded_other = [
            "auth_form_module",
            "auth_kerb_module",
            "auth_mellon_module",
            "auth_openidc_module",
        ]
        .iter()
        .any(|x| m.has_module(x));
        if loaded_other && module.is_none() {
            return Authn::Unknown(format!("AuthType {auth_type} (its module's own checks)"));
        }
        return Authn::Error(format!(
            "AuthType {auth_type} configured without corresponding module (AH01796)"
        ));
    };
    if config.auth_name.is_none() {
        return Authn::Error(format!("AuthType {auth_type} needs AuthName (AH01615)"));
    }
    let Some(creds) = credentials else {
        return Authn::Challenge("no credentials sent: the login prompt".into());
    };
    let realm = config.value(m, config.auth_name).unwrap_or("");
    let providers = config.providers(m);
    let mut last = None;
    for (name, directive) in &providers {
        let span = directive.map(|r| m.dir(r).dir.args_span());
        let result = match name.as_str() {
            "file" if m.has_module("authn_file_module") => {
                file_provider(m, config, creds, realm, digest, files)
            }
            other => Provider::Unknown(AuthnNote {
                what: format!("the {other} authentication provider's store"),
                span,
                file_line: None,
            }),
        };
        match result {
            Provider::NotFound(note) => {
                notes.push(note);
                last = Some(Authn::Challenge(format!(
                    "user {} not found (AH01618)",
                    creds.user
                )));
            }
            Provider::Granted(note) => {
                notes.push(note);
                return Authn::User(creds.user.clone());
            }
            Provider::Denied(note) => {
                notes.push(note);
                return Authn::Challenge(format!(
                    "user {}: authentication failure: Password Mismatch (AH01617)",
                    creds.user
                ));
            }
            Provider::Error(note) => {
                let why = note.what.clone();
                notes.push(note);
                return not_authoritative(
                    auth_type,
                    basic_authoritative || digest,
                    Authn::Error(why),
                );
            }
            Provider::Unknown(note) => {
                let why = note.what.clone();
                notes.push(note);
                return Authn::Unknown(why);
            }
        }
    }
    let last = last.unwrap_or_else(|| Authn::Challenge("no provider found the user".into()));
    not_authoritative(auth_type, basic_authoritative || digest, last)
}

/// `AuthBasicAuthoritative Off`: a failure other than a wrong password is passed on to
/// the next authentication module; none is left, so mod_authn_core answers 500.
fn not_authoritative(auth_type: &str, authoritative: bool, result: Authn) -> Authn {
    if authoritative {
        return result;
    }
    Authn::Error(format!(
        "AuthBasicAuthoritative Off passes the failure on, and no other module handles \
         AuthType {auth_type} (AH01796)"
    ))
}

/// mod_authn_file: `check_password` (Basic) or `get_realm_hash` (Digest).
fn file_provider(
    m: &ApacheModel,
    config: &MergedConfig,
    creds: &Credentials,
    realm: &str,
    digest: bool,
    files: &dyn Files,
) -> Provider {
    let Some(r) = config.user_file else {
        return Provider::Error(AuthnNote {
            what: "AuthUserFile not specified in the configuration (AH01619)".into(),
            span: config.auth_type.map(|r| m.dir(r).dir.span),
            file_line: None,
        });
    };
    let span = Some(m.dir(r).dir.args_span());
    let path = m.resolve(m.dir(r).dir.arg(0).unwrap_or(""));
    let bytes = match open(files, &path) {
        Ok(b) => b,
        Err(why) => {
            return Provider::Error(AuthnNote {
                what: format!(
                    "Could not open password file: {} ({why}) (AH01620)",
                    path.display()
                ),
                span,
                file_line: None,
            });
        }
    };
    let parsed = crate::syntax::passwd::parse(&bytes);
    let user = creds.user.as_bytes();
    let lookup = if digest {
        passwd::apache_find_digest(&parsed, &bytes, user, realm.as_bytes())
    } else {
        passwd::apache_find_basic(&parsed, &bytes, user)
    };
    let record = match lookup {
        Lookup::Found(rec) => rec,
        Lookup::NotFound { stopped_at } => {
            let why = match (stopped_at, digest) {
                (Some(line), _) => format!(
                    "user {} not found in {}: httpd stops reading at line {}, longer than its \
                     8190-byte line buffer",
                    creds.user,
                    path.display(),
                    line + 1
                ),
                (None, true) => format!(
                    "user {} not found in {} for realm \"{realm}\" (AH01790)",
                    creds.user,
                    path.display()
                ),
                (None, false) => format!("user {} not found in {}", creds.user, path.display()),
            };
            return Provider::NotFound(AuthnNote {
                what: why,
                span,
                file_line: stopped_at.map(|l| (path.clone(), l + 1)),
            });
        }
    };
    let ApacheRead::Entry(entry) = &record.read else {
        return Provider::NotFound(AuthnNote {
            what: format!("user {} not found in {}", creds.user, path.display()),
            span,
            file_line: None,
        });
    };
    let at = Some((path.clone(), record.first_line + 1));
    let matched = if digest {
        hash::verify_digest(
            &creds.user,
            realm,
            &creds.password[..],
            entry.digest_hash().as_bytes(),
        )
        .unwrap_or(false)
    } else {
        apache_accepts(&creds.password[..], entry.basic_hash().as_bytes())
    };
    let note = |what: String| AuthnNote {
        what,
        span,
        file_line: at.clone(),
    };
    if matched {
        Provider::Granted(note(format!(
            "the password matches user {}'s entry in {}",
            creds.user,
            path.display()
        )))
    } else {
        Provider::Denied(note(format!(
            "the password does not match user {}'s entry in {}",
            creds.user,
            path.display()
        )))
    }
}

/// `apr_password_validate` on Unix: the scheme must be one Apache verifies.
fn apache_accepts(password: &[u8], stored: &[u8]) -> bool {
    let info = hash::identify(stored);
    match hash::support_for(&info, Server::Apache, &Profile::default()) {
        Support::Works | Support::Truncates { .. } => {
            hash::verify(password, stored).unwrap_or(false)
        }
        _ => false,
    }
}

/// The bytes of a user or group file as the worker opens it (`ap_pcfg_openfile`).
pub fn open(files: &dyn Files, path: &Path) -> Result<Vec<u8>, String> {
    match files.state(path) {
        FileState::Missing => return Err("No such file or directory".into()),
        FileState::Directory | FileState::Other => {
            return Err("not a regular file (AH00554)".into());
        }
        FileState::Unreadable(why) => return Err(format!("Permission denied: {why}")),
        FileState::File { .. } => {}
    }
    if let Some(why) = files.cannot_read(path) {
        return Err(format!("Permission denied: {why}"));
    }
    files.read(path).map_err(|e| e.to_string())
}
