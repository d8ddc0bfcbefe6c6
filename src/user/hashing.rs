//! The bridge from user operations to `crate::hash`: which scheme and cost to write, the
//! warnings that go with it, and how an existing hash is described for `list`.

use super::EntryKind;
use super::error::{UserError, Warning};
use super::inspect::{Strength, Verdict};
use crate::hash::Scheme;

/// The scheme (and its work factor) a new hash is written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashChoice {
    pub scheme: Scheme,
    /// bcrypt cost (4..=31; default 10).
    pub cost: Option<u32>,
    /// SHA-crypt rounds (1000..=999_999_999; default 5000).
    pub rounds: Option<u32>,
}

impl Default for HashChoice {
    fn default() -> Self {
        HashChoice {
            scheme: Scheme::Bcrypt,
            cost: None,
            rounds: None,
        }
    }
}

/// Default bcrypt cost: Basic auth re-hashes on every request, so 12+ costs every page
/// load ~4x the CPU of 10 for little gain against an offline attacker.
pub const DEFAULT_BCRYPT_COST: u32 = 10;

pub fn scheme_name(s: Scheme) -> &'static str {
    match s {
        Scheme::Bcrypt => "bcrypt",
        Scheme::Apr1 => "apr1",
        Scheme::Sha256Crypt => "sha256-crypt",
        Scheme::Sha512Crypt => "sha512-crypt",
        Scheme::Md5Crypt => "md5-crypt",
        Scheme::DesCrypt => "crypt (DES)",
        Scheme::Sha1 => "{SHA}",
        Scheme::Plain => "plaintext",
    }
}

pub(crate) fn weakness(s: Scheme) -> &'static str {
    match s {
        Scheme::DesCrypt => "only 8 characters count and it is fast to brute-force",
        Scheme::Sha1 => "unsalted SHA-1, fast to brute-force",
        Scheme::Plain => {
            "the password is stored as is; Apache on Unix and nginx reject bare plaintext"
        }
        _ => "fast MD5-based",
    }
}

fn is_weak(s: Scheme) -> bool {
    matches!(s, Scheme::DesCrypt | Scheme::Sha1 | Scheme::Plain)
}

