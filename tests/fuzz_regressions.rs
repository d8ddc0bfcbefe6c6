//! Inputs the fuzz targets (`fuzz/`) found problems with, kept as tests.

use htguard::check::{self, CheckOptions, CheckOutcome};
use htguard::hash::Scheme;
use htguard::model::LoadOptions;
use htguard::model::passwd::{
    ApacheRead, ApacheRecord, NginxRead, NginxRecord, apache_find_basic, apache_groups, nginx_find,
};
use htguard::store::WriteOptions;
use htguard::syntax::passwd::{KindHint, parse, parse_with};
use htguard::user::{self, AddMode, EntryKind, HashChoice, group};
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

fn file_with(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn sha1() -> EntryKind {
    EntryKind::Basic(HashChoice {
        scheme: Scheme::Sha1,
        ..Default::default()
    })
}

/// The hash each server finds for `user` in `bytes` (Apache, nginx).
fn found(bytes: &[u8], user: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let file = parse(bytes);
    let apache = match apache_find_basic(&file, bytes, user.as_bytes()).found() {
        Some(ApacheRecord {
            read: ApacheRead::Entry(e),
            ..
        }) => Some(e.basic_hash().as_bytes().to_vec()),
        _ => None,
    };
    let nginx = match nginx_find(&file, bytes, user.as_bytes()).found() {
        Some(NginxRecord {
            read: NginxRead::Entry { hash, .. },
            ..
        }) => Some(hash.as_bytes().to_vec()),
        _ => None,
    };
    (apache, nginx)
}

/// fuzz passwd: `user set alice` rewrote the first line `<BOM>alice:…`, which both servers
/// (and Apache's `htpasswd`) read as user `<BOM>alice`: the other entry changed, and alice
/// still could not log in.
#[test]
fn a_user_name_behind_a_bom_is_not_the_user_edited() {
    let src = b"\xEF\xBB\xBFalice:old\nbob:x\n";
    let (_dir, path) = file_with(src);
    let opts = WriteOptions::default();
    let set = user::save(&path, "alice", b"pw", &sha1(), AddMode::Existing, &opts);
    assert!(set.is_err(), "{set:?}");
    assert_eq!(std::fs::read(&path).unwrap(), src);
    user::save(&path, "alice", b"pw", &sha1(), AddMode::Either, &opts).unwrap();
    let after = std::fs::read(&path).unwrap();
    assert!(after.starts_with(src), "{after:?}");
    let hash = user::make_entry("alice", b"pw", &sha1()).unwrap().0;
    let want = Some(hash.into_bytes());
    assert_eq!(found(&after, "alice"), (want.clone(), want));
}

/// fuzz passwd: `user set bob` on `  bob:…` kept the blanks, which nginx reads as part of
/// the name: bob's new password worked on Apache only.
#[test]
fn a_changed_entry_is_written_without_the_blanks_before_its_name() {
    let (_dir, path) = file_with(b"  bob:old\nalice:x\n");
    let opts = WriteOptions::default();
    user::save(&path, "bob", b"pw", &sha1(), AddMode::Existing, &opts).unwrap();
    let after = std::fs::read(&path).unwrap();
    let hash = user::make_entry("bob", b"pw", &sha1()).unwrap().0;
    assert_eq!(after, format!("bob:{hash}\nalice:x\n").as_bytes());
    let want = Some(hash.into_bytes());
    assert_eq!(found(&after, "bob"), (want.clone(), want));
}

/// An edit on the file at the path; true when it was refused.
type Refused<'a> = dyn Fn(&Path) -> bool + 'a;

/// fuzz passwd: edits next to lines Apache joins (a line ending in `\`, and `\\` carrying
/// the join over an empty line): `set` uncovered a `\` a NUL had hidden and Apache then
/// read alice's line as part of bob's, `add` wrote an entry Apache read as part of `b`, and
/// `delete` changed the entry Apache reads for x. Each is refused and writes nothing.
#[test]
fn edits_apache_would_read_joined_to_another_line_are_refused() {
    let opts = WriteOptions::default();
    let cases: [(&[u8], &Refused); 3] = [
        (b"bob:1\0:x\\\nalice:1\n", &|p| {
            user::save(p, "bob", b"pw", &sha1(), AddMode::Existing, &opts).is_err()
        }),
        (b"a:1\nb\\\\\n\n", &|p| {
            user::save(p, "bob", b"pw", &sha1(), AddMode::New, &opts).is_err()
        }),
        (b"x:1\\\nbob:1\n", &|p| {
            user::delete(p, "bob", None).is_err()
        }),
    ];
    for (src, refused) in cases {
        let (_dir, path) = file_with(src);
        assert!(refused(&path), "{src:?}");
        assert_eq!(std::fs::read(&path).unwrap(), src);
    }
}

/// fuzz passwd: a name with a NUL matched `  bob\0:…`, which Apache reads as `bob` and
/// nginx as `  bob\0`: `delete` removed a line no server reads as that name.
#[test]
fn a_lookup_name_with_a_nul_is_refused() {
    let src = b"  bob\0:1\nalice:1\n";
    let (_dir, path) = file_with(src);
    assert!(user::delete(&path, "bob\0", None).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), src);
}

/// The members Apache reads for `group` (every line of it).
fn members(bytes: &[u8], group: &str) -> Vec<String> {
    let file = parse_with(bytes, KindHint::Group);
    apache_groups(&file, bytes)
        .filter(|g| g.name.as_bytes() == group.as_bytes())
        .flat_map(|g| g.members.into_iter().map(|m| m.lossy().into_owned()))
        .collect()
}

/// fuzz passwd: `group add` put the member after an unterminated quote, which takes it
/// in: httpd read one member `a b new`.
#[test]
fn a_member_added_after_an_unterminated_quote_gets_a_line_of_its_own() {
    let src = b"g: \"a b\n";
    let (_dir, path) = file_with(src);
    let new = ["new".to_string()];
    group::add_members(&path, "g", &new, &WriteOptions::default()).unwrap();
    let after = std::fs::read(&path).unwrap();
    assert!(after.starts_with(src), "{after:?}");
    assert_eq!(members(&after, "g"), ["a b", "new"]);
}

/// fuzz passwd: `group remove` of a member between `a` and a member written right after
/// its closing quote (`a "new"b`) glued the neighbours into one member `ab`.
#[test]
fn removing_a_member_keeps_its_neighbours_apart() {
    let (_dir, path) = file_with(b"g: a \"new\"b\n");
    group::remove_members(&path, "g", &["new".to_string()]).unwrap();
    let after = std::fs::read(&path).unwrap();
    assert_eq!(members(&after, "g"), ["a", "b"]);
}
