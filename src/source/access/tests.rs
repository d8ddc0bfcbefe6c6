use super::*;

const READ: u16 = 4;
const SEARCH: u16 = 1;

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

#[cfg(target_os = "linux")]
#[test]
fn an_acl_on_a_real_file_decides() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pw");
    std::fs::write(&p, "a:x\n").unwrap();
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let stranger = 54321;
    let who = |uid| Account {
        uid,
        groups: vec![uid],
    };
    let may_read = |uid| who(uid).may(&p, &std::fs::metadata(&p).unwrap(), Want::Read);
    assert!(!may_read(stranger));
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
    assert!(may_read(stranger));
    assert!(!may_read(stranger + 1));
    let denied = who(stranger + 1).first_denied(&p, dir.path()).unwrap();
    assert_eq!(denied.path, p);
    assert!(denied.has_acl);
}

#[test]
fn accounts_come_from_the_target_systems_databases() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir(t.path().join("etc")).unwrap();
    std::fs::write(
        t.path().join("etc/passwd"),
        "www:x:33:33::/var/www:/bin/false\n",
    )
    .unwrap();
    std::fs::write(
        t.path().join("etc/group"),
        "www:x:33:\nshadow:x:42:www\nweb:x:50:\n",
    )
    .unwrap();
    let root = Some(t.path());
    let www = Account::lookup(root, "www", None).unwrap();
    assert_eq!(
        www,
        Account {
            uid: 33,
            groups: vec![33, 42]
        }
    );
    // Apache's `Group`: the worker's group instead of the primary one.
    let web = Account::lookup(root, "www", Some("web")).unwrap();
    assert_eq!(web.groups, vec![42, 50]);
    assert_eq!(
        Account::lookup(root, "#33", Some("#7")).unwrap().groups,
        vec![7, 42]
    );
    assert!(Account::lookup(root, "nobody", None).is_none());
    assert_eq!(user_name(root, 33), "www");
    assert_eq!(group_name(root, 99), "99");
}

/// Files sharing a directory share its lookup result: each asks once, and the answer is
/// the one a fresh look gives (the first directory from the top down that stops the
/// account, none above `top`, none at `top` itself).
#[test]
fn directories_share_the_lookup_through_them() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let locked = t.path().join("locked");
    let open = t.path().join("open");
    for d in [&locked, &open] {
        std::fs::create_dir(d).unwrap();
    }
    let files = [locked.join("a"), locked.join("b"), open.join("c")];
    for f in &files {
        std::fs::write(f, "u:x\n").unwrap();
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    let stranger = Account {
        uid: 4242,
        groups: vec![4242],
    };
    let top = t.path();
    let shared = Directories::default();
    let stop = |f: &Path, known: &Directories, top: &Path| {
        let meta = std::fs::metadata(f).unwrap();
        stranger
            .first_denied_with(f, &meta, top, known)
            .map(|d| d.path)
    };
    for f in &files {
        let fresh = stop(f, &Directories::default(), top);
        assert_eq!(stop(f, &shared, top), fresh, "{}", f.display());
        assert_eq!(fresh, stranger.first_denied(f, top).map(|d| d.path));
    }
    assert_eq!(stop(&files[0], &shared, top), Some(locked.clone()));
    assert_eq!(stop(&files[1], &shared, top), Some(locked.clone()));
    assert_eq!(stop(&files[2], &shared, top), None);
    // `top` itself is not the server's to judge: below it, the file is readable.
    assert_eq!(stop(&files[0], &Directories::default(), &locked), None);
    // A path through a regular file ends as "not found" (ENOTDIR), not as a denial.
    assert!(stranger.first_denied(&open.join("c/x"), top).is_none());
}
