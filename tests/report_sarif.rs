//! SARIF output validates against the SARIF 2.1.0 JSON schema.

mod report_support;

use report_support::*;

use report_support::validate_sarif as validate;

#[test]
fn sarif_is_valid_and_complete() {
    let fx = fixture();
    let rules = htguard::rules::all_info();
    let out = htguard::report::sarif::render(&fx.findings(), &rules);
    assert_no_secret(&out);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    validate(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        rules.len()
    );
    let r0 = &run["results"][0];
    assert_eq!(r0["ruleId"], "PW901");
    assert_eq!(r0["level"], "error");
    let region = &r0["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 7);
    assert_eq!(
        r0["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "file:///etc/apache2/.htpasswd"
    );
    let related = &r0["relatedLocations"][0];
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "sites/a%20b%2Cc.conf"
    );
    assert_eq!(
        related["message"]["text"],
        "Apache reads users from this file"
    );
    assert_eq!(
        run["results"][1]["fixes"][0]["description"]["text"],
        "remove the trailing space"
    );
    assert!(
        run["results"][2].get("fixes").is_none(),
        "a fix that would show a hash is left out"
    );
    assert_eq!(run["results"][2]["level"], "note");
}

#[test]
fn sarif_without_findings_is_valid() {
    let fx = fixture();
    let mut f = fx.findings();
    f.diagnostics = &[];
    let doc: serde_json::Value = serde_json::from_str(&htguard::report::sarif::render(
        &f,
        &htguard::rules::all_info(),
    ))
    .unwrap();
    validate(&doc);
}

#[test]
fn the_validator_rejects_broken_sarif() {
    // Guard against a validator that accepts anything.
    let v = jsonschema::validator_for(&report_support::sarif_schema()).unwrap();
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(!v.is_valid(&bad));
}
