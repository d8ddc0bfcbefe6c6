//! The `htguard-check` hook of `.pre-commit-hooks.yaml`, run by the real pre-commit tool in
//! a temporary git repository: a commit of files the hook does not match skips it, a
//! commit with a broken password file fails, and the fixed file commits.
//!
//! pre-commit comes from PATH, or, under `scripts/test` (HTGUARD_REQUIRE_SERVERS set), is
//! installed from PyPI into a temporary virtualenv; plain `cargo test` without it skips.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const PRE_COMMIT_VERSION: &str = "4.7.0";
/// A well-formed cost-10 bcrypt hash.
const GOOD: &str = "$2y$10$EHmfpj/8u3pOadsUYsSFje0UymE3wpSLLOUa0QV7GoA4MIq5dVUzi";

fn required() -> bool {
    std::env::var_os("HTGUARD_REQUIRE_SERVERS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// (success, stdout + stderr)
fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn ok(cmd: &mut Command) -> String {
    let (success, text) = run(cmd);
    assert!(success, "{cmd:?} failed:\n{text}");
    text
}

/// The pre-commit on PATH, or one installed into `venv` (scripts/test only).
fn pre_commit(venv: &Path) -> Option<PathBuf> {
    if let Some(p) = common::find_tool("pre-commit") {
        return Some(p);
    }
    if !required() {
        eprintln!("skipped: no pre-commit on PATH (scripts/test installs one into a virtualenv)");
        return None;
    }
    if !common::need(&["python3"]) {
        return None;
    }
    ok(Command::new("python3").args(["-m", "venv"]).arg(venv));
    ok(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("pre-commit=={PRE_COMMIT_VERSION}"),
    ]));
    Some(venv.join("bin/pre-commit"))
}

/// git with a fixed identity and no user or system configuration, and the htguard under
/// test first on PATH (the hook's `language: system` runs `htguard` from PATH).
fn git(dir: &Path, home: &Path) -> Command {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_htguard")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("PATH", path)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

#[test]
fn the_hook_fails_a_broken_commit_and_passes_the_fixed_one() {
    if !common::need(&["git"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // The hook checks that the web server's user can read the files: 0755 directories.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(pre_commit) = pre_commit(&tmp.path().join("venv")) else {
        return;
    };
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("gitconfig"), "[init]\n\tdefaultBranch = main\n").unwrap();

    // A hook repository holding this project's .pre-commit-hooks.yaml, committed.
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    std::fs::copy(&manifest, hooks.join(".pre-commit-hooks.yaml")).unwrap();
    ok(git(&hooks, &home).arg("init").arg("-q"));
    ok(git(&hooks, &home).args(["add", "."]));
    ok(git(&hooks, &home).args(["commit", "-qm", "hooks"]));
    let rev = ok(git(&hooks, &home).args(["rev-parse", "HEAD"]));

    // A site repository laid out as a root filesystem, using the hook.
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    ok(git(&site, &home).arg("init").arg("-q"));
    write(
        &site,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: htguard-check\n        args: [--root, .]\n",
            hooks.display(),
            rev.trim()
        ),
    );
    ok(Command::new(&pre_commit)
        .current_dir(&site)
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .arg("install"));
    let commit = |message: &str| run(git(&site, &home).args(["commit", "-m", message]));

    // Files the hook does not match (one of them a .conf outside any server directory).
    write(&site, "README.md", "# the shop\n");
    write(
        &site,
        "supervisor.conf",
        "[program:shop]\ncommand=/bin/true\n",
    );
    ok(git(&site, &home).args(["add", "."]));
    let (passed, out) = commit("docs");
    assert!(passed, "{out}");
    assert!(
        out.contains("htguard check") && out.contains("Skipped"),
        "{out}"
    );

    // A site file and a password file with a malformed hash: the commit is refused.
    write(
        &site,
        "etc/nginx/sites-enabled/shop",
        "server {\n    listen 443 ssl;\n    location /admin/ {\n        auth_basic \"Admin\";\n        auth_basic_user_file /etc/nginx/.htpasswd;\n    }\n}\n",
    );
    write(&site, "etc/nginx/.htpasswd", "alice:$apr1$abc\n");
    ok(git(&site, &home).args(["add", "."]));
    let (passed, out) = commit("admin area");
    assert!(!passed, "the broken commit went through:\n{out}");
    assert!(out.contains("Failed") && out.contains("PW001"), "{out}");
    assert!(out.contains("etc/nginx/.htpasswd"), "{out}");
    let (_, log) = run(git(&site, &home).args(["log", "--oneline"]));
    assert_eq!(log.lines().count(), 1, "{log}");

    // Fixed: the commit goes through, the hook ran and passed.
    write(&site, "etc/nginx/.htpasswd", &format!("alice:{GOOD}\n"));
    ok(git(&site, &home).args(["add", "."]));
    let (passed, out) = commit("admin area");
    assert!(passed, "the fixed commit was refused:\n{out}");
    assert!(
        out.contains("htguard check") && out.contains("Passed"),
        "{out}"
    );
}
