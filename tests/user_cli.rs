//! `htguard user ...` and `htguard hash` end to end: exit codes, refusals, byte-exact edits,
//! digest files, rotate, import, and interop with Apache's `htpasswd -v`.

mod common;

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn htguard() -> &'static str {
    env!("CARGO_BIN_EXE_htguard")
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(htguard())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start htguard");
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("wait")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    fn s(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

/// Apache's own check of a hash in a file.
fn apache_verifies(file: &Path, user: &str, password: &str) -> bool {
    Command::new("htpasswd")
        .arg("-vb")
        .arg(file)
        .arg(user)
        .arg(password)
        .output()
        .expect("htpasswd (apache2-utils) is installed by scripts/test")
        .status
        .success()
}

#[test]
fn add_set_delete_verify_and_their_exit_codes() {
    let d = Dir::new();
    let f = d.s("users");
    let o = run(&["user", "add", &f, "alice", "--stdin"], "pw1\n");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("does not exist; use --create"),
        "{}",
        stderr(&o)
    );
    assert!(!d.path("users").exists());

    let o = run(
        &[
            "user", "add", &f, "alice", "--stdin", "--create", "--cost", "4",
        ],
        "pw1\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::metadata(d.path("users")).unwrap().mode() & 0o777,
        0o640
    );
    let o = run(&["user", "add", &f, "alice", "--stdin"], "pw2\n");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("use `set`"), "{}", stderr(&o));

    let o = run(&["user", "set", &f, "bob", "--stdin"], "pw2\n");
    assert_eq!(code(&o), 2, "set refuses a missing user");
    assert!(stderr(&o).contains("bob"), "{}", stderr(&o));
    assert!(stderr(&o).contains("set --create"), "{}", stderr(&o));
    let o = run(
        &[
            "user", "set", &f, "bob", "--stdin", "--create", "--cost", "4",
        ],
        "pw2\n",
    );
    assert_eq!(code(&o), 0, "set --create adds: {}", stderr(&o));
    let o = run(
        &["user", "set", &f, "alice", "--stdin", "--cost", "4"],
        "new\r\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    assert_eq!(
        code(&run(&["user", "verify", &f, "alice", "--stdin"], "new\n")),
        0
    );
    assert_eq!(
        code(&run(&["user", "verify", &f, "alice", "--stdin"], "pw1\n")),
        1
    );
    assert_eq!(
        code(&run(&["user", "verify", &f, "carol", "--stdin"], "x\n")),
        1
    );
    let o = run(&["user", "verify", &d.s("nope"), "alice", "--stdin"], "x\n");
    assert_eq!(code(&o), 2);

    assert_eq!(code(&run(&["user", "delete", &f, "bob"], "")), 0);
    let o = run(&["user", "delete", &f, "bob"], "");
    assert_eq!(code(&o), 1, "deleting an absent user exits 1");
    assert!(stderr(&o).contains("not found"));
    let text = std::fs::read_to_string(d.path("users")).unwrap();
    assert!(
        text.starts_with("alice:$2y$04$") && !text.contains("bob"),
        "{text}"
    );
}

#[test]
fn passwords_never_come_from_argv() {
    let d = Dir::new();
    let o = run(
        &["user", "add", &d.s("f"), "alice", "secret", "--create"],
        "",
    );
    assert_eq!(code(&o), 2);
    assert!(!d.path("f").exists());
    let o = run(&["user", "add", &d.s("f"), "alice", "--create"], "");
    assert_eq!(code(&o), 2, "no terminal and no --stdin: refused");
    assert!(stderr(&o).contains("--stdin"), "{}", stderr(&o));
}

#[test]
fn empty_and_invalid_input_is_refused() {
    let d = Dir::new();
    let f = d.s("f");
    let o = run(&["user", "add", &f, "alice", "--stdin", "--create"], "\n");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("empty password"));
    for bad in ["a:b", "#x", " lead"] {
        let o = run(&["user", "add", &f, bad, "--stdin", "--create"], "pw\n");
        assert_eq!(code(&o), 2, "user {bad:?}: {}", stderr(&o));
    }
    assert!(!d.path("f").exists());
}

