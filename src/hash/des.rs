//! Traditional DES crypt: 2 salt + 11 checksum characters, all `[./0-9A-Za-z]`.
//! Only the first 8 password bytes count, each without its high bit.

use super::{HashError, HashInfo, Kind, VerifyError, b64, ct_eq, salt};

const LEN: usize = 13;

/// Exactly 13 characters of the crypt alphabet (see [`Kind::DesCrypt`] on plaintext).
pub fn looks_like(hash: &[u8]) -> bool {
    hash.len() == LEN && hash.iter().all(|&c| b64::is_crypt_char(c))
}

pub fn inspect(hash: &[u8]) -> HashInfo {
    // 64 bits in 11 characters: the last one carries 4 bits, its low 2 are always zero.
    let last = hash[LEN - 1];
    if b64::index(b64::CRYPT, last).unwrap_or(0) & 0x03 != 0 {
        return HashInfo::bad(
            Kind::DesCrypt,
            "13 characters like a DES hash, but crypt() never ends one with this last \
             character: no password matches (is it a plaintext password?)",
        );
    }
    HashInfo::ok(Kind::DesCrypt)
}

/// The system crypt, as Apache (APR) and nginx call it for these hashes.
fn crypt(password: &[u8], salt: &str) -> Result<String, String> {
    super::syscrypt::hash(password, salt.as_bytes())
        .ok_or_else(|| "this system's crypt() does not compute DES hashes".to_string())
}

pub fn verify(password: &[u8], hash: &[u8]) -> Result<bool, VerifyError> {
    let salt = String::from_utf8_lossy(&hash[..2]);
    let out = crypt(password, &salt).map_err(|reason| VerifyError::Unsupported {
        kind: "DES crypt".into(),
        reason,
    })?;
    Ok(ct_eq(out.as_bytes(), hash))
}

pub fn generate(password: &[u8]) -> Result<String, HashError> {
    let salt = salt::crypt_salt(2)?;
    crypt(password, &salt).map_err(HashError::Backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libxcrypt_vector_and_truncation() {
        // crypt_r("pw", "ab") from libxcrypt.
        assert!(verify(b"pw", b"abzlUXK5ed5rs").unwrap());
        assert!(!verify(b"pX", b"abzlUXK5ed5rs").unwrap());
        let h = generate(b"secret12").unwrap();
        assert!(verify(b"secret12345", h.as_bytes()).unwrap());
    }
}
