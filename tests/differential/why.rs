//! Asking `htguard why` about a request (issue 16, item 2). [`command`] is the one place
//! that knows the command line; [`parse`] the one place that knows the JSON.
//!
//! The binary is the one cargo built for this test run, or `HTGUARD_DIFF_BIN` (e.g. a
//! build of another branch). Whether it has `why` decides the mode: without it the
//! harness only records the servers' answers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::runner::{Outcome, Ports};
use super::tree::{Request, ServerKind};

/// What `why` predicted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
    pub outcome: Predicted,
    /// `file:line` of `decided_by`, when given.
    pub decided_by: Option<String>,
    /// The steps' texts, for messages.
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predicted {
    /// A status, "does not start" or "no listener": compared with the server.
    Known(Outcome),
    /// Decided by something outside the config (`auth_request`, DNS, an expression
    /// htguard cannot evaluate), with the usual-case status when known: kept apart.
    Depends { on: String, status: Option<u16> },
}

/// The htguard binary under test.
pub fn binary() -> PathBuf {
    std::env::var_os("HTGUARD_DIFF_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_htguard")))
}

/// True when the binary has a `why` command (compare mode); false: oracle-only mode.
pub fn available() -> bool {
    static HAS_WHY: OnceLock<bool> = OnceLock::new();
    *HAS_WHY.get_or_init(|| {
        Command::new(binary())
            .args(["why", "--help"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Whether `why` answers for `server`'s configs: Err(why not) when the binary has no
/// `why`, or cannot answer a request on a config that only has the harness's
/// preamble (an evaluator not written yet). The run is then oracle-only for `server`.
pub fn answers_for(server: ServerKind) -> Result<(), String> {
    if !available() {
        return Err(format!("{} has no `why` command", binary().display()));
    }
    let setup = super::tree::Setup {
        server,
        tree: Vec::new(),
        files: Vec::new(),
    };
    let case = super::cases::CaseFile {
        server,
        note: String::new(),
        seed: None,
        config: super::render::config_text(&setup),
        files: Vec::new(),
        requests: Vec::new(),
    };
    let (site, config, ports) = case.materialize();
    let request = Request {
        method: "GET".into(),
        host: "main.test".into(),
        to: "127.0.0.1".into(),
        port: super::tree::PortSlot::Port,
        from: "127.0.0.1".into(),
        path: "/".into(),
        user: None,
        password: None,
    };
    ask(server, &config, site.dir(), ports, &request)
        .map(drop)
        .map_err(|e| format!("why cannot answer for {} configs: {e}", server.name()))
}

/// The `why` command line for `request` against `config` (served from `site_dir`).
/// The password, when there is one, goes to stdin.
pub fn command(
    server: ServerKind,
    config: &Path,
    site_dir: &Path,
    ports: Ports,
    request: &Request,
) -> Command {
    let port = ports.of(request.port);
    let url = format!("http://{}:{port}{}", request.host, request.path);
    let mut cmd = Command::new(binary());
    cmd.arg("why")
        .arg(url)
        .arg(config)
        .args(["--method", &request.method])
        .args(["--from", &request.from])
        .args([
            "--resolve",
            &format!("{}:{port}:{}", request.host, request.to),
        ])
        .args(["--format", "json"]);
    if server == ServerKind::Nginx {
        // The harness starts nginx with `-p {site}/`.
        cmd.arg("--prefix").arg(site_dir);
    }
    if let Some((user, _)) = request.login() {
        cmd.args(["--user", user, "--password-stdin"]);
    }
    cmd
}

/// Runs `why`; Err holds the exit status and stderr when it could not answer.
pub fn ask(
    server: ServerKind,
    config: &Path,
    site_dir: &Path,
    ports: Ports,
    request: &Request,
) -> Result<Prediction, String> {
    let mut child = command(server, config, site_dir, ports, request)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", binary().display()))?;
    if let (Some(mut stdin), Some((_, password))) = (child.stdin.take(), request.login()) {
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .map_err(|e| format!("write the password to why: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("wait for why: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "why exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

/// Reads the first answer of `why --format json`.
pub fn parse(json: &str) -> Result<Prediction, String> {
    let doc: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("why printed no JSON ({e}): {json}"))?;
    let answer = doc["answers"]
        .get(0)
        .ok_or_else(|| format!("why gave no answer: {json}"))?;
    let status = answer["status"].as_u64().map(|s| s as u16);
    let outcome = match (answer["outcome"].as_str(), status) {
        (Some("depends"), status) => Predicted::Depends {
            on: answer["depends_on"].as_str().unwrap_or("").to_owned(),
            status,
        },
        (Some("no-listener"), _) => Predicted::Known(Outcome::NoListener),
        (_, Some(status)) => Predicted::Known(Outcome::Status(status)),
        // The contract: null means the config would stop the server from starting.
        (_, None) => Predicted::Known(Outcome::DoesNotStart),
    };
    let decided_by = answer["decided_by"]["file"].as_str().map(|file| {
        let line = answer["decided_by"]["line"].as_u64().unwrap_or(0);
        format!("{file}:{line}")
    });
    let steps = answer["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| {
                    let at = match (s["file"].as_str(), s["line"].as_u64()) {
                        (Some(f), Some(l)) => format!(" ({}:{l})", short(f)),
                        _ => String::new(),
                    };
                    format!("{}{at}", s["what"].as_str().unwrap_or(""))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Prediction {
        outcome,
        decided_by,
        steps,
    })
}

/// A path inside a temp site, without the site's directory.
fn short(path: &str) -> &str {
    path.find("htguard-site-")
        .and_then(|i| path[i..].find('/').map(|j| &path[i + j + 1..]))
        .unwrap_or(path)
}
