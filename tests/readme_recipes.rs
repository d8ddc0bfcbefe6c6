//! The CI and deploy recipes of the README ("In CI and before deploy") are commands that
//! work: every `htguard ...` line there parses with htguard's own command-line definitions,
//! the CI lines run on the broken and the healthy Apache sample (exit 1 and 0, output in
//! the format asked for), and the Ansible `validate:` lines accept a good rendered file and
//! refuse a broken one.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// A well-formed cost-10 bcrypt hash.
const GOOD: &str = "$2y$10$EHmfpj/8u3pOadsUYsSFje0UymE3wpSLLOUa0QV7GoA4MIq5dVUzi";

fn section() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("## In CI and before deploy")
        .expect("the README has the section");
    let rest = &readme[start + 3..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

/// Every `htguard SUBCOMMAND ...` command in the section's code blocks, up to a shell
/// operator or a comment.
fn commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("htguard ") {
            // A command starts a line or follows a blank (not `--from=htguard`).
            if i > 0 && !rest[..i].ends_with([' ', '\t']) {
                rest = &rest[i + "htguard ".len()..];
                continue;
            }
            let cmd = &rest[i..];
            let end = [" > ", " && ", " | ", "  #"]
                .iter()
                .filter_map(|op| cmd.find(op))
                .min()
                .unwrap_or(cmd.len());
            out.push(cmd[..end].trim().to_string());
            rest = &cmd[end..];
        }
    }
    out
}

fn words(cmd: &str, file: &str) -> Vec<String> {
    cmd.split_whitespace()
        .map(|w| {
            if w == "%s" {
                file.to_string()
            } else {
                w.to_string()
            }
        })
        .collect()
}

fn run(cwd: &Path, args: &[String]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_htguard"))
        .current_dir(cwd)
        .args(&args[1..])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), stdout)
}

#[test]
fn every_recipe_command_parses() {
    let cmds = commands(&section());
    assert!(cmds.len() >= 6, "found only {cmds:?}");
    for cmd in &cmds {
        let args = words(cmd, "/tmp/ansible-tmp-1234/tmpq1w2e3");
        if let Err(e) = htguard::cli::command().try_get_matches_from(&args) {
            panic!("README recipe `{cmd}` does not parse:\n{e}");
        }
    }
}

#[test]
fn the_ci_recipes_fail_the_broken_sample_and_pass_the_healthy_one() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache");
    let ci: Vec<String> = commands(&section())
        .into_iter()
        .filter(|c| c.contains("--root . "))
        .collect();
    assert!(ci.len() >= 3, "{ci:?}");
    for cmd in &ci {
        let args = words(cmd, "");
        let (code, out) = run(&samples.join("broken"), &args);
        assert_eq!(code, 1, "`{cmd}` on the broken sample:\n{out}");
        if cmd.contains("--format sarif") || cmd.contains("--format gitlab") {
            let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            let n = doc.as_array().map_or_else(
                || doc["runs"][0]["results"].as_array().unwrap().len(),
                Vec::len,
            );
            assert!(n > 0, "`{cmd}`: no findings in {out}");
        }
        if cmd.contains("--format github") {
            assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
        }
        let (code, out) = run(&samples.join("healthy"), &args);
        assert_eq!(code, 0, "`{cmd}` on the healthy sample:\n{out}");
    }
}

#[test]
fn the_ansible_validate_commands_refuse_broken_files() {
    let validate: Vec<String> = commands(&section())
        .into_iter()
        .filter(|c| c.ends_with(" %s"))
        .collect();
    assert_eq!(validate.len(), 2, "{validate:?}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let users = dir.path().join("shop.htpasswd");
    std::fs::write(&users, format!("alice:{GOOD}\n")).unwrap();
    let vhost = |extra: &str| {
        format!(
            "<VirtualHost *:443>\n  <Directory {}/www>\n    AuthType Basic\n    AuthName \"Shop\"\n    AuthUserFile {}\n{extra}    Require valid-user\n  </Directory>\n</VirtualHost>\n",
            dir.path().display(),
            users.display()
        )
    };
    // (kind named in the recipe, broken rendering, good rendering)
    let cases = [
        (
            "apache-snippet",
            vhost("    Require all granted\n"),
            vhost(""),
        ),
        (
            "htpasswd",
            "alice:$apr1$abc\n".to_string(),
            format!("alice:{GOOD}\n"),
        ),
    ];
    for (kind, broken, good) in cases {
        let cmd = validate
            .iter()
            .find(|c| c.contains(&format!("--kind {kind} ")))
            .unwrap_or_else(|| panic!("no validate recipe for {kind}"));
        // Ansible's temporary file: a random name that says nothing about its kind.
        let tmp = dir.path().join("tmpk3j9x2");
        for (text, want) in [(&broken, 1), (&good, 0)] {
            std::fs::write(&tmp, text).unwrap();
            let (code, out) = run(dir.path(), &words(cmd, tmp.to_str().unwrap()));
            assert_eq!(code, want, "`{cmd}` on\n{text}\n{out}");
        }
    }
}
