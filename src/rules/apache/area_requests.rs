//! Asking the request evaluator what the requests a finding talks about get, so that a
//! rule words its finding from what httpd answers rather than from the shape of the
//! configuration. Rules ask only where they already have something to report: the
//! evaluator is not run for healthy areas.

use crate::model::apache::ApacheModel;
use crate::model::apache::request::{Evaluation, Options, evaluate_with, vhost};
use crate::model::request::{Credentials, FileState, Files, LocalFiles, Verdict};
use base64::Engine as _;
use sha1::Digest as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The methods a finding is checked for (GET first), as `htguard map` asks them.
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];

/// A remote client (documentation range): `Require local` does not let it in.
const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 10));

/// The user and password of [`ValidLogin`].
const PROBE_USER: &str = "htguard-probe";
const PROBE_PASSWORD: &str = "htguard-probe-password";

/// The files httpd's worker would see for model `m` (`--root` applied).
pub fn local_files(m: &ApacheModel) -> LocalFiles {
    LocalFiles {
        root: m.opts.root.clone(),
        worker: m.worker.clone(),
    }
}

/// What a `method` request to `url` of `server` gets from a remote client, with
/// credentials or without. `access_only`: stop once access is decided (200 = granted).
/// None when no request reaches the server at all (no `Listen` for it, as in a snippet
/// checked against an assumed stock config): the area's answers are then unknown, and
/// the rule keeps its wording from the configuration.
pub fn ask(
    m: &ApacheModel,
    files: &dyn Files,
    (server, url): (usize, &str),
    method: &str,
    credentials: Option<Credentials>,
    access_only: bool,
) -> Option<Evaluation> {
    let request = vhost::request_to(m, server, url, method, CLIENT, credentials);
    let opts = Options {
        server: Some(server),
        access_only,
        starts: true,
    };
    let e = evaluate_with(m, &request, files, opts);
    (!matches!(
        e.answer.verdict,
        Verdict::NoListener | Verdict::DoesNotStart
    ))
    .then_some(e)
}

/// Credentials that [`ValidLogin`] accepts.
pub fn probe_credentials() -> Credentials {
    Credentials {
        user: PROBE_USER.into(),
        password: PROBE_PASSWORD.as_bytes().to_vec().into(),
    }
}

/// The worker's files, except that the user file `user_file` holds one user whose
/// password is right: what a request "with valid credentials" meets, whatever the real
/// file's state.
pub struct ValidLogin<'a> {
    pub inner: &'a dyn Files,
    pub user_file: PathBuf,
}

impl ValidLogin<'_> {
    fn entry() -> Vec<u8> {
        let digest = sha1::Sha1::digest(PROBE_PASSWORD.as_bytes());
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        format!("{PROBE_USER}:{{SHA}}{hash}\n").into_bytes()
    }
}

impl Files for ValidLogin<'_> {
    fn state(&self, p: &Path) -> FileState {
        if p == self.user_file {
            return FileState::File {
                size: Self::entry().len() as u64,
            };
        }
        self.inner.state(p)
    }
    fn read(&self, p: &Path) -> std::io::Result<Vec<u8>> {
        if p == self.user_file {
            return Ok(Self::entry());
        }
        self.inner.read(p)
    }
    fn list(&self, p: &Path) -> Vec<String> {
        self.inner.list(p)
    }
    fn cannot_read(&self, p: &Path) -> Option<String> {
        if p == self.user_file {
            return None;
        }
        self.inner.cannot_read(p)
    }
}

/// `GET`, `GET and POST`, `GET, POST and PUT`.
pub fn join_methods(methods: &[&str]) -> String {
    match methods {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
