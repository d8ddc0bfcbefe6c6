//! Edits that rewrite only the lines they mean to.
//!
//! An [`Editor`] collects any number of operations and produces the new bytes
//! once, so a bulk import of n users costs one pass, not n rewrites. Lookups
//! honour "first entry wins" (both servers stop at the first matching line),
//! and a removal drops *every* entry of the user: leaving a shadowed older line
//! would bring its old password back to life.

use super::{Ending, FileKind, LineKind, PasswdFile, entry_user};
use std::collections::{BTreeMap, HashMap};

/// Why an edit was refused. The input is untouched in every case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("user `{user}` already exists{}; use `set` to change the password", realm_note(.realm))]
    UserExists { user: String, realm: Option<String> },
    #[error("user `{user}` not found{}", realm_note(.realm))]
    UserNotFound { user: String, realm: Option<String> },
    #[error("this is {} file; {op} entries cannot be written to it", article(*.file))]
    WrongKind { file: FileKind, op: &'static str },
    /// An edit that would leave `\` at the end of a line, or a line Apache reads as part of
    /// the one before: the entry would not be read as written.
    #[error(
        "line {line} ends with `\\`, which makes Apache read it and the next line as one; fix \
         that first (`htguard check` reports it)"
    )]
    JoinedLine { line: usize },
    #[error("invalid {field} `{value}`: {reason}")]
    Invalid {
        field: &'static str,
        value: String,
        reason: &'static str,
    },
}

fn realm_note(realm: &Option<String>) -> String {
    realm
        .as_ref()
        .map(|r| format!(" in realm `{r}`"))
        .unwrap_or_default()
}

fn article(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Empty => "an empty",
        FileKind::Basic => "an htpasswd (Basic)",
        FileKind::Digest => "an htdigest (Digest)",
        FileKind::Group => "a group",
        FileKind::Mixed => "a mixed Basic/Digest",
    }
}

enum Change {
    /// New content for the line; its ending is kept.
    Replace(Vec<u8>),
    Delete,
}

type Key<'a> = (&'a [u8], Option<&'a [u8]>);

/// Lookups before the editor builds a hash index (one scan is cheaper than the index
/// for a single edit of a huge file; a bulk import needs the index).
const SCANS_BEFORE_INDEX: usize = 8;

/// A batch of edits over one parsed file. [`Editor::finish`] returns the new bytes.
pub struct Editor<'a> {
    file: &'a PasswdFile,
    src: &'a [u8],
    changes: BTreeMap<usize, Change>,
    appended: Vec<Option<Vec<u8>>>,
    appended_keys: HashMap<(Vec<u8>, Option<Vec<u8>>), usize>,
    index: Option<HashMap<Key<'a>, usize>>,
    scans: usize,
    /// What entries this batch writes (refuses mixing basic and digest).
    writes: FileKind,
}

impl<'a> Editor<'a> {
    pub(super) fn new(file: &'a PasswdFile, src: &'a [u8]) -> Self {
        Editor {
            file,
            src,
            changes: BTreeMap::new(),
            appended: Vec::new(),
            appended_keys: HashMap::new(),
            index: None,
            scans: 0,
            writes: file.kind,
        }
    }

    /// Change the hash of `user`'s first entry.
    pub fn set_basic(&mut self, user: &str, hash: &str) -> Result<(), EditError> {
        self.check_kind(FileKind::Basic)?;
        validate_name("user", user)?;
        validate_hash(hash)?;
        self.replace_hash(user, None, hash)
    }

    /// Change the hash of `user` in `realm`.
    pub fn set_digest(&mut self, user: &str, realm: &str, hash: &str) -> Result<(), EditError> {
        self.check_kind(FileKind::Digest)?;
        validate_name("user", user)?;
        validate_name("realm", realm)?;
        validate_hash(hash)?;
        self.replace_hash(user, Some(realm), hash)
    }

