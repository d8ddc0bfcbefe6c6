//! Operations that change a password file: add/set, delete, rotate, import.
//! Hashing happens before the store's lock is taken (it is the slow part); the closure run
//! under the lock only parses, checks and splices.

use super::EntryKind;
use super::error::{UserError, Warning};
use super::hashing;
use super::import::ImportRecord;
use super::inspect;
use super::joins;
use super::secret::{self, Secret};
use crate::store::{self, UpdateError, WriteOptions};
use crate::syntax::passwd::{self, EditError, FileKind, KindHint, LineKind, PasswdFile};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Progress of the slow part (hashing many passwords). Called from worker threads.
pub trait Progress: Sync {
    /// The number of steps to come.
    fn start(&self, _total: usize) {}
    /// One step done.
    fn step(&self) {}
}

/// No progress display.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Whether the user must be new, must exist, or may be either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddMode {
    /// `user add`: refuse an existing user (say to use `set`).
    New,
    /// `user set`: refuse a missing user.
    Existing,
    /// `user set --create`, `htpasswd`: add or change.
    Either,
}

/// What `save` did.
#[derive(Debug)]
pub struct Change {
    /// The file did not exist and was created.
    pub created_file: bool,
    /// The user was added (otherwise its password was changed).
    pub added: bool,
    pub warnings: Vec<Warning>,
}

/// Add a user or change a password.
pub fn save(
    path: &Path,
    user: &str,
    password: &[u8],
    kind: &EntryKind,
    mode: AddMode,
    opts: &WriteOptions,
) -> Result<Change, UserError> {
    hashing::check_user(user)?;
    let (hash, warnings) = hashing::make_entry(user, password, kind)?;
    let mut result = None;
    store::update(path, opts, |old| {
        let src = old.unwrap_or_default();
        let file = parse_for(src, kind);
        let mut ed = file.editor(src);
        let added = match (mode, kind) {
            (AddMode::New, EntryKind::Basic(_)) => ed.add_basic(user, &hash).map(|()| true),
            (AddMode::New, EntryKind::Digest { realm }) => {
                ed.add_digest(user, realm, &hash).map(|()| true)
            }
            (AddMode::Existing, EntryKind::Basic(_)) => ed.set_basic(user, &hash).map(|()| false),
            (AddMode::Existing, EntryKind::Digest { realm }) => {
                ed.set_digest(user, realm, &hash).map(|()| false)
            }
            (AddMode::Either, EntryKind::Basic(_)) => ed.upsert_basic(user, &hash),
            (AddMode::Either, EntryKind::Digest { realm }) => {
                match ed.set_digest(user, realm, &hash) {
                    Err(EditError::UserNotFound { .. }) => {
                        ed.add_digest(user, realm, &hash).map(|()| true)
                    }
                    other => other.map(|()| false),
                }
            }
        }
        .map_err(|e| edit_error(path, e))?;
        result = Some(Change {
            created_file: old.is_none(),
            added,
            warnings: Vec::new(),
        });
        joins::finish(path, &file, src, ed).map(Some)
    })
    .map_err(flatten)?;
    let mut change = result.ok_or_else(|| UserError::BadOption("nothing was written".into()))?;
    change.warnings = warnings;
    Ok(change)
}

/// Make `path` hold only `user` (htpasswd `-c`): every other line is dropped, the file's
/// mode and owner are kept. Returns the change and how many other entries were dropped.
pub fn save_only(
    path: &Path,
    user: &str,
    password: &[u8],
    kind: &EntryKind,
    opts: &WriteOptions,
) -> Result<(Change, usize), UserError> {
    hashing::check_user(user)?;
    let (hash, warnings) = hashing::make_entry(user, password, kind)?;
    let mut result = None;
    store::update(path, opts, |old| {
        let dropped = old.map_or(0, |src| parse_for(src, kind).entries().count());
        let empty = passwd::parse(b"");
        let mut ed = empty.editor(b"");
        match kind {
            EntryKind::Basic(_) => ed.add_basic(user, &hash),
            EntryKind::Digest { realm } => ed.add_digest(user, realm, &hash),
        }
        .map_err(|e| edit_error(path, e))?;
        result = Some((
            Change {
                created_file: old.is_none(),
                added: true,
                warnings: Vec::new(),
            },
            dropped,
        ));
        Ok(Some(ed.finish()))
    })
    .map_err(flatten)?;
    let (mut change, dropped) =
        result.ok_or_else(|| UserError::BadOption("nothing was written".into()))?;
    change.warnings = warnings;
    Ok((change, dropped))
}

