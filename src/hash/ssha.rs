//! `{SSHA}` + base64(SHA-1(password + salt) + salt), as nginx reads it (Apache has no
//! `{SSHA}`). nginx decodes, recomputes with the same salt, re-encodes and compares the
//! text, so the value must be canonical padded base64 of at least 20 bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest, Sha1};

use super::{HashInfo, Kind, ct_eq, sha1::decode_canonical};

pub const PREFIX: &[u8] = b"{SSHA}";

pub fn inspect(hash: &[u8]) -> HashInfo {
    match decode_canonical("{SSHA}", &hash[PREFIX.len()..]) {
        Err(reason) => HashInfo::bad(Kind::Ssha, reason),
        Ok(bytes) if bytes.len() < 20 => HashInfo::bad(
            Kind::Ssha,
            format!(
                "{{SSHA}} value is {} bytes, expected a 20-byte digest plus the salt",
                bytes.len()
            ),
        ),
        Ok(_) => HashInfo::ok(Kind::Ssha),
    }
}

pub fn verify(password: &[u8], hash: &[u8]) -> bool {
    let Ok(stored) = STANDARD.decode(&hash[PREFIX.len()..]) else {
        return false;
    };
    if stored.len() < 20 {
        return false;
    }
    let (digest, salt) = stored.split_at(20);
    let mut h = Sha1::new();
    h.update(password);
    h.update(salt);
    ct_eq(h.finalize().as_slice(), digest)
}
