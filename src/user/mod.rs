//! Password-file operations (add, set, rotate, delete, verify, list, import) and group-file
//! edits over the lossless passwd model, hashing through `hash` and writing through `store`.
//!
//! Nothing here prints or exits: every operation returns what happened (with warnings for
//! the caller to show) or a [`UserError`] whose message names the file and what to do.

mod edit;
mod error;
pub mod group;
mod hashing;
pub mod import;
mod inspect;
mod joins;
pub mod secret;

pub use edit::{
    AddMode, Change, Credential, ImportReport, NoProgress, Progress, RotateReport, Selection,
    delete, import, rotate, save, save_only,
};
pub use error::{UserError, Warning};
pub use hashing::{
    DEFAULT_BCRYPT_COST, HashChoice, check_user as check_user_name, entry_text, make_entry,
    scheme_name as scheme_label,
};
pub use inspect::{Listed, Strength, Verdict, list, verify};
pub use secret::Secret;

/// What kind of entry an operation reads or writes.
#[derive(Clone, Debug)]
pub enum EntryKind {
    /// `user:hash` (htpasswd), hashed as chosen.
    Basic(HashChoice),
    /// `user:realm:md5(user:realm:password)` (htdigest).
    Digest { realm: String },
}

impl EntryKind {
    pub fn realm(&self) -> Option<&str> {
        match self {
            EntryKind::Basic(_) => None,
            EntryKind::Digest { realm } => Some(realm),
        }
    }
}
