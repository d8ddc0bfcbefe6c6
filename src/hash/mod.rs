//! Hash schemes: detect, validate, verify, generate. Pure functions over bytes.
//!
//! Every function here takes the hash field exactly as it appears in the password file
//! (any bytes) and never panics. The only side effects are OS randomness for new salts and,
//! for schemes no Rust crate covers (yescrypt and other `$id$` hashes), a call into the
//! system `crypt_rn()`, which is exactly what Apache and nginx call on Linux.
//!
//! "Malformed" has one precise meaning throughout: the servers compare the text their
//! crypt function produces with the stored text, so a hash is malformed when *no password*
//! can make those two texts equal (for example a bcrypt salt whose last character crypt()
//! rewrites, or `rounds=500`, which libxcrypt rejects and classic glibc clamps to 1000).
//!
//! Passwords are C strings to both servers: bytes after a NUL are never seen. [`verify`]
//! therefore stops at the first NUL, and [`generate`] refuses a password containing one.

mod apr1;
mod b64;
mod bcrypt;
mod des;
mod digest;
mod md5_crypt;
mod plain;
mod redact;
mod salt;
mod sha1;
mod sha_crypt;
mod ssha;
mod strength;
mod support;
mod syscrypt;
mod yescrypt;

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use digest::{check_digest_hash, digest_hash, verify_digest};
pub use redact::{redact_hash, visible_prefix};
pub use strength::{BCRYPT_COST10_MS, SLOW_REQUEST_MS, Strength, bcrypt_request_ms, strength};
pub use support::{
    PICKABLE, Refusal, Support, choose_scheme, password_refusals, refusals, support, support_for,
};

/// Default bcrypt cost. Not 12+: Basic auth sends the password with every request and both
/// servers re-run bcrypt each time (no session), so the cost is paid per request, per
/// user. Cost 10 is ~90 ms on a small server core; 12 is ~360 ms on every page, image and
/// API call (see [`BCRYPT_COST10_MS`]).
pub const DEFAULT_BCRYPT_COST: u32 = 10;
/// Default SHA-crypt rounds (the scheme's own default, what `htpasswd -2/-5` uses).
pub const DEFAULT_SHA_ROUNDS: u32 = 5000;
/// bcrypt cost range accepted by crypt_blowfish and libxcrypt.
pub const BCRYPT_COST_RANGE: std::ops::RangeInclusive<u32> = 4..=31;
/// SHA-crypt `rounds=` range accepted by libxcrypt (glibc clamps outside it).
pub const SHA_ROUNDS_RANGE: std::ops::RangeInclusive<u32> = 1000..=999_999_999;
/// bcrypt reads at most this many password bytes.
pub const BCRYPT_MAX_PASSWORD: usize = 72;
/// Traditional DES crypt reads at most this many password bytes.
pub const DES_MAX_PASSWORD: usize = 8;

/// A scheme htguard can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Bcrypt,
    Apr1,
    Sha256Crypt,
    Sha512Crypt,
    Md5Crypt,
    DesCrypt,
    Sha1,
    /// Bare plaintext, as `htpasswd -p` writes it (works only on Apache for Windows).
    Plain,
}

impl Scheme {
    /// Every scheme, strongest first (the order `--scheme` help lists them).
    pub const ALL: [Scheme; 8] = [
        Scheme::Bcrypt,
        Scheme::Sha512Crypt,
        Scheme::Sha256Crypt,
        Scheme::Apr1,
        Scheme::Md5Crypt,
        Scheme::DesCrypt,
        Scheme::Sha1,
        Scheme::Plain,
    ];

