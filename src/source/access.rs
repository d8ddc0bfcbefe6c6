//! May a user open a file? The kernel's rules for an unprivileged process: search (x) on
//! every directory of the path and read (r) on the file, by owner, group (primary and
//! supplementary) or other bits — or by the file's POSIX ACL where it has one (Linux).
//! Users and groups come from the target system's `/etc/passwd` and `/etc/group` (under
//! `--root` when given), not from htguard's own permissions.
//!
//! One answer for every caller: the Apache and nginx models (can the worker user read the
//! password file?) and the store (can the server still read what was just written?).

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A user as the kernel sees its processes: uid and every group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub uid: u32,
    /// Primary and supplementary groups, sorted.
    pub groups: Vec<u32>,
}

/// What a caller needs of a path component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// Read a file.
    Read,
    /// Pass through a directory.
    Search,
}

impl Want {
    fn bit(self) -> u16 {
        match self {
            Want::Read => 4,
            Want::Search => 1,
        }
    }
}

/// The component that stops an account, and what it is.
#[derive(Clone, Debug)]
pub struct Denied {
    /// The file itself, or a directory above it.
    pub path: PathBuf,
    pub metadata: Metadata,
    /// Whether a POSIX ACL decided.
    pub has_acl: bool,
}

impl Denied {
    pub fn is_dir(&self) -> bool {
        self.metadata.is_dir()
    }

    /// `mode 0640, owner www-data, group root` (names from the target system when known).
    pub fn describe(&self, root: Option<&Path>) -> String {
        let m = &self.metadata;
        format!(
            "mode {:04o}{}, owner {}, group {}",
            m.mode() & 0o7777,
            if self.has_acl { " with an ACL" } else { "" },
            user_name(root, m.uid()),
            group_name(root, m.gid())
        )
    }
}

