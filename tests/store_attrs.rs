//! The replacement file keeps everything the original had: POSIX ACLs and extended attributes
//! survive every command that writes a password file (`user add/set/delete/rotate/import`,
//! `htpasswd`, `check --fix`); an attribute that cannot be kept stops the write with the
//! original untouched. After a write, htguard warns when the web server's user (www-data,
//! nginx, apache: whichever exist) can no longer read the file.

mod common;

use assert_cmd::Command;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn htguard() -> Command {
    Command::cargo_bin("htguard").unwrap()
}

/// A 0755 directory on a file system with user xattrs and ACLs (the target dir, a real disk;
/// tmpfs may lack user xattrs). `None` (test skipped) where they are not supported.
fn attr_dir() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "x").unwrap();
    let ok = tool("setfattr", &["-n", "user.probe", "-v", "1"], &probe)
        && tool("setfacl", &["-m", "u:12345:r"], &probe);
    std::fs::remove_file(&probe).unwrap();
    if !ok {
        eprintln!(
            "skipped: the file system of {} lacks user xattrs or ACLs",
            dir.path().display()
        );
    }
    ok.then_some(dir)
}

fn tool(name: &str, args: &[&str], file: &Path) -> bool {
    Process::new(name)
        .args(args)
        .arg(file)
        .status()
        .is_ok_and(|s| s.success())
}