    /// The CLI name (`--scheme NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Bcrypt => "bcrypt",
            Scheme::Apr1 => "apr1",
            Scheme::Sha256Crypt => "sha256",
            Scheme::Sha512Crypt => "sha512",
            Scheme::Md5Crypt => "md5-crypt",
            Scheme::DesCrypt => "crypt",
            Scheme::Sha1 => "sha1",
            Scheme::Plain => "plain",
        }
    }

    /// Parse a CLI name; exact and case-sensitive.
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// DES crypt, `{SHA}` and plaintext: written only when asked for by name, with a warning.
    pub fn is_weak(self) -> bool {
        matches!(self, Scheme::DesCrypt | Scheme::Sha1 | Scheme::Plain)
    }

    /// The kind [`identify`] reports for hashes of this scheme.
    pub fn kind(self) -> Kind {
        match self {
            Scheme::Bcrypt => Kind::Bcrypt {
                variant: BcryptVariant::Y,
            },
            Scheme::Apr1 => Kind::Apr1,
            Scheme::Sha256Crypt => Kind::Sha256Crypt,
            Scheme::Sha512Crypt => Kind::Sha512Crypt,
            Scheme::Md5Crypt => Kind::Md5Crypt,
            Scheme::DesCrypt => Kind::DesCrypt,
            Scheme::Sha1 => Kind::Sha1,
            Scheme::Plain => Kind::Unknown,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The bcrypt prefix letter. `$2a$`/`$2y$` Apache verifies itself (APR's crypt_blowfish);
/// `$2b$`/`$2x$` go to the platform crypt().
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BcryptVariant {
    A,
    B,
    X,
    Y,
}

impl BcryptVariant {
    /// `"2a"`, `"2b"`, `"2x"` or `"2y"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BcryptVariant::A => "2a",
            BcryptVariant::B => "2b",
            BcryptVariant::X => "2x",
            BcryptVariant::Y => "2y",
        }
    }
}

/// What a hash field contains, decided from its text the way the servers dispatch on it
/// (case-sensitive prefixes, as `strncmp` in APR and nginx).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `$2a$`, `$2b$`, `$2x$`, `$2y$`.
    Bcrypt { variant: BcryptVariant },
    /// `$apr1$` (Apache's MD5-crypt).
    Apr1,
    /// `$1$` MD5-crypt.
    Md5Crypt,
    /// `$5$`.
    Sha256Crypt,
    /// `$6$`.
    Sha512Crypt,
    /// `$y$` (Debian's default for system passwords).
    Yescrypt,
    /// Another `$id$…` (or BSDi `_…`) hash that only the system crypt() can judge,
    /// e.g. `$gy$`, `$7$`, `$sha1$`, `$md5$`. `prefix` is `$id$` or `_`.
    OtherCrypt { prefix: String },
    /// Traditional DES crypt: exactly 13 characters of `[./0-9A-Za-z]`.
    ///
    /// A 13-character plaintext password made of those characters is indistinguishable
    /// from a DES hash. We call it DES because that is what the servers do: Apache on Unix
    /// and nginx hand it to crypt(), which reads it as DES; only Apache on Windows would
    /// compare it as plaintext.
    DesCrypt,
    /// `{SHA}` + base64(SHA-1(password)).
    Sha1,
    /// `{SSHA}` + base64(SHA-1(password + salt) + salt) — nginx only.
    Ssha,
    /// `{PLAIN}password` — nginx only.
    PlainPrefixed,
    /// `*0` or `*1`: what crypt() returns on failure (Apache's `htpasswd -r 999` writes it).
    CryptFailureToken,
    /// An empty hash field.
    Empty,
    /// Anything else: bare plaintext or garbage.
    Unknown,
}

