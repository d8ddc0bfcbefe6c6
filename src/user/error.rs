//! What can go wrong in a password-file operation, and what deserves a warning.

use crate::store::StoreError;
use crate::syntax::passwd::shown_name;
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

    #[error("invalid user name {:?}: {reason}", shown_name(user))]
    BadUser { user: String, reason: &'static str },

    #[error("invalid group name {:?}: {reason}", shown_name(group))]
    BadGroup { group: String, reason: &'static str },

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

/// Something the user should know about a hash that was written (printed on stderr).
pub use crate::hash::HashWarning as Warning;
