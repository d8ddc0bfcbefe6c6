//! What can go wrong in a password-file operation, and what deserves a warning.

use crate::hash::Scheme;
use crate::store::StoreError;
use std::fmt;
use std::path::PathBuf;

/// Why an operation did nothing. The file is unchanged in every case
/// (see [`StoreError::file_changed`] for the one exception).
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("user {user} already exists in {}; use `set` to change the password", path.display())]
    UserExists { user: String, path: PathBuf },

    #[error("user {user} does not exist in {}{}", path.display(), realm_suffix(realm))]
    NoSuchUser {
        user: String,
        realm: Option<String>,
        path: PathBuf,
    },

    #[error("{}: {reason}", path.display())]
    WrongKind { path: PathBuf, reason: String },

    #[error("invalid user name {user:?}: {reason}")]
    BadUser { user: String, reason: &'static str },

    #[error("invalid realm {realm:?}: {reason}")]
    BadRealm { realm: String, reason: &'static str },

    #[error("{0}")]
    BadOption(String),

    #[error("{}: {source}", path.display())]
    Edit {
        path: PathBuf,
        #[source]
        source: crate::syntax::passwd::EditError,
    },

    #[error("cannot hash the password: {0}")]
    Hash(String),

    #[error("{0}")]
    Import(#[from] super::import::ImportError),

    #[error("import into {}: {reason}", path.display())]
    ImportConflict { path: PathBuf, reason: String },

    #[error("nothing to rotate in {}: {reason}", path.display())]
    NothingToRotate { path: PathBuf, reason: String },

    #[error(
        "{} changed while the new passwords were being prepared ({reason}); nothing was \
         written. Run the command again",
        path.display()
    )]
    ChangedMeanwhile { path: PathBuf, reason: String },

    #[error("cannot hand out the new passwords: {0}; nothing was written")]
    Emit(std::io::Error),
}

fn realm_suffix(realm: &Option<String>) -> String {
    match realm {
        Some(r) => format!(" for realm {r:?}"),
        None => String::new(),
    }
}

/// Something the operation did that the user should know about (printed on stderr).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A weak scheme was written because it was asked for by name.
    WeakScheme(Scheme),
    /// The scheme only uses the first `limit` bytes of the password.
    Truncated {
        scheme: Scheme,
        limit: usize,
        len: usize,
    },
    /// `--cost`/`--rounds` given for a scheme that has none.
    IgnoredCost(Scheme),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::WeakScheme(s) => write!(
                f,
                "{} is a weak scheme ({}); prefer bcrypt",
                super::hashing::scheme_name(*s),
                super::hashing::weakness(*s)
            ),
            Warning::Truncated { scheme, limit, len } => write!(
                f,
                "the password is {len} bytes but {} only uses the first {limit}; the rest is ignored \
                 at login",
                super::hashing::scheme_name(*scheme)
            ),
            Warning::IgnoredCost(s) => write!(
                f,
                "--cost/--rounds has no effect on {}; ignored",
                super::hashing::scheme_name(*s)
            ),
        }
    }
}