    /// Append `user:hash`.
    pub fn add_basic(&mut self, user: &str, hash: &str) -> Result<(), EditError> {
        self.check_kind(FileKind::Basic)?;
        validate_name("user", user)?;
        validate_hash(hash)?;
        if self.lookup(user.as_bytes(), None).is_some() {
            return Err(EditError::UserExists {
                user: user.into(),
                realm: None,
            });
        }
        self.append(user, None, format!("{user}:{hash}").into_bytes());
        Ok(())
    }

    /// Append `user:realm:hash`.
    pub fn add_digest(&mut self, user: &str, realm: &str, hash: &str) -> Result<(), EditError> {
        self.check_kind(FileKind::Digest)?;
        validate_name("user", user)?;
        validate_name("realm", realm)?;
        validate_hash(hash)?;
        if self
            .lookup(user.as_bytes(), Some(realm.as_bytes()))
            .is_some()
        {
            return Err(EditError::UserExists {
                user: user.into(),
                realm: Some(realm.into()),
            });
        }
        self.append(
            user,
            Some(realm),
            format!("{user}:{realm}:{hash}").into_bytes(),
        );
        Ok(())
    }

    /// Set the hash if the user exists, add the user otherwise. Returns true if added.
    pub fn upsert_basic(&mut self, user: &str, hash: &str) -> Result<bool, EditError> {
        match self.set_basic(user, hash) {
            Err(EditError::UserNotFound { .. }) => self.add_basic(user, hash).map(|()| true),
            other => other.map(|()| false),
        }
    }

    /// Remove every entry of `user`: Basic entries when `realm` is None (and Digest
    /// entries in any realm), only that realm's Digest entries otherwise.
    /// Returns how many lines were removed.
    pub fn remove(&mut self, user: &str, realm: Option<&str>) -> Result<usize, EditError> {
        let (file, src) = (self.file, self.src);
        let mut removed = 0;
        for (i, line) in file.lines.iter().enumerate() {
            let matches = match (line.kind, realm) {
                (LineKind::Basic, None) | (LineKind::Digest, None) => {
                    entry_user(line, src) == Some(user.as_bytes())
                }
                (LineKind::Digest, Some(r)) => {
                    entry_user(line, src) == Some(user.as_bytes())
                        && line.field2().and_then(|f| src.get(f)) == Some(r.as_bytes())
                }
                _ => false,
            };
            if matches && !matches!(self.changes.get(&i), Some(Change::Delete)) {
                self.changes.insert(i, Change::Delete);
                removed += 1;
            }
        }
        let keys: Vec<_> = self
            .appended_keys
            .iter()
            .filter(|((u, r), _)| {
                u.as_slice() == user.as_bytes()
                    && (realm.is_none() || r.as_deref() == realm.map(str::as_bytes))
            })
            .map(|(k, i)| (k.clone(), *i))
            .collect();
        for (k, i) in keys {
            self.appended_keys.remove(&k);
            if let Some(slot) = self.appended.get_mut(i) {
                *slot = None;
                removed += 1;
            }
        }
        if removed == 0 {
            return Err(EditError::UserNotFound {
                user: user.into(),
                realm: realm.map(Into::into),
            });
        }
        Ok(removed)
    }

    /// Give line `index` new content (its ending is kept). For edits the entry methods do
    /// not cover, such as a group line's member list.
    pub fn replace_line(&mut self, index: usize, content: Vec<u8>) {
        if index < self.file.lines.len() {
            self.changes.insert(index, Change::Replace(content));
        }
    }

    /// Drop line `index`, its ending included.
    pub fn delete_line(&mut self, index: usize) {
        if index < self.file.lines.len() {
            self.changes.insert(index, Change::Delete);
        }
    }

    /// Add a line at the end of the file, in the file's ending style.
    pub fn append_line(&mut self, content: Vec<u8>) {
        self.appended.push(Some(content));
    }

    /// Whether any operation changed something.
    pub fn is_changed(&self) -> bool {
        !self.changes.is_empty() || self.appends()
    }

