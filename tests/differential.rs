//! Differential testing of `htguard why` against the real Apache httpd and nginx
//! (issue 16, item 5). See tests/differential/README.md for the commands.
//!
//! - `fixed_batch_agrees_with_the_servers`: the CI batch (fixed seed, a few configs per
//!   server), run by `scripts/test`; skipped without root, apache2 and nginx.
//! - `long_run` (ignored): the same with 300 configs per server by default.
//! - `cases_replay_with_why` / `cases_replay_on_the_servers`: every regression case under
//!   tests/differential/cases must get its recorded status from `why` (plain `cargo
//!   test`, no server) and still from the real server (root, servers installed); the
//!   cases under tests/differential/pending (disagreements not fixed yet) on the server only.
//! - `dump_replays_with_why` (ignored): a JSON-lines dump of a run, replayed with `why`.

mod common;
#[path = "differential/mod.rs"]
mod differential;

use differential::campaign::{self, Plan};
use differential::cases::{self, CaseFile};
use differential::render::config_text;
use differential::shrink::{ddmin, shrink};
use differential::tree::{
    FileBody, Generated, Node, PortSlot, Request, ServerKind, Setup, SiteFile,
};
use differential::why;

/// The CI batch: seed and configs per server (a couple of minutes with `why`).
const CI_SEED: u64 = 20_261_204;
const CI_CONFIGS: usize = 40;
/// The long run's configs per server.
const LONG_CONFIGS: usize = 300;

const ROOT_WHY: &str = "password files readable by root only must be unreadable to the \
     servers' www-data workers, and the servers drop to www-data only when started as root";

fn servers_present() -> bool {
    common::need_root(&["apache2", "nginx"], ROOT_WHY)
}

#[test]
fn fixed_batch_agrees_with_the_servers() {
    if !servers_present() {
        return;
    }
    campaign::run(&Plan::from_env(CI_SEED, CI_CONFIGS)).assert_ok();
}

/// `HTGUARD_DIFF_CONFIGS=300 cargo test --release --test differential -- --ignored long_run`
#[test]
#[ignore = "the long run: minutes; see tests/differential/README.md"]
fn long_run() {
    if !servers_present() {
        return;
    }
    let default_seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs());
    campaign::run(&Plan::from_env(default_seed, LONG_CONFIGS)).assert_ok();
}

