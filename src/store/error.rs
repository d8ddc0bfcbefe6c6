//! Why a write did not happen, worded for the person at the terminal: the path,
//! the cause, what to do, and that the file was left as it was.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// The step of a write that failed; it names what was being done in the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Resolve,
    Open,
    Lock,
    Read,
    OpenDir,
    CreateTemp,
    WriteTemp,
    SetOwner,
    SetMode,
    SyncTemp,
    Replace,
}

impl Step {
    fn verb(self) -> &'static str {
        match self {
            Step::Resolve => "look up",
            Step::Open => "open",
            Step::Lock => "lock",
            Step::Read => "read",
            Step::OpenDir => "open the directory of",
            Step::CreateTemp => "create a temporary file beside",
            Step::WriteTemp => "write the new content of",
            Step::SetOwner => "set the owner of the new copy of",
            Step::SetMode => "set the mode of the new copy of",
            Step::SyncTemp => "flush to disk the new copy of",
            Step::Replace => "replace",
        }
    }
}

/// Why a write did not happen. Unless the variant says otherwise the original
/// file is byte-identical to what it was and no temporary file is left behind.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file does not exist and `WriteOptions::create` was not set.
    #[error("{} does not exist", path.display())]
    Missing { path: PathBuf },

    /// The directory that should hold a new file does not exist.
    #[error("cannot create {}: the directory {} does not exist", path.display(), dir.display())]
    NoDirectory { path: PathBuf, dir: PathBuf },

    /// The path names a directory, FIFO, device, …
    #[error("{} is not a regular file (it is a {kind}); nothing was written", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },

    /// Replacing a hard-linked file by rename would leave its other names on the old content.
    #[error(
        "{} has {links} hard links; an atomic replace would leave the other names with the old \
         content. Make the other names symbolic links (htguard edits a symlink's target), then \
         retry; the file was not changed",
        path.display()
    )]
    HardLinked { path: PathBuf, links: u64 },

    /// A symlink chain that does not end.
    #[error("{}: too many levels of symbolic links; nothing was written", path.display())]
    SymlinkLoop { path: PathBuf },

    /// A system call failed.
    #[error("cannot {} {}: {source}{}; {} was not changed", step.verb(), path.display(), Hint(source), path.display())]
    Io {
        step: Step,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The process may write the file but may not give the new copy the original owner.
    #[error(
        "cannot keep the owner of {} (uid {uid}, gid {gid}) when writing as uid {me}: {source}. \
         Run as the file's owner or as root; the file was not changed",
        path.display()
    )]
    Owner {
        path: PathBuf,
        uid: u32,
        gid: u32,
        me: u32,
        #[source]
        source: io::Error,
    },

    /// An extended attribute of the file (an ACL, an SELinux label, …) could not be kept on
    /// the new copy; writing without it would silently change who may read the file.
    #[error(
        "cannot keep the extended attribute `{name}` of {}: {} failed: {source}{}; {} was not \
         changed",
        path.display(), action.what(), AttrHint { name, source }, path.display()
    )]
    Attribute {
        path: PathBuf,
        name: String,
        action: AttrAction,
        #[source]
        source: io::Error,
    },

    /// Another process holds the lock for longer than `WriteOptions::lock_timeout`.
    #[error(
        "{} is locked by another process (waited {}s); the file was not changed. \
         Retry when the other writer has finished",
        path.display(), waited.as_secs()
    )]
    LockTimeout { path: PathBuf, waited: Duration },

    /// The file kept being replaced while we tried to lock it.
    #[error(
        "{} kept being replaced while htguard tried to lock it; the file was not changed. Retry",
        path.display()
    )]
    Contended { path: PathBuf },

    /// A program that does not lock created the file while htguard was creating it.
    #[error(
        "{} appeared while htguard was creating it (another program wrote it without locking); \
         nothing was written. Run the command again",
        path.display()
    )]
    Raced { path: PathBuf },

    /// The new content is in place but its directory entry could not be flushed to disk.
    #[error(
        "{} was written, but its directory could not be flushed to disk: {source}; the change \
         may be lost on a power failure",
        path.display()
    )]
    NotDurable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    /// Whether the file on disk may differ from before the call (only `NotDurable`).
    pub fn file_changed(&self) -> bool {
        matches!(self, StoreError::NotDurable { .. })
    }

    /// The OS error behind this failure, if any (for callers that map errno to exit codes).
    pub fn os_error(&self) -> Option<&io::Error> {
        match self {
            StoreError::Io { source, .. }
            | StoreError::Owner { source, .. }
            | StoreError::Attribute { source, .. }
            | StoreError::NotDurable { source, .. } => Some(source),
            _ => None,
        }
    }

    pub(crate) fn io(step: Step, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io {
            step,
            path: path.into(),
            source,
        }
    }
}