    /// Indexes of the lines this batch rewrites or drops, in order.
    pub fn changed_lines(&self) -> impl Iterator<Item = usize> + '_ {
        self.changes.keys().copied()
    }

    /// Whether this batch adds lines at the end.
    pub fn appends(&self) -> bool {
        self.appended.iter().any(Option::is_some)
    }

    /// The new file: untouched lines byte for byte, new lines in the file's ending style,
    /// and a missing final newline supplied before anything is appended.
    pub fn finish(self) -> Vec<u8> {
        let style = self.file.line_ending();
        let extra: usize = self.appended.iter().flatten().map(|l| l.len() + 2).sum();
        let mut out = Vec::with_capacity(self.src.len() + extra + 2);
        let mut last_ending = Ending::Lf;
        for (i, line) in self.file.lines.iter().enumerate() {
            match self.changes.get(&i) {
                Some(Change::Delete) => continue,
                Some(Change::Replace(content)) => out.extend_from_slice(content),
                None => out.extend_from_slice(self.src.get(line.content()).unwrap_or_default()),
            }
            out.extend_from_slice(line.ending.as_bytes());
            last_ending = line.ending;
        }
        if let Some(t) = self.file.tail {
            out.extend_from_slice(self.src.get(t..).unwrap_or_default());
            last_ending = if out.ends_with(b"\n") {
                Ending::Lf
            } else {
                Ending::None
            };
        }
        let mut appended = self.appended.into_iter().flatten().peekable();
        if appended.peek().is_some() && !out.is_empty() {
            // Never glue a new record onto an unterminated last line.
            match last_ending {
                Ending::None => out.extend_from_slice(style.as_bytes()),
                Ending::Cr => out.push(b'\n'),
                Ending::Lf | Ending::CrLf => {}
            }
        }
        for line in appended {
            out.extend_from_slice(&line);
            out.extend_from_slice(style.as_bytes());
        }
        out
    }

    fn check_kind(&mut self, wanted: FileKind) -> Result<(), EditError> {
        let op = if wanted == FileKind::Digest {
            "Digest (user:realm:hash)"
        } else {
            "Basic (user:hash)"
        };
        match self.writes {
            FileKind::Empty => {
                self.writes = wanted;
                Ok(())
            }
            k if k == wanted => Ok(()),
            file => Err(EditError::WrongKind { file, op }),
        }
    }

    fn replace_hash(
        &mut self,
        user: &str,
        realm: Option<&str>,
        hash: &str,
    ) -> Result<(), EditError> {
        let not_found = || EditError::UserNotFound {
            user: user.into(),
            realm: realm.map(Into::into),
        };
        match self.lookup(user.as_bytes(), realm.map(str::as_bytes)) {
            Some(Found::Line(i)) => {
                let line = self.file.lines[i];
                let content = self.src.get(line.content()).ok_or_else(not_found)?;
                let base = line.start();
                // Basic: the hash is the field after the first colon(s); digest: after the second.
                let colon = match realm {
                    None => line.colon1(),
                    Some(_) => line.colon2(),
                }
                .ok_or_else(not_found)?
                    - base;
                let mut from = colon + 1;
                if realm.is_none() {
                    // `u::hash`: Apache skips the extra colons; the rewrite drops them.
                    while content.get(from) == Some(&b':') {
                        from += 1;
                    }
                }
                let to = memchr::memchr(b':', &content[from..]).map_or(content.len(), |p| from + p);
                // The name from its first byte: leading blanks are Apache's to trim, but
                // nginx would read them as part of the name (`htpasswd` drops them too).
                let name = content.iter().take_while(|b| super::is_ws(**b)).count();
                let mut new = Vec::with_capacity(content.len() + hash.len());
                new.extend_from_slice(&content[name..=colon]);
                new.extend_from_slice(hash.as_bytes());
                new.extend_from_slice(&content[to..]);
                // A `\` the old line hid (after a NUL, say) would join the next line to it.
                if new.ends_with(b"\\") {
                    return Err(EditError::JoinedLine { line: i + 1 });
                }
                self.changes.insert(i, Change::Replace(new));
                Ok(())
            }
            Some(Found::Appended(i)) => {
                let line = match realm {
                    None => format!("{user}:{hash}"),
                    Some(r) => format!("{user}:{r}:{hash}"),
                };
                self.appended[i] = Some(line.into_bytes());
                Ok(())
            }
            None => Err(not_found()),
        }
    }

    fn append(&mut self, user: &str, realm: Option<&str>, line: Vec<u8>) {
        self.appended_keys.insert(
            (
                user.as_bytes().to_vec(),
                realm.map(|r| r.as_bytes().to_vec()),
            ),
            self.appended.len(),
        );
        self.appended.push(Some(line));
    }

    fn lookup(&mut self, user: &[u8], realm: Option<&[u8]>) -> Option<Found> {
        let existing = if self.index.is_none() && self.scans < SCANS_BEFORE_INDEX {
            self.scans += 1;
            match realm {
                None => self.file.find_basic(self.src, user),
                Some(r) => self.file.find_digest(self.src, user, r),
            }
        } else {
            let (file, src) = (self.file, self.src);
            let index = self.index.get_or_insert_with(|| build_index(file, src));
            index.get(&(user, realm)).copied()
        };
        match existing {
            Some(i) if !matches!(self.changes.get(&i), Some(Change::Delete)) => {
                return Some(Found::Line(i));
            }
            _ => {}
        }
        self.appended_keys
            .get(&(user.to_vec(), realm.map(<[u8]>::to_vec)))
            .copied()
            .map(Found::Appended)
    }
}

