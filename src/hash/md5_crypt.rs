//! MD5-crypt (Poul-Henning Kamp, `$1$`) and the algorithm shared with Apache's `$apr1$`.
//!
//! No crate supports the `$apr1$` magic (crates hard-code `$1$`), and apr1 is exactly
//! MD5-crypt with a different magic string mixed into the first digest, so the algorithm
//! is implemented once here over the `md5` crate, parameterized by the magic.

use super::{HashError, HashInfo, HashParams, Kind, b64, ct_eq, salt};

pub const MAGIC: &[u8] = b"$1$";
/// Both implementations use at most 8 salt characters.
pub const MAX_SALT: usize = 8;
const CHECKSUM_LEN: usize = 22;
/// Digest byte order before the hash64 encoding (groups 0,6,12 / 1,7,13 / … / 11).
const TRANSPOSE: [usize; 16] = [12, 6, 0, 13, 7, 1, 14, 8, 2, 15, 9, 3, 5, 10, 4, 11];

/// The MD5-crypt checksum (22 characters) of `password` with `magic` and `salt`.
pub fn checksum(magic: &[u8], password: &[u8], salt: &[u8]) -> String {
    let mut alt = md5::Context::new();
    alt.consume(password);
    alt.consume(salt);
    alt.consume(password);
    let alt = alt.finalize().0;

    let mut ctx = md5::Context::new();
    ctx.consume(password);
    ctx.consume(magic);
    ctx.consume(salt);
    let mut left = password.len();
    while left > 0 {
        let n = left.min(16);
        ctx.consume(&alt[..n]);
        left -= n;
    }
    // The historical quirk: for each bit of the length, a NUL byte or the first password byte.
    let mut bits = password.len();
    while bits > 0 {
        if bits & 1 == 1 {
            ctx.consume([0u8]);
        } else {
            ctx.consume(&password[..1]);
        }
        bits >>= 1;
    }
    let mut fin = ctx.finalize().0;

    for i in 0..1000 {
        let mut c = md5::Context::new();
        if i & 1 == 1 {
            c.consume(password);
        } else {
            c.consume(fin);
        }
        if i % 3 != 0 {
            c.consume(salt);
        }
        if i % 7 != 0 {
            c.consume(password);
        }
        if i & 1 == 1 {
            c.consume(fin);
        } else {
            c.consume(password);
        }
        fin = c.finalize().0;
    }
    let ordered: Vec<u8> = TRANSPOSE.iter().map(|&i| fin[i]).collect();
    b64::encode_le(&ordered)
}

/// Split `magic salt $ checksum` (salt ends at the first `$`).
pub fn split<'a>(hash: &'a [u8], magic: &[u8]) -> (&'a [u8], Option<&'a [u8]>) {
    let rest = &hash[magic.len()..];
    match rest.iter().position(|&b| b == b'$') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    }
}

/// Shared format checks for `$1$` and `$apr1$`. `strict_salt`: the salt must use the crypt
/// alphabet (libxcrypt rejects other bytes for `$1$`; APR and nginx accept any for apr1).
pub fn inspect_with(hash: &[u8], magic: &[u8], kind: Kind, strict_salt: bool) -> HashInfo {
    let (salt, checksum) = split(hash, magic);
    let Some(checksum) = checksum else {
        return HashInfo::bad(
            kind.clone(),
            format!(
                "truncated: no `$` and checksum after the {} salt",
                kind.label()
            ),
        );
    };
    if salt.len() > MAX_SALT {
        return HashInfo::bad(
            kind,
            format!(
                "salt is {} characters; crypt uses only the first {MAX_SALT}, \
                 so no password matches",
                salt.len()
            ),
        );
    }
    if strict_salt && let Some(bad) = b64::invalid_char(salt, magic.len(), "salt") {
        return HashInfo::bad(kind, bad);
    }
    let offset = magic.len() + salt.len() + 1;
    if let Some(bad) = b64::check_checksum(
        &kind,
        checksum,
        offset,
        CHECKSUM_LEN,
        b64::le_last_char_bits(16),
    ) {
        return bad;
    }
    HashInfo::ok(kind).with_params(HashParams::default())
}

pub fn inspect(hash: &[u8]) -> HashInfo {
    inspect_with(hash, MAGIC, Kind::Md5Crypt, true)
}

/// Recompute and compare (the hash is already known to be well-formed).
pub fn verify_with(password: &[u8], hash: &[u8], magic: &[u8]) -> bool {
    let (salt, Some(expected)) = split(hash, magic) else {
        return false;
    };
    ct_eq(checksum(magic, password, salt).as_bytes(), expected)
}

pub fn verify(password: &[u8], hash: &[u8]) -> bool {
    verify_with(password, hash, MAGIC)
}

pub fn generate_with(magic: &[u8], password: &[u8]) -> Result<String, HashError> {
    let salt = salt::crypt_salt(MAX_SALT)?;
    let sum = checksum(magic, password, salt.as_bytes());
    Ok(format!("{}{salt}${sum}", String::from_utf8_lossy(magic)))
}

pub fn generate(password: &[u8]) -> Result<String, HashError> {
    generate_with(MAGIC, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_known_vectors() {
        // pwhash's documented vector and an `openssl passwd -1 -salt saltsalt password`.
        assert!(verify(b"password", b"$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0"));
        assert!(!verify(b"passwore", b"$1$5pZSV9va$azfrPr6af3Fc7dLblQXVa0"));
        // libxcrypt output for an empty salt ($1$$x above).
        assert!(verify(b"pw", b"$1$$F0Fc2lbYpzr3KKdKkM0Wj."));
    }
}