#[test]
fn cases_replay_with_why() {
    let all = cases::load_all(&cases::cases_dir());
    assert!(
        !all.is_empty(),
        "no cases under {}",
        cases::cases_dir().display()
    );
    let mut failures = Vec::new();
    for server in [ServerKind::Apache, ServerKind::Nginx] {
        let mine: Vec<_> = all.iter().filter(|(_, c)| c.server == server).collect();
        // Only while `why` (or its evaluator for this server) does not exist yet.
        if let Err(missing) = why::answers_for(server) {
            eprintln!(
                "skipped: {missing}; the {} {} cases replay on the servers only",
                mine.len(),
                server.name()
            );
            continue;
        }
        for (path, case) in mine {
            let messages = cases::replay_with_why(case);
            failures.extend(
                messages
                    .into_iter()
                    .map(|m| format!("{}: {m}", path.display())),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "why disagrees with recorded server answers:\n{}",
        failures.join("\n")
    );
}

#[test]
fn cases_replay_on_the_servers() {
    if !servers_present() {
        return;
    }
    let mut all = cases::load_all(&cases::cases_dir());
    all.extend(cases::load_all(&cases::pending_dir()));
    let failures: Vec<String> = all
        .iter()
        .flat_map(|(path, case)| {
            cases::replay_on_server(case)
                .into_iter()
                .map(move |m| format!("{}: {m}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "the servers no longer give the recorded answers:\n{}",
        failures.join("\n")
    );
}

/// `HTGUARD_DIFF_REPLAY=run.jsonl cargo test --test differential -- --ignored dump_replays_with_why`
#[test]
#[ignore = "needs HTGUARD_DIFF_REPLAY=<dump.jsonl>"]
fn dump_replays_with_why() {
    let path = std::env::var_os("HTGUARD_DIFF_REPLAY").expect("set HTGUARD_DIFF_REPLAY to a dump");
    assert!(
        why::available(),
        "{} has no `why` command",
        why::binary().display()
    );
    let dump = cases::load_dump(std::path::Path::new(&path));
    let mut failures = Vec::new();
    let mut total = 0;
    for case in &dump {
        total += case.requests.len();
        failures.extend(
            cases::replay_with_why(case)
                .into_iter()
                .map(|m| format!("{}:{}: {m}", case.server.name(), case.seed.unwrap_or(0))),
        );
    }
    eprintln!(
        "{} configs, {total} requests, {} disagreements",
        dump.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ddmin_finds_a_one_minimal_subset() {
    let items: Vec<u32> = (0..40).collect();
    let mut calls = 0;
    let kept = ddmin(&items, &mut |s: &[u32]| {
        calls += 1;
        s.contains(&3) && s.contains(&17) && s.contains(&31)
    });
    assert_eq!(kept, vec![3, 17, 31]);
    assert!(calls < 200, "{calls} tests");
    assert_eq!(ddmin(&items, &mut |_: &[u32]| true), Vec::<u32>::new());
}

fn synthetic() -> Generated {
    let setup = campaign::generate(ServerKind::Apache, 7, 1).setup;
    let mut setup = Setup {
        tree: setup.tree,
        ..setup
    };
    // Plant the cause: a Location with a Require valid-user, deep in noise.
    setup.tree.push(Node::block(
        "VirtualHost",
        &["*:{port}"],
        vec![
            Node::directive("ServerName", &["www.a.test"]),
            Node::block(
                "Location",
                &["\"/a\""],
                vec![
                    Node::directive("AuthType", &["Basic"]),
                    Node::directive("Require", &["user", "bob", "alice"]),
                ],
            ),
        ],
    ));
    Generated {
        seed: 7,
        setup,
        requests: vec![Request {
            method: "POST".into(),
            host: "www.a.test".into(),
            to: "127.0.0.2".into(),
            port: PortSlot::Port2,
            from: "127.0.0.2".into(),
            path: "/a/page.html".into(),
            user: Some("alice".into()),
            password: Some("wrong".into()),
        }],
    }
}

/// The failure: `Require user … alice` in a `<Location>`, a good user file with alice.
fn synthetic_failure(g: &Generated) -> bool {
    fn has_require(nodes: &[Node], in_location: bool) -> bool {
        nodes.iter().any(|n| {
            (in_location && n.name() == "Require" && n.args().iter().any(|a| a == "alice"))
                || has_require(n.body(), in_location || n.name() == "Location")
        })
    }
    let alice_line = g.setup.files.iter().any(|f| {
        f.path == "pw/users"
            && matches!(&f.body, FileBody::Text { lines, .. } if lines.iter().any(|l| l.starts_with("alice:")))
    });
    has_require(&g.setup.tree, false) && alice_line
}

#[test]
fn shrinker_minimises_a_synthetic_failure() {
    let start = synthetic();
    assert!(synthetic_failure(&start));
    let (small, calls) = shrink(start, 5_000, &mut |g| synthetic_failure(g));
    assert!(calls < 5_000, "budget exhausted");
    let expected_tree = vec![Node::block(
        "Location",
        &["\"/a\""],
        vec![Node::directive("Require", &["user", "alice"])],
    )];
    assert_eq!(
        small.setup.tree,
        expected_tree,
        "{}",
        config_text(&small.setup)
    );
    assert_eq!(small.setup.files.len(), 1, "{:?}", small.setup.files);
    let FileBody::Text { lines, crlf, bom } = &small.setup.files[0].body else {
        panic!("the user file is text");
    };
    assert_eq!(lines.len(), 1);
    assert!(!crlf && !bom);
    let request = &small.requests[0];
    assert_eq!(
        (
            request.method.as_str(),
            request.from.as_str(),
            request.to.as_str(),
            request.port,
            request.user.as_deref()
        ),
        ("GET", "127.0.0.1", "127.0.0.1", PortSlot::Port, None)
    );
}

#[test]
fn a_seed_reproduces_its_config_and_requests() {
    for server in [ServerKind::Apache, ServerKind::Nginx] {
        for seed in [1, 2, 99, CI_SEED] {
            let a = campaign::generate(server, seed, 16);
            let b = campaign::generate(server, seed, 16);
            assert_eq!(a, b);
            assert_eq!(a.requests.len(), 16, "{server:?} seed {seed}");
        }
        assert_ne!(
            campaign::generate(server, 1, 16),
            campaign::generate(server, 2, 16)
        );
    }
}

#[test]
fn cases_round_trip_through_toml() {
    let generated = campaign::generate(ServerKind::Apache, 3, 2);
    let outcomes = vec![
        differential::runner::Outcome::Status(401),
        differential::runner::Outcome::DoesNotStart,
    ];
    let case = CaseFile::from_generated(&generated, &outcomes);
    let text = toml::to_string_pretty(&case).expect("serialise");
    let back: CaseFile = toml::from_str(&text).expect("parse back");
    assert_eq!(back.config, case.config);
    assert_eq!(back.files.len(), generated.setup.files.len());
    assert_eq!(back.requests[0].request, generated.requests[0]);
    assert_eq!(back.requests[1].expect, "does-not-start");
    let bom = back
        .files
        .iter()
        .find(|f| f.path == "pw/users-bom")
        .expect("bom file");
    assert!(bom.text.starts_with('\u{feff}'));
    let _: &[SiteFile] = &generated.setup.files;
}

/// `HTGUARD_DIFF_PROBE=case.toml cargo test --test differential -- --ignored --nocapture probe`:
/// prints what the real server answers each request of a case file (and what it logged),
/// to write a case by hand or to study one.
#[test]
#[ignore = "needs HTGUARD_DIFF_PROBE=<case.toml>"]
fn probe() {
    if !servers_present() {
        return;
    }
    let path =
        std::env::var_os("HTGUARD_DIFF_PROBE").expect("set HTGUARD_DIFF_PROBE to a case file");
    let text = std::fs::read_to_string(&path).expect("read the case");
    let case: CaseFile = toml::from_str(&text).expect("parse the case");
    let requests: Vec<Request> = case.requests.iter().map(|r| r.request.clone()).collect();
    let observed =
        differential::runner::observe_in(case.build_site(), case.server, &case.config, &requests);
    if let Some(failure) = &observed.start_failure {
        eprintln!("does not start: {failure}");
    }
    for ((recorded, outcome), log) in case
        .requests
        .iter()
        .zip(&observed.outcomes)
        .zip(&observed.logs)
    {
        eprintln!(
            "{} -> {} (recorded {})",
            recorded.request.describe(),
            outcome.label(),
            recorded.expect
        );
        for line in log.lines() {
            eprintln!("    {line}");
        }
    }
}
