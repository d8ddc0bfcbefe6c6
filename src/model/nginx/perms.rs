//! Can the worker user open a file? The kernel's rules (`source::access`: mode bits or
//! POSIX ACL along the whole path) for the worker's uid and groups from the target
//! system's /etc/passwd and /etc/group (under `--root` when given).

use crate::source::access;
use std::path::{Path, PathBuf};

/// The worker user as the target system knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub id: access::Account,
}

/// Look `name` up in `<root>/etc/passwd` and `<root>/etc/group`.
pub fn account(name: &str, root: Option<&Path>) -> Option<Account> {
    Some(Account {
        name: name.to_string(),
        id: access::Account::lookup(root, name, None)?,
    })
}

/// Why the account cannot open a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// The file or the directory that stops it.
    pub path: PathBuf,
    /// e.g. `not readable: mode 0640, owner root, group root`.
    pub reason: String,
}

/// Check that `account` may traverse every directory above `file` (within `top`, the
/// `--root` directory or `/`) and read `file`, whose stat is `metadata`. Each directory
/// above many files is examined once, in `known`.
pub fn check_read(
    file: &Path,
    metadata: &std::fs::Metadata,
    account: &Account,
    top: &Path,
    known: &access::Directories,
) -> Result<(), Denied> {
    let Some(denied) = account.id.first_denied_with(file, metadata, top, known) else {
        return Ok(());
    };
    let root = (top != Path::new("/")).then_some(top);
    let what = if denied.is_dir() {
        "directory without search (x) permission"
    } else {
        "not readable"
    };
    Err(Denied {
        reason: format!("{what}: {}", denied.describe(root)),
        path: denied.path,
    })
}