impl Kind {
    /// A short, stable name for listings and JSON (`bcrypt`, `sha512-crypt`, `plaintext`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Bcrypt { .. } => "bcrypt",
            Kind::Apr1 => "apr1",
            Kind::Md5Crypt => "md5-crypt",
            Kind::Sha256Crypt => "sha256-crypt",
            Kind::Sha512Crypt => "sha512-crypt",
            Kind::Yescrypt => "yescrypt",
            Kind::OtherCrypt { .. } => "system-crypt",
            Kind::DesCrypt => "des-crypt",
            Kind::Sha1 => "sha1",
            Kind::Ssha => "ssha",
            Kind::PlainPrefixed => "plain-prefixed",
            Kind::CryptFailureToken => "crypt-failure-token",
            Kind::Empty => "empty",
            Kind::Unknown => "plaintext",
        }
    }

    /// How the hash starts, for messages: `$2y$`, `$apr1$`, `{SHA}`, `DES`, …
    pub fn label(&self) -> String {
        match self {
            Kind::Bcrypt { variant } => format!("${}$", variant.as_str()),
            Kind::Apr1 => "$apr1$".into(),
            Kind::Md5Crypt => "$1$".into(),
            Kind::Sha256Crypt => "$5$".into(),
            Kind::Sha512Crypt => "$6$".into(),
            Kind::Yescrypt => "$y$".into(),
            // An id no crypt() knows may be the start of a password: not repeated.
            Kind::OtherCrypt { prefix } if redact::is_known_prefix(prefix) => prefix.clone(),
            Kind::OtherCrypt { .. } => "an unknown $id$ scheme".into(),
            Kind::DesCrypt => "DES crypt".into(),
            Kind::Sha1 => "{SHA}".into(),
            Kind::Ssha => "{SSHA}".into(),
            Kind::PlainPrefixed => "{PLAIN}".into(),
            Kind::CryptFailureToken => "crypt failure token".into(),
            Kind::Empty => "empty hash".into(),
            Kind::Unknown => "plaintext".into(),
        }
    }

    /// The scheme htguard would write for this kind, if any.
    pub fn scheme(&self) -> Option<Scheme> {
        match self {
            Kind::Bcrypt { .. } => Some(Scheme::Bcrypt),
            Kind::Apr1 => Some(Scheme::Apr1),
            Kind::Md5Crypt => Some(Scheme::Md5Crypt),
            Kind::Sha256Crypt => Some(Scheme::Sha256Crypt),
            Kind::Sha512Crypt => Some(Scheme::Sha512Crypt),
            Kind::DesCrypt => Some(Scheme::DesCrypt),
            Kind::Sha1 => Some(Scheme::Sha1),
            Kind::Unknown => Some(Scheme::Plain),
            _ => None,
        }
    }
}

/// Cost parameters read from a hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashParams {
    /// bcrypt cost (log2 of the rounds).
    pub cost: Option<u32>,
    /// SHA-crypt rounds (5000 when `rounds=` is absent); MD5-crypt/apr1 are fixed at 1000
    /// and reported as `None`.
    pub rounds: Option<u32>,
    /// `rounds=` was written in the hash.
    pub rounds_explicit: bool,
}

/// Why no password can match a hash, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Malformed {
    pub reason: String,
}

impl Malformed {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Malformed {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Malformed {}

/// What [`identify`] found in a hash field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashInfo {
    pub kind: Kind,
    pub params: HashParams,
    /// Set when no password can match this text on the servers (see the module docs).
    pub malformed: Option<Malformed>,
}

impl HashInfo {
    pub(crate) fn ok(kind: Kind) -> Self {
        HashInfo {
            kind,
            params: HashParams::default(),
            malformed: None,
        }
    }

    pub(crate) fn bad(kind: Kind, reason: impl Into<String>) -> Self {
        HashInfo {
            kind,
            params: HashParams::default(),
            malformed: Some(Malformed::new(reason)),
        }
    }

