//! Replays what real nginx answered (the differential harness's dumps: one JSON object
//! per config with its files and requests, each with the status nginx sent) through
//! the nginx evaluator, without a server. `tests/nginx_replay/regressions.jsonl` holds
//! the configs whose requests disagreed once, kept after the fix; any dump replays with
//! `HTGUARD_NGINX_REPLAY=run.jsonl cargo test --test nginx_replay -- --nocapture`.
//!
//! Files the harness made root-owned and 0600 are unreadable to nginx's worker: the
//! view below says so from the mode bits, so this runs without root.

use htguard::model::LoadOptions;
use htguard::model::nginx::request::evaluate;
use htguard::model::nginx::{NginxStart, load};
use htguard::model::request::{
    Credentials, FileState, Files, LocalFiles, Request, Scheme, Verdict,
};
use htguard::source::Sources;
use serde::Deserialize;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Deserialize)]
struct Dump {
    server: String,
    seed: u64,
    config: String,
    files: Vec<DumpFile>,
    requests: Vec<DumpRequest>,
}

#[derive(Deserialize)]
struct DumpFile {
    path: String,
    mode: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    dir: bool,
}

#[derive(Deserialize, Clone)]
struct DumpRequest {
    method: String,
    host: String,
    to: String,
    port: String,
    from: String,
    path: String,
    user: Option<String>,
    password: Option<String>,
    expect: String,
}

const PORT: u16 = 18001;
const PORT2: u16 = 18002;

/// The worker's view: a file without the "other" read bit was root's and 0600 in the
/// harness, so www-data cannot open it.
struct WorkerFiles(LocalFiles);

impl Files for WorkerFiles {
    fn state(&self, p: &Path) -> FileState {
        match self.0.state(p) {
            FileState::File { .. } if !other_readable(p) => {
                FileState::Unreadable("permission denied".into())
            }
            s => s,
        }
    }
    fn read(&self, p: &Path) -> std::io::Result<Vec<u8>> {
        self.0.read(p)
    }
    fn list(&self, p: &Path) -> Vec<String> {
        self.0.list(p)
    }
    fn cannot_read(&self, p: &Path) -> Option<String> {
        (!other_readable(p)).then(|| "permission denied".to_string())
    }
}

fn other_readable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o004 != 0)
}

fn fill(text: &str, site: &Path) -> String {
    text.replace("{site}", &site.display().to_string())
        .replace("{port2}", &PORT2.to_string())
        .replace("{port}", &PORT.to_string())
}

/// Every disagreement of one dumped config, as text.
fn replay(dump: &Dump) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    for f in &dump.files {
        let p = site.join(&f.path);
        if f.dir {
            std::fs::create_dir_all(&p).unwrap();
            continue;
        }
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, fill(&f.text, site)).unwrap();
        let mode = u32::from_str_radix(&f.mode, 8).unwrap_or(0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let conf = site.join("nginx.conf");
    std::fs::write(&conf, fill(&dump.config, site)).unwrap();
    let opts = LoadOptions {
        nginx_prefix: Some(site.to_path_buf()),
        ..LoadOptions::default()
    };
    let mut sources = Sources::new();
    let model = load(&conf, NginxStart::MainConfig, &opts, &mut sources);
    let files = WorkerFiles(LocalFiles::default());
    let mut out = Vec::new();
    for r in &dump.requests {
        let request = Request {
            method: r.method.clone(),
            scheme: Scheme::Http,
            host: r.host.clone(),
            port: if r.port == "port2" { PORT2 } else { PORT },
            local_addr: r.to.parse::<IpAddr>().unwrap(),
            target: r.path.clone(),
            client: r.from.parse::<IpAddr>().unwrap(),
            credentials: r.user.as_ref().map(|u| Credentials {
                user: u.clone(),
                password: Zeroizing::new(r.password.clone().unwrap_or_default().into_bytes()),
            }),
        };
        let answer = evaluate(&model, &request, &files);
        let got = match &answer.verdict {
            Verdict::Status(s) => s.to_string(),
            Verdict::DoesNotStart => "does-not-start".into(),
            Verdict::NoListener => "no-listener".into(),
            // Kept apart, as the harness does: htguard says what it depends on.
            Verdict::Depends { .. } => {
                out.push(String::new());
                continue;
            }
        };
        if got != r.expect {
            let steps: Vec<&str> = answer.steps.iter().map(|s| s.what.as_str()).collect();
            out.push(format!(
                "seed {}: {} {} (Host {}, to {}:{}, from {}, user {:?}): nginx {}, evaluator {got}\n    {}",
                dump.seed, r.method, r.path, r.host, r.to, r.port, r.from, r.user, r.expect,
                steps.join("\n    ")
            ));
        }
    }
    out
}

/// (configs, requests, answers that depend on something outside the config,
/// disagreements).
fn replay_file(path: &Path) -> (usize, usize, usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut configs, mut requests, mut bad) = (0, 0, Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let dump: Dump = serde_json::from_str(line).unwrap();
        if dump.server != "nginx" {
            continue;
        }
        configs += 1;
        requests += dump.requests.len();
        bad.extend(replay(&dump));
    }
    let depends = bad.iter().filter(|b| b.is_empty()).count();
    bad.retain(|b| !b.is_empty());
    (configs, requests, depends, bad)
}

#[test]
fn regressions_replay() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/nginx_replay/regressions.jsonl");
    let (configs, requests, _, bad) = replay_file(&path);
    assert!(configs > 0 && requests > 0);
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn dump_replays() {
    let Some(path) = std::env::var_os("HTGUARD_NGINX_REPLAY") else {
        return;
    };
    let (configs, requests, depends, bad) = replay_file(Path::new(&path));
    eprintln!(
        "{configs} configs, {requests} requests, {depends} answers depend on something outside the config, {} disagreements",
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
