//! Can the worker user open a file? Unix permission bits along the whole path, with the
//! user and groups taken from the target system's /etc/passwd and /etc/group
//! (under `--root` when given).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A user as the target system knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    /// Primary and supplementary groups.
    pub gids: Vec<u32>,
}

/// Look `name` up in `<root>/etc/passwd` and `<root>/etc/group`.
pub fn account(name: &str, root: Option<&Path>) -> Option<Account> {
    let base = root.map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let passwd = std::fs::read_to_string(base.join("etc/passwd")).ok()?;
    let (uid, gid) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 4 && f[0] == name).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })?;
    let mut gids = vec![gid];
    if let Ok(group) = std::fs::read_to_string(base.join("etc/group")) {
        for l in group.lines() {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() >= 4
                && f[3].split(',').any(|m| m == name)
                && let Ok(g) = f[2].parse()
            {
                gids.push(g);
            }
        }
    }
    Some(Account {
        name: name.to_string(),
        uid,
        gids,
    })
}

/// Why the account cannot open a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// The file or the directory that stops it.
    pub path: PathBuf,
    /// e.g. `mode 0640 root:root` for a file, `mode 0700` for a directory.
    pub reason: String,
}

/// Check that `account` may traverse every directory above `file` (within `top`, the
/// `--root` directory or `/`) and read `file`.
pub fn check_read(file: &Path, account: &Account, top: &Path) -> Result<(), Denied> {
    if account.uid == 0 {
        return Ok(());
    }
    let mut dirs: Vec<&Path> = file.ancestors().skip(1).collect();
    dirs.reverse();
    for dir in dirs {
        if !dir.starts_with(top) || dir.as_os_str().is_empty() {
            continue;
        }
        let Ok(m) = std::fs::metadata(dir) else {
            continue;
        };
        if !allowed(&m, account, 0o1) {
            return Err(Denied {
                path: dir.to_path_buf(),
                reason: describe(&m, "directory without search (x) permission"),
            });
        }
    }
    let Ok(m) = std::fs::metadata(file) else {
        return Ok(());
    };
    if !allowed(&m, account, 0o4) {
        return Err(Denied {
            path: file.to_path_buf(),
            reason: describe(&m, "not readable"),
        });
    }
    Ok(())
}

fn allowed(m: &std::fs::Metadata, a: &Account, bit: u32) -> bool {
    let mode = m.mode();
    let shift = if m.uid() == a.uid {
        6
    } else if a.gids.contains(&m.gid()) {
        3
    } else {
        0
    };
    mode >> shift & bit != 0
}

fn describe(m: &std::fs::Metadata, what: &str) -> String {
    format!(
        "{what}: mode {:04o}, owner uid {} gid {}",
        m.mode() & 0o7777,
        m.uid(),
        m.gid()
    )
}
