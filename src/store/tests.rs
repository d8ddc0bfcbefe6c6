use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

fn append(line: &'static str) -> impl FnOnce(Option<&[u8]>) -> Result<Option<Vec<u8>>, String> {
    move |old| {
        let mut v = old.map(<[u8]>::to_vec).unwrap_or_default();
        v.extend_from_slice(line.as_bytes());
        Ok(Some(v))
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".htguard-tmp"))
        .collect()
}

#[test]
fn replaces_content_and_keeps_mode() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o604)).unwrap();
    let ino = std::fs::metadata(&p).unwrap().ino();
    let wrote = update(&p, &WriteOptions::default(), append("b:y\n")).unwrap();
    assert!(wrote);
    assert_eq!(std::fs::read(&p).unwrap(), b"a:x\nb:y\n");
    let meta = std::fs::metadata(&p).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o604);
    assert_ne!(
        meta.ino(),
        ino,
        "replaced by rename, not rewritten in place"
    );
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn missing_file_without_create_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    let err = update(&p, &WriteOptions::default(), append("a:x\n")).unwrap_err();
    assert!(matches!(
        err,
        UpdateError::Store(StoreError::Missing { .. })
    ));
    assert!(!p.exists());
}

#[test]
fn creates_with_create_mode_regardless_of_umask() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    let opts = WriteOptions {
        create: true,
        ..WriteOptions::default()
    };
    let mut seen = Some(vec![1u8]);
    update(&p, &opts, |old: Option<&[u8]>| {
        seen = old.map(<[u8]>::to_vec);
        Ok::<_, String>(Some(b"a:x\n".to_vec()))
    })
    .unwrap();
    assert_eq!(seen, None, "a new file is presented as None");
    assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o7777, 0o640);
    let opts = WriteOptions {
        create: true,
        create_mode: 0o600,
        ..WriteOptions::default()
    };
    let q = dir.path().join("other");
    update(&q, &opts, append("a:x\n")).unwrap();
    assert_eq!(std::fs::metadata(&q).unwrap().mode() & 0o7777, 0o600);
}

#[test]
fn no_change_and_edit_error_leave_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    let ino = std::fs::metadata(&p).unwrap().ino();
    let wrote = update(&p, &WriteOptions::default(), |_| Ok::<_, String>(None)).unwrap();
    assert!(!wrote);
    let err = update(&p, &WriteOptions::default(), |_| {
        Err::<Option<Vec<u8>>, _>("no")
    })
    .unwrap_err();
    assert!(matches!(err, UpdateError::Edit("no")));
    assert_eq!(std::fs::metadata(&p).unwrap().ino(), ino);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn follows_symlinks_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let real = dir.path().join("real/users");
    std::fs::write(&real, "a:x\n").unwrap();
    let link = dir.path().join("link");
    symlink("real/users", &link).unwrap();
    update(&link, &WriteOptions::default(), append("b:y\n")).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&real).unwrap(), b"a:x\nb:y\n");
    // A dangling link names the file to create.
    let dangling = dir.path().join("dangling");
    symlink("real/new", &dangling).unwrap();
    let opts = WriteOptions {
        create: true,
        ..WriteOptions::default()
    };
    update(&dangling, &opts, append("c:z\n")).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("real/new")).unwrap(),
        b"c:z\n"
    );
}

#[test]
fn refuses_hard_links_fifos_and_loops() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    std::fs::hard_link(&p, dir.path().join("alias")).unwrap();
    let err = update(&p, &WriteOptions::default(), append("b:y\n")).unwrap_err();
    assert!(matches!(
        err,
        UpdateError::Store(StoreError::HardLinked { links: 2, .. })
    ));
    assert_eq!(std::fs::read(&p).unwrap(), b"a:x\n");

    let fifo = dir.path().join("fifo");
    let c = cleanup::c_path(&fifo).unwrap();
    // SAFETY: valid path string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let err = update(&fifo, &WriteOptions::default(), append("b:y\n")).unwrap_err();
    assert!(matches!(
        err,
        UpdateError::Store(StoreError::NotRegular { kind: "FIFO", .. })
    ));

    let a = dir.path().join("loop-a");
    symlink("loop-b", &a).unwrap();
    symlink("loop-a", dir.path().join("loop-b")).unwrap();
    let err = update(&a, &WriteOptions::default(), append("b:y\n")).unwrap_err();
    assert!(matches!(
        err,
        UpdateError::Store(StoreError::SymlinkLoop { .. })
    ));
}