/// Remove every entry of `user` (in `realm` for digest files). `Ok(false)`: no such user,
/// nothing written.
pub fn delete(path: &Path, user: &str, realm: Option<&str>) -> Result<bool, UserError> {
    hashing::check_lookup_name(user)?;
    let wrote = store::update(path, &WriteOptions::default(), |old| {
        let src = old.unwrap_or_default();
        let hint = if realm.is_some() {
            KindHint::Digest
        } else {
            KindHint::Basic
        };
        let file = passwd::parse_with(src, hint);
        check_read_kind(path, &file, realm)?;
        let mut ed = file.editor(src);
        match ed.remove(user, realm) {
            Ok(_) => joins::finish(path, &file, src, ed).map(Some),
            Err(EditError::UserNotFound { .. }) => Ok(None),
            Err(e) => Err(edit_error(path, e)),
        }
    })
    .map_err(flatten)?;
    Ok(wrote)
}

/// Which users `rotate` gives new passwords.
#[derive(Clone, Debug)]
pub enum Selection {
    Users(Vec<String>),
    All,
    /// Users whose hash is weak or unusable (see `list`).
    Weak,
}

/// A new password handed out by `rotate`.
#[derive(Debug)]
pub struct Credential {
    pub user: String,
    pub password: Secret,
}

#[derive(Debug)]
pub struct RotateReport {
    pub rotated: usize,
    pub warnings: Vec<Warning>,
}

