//! bcrypt (`$2a$`, `$2b$`, `$2x$`, `$2y$`): `$2y$CC$` + 22 salt + 31 checksum characters.
//!
//! The servers recompute the hash from the stored salt and compare the whole text, so a
//! salt whose 22nd character carries bits bcrypt ignores (crypt rewrites `v` to `u`), or a
//! checksum whose last character does, can never match.
//!
//! `$2y$`/`$2b$` are the same algorithm (the Rust crate). `$2a$` and `$2x$` differ from it
//! only for passwords with bytes >= 0x80 (crypt_blowfish's sign-extension bug and its
//! countermeasure); those go to the system crypt (libxcrypt carries crypt_blowfish), which
//! is also what Apache's built-in APR code does for `$2a$`.
//!
//! Speed: Basic auth pays bcrypt on every request and `htguard user import` hashes
//! thousands, so where the system crypt has bcrypt (libxcrypt: the same crypt_blowfish C
//! code as APR's) it does the work; measured here it is ~1.5x faster than the pure-Rust
//! crate at cost 12. The crate is the fallback and the cross-check in the tests below.

use ::bcrypt::{BASE_64, Version};
use base64::Engine as _;

use super::{
    BCRYPT_COST_RANGE, BcryptVariant, HashError, HashInfo, HashParams, Kind, VerifyError, b64,
    ct_eq, salt, syscrypt,
};

const LEN: usize = 60;
const SALT: std::ops::Range<usize> = 7..29;

pub fn variant(hash: &[u8]) -> Option<BcryptVariant> {
    if hash.len() < 4 || &hash[..2] != b"$2" || hash[3] != b'$' {
        return None;
    }
    match hash[2] {
        b'a' => Some(BcryptVariant::A),
        b'b' => Some(BcryptVariant::B),
        b'x' => Some(BcryptVariant::X),
        b'y' => Some(BcryptVariant::Y),
        _ => None,
    }
}

pub fn inspect(hash: &[u8], variant: BcryptVariant) -> HashInfo {
    let kind = Kind::Bcrypt { variant };
    let rest = &hash[4..];
    let Some(dollar) = rest.iter().position(|&b| b == b'$') else {
        return HashInfo::bad(kind, "truncated: no `$` after the bcrypt cost");
    };
    let cost_text = &rest[..dollar];
    if cost_text.len() != 2 || !cost_text.iter().all(u8::is_ascii_digit) {
        return HashInfo::bad(
            kind,
            match cost_text.iter().all(u8::is_ascii_digit) && !cost_text.is_empty() {
                true => format!(
                    "cost `{}` is not two digits (04..31)",
                    String::from_utf8_lossy(cost_text)
                ),
                // Not a number: perhaps a password that starts like a hash; not repeated.
                false => "the cost is not two digits (04..31)".to_string(),
            },
        );
    }
    let cost = u32::from(cost_text[0] - b'0') * 10 + u32::from(cost_text[1] - b'0');
    let params = HashParams {
        cost: Some(cost),
        ..HashParams::default()
    };
    let bad = |reason: String| HashInfo::bad(kind.clone(), reason).with_params(params);
    if !BCRYPT_COST_RANGE.contains(&cost) {
        return bad(format!(
            "cost {} is outside 04..31",
            String::from_utf8_lossy(cost_text)
        ));
    }
    if hash.len() != LEN {
        return bad(format!(
            "bcrypt hash is {} characters, expected {LEN}",
            hash.len()
        ));
    }
    if let Some(reason) = b64::invalid_char(&hash[SALT], SALT.start, "salt") {
        return bad(reason);
    }
    if let Some(reason) = b64::invalid_char(&hash[SALT.end..], SALT.end, "checksum") {
        return bad(reason);
    }
    // 16 salt bytes in 22 characters: the last one holds 2 bits (the low 4 are unused).
    let last_salt = hash[SALT.end - 1];
    if b64::index(b64::BCRYPT, last_salt).unwrap_or(0) & 0x0f != 0 {
        return bad(
            "the salt's last character is one bcrypt cannot produce there (only . O e u): \
             crypt() rewrites it, so no password matches"
                .to_string(),
        );
    }
    // 23 checksum bytes in 31 characters: the last one holds 4 bits.
    let last = hash[LEN - 1];
    if b64::index(b64::BCRYPT, last).unwrap_or(0) & 0x03 != 0 {
        return bad(
            "the checksum's last character is one bcrypt never produces there: no password \
             matches"
                .to_string(),
        );
    }
    HashInfo::ok(kind).with_params(params)
}

