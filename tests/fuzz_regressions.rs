//! Inputs the fuzz targets (`fuzz/`) found problems with, kept as tests.

use htguard::check::{self, CheckOptions, CheckOutcome};
use htguard::model::LoadOptions;
use htguard::model::passwd::apache_groups;
use htguard::store::WriteOptions;
use htguard::syntax::passwd::{KindHint, parse_with};
use htguard::user::group;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status();
    assert!(status.expect("mkfifo runs").success());
}

/// Run the check on another thread: a hang fails the test instead of stalling the run.
fn check_within(opts: CheckOptions, secs: u64) -> CheckOutcome {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(check::run(&opts));
    });
    let outcome = rx
        .recv_timeout(Duration::from_secs(secs))
        .expect("the check finishes (it hung reading a FIFO)");
    outcome.expect("the check runs")
}

fn messages(outcome: &CheckOutcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

/// fuzz apache_config: `IncludeOptional /` reached a FIFO under the tree, and the loader
/// blocked opening it (so do `apache2 -t` and httpd: it waits for a writer).
#[test]
fn an_apache_include_that_reaches_a_fifo_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("etc/apache2/apache2.conf");
    std::fs::create_dir_all(dir.path().join("etc/apache2/conf.d")).unwrap();
    std::fs::write(&conf, "Include conf.d/*.conf\n").unwrap();
    std::fs::write(dir.path().join("etc/apache2/conf.d/a.conf"), "# a\n").unwrap();
    mkfifo(&dir.path().join("etc/apache2/conf.d/b.conf"));
    let opts = CheckOptions {
        apache_configs: vec![conf],
        load: LoadOptions {
            root: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    let outcome = check_within(opts, 60);
    let found = messages(&outcome);
    assert!(
        found
            .iter()
            .any(|m| m.contains("b.conf") && m.contains("FIFO")),
        "{found:?}"
    );
}

/// The same for nginx (`nginx -t` blocks on the FIFO too).
#[test]
fn an_nginx_include_glob_that_matches_a_fifo_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("etc/nginx/nginx.conf");
    std::fs::create_dir_all(dir.path().join("etc/nginx/conf.d")).unwrap();
    std::fs::write(&conf, "events {}\nhttp { include conf.d/*.conf; }\n").unwrap();
    mkfifo(&dir.path().join("etc/nginx/conf.d/f.conf"));
    let opts = CheckOptions {
        nginx_configs: vec![conf],
        load: LoadOptions {
            root: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    let outcome = check_within(opts, 60);
    let found = messages(&outcome);
    assert!(
        found
            .iter()
            .any(|m| m.contains("f.conf") && m.contains("FIFO")),
        "{found:?}"
    );
}

/// fuzz passwd: `group add` put the new member after a NUL on the group's line, where
/// httpd (which reads the line as a C string) never sees it.
#[test]
fn a_member_added_to_a_group_whose_line_holds_a_nul_is_visible_to_httpd() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groups");
    std::fs::write(&path, b"bob\0junk:alice\nstaff: alice\n").unwrap();
    group::add_members(
        &path,
        "bob",
        &["carol".to_string()],
        &WriteOptions::default(),
    )
    .expect("the member is added");
    let after = std::fs::read(&path).unwrap();
    assert!(
        after.starts_with(b"bob\0junk:alice\nstaff: alice\n"),
        "{after:?}"
    );
    let file = parse_with(&after, KindHint::Group);
    let in_bob = apache_groups(&file, &after)
        .filter(|g| g.name.as_bytes() == b"bob")
        .any(|g| g.members.iter().any(|m| m.as_bytes() == b"carol"));
    assert!(in_bob, "{}", String::from_utf8_lossy(&after));
}

/// fuzz passwd: `group add` on a group line without a `:` (`bob`, which httpd reads as
/// group `bob` with no members) wrote `bob new`: a group named `bob new`.
#[test]
fn a_member_added_to_a_group_line_without_a_colon_joins_that_group() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groups");
    std::fs::write(&path, b"bob\r\nstaff: alice\r\n").unwrap();
    group::add_members(
        &path,
        "bob",
        &["carol".to_string()],
        &WriteOptions::default(),
    )
    .expect("the member is added");
    let after = std::fs::read(&path).unwrap();
    assert!(after.starts_with(b"bob\r\nstaff: alice\r\n"), "{after:?}");
    let file = parse_with(&after, KindHint::Group);
    let groups: Vec<_> = apache_groups(&file, &after).collect();
    assert!(groups.iter().all(|g| g.name.as_bytes() != b"bob carol"));
    let in_bob = groups
        .iter()
        .filter(|g| g.name.as_bytes() == b"bob")
        .any(|g| g.members.iter().any(|m| m.as_bytes() == b"carol"));
    assert!(in_bob, "{}", String::from_utf8_lossy(&after));
}