    pub(crate) fn with_params(mut self, params: HashParams) -> Self {
        self.params = params;
        self
    }
}

/// Read a hash field: its kind, cost parameters, and whether any password can match it.
pub fn identify(hash: &[u8]) -> HashInfo {
    let mut info = identify_format(hash);
    // `contains` first: hashes are short, and a SIMD search costs more to set up.
    if info.malformed.is_none()
        && hash.contains(&0)
        && let Some(pos) = hash.iter().position(|b| *b == 0)
    {
        info.malformed = Some(Malformed::new(format!(
            "contains a NUL byte at position {}: the servers stop reading there",
            pos + 1
        )));
    }
    info
}

/// The kind [`identify`] reports, without validating the rest of the hash when the
/// prefix alone decides it (bcrypt, apr1, MD5-crypt): for callers that need only the
/// scheme, once per line of a million-line file.
pub fn kind_of(hash: &[u8]) -> Kind {
    if let Some(variant) = bcrypt::variant(hash) {
        return Kind::Bcrypt { variant };
    }
    if hash.starts_with(apr1::MAGIC) {
        return Kind::Apr1;
    }
    if hash.starts_with(md5_crypt::MAGIC) {
        return Kind::Md5Crypt;
    }
    identify(hash).kind
}

fn identify_format(hash: &[u8]) -> HashInfo {
    if hash.is_empty() {
        return HashInfo::bad(Kind::Empty, "the hash field is empty: no password matches");
    }
    if hash == b"*0" || hash == b"*1" {
        return HashInfo::bad(
            Kind::CryptFailureToken,
            format!(
                "`{}` is the failure token crypt() returns, not a hash: no password matches \
                 (Apache's htpasswd writes it when -r is below 1000)",
                String::from_utf8_lossy(hash)
            ),
        );
    }
    if let Some(variant) = bcrypt::variant(hash) {
        return bcrypt::inspect(hash, variant);
    }
    if hash.starts_with(apr1::MAGIC) {
        return apr1::inspect(hash);
    }
    if hash.starts_with(md5_crypt::MAGIC) {
        return md5_crypt::inspect(hash);
    }
    if let Some(alg) = sha_crypt::Alg::from_hash(hash) {
        return sha_crypt::inspect(hash, alg);
    }
    if hash.starts_with(yescrypt::MAGIC) {
        return yescrypt::inspect(hash);
    }
    if hash.starts_with(ssha::PREFIX) {
        return ssha::inspect(hash);
    }
    if hash.starts_with(sha1::PREFIX) {
        return sha1::inspect(hash);
    }
    if hash.starts_with(plain::PREFIX) {
        return HashInfo::ok(Kind::PlainPrefixed);
    }
    if let Some(prefix) = syscrypt::other_prefix(hash) {
        return HashInfo::ok(Kind::OtherCrypt { prefix });
    }
    if des::looks_like(hash) {
        return des::inspect(hash);
    }
    HashInfo::ok(Kind::Unknown)
}

/// Why a password could not be checked against a hash.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No password can match this text on the servers.
    #[error("malformed hash: {0}")]
    Malformed(Malformed),
    /// The hash may be fine, but this machine cannot check it (e.g. the system crypt()
    /// does not know the scheme).
    #[error("cannot verify {kind} here: {reason}")]
    Unsupported { kind: String, reason: String },
}

/// Does `password` match `hash`, as the servers would decide? Comparisons are
/// constant-time; the password is read up to its first NUL (servers use C strings).
///
/// Bare plaintext ([`Kind::Unknown`]) and `{PLAIN}` are compared as plaintext; whether a
/// server accepts them at all is [`support`]'s answer, not this function's.
pub fn verify(password: &[u8], hash: &[u8]) -> Result<bool, VerifyError> {
    let info = identify(hash);
    if let Some(m) = info.malformed {
        return Err(VerifyError::Malformed(m));
    }
    let password = until_nul(password);
    match info.kind {
        Kind::Bcrypt { variant } => bcrypt::verify(password, hash, variant),
        Kind::Apr1 => Ok(apr1::verify(password, hash)),
        Kind::Md5Crypt => Ok(md5_crypt::verify(password, hash)),
        Kind::Sha256Crypt | Kind::Sha512Crypt => Ok(sha_crypt::verify(password, hash)),
        Kind::DesCrypt => des::verify(password, hash),
        Kind::Sha1 => Ok(sha1::verify(password, hash)),
        Kind::Ssha => Ok(ssha::verify(password, hash)),
        Kind::PlainPrefixed => Ok(ct_eq(password, &hash[plain::PREFIX.len()..])),
        Kind::Unknown => Ok(ct_eq(password, hash)),
        kind @ (Kind::Yescrypt | Kind::OtherCrypt { .. }) => syscrypt::verify(password, hash)
            .map_err(|reason| VerifyError::Unsupported {
                kind: kind.label(),
                reason,
            }),
        // identify() marks these malformed; kept total for safety.
        Kind::CryptFailureToken | Kind::Empty => Ok(false),
    }
}

