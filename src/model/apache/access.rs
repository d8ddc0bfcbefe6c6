//! Can the worker user (`User`/`Group`, Debian: www-data) open a file? Decided from the
//! mode bits, owner and group of the file and of every directory above it, against the
//! uid and gids in `/etc/passwd` and `/etc/group` (under `--root` when given) — not by
//! whether htguard itself can read it.

use foldhash::{HashMap, HashMapExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A worker identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub gids: Vec<u32>,
}

/// What the worker gets when it opens the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileAccess {
    Readable,
    Missing,
    /// A directory or other non-regular file (AH00554).
    NotRegular,
    /// Permission denied, with the reason.
    Denied(String),
    /// The worker user is not in /etc/passwd: readability was not decided.
    UnknownUser,
}

fn read_db(root: Option<&Path>, name: &str) -> String {
    let p = match root {
        Some(r) => r.join("etc").join(name),
        None => PathBuf::from("/etc").join(name),
    };
    std::fs::read_to_string(p).unwrap_or_default()
}

/// Look `user` (name or `#uid`) and `group` up in the passwd and group databases.
pub fn identity(root: Option<&Path>, user: &str, group: &str) -> Option<Identity> {
    let passwd = read_db(root, "passwd");
    let groups = read_db(root, "group");
    let (uid, primary) = if let Some(n) = user.strip_prefix('#') {
        let uid: u32 = n.parse().ok()?;
        let gid = passwd
            .lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.len() > 3 && f[2].parse() == Ok(uid))
            .and_then(|f| f[3].parse().ok());
        (uid, gid)
    } else {
        let f: Vec<&str> = passwd
            .lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.len() > 3 && f[0] == user)?;
        (f[2].parse().ok()?, f[3].parse().ok())
    };
    let mut gids: Vec<u32> = primary.into_iter().collect();
    for l in groups.lines() {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 4 {
            continue;
        }
        let Ok(gid) = f[2].parse::<u32>() else {
            continue;
        };
        let is_group =
            f[0] == group || group.strip_prefix('#').and_then(|g| g.parse().ok()) == Some(gid);
        if is_group || f[3].split(',').any(|m| m == user) {
            gids.push(gid);
        }
    }
    gids.sort();
    gids.dedup();
    Some(Identity { uid, gids })
}

fn allowed(meta: &std::fs::Metadata, who: &Identity, bit: u32) -> bool {
    if who.uid == 0 {
        return true;
    }
    let mode = meta.mode();
    if meta.uid() == who.uid {
        mode & (bit << 6) != 0
    } else if who.gids.contains(&meta.gid()) {
        mode & (bit << 3) != 0
    } else {
        mode & bit != 0
    }
}

/// Whether the worker can open `local` (a path on this machine) for reading.
/// `root` is `--root`: directories above it are not the server's.
pub fn check(local: &Path, root: Option<&Path>, who: Option<&Identity>) -> FileAccess {
    Checker::new(root, who).check(local)
}

/// Checks many files for one worker under one `--root`, remembering what each directory
/// answers: password files share their parent directories, and a `stat` per ancestor
/// per file was most of the cost.
pub struct Checker<'a> {
    root: Option<&'a Path>,
    who: Option<&'a Identity>,
    /// Directory -> why the worker cannot pass it or a directory above it (`None`: it can).
    searchable: HashMap<PathBuf, Option<String>>,
}

impl<'a> Checker<'a> {
    pub fn new(root: Option<&'a Path>, who: Option<&'a Identity>) -> Self {
        Checker {
            root,
            who,
            searchable: HashMap::new(),
        }
    }

    /// Whether this checker answers for `root` and `who`.
    pub fn is_for(&self, root: Option<&Path>, who: Option<&Identity>) -> bool {
        self.root == root && self.who == who
    }

    /// Whether the worker can open `local` for reading.
    pub fn check(&mut self, local: &Path) -> FileAccess {
        let meta = match std::fs::metadata(local) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileAccess::Missing,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                // htguard itself cannot look; the worker likely cannot either.
                return FileAccess::Denied(format!("{e}"));
            }
            Err(_) => return FileAccess::Missing,
        };
        if !meta.is_file() {
            return FileAccess::NotRegular;
        }
        let Some(who) = self.who else {
            return FileAccess::UnknownUser;
        };
        if let Some(why) = self.denied_dir_for(local.parent(), who) {
            return FileAccess::Denied(why);
        }
        if allowed(&meta, who, 0o4) {
            FileAccess::Readable
        } else {
            FileAccess::Denied(format!(
                "mode {:o}, owner {}, group {}",
                meta.mode() & 0o7777,
                meta.uid(),
                meta.gid()
            ))
        }
    }

    /// The first directory from `start` up that does not let the worker in, described.
    pub fn denied_dir(&mut self, start: Option<&Path>) -> Option<String> {
        let who = self.who?;
        self.denied_dir_for(start, who)
    }

    fn denied_dir_for(&mut self, start: Option<&Path>, who: &Identity) -> Option<String> {
        // Directories passed on the way up share the answer found above them.
        let mut passed: Vec<&Path> = Vec::new();
        let mut answer = None;
        let mut dir = start;
        while let Some(d) = dir {
            if self.root.is_some_and(|r| !d.starts_with(r) || d == r) {
                break;
            }
            if let Some(known) = self.searchable.get(d) {
                answer = known.clone();
                break;
            }
            if let Ok(m) = std::fs::metadata(d)
                && !allowed(&m, who, 0o1)
            {
                let why = format!(
                    "directory {} (mode {:o}, owner {}, group {}) does not let it in",
                    d.display(),
                    m.mode() & 0o7777,
                    m.uid(),
                    m.gid()
                );
                self.searchable.insert(d.to_path_buf(), Some(why.clone()));
                answer = Some(why);
                break;
            }
            passed.push(d);
            dir = d.parent();
        }
        for d in passed {
            self.searchable.insert(d.to_path_buf(), answer.clone());
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn mode_bits_decide_for_other_users() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("h");
        std::fs::write(&f, "u:x\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let stranger = Identity {
            uid: 4242,
            gids: vec![4242],
        };
        assert!(matches!(
            check(&f, None, Some(&stranger)),
            FileAccess::Denied(_)
        ));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(check(&f, None, Some(&stranger)), FileAccess::Readable);
        assert_eq!(
            check(t.path(), None, Some(&stranger)),
            FileAccess::NotRegular
        );
        assert_eq!(
            check(&t.path().join("nope"), None, Some(&stranger)),
            FileAccess::Missing
        );
    }

    #[test]
    fn identity_reads_passwd_and_group_under_root() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("etc")).unwrap();
        std::fs::write(
            t.path().join("etc/passwd"),
            "www:x:33:33::/var/www:/bin/false\n",
        )
        .unwrap();
        std::fs::write(t.path().join("etc/group"), "www:x:33:\nshadow:x:42:www\n").unwrap();
        let id = identity(Some(t.path()), "www", "www").unwrap();
        assert_eq!(
            id,
            Identity {
                uid: 33,
                gids: vec![33, 42]
            }
        );
        assert!(identity(Some(t.path()), "nobody", "x").is_none());
    }
}
