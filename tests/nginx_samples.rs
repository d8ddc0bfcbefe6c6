//! samples/nginx: the broken setup shows each rule it was built for, the healthy one none,
//! and `htguard map` prints their coverage.

use assert_cmd::Command;
use htguard::diag::Diagnostic;
use htguard::model::LoadOptions;
use htguard::model::nginx::{NginxStart, load};
use htguard::rules::Context;
use htguard::source::Sources;
use htguard::target::Profile;
use std::path::{Path, PathBuf};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/nginx")
        .join(name)
}

fn findings(name: &str) -> Vec<Diagnostic> {
    let root = sample(name);
    let opts = LoadOptions {
        root: Some(root.clone()),
        ..LoadOptions::default()
    };
    let mut sources = Sources::new();
    let mut diags = Vec::new();
    let model = load(
        &root.join("etc/nginx/nginx.conf"),
        NginxStart::MainConfig,
        &opts,
        &mut sources,
    );
    let models = [model];
    let ctx = Context {
        sources: &sources,
        profile: &Profile::default(),
        passwd: &[],
        unreadable: &[],
        apache: &[],
        nginx: &models,
    };
    for rule in htguard::rules::nginx::RULES {
        (rule.check)(&ctx, &mut diags);
    }
    diags
}

#[test]
fn broken_sample_shows_each_problem() {
    let d = findings("broken");
    let mut codes: Vec<&str> = d.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "NX003", "NX008", "NX011", "NX012", "NX013", "NX014", "NX015", "NX016", "NX017"
        ],
        "{d:#?}"
    );
    let bypass = d.iter().find(|d| d.code == "NX011").unwrap();
    assert!(
        bypass.message.contains("/admin/x.php"),
        "{}",
        bypass.message
    );
}

#[test]
fn healthy_sample_is_clean() {
    let d = findings("healthy");
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn map_prints_the_coverage() {
    let root = sample("broken");
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .args(["map", "--root"])
        .arg(&root)
        .arg(root.join("etc/nginx/nginx.conf"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("location /admin/"), "{text}");
    assert!(text.contains("open (satisfy any)"), "{text}");
    assert!(text.contains("switchable"), "{text}");
    let json = Command::cargo_bin("htguard")
        .unwrap()
        .args(["map", "--format", "json", "--uri", "/admin/x.php", "--root"])
        .arg(&root)
        .arg(root.join("etc/nginx/nginx.conf"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let row = &v["nginx"][0]["servers"][0]["rows"][0];
    assert_eq!(row["access"], "open", "{v:#}");
    assert!(
        row["location"]
            .as_str()
            .unwrap()
            .contains(r"location ~ \.php$")
    );
}
