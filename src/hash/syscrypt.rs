//! The system crypt (libxcrypt's `crypt_rn`), for schemes no Rust crate implements:
//! yescrypt, `$gy$`, `$7$`, `$sha1$`, `$md5$`, BSDi `_…`, and the buggy bcrypt variants.
//! Apache (APR) and nginx call this same function on Linux, so its answer is theirs.

use super::b64;

/// `$id$` (lowercase letters/digits; `$id,` for SunMD5) or `_` for BSDi extended DES: hashes only crypt() knows.
pub fn other_prefix(hash: &[u8]) -> Option<String> {
    if hash.len() == 20 && hash[0] == b'_' && hash[1..].iter().all(|&c| b64::is_crypt_char(c)) {
        return Some("_".into());
    }
    let rest = hash.strip_prefix(b"$")?;
    // SunMD5 writes `$md5,rounds=N$…`.
    let end = rest.iter().position(|&b| b == b'$' || b == b',')?;
    let id = &rest[..end];
    if id.is_empty()
        || id.len() > 8
        || !id
            .iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return None;
    }
    Some(format!("${}$", String::from_utf8_lossy(id)))
}

#[cfg(target_os = "linux")]
mod ffi {
    use std::ffi::{CStr, CString, c_char, c_int, c_void};

    use zeroize::Zeroizing;

    /// Larger than libxcrypt's `struct crypt_data` (32768 + 384 + 384 + 512 + 767 + 1).
    const DATA_SIZE: usize = 64 * 1024;

    #[link(name = "crypt")]
    unsafe extern "C" {
        fn crypt_rn(
            phrase: *const c_char,
            setting: *const c_char,
            data: *mut c_void,
            size: c_int,
        ) -> *mut c_char;
    }

    /// crypt(password, setting), or None when crypt reports failure.
    pub fn crypt(password: &[u8], setting: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if password.contains(&0) {
            return None;
        }
        let mut phrase = Zeroizing::new(Vec::with_capacity(password.len() + 1));
        phrase.extend_from_slice(password);
        phrase.push(0);
        let setting = CString::new(setting).ok()?;
        let mut data = Zeroizing::new(vec![0u8; DATA_SIZE]);
        // SAFETY: `phrase` and `setting` are NUL-terminated and outlive the call; `data` is a
        // zeroed buffer of DATA_SIZE bytes, which crypt_rn checks against `size`. The
        // result points into `data` and is copied before `data` is dropped.
        let out = unsafe {
            let p = crypt_rn(
                phrase.as_ptr().cast::<c_char>(),
                setting.as_ptr(),
                data.as_mut_ptr().cast(),
                DATA_SIZE as c_int,
            );
            if p.is_null() {
                return None;
            }
            CStr::from_ptr(p).to_bytes().to_vec()
        };
        Some(Zeroizing::new(out))
    }
}

/// crypt(password, setting) through the system crypt, or None when it is unavailable or
/// reports failure (a NULL or a `*` token).
pub fn hash(password: &[u8], setting: &[u8]) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        let out = ffi::crypt(password, setting)?;
        if out.starts_with(b"*") {
            return None;
        }
        String::from_utf8(out.to_vec()).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (password, setting);
        None
    }
}

/// Verify through the system crypt. Err says why this machine cannot decide.
pub fn verify(password: &[u8], hash: &[u8]) -> Result<bool, String> {
    #[cfg(target_os = "linux")]
    {
        match ffi::crypt(password, hash) {
            Some(out) if !out.starts_with(b"*") => Ok(super::ct_eq(&out, hash)),
            _ => Err(
                "the system crypt() rejects this hash (unknown scheme or bad \
                      parameters here)"
                    .into(),
            ),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (password, hash);
        Err("no system crypt() on this platform".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(other_prefix(b"$gy$abc$def").as_deref(), Some("$gy$"));
        assert_eq!(other_prefix(b"_J9..abcdTZ/33djMPto").as_deref(), Some("_"));
        assert_eq!(other_prefix(b"$Y$x$"), None);
        assert_eq!(other_prefix(b"$$x"), None);
        assert_eq!(other_prefix(b"secret"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn libxcrypt_outputs_verify() {
        // Outputs of libxcrypt's crypt_r("pw", …).
        assert_eq!(verify(b"pw", b"_J9..abcdTZ/33djMPto"), Ok(true));
        assert_eq!(verify(b"px", b"_J9..abcdTZ/33djMPto"), Ok(false));
        assert_eq!(verify(b"pw", b"$md5$x$wZvs3rTBL6APZ8jfIAtI9/"), Ok(true));
        assert!(verify(b"pw", b"$7$x").is_err());
    }
}
