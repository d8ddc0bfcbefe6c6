//! htdigest entries: `user:realm:` + lowercase hex MD5(user:realm:password).
//! Apache compares the hex text, so uppercase or short values never match.

use super::{Malformed, VerifyError, ct_eq, secret, show_byte};

/// 32 lowercase hex digits of MD5(`user:realm:password`).
pub fn digest_hash(user: &str, realm: &str, password: &[u8]) -> String {
    let mut input = secret(user.as_bytes());
    input.push(b':');
    input.extend_from_slice(realm.as_bytes());
    input.push(b':');
    input.extend_from_slice(password);
    format!("{:x}", md5::compute(&input[..]))
}

/// Why a stored digest hash can never match, if it cannot.
pub fn check_digest_hash(stored: &[u8]) -> Option<Malformed> {
    if stored.len() != 32 {
        return Some(Malformed::new(format!(
            "digest hash is {} characters, expected 32 hex digits",
            stored.len()
        )));
    }
    let i = stored
        .iter()
        .position(|&c| !(c.is_ascii_digit() || (b'a'..=b'f').contains(&c)))?;
    let c = stored[i];
    let why = if c.is_ascii_hexdigit() {
        "uppercase hex: Apache compares the text, which is lowercase, so no password matches"
    } else {
        "not a hex digit"
    };
    Some(Malformed::new(format!(
        "invalid character{} at position {} in the digest hash ({why})",
        show_byte(c),
        i + 1
    )))
}

/// Does `password` give `stored` for this user and realm? Constant-time.
pub fn verify_digest(
    user: &str,
    realm: &str,
    password: &[u8],
    stored: &[u8],
) -> Result<bool, VerifyError> {
    if let Some(m) = check_digest_hash(stored) {
        return Err(VerifyError::Malformed(m));
    }
    Ok(ct_eq(digest_hash(user, realm, password).as_bytes(), stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_and_checks() {
        // md5("u:r:secret")
        let h = digest_hash("u", "r", b"secret");
        assert_eq!(h, format!("{:x}", md5::compute(b"u:r:secret")));
        assert_eq!(h.len(), 32);
        assert_eq!(verify_digest("u", "r", b"secret", h.as_bytes()), Ok(true));
        assert_eq!(verify_digest("u", "r", b"Secret", h.as_bytes()), Ok(false));
        let upper = h.to_uppercase();
        let err = verify_digest("u", "r", b"secret", upper.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("uppercase hex"), "{err}");
        let short = check_digest_hash(&h.as_bytes()[..31]).unwrap();
        assert_eq!(
            short.reason,
            "digest hash is 31 characters, expected 32 hex digits"
        );
        let bad = check_digest_hash(b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz").unwrap();
        assert!(bad.reason.contains("character at position 1"), "{bad}");
    }
}
