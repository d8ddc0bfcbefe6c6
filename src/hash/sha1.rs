//! `{SHA}` + base64(SHA-1(password)): 28 characters of padded standard base64.
//! Apache and nginx compute that exact text and compare, so anything else never matches.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha1::{Digest, Sha1};

use super::{HashInfo, Kind, ct_eq};

pub const PREFIX: &[u8] = b"{SHA}";

/// Decode the part after a `{SHA}`/`{SSHA}` prefix as the servers need it: canonical,
/// padded standard base64. Err is the malformed reason.
pub fn decode_canonical(label: &str, value: &[u8]) -> Result<Vec<u8>, String> {
    if let Ok(bytes) = STANDARD.decode(value)
        && STANDARD.encode(&bytes).as_bytes() == value
    {
        return Ok(bytes);
    }
    let trimmed: &[u8] = match value.iter().rposition(|&b| b != b'=') {
        Some(i) => &value[..=i],
        None => b"",
    };
    if STANDARD_NO_PAD.decode(trimmed).is_ok() {
        return Err(format!(
            "{label} value is base64 but not in the exact form the servers produce \
             (padding or unused bits differ): no password matches"
        ));
    }
    Err(format!("{label} value is not valid base64"))
}

pub fn inspect(hash: &[u8]) -> HashInfo {
    match decode_canonical("{SHA}", &hash[PREFIX.len()..]) {
        Err(reason) => HashInfo::bad(Kind::Sha1, reason),
        Ok(bytes) if bytes.len() != 20 => HashInfo::bad(
            Kind::Sha1,
            format!("{{SHA}} digest is {} bytes, expected 20", bytes.len()),
        ),
        Ok(_) => HashInfo::ok(Kind::Sha1),
    }
}

fn encode(password: &[u8]) -> String {
    format!("{{SHA}}{}", STANDARD.encode(Sha1::digest(password)))
}

pub fn verify(password: &[u8], hash: &[u8]) -> bool {
    ct_eq(encode(password).as_bytes(), hash)
}

pub fn generate(password: &[u8]) -> String {
    encode(password)
}
