//! What the servers will do, independent of syntax: protected areas and the
//! password files they use. Path resolution happens here, once.

pub mod apache;
pub mod nginx;
pub mod passwd;
pub mod reader;
pub mod request;

use crate::source::Span;
use crate::target::Server;
use std::path::{Path, PathBuf};

/// Options shared by the Apache and nginx loaders (from the command line / htguard.toml).
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--root DIR`: every absolute path in a config is looked up under DIR
    /// (a staging tree, a container image's rootfs, a repo checkout).
    pub root: Option<PathBuf>,
    /// `--server-root`: overrides Apache's ServerRoot.
    pub server_root: Option<PathBuf>,
    /// `--prefix`: nginx's conf prefix.
    pub nginx_prefix: Option<PathBuf>,
    /// `--server-user`: the worker user that must be able to read password files.
    pub server_user: Option<String>,
}

impl LoadOptions {
    /// Where a path the server would open actually is on this machine
    /// (`--root` mapping applied). `path` must already be absolute.
    pub fn map_path(&self, path: &Path) -> PathBuf {
        match &self.root {
            Some(root) if path.is_absolute() => root.join(path.strip_prefix("/").unwrap_or(path)),
            _ => path.to_path_buf(),
        }
    }

    /// The inverse of [`LoadOptions::map_path`]: the path the server sees for a file on
    /// this machine (absolute; a path under `--root DIR` becomes `/` + the rest).
    pub fn server_path(&self, local: &Path) -> PathBuf {
        let local = std::path::absolute(local).unwrap_or_else(|_| local.to_path_buf());
        if let Some(root) = &self.root {
            let root = std::path::absolute(root).unwrap_or_else(|_| root.clone());
            if let Ok(rest) = local.strip_prefix(&root) {
                return Path::new("/").join(rest);
            }
        }
        local
    }
}

/// How a server uses a password file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PasswdRole {
    /// `user:hash` lines, checked by HTTP Basic auth.
    Basic,
    /// `user:realm:md5` lines, checked by Apache Digest auth.
    Digest,
    /// `group: user1 user2` lines (Apache AuthGroupFile).
    Group,
}

/// One reference from a server config to a password file.
#[derive(Clone, Debug)]
pub struct PasswdUse {
    pub server: Server,
    pub role: PasswdRole,
    /// The path as the server will open it (after ServerRoot/prefix resolution).
    pub server_path: PathBuf,
    /// Where that file is on this machine (after `--root` mapping).
    pub local_path: PathBuf,
    /// The directive that names the file.
    pub directive: Span,
    /// The realm (AuthName / auth_basic) in effect, if known.
    pub realm: Option<String>,
    /// For Basic/Digest files: the user file whose users a group file's members should exist in.
    pub user_file: Option<PathBuf>,
}

/// A file to check that exists but could not be read: a password file a server config
/// names, or a file named on the command line or found walking a directory. A loader
/// problem, reported by a rule (HG004).
#[derive(Clone, Debug)]
pub struct UnreadableFile {
    pub path: PathBuf,
    /// Every directive naming it, first first.
    pub directives: Vec<Span>,
    pub error: std::io::ErrorKind,
    /// The error as the system put it.
    pub message: String,
    /// How it was met when no directive names it.
    pub found: Option<FoundUnreadable>,
}

/// An unreadable file met on the command line or in a directory walk.
#[derive(Clone, Debug)]
pub struct FoundUnreadable {
    /// The file as an empty source, for findings to point at.
    pub file: crate::source::FileId,
    /// What its name (or `--kind`) says it is (`htpasswd`, `apache`…); `None`: it cannot
    /// be told without its content.
    pub kind: Option<&'static str>,
    /// Named on the command line.
    pub explicit: bool,
    /// Why it was looked at, in words.
    pub why: String,
}

pub use crate::source::path_key;