fn version(variant: BcryptVariant) -> Version {
    match variant {
        BcryptVariant::A => Version::TwoA,
        BcryptVariant::B => Version::TwoB,
        BcryptVariant::X => Version::TwoX,
        BcryptVariant::Y => Version::TwoY,
    }
}

/// Verify a well-formed hash (see `inspect`).
pub fn verify(password: &[u8], hash: &[u8], variant: BcryptVariant) -> Result<bool, VerifyError> {
    // The system crypt is exact for every variant (and fastest); fall back when it is
    // missing or has no bcrypt.
    if let Ok(matched) = syscrypt::verify(password, hash) {
        return Ok(matched);
    }
    // Only the first 72 bytes count, so only they decide whether the bug applies.
    let eight_bit = password.iter().take(72).any(|&b| b >= 0x80);
    if matches!(variant, BcryptVariant::A | BcryptVariant::X) && eight_bit {
        return Err(VerifyError::Unsupported {
            kind: format!("${}$", variant.as_str()),
            reason: "with bytes >= 0x80 in the password this variant needs the system \
                     crypt() (crypt_blowfish), which is not available here"
                .into(),
        });
    }
    let cost = u32::from(hash[4] - b'0') * 10 + u32::from(hash[5] - b'0');
    let mut salt = [0u8; 16];
    if BASE_64.decode_slice(&hash[SALT], &mut salt).is_err() {
        return Ok(false);
    }
    let computed =
        rust_hash(password, cost, salt, variant).map_err(|reason| VerifyError::Unsupported {
            kind: "bcrypt".into(),
            reason,
        })?;
    Ok(ct_eq(computed.as_bytes(), hash))
}

/// The pure-Rust computation (the `bcrypt` crate).
fn rust_hash(
    password: &[u8],
    cost: u32,
    salt: [u8; 16],
    variant: BcryptVariant,
) -> Result<String, String> {
    ::bcrypt::hash_with_salt(password, cost, salt)
        .map(|parts| parts.format_for_version(version(variant)))
        .map_err(|e| e.to_string())
}

/// A `$2y$` hash (what Apache's `htpasswd -B` writes; every server reads it).
pub fn generate(password: &[u8], cost: u32) -> Result<String, HashError> {
    let mut salt_bytes = [0u8; 16];
    salt::random_bytes(&mut salt_bytes)?;
    let setting = format!("$2y${cost:02}${}", BASE_64.encode(salt_bytes));
    if let Some(out) = syscrypt::hash(password, setting.as_bytes())
        && out.len() == LEN
        && out.starts_with(&setting)
    {
        return Ok(out);
    }
    rust_hash(password, cost, salt_bytes, BcryptVariant::Y).map_err(HashError::Backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two engines must agree byte for byte wherever both apply.
    #[test]
    #[cfg(target_os = "linux")]
    fn system_crypt_and_rust_crate_agree() {
        let long = [b'x'; 80];
        let passwords: [&[u8]; 5] = [b"", b"pw", "pässwörd".as_bytes(), &long, b"\xff\xff\xa3"];
        for (i, pw) in passwords.into_iter().enumerate() {
            let salt = [i as u8 * 37; 16];
            for variant in [BcryptVariant::Y, BcryptVariant::B] {
                let rust = rust_hash(pw, 4, salt, variant).unwrap();
                let setting = &rust[..29];
                assert_eq!(syscrypt::hash(pw, setting.as_bytes()), Some(rust.clone()));
            }
        }
        let g = generate(b"pw", 4).unwrap();
        assert!(g.starts_with("$2y$04$"));
        let mut salt = [0u8; 16];
        BASE_64
            .decode_slice(&g.as_bytes()[SALT], &mut salt)
            .unwrap();
        assert_eq!(rust_hash(b"pw", 4, salt, BcryptVariant::Y).unwrap(), g);
    }
}
