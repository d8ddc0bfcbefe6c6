//! Keeping the original's extended attributes on the new copy: POSIX ACLs
//! (`system.posix_acl_access`), the SELinux label (`security.selinux`), `user.*`, `trusted.*`.
//!
//! The new copy is a new inode, so everything the old inode carried must be copied before the
//! rename. An attribute that cannot be read or set stops the write: a file that silently lost
//! its ACL can lock the web server out (every login then answers 500). Attributes that the
//! new copy has and the original lacks (an access ACL inherited from the directory's default
//! ACL) are removed, so the replacement grants exactly what the original granted.

use super::error::{AttrAction, StoreError};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::Path;
use xattr::FileExt;

/// Copy every extended attribute of `original` onto `copy` and remove the ones `original`
/// lacks. A file system (or platform) without extended attributes has nothing to copy.
pub(crate) fn copy(original: &File, copy: &File, target: &Path) -> Result<(), StoreError> {
    let wanted = names(original, target, AttrAction::List)?;
    for name in &wanted {
        if recomputed_by_kernel(name) {
            continue;
        }
        let fail = |action, source| attr_error(target, name, action, source);
        let Some(value) = original
            .get_xattr(name)
            .map_err(|e| fail(AttrAction::Read, e))?
        else {
            continue; // removed meanwhile by a program that does not lock
        };
        // An equal value needs no write (and no permission: a fresh file usually already has
        // the directory's SELinux label).
        if copy.get_xattr(name).ok().flatten().as_deref() == Some(&value[..]) {
            continue;
        }
        copy.set_xattr(name, &value)
            .map_err(|e| fail(AttrAction::Set, e))?;
    }
    for name in names(copy, target, AttrAction::List)? {
        if wanted.contains(&name) || kept_when_extra(&name) {
            continue;
        }
        copy.remove_xattr(&name)
            .map_err(|e| attr_error(target, &name, AttrAction::Remove, e))?;
    }
    Ok(())
}

fn names(file: &File, target: &Path, action: AttrAction) -> Result<Vec<OsString>, StoreError> {
    match file.list_xattr() {
        Ok(names) => Ok(names.collect()),
        Err(e) if unsupported(&e) => Ok(Vec::new()),
        Err(e) => Err(attr_error(target, OsStr::new("*"), action, e)),
    }
}

fn unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported || e.raw_os_error() == Some(libc::ENOTSUP)
}

/// IMA/EVM attributes hold a hash or signature of the *content*: the kernel computes them
/// for the new content, and the old value would make the new file fail appraisal.
fn recomputed_by_kernel(name: &OsStr) -> bool {
    name == "security.ima" || name == "security.evm"
}

/// `security.*` attributes a fresh file gets (its SELinux label, IMA hash) belong to the
/// security module; removing them is neither ours to do nor usually allowed.
fn kept_when_extra(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b"security.")
}

fn attr_error(target: &Path, name: &OsStr, action: AttrAction, source: io::Error) -> StoreError {
    StoreError::Attribute {
        path: target.to_path_buf(),
        name: name.to_string_lossy().into_owned(),
        action,
        source,
    }
}
