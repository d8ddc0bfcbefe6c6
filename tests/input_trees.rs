//! Real trees: Debian's stock /etc/apache2 and /etc/nginx (as installed on this machine)
//! in a root filesystem beside an application (PHP, JS, CSS/SCSS, JSON, images) under
//! /usr/share and /var/www. htguard reads what the servers read: findings only in
//! config and password files, and every stock config file named on its own is checked
//! (never "cannot tell what kind of file", exit 2).

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        let meta = fs::metadata(e.path());
        match meta {
            Ok(m) if m.is_dir() => copy_tree(&e.path(), &target),
            Ok(m) if m.is_file() => {
                fs::copy(e.path(), &target).unwrap();
            }
            _ => {}
        }
    }
}

/// Files an application leaves beside the configs, each once in /usr/share/app and once
/// in the document root.
fn application_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "index.php",
            b"<?php\nrequire 'wp-load.php';\nserver();\nreturn;\n".to_vec(),
        ),
        (
            "inc/settings.php",
            b"$config = [];\n$config['db'] = 'x';\nreturn $config;\n".to_vec(),
        ),
        (
            "js/app.js",
            b"function f() {\n  return 1;\n}\nconst a = {b: 1};\n".to_vec(),
        ),
        (
            "css/site.css",
            b"body { margin: 0; }\na:hover { color: red; }\n".to_vec(),
        ),
        (
            "scss/_vars.scss",
            b"$color-scheme: teal;\n$accent: red;\n".to_vec(),
        ),
        (
            "data/users.json",
            b"{\"id\": 1, \"user\": \"alice\"}\n".to_vec(),
        ),
        (
            "data/events.jsonl",
            b"{\"id\":1,\"who\":\"a\"}\n{\"id\":2,\"who\":\"b\"}\n".to_vec(),
        ),
        ("img/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ("README", b"Admins: see the wiki.\nUsers: ask.\n".to_vec()),
    ]
}

fn rootfs() -> Option<tempfile::TempDir> {
    if !Path::new("/etc/apache2/apache2.conf").is_file()
        || !Path::new("/etc/nginx/nginx.conf").is_file()
    {
        if std::env::var_os("HTGUARD_REQUIRE_SERVERS").is_some() {
            panic!("/etc/apache2 and /etc/nginx are needed (apt-get install apache2 nginx)");
        }
        eprintln!("skipped: Debian's apache2 and nginx are not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(Path::new("/etc/apache2"), &root.join("etc/apache2"));
    copy_tree(Path::new("/etc/nginx"), &root.join("etc/nginx"));
    for base in ["usr/share/app", "var/www/html"] {
        for (rel, bytes) in application_files() {
            write(&root.join(base).join(rel), &bytes);
        }
    }
    Some(dir)
}

fn check(args: &[&str]) -> (serde_json::Value, i32, String) {
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .args(["check", "--format", "json", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        json,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_stock_rootfs_with_an_application_is_read_as_the_servers_read_it() {
    let Some(dir) = rootfs() else { return };
    let root = dir.path().to_str().unwrap();
    let (v, code, err) = check(&[root]);
    assert_ne!(code, 2, "{err}");
    let read: Vec<String> = v["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["file"].as_str().unwrap().to_string())
        .collect();
    assert!(
        read.iter().any(|f| f.ends_with("etc/apache2/apache2.conf")),
        "{read:?}"
    );
    assert!(
        read.iter().any(|f| f.ends_with("etc/nginx/nginx.conf")),
        "{read:?}"
    );
    for f in &read {
        assert!(
            !f.contains("/usr/share/app/") && !f.contains("/var/www/"),
            "read an application file: {f}"
        );
    }
    for finding in v["findings"].as_array().unwrap() {
        let file = finding["file"].as_str().unwrap();
        assert!(
            file.contains("/etc/"),
            "a finding outside the configs: {finding}"
        );
    }
}

#[test]
fn application_directories_alone_hold_nothing_to_check() {
    let Some(dir) = rootfs() else { return };
    for sub in ["usr/share/app", "var/www"] {
        let path = dir.path().join(sub);
        let (_, code, err) = check(&[path.to_str().unwrap()]);
        assert_eq!(code, 2, "{sub}: {err}");
        assert!(err.contains("nothing to check"), "{err}");
    }
}

#[test]
fn every_stock_config_file_named_on_its_own_is_checked() {
    let Some(dir) = rootfs() else { return };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.path().join("etc/apache2"), dir.path().join("etc/nginx")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    // Debian's wordpress ships its rules as a file named `htaccess`.
    let wp = dir.path().join("usr/share/wordpress/htaccess");
    write(
        &wp,
        b"<IfModule mod_rewrite.c>\nRewriteEngine On\n</IfModule>\n",
    );
    files.push(wp);
    let mut failures = Vec::new();
    for f in &files {
        let (_, code, err) = check(&[f.to_str().unwrap()]);
        if code == 2 {
            failures.push(format!("{}: {}", f.display(), err.trim()));
        }
    }
    assert!(failures.is_empty(), "exit 2 for:\n{}", failures.join("\n"));
}
