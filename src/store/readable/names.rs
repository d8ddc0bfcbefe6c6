//! Look-ups in the system's user and group databases.

use std::ffi::{CStr, CString};

const BUF: usize = 16 * 1024;

pub(super) fn uid_gid(name: &CString) -> Option<(u32, u32)> {
    let mut buf = vec![0 as libc::c_char; BUF];
    // SAFETY: getpwnam_r fills `pwd` using `buf`; both outlive the call and `found` is
    // checked before `pwd` is read.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwnam_r(name.as_ptr(), &mut pwd, buf.as_mut_ptr(), BUF, &mut found);
        (rc == 0 && !found.is_null()).then_some((pwd.pw_uid, pwd.pw_gid))
    }
}

/// The user's name, or its number when it has none.
pub(super) fn user(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; BUF];
    // SAFETY: as in `uid_gid`; `pw_name` points into `buf` and is read before it is freed.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), BUF, &mut found);
        if rc == 0 && !found.is_null() {
            return CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned();
        }
    }
    uid.to_string()
}

/// The group's name, or its number when it has none.
pub(super) fn group(gid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; BUF];
    // SAFETY: as in `user`, for the group database.
    unsafe {
        let mut grp: libc::group = std::mem::zeroed();
        let mut found: *mut libc::group = std::ptr::null_mut();
        let rc = libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), BUF, &mut found);
        if rc == 0 && !found.is_null() {
            return CStr::from_ptr(grp.gr_name).to_string_lossy().into_owned();
        }
    }
    gid.to_string()
}