#[test]
fn crlf_file_gets_a_crlf_line_and_other_bytes_stay() {
    let d = Dir::new();
    let original = b"# team\r\nalice:$apr1$abcdefgh$0123456789abcdefghijkl\r\n\r\n";
    std::fs::write(d.path("f"), original).unwrap();
    let o = run(
        &["user", "add", &d.s("f"), "bob", "--stdin", "--cost", "4"],
        "pw\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let now = std::fs::read(d.path("f")).unwrap();
    assert!(now.starts_with(original));
    let added = &now[original.len()..];
    assert!(added.starts_with(b"bob:$2y$04$") && added.ends_with(b"\r\n"));
    assert_eq!(added.iter().filter(|&&b| b == b'\n').count(), 1);
}

#[test]
fn file_without_final_newline_is_not_glued() {
    let d = Dir::new();
    let original = b"alice:$apr1$abcdefgh$0123456789abcdefghijkl";
    std::fs::write(d.path("f"), original).unwrap();
    let o = run(
        &["user", "add", &d.s("f"), "bob", "--stdin", "--cost", "4"],
        "pw\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let now = std::fs::read_to_string(d.path("f")).unwrap();
    let lines: Vec<&str> = now.lines().collect();
    assert_eq!(lines[0].as_bytes(), original);
    assert!(lines[1].starts_with("bob:$2y$"));
    assert_eq!(lines.len(), 2);
}

#[test]
fn changing_one_user_leaves_every_other_byte() {
    let d = Dir::new();
    let original =
        "# c\nalice:$apr1$abcdefgh$0123456789abcdefghijkl\nbob:OLDHASH:comment\n\ncarol:x\n";
    std::fs::write(d.path("f"), original).unwrap();
    let o = run(
        &["user", "set", &d.s("f"), "bob", "--stdin", "--cost", "4"],
        "pw\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let now = std::fs::read_to_string(d.path("f")).unwrap();
    let (before, after) = original.split_once("OLDHASH").unwrap();
    assert!(now.starts_with(before), "{now}");
    assert!(now.ends_with(after), "{now}");
    let hash = &now[before.len()..now.len() - after.len()];
    assert!(hash.starts_with("$2y$04$") && hash.len() == 60, "{hash}");
}

#[test]
fn digest_files_take_a_realm_and_refuse_basic_operations() {
    let d = Dir::new();
    let f = d.s("digest");
    let o = run(
        &[
            "user", "add", &f, "alice", "--realm", "Private", "--stdin", "--create",
        ],
        "secret\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(d.path("digest")).unwrap();
    let expected = format!("{:x}", md5::compute("alice:Private:secret"));
    assert_eq!(text, format!("alice:Private:{expected}\n"));
    let ok = run(
        &[
            "user", "verify", &f, "alice", "--realm", "Private", "--stdin",
        ],
        "secret\n",
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let bad = run(
        &["user", "verify", &f, "alice", "--realm", "Other", "--stdin"],
        "secret\n",
    );
    assert_eq!(code(&bad), 1);

    // Basic operations on a digest file, and digest ones on a basic file, are refused.
    let o = run(&["user", "add", &f, "bob", "--stdin"], "pw\n");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("htdigest"), "{}", stderr(&o));
    let o = run(&["user", "verify", &f, "alice", "--stdin"], "secret\n");
    assert_eq!(code(&o), 2);
    let basic = d.path("basic");
    std::fs::write(&basic, "alice:$apr1$abcdefgh$0123456789abcdefghijkl\n").unwrap();
    let o = run(
        &[
            "user",
            "add",
            &basic.display().to_string(),
            "bob",
            "--realm",
            "R",
            "--stdin",
        ],
        "pw\n",
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("htpasswd file"), "{}", stderr(&o));
    assert_eq!(
        code(&run(
            &["user", "delete", &f, "alice", "--realm", "Private"],
            ""
        )),
        0
    );
}

#[test]
fn create_mode_is_configurable() {
    let d = Dir::new();
    let o = run(
        &[
            "user",
            "add",
            &d.s("f"),
            "u",
            "--stdin",
            "--create",
            "--mode",
            "0600",
            "--cost",
            "4",
        ],
        "pw\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::metadata(d.path("f")).unwrap().mode() & 0o777,
        0o600
    );
}

#[test]
fn generate_prints_the_password_once_and_it_works() {
    let d = Dir::new();
    let f = d.s("f");
    let o = run(
        &[
            "user",
            "add",
            &f,
            "u",
            "--generate=24",
            "--create",
            "--cost",
            "4",
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let password = stdout(&o).trim_end().to_string();
    assert_eq!(password.len(), 24);
    assert!(
        !stderr(&o).contains(&password),
        "the password is printed once, on stdout"
    );
    let v = run(
        &["user", "verify", &f, "u", "--stdin"],
        &format!("{password}\n"),
    );
    assert_eq!(code(&v), 0);
}

#[test]
fn weak_schemes_and_truncation_warn() {
    let d = Dir::new();
    let f = d.s("f");
    let o = run(
        &[
            "user", "add", &f, "a", "--stdin", "--create", "--scheme", "sha1",
        ],
        "pw\n",
    );
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("use bcrypt"), "{}", stderr(&o));
    let o = run(
        &["user", "add", &f, "b", "--stdin", "--scheme", "crypt"],
        "123456789\n",
    );
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("first 8"), "{}", stderr(&o));
    let long = "x".repeat(80);
    let o = run(
        &["user", "add", &f, "c", "--stdin", "--cost", "4"],
        &format!("{long}\n"),
    );
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("first 72"), "{}", stderr(&o));
    let o = run(&["user", "add", &f, "d", "--stdin", "--cost", "3"], "pw\n");
    assert_eq!(code(&o), 2, "cost out of range");
    assert!(stderr(&o).contains("between 4 and 31"), "{}", stderr(&o));
}

#[test]
fn list_shows_schemes_but_never_hashes() {
    let d = Dir::new();
    let f = d.s("f");
    for (u, scheme) in [
        ("a", "bcrypt"),
        ("b", "sha512"),
        ("c", "apr1"),
        ("d", "sha1"),
    ] {
        let o = run(
            &[
                "user", "add", &f, u, "--stdin", "--create", "--scheme", scheme,
            ],
            "pw\n",
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let text = std::fs::read_to_string(d.path("f")).unwrap();
    for format in ["human", "json"] {
        let o = run(&["user", "list", &f, "--format", format], "");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = stdout(&o);
        for line in text.lines() {
            let hash = line.split_once(':').unwrap().1;
            let tail = &hash[hash.len() - 12..];
            assert!(!out.contains(tail), "{format} output leaks a hash: {out}");
        }
        assert!(out.contains("bcrypt") && out.contains("sha512"), "{out}");
    }
    let o = run(&["user", "list", &f, "--format", "json"], "");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["user"], "a");
    assert_eq!(rows[0]["cost"], 10);
    assert_eq!(rows[3]["strength"], "weak");
}

#[test]
fn rotate_is_all_or_nothing_and_writes_a_0600_file() {
    let d = Dir::new();
    let f = d.s("f");
    for u in ["a", "b", "c"] {
        let o = run(
            &["user", "add", &f, u, "--stdin", "--create", "--cost", "4"],
            "old\n",
        );
        assert_eq!(code(&o), 0);
    }
    let before = std::fs::read(d.path("f")).unwrap();
    // One unknown user: nothing changes, no credentials file.
    let creds = d.s("creds");
    let o = run(&["user", "rotate", &f, "a", "zed", "--output", &creds], "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("zed"), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.path("f")).unwrap(), before);
    assert!(!d.path("creds").exists());

    let o = run(
        &[
            "user", "rotate", &f, "--all", "--length", "16", "--scheme", "sha512", "--output",
            &creds,
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "passwords go to the file only");
    assert_eq!(
        std::fs::metadata(d.path("creds")).unwrap().mode() & 0o777,
        0o600
    );
    let lines = std::fs::read_to_string(d.path("creds")).unwrap();
    assert_eq!(lines.lines().count(), 3);
    for line in lines.lines() {
        let (user, password) = line.split_once(':').unwrap();
        assert_eq!(password.len(), 16);
        let v = run(
            &["user", "verify", &f, user, "--stdin"],
            &format!("{password}\n"),
        );
        assert_eq!(code(&v), 0, "{user}");
    }
    // An existing --output file is never overwritten.
    let o = run(&["user", "rotate", &f, "a", "--output", &creds], "");
    assert_eq!(code(&o), 2);

    // --weak picks only the weak entries; to stdout.
    let o = run(
        &["user", "add", &f, "w", "--stdin", "--scheme", "sha1"],
        "pw\n",
    );
    assert_eq!(code(&o), 0);
    let o = run(&["user", "rotate", &f, "--weak", "--cost", "4"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("w:"));
}

/// Counts how many times a file name is renamed into a directory (each atomic write is one).
struct RenameCounter {
    fd: i32,
}

impl RenameCounter {
    fn watch(dir: &Path) -> RenameCounter {
        let c = std::ffi::CString::new(dir.display().to_string()).unwrap();
        // SAFETY: plain inotify calls on a fresh descriptor.
        unsafe {
            let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
            assert!(fd >= 0);
            assert!(libc::inotify_add_watch(fd, c.as_ptr(), libc::IN_MOVED_TO) >= 0);
            RenameCounter { fd }
        }
    }
    fn count(&self, name: &str) -> usize {
        let mut buf = vec![0u8; 1 << 16];
        let mut n = 0;
        loop {
            // SAFETY: reading into our own buffer.
            let len = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if len <= 0 {
                return n;
            }
            let mut off = 0usize;
            while off < len as usize {
                // SAFETY: the kernel wrote whole inotify_event records.
                let ev = unsafe { &*(buf.as_ptr().add(off) as *const libc::inotify_event) };
                let name_bytes =
                    &buf[off + std::mem::size_of::<libc::inotify_event>()..][..ev.len as usize];
                let ev_name = name_bytes.split(|&b| b == 0).next().unwrap_or_default();
                if ev_name == name.as_bytes() {
                    n += 1;
                }
                off += std::mem::size_of::<libc::inotify_event>() + ev.len as usize;
            }
        }
    }
}

impl Drop for RenameCounter {
    fn drop(&mut self) {
        // SAFETY: closing our descriptor.
        unsafe {
            libc::close(self.fd);
        }
    }
}

#[test]
fn import_of_10000_users_is_one_write() {
    let d = Dir::new();
    let f = d.path("f");
    std::fs::write(&f, "existing:$apr1$abcdefgh$0123456789abcdefghijkl\n").unwrap();
    let ino_before = std::fs::metadata(&f).unwrap().ino();
    let mut input = String::from("user,password\n");
    for i in 0..10_000 {
        input.push_str(&format!("user{i},pass{i}\n"));
    }
    std::fs::write(d.path("in.csv"), &input).unwrap();
    let watch = RenameCounter::watch(d.tmp.path());
    let o = run(
        &[
            "user",
            "import",
            &d.s("f"),
            &d.s("in.csv"),
            "--scheme",
            "apr1",
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        watch.count("f"),
        1,
        "exactly one atomic replace of the file"
    );
    assert_ne!(std::fs::metadata(&f).unwrap().ino(), ino_before);
    let text = std::fs::read_to_string(&f).unwrap();
    assert_eq!(text.lines().count(), 10_001);
    assert!(text.starts_with("existing:"));
    let v = run(
        &["user", "verify", &d.s("f"), "user9999", "--stdin"],
        "pass9999\n",
    );
    assert_eq!(code(&v), 0);

    // A second import that collides with one user changes nothing.
    let before = std::fs::read(&f).unwrap();
    let o = run(&["user", "import", &d.s("f"), "-"], "new1:a\nuser5:b\n");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("user5") && stderr(&o).contains("--replace"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&f).unwrap(), before);
    let o = run(
        &["user", "import", &d.s("f"), "-", "--replace", "--cost", "4"],
        "new1:a\nuser5:b\n",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        code(&run(
            &["user", "verify", &d.s("f"), "user5", "--stdin"],
            "b\n"
        )),
        0
    );
}

#[test]
fn hash_prints_a_ready_line() {
    let o = run(&["hash", "alice", "--stdin", "--scheme", "sha512"], "pw\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let line = stdout(&o);
    assert!(
        line.starts_with("alice:$6$") && line.ends_with('\n'),
        "{line}"
    );
    let o = run(&["hash", "alice", "--stdin", "--realm", "R"], "pw\n");
    assert_eq!(
        stdout(&o),
        format!("alice:R:{:x}\n", md5::compute("alice:R:pw"))
    );
}

#[test]
fn every_scheme_we_write_is_accepted_by_apache_htpasswd() {
    if !common::need(&["htpasswd"]) {
        return;
    }
    let d = Dir::new();
    let f = d.s("f");
    let schemes: &[(&str, &[&str])] = &[
        ("bcrypt", &["--cost", "5"]),
        ("bcrypt", &[]),
        ("sha512", &[]),
        ("sha512", &["--rounds", "10000"]),
        ("sha256", &["--rounds", "1000"]),
        ("apr1", &[]),
        ("md5-crypt", &[]),
        ("crypt", &[]),
        ("sha1", &[]),
    ];
    for (i, (scheme, extra)) in schemes.iter().enumerate() {
        let user = format!("u{i}");
        let password = format!("Pw{i}-é:x");
        let mut args = vec![
            "user", "add", &f, &user, "--stdin", "--create", "--scheme", scheme,
        ];
        args.extend_from_slice(extra);
        let o = run(&args, &format!("{password}\n"));
        assert_eq!(code(&o), 0, "{scheme}: {}", stderr(&o));
        assert!(
            apache_verifies(&d.path("f"), &user, &password),
            "htpasswd -v rejects our {scheme} {extra:?} hash"
        );
        assert!(!apache_verifies(&d.path("f"), &user, "wrong"));
    }
    std::fs::set_permissions(d.path("f"), std::fs::Permissions::from_mode(0o644)).unwrap();
}