enum Found {
    Line(usize),
    Appended(usize),
}

fn build_index<'a>(file: &PasswdFile, src: &'a [u8]) -> HashMap<Key<'a>, usize> {
    let mut index = HashMap::with_capacity(file.lines.len());
    for (i, line) in file.lines.iter().enumerate() {
        let key = match line.kind {
            LineKind::Basic => entry_user(line, src).map(|u| (u, None)),
            LineKind::Digest => entry_user(line, src)
                .zip(line.field2().and_then(|r| src.get(r)))
                .map(|(u, r)| (u, Some(r))),
            _ => None,
        };
        if let Some(k) = key {
            index.entry(k).or_insert(i);
        }
    }
    index
}

/// A user or realm the servers can read back exactly.
fn validate_name(field: &'static str, value: &str) -> Result<(), EditError> {
    let invalid = |reason| EditError::Invalid {
        field,
        value: super::shown_name(value).escape_debug().to_string(),
        reason,
    };
    if value.is_empty() {
        return Err(invalid("must not be empty"));
    }
    if value.contains(':') {
        return Err(invalid("must not contain `:` (it separates the fields)"));
    }
    if value.bytes().any(|b| b == b'\n' || b == b'\r' || b == 0) {
        return Err(invalid("must not contain a line break or NUL"));
    }
    if value.starts_with(|c: char| c.is_ascii_whitespace())
        || value.ends_with(|c: char| c.is_ascii_whitespace())
    {
        return Err(invalid(
            "must not start or end with whitespace (servers disagree on it)",
        ));
    }
    if field == "user" && value.starts_with('#') {
        return Err(invalid(
            "must not start with `#` (the line would be a comment)",
        ));
    }
    if value.len() > 255 {
        return Err(invalid("is longer than 255 bytes"));
    }
    Ok(())
}

fn validate_hash(hash: &str) -> Result<(), EditError> {
    let invalid = |reason| EditError::Invalid {
        field: "hash",
        value: crate::hash::redact_hash(hash),
        reason,
    };
    if hash.is_empty() {
        return Err(invalid("must not be empty"));
    }
    if hash.contains(':') {
        return Err(invalid(
            "must not contain `:` (both servers end the hash there)",
        ));
    }
    if hash.bytes().any(|b| b == b'\n' || b == b'\r' || b == 0) {
        return Err(invalid("must not contain a line break or NUL"));
    }
    if hash.bytes().next().is_some_and(super::is_ws)
        || hash.bytes().last().is_some_and(super::is_ws)
    {
        return Err(invalid(
            "must not start or end with whitespace (nginx keeps it, Apache trims it)",
        ));
    }
    Ok(())
}
