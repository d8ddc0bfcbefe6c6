//! Synthetic findings for the renderer tests: two files, a secondary label in the
//! other file, a fix, and a password file whose hash must never be printed in full.
#![allow(dead_code)]

use htguard::diag::{Diagnostic, Edit, Fix, Server, Severity};
use htguard::report::Findings;
use htguard::rules::{Family, RuleInfo};
use htguard::source::{FileId, Sources, Span};
use htguard::syntax::passwd::FileKind;
use std::collections::HashMap;

pub static HASH_RULE: RuleInfo = RuleInfo {
    code: "PW901",
    name: "fixture-malformed-hash",
    family: Family::Passwd,
    severity: Severity::Error,
    summary: "fixture",
    doc: "",
};

pub static WS_RULE: RuleInfo = RuleInfo {
    code: "PW902",
    name: "fixture-trailing-space",
    family: Family::Passwd,
    severity: Severity::Warning,
    summary: "fixture",
    doc: "",
};

pub const HASH: &str = "$2y$10$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMN";

pub struct Fixture {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    pub passwd: HashMap<FileId, FileKind>,
    pub inputs: Vec<htguard::source::Provenance>,
}

impl Fixture {
    pub fn findings(&self) -> Findings<'_> {
        Findings {
            sources: &self.sources,
            diagnostics: &self.diagnostics,
            passwd_files: &self.passwd,
            suppressed: 1,
            inputs: &self.inputs,
        }
    }
}

pub fn fixture() -> Fixture {
    let mut sources = Sources::new();
    let conf_text = "<Directory \"/srv/www\">\n    AuthType Basic\n    AuthUserFile \"/etc/apache2/.htpasswd\"\n    Require valid-user\n</Directory>\n";
    let conf = sources.add("sites/a b,c.conf", conf_text.as_bytes().to_vec());
    let pw_text = format!("# users\nalice:{HASH} \nbob:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
    let pw = sources.add("/etc/apache2/.htpasswd", pw_text.clone().into_bytes());
    let hash_start = pw_text.find(HASH).unwrap();
    let directive = conf_text.find("AuthUserFile").unwrap();
    let d1 = Diagnostic::new(
        &HASH_RULE,
        Span::new(pw, hash_start, hash_start + HASH.len()),
        "bcrypt hash of `alice` is malformed: `$2y$10$abcd…` has 53 characters, expected 60",
    )
    .label("this hash")
    .with_secondary(
        Span::new(
            conf,
            directive,
            directive + "AuthUserFile \"/etc/apache2/.htpasswd\"".len(),
        ),
        "Apache reads users from this file",
    )
    .help("set a new password: htguard user set /etc/apache2/.htpasswd alice")
    .servers(&[Server::Apache, Server::Nginx]);
    let ws = hash_start + HASH.len();
    let d2 = Diagnostic::new(
        &WS_RULE,
        Span::new(pw, ws, ws + 1),
        "trailing space after the hash of `alice`",
    )
    .label("nginx compares this space as part of the hash")
    .servers(&[Server::Nginx])
    .fix(Fix {
        description: "remove the trailing space".into(),
        edits: vec![Edit {
            span: Span::new(pw, ws, ws + 1),
            replacement: Vec::new(),
        }],
    });
    // A fix whose replacement carries a hash: must be withheld from machine output.
    let bob = pw_text.find("bob:").unwrap();
    let d3 = Diagnostic::new(
        &WS_RULE,
        Span::new(pw, bob, bob + 3),
        "fixture: rewrite line",
    )
    .severity(Severity::Info)
    .fix(Fix {
        description: "rewrite the line".into(),
        edits: vec![Edit {
            span: Span::new(pw, bob, pw_text.len()),
            replacement: b"bob:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n".to_vec(),
        }],
    });
    let mut passwd = HashMap::new();
    passwd.insert(pw, FileKind::Basic);
    let inputs = vec![
        htguard::source::Provenance {
            file: conf,
            kind: "apache-snippet".into(),
            why: "named on the command line".into(),
        },
        htguard::source::Provenance {
            file: pw,
            kind: "htpasswd".into(),
            why: "apache reads its users from it: named at sites/a b,c.conf:3".into(),
        },
    ];
    Fixture {
        sources,
        diagnostics: vec![d1, d2, d3],
        passwd,
        inputs,
    }
}

/// No output may contain a full hash.
pub fn assert_no_secret(output: &str) {
    assert!(!output.contains(HASH), "full bcrypt hash leaked:\n{output}");
    assert!(
        !output.contains("qUqP5cyxm6YcTAhz05Hph5gvu9M="),
        "full {{SHA}} hash leaked:\n{output}"
    );
}

/// The SARIF 2.1.0 schema as shipped (see fixtures/engine/sarif-schema-2.1.0.LICENSE.md).
///
/// Its two `language` patterns end in `[a-zA-Z]{2}]?$`: the lone `]` is a literal in
/// ECMAScript regexes (the dialect JSON Schema uses) but an error for the regex engine
/// behind the `jsonschema` crate, which then refuses the whole schema. Escaping that one
/// bracket keeps the pattern's meaning exactly; nothing else is touched.
pub fn sarif_schema() -> serde_json::Value {
    let text = include_str!("../fixtures/engine/sarif-schema-2.1.0.json");
    let broken = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let escaped = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#;
    assert_eq!(
        text.matches(broken).count(),
        2,
        "schema changed: revisit this patch"
    );
    serde_json::from_str(&text.replace(broken, escaped)).unwrap()
}

/// Validate a SARIF document against the schema; panics with every error.
pub fn validate_sarif(doc: &serde_json::Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
}
