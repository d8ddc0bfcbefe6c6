//! A request as a client sends it, and a server's answer with the chain of decisions
//! that led to it: the vocabulary shared by the Apache and nginx request evaluators
//! (`htguard why`, `map`, reachability rules and `probe` ask them).

use crate::source::Span;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// A user name and password a client sends (Basic) or answers a challenge with (Digest).
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub password: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"…")
            .finish()
    }
}

/// One HTTP request, as the server sees it arrive.
#[derive(Clone, Debug)]
pub struct Request {
    /// As sent (`GET`, `POST`, …).
    pub method: String,
    pub scheme: Scheme,
    /// The Host header, without a port.
    pub host: String,
    /// The port the client connected to.
    pub port: u16,
    /// The address the client connected to (selects IP-based virtual hosts / `listen`).
    pub local_addr: IpAddr,
    /// The request target as sent: path and query, not decoded (`/a%20b/?x=1`).
    pub target: String,
    /// The client's address (`Require ip`, `allow`/`deny`).
    pub client: IpAddr,
    /// Credentials the client sends, if any.
    pub credentials: Option<Credentials>,
}

/// What the server answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An HTTP status code.
    Status(u16),
    /// The configuration stops the server from starting (or reloading).
    DoesNotStart,
    /// No server answers on that address and port.
    NoListener,
    /// Decided by something outside the configuration (a proxied backend, an
    /// `auth_request` subrequest, an `<If>` expression htguard cannot evaluate): `status`
    /// is the answer when it goes the usual way, if known.
    Depends { on: String, status: Option<u16> },
}

impl Verdict {
    /// The status code, when one is known.
    pub fn status(&self) -> Option<u16> {
        match self {
            Verdict::Status(s) => Some(*s),
            Verdict::Depends { status, .. } => *status,
            Verdict::DoesNotStart | Verdict::NoListener => None,
        }
    }
}

/// One decision on the way to the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What was decided, in a sentence (`<VirtualHost *:443> (shop.example.com) answers`).
    pub what: String,
    /// The config line that decided it, when there is one.
    pub span: Option<Span>,
    /// A line of a file outside the configuration that decided it (a password-file
    /// entry), when there is one. Its content is never part of the answer.
    pub line_in: Option<FileLine>,
}

/// A line of a file the evaluator read that is not in the configuration's sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLine {
    /// The path as the server opens it.
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
}

impl Step {
    pub fn new(what: impl Into<String>, span: Option<Span>) -> Step {
        Step {
            what: what.into(),
            span,
            line_in: None,
        }
    }
}

/// A server's answer to a request, and why.
#[derive(Clone, Debug)]
pub struct Answer {
    pub verdict: Verdict,
    /// The decisions in the order the server takes them.
    pub steps: Vec<Step>,
    /// The line that decided the verdict, when one did.
    pub decided_by: Option<Span>,
}

impl Answer {
    pub fn status(&self) -> Option<u16> {
        self.verdict.status()
    }
}

/// What the evaluators know of a file the server would open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileState {
    Missing,
    File {
        size: u64,
    },
    Directory,
    /// Exists, but the server's worker user cannot open it (with why).
    Unreadable(String),
    /// A socket, device or the like.
    Other,
}

/// The files a server would open, as the evaluators see them: the real file system
/// (with `--root` applied), or a fixed set of files in tests.
pub trait Files: Sync {
    /// What is at `server_path` (a path as the server would open it).
    fn state(&self, server_path: &Path) -> FileState;
    /// The bytes of the file at `server_path`.
    fn read(&self, server_path: &Path) -> std::io::Result<Vec<u8>>;
    /// The names in the directory at `server_path`, sorted (for `index`, autoindex).
    fn list(&self, server_path: &Path) -> Vec<String>;
    /// Why the worker cannot open the file at `server_path` for reading (None: it can,
    /// or it is not known that it cannot). `state` already reports a path the worker
    /// cannot even look up as [`FileState::Unreadable`].
    fn cannot_read(&self, server_path: &Path) -> Option<String> {
        let _ = server_path;
        None
    }
}

/// The local file system, with every absolute path looked up under `root` when given,
/// and permissions decided for the server's worker user when known.
#[derive(Clone, Debug, Default)]
pub struct LocalFiles {
    pub root: Option<PathBuf>,
    /// The worker's uid and gids (None: permissions are not checked).
    pub worker: Option<crate::model::apache::access::Identity>,
}

impl LocalFiles {
    fn local(&self, server_path: &Path) -> PathBuf {
        match &self.root {
            Some(root) => root.join(server_path.strip_prefix("/").unwrap_or(server_path)),
            None => server_path.to_path_buf(),
        }
    }

    /// Why the worker cannot look up `local` (a directory above it does not let it in).
    fn unsearchable(&self, local: &Path) -> Option<String> {
        let who = self.worker.as_ref()?;
        let root = self.root.as_deref();
        let denied = who.first_denied(local, root.unwrap_or(Path::new("/")))?;
        (denied.path != local).then(|| {
            format!(
                "directory {} ({}) does not let it in",
                denied.path.display(),
                denied.describe(root)
            )
        })
    }
}

impl Files for LocalFiles {
    fn state(&self, server_path: &Path) -> FileState {
        let local = self.local(server_path);
        if let Some(why) = self.unsearchable(&local) {
            return FileState::Unreadable(why);
        }
        match std::fs::metadata(&local) {
            Ok(m) if m.is_file() => FileState::File { size: m.len() },
            Ok(m) if m.is_dir() => FileState::Directory,
            Ok(_) => FileState::Other,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                FileState::Unreadable(e.to_string())
            }
            Err(_) => FileState::Missing,
        }
    }

    fn cannot_read(&self, server_path: &Path) -> Option<String> {
        use crate::model::apache::access::{FileAccess, check};
        match check(
            &self.local(server_path),
            self.root.as_deref(),
            self.worker.as_ref(),
            &crate::source::access::Directories::default(),
        ) {
            FileAccess::Denied(why) => Some(why),
            _ => None,
        }
    }

    fn read(&self, server_path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.local(server_path))
    }

    fn list(&self, server_path: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.local(server_path))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}
