//! The bridge from user operations to `crate::hash`: which scheme and cost to write, the
//! warnings that go with it, and how an existing hash is described for `list`.

use super::EntryKind;
use super::error::{UserError, Warning};
use super::inspect::{Strength, Verdict};
use crate::diag::Server;
use crate::hash;
use crate::hash::Scheme;
use crate::target::Profile;

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
pub const DEFAULT_BCRYPT_COST: u32 = hash::DEFAULT_BCRYPT_COST;

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

/// Refuse a name with a `:`, which no entry can have, or a NUL, where Apache's reading of
/// a name ends: the lookups (`verify`, `delete`) take any other name as it is.
pub fn check_lookup_name(user: &str) -> Result<(), UserError> {
    let reason = if user.contains(':') {
        "user name contains ':' (the field separator)"
    } else if user.contains('\0') {
        "user name contains a NUL (Apache reads a name only up to it)"
    } else {
        return Ok(());
    };
    Err(UserError::BadUser {
        user: user.escape_debug().to_string(),
        reason,
    })
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
/// warnings that go with the choice (weak scheme, truncated password).
pub fn make_entry(
    user: &str,
    password: &[u8],
    kind: &EntryKind,
) -> Result<(String, Vec<Warning>), UserError> {
    match kind {
        EntryKind::Digest { realm } => {
            check_realm(realm)?;
            Ok((hash::digest_hash(user, realm, password), Vec::new()))
        }
        EntryKind::Basic(choice) => {
            let params = hash::Params {
                cost: choice.cost,
                rounds: choice.rounds,
            };
            let generated = hash::generate(choice.scheme, password, &params)
                .map_err(|e| hash_error(e, choice))?;
            Ok((generated.hash, generated.warnings))
        }
    }
}

/// `HashError` in the words of the command line.
fn hash_error(e: hash::HashError, choice: &HashChoice) -> UserError {
    match e {
        hash::HashError::CostOutOfRange(c) => UserError::BadOption(format!(
            "bcrypt cost must be between 4 and 31 (got {c}); {} is the default",
            hash::DEFAULT_BCRYPT_COST
        )),
        hash::HashError::RoundsOutOfRange(r) => UserError::BadOption(format!(
            "SHA-crypt rounds must be between 1000 and 999999999 (got {r}); {} is the default",
            hash::DEFAULT_SHA_ROUNDS
        )),
        hash::HashError::ParamNotApplicable { param, .. } => UserError::BadOption(format!(
            "--{param} does not apply to {}: --cost is for bcrypt, --rounds for sha256/sha512",
            scheme_name(choice.scheme)
        )),
        other => UserError::Hash(other.to_string()),
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

pub(crate) fn verify_digest(
    user: &str,
    realm: &str,
    password: &[u8],
    stored: &[u8],
) -> Result<Verdict, UserError> {
    Ok(match hash::verify_digest(user, realm, password, stored) {
        Ok(true) => Verdict::Match { note: None },
        Ok(false) => Verdict::Mismatch,
        Err(e) => Verdict::Unusable(e.to_string()),
    })
}

/// Check a basic entry's hash as the servers would: the password must match, and a server
/// of the default target (Apache 2.4 and nginx on Linux) must accept the scheme.
pub(crate) fn verify_basic(password: &[u8], stored: &[u8]) -> Result<Verdict, UserError> {
    match hash::verify(password, stored) {
        Ok(false) => Ok(Verdict::Mismatch),
        Ok(true) => {
            let info = hash::identify(stored);
            let rejected = rejected_by(&info);
            Ok(match rejected.as_slice() {
                [] => Verdict::Match { note: None },
                [_, _] => Verdict::Unusable(format!(
                    "the password matches, but neither Apache nor nginx accepts {} on Linux",
                    info.kind.label()
                )),
                [(server, why)] => Verdict::Match {
                    note: Some(format!("{server} rejects this entry: {why}")),
                },
                _ => Verdict::Match { note: None },
            })
        }
        Err(hash::VerifyError::Malformed(m)) => Ok(Verdict::Unusable(m.to_string())),
        Err(e @ hash::VerifyError::Unsupported { .. }) => Err(UserError::Hash(e.to_string())),
    }
}

/// Servers of the default target that refuse a correct password for this hash, and why.
fn rejected_by(info: &hash::HashInfo) -> Vec<(&'static str, String)> {
    let profile = Profile::default();
    [(Server::Apache, "Apache"), (Server::Nginx, "nginx")]
        .into_iter()
        .filter_map(
            |(server, name)| match hash::support_for(info, server, &profile) {
                hash::Support::Works
                | hash::Support::Truncates { .. }
                | hash::Support::AsciiOnly { .. } => None,
                hash::Support::Always401 { reason } => Some((name, format!("401 ({reason})"))),
                hash::Support::Error500 { reason } => Some((name, format!("500 ({reason})"))),
            },
        )
        .collect()
}

/// What `list` says about a hash.
pub(crate) struct Description {
    pub scheme: String,
    pub cost: Option<u32>,
    pub rounds: Option<u32>,
    pub strength: Strength,
    pub note: String,
}

pub(crate) fn describe_digest(stored: &[u8]) -> Description {
    let bad = hash::check_digest_hash(stored);
    Description {
        scheme: "digest-md5".into(),
        cost: None,
        rounds: None,
        strength: if bad.is_some() {
            Strength::Unusable
        } else {
            Strength::Strong
        },
        note: match bad {
            Some(m) => m.to_string(),
            None => "MD5 of user:realm:password, as HTTP Digest requires".into(),
        },
    }
}

pub(crate) fn describe(stored: &[u8]) -> Description {
    let info = hash::identify(stored);
    let (strength, mut note) = match hash::strength(&info) {
        hash::Strength::Strong => (Strength::Strong, "salted and slow".to_string()),
        hash::Strength::Legacy(n) => (Strength::Legacy, n),
        hash::Strength::Weak(n) => (Strength::Weak, n),
        hash::Strength::Slow(n) => (Strength::Slow, n),
        hash::Strength::Unusable(n) => (Strength::Unusable, n),
    };
    if strength != Strength::Unusable {
        for (server, why) in rejected_by(&info) {
            note.push_str(&format!("; {server} answers {why}"));
        }
    }
    Description {
        scheme: info.kind.name().to_string(),
        cost: info.params.cost,
        rounds: info.params.rounds,
        strength,
        note,
    }
}
