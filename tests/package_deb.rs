//! The Debian package, end to end: `scripts/package` builds it (release build, man pages
//! and completions from the binary, cargo-deb), `dpkg -i` installs it on this machine, and
//! the installed binary, man pages and bash completion work.
//!
//! It builds a release binary and installs a package into /usr, so it runs only under
//! `scripts/test` (which sets HTGUARD_REQUIRE_SERVERS and installs man-db and dpkg-dev);
//! plain `cargo test` skips it. The package is removed afterwards unless it was installed
//! before the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .env("MANWIDTH", "100")
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn ok(program: &str, args: &[&str]) -> String {
    let (success, text) = run(program, args);
    assert!(success, "{program} {args:?} failed:\n{text}");
    text
}

/// Removes the package again if the test installed it.
struct Installed {
    was_there: bool,
}

impl Drop for Installed {
    fn drop(&mut self) {
        if !self.was_there {
            let _ = run("dpkg", &["--remove", "htguard"]);
        }
    }
}

fn build_package(repo: &Path) -> PathBuf {
    // The package's contents and install are under test, not the release profile's
    // optimisations: a fat-LTO, one-codegen-unit build costs this test most of its time
    // (about 9 of 10 minutes on a loaded 2-core machine), so the test builds without them.
    let out = Command::new(repo.join("scripts/package"))
        .current_dir(repo)
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .output()
        .expect("run scripts/package");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "scripts/package failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default().trim();
    let deb = repo.join(last);
    assert!(
        last.ends_with(".deb") && deb.is_file(),
        "no .deb named on the last line:\n{stdout}\n{stderr}"
    );
    deb
}

#[test]
fn the_debian_package_installs_and_its_binary_pages_and_completion_work() {
    if std::env::var_os("HTGUARD_REQUIRE_SERVERS").is_none_or(|v| v.is_empty() || v == "0") {
        eprintln!(
            "skipped: builds a release and installs a package into /usr; scripts/test runs it"
        );
        return;
    }
    let tools = ["dpkg", "dpkg-deb", "dpkg-shlibdeps", "man", "bash", "gzip"];
    if !common::need_root(&tools, "dpkg -i installs the package into /usr") {
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deb = build_package(repo);
    let deb = deb.to_str().unwrap();

    let contents = ok("dpkg-deb", &["--contents", deb]);
    for path in [
        "./usr/bin/htguard",
        "./usr/share/man/man1/htguard.1.gz",
        "./usr/share/man/man1/htguard-check.1.gz",
        "./usr/share/man/man1/htguard-user-add.1.gz",
        "./usr/share/man/man1/htguard-group.1.gz",
        "./usr/share/bash-completion/completions/htguard",
        "./usr/share/zsh/vendor-completions/_htguard",
        "./usr/share/fish/vendor_completions.d/htguard.fish",
        "./usr/share/doc/htguard/README.md.gz",
        "./usr/share/doc/htguard/changelog.gz",
        "./usr/share/doc/htguard/copyright",
    ] {
        assert!(
            contents.contains(path),
            "{path} is not in the package:\n{contents}"
        );
    }
    let control = ok("dpkg-deb", &["--field", deb, "Depends"]);
    assert!(control.contains("libc6"), "Depends: {control}");

    let (was_there, _) = run("dpkg-query", &["--show", "htguard"]);
    let _installed = Installed { was_there };
    // Minimal images exclude /usr/share/man and /usr/share/doc in dpkg.cfg.d; a later
    // --path-include on the command line takes precedence for this package's files.
    ok(
        "dpkg",
        &[
            "--path-include=/usr/share/man/man1/htguard*",
            "--path-include=/usr/share/doc/htguard/*",
            "-i",
            deb,
        ],
    );

    let version = ok("/usr/bin/htguard", &["--version"]);
    assert_eq!(
        version.trim(),
        format!("htguard {}", env!("CARGO_PKG_VERSION"))
    );
    let page = ok("man", &["-w", "htguard"]);
    assert_eq!(page.trim(), "/usr/share/man/man1/htguard.1.gz");
    let check = ok("man", &["-P", "cat", "htguard-check"]);
    for text in [
        "EXIT STATUS",
        "EXAMPLES",
        "--fail-on",
        "htguard check --diff /etc/apache2",
    ] {
        assert!(
            check.contains(text),
            "`man htguard-check` lacks {text:?}:\n{check}"
        );
    }

    // The bash completion loads and completes subcommands and their options.
    let script = r#"
        source /usr/share/bash-completion/completions/htguard
        complete -p htguard
        COMP_WORDS=(htguard gr); COMP_CWORD=1; _htguard htguard gr htguard
        echo "subcommands: ${COMPREPLY[*]}"
        COMP_WORDS=(htguard check --form); COMP_CWORD=2; _htguard htguard --form check
        echo "options: ${COMPREPLY[*]}"
    "#;
    let out = ok("bash", &["-c", script]);
    assert!(out.contains("-F _htguard htguard"), "{out}");
    assert!(out.contains("subcommands: group"), "{out}");
    assert!(out.contains("options: --format"), "{out}");

    // The installed binary does its job.
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.htpasswd");
    std::fs::write(&users, "alice:$apr1$abc\n").unwrap();
    let (clean, report) = run("/usr/bin/htguard", &["check", users.to_str().unwrap()]);
    assert!(!clean && report.contains("alice"), "{report}");
}
