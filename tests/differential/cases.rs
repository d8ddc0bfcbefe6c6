//! Recorded configs with requests and the real server's answers: the regression cases
//! under `tests/differential/cases/*.toml` (one request each, usually shrunk) and the
//! JSON-lines dumps of a run (every request of every config). Both replay without a
//! server: build the site, write the config, ask `why`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::render::{config_name, config_text, file_bytes, write_files};
use super::runner::{Outcome, Ports};
use super::tree::{FileBody, Generated, Request, ServerKind};
use crate::common::{Site, spare_port};

/// A config, its files and requests with what the real server answered.
/// Text holds the placeholders `{site}`, `{port}`, `{port2}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseFile {
    pub server: ServerKind,
    /// What the case shows, in a sentence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The generator seed it came from (`HTGUARD_DIFF_ONLY=server:seed` regenerates it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub config: String,
    #[serde(default)]
    pub files: Vec<FileRecord>,
    pub requests: Vec<Recorded>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileRecord {
    /// Relative to the site.
    pub path: String,
    /// Octal permission bits, "0644" when left out; a 0600 file belongs to root.
    #[serde(default = "default_mode")]
    pub mode: String,
    /// A directory instead of a file.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dir: bool,
    #[serde(default)]
    pub text: String,
}

fn default_mode() -> String {
    "0644".into()
}

fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Recorded {
    #[serde(flatten)]
    pub request: Request,
    /// The server's answer: a status, "does-not-start" or "no-listener".
    pub expect: String,
}

impl CaseFile {
    /// A case from a generated setup and the outcomes of its requests.
    pub fn from_generated(generated: &Generated, outcomes: &[Outcome]) -> CaseFile {
        let files = generated
            .setup
            .files
            .iter()
            .map(|f| FileRecord {
                path: f.path.clone(),
                mode: format!("{:04o}", f.mode),
                dir: f.body == FileBody::Dir,
                text: file_bytes(f)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
            })
            .collect();
        CaseFile {
            server: generated.setup.server,
            note: String::new(),
            seed: Some(generated.seed),
            config: config_text(&generated.setup),
            files,
            requests: generated
                .requests
                .iter()
                .zip(outcomes)
                .map(|(request, outcome)| Recorded {
                    request: request.clone(),
                    expect: outcome.label(),
                })
                .collect(),
        }
    }

    /// Writes the files into a new site; returns it.
    pub fn build_site(&self) -> Site {
        let site = Site::new();
        write_files(
            &site,
            self.files.iter().map(|f| {
                let mode = u32::from_str_radix(&f.mode, 8)
                    .unwrap_or_else(|e| panic!("mode {:?} of {}: {e}", f.mode, f.path));
                let bytes = (!f.dir).then(|| f.text.clone().into_bytes());
                (f.path.as_str(), mode, bytes)
            }),
        );
        site
    }

    /// The site with the config written for `why` (ports of its own, nothing listens).
    pub fn materialize(&self) -> (Site, PathBuf, Ports) {
        let site = self.build_site();
        let ports = Ports {
            port: spare_port(),
            port2: spare_port(),
        };
        let config = site.path(config_name(self.server));
        std::fs::write(&config, ports.fill(&self.config, &site))
            .unwrap_or_else(|e| panic!("write {}: {e}", config.display()));
        (site, config, ports)
    }
}

pub fn expected(recorded: &Recorded) -> Outcome {
    Outcome::from_label(&recorded.expect)
        .unwrap_or_else(|| panic!("unknown expect {:?}", recorded.expect))
}

/// tests/differential/cases: replayed with `why` and on the servers.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/cases")
}

/// tests/differential/pending: disagreements not fixed yet, replayed on the servers only
/// (move one into cases/ with its fix).
pub fn pending_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/pending")
}

/// Every case under `dir`, with its path.
pub fn load_all(dir: &Path) -> Vec<(PathBuf, CaseFile)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            let case: CaseFile =
                toml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
            (path, case)
        })
        .collect()
}

/// Writes `case` as `dir/NAME.toml`; returns the path.
pub fn write(dir: &Path, name: &str, case: &CaseFile) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    let path = dir.join(format!("{name}.toml"));
    let text = toml::to_string_pretty(case).unwrap_or_else(|e| panic!("serialise case: {e}"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

/// Reads a JSON-lines dump (one [`CaseFile`] per config).
pub fn load_dump(path: &Path) -> Vec<CaseFile> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Asks `why` about every recorded request; one message per mismatch.
pub fn replay_with_why(case: &CaseFile) -> Vec<String> {
    let (site, config, ports) = case.materialize();
    case.requests
        .iter()
        .filter_map(|recorded| {
            let want = expected(recorded);
            let got = super::why::ask(case.server, &config, site.dir(), ports, &recorded.request);
            match got {
                Ok(p) if p.outcome == super::why::Predicted::Known(want.clone()) => None,
                Ok(p) => Some(format!(
                    "{}: the server answers {}, why says {:?}; steps: {:#?}",
                    recorded.request.describe(),
                    want.label(),
                    p.outcome,
                    p.steps
                )),
                Err(e) => Some(format!("{}: {e}", recorded.request.describe())),
            }
        })
        .collect()
}

/// Starts the real server with the case; one message per request it answers otherwise.
pub fn replay_on_server(case: &CaseFile) -> Vec<String> {
    let requests: Vec<Request> = case.requests.iter().map(|r| r.request.clone()).collect();
    let observed =
        super::runner::observe_in(case.build_site(), case.server, &case.config, &requests);
    case.requests
        .iter()
        .zip(&observed.outcomes)
        .filter(|(recorded, got)| expected(recorded) != **got)
        .map(|(recorded, got)| {
            format!(
                "{}: recorded {}, the server now answers {got:?}{}",
                recorded.request.describe(),
                recorded.expect,
                observed
                    .start_failure
                    .as_deref()
                    .map(|f| format!("\n{f}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}
