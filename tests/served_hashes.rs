//! Hashes in a file the server serves: a password file that no directive names (a backup,
//! a copy) under the document root is sent to anyone — 200, the hashes in the body — on
//! the real Apache and nginx. AP020 / NX015 report it, at the file, when it is checked
//! beside the config; once denied it answers 403 and nothing is reported.

mod common;

use common::{Apache, Nginx, Server, Site};
use htguard::check::{self, CheckOptions};
use htguard::hash::{Params, Scheme, generate};
use std::path::PathBuf;

/// A user file whose one hash no directive names, in `htdocs/open/` and `htdocs/shut/`.
fn site_with_backups() -> (Site, String) {
    let site = Site::new();
    let hash = generate(Scheme::Apr1, b"secret", &Params::default())
        .expect("apr1")
        .hash;
    for dir in ["open", "shut"] {
        site.write(format!("htdocs/{dir}/users.bak"), format!("alice:{hash}\n"));
        site.write(format!("htdocs/{dir}/index.html"), "ok\n");
    }
    (site, hash)
}

/// `GET path` answers 200 with `hash` in the body.
fn downloads(server: &Server, path: &str, hash: &str) -> bool {
    let r = server.request("GET", path, None);
    r.status == 200 && r.text().contains(hash)
}

/// The files under `htdocs/` that `code` reports, at the file itself.
fn reported(outcome: &check::CheckOutcome, code: &str) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            let path = &outcome.sources.get(d.primary.span.file).path;
            let s = path.to_string_lossy();
            s[s.find("htdocs/").map_or(0, |i| i + "htdocs/".len())..].to_string()
        })
        .collect()
}

fn backups(site: &Site) -> Vec<PathBuf> {
    ["open", "shut"]
        .iter()
        .map(|d| site.path(format!("htdocs/{d}/users.bak")))
        .collect()
}

#[test]
fn apache_serves_a_password_file_no_directive_names() {
    if !common::need(&["apache2"]) {
        return;
    }
    let (site, hash) = site_with_backups();
    let apache = Apache::start(
        &site,
        "<Directory \"{site}/htdocs/shut\">\n<Files \"users.bak\">\nRequire all denied\n</Files>\n</Directory>\n",
    );
    assert!(
        downloads(&apache, "/open/users.bak", &hash),
        "{}",
        apache.error_log()
    );
    assert_eq!(apache.get("/shut/users.bak", None), 403);

    let outcome = check::run(&CheckOptions {
        apache_configs: vec![apache.conf_path().to_path_buf()],
        paths: backups(&site),
        ..CheckOptions::default()
    })
    .expect("check runs");
    assert_eq!(
        reported(&outcome, "AP020"),
        ["open/users.bak"],
        "{:#?}",
        outcome.diagnostics
    );
    let d = outcome
        .diagnostics
        .iter()
        .find(|d| d.code == "AP020")
        .unwrap();
    assert!(d.message.contains("GET /open/users.bak"), "{}", d.message);
    assert!(d.message.contains("(200)"), "{}", d.message);
}

#[test]
fn nginx_serves_a_password_file_no_directive_names() {
    if !common::need(&["nginx"]) {
        return;
    }
    let (site, hash) = site_with_backups();
    let nginx = Nginx::start(&site, "location = /shut/users.bak { deny all; }");
    assert!(
        downloads(&nginx, "/open/users.bak", &hash),
        "{}",
        nginx.error_log()
    );
    assert_eq!(nginx.get("/shut/users.bak", None), 403);

    let outcome = check::run(&CheckOptions {
        nginx_configs: vec![nginx.conf_path().to_path_buf()],
        paths: backups(&site),
        ..CheckOptions::default()
    })
    .expect("check runs");
    assert_eq!(
        reported(&outcome, "NX015"),
        ["open/users.bak"],
        "{:#?}",
        outcome.diagnostics
    );
    let d = outcome
        .diagnostics
        .iter()
        .find(|d| d.code == "NX015")
        .unwrap();
    assert!(d.message.contains("GET /open/users.bak"), "{}", d.message);
    assert!(
        d.message.contains("200, hashes in the body"),
        "{}",
        d.message
    );
}

/// The same verdicts from the configs alone (no server, no root): what `cargo test` checks
/// on any machine.
#[test]
fn reported_from_the_configs_alone() {
    let (site, _) = site_with_backups();
    let apache = site.write(
        "httpd.conf",
        format!(
            "ServerRoot \"{0}\"\nDocumentRoot \"{0}/htdocs\"\n<Directory \"{0}/htdocs\">\nRequire all granted\n</Directory>\n\
             <Directory \"{0}/htdocs/shut\">\n<Files \"users.bak\">\nRequire all denied\n</Files>\n</Directory>\n",
            site.dir().display()
        ),
    );
    let nginx = site.write(
        "nginx.conf",
        format!(
            "events {{}}\nhttp {{\nserver {{\nlisten 8080;\nroot {}/htdocs;\nlocation = /shut/users.bak {{ deny all; }}\n}}\n}}\n",
            site.dir().display()
        ),
    );
    let outcome = check::run(&CheckOptions {
        apache_configs: vec![apache],
        nginx_configs: vec![nginx],
        paths: backups(&site),
        ..CheckOptions::default()
    })
    .expect("check runs");
    assert_eq!(reported(&outcome, "AP020"), ["open/users.bak"]);
    assert_eq!(reported(&outcome, "NX015"), ["open/users.bak"]);
}
