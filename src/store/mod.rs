//! The only code that writes password files: locked, atomic, mode- and owner-keeping.
//!
//! [`update`] takes an exclusive lock (see `lock.rs` for why it stays correct across renames),
//! re-reads the file under the lock, lets the caller compute the new bytes, writes them to a
//! temporary file in the same directory, flushes it, gives it the original's owner, extended
//! attributes (POSIX ACLs, SELinux label) and mode, renames it over the original and flushes
//! the directory. Readers never see a partial file; a failure at any step leaves the original
//! byte-identical and removes the temporary file. Temporary files left by killed writers are
//! removed by the next writer (`stale.rs`). [`server_cannot_read`] tells a caller when the
//! web server's user cannot read the file it wrote.

mod attrs;
mod cleanup;
mod error;
mod lock;
mod readable;
mod stale;
mod write;

pub use error::{AttrAction, Step, StoreError, UpdateError};
pub use readable::{ServerCannotRead, server_cannot_read};

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How a write may treat the target.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// Create the file if it does not exist (with `create_mode`).
    pub create: bool,
    /// Mode of a newly created file (default 0o640: the group — e.g. the web server's — may
    /// read the hashes, the world may not).
    pub create_mode: u32,
    /// How long to wait for another writer's lock before giving up (default 60 s).
    pub lock_timeout: Duration,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            create: false,
            create_mode: 0o640,
            lock_timeout: Duration::from_secs(60),
        }
    }
}

/// Lock `path`, read it under the lock (`None` if it does not exist and `create` is set),
/// let `edit` compute the new content (returning `Ok(None)` means "no change"), and
/// replace the file atomically. Returns whether the file was written.
///
/// A symlink is followed: its target is edited and the link stays a link. `edit` is called
/// at most once, while the lock is held, so it should be quick: hash passwords before
/// calling `update` when the hashes do not depend on the file's content.
pub fn update<E>(
    path: &Path,
    opts: &WriteOptions,
    edit: impl FnOnce(Option<&[u8]>) -> Result<Option<Vec<u8>>, E>,
) -> Result<bool, UpdateError<E>> {
    let target = resolve_symlinks(path)?;
    let dir = parent_dir(&target);
    let mut edit = Some(edit);
    loop {
        if let Some(locked) = lock::lock_existing(&target, opts.lock_timeout)? {
            let edit = edit.take().expect("edit is called once");
            return replace_existing(&target, &dir, locked, edit);
        }
        if !opts.create {
            return Err(StoreError::Missing { path: target }.into());
        }
        let dir_file = open_dir(&dir, &target)?;
        // The directory lock lives as long as `dir_file` (flock is tied to the open file).
        lock::lock_dir(&dir_file, &target, opts.lock_timeout)?;
        match std::fs::symlink_metadata(&target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            // Created meanwhile by another writer: edit what it wrote instead.
            Ok(_) => continue,
            Err(e) => return Err(StoreError::io(Step::Resolve, &target, e).into()),
        }
        let edit = edit.take().expect("edit is called once");
        let Some(bytes) = edit(None).map_err(UpdateError::Edit)? else {
            return Ok(false);
        };
        write::create_new(&target, &dir, &dir_file, &bytes, opts.create_mode)?;
        drop(dir_file);
        return Ok(true);
    }
}

/// Read a password file for a read-only operation, with the same error wording as writes.
/// (Writes are atomic renames, so a reader needs no lock to see a whole file.)
pub fn read(path: &Path) -> Result<Vec<u8>, StoreError> {
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(StoreError::io(Step::Open, path, e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| StoreError::io(Step::Read, path, e))?;
    if !meta.file_type().is_file() {
        return Err(lock::not_regular(path, &meta));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)
        .map_err(|e| StoreError::io(Step::Read, path, e))?;
    Ok(bytes)
}

fn replace_existing<E>(
    target: &Path,
    dir: &Path,
    mut locked: lock::LockedFile,
    edit: impl FnOnce(Option<&[u8]>) -> Result<Option<Vec<u8>>, E>,
) -> Result<bool, UpdateError<E>> {
    if locked.meta.nlink() > 1 {
        return Err(StoreError::HardLinked {
            path: target.to_path_buf(),
            links: locked.meta.nlink(),
        }
        .into());
    }
    // Renaming over a file needs only directory permission; respect the file's own mode
    // as an in-place editor would (and an immutable file, for root too).
    write::check_writable(target)?;
    let mut current = Vec::with_capacity(locked.meta.len() as usize);
    locked
        .file
        .read_to_end(&mut current)
        .map_err(|e| StoreError::io(Step::Read, target, e))?;
    let Some(bytes) = edit(Some(&current)).map_err(UpdateError::Edit)? else {
        return Ok(false);
    };
    let dir_file = open_dir(dir, target)?;
    write::replace(target, dir, &dir_file, &bytes, &locked)?;
    // The lock is released when `locked.file` is dropped, after the rename.
    drop(locked);
    Ok(true)
}

/// Follow symlinks (relative ones from their own directory) to the file that holds the data.
/// The result may not exist yet (a dangling link names the file to create).
fn resolve_symlinks(path: &Path) -> Result<PathBuf, StoreError> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .map_err(|e| StoreError::io(Step::Resolve, &current, e))?;
                current = if link.is_absolute() {
                    link
                } else {
                    parent_dir(&current).join(link)
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(StoreError::io(Step::Resolve, &current, e)),
        }
    }
    Err(StoreError::SymlinkLoop {
        path: path.to_path_buf(),
    })
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn open_dir(dir: &Path, target: &Path) -> Result<File, StoreError> {
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(dir)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) {
                StoreError::NoDirectory {
                    path: target.to_path_buf(),
                    dir: dir.to_path_buf(),
                }
            } else {
                StoreError::io(Step::OpenDir, target, e)
            }
        })
}

#[cfg(test)]
mod tests;
