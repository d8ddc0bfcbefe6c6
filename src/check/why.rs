//! The engine of `htguard why`: load the server configurations the way `check` does
//! (same starting points, same loaders) and ask each one's evaluator what it answers a
//! request, and what to change about it.

use super::{CheckError, CheckOptions, load_configs_with, starting_points};
use crate::model::apache::{self, ApacheModel};
use crate::model::nginx;
use crate::model::request::{Answer, FileState, Files, LocalFiles, Request, Verdict};
use crate::source::{Sources, Span};
use crate::target::Server;
use std::path::PathBuf;

/// What to load and what to ask.
#[derive(Clone, Debug)]
pub struct WhyOptions {
    /// The inputs and path options, as for `check` (rules and settings are not used).
    pub inputs: CheckOptions,
    pub request: Request,
}

/// One server configuration's answer.
#[derive(Debug)]
pub struct WhyAnswer {
    pub server: Server,
    /// The file the configuration was loaded from.
    pub config: PathBuf,
    pub answer: Answer,
    /// What to change, in a sentence, when there is an obvious next step.
    pub advice: Option<String>,
}

/// Every answer, and the files they point into.
#[derive(Debug)]
pub struct WhyOutcome {
    pub sources: Sources,
    pub answers: Vec<WhyAnswer>,
}

/// Why `why` could not answer (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum WhyError {
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("no Apache or nginx configuration among the inputs")]
    NoServerConfig,
}

/// Load every configuration the inputs name and ask each evaluator.
pub fn run(opts: &WhyOptions) -> Result<WhyOutcome, WhyError> {
    let candidates = starting_points(&opts.inputs)?;
    let mut sources = Sources::new();
    let (apache_models, nginx_models) = load_configs_with(
        &candidates,
        &opts.inputs,
        &mut sources,
        |path, start, load, src| apache::load_for_requests(path, start, load, src, &[]),
    );
    if apache_models.is_empty() && nginx_models.is_empty() {
        return Err(WhyError::NoServerConfig);
    }
    let mut answers = Vec::new();
    for first in apache_models {
        let (m, answer) = answer_with_htaccess(first, opts, &mut sources);
        answers.push(WhyAnswer {
            server: Server::Apache,
            config: m.entry.clone(),
            advice: apache_advice(&m, &answer, &opts.request, &sources),
            answer,
        });
    }
    for m in &nginx_models {
        let files = LocalFiles {
            root: opts.inputs.load.root.clone(),
            worker: crate::source::access::Account::lookup(
                opts.inputs.load.root.as_deref(),
                &m.user,
                None,
            ),
        };
        let answer =
            nginx::request::evaluate_with(m, &opts.request, &files, &opts.inputs.profile).answer;
        answers.push(WhyAnswer {
            server: Server::Nginx,
            config: m.conf_path.clone(),
            advice: nginx_advice(&answer, &opts.request, &sources),
            answer,
        });
    }
    Ok(WhyOutcome { sources, answers })
}

/// The answer of a model loaded without `.htaccess` files, then, while the request
/// walks directories holding one, of the model read again with those (httpd reads the
/// `.htaccess` of every directory a request walks, and only those).
fn answer_with_htaccess(
    mut m: ApacheModel,
    opts: &WhyOptions,
    sources: &mut Sources,
) -> (ApacheModel, Answer) {
    let mut read: Vec<PathBuf> = Vec::new();
    loop {
        let files = Walked::new(LocalFiles {
            root: opts.inputs.load.root.clone(),
            worker: m.worker.clone(),
        });
        let answer = apache::request::evaluate(&m, &opts.request, &files);
        let walked = std::iter::once(PathBuf::from("/")).chain(files.directories());
        let with_htaccess: Vec<PathBuf> = walked
            .filter(|d| {
                let f = d.join(&m.access_file_name);
                !read.contains(d) && files.inner.state(&f) != FileState::Missing
            })
            .collect();
        // At most a few rounds: a `.htaccess` can send the request elsewhere
        // (FallbackResource, DirectoryIndex) only so many times.
        if with_htaccess.is_empty() || read.len() > 64 {
            return (m, answer);
        }
        read.extend(with_htaccess);
        read.sort();
        m = apache::load_for_requests(&m.entry, m.start, &opts.inputs.load, sources, &read);
    }
}

/// [`LocalFiles`] that remembers the directories a request walked.
struct Walked {
    inner: LocalFiles,
    dirs: std::sync::Mutex<Vec<PathBuf>>,
}

impl Walked {
    fn new(inner: LocalFiles) -> Walked {
        Walked {
            inner,
            dirs: Default::default(),
        }
    }

    fn directories(&self) -> Vec<PathBuf> {
        let mut d = self.dirs.lock().map(|d| d.clone()).unwrap_or_default();
        d.sort();
        d.dedup();
        d
    }
}

