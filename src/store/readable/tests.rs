use super::*;

#[test]
fn the_message_names_the_users_the_cause_and_a_fix() {
    let report = ServerCannotRead {
        path: PathBuf::from("/srv/.htpasswd"),
        users: vec!["www-data".into()],
        blocked_at: PathBuf::from("/srv/.htpasswd"),
        is_dir: false,
        owner: "root".into(),
        group: "root".into(),
        mode: 0o600,
        has_acl: false,
    };
    let text = report.to_string();
    for part in [
        "www-data",
        "/srv/.htpasswd",
        "root:root, mode 0600",
        "500",
        "setfacl -m u:www-data:r",
    ] {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
}
