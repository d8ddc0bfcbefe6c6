//! Whether the web server can still read a file after a write: Apache and nginx read password
//! files as their worker user (www-data on Debian, apache or nginx elsewhere), and a file it
//! cannot open makes every login answer 500. This decides and describes; the caller prints.
//!
//! The permission check is `source::access`, the same the models use for the worker user.

use crate::source::access::{Account, group_name, user_name};
use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The worker users of the servers htguard knows, as the distributions name them.
const SERVER_USERS: [&str; 3] = ["www-data", "nginx", "apache"];

/// None of the server users that exist on this machine can read a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerCannotRead {
    /// The file that was written.
    pub path: PathBuf,
    /// The server users that exist here (all of them are locked out).
    pub users: Vec<String>,
    /// What stops the first of them: the file itself or a directory above it.
    pub blocked_at: PathBuf,
    /// Whether `blocked_at` is a directory (search permission is missing) or the file.
    pub is_dir: bool,
    /// `blocked_at`'s owner, group and mode, as `ls -l` would show them.
    pub owner: String,
    pub group: String,
    pub mode: u32,
    /// Whether `blocked_at` has a POSIX ACL.
    pub has_acl: bool,
}

impl fmt::Display for ServerCannotRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = self.users.join(", ");
        let first = &self.users[0];
        let acl = if self.has_acl { " and its ACL" } else { "" };
        let at = self.blocked_at.display();
        write!(
            f,
            "the web server user ({who}) cannot read {}: ",
            self.path.display()
        )?;
        if self.is_dir {
            write!(
                f,
                "it may not enter the directory {at} ({}:{}, mode {:04o}{acl}). Every login \
                 checked against this file will fail (the server answers 500). Let it in, e.g. \
                 `setfacl -m u:{first}:x {at}` or `chmod o+x {at}`",
                self.owner, self.group, self.mode
            )
        } else {
            write!(
                f,
                "the file is {}:{}, mode {:04o}{acl}. Every login checked against it will fail \
                 (the server answers 500). Let it read the file, e.g. `chgrp {first} {at} && \
                 chmod g+r {at}` or `setfacl -m u:{first}:r {at}`",
                self.owner, self.group, self.mode
            )
        }
    }
}

/// `Some` when server users exist on this machine and none of them can read `path`. `None`
/// when one of them can, when none exists (nothing to judge), or when `path` cannot be
/// examined.
pub fn server_cannot_read(path: &Path) -> Option<ServerCannotRead> {
    let users: Vec<(String, Account)> = SERVER_USERS
        .iter()
        .filter_map(|name| Account::lookup(None, name, None).map(|a| (name.to_string(), a)))
        .collect();
    if users.is_empty() {
        return None;
    }
    let real = std::fs::canonicalize(path).ok()?;
    let mut first_block = None;
    for (_, account) in &users {
        // One server user that can read it is enough: we cannot tell which server reads it.
        let block = account.first_denied(&real, Path::new("/"))?;
        first_block.get_or_insert(block);
    }
    let denied = first_block?;
    let meta = &denied.metadata;
    Some(ServerCannotRead {
        path: path.to_path_buf(),
        users: users.into_iter().map(|(name, _)| name).collect(),
        is_dir: denied.is_dir(),
        owner: user_name(None, meta.uid()),
        group: group_name(None, meta.gid()),
        mode: meta.mode() & 0o7777,
        has_acl: denied.has_acl,
        blocked_at: denied.path,
    })
}

#[cfg(test)]
mod tests;