/// Refuse user names no server can look up.
pub fn check_user(user: &str) -> Result<(), UserError> {
    match super::import::user_name_problem(user.as_bytes()) {
        Some(reason) => Err(UserError::BadUser {
            user: user.escape_debug().to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The hash field for `user` with `password` (for digest entries, the md5 hex), and the
/// warnings that go with the choice.
pub fn make_entry(
    user: &str,
    password: &[u8],
    kind: &EntryKind,
) -> Result<(String, Vec<Warning>), UserError> {
    match kind {
        EntryKind::Digest { realm } => {
            check_realm(realm)?;
            Ok((digest_hex(user, realm, password), Vec::new()))
        }
        EntryKind::Basic(choice) => {
            let mut warnings = Vec::new();
            if is_weak(choice.scheme) {
                warnings.push(Warning::WeakScheme(choice.scheme));
            }
            let limit = match choice.scheme {
                Scheme::Bcrypt => Some(72),
                Scheme::DesCrypt => Some(8),
                _ => None,
            };
            if let Some(limit) = limit
                && password.len() > limit
            {
                warnings.push(Warning::Truncated {
                    scheme: choice.scheme,
                    limit,
                    len: password.len(),
                });
            }
            let work = match choice.scheme {
                Scheme::Bcrypt => choice.cost,
                Scheme::Sha256Crypt | Scheme::Sha512Crypt => choice.rounds,
                _ => {
                    if choice.cost.is_some() || choice.rounds.is_some() {
                        warnings.push(Warning::IgnoredCost(choice.scheme));
                    }
                    None
                }
            };
            if choice.scheme == Scheme::Bcrypt && choice.rounds.is_some()
                || matches!(choice.scheme, Scheme::Sha256Crypt | Scheme::Sha512Crypt)
                    && choice.cost.is_some()
            {
                return Err(UserError::BadOption(format!(
                    "{} takes {}, not {}",
                    scheme_name(choice.scheme),
                    if choice.scheme == Scheme::Bcrypt {
                        "--cost"
                    } else {
                        "--rounds"
                    },
                    if choice.scheme == Scheme::Bcrypt {
                        "--rounds"
                    } else {
                        "--cost"
                    },
                )));
            }
            check_work(choice.scheme, work)?;
            let hash = generate(choice.scheme, work, password)?;
            Ok((hash, warnings))
        }
    }
}

/// `user:hash` or `user:realm:md5`, the line `htguard hash` prints.
pub fn entry_text(user: &str, hash: &str, kind: &EntryKind) -> String {
    match kind {
        EntryKind::Basic(_) => format!("{user}:{hash}"),
        EntryKind::Digest { realm } => format!("{user}:{realm}:{hash}"),
    }
}

fn check_realm(realm: &str) -> Result<(), UserError> {
    let bad = |reason| {
        Err(UserError::BadRealm {
            realm: realm.escape_debug().to_string(),
            reason,
        })
    };
    if realm.is_empty() {
        return bad("empty");
    }
    if realm.contains(':') {
        return bad("contains ':' (the field separator)");
    }
    if realm.bytes().any(|b| b.is_ascii_control()) {
        return bad("contains a control character");
    }
    Ok(())
}

fn check_work(scheme: Scheme, work: Option<u32>) -> Result<(), UserError> {
    match (scheme, work) {
        (Scheme::Bcrypt, Some(c)) if !(4..=31).contains(&c) => Err(UserError::BadOption(format!(
            "bcrypt cost must be between 4 and 31 (got {c}); 10 is the default"
        ))),
        (Scheme::Sha256Crypt | Scheme::Sha512Crypt, Some(r))
            if !(1000..=999_999_999).contains(&r) =>
        {
            Err(UserError::BadOption(format!(
                "SHA-crypt rounds must be between 1000 and 999999999 (got {r}); 5000 is the default"
            )))
        }
        _ => Ok(()),
    }
}

fn digest_hex(user: &str, realm: &str, password: &[u8]) -> String {
    let mut ctx = md5::Context::new();
    ctx.consume(user.as_bytes());
    ctx.consume(b":");
    ctx.consume(realm.as_bytes());
    ctx.consume(b":");
    ctx.consume(password);
    format!("{:x}", ctx.finalize())
}

pub(crate) fn verify_digest(user: &str, realm: &str, password: &[u8], hash: &[u8]) -> bool {
    super::secret::same(digest_hex(user, realm, password).as_bytes(), hash)
}

/// What `list` says about a hash.
pub(crate) struct Description {
    pub scheme: String,
    pub cost: Option<u32>,
    pub rounds: Option<u32>,
    pub strength: Strength,
    pub note: String,
}

pub(crate) fn describe_digest(hash: &[u8]) -> Description {
    let ok = hash.len() == 32 && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    Description {
        scheme: "digest-md5".into(),
        cost: None,
        rounds: None,
        strength: if ok {
            Strength::Good
        } else {
            Strength::Unusable
        },
        note: if ok {
            "MD5 of user:realm:password, as HTTP Digest requires".into()
        } else {
            "malformed: expected 32 lowercase hex digits".into()
        },
    }
}

// ---- scheme primitives (see schemes.rs: interim until crate::hash provides them) ----

fn generate(scheme: Scheme, work: Option<u32>, password: &[u8]) -> Result<String, UserError> {
    super::schemes::generate(scheme, password, work).map_err(UserError::Hash)
}

pub(crate) fn verify_basic(password: &[u8], hash: &[u8]) -> Verdict {
    match super::schemes::verify(password, hash) {
        Ok(true) => Verdict::Match,
        Ok(false) => Verdict::Mismatch,
        Err(reason) => Verdict::Unusable(reason),
    }
}

pub(crate) fn describe(hash: &[u8]) -> Description {
    let info = super::schemes::describe(hash);
    Description {
        scheme: info.scheme,
        cost: info.cost,
        rounds: info.rounds,
        strength: info.strength,
        note: info.note,
    }
}
