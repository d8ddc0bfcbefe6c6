//! Read-only operations: verify a password, list the users.

use super::EntryKind;
use super::edit::{check_read_kind, parse_for};
use super::error::UserError;
use super::hashing::{self, HashChoice};
use crate::model::passwd as view;
use crate::store;
use crate::syntax::passwd::{self, KindHint, LineKind, PasswdFile};
use std::borrow::Cow;
use std::path::Path;

/// The outcome of `verify`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password matches. `note`: a server of the default target rejects the entry.
    Match {
        note: Option<String>,
    },
    Mismatch,
    NoSuchUser,
    /// The entry exists but no password can match it (malformed or unsupported hash).
    Unusable(String),
}

/// Check `password` for `user` as the servers would: the first entry of the user wins.
pub fn verify(
    path: &Path,
    user: &str,
    password: &[u8],
    realm: Option<&str>,
) -> Result<Verdict, UserError> {
    super::hashing::check_lookup_name(user)?;
    let src = store::read(path)?;
    let kind = match realm {
        Some(r) => EntryKind::Digest { realm: r.into() },
        None => EntryKind::Basic(HashChoice::default()),
    };
    let file = parse_for(&src, &kind);
    check_read_kind(path, &file, realm)?;
    let Some(hash) = lookup(&file, &src, user, realm) else {
        return Ok(Verdict::NoSuchUser);
    };
    let hash: &[u8] = &hash;
    match realm {
        Some(r) => hashing::verify_digest(user, r, password, hash),
        None => hashing::verify_basic(password, hash),
    }
}

/// The hash of `user`'s entry (in `realm`) as Apache reads it: the first matching entry
/// wins, lines are trimmed, doubled colons skipped, `\` continuations joined, and nothing
/// after an over-long line is seen (`model::passwd`'s server view). nginx reads the same
/// hash for every line htguard writes.
pub(super) fn lookup<'a>(
    file: &'a PasswdFile,
    src: &'a [u8],
    user: &str,
    realm: Option<&str>,
) -> Option<Cow<'a, [u8]>> {
    let found = match realm {
        None => view::apache_find_basic(file, src, user.as_bytes()),
        Some(r) => view::apache_find_digest(file, src, user.as_bytes(), r.as_bytes()),
    }
    .found()?;
    match found.read {
        view::ApacheRead::Entry(e) => Some(if realm.is_some() {
            e.third.text
        } else {
            e.second.text
        }),
        _ => None,
    }
}

/// The hash field of one syntax line, for `list` (which shows every line, shadowed ones
/// too): basic lines skip doubled colons and end at the next colon, ignoring trailing
/// blanks; digest lines use the third field.
fn hash_field<'a>(line: &passwd::Line, src: &'a [u8], digest: bool) -> Option<&'a [u8]> {
    let raw = if digest {
        src.get(line.field3()?)?
    } else {
        let start = line.colon1()? + 1;
        let rest = src.get(start..line.content().end)?;
        let rest = &rest[rest.iter().take_while(|&&b| b == b':').count()..];
        let end = rest.iter().position(|&b| b == b':').unwrap_or(rest.len());
        &rest[..end]
    };
    Some(raw.trim_ascii())
}

/// User → hash of the first entry of each user (in `realm` for digest files), in one pass:
/// the same lines the editor changes (`find_basic` / `find_digest`).
pub(super) fn hash_index<'a>(
    file: &PasswdFile,
    src: &'a [u8],
    realm: Option<&str>,
) -> std::collections::HashMap<&'a [u8], &'a [u8]> {
    let digest = realm.is_some();
    let wanted = if digest {
        LineKind::Digest
    } else {
        LineKind::Basic
    };
    let mut index = std::collections::HashMap::new();
    for (_, line) in file.entries() {
        if line.kind() != wanted {
            continue;
        }
        if let Some(r) = realm
            && line.field2().and_then(|f| src.get(f)) != Some(r.as_bytes())
        {
            continue;
        }
        let Some(user) = passwd::entry_user(line, src) else {
            continue;
        };
        if let Some(hash) = hash_field(line, src, digest) {
            index.entry(user).or_insert(hash);
        }
    }
    index
}

/// How much protection an entry's hash gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// A slow, salted scheme at a sensible cost.
    Strong,
    /// Salted but fast by today's standards (MD5-based crypt, bcrypt cost 8-9).
    Legacy,
    /// Cracked quickly or stored readable (DES, `{SHA}`, plaintext, bcrypt cost < 8).
    Weak,
    /// Strong but slow enough to delay every Basic-auth request.
    Slow,
    /// No password can log in with it (malformed, empty, a failure token).
    Unusable,
}

impl Strength {
    /// Whether `rotate --weak` replaces it.
    pub fn needs_rotation(self) -> bool {
        matches!(self, Strength::Legacy | Strength::Weak | Strength::Unusable)
    }
}

/// One user as `list` shows it. Never carries the full hash.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Listed {
    /// 1-based line number.
    pub line: usize,
    pub user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    pub scheme: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    pub strength: Strength,
    pub note: String,
    /// Line of an earlier entry for the same user that the servers use instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shadowed_by: Option<usize>,
}

/// Every user entry of the file, in file order.
pub fn list(path: &Path) -> Result<Vec<Listed>, UserError> {
    let src = store::read(path)?;
    let file = passwd::parse_with(&src, KindHint::Auto);
    let realm_any = match file.kind() {
        passwd::FileKind::Digest => Some(""),
        _ => None,
    };
    check_read_kind(path, &file, realm_any)?;
    Ok(entries(&file, &src, realm_any))
}

/// Entries of a parsed file; with `realm = Some("")` all digest entries, with
/// `Some(r)` those of realm `r`, with `None` the basic entries.
pub(super) fn entries(file: &PasswdFile, src: &[u8], realm: Option<&str>) -> Vec<Listed> {
    let digest = realm.is_some();
    let mut first: std::collections::HashMap<(Vec<u8>, Vec<u8>), usize> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for (i, line) in file.entries() {
        let wanted = if digest {
            LineKind::Digest
        } else {
            LineKind::Basic
        };
        if line.kind() != wanted {
            continue;
        }
        let Some(user) = passwd::entry_user(line, src) else {
            continue;
        };
        let line_realm = if digest {
            line.field2().and_then(|r| src.get(r))
        } else {
            None
        };
        if let (Some(want), Some(have)) = (realm, line_realm)
            && !want.is_empty()
            && want.as_bytes() != have
        {
            continue;
        }
        let Some(hash) = hash_field(line, src, digest) else {
            continue;
        };
        let key = (user.to_vec(), line_realm.unwrap_or_default().to_vec());
        let shadowed_by = first.get(&key).map(|&l| l + 1);
        first.entry(key).or_insert(i);
        let d = if digest {
            hashing::describe_digest(hash)
        } else {
            hashing::describe(hash)
        };
        let mut note = d.note;
        if let Some(l) = shadowed_by {
            note = format!("ignored: line {l} has the same user and the servers use the first");
        }
        out.push(Listed {
            line: i + 1,
            user: String::from_utf8_lossy(user).into_owned(),
            realm: line_realm.map(|r| String::from_utf8_lossy(r).into_owned()),
            scheme: d.scheme,
            cost: d.cost,
            rounds: d.rounds,
            strength: d.strength,
            note,
            shadowed_by,
        });
    }
    out
}