/// Give the selected users new random passwords of `length`, hashed as `kind` says.
/// `emit` hands the credentials out (stdout, a 0600 file) *before* the file is written; if
/// it fails nothing is written, and if the write fails the caller must withdraw what it
/// emitted (the error says so). All users change or none does.
pub fn rotate(
    path: &Path,
    selection: &Selection,
    length: usize,
    kind: &EntryKind,
    progress: &dyn Progress,
    emit: impl FnOnce(&[Credential]) -> std::io::Result<()>,
) -> Result<RotateReport, UserError> {
    if length == 0 {
        return Err(UserError::BadOption("--length must be at least 1".into()));
    }
    let src = store::read(path)?;
    let file = parse_for(&src, kind);
    check_read_kind(path, &file, kind.realm())?;
    // (user, the hash text we saw): the lock-time check refuses if any of them changed.
    let chosen = choose(path, &file, &src, selection, kind)?;
    progress.start(chosen.len());
    let prepared: Vec<(Credential, String, Vec<Warning>)> = chosen
        .par_iter()
        .map(|(user, _)| {
            let password = secret::generate(length)
                .map_err(|e| UserError::Hash(format!("no random numbers: {e}")))?;
            let (hash, warnings) = hashing::make_entry(user, &password, kind)?;
            progress.step();
            Ok((
                Credential {
                    user: user.clone(),
                    password,
                },
                hash,
                warnings,
            ))
        })
        .collect::<Result<_, UserError>>()?;
    let mut warnings: Vec<Warning> = Vec::new();
    for (_, _, w) in &prepared {
        for w in w {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
    }
    let creds: Vec<Credential> = prepared
        .iter()
        .map(|(c, _, _)| Credential {
            user: c.user.clone(),
            password: c.password.clone(),
        })
        .collect();
    emit(&creds).map_err(UserError::Emit)?;
    store::update(path, &WriteOptions::default(), |old| {
        let src = old.unwrap_or_default();
        let file = parse_for(src, kind);
        let index = inspect::hash_index(&file, src, kind.realm());
        let mut ed = file.editor(src);
        for ((cred, hash, _), (_, seen)) in prepared.iter().zip(&chosen) {
            let now = index.get(cred.user.as_bytes());
            if now != Some(&seen.as_slice()) {
                return Err(UserError::ChangedMeanwhile {
                    path: path.to_path_buf(),
                    reason: format!("the entry of {} is not what it was", cred.user),
                });
            }
            match kind {
                EntryKind::Basic(_) => ed.set_basic(&cred.user, hash),
                EntryKind::Digest { realm } => ed.set_digest(&cred.user, realm, hash),
            }
            .map_err(|e| edit_error(path, e))?;
        }
        joins::finish(path, &file, src, ed).map(Some)
    })
    .map_err(flatten)?;
    Ok(RotateReport {
        rotated: prepared.len(),
        warnings,
    })
}

fn choose(
    path: &Path,
    file: &PasswdFile,
    src: &[u8],
    selection: &Selection,
    kind: &EntryKind,
) -> Result<Vec<(String, Vec<u8>)>, UserError> {
    let listed = inspect::entries(file, src, kind.realm());
    let index = inspect::hash_index(file, src, kind.realm());
    let current_hash = |user: &str| index.get(user.as_bytes()).map(|h| h.to_vec());
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    match selection {
        Selection::Users(users) => {
            for user in users {
                hashing::check_user(user)?;
                let Some(hash) = current_hash(user) else {
                    return Err(UserError::NoSuchUser {
                        user: user.clone(),
                        realm: kind.realm().map(Into::into),
                        path: path.to_path_buf(),
                    });
                };
                if !out.iter().any(|(u, _)| u == user) {
                    out.push((user.clone(), hash));
                }
            }
        }
        Selection::All | Selection::Weak => {
            for e in listed {
                if e.shadowed_by.is_some() || out.iter().any(|(u, _)| *u == e.user) {
                    continue;
                }
                if matches!(selection, Selection::Weak) && !e.strength.needs_rotation() {
                    continue;
                }
                if let Some(hash) = current_hash(&e.user) {
                    out.push((e.user, hash));
                }
            }
        }
    }
    if out.is_empty() {
        let reason = match selection {
            Selection::Weak => "no user has a weak hash",
            _ => "the file has no users",
        };
        return Err(UserError::NothingToRotate {
            path: path.to_path_buf(),
            reason: reason.into(),
        });
    }
    Ok(out)
}

#[derive(Debug)]
pub struct ImportReport {
    pub added: usize,
    pub replaced: usize,
    pub created_file: bool,
    pub warnings: Vec<Warning>,
}

/// Add many users with one write. Passwords are hashed in parallel first (`progress`
/// steps once per user); then, under the lock, every user is added — or, with `replace`,
/// changed if present. Any conflict or invalid user fails the whole import.
pub fn import(
    path: &Path,
    records: &[ImportRecord],
    kind: &EntryKind,
    opts: &WriteOptions,
    replace: bool,
    progress: &dyn Progress,
) -> Result<ImportReport, UserError> {
    let users = import_user_names(records)?;
    precheck_import(path, &users, kind, replace)?;
    let (hashed, warnings) = hash_all(records, &users, kind, progress)?;
    let mut report = None;
    store::update(path, opts, |old| {
        let src = old.unwrap_or_default();
        let file = parse_for(src, kind);
        let mut ed = file.editor(src);
        let (mut added, mut replaced) = (0, 0);
        let mut conflicts: Vec<&str> = Vec::new();
        for (user, hash) in users.iter().zip(&hashed) {
            let res = match kind {
                EntryKind::Basic(_) if replace => ed.upsert_basic(user, hash),
                EntryKind::Basic(_) => ed.add_basic(user, hash).map(|()| true),
                EntryKind::Digest { realm } => match ed.add_digest(user, realm, hash) {
                    Err(EditError::UserExists { .. }) if replace => {
                        ed.set_digest(user, realm, hash).map(|()| false)
                    }
                    other => other.map(|()| true),
                },
            };
            match res {
                Ok(true) => added += 1,
                Ok(false) => replaced += 1,
                Err(EditError::UserExists { .. }) => conflicts.push(user),
                Err(e) => return Err(edit_error(path, e)),
            }
        }
        if !conflicts.is_empty() {
            return Err(conflict(path, &conflicts));
        }
        report = Some(ImportReport {
            added,
            replaced,
            created_file: old.is_none(),
            warnings: Vec::new(),
        });
        joins::finish(path, &file, src, ed).map(Some)
    })
    .map_err(flatten)?;
    let mut report = report.ok_or_else(|| UserError::BadOption("nothing was written".into()))?;
    report.warnings = warnings;
    Ok(report)
}

/// The records' user names, each valid for a password file.
fn import_user_names(records: &[ImportRecord]) -> Result<Vec<&str>, UserError> {
    let users: Vec<&str> = records
        .iter()
        .map(|r| {
            std::str::from_utf8(&r.user).map_err(|_| UserError::BadUser {
                user: String::from_utf8_lossy(&r.user).into_owned(),
                reason: "not valid UTF-8",
            })
        })
        .collect::<Result<_, _>>()?;
    for u in &users {
        hashing::check_user(u)?;
    }
    Ok(users)
}

/// Fail fast, before the expensive hashing, on what the file already shows; the same
/// checks run again under the lock.
fn precheck_import(
    path: &Path,
    users: &[&str],
    kind: &EntryKind,
    replace: bool,
) -> Result<(), UserError> {
    let Ok(src) = store::read(path) else {
        return Ok(());
    };
    let file = parse_for(&src, kind);
    check_read_kind(path, &file, kind.realm())?;
    if replace {
        return Ok(());
    }
    // One pass over the file into a set: O(lines + users), not O(lines × users).
    let existing = existing_names(&file, &src, kind.realm());
    let taken: Vec<&str> = users
        .iter()
        .filter(|u| existing.contains(u.as_bytes()))
        .copied()
        .collect();
    if taken.is_empty() {
        Ok(())
    } else {
        Err(conflict(path, &taken))
    }
}

/// Every record's entry field, hashed in parallel, and the distinct warnings.
fn hash_all(
    records: &[ImportRecord],
    users: &[&str],
    kind: &EntryKind,
    progress: &dyn Progress,
) -> Result<(Vec<String>, Vec<Warning>), UserError> {
    progress.start(records.len());
    let hashed: Vec<(String, Vec<Warning>)> = records
        .par_iter()
        .zip(users.par_iter())
        .map(|(r, user)| {
            let out = hashing::make_entry(user, &r.password, kind);
            progress.step();
            out
        })
        .collect::<Result<_, UserError>>()?;
    let mut warnings: Vec<Warning> = Vec::new();
    let mut hashes = Vec::with_capacity(hashed.len());
    for (hash, w) in hashed {
        for w in w {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        hashes.push(hash);
    }
    Ok((hashes, warnings))
}

/// The user names of the file's basic entries (or digest entries of `realm`).
fn existing_names<'a>(
    file: &PasswdFile,
    src: &'a [u8],
    realm: Option<&str>,
) -> std::collections::HashSet<&'a [u8]> {
    let wanted = if realm.is_some() {
        LineKind::Digest
    } else {
        LineKind::Basic
    };
    file.entries()
        .filter(|(_, l)| l.kind() == wanted)
        .filter(|(_, l)| {
            realm.is_none_or(|r| l.field2().and_then(|f| src.get(f)) == Some(r.as_bytes()))
        })
        .filter_map(|(_, l)| passwd::entry_user(l, src))
        .collect()
}

