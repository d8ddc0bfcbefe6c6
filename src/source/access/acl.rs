//! POSIX ACLs as Linux stores them in `system.posix_acl_access` (little-endian: a u32
//! version 2, then 8-byte entries of u16 tag, u16 permissions, u32 id), evaluated as the
//! kernel's `posix_acl_permission` does.

use super::{Account, Owner};
use std::path::Path;

const VERSION: u32 = 2;
const USER_OBJ: u16 = 0x01;
const USER: u16 = 0x02;
const GROUP_OBJ: u16 = 0x04;
const GROUP: u16 = 0x08;
const MASK: u16 = 0x10;
const OTHER: u16 = 0x20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub tag: u16,
    pub perm: u16,
    pub id: u32,
}

/// The file's access ACL; `None` when it has none (or it cannot be read).
pub(super) fn read(path: &Path) -> Option<Vec<Entry>> {
    parse(&xattr::get(path, "system.posix_acl_access").ok()??)
}

pub(super) fn parse(bytes: &[u8]) -> Option<Vec<Entry>> {
    let (version, body) = bytes.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*version) != VERSION || body.len() % 8 != 0 {
        return None;
    }
    let entries = body
        .chunks_exact(8)
        .map(|c| Entry {
            tag: u16::from_le_bytes([c[0], c[1]]),
            perm: u16::from_le_bytes([c[2], c[3]]),
            id: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect();
    Some(entries)
}

pub(super) fn allows(entries: &[Entry], owner: Owner, who: &Account, want: u16) -> bool {
    let granted = |perm: u16| perm & want == want;
    let mask = entries
        .iter()
        .find(|e| e.tag == MASK)
        .map_or(0o7, |e| e.perm);
    if who.uid == owner.uid {
        return entries
            .iter()
            .find(|e| e.tag == USER_OBJ)
            .is_some_and(|e| granted(e.perm));
    }
    if let Some(e) = entries.iter().find(|e| e.tag == USER && e.id == who.uid) {
        return granted(e.perm & mask);
    }
    let mut in_a_group = false;
    for e in entries {
        let member = match e.tag {
            GROUP_OBJ => who.in_group(owner.gid),
            GROUP => who.in_group(e.id),
            _ => false,
        };
        if member {
            in_a_group = true;
            if granted(e.perm & mask) {
                return true;
            }
        }
    }
    if in_a_group {
        return false;
    }
    entries
        .iter()
        .find(|e| e.tag == OTHER)
        .is_some_and(|e| granted(e.perm))
}