#[test]
fn missing_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nope/users");
    let opts = WriteOptions {
        create: true,
        ..WriteOptions::default()
    };
    let err = update(&p, &opts, append("a:x\n")).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(
        err,
        UpdateError::Store(StoreError::NoDirectory { .. })
    ));
    assert!(msg.contains("nope"), "{msg}");
}

#[test]
fn threads_serialize_on_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "").unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let p = &p;
            s.spawn(move || {
                for i in 0..25 {
                    update(p, &WriteOptions::default(), |old: Option<&[u8]>| {
                        let mut v = old.unwrap_or_default().to_vec();
                        v.extend_from_slice(format!("u{t}_{i}:x\n").as_bytes());
                        Ok::<_, String>(Some(v))
                    })
                    .unwrap();
                }
            });
        }
    });
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text.lines().count(), 200);
}

#[test]
fn concurrent_creators_do_not_clobber_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    let opts = WriteOptions {
        create: true,
        ..WriteOptions::default()
    };
    std::thread::scope(|s| {
        for t in 0..8 {
            let (p, opts) = (&p, &opts);
            s.spawn(move || {
                update(p, opts, |old: Option<&[u8]>| {
                    let mut v = old.unwrap_or_default().to_vec();
                    v.extend_from_slice(format!("u{t}:x\n").as_bytes());
                    Ok::<_, String>(Some(v))
                })
                .unwrap();
            });
        }
    });
    assert_eq!(std::fs::read_to_string(&p).unwrap().lines().count(), 8);
}

#[test]
fn lock_timeout_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    let holder = std::fs::File::open(&p).unwrap();
    holder.lock().unwrap();
    let opts = WriteOptions {
        lock_timeout: Duration::from_millis(100),
        ..WriteOptions::default()
    };
    let err = update(&p, &opts, append("b:y\n")).unwrap_err();
    assert!(matches!(
        err,
        UpdateError::Store(StoreError::LockTimeout { .. })
    ));
    assert!(err.to_string().contains("locked by another process"));
    assert_eq!(std::fs::read(&p).unwrap(), b"a:x\n");
}

#[test]
fn io_errors_name_path_cause_and_remedy() {
    let e = StoreError::io(
        Step::WriteTemp,
        "/srv/.htpasswd",
        io::Error::from_raw_os_error(libc::EFBIG),
    );
    let msg = e.to_string();
    assert!(msg.contains("/srv/.htpasswd"), "{msg}");
    assert!(msg.contains("ulimit -f"), "{msg}");
    assert!(msg.contains("was not changed"), "{msg}");
}

#[test]
fn root_keeps_another_users_owner_and_mode() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return; // only root can hand a file to another owner
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    std::os::unix::fs::chown(&p, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    update(&p, &WriteOptions::default(), append("b:y\n")).unwrap();
    let meta = std::fs::metadata(&p).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(meta.mode() & 0o7777, 0o640);
}

#[test]
fn an_immutable_file_is_refused_even_for_root() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&p)
        .status()
        .is_ok_and(|s| s.success());
    if !immutable {
        return; // no chattr or no CAP_LINUX_IMMUTABLE here
    }
    let err = update(&p, &WriteOptions::default(), append("b:y\n")).unwrap_err();
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&p)
        .status();
    let msg = err.to_string();
    assert!(
        msg.contains("immutable") && msg.contains("was not changed"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&p).unwrap(), b"a:x\n");
    assert!(leftovers(dir.path()).is_empty());
}

