//! How much a hash protects the password if the file leaks, and what it costs per request.

use super::{HashInfo, Kind};

/// Milliseconds for one bcrypt verification at cost 10: the fastest of 11 runs, release
/// build, on the shared 2-core build host (`cargo test --release --test hash_interop --
/// --ignored measure_bcrypt --nocapture` printed 89.5 ms for htguard and 97.8 ms for
/// `htpasswd -nbB -C 10`). Each cost step doubles it. Servers verify on every Basic-auth
/// request, so this is latency added to each request (and CPU per request).
pub const BCRYPT_COST10_MS: f64 = 90.0;

/// Above this estimated per-request cost a bcrypt hash is flagged as slow.
pub const SLOW_REQUEST_MS: f64 = 250.0;

/// Estimated milliseconds for one bcrypt verification at `cost`.
pub fn bcrypt_request_ms(cost: u32) -> f64 {
    BCRYPT_COST10_MS * 2f64.powi(cost as i32 - 10)
}

/// How strong a stored hash is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strength {
    /// A modern salted, slow hash with sane parameters.
    Strong,
    /// Salted but fast by today's standards (MD5-based, low bcrypt cost).
    Legacy(String),
    /// Cracked quickly or stored readable.
    Weak(String),
    /// Strong, but so costly that each Basic-auth request waits noticeably (and many
    /// requests can exhaust the server's CPU).
    Slow(String),
    /// Not a usable hash: no password matches it.
    Unusable(String),
}

/// Judge a hash from what [`super::identify`] found.
pub fn strength(info: &HashInfo) -> Strength {
    if let Some(m) = &info.malformed {
        return Strength::Unusable(m.reason.clone());
    }
    match &info.kind {
        Kind::Bcrypt { .. } => {
            let cost = info.params.cost.unwrap_or(0);
            let ms = bcrypt_request_ms(cost);
            if cost < 8 {
                Strength::Weak(format!(
                    "bcrypt cost {cost} is very low (about {ms:.1} ms per guess); use 10"
                ))
            } else if cost < 10 {
                Strength::Legacy(format!("bcrypt cost {cost} is below the recommended 10"))
            } else if ms > SLOW_REQUEST_MS {
                Strength::Slow(format!(
                    "bcrypt cost {cost} takes about {ms:.0} ms on every request; \
                     10 or 11 is enough for Basic auth"
                ))
            } else {
                Strength::Strong
            }
        }
        Kind::Sha256Crypt | Kind::Sha512Crypt | Kind::Yescrypt | Kind::OtherCrypt { .. } => {
            Strength::Strong
        }
        Kind::Apr1 | Kind::Md5Crypt => Strength::Legacy(
            "MD5-based crypt (1000 MD5 rounds) is fast to crack on GPUs; use bcrypt".into(),
        ),
        Kind::Ssha => Strength::Weak(
            "{SSHA} is a single salted SHA-1: billions of guesses per second; use bcrypt".into(),
        ),
        Kind::Sha1 => Strength::Weak(
            "{SHA} is unsalted SHA-1: billions of guesses per second; use bcrypt".into(),
        ),
        Kind::DesCrypt => Strength::Weak(
            "DES crypt uses at most 8 characters and is cracked in hours; use bcrypt".into(),
        ),
        Kind::PlainPrefixed | Kind::Unknown => {
            Strength::Weak("the password is stored in plaintext".into())
        }
        Kind::CryptFailureToken | Kind::Empty => {
            Strength::Unusable("not a hash: no password matches".into())
        }
    }
}