/// What was being done with an extended attribute when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrAction {
    /// Listing the attributes (of the original or the new copy).
    List,
    /// Reading the original's value.
    Read,
    /// Setting it on the new copy.
    Set,
    /// Removing one the original does not have from the new copy.
    Remove,
}

impl AttrAction {
    fn what(self) -> &'static str {
        match self {
            AttrAction::List => "listing the attributes",
            AttrAction::Read => "reading it",
            AttrAction::Set => "setting it on the new copy",
            AttrAction::Remove => "removing it from the new copy (the original does not have it)",
        }
    }
}

/// What to do when an attribute cannot be kept, by namespace.
struct AttrHint<'a> {
    name: &'a str,
    source: &'a io::Error,
}

impl fmt::Display for AttrHint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name;
        let hint = if matches!(self.source.raw_os_error(), Some(libc::ENOTSUP)) {
            " — the file system does not accept it on a new file"
        } else if name == "security.selinux" {
            " — the SELinux policy does not let this process give the new copy the file's \
             label; run htguard in a domain that may relabel files (e.g. unconfined root), or \
             check `ls -Z` and the audit log"
        } else if name.starts_with("system.posix_acl") {
            " — run as the file's owner or as root to keep its ACL (see `getfacl`)"
        } else if name.starts_with("trusted.") || name.starts_with("security.") {
            " — only root (CAP_SYS_ADMIN) may set this attribute: run htguard as root"
        } else {
            " — run as the file's owner or as root, or remove the attribute if it is not \
             needed (`setfattr -x NAME FILE`)"
        };
        f.write_str(hint)
    }
}

/// What to do about an errno, appended to the message ("" when there is nothing useful).
struct Hint<'a>(&'a io::Error);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = match self.0.raw_os_error() {
            Some(libc::ENOSPC) => " — the file system is full; free some space and retry",
            Some(libc::EDQUOT) => " — the disk quota is exhausted; free some space and retry",
            Some(libc::EFBIG) => {
                " — the new file is larger than the file-size limit (`ulimit -f`); raise the limit"
            }
            Some(libc::EACCES) => {
                " — run as a user who may write both the file and its directory (the owner or root)"
            }
            Some(libc::EPERM) => {
                " — the file or its directory may be immutable (`lsattr`, `chattr -i`) or a \
                 security policy forbids it"
            }
            Some(libc::EROFS) => " — the file system is mounted read-only",
            Some(libc::EIO) => " — the device reported an I/O error",
            Some(libc::EINTR) => " — the operation was interrupted",
            Some(libc::ENOLCK) => " — the file system does not support locks",
            _ => "",
        };
        f.write_str(hint)
    }
}

/// An error from the edit closure or from the store itself.
#[derive(Debug)]
pub enum UpdateError<E> {
    /// The caller's edit refused; nothing was written.
    Edit(E),
    /// The store could not write; see `StoreError`.
    Store(StoreError),
}

impl<E: fmt::Display> fmt::Display for UpdateError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpdateError::Edit(e) => e.fmt(f),
            UpdateError::Store(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for UpdateError<E> {}

impl<E> From<StoreError> for UpdateError<E> {
    fn from(e: StoreError) -> Self {
        UpdateError::Store(e)
    }
}
