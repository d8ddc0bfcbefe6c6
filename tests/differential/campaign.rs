//! A differential run: generate configs and requests from a seed, ask the real
//! servers, ask `why` when the binary has it, count, dump, shrink what disagrees.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::cases::{self, CaseFile};
use super::coverage::Coverage;
use super::rng::Rng;
use super::runner::{self, Outcome};
use super::shrink;
use super::tree::{Generated, Node, ServerKind};
use super::why::{self, Predicted};
use super::{apache_gen, nginx_gen, requests};

/// What to run; every field can be set from the environment (see the crate docs).
#[derive(Clone, Debug)]
pub struct Plan {
    pub seed: u64,
    pub apache: usize,
    pub nginx: usize,
    pub requests: usize,
    /// Run this one config only (`HTGUARD_DIFF_ONLY=apache:SEED`).
    pub only: Option<(ServerKind, u64)>,
    /// Append every config with its observations here, as JSON lines.
    pub dump: Option<PathBuf>,
    /// Shrink at most this many disagreements (the rest are listed with their seeds).
    pub shrink: usize,
    /// Where shrunk cases are written.
    pub cases: PathBuf,
    /// Write the coverage report (Markdown) here.
    pub report: Option<PathBuf>,
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    let text = std::env::var(name).ok()?;
    Some(
        text.parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a valid value")),
    )
}

impl Plan {
    /// The plan with `configs` per server and `seed` unless the environment says otherwise.
    pub fn from_env(seed: u64, configs: usize) -> Plan {
        let configs = env("HTGUARD_DIFF_CONFIGS").unwrap_or(configs);
        let only = std::env::var("HTGUARD_DIFF_ONLY").ok().map(|text| {
            let (server, seed) = text.split_once(':').unwrap_or_else(|| {
                panic!("HTGUARD_DIFF_ONLY={text:?}: want apache:SEED or nginx:SEED")
            });
            let server = match server {
                "apache" => ServerKind::Apache,
                "nginx" => ServerKind::Nginx,
                other => panic!("HTGUARD_DIFF_ONLY: unknown server {other:?}"),
            };
            (
                server,
                seed.parse()
                    .unwrap_or_else(|e| panic!("HTGUARD_DIFF_ONLY seed: {e}")),
            )
        });
        Plan {
            seed: env("HTGUARD_DIFF_SEED").unwrap_or(seed),
            apache: env("HTGUARD_DIFF_APACHE").unwrap_or(configs),
            nginx: env("HTGUARD_DIFF_NGINX").unwrap_or(configs),
            requests: env("HTGUARD_DIFF_REQUESTS").unwrap_or(16),
            only,
            dump: env("HTGUARD_DIFF_DUMP"),
            shrink: env("HTGUARD_DIFF_SHRINK").unwrap_or(3),
            cases: env("HTGUARD_DIFF_CASES").unwrap_or_else(cases::cases_dir),
            report: env("HTGUARD_DIFF_REPORT"),
        }
    }

    /// (server, config seed) for every config of the run. Each server has its own seed
    /// stream, so changing one server's count leaves the other's configs as they were.
    fn jobs(&self) -> Vec<(ServerKind, u64)> {
        if let Some(only) = self.only {
            return vec![only];
        }
        let mut jobs = Vec::new();
        for (server, count, salt) in [
            (ServerKind::Apache, self.apache, 0xa9ac4e),
            (ServerKind::Nginx, self.nginx, 0x9e1a3),
        ] {
            let mut rng = Rng::new(self.seed ^ salt);
            jobs.extend((0..count).map(|_| (server, rng.next_seed())));
        }
        jobs
    }
}

/// One config's generator output, reproducible from (server, seed).
pub fn generate(server: ServerKind, seed: u64, count: usize) -> Generated {
    let mut rng = Rng::new(seed);
    let (setup, targets) = match server {
        ServerKind::Apache => apache_gen::setup(&mut rng),
        ServerKind::Nginx => nginx_gen::setup(&mut rng),
    };
    let hosts = match server {
        ServerKind::Apache => apache_gen::HOSTS,
        ServerKind::Nginx => nginx_gen::HOSTS,
    };
    let requests = requests::generate(&mut rng, &targets, hosts, count);
    Generated {
        seed,
        setup,
        requests,
    }
}

/// A request on which the server and `why` differ.
pub struct Disagreement {
    pub generated: Generated,
    pub observed: Outcome,
    pub predicted: Predicted,
    pub steps: Vec<String>,
    /// The server's reason when it did not start (kept while shrinking, so that a
    /// smaller config that fails to start for another reason does not pass for it).
    pub start_cause: Option<String>,
    /// The kinds of error-log messages the request caused (kept while shrinking too).
    pub log_signature: Vec<String>,
    /// The shrunk regression case, when it was shrunk.
    pub case: Option<PathBuf>,
}

