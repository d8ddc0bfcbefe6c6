use super::*;

const ROOT: Owner = Owner {
    uid: 0,
    gid: 0,
    mode: 0o100600,
};

fn www() -> Account {
    Account {
        uid: 33,
        groups: vec![33, 100],
    }
}

#[test]
fn mode_bits_decide_without_an_acl() {
    let who = www();
    assert!(!mode_allows(ROOT, &who, READ));
    let group_read = Owner {
        gid: 33,
        mode: 0o100640,
        ..ROOT
    };
    assert!(mode_allows(group_read, &who, READ));
    // A supplementary group counts too.
    let other_group = Owner {
        gid: 100,
        ..group_read
    };
    assert!(mode_allows(other_group, &who, READ));
    // Group bits win over other bits for a member (0604: the group may not, others may).
    let member_denied = Owner {
        gid: 33,
        mode: 0o100604,
        ..ROOT
    };
    assert!(!mode_allows(member_denied, &who, READ));
    let owned = Owner {
        uid: 33,
        mode: 0o100400,
        ..ROOT
    };
    assert!(mode_allows(owned, &who, READ));
    let dir = Owner {
        mode: 0o040711,
        ..ROOT
    };
    assert!(mode_allows(dir, &who, SEARCH));
    assert!(!mode_allows(dir, &who, READ));
}

#[cfg(target_os = "linux")]
mod acl_rules {
    use super::*;

    /// `getfacl`-like entries to the xattr bytes Linux stores.
    fn blob(entries: &[(u16, u16, u32)]) -> Vec<u8> {
        let mut out = 2u32.to_le_bytes().to_vec();
        for &(tag, perm, id) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&perm.to_le_bytes());
            out.extend_from_slice(&id.to_le_bytes());
        }
        out
    }

    const NONE: u32 = u32::MAX;

    fn allows(entries: &[(u16, u16, u32)], owner: Owner, want: u16) -> bool {
        let parsed = acl::parse(&blob(entries)).expect("valid ACL");
        acl::allows(&parsed, owner, &www(), want)
    }

    #[test]
    fn a_named_user_entry_grants_within_the_mask() {
        // setfacl -m u:www-data:r on a 0600 root file: user::rw- user:www-data:r-- group::---
        // mask::r-- other::---
        let acl = [
            (0x01, 6, NONE),
            (0x02, 4, 33),
            (0x04, 0, NONE),
            (0x10, 4, NONE),
            (0x20, 0, NONE),
        ];
        assert!(allows(&acl, ROOT, READ));
        // setfacl -m m::--- masks the named entry out.
        let masked = [
            (0x01, 6, NONE),
            (0x02, 4, 33),
            (0x04, 0, NONE),
            (0x10, 0, NONE),
            (0x20, 0, NONE),
        ];
        assert!(!allows(&masked, ROOT, READ));
    }

    #[test]
    fn a_named_group_entry_grants_and_a_matching_group_denies_before_other() {
        let by_group = [
            (0x01, 6, NONE),
            (0x04, 0, NONE),
            (0x08, 4, 100),
            (0x10, 4, NONE),
            (0x20, 0, NONE),
        ];
        assert!(allows(&by_group, ROOT, READ));
        // Member of a matching group entry without r: denied even though other has r.
        let group_denies = [
            (0x01, 6, NONE),
            (0x04, 0, NONE),
            (0x08, 0, 100),
            (0x10, 7, NONE),
            (0x20, 4, NONE),
        ];
        assert!(!allows(&group_denies, ROOT, READ));
        // Not in any group entry: other decides.
        let stranger = [
            (0x01, 6, NONE),
            (0x04, 0, NONE),
            (0x08, 0, 4242),
            (0x10, 7, NONE),
            (0x20, 4, NONE),
        ];
        assert!(allows(&stranger, ROOT, READ));
    }

    #[test]
    fn the_owner_entry_is_not_masked_and_broken_blobs_are_ignored() {
        let owned = Owner { uid: 33, ..ROOT };
        let acl = [
            (0x01, 4, NONE),
            (0x04, 0, NONE),
            (0x10, 0, NONE),
            (0x20, 0, NONE),
        ];
        assert!(allows(&acl, owned, READ));
        assert!(acl::parse(b"").is_none());
        assert!(
            acl::parse(&[1, 0, 0, 0]).is_none(),
            "version 1 is not an ACL"
        );
        assert!(acl::parse(&[2, 0, 0, 0, 1, 0, 6]).is_none());
    }
}

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

#[cfg(target_os = "linux")]
#[test]
fn may_access_follows_an_acl_on_a_real_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pw");
    std::fs::write(&p, "a:x\n").unwrap();
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let stranger = 54321;
    assert_eq!(may_access(&p, stranger, &[54321], true), Some(false));
    // user:54321:r--, mask::r-- (what `setfacl -m u:54321:r` stores), group and other none.
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in [
        (0x01u16, 6u16, u32::MAX),
        (0x02, 4, stranger),
        (0x04, 0, u32::MAX),
        (0x10, 4, u32::MAX),
        (0x20, 0, u32::MAX),
    ] {
        acl.extend_from_slice(&tag.to_le_bytes());
        acl.extend_from_slice(&perm.to_le_bytes());
        acl.extend_from_slice(&id.to_le_bytes());
    }
    if xattr::set(&p, "system.posix_acl_access", &acl).is_err() {
        eprintln!("skipped: no ACLs on {}", dir.path().display());
        return;
    }
    assert_eq!(may_access(&p, stranger, &[54321], true), Some(true));
    assert_eq!(may_access(&p, stranger + 1, &[54322], true), Some(false));
    assert_eq!(
        may_access(&dir.path().join("missing"), stranger, &[], true),
        None
    );
}
