//! Writing the new content beside the target and swapping it in.

use super::cleanup::{Armed, c_path};
use super::error::{Step, StoreError};
use std::fs::{File, Metadata, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use tempfile::NamedTempFile;

/// Replace the existing `target` (locked by the caller) with `bytes`, keeping `meta`'s mode
/// and owner.
pub(crate) fn replace(
    target: &Path,
    dir: &Path,
    dir_file: &File,
    bytes: &[u8],
    meta: &Metadata,
) -> Result<(), StoreError> {
    let temp = new_temp(target, dir)?;
    let _armed = Armed::new(temp.path());
    write_all(&temp, target, bytes)?;
    keep_owner(&temp, target, meta.uid(), meta.gid())?;
    set_mode(&temp, target, meta.mode() & 0o7777)?;
    sync(&temp, target)?;
    temp.persist(target)
        .map_err(|e| StoreError::io(Step::Replace, target, e.error))?;
    sync_dir(dir_file, target)
}

/// Create `target`, which did not exist when the caller locked `dir_file`, with `mode`.
/// Never overwrites: if something appeared at `target` meanwhile, nothing is written.
pub(crate) fn create_new(
    target: &Path,
    dir: &Path,
    dir_file: &File,
    bytes: &[u8],
    mode: u32,
) -> Result<(), StoreError> {
    let temp = new_temp(target, dir)?;
    let _armed = Armed::new(temp.path());
    write_all(&temp, target, bytes)?;
    set_mode(&temp, target, mode & 0o7777)?;
    sync(&temp, target)?;
    temp.persist_noclobber(target).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            StoreError::Raced {
                path: target.to_path_buf(),
            }
        } else {
            StoreError::io(Step::Replace, target, e.error)
        }
    })?;
    sync_dir(dir_file, target)
}

/// Fail unless this process may write `target` itself: renaming over it needs only the
/// directory's permission, but an in-place editor would be stopped by the file's mode or an
/// immutable attribute, and so are we.
pub(crate) fn check_writable(target: &Path) -> Result<(), StoreError> {
    let c = c_path(target).map_err(|e| StoreError::io(Step::Open, target, e))?;
    // SAFETY: `c` is a valid NUL-terminated string.
    let rc = unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
    if rc == 0 {
        Ok(())
    } else {
        Err(StoreError::io(
            Step::Open,
            target,
            io::Error::last_os_error(),
        ))
    }
}

fn new_temp(target: &Path, dir: &Path) -> Result<NamedTempFile, StoreError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `.htpasswd` → `.htpasswd.XXXXXXXX.htguard-tmp`: hidden, and Apache's default
    // `<Files ".ht*">` denies serving it for the moment it exists.
    let prefix = if name.starts_with('.') {
        format!("{name}.")
    } else {
        format!(".{name}.")
    };
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".htguard-tmp")
        .rand_bytes(8)
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| StoreError::io(Step::CreateTemp, target, plain_os_error(e)))
}

/// tempfile wraps the OS error with the temp path (a private type that hides the errno);
/// recover the errno from std's "(os error N)" text so the message and its hint are about
/// the cause, not a random name.
fn plain_os_error(e: io::Error) -> io::Error {
    if e.raw_os_error().is_some() {
        return e;
    }
    let text = e.to_string();
    let errno = text
        .rsplit_once("(os error ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .and_then(|(n, _)| n.parse::<i32>().ok());
    match errno {
        Some(n) => io::Error::from_raw_os_error(n),
        None => e,
    }
}

fn write_all(temp: &NamedTempFile, target: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = temp.as_file();
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| StoreError::io(Step::WriteTemp, target, e))
}

/// Give the new copy the original's owner. Root can always; an ordinary user can keep a file
/// it owns (and a group it belongs to). Otherwise refuse: replacing a file owned by someone
/// else with one owned by us could lock the web server out of it.
fn keep_owner(temp: &NamedTempFile, target: &Path, uid: u32, gid: u32) -> Result<(), StoreError> {
    let mine = temp
        .as_file()
        .metadata()
        .map_err(|e| StoreError::io(Step::SetOwner, target, e))?;
    if mine.uid() == uid && mine.gid() == gid {
        return Ok(());
    }
    // SAFETY: fchown on an fd we own.
    let rc = unsafe { libc::fchown(temp.as_file().as_raw_fd(), uid, gid) };
    if rc == 0 {
        return Ok(());
    }
    Err(StoreError::Owner {
        path: target.to_path_buf(),
        uid,
        gid,
        me: mine.uid(),
        source: io::Error::last_os_error(),
    })
}

fn set_mode(temp: &NamedTempFile, target: &Path, mode: u32) -> Result<(), StoreError> {
    temp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(|e| StoreError::io(Step::SetMode, target, e))
}

fn sync(temp: &NamedTempFile, target: &Path) -> Result<(), StoreError> {
    temp.as_file()
        .sync_all()
        .map_err(|e| StoreError::io(Step::SyncTemp, target, e))
}

/// Flush the directory so the rename itself survives a power failure. Some file systems do
/// not support fsync on a directory (EINVAL); there is nothing more to do on those.
fn sync_dir(dir_file: &File, target: &Path) -> Result<(), StoreError> {
    match dir_file.sync_all() {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        Err(e) => Err(StoreError::NotDurable {
            path: target.to_path_buf(),
            source: e,
        }),
    }
}