/// What a run found.
pub struct Summary {
    pub compared: bool,
    pub disagreements: Vec<Disagreement>,
    /// Requests the harness could not complete, and `why` errors.
    pub failures: Vec<String>,
    pub coverage: Coverage,
    pub oracle_time: Duration,
    pub why_time: Duration,
    pub elapsed: Duration,
}

/// A comparison's verdict: "agree", "disagree", "depends" (kept apart) or "failed".
pub fn judge(observed: &Outcome, predicted: &Predicted) -> &'static str {
    match (observed, predicted) {
        (Outcome::Failed(_), _) => "failed",
        (_, Predicted::Depends { .. }) => "depends",
        (o, Predicted::Known(p)) if o == p => "agree",
        _ => "disagree",
    }
}

/// `auth_request` configs are decided by a subrequest: their verdicts are kept apart.
fn uses_auth_request(g: &Generated) -> bool {
    fn any(nodes: &[Node]) -> bool {
        nodes
            .iter()
            .any(|n| n.name() == "auth_request" || any(n.body()))
    }
    any(&g.setup.tree)
}

/// Per server: compare with `why`, or oracle only (and why).
fn modes() -> Vec<(ServerKind, Result<(), String>)> {
    [ServerKind::Apache, ServerKind::Nginx]
        .into_iter()
        .map(|server| (server, why::answers_for(server)))
        .collect()
}

/// Runs the plan.
pub fn run(plan: &Plan) -> Summary {
    let modes = modes();
    eprintln!(
        "differential: seed {}, {} apache + {} nginx configs, {} requests each",
        plan.seed, plan.apache, plan.nginx, plan.requests,
    );
    for (server, mode) in &modes {
        match mode {
            Ok(()) => eprintln!("  {}: compare with `why`", server.name()),
            Err(e) => eprintln!("  {}: oracle only ({e})", server.name()),
        }
    }
    let compares = |server: ServerKind| modes.iter().any(|(s, m)| *s == server && m.is_ok());
    let compared = modes.iter().any(|(_, m)| m.is_ok());
    let start = Instant::now();
    let mut summary = Summary {
        compared,
        disagreements: Vec::new(),
        failures: Vec::new(),
        coverage: Coverage::default(),
        oracle_time: Duration::ZERO,
        why_time: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    let mut dump = plan.dump.as_ref().map(|path| {
        std::fs::File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()))
    });
    for (server, seed) in plan.jobs() {
        let generated = generate(server, seed, plan.requests);
        let t = Instant::now();
        let observed = runner::observe(&generated.setup, &generated.requests);
        summary.oracle_time += t.elapsed();
        summary.coverage.add(
            &generated.setup,
            &generated.requests,
            &observed.outcomes,
            observed.start_failure.as_deref(),
        );
        for (request, outcome) in generated.requests.iter().zip(&observed.outcomes) {
            if let Outcome::Failed(cause) = outcome {
                summary.failures.push(format!(
                    "{}:{seed}: {}: {cause}",
                    server.name(),
                    request.describe()
                ));
            }
        }
        if let Some(file) = dump.as_mut() {
            let case = CaseFile::from_generated(&generated, &observed.outcomes);
            let line = serde_json::to_string(&case).expect("a case serialises");
            writeln!(file, "{line}").unwrap_or_else(|e| panic!("write the dump: {e}"));
        }
        if compares(server) {
            let t = Instant::now();
            compare(&generated, &observed, &mut summary);
            summary.why_time += t.elapsed();
        }
    }
    shrink_some(plan, &mut summary);
    summary.elapsed = start.elapsed();
    if let Some(path) = &plan.report {
        std::fs::write(path, summary.render())
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
    summary
}

/// Asks `why` about every request of one observed config.
fn compare(generated: &Generated, observed: &runner::Observed, summary: &mut Summary) {
    let server = generated.setup.server;
    let apart = uses_auth_request(generated);
    for (i, (request, outcome)) in generated
        .requests
        .iter()
        .zip(&observed.outcomes)
        .enumerate()
    {
        let answer = why::ask(
            server,
            &observed.config,
            observed.site.dir(),
            observed.ports,
            request,
        );
        let prediction = match answer {
            Ok(p) => p,
            Err(e) => {
                summary.coverage.verdict(server, "why error");
                summary.failures.push(format!(
                    "{}:{}: {}: {e}",
                    server.name(),
                    generated.seed,
                    request.describe()
                ));
                continue;
            }
        };
        let verdict = judge(outcome, &prediction.outcome);
        let label = if apart {
            format!("auth_request {verdict}")
        } else {
            verdict.to_owned()
        };
        summary.coverage.verdict(server, &label);
        if verdict == "disagree" && !apart {
            summary.disagreements.push(Disagreement {
                generated: Generated {
                    requests: vec![request.clone()],
                    ..generated.clone()
                },
                observed: outcome.clone(),
                predicted: prediction.outcome,
                steps: prediction.steps,
                start_cause: observed.start_failure.as_deref().map(runner::start_cause),
                log_signature: runner::log_signature(&observed.logs[i]),
                case: None,
            });
        }
    }
}