/// Stale temp files of the target (older than the writer's own, ours by name and owner) go;
/// anything else in the directory stays.
#[test]
fn a_writer_removes_only_stale_temp_files_of_its_target() {
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(".htpasswd");
    std::fs::write(&p, "a:x\n").unwrap();
    let make = |name: &str, age: i64| {
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).unwrap();
        let now = SystemTime::now();
        let when = if age >= 0 {
            now - Duration::from_secs(age as u64)
        } else {
            now + Duration::from_secs(age.unsigned_abs())
        };
        file.set_modified(when).unwrap();
        path
    };
    let stale = make(".htpasswd.Ab3dEf9h.htguard-tmp", 60);
    let just_killed = make(".htpasswd.zzzzzzzz.htguard-tmp", 1);
    // Newer than the writer's own temp file: a live writer's (a program that does not lock).
    let newer = make(".htpasswd.NEWER123.htguard-tmp", -3600);
    let other_target = make(".htgroup.Ab3dEf9h.htguard-tmp", 60);
    let wrong_length = make(".htpasswd.Ab3dEf9.htguard-tmp", 60);
    let wrong_chars = make(".htpasswd.Ab3d-f9h.htguard-tmp", 60);
    let not_ours = make(".htpasswd.Ab3dEf9h.tmp", 60);
    let a_dir = dir.path().join(".htpasswd.DIRDIRDI.htguard-tmp");
    std::fs::create_dir(&a_dir).unwrap();
    update(&p, &WriteOptions::default(), append("b:y\n")).unwrap();
    assert!(!stale.exists() && !just_killed.exists());
    for kept in [
        &newer,
        &other_target,
        &wrong_length,
        &wrong_chars,
        &not_ours,
        &a_dir,
    ] {
        assert!(kept.exists(), "{} was removed", kept.display());
    }
}

/// Another user's temp file is not ours to remove (root can, so it must choose not to).
#[test]
fn a_writer_keeps_another_users_temp_files() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return; // only root can make a file owned by someone else
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    let theirs = dir.path().join(".users.Ab3dEf9h.htguard-tmp");
    std::fs::write(&theirs, "").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&theirs)
        .unwrap()
        .set_modified(old)
        .unwrap();
    std::os::unix::fs::chown(&theirs, Some(12345), Some(12345)).unwrap();
    update(&p, &WriteOptions::default(), append("b:y\n")).unwrap();
    assert!(theirs.exists());
}

#[test]
fn temp_names_match_exactly_what_new_temp_makes() {
    use std::ffi::OsStr;
    assert_eq!(stale::temp_prefix(Path::new("/x/.htpasswd")), ".htpasswd.");
    assert_eq!(stale::temp_prefix(Path::new("users")), ".users.");
    let yes = OsStr::new(".users.a1B2c3D4.htguard-tmp");
    assert!(stale::is_temp_name(yes, ".users."));
    for no in [
        ".users.a1B2c3D4.htguard-tmp.bak",
        ".users.a1B2c3D.htguard-tmp",
        ".users.a1B2c3D45.htguard-tmp",
        ".users..a1B2c3D.htguard-tmp",
        "users.a1B2c3D4.htguard-tmp",
        ".userz.a1B2c3D4.htguard-tmp",
    ] {
        assert!(!stale::is_temp_name(OsStr::new(no), ".users."), "{no}");
    }
}

/// Every xattr namespace this process may set is copied, the security namespace included
/// (`security.selinux` itself needs SELinux on; any `security.*` name takes the same path).
#[test]
fn extended_attributes_of_every_namespace_are_copied() {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users");
    std::fs::write(&p, "a:x\n").unwrap();
    if xattr::set(&p, "user.htguard", b"u").is_err() {
        eprintln!("skipped: no user xattrs on {}", dir.path().display());
        return;
    }
    let mut names = vec!["user.htguard"];
    if root {
        for name in ["trusted.htguard", "security.htguard"] {
            xattr::set(&p, name, name.as_bytes()).unwrap();
            names.push(name);
        }
    }
    update(&p, &WriteOptions::default(), append("b:y\n")).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"a:x\nb:y\n");
    assert_eq!(
        xattr::get(&p, "user.htguard").unwrap().as_deref(),
        Some(&b"u"[..])
    );
    for name in &names[1..] {
        assert_eq!(
            xattr::get(&p, name).unwrap().as_deref(),
            Some(name.as_bytes()),
            "{name}"
        );
    }
}

#[test]
fn a_label_that_cannot_be_kept_says_which_and_what_to_do() {
    let err = StoreError::Attribute {
        path: PathBuf::from("/srv/.htpasswd"),
        name: "security.selinux".into(),
        action: AttrAction::Set,
        source: io::Error::from_raw_os_error(libc::EACCES),
    };
    let text = err.to_string();
    for part in [
        "`security.selinux`",
        "/srv/.htpasswd",
        "setting it on the new copy",
        "SELinux policy",
        "was not changed",
    ] {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
    assert!(!err.file_changed());
}
