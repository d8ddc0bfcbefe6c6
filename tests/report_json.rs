//! JSON output: the documented schema, pinned by a snapshot.

mod report_support;

use report_support::*;

#[test]
fn json_schema_snapshot() {
    let fx = fixture();
    let out = htguard::report::json::render(&fx.findings());
    assert_no_secret(&out);
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    // Pinned separately so a release does not churn the snapshot.
    v["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!(v);
}

#[test]
fn secret_replacements_are_withheld() {
    let fx = fixture();
    let v: serde_json::Value =
        serde_json::from_str(&htguard::report::json::render(&fx.findings())).unwrap();
    let edit = &v["findings"][2]["fix"]["edits"][0];
    assert_eq!(edit["replacement"], serde_json::Value::Null);
    assert_eq!(edit["replacement_withheld"], true);
    let edit = &v["findings"][1]["fix"]["edits"][0];
    assert_eq!(edit["replacement"], "");
}