/// The lines of `<root>/etc/NAME` split at `:`.
fn database(root: Option<&Path>, name: &str) -> Vec<Vec<String>> {
    let path = match root {
        Some(r) => r.join("etc").join(name),
        None => PathBuf::from("/etc").join(name),
    };
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

/// `name` as a number: `#33` (Apache's notation) or `33`.
fn numeric(name: &str) -> Option<u32> {
    name.strip_prefix('#').unwrap_or(name).parse().ok()
}

impl Account {
    /// The user `user` (a name or `#uid`) as a server started as root runs it: its uid,
    /// `group` (a name or `#gid`; `None`: the user's primary group) and the groups that
    /// list the user as a member. `None` when the user is not in the database.
    pub fn lookup(root: Option<&Path>, user: &str, group: Option<&str>) -> Option<Account> {
        let passwd = database(root, "passwd");
        let entry = passwd.iter().find(|f| {
            f.len() > 3 && (f[0] == user || numeric(user).is_some_and(|u| f[2] == u.to_string()))
        });
        let (uid, name, primary) = match entry {
            Some(f) => (f[2].parse().ok()?, f[0].clone(), f[3].parse().ok()),
            None => (
                numeric(user).filter(|_| user.starts_with('#'))?,
                String::new(),
                None,
            ),
        };
        let group_db = database(root, "group");
        let chosen = match group {
            Some(g) => numeric(g).filter(|_| g.starts_with('#')).or_else(|| {
                group_db
                    .iter()
                    .find(|f| f.len() > 2 && f[0] == g)
                    .and_then(|f| f[2].parse().ok())
            }),
            None => primary,
        };
        let mut groups: Vec<u32> = chosen.into_iter().collect();
        for f in &group_db {
            if f.len() > 3
                && !name.is_empty()
                && f[3].split(',').any(|m| m == name)
                && let Ok(gid) = f[2].parse()
            {
                groups.push(gid);
            }
        }
        groups.sort_unstable();
        groups.dedup();
        Some(Account { uid, groups })
    }

    fn in_group(&self, gid: u32) -> bool {
        self.groups.contains(&gid)
    }

    /// Whether this account may do `want` on the inode at `path` (`metadata` is its stat).
    pub fn may(&self, path: &Path, metadata: &Metadata, want: Want) -> bool {
        if self.uid == 0 {
            return true;
        }
        let owner = Owner::of(metadata);
        match acl::read(path) {
            Some(entries) => acl::allows(&entries, owner, self, want.bit()),
            None => mode_allows(owner, self, want.bit()),
        }
    }

    /// The first component of `file` this account may not pass or read, looking only at
    /// directories below `top` (the `--root` directory, or `/`). `None`: it may read the
    /// file (or a component cannot be examined: the caller decides about a missing file).
    pub fn first_denied(&self, file: &Path, top: &Path) -> Option<Denied> {
        match self.first_denied_above(file, top, &Directories::default()) {
            Some(stop) => stop,
            None => self.denied_at(file, Want::Read),
        }
    }

    /// [`Account::first_denied`] for a file whose stat is known already, among many: the
    /// directories above them are examined once each, in `known` (10,000 password files
    /// in a few directories cost 60,000 stat + ACL lookups instead of 10,000).
    pub fn first_denied_with(
        &self,
        file: &Path,
        metadata: &Metadata,
        top: &Path,
        known: &Directories,
    ) -> Option<Denied> {
        match self.first_denied_above(file, top, known) {
            Some(stop) => stop,
            None => self.denied_with(file, metadata.clone(), Want::Read),
        }
    }

    /// Where the path lookup of `file` stops in a directory above it (see
    /// [`Directories::search`]), or `None` when it reaches the file.
    fn first_denied_above(
        &self,
        file: &Path,
        top: &Path,
        known: &Directories,
    ) -> Option<Option<Denied>> {
        known.through(self, file.parent()?, top)
    }

    fn denied_at(&self, path: &Path, want: Want) -> Option<Denied> {
        let metadata = std::fs::metadata(path).ok()?;
        self.denied_with(path, metadata, want)
    }

    fn denied_with(&self, path: &Path, metadata: Metadata, want: Want) -> Option<Denied> {
        (!self.may(path, &metadata, want)).then(|| Denied {
            has_acl: acl::read(path).is_some(),
            path: path.to_path_buf(),
            metadata,
        })
    }
}

/// Directories already examined for one account and one top: for each, where a path
/// lookup through it (from the top down to it) stops, None when it gets through.
/// Thousands of files share a few directories: each file asks about its own directory
/// once, not about every directory above it.
#[derive(Default)]
pub struct Directories(Mutex<foldhash::HashMap<PathBuf, Option<Option<Denied>>>>);

impl Directories {
    /// Where the lookup through `dir` stops: None when the account may search every
    /// directory from `top` down to `dir`; else at the first it may not
    /// (Some(Some(denied))), or at one that is a file (Some(None): the kernel finds that
    /// (ENOTDIR) before it asks for search permission, so the lookup fails as "not
    /// found", not "denied"). Directories above `top` (and `top` itself, but for `/`)
    /// are not the server's: they are not asked about.
    fn through(&self, who: &Account, dir: &Path, top: &Path) -> Option<Option<Denied>> {
        if let Some(known) = self.0.lock().ok().and_then(|m| m.get(dir).cloned()) {
            return known;
        }
        let above = dir.parent().and_then(|p| self.through(who, p, top));
        let asked = dir.starts_with(top) && !(dir == top && top != Path::new("/"));
        let stop = above.or_else(|| asked.then(|| search(who, dir)).flatten());
        if let Ok(mut m) = self.0.lock() {
            m.insert(dir.to_path_buf(), stop.clone());
        }
        stop
    }
}

/// Where the lookup stops at `dir` itself (see [`Directories::through`]).
fn search(who: &Account, dir: &Path) -> Option<Option<Denied>> {
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        Some(None)
    } else {
        who.denied_at(dir, Want::Search).map(Some)
    }
}

/// What the permission check needs of an inode.
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

/// The name of user `uid` on the target system, or the number.
pub fn user_name(root: Option<&Path>, uid: u32) -> String {
    name_of(&database(root, "passwd"), uid)
}

/// The name of group `gid` on the target system, or the number.
pub fn group_name(root: Option<&Path>, gid: u32) -> String {
    name_of(&database(root, "group"), gid)
}

fn name_of(db: &[Vec<String>], id: u32) -> String {
    db.iter()
        .find(|f| f.len() > 2 && f[2] == id.to_string())
        .map_or_else(|| id.to_string(), |f| f[0].clone())
}

#[cfg_attr(target_os = "linux", path = "access/acl.rs")]
#[cfg_attr(not(target_os = "linux"), path = "access/acl_fallback.rs")]
mod acl;

#[cfg(test)]
mod tests;
