//! `--diff` output: unified diffs, with password-file hashes redacted.

use htguard::check::fix::FilePlan;
use htguard::report::diff::render;
use htguard::syntax::passwd::FileKind;

const HASH: &str = "$2y$10$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMNOPQRS";

#[test]
fn unified_diff_of_a_password_file_hides_hashes() {
    let before = format!("\u{feff}alice:{HASH}\r\nbob:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=\r\n");
    let after = format!("alice:{HASH}\nbob:{{SHA}}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
    let plan = FilePlan {
        file: 0,
        path: "/etc/apache2/.htpasswd".into(),
        before: before.into_bytes(),
        after: after.into_bytes(),
        fixes: 2,
        passwd_kind: Some(FileKind::Basic),
    };
    let out = render(std::slice::from_ref(&plan));
    assert!(
        out.starts_with(
            "--- a/etc/apache2/.htpasswd\n+++ b/etc/apache2/.htpasswd\n@@ -1,2 +1,2 @@\n"
        ),
        "{out}"
    );
    assert!(out.contains("-\u{feff}alice:$2y$10$…\r\n"), "{out}");
    assert!(out.contains("+alice:$2y$10$…\n"), "{out}");
    assert!(out.contains("+bob:{SHA}…\n"), "{out}");
    assert!(
        !out.contains(HASH) && !out.contains("qUqP5cyxm6YcTAhz05Hph5gvu9M="),
        "{out}"
    );
}

#[test]
fn config_files_are_diffed_as_they_are() {
    let plan = FilePlan {
        file: 0,
        path: "site.conf".into(),
        before: b"a\nb\n".to_vec(),
        after: b"a\nc\n".to_vec(),
        fixes: 1,
        passwd_kind: None,
    };
    let out = render(&[plan]);
    assert_eq!(
        out,
        "--- a/site.conf\n+++ b/site.conf\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    );
}
