//! Exclusive locks that stay correct when the locked file is replaced by rename.
//!
//! Writers lock the target file itself (flock, through std's `File::try_lock`) and then replace it by renaming a
//! new inode over the path. A second writer that opened the path before that rename waits
//! on the *old* inode; when it finally gets the lock, the path already names the new inode
//! and its lock protects nothing. So after acquiring a lock we compare the locked fd's
//! (dev, inode) with the path's: if they differ (or the path is gone) we drop the lock and
//! start over. The invariant that makes this sound: the path is only ever replaced by a
//! process that holds the lock on the inode the path names at that moment, so "I hold the lock
//! on the inode the path names" excludes every other locking writer until we release it.
//!
//! A file that does not exist yet has no inode to lock; creators lock the *directory* instead
//! (its inode is never replaced) and create with a no-clobber link, so two creators serialize
//! and a creator never overwrites a file that appeared meanwhile.

use super::error::{Step, StoreError};
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

/// How many times the path may be replaced under us before we give up.
const MAX_RETRIES: u32 = 10_000;

/// The target, opened, locked, and verified to still be what the path names.
pub(crate) struct LockedFile {
    pub file: File,
    pub meta: std::fs::Metadata,
}

/// Lock the existing file at `path`. `Ok(None)` means the file does not exist.
pub(crate) fn lock_existing(
    path: &Path,
    timeout: Duration,
) -> Result<Option<LockedFile>, StoreError> {
    let start = Instant::now();
    for _ in 0..MAX_RETRIES {
        let file = match OpenOptions::new()
            .read(true)
            // O_NONBLOCK: opening a FIFO must not hang; it is refused below.
            .custom_flags(libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(Step::Open, path, e)),
        };
        let before = file
            .metadata()
            .map_err(|e| StoreError::io(Step::Open, path, e))?;
        if !before.file_type().is_file() {
            return Err(StoreError::NotRegular {
                path: path.to_path_buf(),
                kind: kind_name(&before),
            });
        }
        acquire(&file, path, start, timeout)?;
        let locked = file
            .metadata()
            .map_err(|e| StoreError::io(Step::Lock, path, e))?;
        match std::fs::metadata(path) {
            Ok(now) if now.dev() == locked.dev() && now.ino() == locked.ino() => {
                return Ok(Some(LockedFile { file, meta: locked }));
            }
            Ok(_) => continue, // replaced while we waited: our lock is on a stale inode
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StoreError::io(Step::Lock, path, e)),
        }
    }
    Err(StoreError::Contended {
        path: path.to_path_buf(),
    })
}

/// Lock the directory `dir` for creating `target` in it. `Ok(false)`: the file system does not
/// support directory locks (e.g. NFS); creation then relies on the no-clobber link alone.
pub(crate) fn lock_dir(dir: &File, target: &Path, timeout: Duration) -> Result<bool, StoreError> {
    match acquire(dir, target, Instant::now(), timeout) {
        Ok(()) => Ok(true),
        Err(StoreError::Io { source, .. })
            if matches!(
                source.raw_os_error(),
                Some(libc::EBADF | libc::ENOLCK | libc::EOPNOTSUPP | libc::EINVAL)
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Take an exclusive flock, polling so that a hung holder turns into a clear error after
/// `timeout` instead of a silent hang.
fn acquire(file: &File, path: &Path, start: Instant, timeout: Duration) -> Result<(), StoreError> {
    let mut pause = Duration::from_micros(200);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(TryLockError::Error(e)) => return Err(StoreError::io(Step::Lock, path, e)),
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(StoreError::LockTimeout {
                path: path.to_path_buf(),
                waited,
            });
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn kind_name(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}

pub(crate) fn not_regular(path: &Path, meta: &std::fs::Metadata) -> StoreError {
    StoreError::NotRegular {
        path: path.to_path_buf(),
        kind: kind_name(meta),
    }
}
