//! Unknown and not-allowed directives in `.htaccess` on real Apache httpd 2.4: every
//! directive httpd does not know (a typo, `//` used as a comment, a module not loaded)
//! or whose override class `AllowOverride` does not allow answers 500 for the directory,
//! and htguard's AP018 says so exactly there.

mod common;

use common::{Apache, Site};
use htguard::check::{self, CheckOptions};

/// (AllowOverride, .htaccess text, the server answers 500).
const CASES: &[(&str, &str, bool)] = &[
    (
        "All",
        "// protect the directory\nRequire all granted\n",
        true,
    ),
    ("All", "AuthTyp Basic\n", true),
    ("All", "ExpiresActive On\n", true),
    ("All", "php_value upload_max_filesize 8M\n", true),
    ("All", "AuthPlainUserFile /etc/users\n", true),
    (
        "All",
        "<IfModule expires_module>\nExpiresActive On\n</IfModule>\n",
        false,
    ),
    ("All", "Header set X-Test yes\n", false),
    ("AuthConfig", "Options -Indexes\n", true),
    ("AuthConfig", "AddType text/plain .log\n", true),
    ("AuthConfig", "DirectoryIndex index.html\n", true),
    ("Indexes", "DirectoryIndex index.html\n", false),
    ("FileInfo", "AddType text/plain .log\n", false),
    (
        "FileInfo",
        "<Limit POST>\nRequire all denied\n</Limit>\n",
        true,
    ),
    (
        "AuthConfig",
        "<Files secret.txt>\nRequire all denied\n</Files>\n",
        false,
    ),
    ("All", "AllowOverride None\n", true),
    ("All", "<Directory /tmp>\n</Directory>\n", true),
    ("AuthConfig Nonfatal=Override", "Options -Indexes\n", false),
    ("All Nonfatal=Unknown", "// a comment\n", false),
    // `All` (like `None`) starts over: the Nonfatal before it is gone.
    ("Nonfatal=All All", "// a comment\n", true),
];

#[test]
fn unknown_and_refused_directives_answer_500_and_ap018_says_so() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    let mut conf = String::new();
    for (i, (allow, text, _)) in CASES.iter().enumerate() {
        conf.push_str(&format!(
            "<Directory \"{{site}}/htdocs/d{i}\">\nAllowOverride {allow}\n</Directory>\n"
        ));
        site.write(format!("htdocs/d{i}/index.html"), "hello\n");
        site.write(format!("htdocs/d{i}/.htaccess"), text);
    }
    let server = Apache::start(&site, &conf);
    let opts = CheckOptions {
        apache_configs: vec![server.conf_path().to_path_buf()],
        ..Default::default()
    };
    let outcome = check::run(&opts).expect("htguard check runs");
    let reported = |i: usize| {
        outcome.diagnostics.iter().any(|d| {
            d.code == "AP018"
                && outcome
                    .sources
                    .get(d.primary.span.file)
                    .path
                    .ends_with(format!("htdocs/d{i}/.htaccess"))
        })
    };
    let mut failures = Vec::new();
    for (i, (allow, text, broken)) in CASES.iter().enumerate() {
        let status = server.get(&format!("/d{i}/"), None);
        let want = if *broken { 500 } else { 200 };
        if status != want {
            failures.push(format!(
                "AllowOverride {allow} / {text:?}: server answered {status}, expected {want}"
            ));
        }
        if reported(i) != *broken {
            failures.push(format!(
                "AllowOverride {allow} / {text:?}: htguard {} AP018",
                if *broken {
                    "did not report"
                } else {
                    "reported"
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n--- error log ---\n{}",
        failures.join("\n"),
        server.error_log()
    );
}
