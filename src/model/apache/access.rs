//! Can the worker user (`User`/`Group`, Debian: www-data) open a file? The kernel's rules
//! (`source::access`: mode bits or POSIX ACL, along the whole path) for the worker's uid
//! and groups in `/etc/passwd` and `/etc/group` (under `--root` when given) — not whether
//! htguard itself can read it.

use crate::source::access::{Account, Directories};
use std::path::Path;

/// The worker's identity.
pub type Identity = Account;

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

/// httpd's worker: `User` (name or `#uid`) with `Group` as its group, and the groups that
/// list the user (httpd calls initgroups).
pub fn identity(root: Option<&Path>, user: &str, group: &str) -> Option<Identity> {
    Account::lookup(root, user, Some(group))
}

/// Whether the worker can open `local` (a path on this machine) for reading.
/// `root` is `--root`: directories above it are not the server's. `known`: the
/// directories already examined for `who` (many files share a few directories).
pub fn check(
    local: &Path,
    root: Option<&Path>,
    who: Option<&Identity>,
    known: &Directories,
) -> FileAccess {
    let meta = match std::fs::metadata(local) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // htguard itself cannot look; the worker likely cannot either.
            return FileAccess::Denied(format!("{e}"));
        }
        Err(_) => return FileAccess::Missing,
    };
    if !meta.is_file() {
        return FileAccess::NotRegular;
    }
    let Some(who) = who else {
        return FileAccess::UnknownUser;
    };
    match who.first_denied_with(local, &meta, root.unwrap_or(Path::new("/")), known) {
        None => FileAccess::Readable,
        Some(denied) if denied.is_dir() => FileAccess::Denied(format!(
            "directory {} ({}) does not let it in",
            denied.path.display(),
            denied.describe(root)
        )),
        Some(denied) => FileAccess::Denied(denied.describe(root)),
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
            groups: vec![4242],
        };
        assert!(matches!(
            check(&f, None, Some(&stranger), &Directories::default()),
            FileAccess::Denied(_)
        ));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            check(&f, None, Some(&stranger), &Directories::default()),
            FileAccess::Readable
        );
        assert_eq!(
            check(t.path(), None, Some(&stranger), &Directories::default()),
            FileAccess::NotRegular
        );
        assert_eq!(
            check(
                &t.path().join("nope"),
                None,
                Some(&stranger),
                &Directories::default()
            ),
            FileAccess::Missing
        );
    }
}
