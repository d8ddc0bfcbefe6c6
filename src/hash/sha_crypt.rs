//! SHA-256-crypt (`$5$`) and SHA-512-crypt (`$6$`), Ulrich Drepper's scheme, over the
//! `sha-crypt` crate's raw functions (we need libxcrypt's exact acceptance rules, which the
//! crate's own parser does not model).
//!
//! Format: `$6$[rounds=N$]salt$checksum`. libxcrypt rejects N outside 1000..=999999999 and
//! any N with a leading zero or that is not a number (crypt returns `*0`); classic glibc
//! clamps N and prints the clamped value. Either way the stored text can never equal the
//! crypt output, so those hashes are malformed. Salts are up to 16 crypt-alphabet
//! characters; a longer salt is cut to 16 in the output, so it cannot match either.

use sha_crypt::Params as ShaParams;

use super::{
    DEFAULT_SHA_ROUNDS, HashError, HashInfo, HashParams, Kind, SHA_ROUNDS_RANGE, b64, ct_eq, salt,
};

const ROUNDS: &[u8] = b"rounds=";
pub const MAX_SALT: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    Sha256,
    Sha512,
}

impl Alg {
    pub fn from_hash(hash: &[u8]) -> Option<Alg> {
        if hash.starts_with(b"$5$") {
            Some(Alg::Sha256)
        } else if hash.starts_with(b"$6$") {
            Some(Alg::Sha512)
        } else {
            None
        }
    }
    fn magic(self) -> &'static str {
        match self {
            Alg::Sha256 => "$5$",
            Alg::Sha512 => "$6$",
        }
    }
    fn kind(self) -> Kind {
        match self {
            Alg::Sha256 => Kind::Sha256Crypt,
            Alg::Sha512 => Kind::Sha512Crypt,
        }
    }
    fn digest_len(self) -> usize {
        match self {
            Alg::Sha256 => 32,
            Alg::Sha512 => 64,
        }
    }
}

/// A parsed hash: rounds, salt, checksum (None when the `$checksum` part is missing).
struct Parts<'a> {
    rounds_text: Option<&'a [u8]>,
    salt: &'a [u8],
    salt_offset: usize,
    checksum: Option<&'a [u8]>,
    checksum_offset: usize,
}

fn split(hash: &[u8]) -> Parts<'_> {
    let mut pos = 3;
    let mut rest = &hash[3..];
    let mut rounds_text = None;
    if rest.starts_with(ROUNDS) {
        let body = &rest[ROUNDS.len()..];
        let end = body.iter().position(|&b| b == b'$').unwrap_or(body.len());
        rounds_text = Some(&body[..end]);
        let consumed = (ROUNDS.len() + end + 1).min(rest.len());
        pos += consumed;
        rest = &rest[consumed..];
    }
    let (salt, checksum) = match rest.iter().position(|&b| b == b'$') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    Parts {
        rounds_text,
        salt,
        salt_offset: pos,
        checksum,
        checksum_offset: pos + salt.len() + 1,
    }
}

/// Parse `rounds=` text as libxcrypt does. Err is the malformed reason.
fn parse_rounds(text: &[u8]) -> Result<u32, String> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        // Not repeated: perhaps a password that starts like a hash.
        return Err("the rounds= value is not a number".to_string());
    }
    let shown = String::from_utf8_lossy(text);
    if text.len() > 1 && text[0] == b'0' {
        return Err(format!(
            "rounds={shown} has a leading zero (libxcrypt rejects it; glibc prints the \
             number without it, so no password matches)"
        ));
    }
    let value: u64 = shown.parse().unwrap_or(u64::MAX);
    if value < u64::from(*SHA_ROUNDS_RANGE.start()) {
        return Err(format!(
            "rounds={shown} is below the minimum 1000 (glibc clamps it, libxcrypt rejects \
             it: no password matches)"
        ));
    }
    if value > u64::from(*SHA_ROUNDS_RANGE.end()) {
        return Err(format!(
            "rounds={shown} is above the maximum 999999999 (glibc clamps it, libxcrypt \
             rejects it: no password matches)"
        ));
    }
    Ok(value as u32)
}

pub fn inspect(hash: &[u8], alg: Alg) -> HashInfo {
    let kind = alg.kind();
    let parts = split(hash);
    let mut params = HashParams {
        rounds: Some(DEFAULT_SHA_ROUNDS),
        ..HashParams::default()
    };
    if let Some(text) = parts.rounds_text {
        params.rounds_explicit = true;
        match parse_rounds(text) {
            Ok(r) => params.rounds = Some(r),
            Err(reason) => {
                params.rounds = None;
                return HashInfo::bad(kind, reason).with_params(params);
            }
        }
    }
    let bad = |reason: String| HashInfo::bad(kind.clone(), reason).with_params(params);
    let Some(checksum) = parts.checksum else {
        return bad(format!(
            "truncated: no `$` and checksum after the {} salt",
            alg.magic()
        ));
    };
    if parts.salt.len() > MAX_SALT {
        return bad(format!(
            "salt is {} characters; crypt uses only the first {MAX_SALT}, so no password \
             matches",
            parts.salt.len()
        ));
    }
    if let Some(reason) = b64::invalid_char(parts.salt, parts.salt_offset, "salt") {
        return bad(reason);
    }
    let len = alg.digest_len();
    if let Some(info) = b64::check_checksum(
        &kind,
        checksum,
        parts.checksum_offset,
        (len * 8).div_ceil(6),
        b64::le_last_char_bits(len),
    ) {
        return info.with_params(params);
    }
    HashInfo::ok(kind).with_params(params)
}