/// Options for [`generate`]; `None` means the scheme's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// bcrypt cost, 4..=31 (default [`DEFAULT_BCRYPT_COST`]).
    pub cost: Option<u32>,
    /// SHA-crypt rounds, 1000..=999_999_999 (default [`DEFAULT_SHA_ROUNDS`], not written).
    pub rounds: Option<u32>,
}

/// Something the user should know about a hash that was written anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashWarning {
    /// The scheme reads only the first `max_bytes` bytes of the password.
    PasswordTruncated {
        scheme: Scheme,
        len: usize,
        max_bytes: usize,
    },
    /// DES crypt drops the high bit of every byte, so non-ASCII passwords collide.
    DesDropsHighBit,
    /// A weak scheme was asked for by name.
    WeakScheme { scheme: Scheme },
    /// The password is empty.
    EmptyPassword,
}

impl fmt::Display for HashWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashWarning::PasswordTruncated {
                scheme,
                len,
                max_bytes,
            } => write!(
                f,
                "the password is {len} bytes but {scheme} uses only the first {max_bytes}: \
                 any password with the same first {max_bytes} bytes is accepted"
            ),
            HashWarning::DesDropsHighBit => f.write_str(
                "DES crypt ignores the high bit of each byte: non-ASCII characters collide",
            ),
            HashWarning::WeakScheme { scheme } => match scheme {
                Scheme::DesCrypt => f.write_str(
                    "crypt (DES) is weak: 8 characters at most, cracked in hours; use bcrypt",
                ),
                Scheme::Sha1 => f.write_str(
                    "{SHA} is unsalted SHA-1: identical passwords give identical hashes and \
                     it is cracked at billions of guesses per second; use bcrypt",
                ),
                Scheme::Plain => f.write_str(
                    "plaintext is stored readable, and only Apache on Windows accepts it \
                     (Apache on Unix and nginx answer 401); use bcrypt",
                ),
                other => write!(f, "{other} is weak; use bcrypt"),
            },
            HashWarning::EmptyPassword => f.write_str("the password is empty"),
        }
    }
}

/// A freshly written hash and what the user should be told about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub hash: String,
    pub warnings: Vec<HashWarning>,
}

/// Why [`generate`] refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("bcrypt cost {0} is outside 4..31")]
    CostOutOfRange(u32),
    #[error("rounds {0} is outside 1000..999999999 (servers reject or clamp it)")]
    RoundsOutOfRange(u32),
    #[error("{param} does not apply to {scheme} ({hint})")]
    ParamNotApplicable {
        param: &'static str,
        scheme: Scheme,
        hint: &'static str,
    },
    #[error("the password contains a NUL byte; the servers stop reading at it")]
    PasswordContainsNul,
    #[error("a plaintext password cannot contain {0} (it would break the file line)")]
    PlaintextUnsafe(&'static str),
    #[error("no randomness for the salt: {0}")]
    Random(String),
    #[error("hashing failed: {0}")]
    Backend(String),
}