impl Files for Walked {
    fn state(&self, p: &std::path::Path) -> FileState {
        let s = self.inner.state(p);
        if s == FileState::Directory
            && let Ok(mut d) = self.dirs.lock()
        {
            d.push(p.to_path_buf());
        }
        s
    }
    fn read(&self, p: &std::path::Path) -> std::io::Result<Vec<u8>> {
        self.inner.read(p)
    }
    fn list(&self, p: &std::path::Path) -> Vec<String> {
        self.inner.list(p)
    }
    fn cannot_read(&self, p: &std::path::Path) -> Option<String> {
        self.inner.cannot_read(p)
    }
}

/// The first word of the line a span starts on (the directive that decided).
fn directive_at(sources: &Sources, span: Span) -> String {
    let text = sources.slice(Span::new(span.file, span.start, span.end.max(span.start)));
    String::from_utf8_lossy(text)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_start_matches('<')
        .to_ascii_lowercase()
}

/// What to change for the usual reasons behind each answer.
fn apache_advice(
    _m: &ApacheModel,
    answer: &Answer,
    request: &Request,
    sources: &Sources,
) -> Option<String> {
    let directive = answer
        .decided_by
        .map(|s| directive_at(sources, s))
        .unwrap_or_default();
    let with_login = request.credentials.is_some();
    Some(match (&answer.verdict, directive.as_str()) {
        (Verdict::DoesNotStart, _) => {
            "fix the line above: httpd refuses it while reading the configuration (apache2ctl configtest says the same)".into()
        }
        (Verdict::NoListener, _) => {
            "add a Listen for this address and port, or ask on one httpd listens on".into()
        }
        (Verdict::Depends { on, .. }, _) => format!("the answer depends on {on}, which the configuration alone does not decide"),
        (Verdict::Status(200), "require") => {
            "this Require line lets the request in without a login; to ask for one, make `Require valid-user` (with AuthType, AuthName and AuthUserFile) the only Require here, or put the lines in <RequireAll>".into()
        }
        (Verdict::Status(200), "satisfy" | "allow") => {
            "`Satisfy Any` with host rules that match lets the client in without a login; remove `Satisfy Any` (or the Allow) to require the login".into()
        }
        (Verdict::Status(200), "limit" | "limitexcept") => {
            "the Require lines are inside a <Limit> that leaves this method out; use <LimitExcept> or no <Limit> at all".into()
        }
        (Verdict::Status(401), _) if !with_login => {
            "send credentials: --user NAME with --password-stdin or --password-file FILE".into()
        }
        (Verdict::Status(401), "authuserfile") => {
            "check the user and password against that file: htguard user verify FILE USER".into()
        }
        (Verdict::Status(401), "require") => {
            "the login works but this Require line does not accept the user: add the user (or a group it is in) to it".into()
        }
        (Verdict::Status(403), "require") => {
            "this Require line refuses the client; grant it with a Require that matches (ip, user, group…) or remove the denial".into()
        }
        (Verdict::Status(403), "deny" | "order" | "allow") => {
            "mod_access_compat's host rules refuse the client; prefer `Require ip …` (mod_authz_host) and drop Order/Allow/Deny".into()
        }
        (Verdict::Status(500), _) => {
            "httpd cannot complete the check here: fix the line above (see the step that answers 500)".into()
        }
        (Verdict::Status(404), _) => {
            "no file is where the line above maps this URL".into()
        }
        _ => return None,
    })
}

/// What to change for the usual reasons behind each nginx answer.
fn nginx_advice(answer: &Answer, request: &Request, sources: &Sources) -> Option<String> {
    let directive = answer
        .decided_by
        .map(|s| directive_at(sources, s))
        .unwrap_or_default();
    let with_login = request.credentials.is_some();
    Some(match (&answer.verdict, directive.as_str()) {
        (Verdict::DoesNotStart, _) => {
            "fix the line above: nginx refuses it while reading the configuration (nginx -t says the same)".into()
        }
        (Verdict::NoListener, _) => {
            "add a listen for this address and port, or ask on one nginx listens on".into()
        }
        (Verdict::Depends { on, .. }, _) => {
            format!("the answer depends on {on}, which the configuration alone does not decide")
        }
        (Verdict::Status(200), "satisfy") => {
            "`satisfy any` with an allow that matches lets the client in without a login; use `satisfy all` to require the login too".into()
        }
        (Verdict::Status(200), "auth_basic") => {
            "auth_basic off (or a variable that is \"off\") turns the login off here; set a realm to ask for one".into()
        }
        (Verdict::Status(200), "limit_except") => {
            "the auth directives are inside limit_except, which leaves this method out; move them to the location".into()
        }
        (Verdict::Status(401), _) if !with_login => {
            "send credentials: --user NAME with --password-stdin or --password-file FILE".into()
        }
        (Verdict::Status(401), "auth_basic_user_file") => {
            "check the user and password against that file: htguard user verify FILE USER".into()
        }
        (Verdict::Status(403), "deny" | "allow") => {
            "an allow/deny rule refuses the client; add an allow for it before the deny".into()
        }
        (Verdict::Status(500), _) => {
            "nginx cannot complete the check here: fix the line above (see the step that answers 500)".into()
        }
        (Verdict::Status(404), _) => "no file is where the line above maps this URL".into(),
        _ => return None,
    })
}