/// Byte order of the digest before the hash64 encoding (from Drepper's specification).
const T256: [usize; 32] = [
    20, 10, 0, 11, 1, 21, 2, 22, 12, 23, 13, 3, 14, 4, 24, 5, 25, 15, 26, 16, 6, 17, 7, 27, 8, 28,
    18, 29, 19, 9, 30, 31,
];
const T512: [usize; 64] = [
    42, 21, 0, 1, 43, 22, 23, 2, 44, 45, 24, 3, 4, 46, 25, 26, 5, 47, 48, 27, 6, 7, 49, 28, 29, 8,
    50, 51, 30, 9, 10, 52, 31, 32, 11, 53, 54, 33, 12, 13, 55, 34, 35, 14, 56, 57, 36, 15, 16, 58,
    37, 38, 17, 59, 60, 39, 18, 19, 61, 40, 41, 20, 62, 63,
];

fn checksum(alg: Alg, password: &[u8], salt: &[u8], rounds: u32) -> Result<String, HashError> {
    let params = ShaParams::new(rounds).map_err(|_| HashError::RoundsOutOfRange(rounds))?;
    let ordered: Vec<u8> = match alg {
        Alg::Sha256 => {
            let raw = sha_crypt::sha256_crypt(password, salt, params);
            T256.iter().map(|&i| raw[i]).collect()
        }
        Alg::Sha512 => {
            let raw = sha_crypt::sha512_crypt(password, salt, params);
            T512.iter().map(|&i| raw[i]).collect()
        }
    };
    Ok(b64::encode_le(&ordered))
}

pub fn verify(password: &[u8], hash: &[u8]) -> bool {
    let Some(alg) = Alg::from_hash(hash) else {
        return false;
    };
    let parts = split(hash);
    let rounds = match parts.rounds_text.map(parse_rounds) {
        None => DEFAULT_SHA_ROUNDS,
        Some(Ok(r)) => r,
        Some(Err(_)) => return false,
    };
    let Some(expected) = parts.checksum else {
        return false;
    };
    match checksum(alg, password, parts.salt, rounds) {
        Ok(sum) => ct_eq(sum.as_bytes(), expected),
        Err(_) => false,
    }
}

/// `rounds=` is written only when it differs from the default, like `htpasswd -2/-5`.
pub fn generate(alg: Alg, password: &[u8], rounds: Option<u32>) -> Result<String, HashError> {
    let rounds = rounds.unwrap_or(DEFAULT_SHA_ROUNDS);
    let salt = salt::crypt_salt(MAX_SALT)?;
    let sum = checksum(alg, password, salt.as_bytes(), rounds)?;
    let rounds_part = if rounds == DEFAULT_SHA_ROUNDS {
        String::new()
    } else {
        format!("rounds={rounds}$")
    };
    Ok(format!("{}{rounds_part}{salt}${sum}", alg.magic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libxcrypt_vectors() {
        // From crypt_r("pw", …) with libxcrypt 4.4.33.
        assert!(verify(
            b"pw",
            b"$6$rounds=1000$salt$d7eV9s8slZkQfSpeUNlCmopaL.Tpt4XY61764aINp2KRzpE5Z1iZ0R2WyFPpdxHBQpj2PwPDM2H3NdKLRu/Ax/"
        ));
        assert!(verify(
            b"pw",
            b"$6$salt$AkOOBO38SQQ8T8Q46KuCONe.8zg41nvCDKDq7pVQd2n2hy8sf8aR3G89VY.57up0eSIa/69odCCcLT4hx7FpW/"
        ));
        assert!(verify(
            b"pw",
            b"$6$$Z7WSO9A8tKGD2oGB9t2ViKdYTIHgnjMZIbdOJElGnO.QoZE5zDsfnF1WHM.IL2KPxhNG4/v/zU9LBcGhxg5Uy."
        ));
        assert!(!verify(
            b"pW",
            b"$6$salt$AkOOBO38SQQ8T8Q46KuCONe.8zg41nvCDKDq7pVQd2n2hy8sf8aR3G89VY.57up0eSIa/69odCCcLT4hx7FpW/"
        ));
    }

    #[test]
    fn drepper_sha256_vector() {
        // The specification's first SHA-256 test vector.
        assert!(verify(
            b"Hello world!",
            b"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"
        ));
    }
}
