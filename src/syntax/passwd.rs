//! htpasswd, htdigest and group files, lossless.
//! PLACEHOLDER CONTRACT — the passwd helper replaces this file; keep these names.

/// What a password file holds, detected from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// No entries at all (empty, or only comments/blank lines).
    Empty,
    /// `user:hash` lines (htpasswd).
    Basic,
    /// `user:realm:md5hex` lines (htdigest).
    Digest,
    /// `group: user1 user2` lines (AuthGroupFile).
    Group,
    /// Basic and digest lines in one file.
    Mixed,
}

/// A parsed password file. Keeps every byte: `to_bytes()` returns the input unchanged.
#[derive(Debug, Clone, Default)]
pub struct PasswdFile {}

/// Parse any bytes; never fails, never panics.
pub fn parse(_bytes: &[u8]) -> PasswdFile {
    PasswdFile {}
}

impl PasswdFile {
    pub fn kind(&self) -> FileKind {
        FileKind::Empty
    }
}
