//! Writing the new content beside the target and swapping it in.

use super::cleanup::{self, Armed, c_path};
use super::error::{Step, StoreError};
use super::lock::LockedFile;
use super::{attrs, stale};
use std::fs::{File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use tempfile::NamedTempFile;

/// A temporary file beside the target. Dropping it removes the file, then disarms the
/// signal cleanup (fields drop in order), so the file never exists unarmed.
struct Temp {
    file: NamedTempFile,
    armed: Armed,
}

/// Replace the existing `target` (locked by the caller as `original`) with `bytes`, keeping
/// the original's owner, extended attributes (ACLs, SELinux label, …) and mode.
pub(crate) fn replace(
    target: &Path,
    dir: &Path,
    dir_file: &File,
    bytes: &[u8],
    original: &LockedFile,
) -> Result<(), StoreError> {
    let temp = new_temp(target, dir)?;
    stale::remove(target, dir, &temp.file, original.meta.uid());
    write_all(&temp.file, target, bytes)?;
    // Owner first (chown clears set-id bits and file capabilities), then the attributes (an
    // ACL sets the permission bits too), then the mode, which agrees with the copied ACL.
    keep_owner(&temp.file, target, original.meta.uid(), original.meta.gid())?;
    attrs::copy(&original.file, temp.file.as_file(), target)?;
    set_mode(&temp.file, target, original.meta.mode() & 0o7777)?;
    sync(&temp.file, target)?;
    persist(temp, target, false)?;
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
    // SAFETY: geteuid has no preconditions.
    stale::remove(target, dir, &temp.file, unsafe { libc::geteuid() });
    write_all(&temp.file, target, bytes)?;
    set_mode(&temp.file, target, mode & 0o7777)?;
    sync(&temp.file, target)?;
    persist(temp, target, true)?;
    sync_dir(dir_file, target)
}

/// Rename the temporary file over (or, with `no_clobber`, to) `target`. On failure the
/// temporary file is removed before it is disarmed.
fn persist(temp: Temp, target: &Path, no_clobber: bool) -> Result<(), StoreError> {
    let Temp { file, armed } = temp;
    let result = if no_clobber {
        file.persist_noclobber(target)
    } else {
        file.persist(target)
    };
    let result = result.map(drop).map_err(|e| {
        if no_clobber && e.error.kind() == io::ErrorKind::AlreadyExists {
            StoreError::Raced {
                path: target.to_path_buf(),
            }
        } else {
            StoreError::io(Step::Replace, target, e.error)
        }
    });
    drop(armed);
    result
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

fn new_temp(target: &Path, dir: &Path) -> Result<Temp, StoreError> {
    let (file, armed) = cleanup::create_armed(
        || {
            tempfile::Builder::new()
                .prefix(&stale::temp_prefix(target))
                .suffix(stale::TEMP_SUFFIX)
                .rand_bytes(stale::RAND_LEN)
                .permissions(Permissions::from_mode(0o600))
                .tempfile_in(dir)
        },
        |file| file.path(),
    )
    .map_err(|e| StoreError::io(Step::CreateTemp, target, plain_os_error(e)))?;
    Ok(Temp { file, armed })
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
