//! Crash safety of writes: a writer killed at any point leaves the old or the new file,
//! never a partial one; a write that fails (no permission, immutable directory, file-size
//! limit) leaves the original byte-identical and exits 2 with a message naming the cause.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn htguard() -> &'static str {
    env!("CARGO_BIN_EXE_htguard")
}

/// A file big enough that writing it takes a measurable time, so kills land mid-write.
fn big_file(dir: &Path, users: usize) -> (PathBuf, Vec<u8>) {
    let mut text = Vec::new();
    for i in 0..users {
        writeln!(
            text,
            "user{i:06}:$2y$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
        )
        .unwrap();
    }
    let path = dir.join(".htpasswd");
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

fn add_command(file: &Path, user: &str) -> Command {
    let mut cmd = Command::new(htguard());
    cmd.args(["user", "add"])
        .arg(file)
        .arg(user)
        .args(["--stdin", "--cost", "4"]);
    cmd
}

fn run_with_password(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start htguard");
    child.stdin.take().unwrap().write_all(b"secret\n").unwrap();
    child.wait_with_output().expect("wait")
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n.max(1)
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".htguard-tmp"))
        .collect()
}

/// Every line is a complete `user:hash` record.
fn assert_lines_valid(bytes: &[u8]) {
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "file ends mid-line"
    );
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let line = std::str::from_utf8(line).expect("utf-8 line");
        let (user, hash) = line.split_once(':').expect("user:hash");
        assert!(!user.is_empty(), "empty user in {line:?}");
        assert!(
            hash.starts_with("$2y$") && hash.len() == 60,
            "partial hash in {line:?}"
        );
    }
}

#[test]
fn killed_writers_never_leave_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let (file, original) = big_file(dir.path(), 60_000);
    // How long one full write takes: kills are spread over that window.
    let start = Instant::now();
    let out = run_with_password(add_command(&file, "probe"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = start.elapsed();
    std::fs::write(&file, &original).unwrap();

    let (mut old, mut new, mut left_temp) = (0, 0, 0);
    for round in 0..80 {
        let user = format!("new{round:03}");
        let mut child = add_command(&file, &user)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"secret\n").unwrap();
        // Most kills aim at the end of the run, where the temporary file is written.
        let window = full.as_micros() as u64;
        let delay = if round % 4 == 0 {
            random_below(window)
        } else {
            window / 2 + random_below(window * 3 / 5)
        };
        std::thread::sleep(Duration::from_micros(delay));
        // Half SIGKILL (uncatchable), half SIGTERM (the temp file must be cleaned up).
        let signal = if round % 2 == 0 {
            libc::SIGKILL
        } else {
            libc::SIGTERM
        };
        // SAFETY: signalling our own child by pid.
        unsafe {
            libc::kill(child.id() as i32, signal);
        }
        let status = child.wait().unwrap();
        let now = std::fs::read(&file).unwrap();
        if now == original {
            old += 1;
        } else {
            new += 1;
            assert!(
                now.starts_with(&original),
                "round {round}: the old content changed"
            );
            let added = &now[original.len()..];
            assert!(
                added.starts_with(format!("{user}:").as_bytes()),
                "round {round}: unexpected addition {:?}",
                String::from_utf8_lossy(added)
            );
            assert_eq!(added.iter().filter(|&&b| b == b'\n').count(), 1);
            std::fs::write(&file, &original).unwrap();
        }
        assert_lines_valid(&now);
        let temps = temp_files(dir.path());
        if signal == libc::SIGTERM {
            assert!(
                temps.is_empty(),
                "round {round}: SIGTERM left {temps:?} (status {status:?})"
            );
        }
        left_temp += temps.len();
        for t in temps {
            let _ = std::fs::remove_file(dir.path().join(t));
        }
    }
    println!(
        "80 killed writers (full write {:?}): {old} left the old file, {new} the new file, \
         {left_temp} temporary files left by SIGKILL, 0 partial files",
        full
    );
}

