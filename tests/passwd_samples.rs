//! `htguard check` on samples/passwd: the healthy setup is clean, the broken one
//! shows every password-file rule that a file alone can trigger.

use htguard::check::{CheckOptions, run};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn check(dir: &str) -> htguard::check::CheckOutcome {
    let opts = CheckOptions {
        paths: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)],
        ..CheckOptions::default()
    };
    run(&opts).expect("check runs")
}

#[test]
fn healthy_samples_are_clean() {
    let out = check("samples/passwd/healthy");
    let found: Vec<_> = out
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn broken_samples_show_each_rule() {
    let out = check("samples/passwd/broken");
    let codes: BTreeSet<&str> = out.diagnostics.iter().map(|d| d.code).collect();
    for code in [
        "PW001", "PW002", "PW003", "PW004", "PW005", "PW006", "PW007", "PW008", "PW009", "PW010",
        "PW011", "PW012", "PW013", "PW014", "PW015", "PW016", "PW017", "PW018", "PW020",
    ] {
        assert!(codes.contains(code), "{code} missing; found {codes:?}");
    }
    // No finding shows a full hash.
    for d in &out.diagnostics {
        assert!(
            !d.message.contains("$2y$10$") || d.message.contains('…'),
            "{}",
            d.message
        );
    }
}

#[test]
#[ignore]
fn print_broken() {
    let out = check("samples/passwd/broken");
    for d in &out.diagnostics {
        let path = out
            .sources
            .get(d.primary.span.file)
            .path
            .display()
            .to_string();
        let line = out
            .sources
            .get(d.primary.span.file)
            .line_col(d.primary.span.start)
            .0;
        println!(
            "{} {}:{line} {} [{}] {}",
            d.severity,
            path.rsplit('/').next().unwrap_or(""),
            d.code,
            d.name,
            d.message
        );
    }
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// `htguard check` on a 1,000,000-line htpasswd file: time and peak memory against the
/// file size. Run: `cargo test --release --test passwd_samples -- --ignored --nocapture million`
#[test]
#[ignore]
fn million_line_check() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.htpasswd");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..1_000_000 {
        writeln!(
            w,
            "user{i:07}:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
        )
        .unwrap();
    }
    drop(w);
    let size = std::fs::metadata(&path).unwrap().len();
    let before = peak_rss_kb();
    let t = std::time::Instant::now();
    let out = run(&CheckOptions {
        paths: vec![path],
        ..CheckOptions::default()
    })
    .unwrap();
    let elapsed = t.elapsed();
    let peak = peak_rss_kb();
    println!(
        "check of {} MB / 1M lines: {elapsed:?}, {} findings; peak RSS {} MB (before {} MB) = {:.2}x the file",
        size / 1_000_000,
        out.diagnostics.len(),
        peak / 1024,
        before / 1024,
        (peak * 1024) as f64 / size as f64
    );
    assert!(((peak * 1024) as f64) < 3.0 * size as f64);
}

/// Per-rule time on a 1M-line file. Run with `--ignored --nocapture per_rule`.
#[test]
#[ignore]
fn per_rule_time_on_a_million_lines() {
    use htguard::rules::{Context, PasswdInput};
    let mut src = Vec::new();
    for i in 0..1_000_000 {
        src.extend_from_slice(
            format!("user{i:07}:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n")
                .as_bytes(),
        );
    }
    let mut sources = htguard::source::Sources::new();
    let t = std::time::Instant::now();
    let file = sources.add("big", src.clone());
    println!("sources.add {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let parsed = htguard::syntax::passwd::parse(&src);
    println!("parse {:?}", t.elapsed());
    let inputs = [PasswdInput::new(file, parsed, vec![])];
    let profile = htguard::target::Profile::default();
    let ctx = Context {
        sources: &sources,
        profile: &profile,
        passwd: &inputs,
        unreadable: &[],
        apache: &[],
        nginx: &[],
    };
    for rule in htguard::rules::all() {
        let t = std::time::Instant::now();
        let mut out = Vec::new();
        (rule.check)(&ctx, &mut out);
        println!(
            "{} {:?} ({} findings)",
            rule.info.code,
            t.elapsed(),
            out.len()
        );
    }
}