/// True when the real server and `why` still give `observed` and `predicted` (and the
/// server fails to start for the same reason, if it does not start).
fn reproduces(
    candidate: &Generated,
    observed: &Outcome,
    predicted: &Predicted,
    start_cause: Option<&str>,
    log_signature: &[String],
) -> bool {
    let run = runner::observe(&candidate.setup, &candidate.requests);
    let cause = run.start_failure.as_deref().map(runner::start_cause);
    if run.outcomes.first() != Some(observed)
        || cause.as_deref() != start_cause
        || runner::log_signature(&run.logs[0]) != log_signature
    {
        return false;
    }
    why::ask(
        candidate.setup.server,
        &run.config,
        run.site.dir(),
        run.ports,
        &candidate.requests[0],
    )
    .is_ok_and(|p| p.outcome == *predicted)
}

/// Shrinks the first disagreements (one per config) and writes them as cases.
fn shrink_some(plan: &Plan, summary: &mut Summary) {
    let mut seeds_done = Vec::new();
    for d in summary.disagreements.iter_mut() {
        if seeds_done.len() >= plan.shrink || seeds_done.contains(&d.generated.seed) {
            continue;
        }
        seeds_done.push(d.generated.seed);
        let (observed, predicted) = (d.observed.clone(), d.predicted.clone());
        let (cause, signature) = (d.start_cause.clone(), d.log_signature.clone());
        let (small, calls) = shrink::shrink(d.generated.clone(), 400, &mut |c| {
            reproduces(c, &observed, &predicted, cause.as_deref(), &signature)
        });
        let mut case = CaseFile::from_generated(&small, std::slice::from_ref(&observed));
        case.note = format!(
            "Found by the differential run (seed {}); shrunk in {calls} steps. The server answers {}; why said {:?}.",
            small.seed,
            observed.label(),
            predicted
        );
        let name = format!("{}-{:016x}", small.setup.server.name(), small.seed);
        d.case = Some(cases::write(&plan.cases, &name, &case));
        d.generated = small;
    }
}

impl Summary {
    /// Counts, speed, coverage and every disagreement, as Markdown.
    pub fn render(&self) -> String {
        let mut out = format!(
            "# Differential run\n\nmode: {}; {:.0} s in all ({:.0} s servers, {:.0} s why)\n\n",
            if self.compared {
                "compare with why"
            } else {
                "oracle only"
            },
            self.elapsed.as_secs_f64(),
            self.oracle_time.as_secs_f64(),
            self.why_time.as_secs_f64()
        );
        let minutes = self.elapsed.as_secs_f64() / 60.0;
        for server in [ServerKind::Apache, ServerKind::Nginx] {
            let (configs, requests) = self.coverage.totals(server);
            if configs > 0 {
                out.push_str(&format!(
                    "{}: {configs} configs, {requests} requests\n",
                    server.name()
                ));
            }
        }
        let (a, b) = (
            self.coverage.totals(ServerKind::Apache),
            self.coverage.totals(ServerKind::Nginx),
        );
        out.push_str(&format!(
            "speed: {:.1} configs/min, {:.0} requests/min\n\n",
            (a.0 + b.0) as f64 / minutes,
            (a.1 + b.1) as f64 / minutes
        ));
        out.push_str(&self.coverage.render());
        for d in &self.disagreements {
            out.push_str(&format!(
                "- disagreement {}:{} {}: server {}, why {:?}{}\n",
                d.generated.setup.server.name(),
                d.generated.seed,
                d.generated.requests[0].describe(),
                d.observed.label(),
                d.predicted,
                d.case
                    .as_ref()
                    .map(|p| format!(" (case {})", p.display()))
                    .unwrap_or_default()
            ));
            for step in &d.steps {
                out.push_str(&format!("    - {step}\n"));
            }
        }
        for f in &self.failures {
            out.push_str(&format!("- failure {f}\n"));
        }
        out
    }

    /// Fails the test on any disagreement or failure, after printing the report.
    pub fn assert_ok(&self) {
        eprintln!("{}", self.render());
        assert!(
            self.disagreements.is_empty() && self.failures.is_empty(),
            "{} disagreements and {} failures (above); rerun one config with HTGUARD_DIFF_ONLY=server:seed",
            self.disagreements.len(),
            self.failures.len()
        );
    }
}