fn output(name: &str, args: &[&str], file: &Path) -> String {
    let out = Process::new(name).args(args).arg(file).output().unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Everything a reader of the file could care about besides its bytes.
#[derive(Debug, PartialEq, Eq)]
struct Attributes {
    acl: String,
    xattrs: String,
    mode: u32,
    uid: u32,
    gid: u32,
}

fn attributes(file: &Path) -> Attributes {
    let meta = std::fs::metadata(file).unwrap();
    Attributes {
        acl: output("getfacl", &["--omit-header", "--numeric"], file),
        // Every namespace this process may see, values hex-encoded.
        xattrs: output(
            "getfattr",
            &["--dump", "--match=-", "--encoding=hex", "--absolute-names"],
            file,
        ),
        mode: meta.mode(),
        uid: meta.uid(),
        gid: meta.gid(),
    }
}

const NEED: [&str; 4] = ["setfacl", "getfacl", "setfattr", "getfattr"];

fn add(file: &Path, user: &str, create: bool) {
    let mut cmd = htguard();
    cmd.args(["user", "add"])
        .arg(file)
        .args([user, "--stdin", "--cost", "4"]);
    if create {
        cmd.arg("--create");
    }
    cmd.write_stdin("secret\n").assert().success();
}

/// Each writing command, run against `file`; each must change the content.
fn writers(file: &Path, dir: &Path) -> Vec<(&'static str, Command)> {
    let mut list = Vec::new();
    let mut add = htguard();
    add.args(["user", "add"])
        .arg(file)
        .args(["dave", "--stdin", "--cost", "4"])
        .write_stdin("pw\n");
    list.push(("user add", add));
    let mut set = htguard();
    set.args(["user", "set"])
        .arg(file)
        .args(["dave", "--stdin", "--cost", "4"])
        .write_stdin("pw2\n");
    list.push(("user set", set));
    let mut delete = htguard();
    delete.args(["user", "delete"]).arg(file).arg("dave");
    list.push(("user delete", delete));
    let mut rotate = htguard();
    rotate
        .args(["user", "rotate"])
        .arg(file)
        .args(["alice", "--cost", "4", "--output"])
        .arg(dir.join("new-passwords"));
    list.push(("user rotate", rotate));
    let mut import = htguard();
    import
        .args(["user", "import"])
        .arg(file)
        .args(["--cost", "4"])
        .write_stdin("erin:pw\nfrank:pw\n");
    list.push(("user import", import));
    let mut htpasswd = htguard();
    htpasswd
        .args(["htpasswd", "-bB", "-C", "4"])
        .arg(file)
        .args(["gina", "pw"]);
    list.push(("htpasswd -b", htpasswd));
    let mut htpasswd_delete = htguard();
    htpasswd_delete
        .args(["htpasswd", "-D"])
        .arg(file)
        .arg("gina");
    list.push(("htpasswd -D", htpasswd_delete));
    list
}

#[test]
fn acls_and_xattrs_survive_every_writing_command() {
    if !common::need(&NEED) {
        return;
    }
    let Some(dir) = attr_dir() else { return };
    let file = dir.path().join(".htpasswd");
    add(&file, "alice", true);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(tool("setfacl", &["-m", "u:12345:r,g:12346:r"], &file));
    assert!(tool(
        "setfattr",
        &["-n", "user.htguard.note", "-v", "kept"],
        &file
    ));
    if is_root() {
        // trusted.* and security.* need CAP_SYS_ADMIN. security.selinux itself can only be set
        // where SELinux is on; another security.* name takes the same path through the store.
        assert!(tool(
            "setfattr",
            &["-n", "trusted.htguard", "-v", "t"],
            &file
        ));
        assert!(tool(
            "setfattr",
            &["-n", "security.htguard", "-v", "s"],
            &file
        ));
    }
    let before = attributes(&file);
    assert!(before.acl.contains("user:12345:r--"), "{}", before.acl);
    assert!(
        before.xattrs.contains("user.htguard.note"),
        "{}",
        before.xattrs
    );

    for (name, mut cmd) in writers(&file, dir.path()) {
        let old = std::fs::read(&file).unwrap();
        let old_inode = std::fs::metadata(&file).unwrap().ino();
        cmd.assert().success();
        assert_ne!(std::fs::read(&file).unwrap(), old, "{name} wrote nothing");
        assert_ne!(
            std::fs::metadata(&file).unwrap().ino(),
            old_inode,
            "{name}: not a new inode"
        );
        assert_eq!(attributes(&file), before, "{name} changed the attributes");
    }

    // check --fix: the final newline is a safe fix.
    let text = std::fs::read(&file).unwrap();
    std::fs::write(&file, text.strip_suffix(b"\n").unwrap()).unwrap();
    htguard()
        .args(["check", "--fix"])
        .arg(&file)
        .assert()
        .stderr(predicates::str::contains("Fixed "));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        text,
        "check --fix added the newline"
    );
    assert_eq!(
        attributes(&file),
        before,
        "check --fix changed the attributes"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".htguard-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A directory's default ACL gives every new file an access ACL. The replacement must not
/// gain one the original did not have (it would grant what the owner took away).
#[test]
fn an_inherited_acl_the_original_lacks_is_not_added() {
    if !common::need(&NEED) {
        return;
    }
    let Some(dir) = attr_dir() else { return };
    let file = dir.path().join(".htpasswd");
    add(&file, "alice", true);
    assert!(tool("setfacl", &["-d", "-m", "u:12345:rw"], dir.path()));
    let before = attributes(&file);
    assert!(!before.acl.contains("12345"), "{}", before.acl);
    add(&file, "bob", false);
    assert_eq!(attributes(&file), before);
}

/// A non-root writer may rewrite a file it owns but may not set a `security.*` attribute
/// (root put it there): the write is refused, naming the attribute, the file stays as it was.
#[test]
fn an_attribute_that_cannot_be_kept_refuses_the_write() {
    if !common::need_root(
        &["setfattr", "setpriv"],
        "a non-root writer needs a root-set attribute",
    ) {
        return;
    }
    let Some(dir) = attr_dir() else { return };
    let file = dir.path().join(".htpasswd");
    add(&file, "alice", true);
    let nobody = 65534;
    std::os::unix::fs::chown(dir.path(), Some(nobody), Some(nobody)).unwrap();
    std::os::unix::fs::chown(&file, Some(nobody), Some(nobody)).unwrap();
    assert!(tool(
        "setfattr",
        &["-n", "security.htguard", "-v", "root-only"],
        &file
    ));
    let before = std::fs::read(&file).unwrap();
    let before_attrs = attributes(&file);
    let out = Process::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_htguard"))
        .args(["htpasswd", "-bB", "-C", "4"])
        .arg(&file)
        .args(["bob", "pw"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("security.htguard"),
        "names the attribute: {stderr}"
    );
    assert!(
        stderr.contains("run htguard as root"),
        "says what to do: {stderr}"
    );
    assert!(stderr.contains("was not changed"), "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(attributes(&file), before_attrs);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".htpasswd"], "no temporary file is left");
}

// ---- the web server's user can no longer read the file ----

fn server_user() -> Option<&'static str> {
    ["www-data", "nginx", "apache"].into_iter().find(|name| {
        let c = std::ffi::CString::new(*name).unwrap();
        // SAFETY: getpwnam with a valid C string; only the null-ness of the result is used.
        !unsafe { libc::getpwnam(c.as_ptr()) }.is_null()
    })
}

/// A 0755 directory under /tmp: every server user may pass it.
fn open_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn stderr_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

fn set_password(file: &Path) -> Command {
    let mut cmd = htguard();
    cmd.args(["user", "set"])
        .arg(file)
        .args(["alice", "--stdin", "--cost", "4"])
        .write_stdin("pw\n");
    cmd
}

#[test]
fn a_file_the_server_user_cannot_read_is_warned_about_after_a_write() {
    let Some(www) = server_user() else {
        eprintln!("skipped: no www-data, nginx or apache user on this machine");
        return;
    };
    let dir = open_dir();
    let file: PathBuf = dir.path().join(".htpasswd");
    // Created 0600 (owned by whoever runs the test, never the server user).
    let mut create = htguard();
    create
        .args(["user", "add"])
        .arg(&file)
        .args([
            "alice", "--stdin", "--cost", "4", "--create", "--mode", "0600",
        ])
        .write_stdin("pw\n");
    let warned = stderr_of(&mut create);
    assert!(
        warned.contains("warning:") && warned.contains(www),
        "{warned}"
    );
    assert!(
        warned.contains("mode 0600") && warned.contains("500"),
        "{warned}"
    );

    set_mode(&file, 0o644);
    let quiet = stderr_of(&mut set_password(&file));
    assert!(!quiet.contains("warning"), "0644 is readable: {quiet}");

    // An ACL entry is what lets it read a 0600 file: no warning.
    if common::need(&["setfacl"]) {
        set_mode(&file, 0o600);
        assert!(tool("setfacl", &["-m", &format!("u:{www}:r")], &file));
        let quiet = stderr_of(&mut set_password(&file));
        assert!(
            !quiet.contains("warning"),
            "the ACL lets {www} read: {quiet}"
        );
        assert!(tool("setfacl", &["-b"], &file));
    }

    // A directory it may not enter.
    set_mode(&file, 0o644);
    set_mode(dir.path(), 0o700);
    let blocked = stderr_of(&mut set_password(&file));
    assert!(blocked.contains("may not enter the directory"), "{blocked}");
    set_mode(dir.path(), 0o755);

    // htpasswd and check --fix warn too.
    set_mode(&file, 0o600);
    let mut htpasswd = htguard();
    htpasswd
        .args(["htpasswd", "-bB", "-C", "4"])
        .arg(&file)
        .args(["bob", "pw"]);
    let warned = stderr_of(&mut htpasswd);
    assert!(
        warned.contains("htpasswd: warning:") && warned.contains(www),
        "{warned}"
    );
    let text = std::fs::read(&file).unwrap();
    std::fs::write(&file, text.strip_suffix(b"\n").unwrap()).unwrap();
    let out = htguard()
        .args(["check", "--fix"])
        .arg(&file)
        .output()
        .unwrap();
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(
        warned.contains("Fixed ") && warned.contains("warning:") && warned.contains(www),
        "{warned}"
    );
}