fn assert_refused(out: &Output, file: &Path, original: &[u8], cause: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains(&file.display().to_string()),
        "message names the file: {stderr}"
    );
    assert!(stderr.contains(cause), "message says {cause:?}: {stderr}");
    assert!(stderr.contains("was not changed"), "{stderr}");
    assert_eq!(std::fs::read(file).unwrap(), original, "original changed");
    let dir = file.parent().unwrap();
    assert!(temp_files(dir).is_empty(), "temporary file left behind");
}

#[test]
fn file_size_limit_leaves_the_original_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (file, original) = big_file(dir.path(), 400); // ~28 KB
    // `ulimit -f 8`: 8 blocks (4 KiB in dash's 512-byte units, 8 KiB in bash's) < the file.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -f 8 && exec \"$0\" user add \"$1\" newuser --stdin --cost 4")
        .arg(htguard())
        .arg(&file);
    let out = run_with_password(cmd);
    assert_refused(&out, &file, &original, "ulimit -f");
}

/// Runs `f` with `chattr +i` on `dir`, always removing the attribute afterwards.
struct Immutable<'a>(&'a Path);

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(self.0).status();
    }
}

#[test]
fn immutable_directory_stops_even_root_and_leaves_the_original_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (file, original) = big_file(dir.path(), 10);
    let ok = Command::new("chattr")
        .arg("+i")
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("chattr +i is not supported here; the nobody test below covers refusal");
        return;
    }
    let _guard = Immutable(dir.path());
    let out = run_with_password(add_command(&file, "newuser"));
    assert_refused(&out, &file, &original, "immutable");
}

/// A directory the writer may not write to. As root that needs another user: the child runs
/// as `nobody` through setpriv (util-linux) when we are root.
#[test]
fn read_only_directory_leaves_the_original_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (file, original) = big_file(dir.path(), 10);
    // The file itself is writable by anyone; the directory is not.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let cmd = if root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            htguard(),
            "user",
            "add",
        ])
        .arg(&file)
        .args(["newuser", "--stdin", "--cost", "4"]);
        c
    } else {
        add_command(&file, "newuser")
    };
    let out = run_with_password(cmd);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_refused(&out, &file, &original, "Permission denied");
}

/// Writers SIGKILLed while their temporary file exists leave it behind (SIGKILL cannot be
/// caught); the next writer, holding the lock, removes it. The target is always the old or
/// the new file.
#[test]
fn temp_files_of_killed_writers_are_removed_by_the_next_writer() {
    let dir = tempfile::tempdir().unwrap();
    let (file, original) = big_file(dir.path(), 60_000);
    let mut hits = 0;
    for round in 0..12 {
        let user = format!("killed{round:02}");
        let mut child = add_command(&file, &user)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"secret\n").unwrap();
        // Kill as soon as this writer has begun writing its temporary file (it removes
        // stale ones just before): mid-write.
        let before = temp_files(dir.path());
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            let writing = temp_files(dir.path()).iter().any(|t| {
                !before.contains(t)
                    && std::fs::metadata(dir.path().join(t)).is_ok_and(|m| m.len() > 0)
            });
            if writing {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        // SAFETY: signalling our own child by pid.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        child.wait().unwrap();
        let now = std::fs::read(&file).unwrap();
        if now != original {
            let added = now.strip_prefix(&original[..]).expect("old content kept");
            assert!(added.starts_with(format!("{user}:").as_bytes()));
            std::fs::write(&file, &original).unwrap();
        }
        assert_lines_valid(&now);
        let temps = temp_files(dir.path());
        // Each writer removed the one its killed predecessor left: never more than one.
        assert!(temps.len() <= 1, "round {round}: {temps:?}");
        hits += temps.len();
    }
    assert!(hits > 0, "no kill landed while a temporary file existed");
    let out = run_with_password(add_command(&file, "survivor"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        temp_files(dir.path()),
        Vec::<String>::new(),
        "the normal write cleaned up"
    );
    let now = std::fs::read(&file).unwrap();
    assert!(now.starts_with(&original) && now.ends_with(b"\n"));
    assert_lines_valid(&now);
    println!(
        "12 writers SIGKILLed mid-write left {hits} temporary files; the next writer removed them"
    );
}
