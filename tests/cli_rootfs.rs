//! `htguard check DIR` on a root filesystem (an image, a staging tree): absolute paths in
//! its configs are found under DIR, and its account files are not taken for password files.

use assert_cmd::Command;
use std::fs;

fn write(path: &std::path::Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn check_json(args: &[&str]) -> (serde_json::Value, String) {
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .args(["check", "--format", "json", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).expect("json output");
    (json, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_directory_holding_etc_nginx_is_read_as_a_root_filesystem() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("etc/nginx/nginx.conf"),
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    location /admin/ {\n      auth_basic \"Admin\";\n      auth_basic_user_file /etc/nginx/admin.htpasswd;\n    }\n  }\n}\n",
    );
    write(
        &root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n",
    );
    write(&root.join("etc/group"), "root:x:0:\nwww-data:x:33:\n");
    let root_str = root.to_str().unwrap();

    // The user file is missing under the tree: NX003 names it.
    let (json, stderr) = check_json(&[root_str]);
    assert!(stderr.contains("root filesystem"), "{stderr}");
    let found = codes(&json);
    assert!(found.contains(&"NX003".to_string()), "{json:#}");
    // /etc/passwd and /etc/group are accounts, not htpasswd/htgroup files.
    assert!(
        !json.to_string().contains("etc/passwd") && !json.to_string().contains("etc/group"),
        "{json:#}"
    );

    // Once the file exists in the tree, it is found there.
    write(
        &root.join("etc/nginx/admin.htpasswd"),
        "alice:$2y$10$9Bq0xYyqGIOW9C5BVc2Zt.yO/DfJmHzJNrYzWrWy0H8xUOFHIm4Ly\n",
    );
    let (json, _) = check_json(&[root_str]);
    assert!(!codes(&json).contains(&"NX003".to_string()), "{json:#}");

    // `--root /` checks the tree in place: the absolute path now means the real /etc/nginx.
    let (json, stderr) = check_json(&["--root", "/", root_str]);
    assert!(!stderr.contains("root filesystem"), "{stderr}");
    assert!(codes(&json).contains(&"NX003".to_string()), "{json:#}");
}

/// Every rule family together, through the CLI: the healthy samples are clean and each
/// broken sample fails (the newcomer's first command in the README checks one of these).
#[test]
fn healthy_samples_are_clean_and_broken_ones_fail() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for family in ["apache", "nginx", "passwd"] {
        let healthy = samples.join(family).join("healthy");
        let (json, _) = check_json(&[healthy.to_str().unwrap()]);
        assert_eq!(
            codes(&json),
            Vec::<String>::new(),
            "{family}/healthy: {json:#}"
        );

        let broken = samples.join(family).join("broken");
        let out = Command::cargo_bin("htguard")
            .unwrap()
            .args(["check", "--no-config"])
            .arg(&broken)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{family}/broken should fail");
    }
}

#[test]
fn map_reads_a_root_filesystem() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/nginx/healthy");
    let out = Command::cargo_bin("htguard")
        .unwrap()
        .args(["map", "--format", "json"])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // The user files are found inside the sample tree, so their users are counted.
    assert!(text.contains("/etc/nginx/htpasswd/shop-admin"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(json.to_string().contains("\"users\":2"), "{json:#}");
}
