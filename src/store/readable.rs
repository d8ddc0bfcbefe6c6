//! Whether the web server can still read a file after a write: Apache and nginx read password
//! files as their worker user (www-data on Debian, apache or nginx elsewhere), and a file it
//! cannot open makes every login answer 500. This decides and describes; the caller prints.
//!
//! The check follows the kernel's rules for an unprivileged process: search (x) on every
//! directory of the path and read (r) on the file, by owner, group (with supplementary
//! groups) or other bits, and POSIX ACLs where the file has one (Linux).

use std::ffi::CString;
use std::fmt;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The worker users of the servers htguard knows, as the distributions name them.
const SERVER_USERS: [&str; 3] = ["www-data", "nginx", "apache"];

const READ: u16 = 4;
const SEARCH: u16 = 1;

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
        .filter_map(|name| Account::lookup(name).map(|a| (name.to_string(), a)))
        .collect();
    if users.is_empty() {
        return None;
    }
    let real = std::fs::canonicalize(path).ok()?;
    let mut first_block = None;
    for (_, account) in &users {
        // One server user that can read it is enough: we cannot tell which server reads it.
        let block = first_denied(&real, account)??;
        first_block.get_or_insert(block);
    }
    let (blocked_at, meta, has_acl) = first_block?;
    Some(ServerCannotRead {
        path: path.to_path_buf(),
        users: users.into_iter().map(|(name, _)| name).collect(),
        is_dir: meta.is_dir(),
        owner: names::user(meta.uid()),
        group: names::group(meta.gid()),
        mode: meta.mode() & 0o7777,
        has_acl,
        blocked_at,
    })
}

/// Whether a process of `uid` with `groups` (not root) may read (`want_read`) or search
/// (`!want_read`, a directory) the inode at `path`, by mode bits or its POSIX ACL. `None`
/// when `path` cannot be examined. For permission checks elsewhere (the model's
/// readability rules) that must agree with the kernel on ACL'd files.
pub fn may_access(path: &Path, uid: u32, groups: &[u32], want_read: bool) -> Option<bool> {
    let who = Account {
        uid,
        groups: groups.to_vec(),
    };
    let want = if want_read { READ } else { SEARCH };
    Some(check(path, &who, want)?.is_none())
}

/// The first component of `real` (an absolute, canonical path) that `who` may not pass:
/// `Some(Some(..))` denied there, `Some(None)` readable, `None` when a component cannot be
/// examined.
fn first_denied(real: &Path, who: &Account) -> Option<Option<(PathBuf, Metadata, bool)>> {
    let dirs: Vec<&Path> = real.ancestors().skip(1).collect();
    for dir in dirs.into_iter().rev() {
        if let Some(denied) = check(dir, who, SEARCH)? {
            return Some(Some(denied));
        }
    }
    check(real, who, READ)
}

fn check(path: &Path, who: &Account, want: u16) -> Option<Option<(PathBuf, Metadata, bool)>> {
    let meta = std::fs::metadata(path).ok()?;
    let owner = Owner::of(&meta);
    let acl = acl::read(path);
    let allowed = match &acl {
        Some(entries) => acl::allows(entries, owner, who, want),
        None => mode_allows(owner, who, want),
    };
    Some((!allowed).then(|| (path.to_path_buf(), meta, acl.is_some())))
}

/// What permission checks need of an inode.
#[derive(Clone, Copy, Debug)]
struct Owner {
    uid: u32,
    gid: u32,
    mode: u32,
}

impl Owner {
    fn of(meta: &Metadata) -> Owner {
        Owner {
            uid: meta.uid(),
            gid: meta.gid(),
            mode: meta.mode(),
        }
    }
}

/// The classic owner / group / other check.
fn mode_allows(owner: Owner, who: &Account, want: u16) -> bool {
    let mode = (owner.mode & 0o777) as u16;
    let bits = if who.uid == owner.uid {
        mode >> 6
    } else if who.in_group(owner.gid) {
        mode >> 3
    } else {
        mode
    };
    bits & want == want
}

/// A user as the kernel sees its processes: uid and every group.
#[derive(Clone, Debug)]
struct Account {
    uid: u32,
    groups: Vec<u32>,
}

impl Account {
    fn in_group(&self, gid: u32) -> bool {
        self.groups.contains(&gid)
    }

    /// The user `name` from the system's user database (NSS), with its supplementary groups.
    fn lookup(name: &str) -> Option<Account> {
        let c_name = CString::new(name).ok()?;
        let (uid, gid) = names::uid_gid(&c_name)?;
        let mut groups = vec![0u32; 64];
        loop {
            let mut count = groups.len() as libc::c_int;
            // SAFETY: `groups` has room for `count` entries; getgrouplist writes at most that
            // many and sets `count` to the number it needs.
            let rc = unsafe {
                libc::getgrouplist(
                    c_name.as_ptr(),
                    gid as _,
                    groups.as_mut_ptr() as _,
                    &mut count,
                )
            };
            if rc >= 0 {
                groups.truncate(count.max(0) as usize);
                break;
            }
            if count as usize <= groups.len() || groups.len() > 65_536 {
                groups = vec![gid];
                break;
            }
            groups.resize(count as usize, 0);
        }
        Some(Account { uid, groups })
    }
}

mod names;

#[cfg_attr(target_os = "linux", path = "readable/acl.rs")]
#[cfg_attr(not(target_os = "linux"), path = "readable/acl_fallback.rs")]
mod acl;

#[cfg(test)]
mod tests;
