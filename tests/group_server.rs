//! `htguard group` edits, read back by the real Apache under `Require group`: a member
//! added with the command is let in, a removed or never-added user gets 401, and the
//! lookup follows Apache's own reading of the group file (group names match without regard
//! to ASCII case; a group's lines are merged).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn htguard(args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start htguard");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn add_user(file: &Path, user: &str) {
    let f = file.to_str().unwrap();
    let (code, out) = htguard(
        &[
            "user", "add", "--create", "--mode", "0644", "--cost", "4", "--stdin", f, user,
        ],
        &format!("pw-{user}\n"),
    );
    assert_eq!(code, 0, "{out}");
}

fn group(args: &[&str]) -> i32 {
    let (code, out) = htguard(&[&["group"], args].concat(), "");
    assert!(code == 0 || code == 1, "htguard group {args:?}: {out}");
    code
}

const CONF: &str = r#"<Location /staff>
    AuthType Basic
    AuthName "Staff"
    AuthUserFile {site}/users
    AuthGroupFile {site}/groups
    Require group admins
</Location>
<Location /upper>
    AuthType Basic
    AuthName "Staff"
    AuthUserFile {site}/users
    AuthGroupFile {site}/groups
    Require group ADMINS
</Location>"#;

#[test]
fn apache_lets_in_exactly_the_members_htguard_wrote() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = common::Site::new();
    let users = site.path("users");
    for u in ["alice", "bob", "carol"] {
        add_user(&users, u);
    }
    site.write("htdocs/staff/index.html", "ok");
    site.write("htdocs/upper/index.html", "ok");
    // A hand-written file the edits must keep: comments, CRLF, a second line of the group.
    let groups = site.write(
        "groups",
        "# who may see /staff\r\nadmins:  alice\r\n\r\nops: carol\r\n",
    );
    let g = groups.to_str().unwrap();
    let apache = common::Apache::start(&site, CONF);
    let get = |path: &str, u: &str| apache.get(path, Some((u, &format!("pw-{u}"))));

    assert_eq!(get("/staff/", "alice"), 200);
    assert_eq!(get("/staff/", "bob"), 401, "{}", apache.error_log());

    assert_eq!(group(&["add", g, "admins", "bob"]), 0);
    assert_eq!(
        std::fs::read_to_string(&groups).unwrap(),
        "# who may see /staff\r\nadmins:  alice bob\r\n\r\nops: carol\r\n"
    );
    assert_eq!(get("/staff/", "bob"), 200, "{}", apache.error_log());
    // `Require group ADMINS` finds the `admins:` line: Apache's group table ignores case.
    assert_eq!(get("/upper/", "bob"), 200, "{}", apache.error_log());

    // A user in a second line of the group is a member too (the lines are merged).
    std::fs::write(&groups, "admins: alice\nAdmins: carol\n").unwrap();
    assert_eq!(get("/staff/", "carol"), 200, "{}", apache.error_log());
    assert_eq!(group(&["remove", g, "admins", "carol"]), 0);
    assert_eq!(
        std::fs::read_to_string(&groups).unwrap(),
        "admins: alice\nAdmins:\n"
    );
    assert_eq!(get("/staff/", "carol"), 401, "{}", apache.error_log());
    assert_eq!(get("/staff/", "alice"), 200);

    // Case-insensitive for the editor as for Apache: deleting `ADMINS` removes both lines.
    assert_eq!(group(&["delete", g, "ADMINS"]), 0);
    assert_eq!(std::fs::read_to_string(&groups).unwrap(), "");
    assert_eq!(get("/staff/", "alice"), 401, "{}", apache.error_log());
    assert_eq!(group(&["delete", g, "admins"]), 1);
}