/// Hash `password` with `scheme`. Never emits a failure token: out-of-range parameters are
/// errors, and the result always verifies with [`verify`].
pub fn generate(scheme: Scheme, password: &[u8], params: &Params) -> Result<Generated, HashError> {
    if password.contains(&0) {
        return Err(HashError::PasswordContainsNul);
    }
    check_params(scheme, params)?;
    let mut warnings = Vec::new();
    if password.is_empty() {
        warnings.push(HashWarning::EmptyPassword);
    }
    let hash = match scheme {
        Scheme::Bcrypt => {
            if password.len() > BCRYPT_MAX_PASSWORD {
                warnings.push(HashWarning::PasswordTruncated {
                    scheme,
                    len: password.len(),
                    max_bytes: BCRYPT_MAX_PASSWORD,
                });
            }
            bcrypt::generate(password, params.cost.unwrap_or(DEFAULT_BCRYPT_COST))?
        }
        Scheme::Apr1 => apr1::generate(password)?,
        Scheme::Md5Crypt => md5_crypt::generate(password)?,
        Scheme::Sha256Crypt | Scheme::Sha512Crypt => {
            let alg = if scheme == Scheme::Sha256Crypt {
                sha_crypt::Alg::Sha256
            } else {
                sha_crypt::Alg::Sha512
            };
            sha_crypt::generate(alg, password, params.rounds)?
        }
        Scheme::DesCrypt => {
            if password.len() > DES_MAX_PASSWORD {
                warnings.push(HashWarning::PasswordTruncated {
                    scheme,
                    len: password.len(),
                    max_bytes: DES_MAX_PASSWORD,
                });
            }
            if password.iter().take(DES_MAX_PASSWORD).any(|&b| b >= 0x80) {
                warnings.push(HashWarning::DesDropsHighBit);
            }
            des::generate(password)?
        }
        Scheme::Sha1 => sha1::generate(password),
        Scheme::Plain => plain::generate(password)?,
    };
    if scheme.is_weak() {
        warnings.push(HashWarning::WeakScheme { scheme });
    }
    Ok(Generated { hash, warnings })
}

fn check_params(scheme: Scheme, params: &Params) -> Result<(), HashError> {
    if let Some(cost) = params.cost {
        if scheme != Scheme::Bcrypt {
            return Err(HashError::ParamNotApplicable {
                param: "cost",
                scheme,
                hint: "cost is for bcrypt; sha256/sha512 take rounds",
            });
        }
        if !BCRYPT_COST_RANGE.contains(&cost) {
            return Err(HashError::CostOutOfRange(cost));
        }
    }
    if let Some(rounds) = params.rounds {
        if !matches!(scheme, Scheme::Sha256Crypt | Scheme::Sha512Crypt) {
            return Err(HashError::ParamNotApplicable {
                param: "rounds",
                scheme,
                hint: "rounds is for sha256/sha512; bcrypt takes cost",
            });
        }
        if !SHA_ROUNDS_RANGE.contains(&rounds) {
            return Err(HashError::RoundsOutOfRange(rounds));
        }
    }
    Ok(())
}

/// The password as a C string sees it.
fn until_nul(password: &[u8]) -> &[u8] {
    match password.iter().position(|&b| b == 0) {
        Some(n) => &password[..n],
        None => password,
    }
}

/// Constant-time equality (length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A zeroized copy of the password, for code that must own or extend it.
pub(crate) fn secret(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(bytes.to_vec())
}

/// A byte of a hash field for a message: ` ' '`, ` '\x01'` for a blank or a control byte
/// (the invisible culprits a user cannot find by eye), and nothing for any other byte:
/// the field may be a password (see [`redact`]).
pub(crate) fn show_byte(b: u8) -> String {
    match b {
        b' ' => " ' '".into(),
        b if b.is_ascii_graphic() || b >= 0x80 => String::new(),
        b => format!(" '\\x{b:02x}'"),
    }
}

#[cfg(test)]
mod tests;
