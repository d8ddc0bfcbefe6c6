//! Removing temporary files left by writers that were killed (SIGKILL, power loss).
//!
//! Every writer creates its temporary file only while it holds the lock of the target, so
//! a temporary file of this target that was last changed before the one we just created
//! under our lock belongs to a writer that no longer runs. We remove only files that are
//! ours by name (`.NAME.XXXXXXXX.htguard-tmp`, exactly the pattern `new_temp` makes) and by
//! owner (this process's user or the target's owner), and only regular files.

use std::ffi::OsStr;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use tempfile::NamedTempFile;

pub(crate) const TEMP_SUFFIX: &str = ".htguard-tmp";
pub(crate) const RAND_LEN: usize = 8;

/// `.htpasswd` → `.htpasswd.`, `users` → `.users.`: the temporary file is hidden, and Apache's
/// default `<Files ".ht*">` denies serving it for the moment it exists.
pub(crate) fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with('.') {
        format!("{name}.")
    } else {
        format!(".{name}.")
    }
}

/// Whether `name` is a temporary file that `new_temp` makes for a target with this prefix.
pub(crate) fn is_temp_name(name: &OsStr, prefix: &str) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    let Some(middle) = name
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    middle.len() == RAND_LEN && middle.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Remove the stale temporary files of `target` in `dir`. `ours` is the temporary file this
/// writer just created under the lock; `owner` is the target's owner (a root writer hands
/// its temporary file to it before the rename). Best effort: a file that cannot be removed
/// stays, and the write goes on. Returns how many were removed.
pub(crate) fn remove(target: &Path, dir: &Path, ours: &NamedTempFile, owner: u32) -> usize {
    let Ok(reference) = ours.as_file().metadata() else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let prefix = temp_prefix(target);
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !is_temp_name(&name, &prefix) || entry.path() == ours.path() {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if is_stale(&meta, &reference, me, owner) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A regular file of ours, last changed strictly before our own temporary file was made
/// (both times come from the same file-system clock).
fn is_stale(meta: &Metadata, reference: &Metadata, me: u32, owner: u32) -> bool {
    let older = (meta.mtime(), meta.mtime_nsec()) < (reference.mtime(), reference.mtime_nsec());
    meta.file_type().is_file() && (meta.uid() == me || meta.uid() == owner) && older
}