fn conflict(path: &Path, users: &[&str]) -> UserError {
    let shown: Vec<&str> = users.iter().take(5).copied().collect();
    let more = users.len() - shown.len();
    UserError::ImportConflict {
        path: path.to_path_buf(),
        reason: format!(
            "{} user(s) already exist ({}{}); nothing was written. Use --replace to change their \
             passwords",
            users.len(),
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        ),
    }
}

pub(super) fn parse_for(src: &[u8], kind: &EntryKind) -> PasswdFile {
    let hint = match kind {
        EntryKind::Basic(_) => KindHint::Basic,
        EntryKind::Digest { .. } => KindHint::Digest,
    };
    passwd::parse_with(src, hint)
}

/// Refuse reading a digest file as basic and the reverse, and any group or mixed file.
pub(super) fn check_read_kind(
    path: &Path,
    file: &PasswdFile,
    realm: Option<&str>,
) -> Result<(), UserError> {
    let reason = match (file.kind(), realm) {
        (FileKind::Empty, _) | (FileKind::Basic, None) | (FileKind::Digest, Some(_)) => {
            return Ok(());
        }
        (FileKind::Digest, None) => {
            "this is an htdigest file (user:realm:hash); give --realm REALM to work on its users"
        }
        (FileKind::Basic, Some(_)) => {
            "this is an htpasswd file (user:hash); --realm applies only to htdigest files"
        }
        (FileKind::Group, _) => "this is a group file (group: user ...), not a password file",
        (FileKind::Mixed, _) => {
            "this file mixes htpasswd and htdigest lines, which no server reads correctly; \
             split it first (`htguard check` shows the lines)"
        }
    };
    Err(UserError::WrongKind {
        path: path.to_path_buf(),
        reason: reason.into(),
    })
}

fn edit_error(path: &Path, e: EditError) -> UserError {
    match e {
        EditError::UserExists { user, .. } => UserError::UserExists {
            user,
            path: path.to_path_buf(),
        },
        EditError::UserNotFound { user, realm } => UserError::NoSuchUser {
            user,
            realm,
            path: path.to_path_buf(),
        },
        EditError::WrongKind { .. } => UserError::WrongKind {
            path: path.to_path_buf(),
            reason: match e {
                EditError::WrongKind {
                    file: FileKind::Digest,
                    ..
                } => "this is an htdigest file (user:realm:hash); give --realm REALM to work on \
                     its users"
                    .to_string(),
                EditError::WrongKind {
                    file: FileKind::Basic,
                    ..
                } => "this is an htpasswd file (user:hash); --realm applies only to htdigest files"
                    .to_string(),
                other => other.to_string(),
            },
        },
        other => UserError::Edit {
            path: PathBuf::from(path),
            source: other,
        },
    }
}

fn flatten(e: UpdateError<UserError>) -> UserError {
    match e {
        UpdateError::Edit(e) => e,
        UpdateError::Store(e) => UserError::Store(e),
    }
}
