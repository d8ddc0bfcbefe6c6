//! Finding every `.htaccess` under a set of directory trees. Sibling subtrees are walked
//! in parallel; the result is in the order a sequential walk gives: a directory's own file
//! first, then its subdirectories by name (bytewise), depth first.
//!
//! It descends only into real directories (never through a symbolic link below a root,
//! as httpd never walks one to find `.htaccess` files) and skips what it cannot read.
//! Linux has a walk of its own ([`linux`]); elsewhere std's `read_dir` does it.

#[cfg(target_os = "linux")]
mod linux;

use std::path::PathBuf;

/// A file found by [`find_files`].
#[derive(Debug)]
pub struct Found {
    /// The directory holding it (server path: the root as given, joined with names).
    pub dir: PathBuf,
    pub bytes: Vec<u8>,
}

/// Every file named `name` under each root (`(server path, local path)`), read, in
/// sequential depth-first order, roots in the order given.
pub fn find_files(roots: &[(PathBuf, PathBuf)], name: &str) -> Vec<Found> {
    #[cfg(target_os = "linux")]
    return linux::find_files(roots, name, true);
    #[cfg(not(target_os = "linux"))]
    return portable::find_files(roots, name);
}

/// The walk with std's `read_dir`: everywhere but Linux, and in the tests, the reference
/// the Linux walk is held to.
#[cfg(any(not(target_os = "linux"), test))]
mod portable {
    use super::Found;
    use rayon::prelude::*;
    use std::ffi::{OsStr, OsString};
    use std::io;
    use std::path::{Path, PathBuf};

    pub fn find_files(roots: &[(PathBuf, PathBuf)], name: &str) -> Vec<Found> {
        let name = OsStr::new(name);
        roots
            .par_iter()
            .map(|(server, local)| {
                let mut out = Vec::new();
                walk(local, server, name, &mut out);
                out
            })
            .flatten()
            .collect()
    }

    /// Appends the files under `local` (whose server path is `server`) to `out`.
    fn walk(local: &Path, server: &Path, name: &OsStr, out: &mut Vec<Found>) {
        let Ok(entries) = std::fs::read_dir(local) else {
            return;
        };
        let mut subdirs: Vec<OsString> = Vec::new();
        let mut has_file = false;
        for entry in entries.flatten() {
            // The entry's own type: a symbolic link is not a directory here.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                subdirs.push(entry.file_name());
            } else if entry.file_name() == name {
                has_file = true;
            }
        }
        if has_file && let Ok(bytes) = read(&local.join(name)) {
            out.push(Found {
                dir: server.to_path_buf(),
                bytes,
            });
        }
        subdirs.sort_unstable();
        let below: Vec<Vec<Found>> = subdirs
            .par_iter()
            .map(|sub| {
                let mut found = Vec::new();
                walk(&local.join(sub), &server.join(sub), name, &mut found);
                found
            })
            .collect();
        out.extend(below.into_iter().flatten());
    }

    /// Read a file to its end. Non-blocking, so that a FIFO under the name reads as empty
    /// instead of hanging the walk.
    fn read(path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        let mut bytes = Vec::new();
        match file.read_to_end(&mut bytes) {
            Err(e) if e.kind() != io::ErrorKind::WouldBlock => Err(e),
            _ => Ok(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// What every walk there is here finds (each must find the same).
    fn find_files(roots: &[(PathBuf, PathBuf)], name: &str) -> Vec<Vec<Found>> {
        let mut all = vec![portable::find_files(roots, name)];
        #[cfg(target_os = "linux")]
        for leaves in [true, false] {
            all.push(linux::find_files(roots, name, leaves));
        }
        all
    }

    fn write(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn finds_files_in_sequential_depth_first_order() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        write(&r.join("b/.htaccess"), "b");
        write(&r.join("a/z/.htaccess"), "az");
        write(&r.join("a/.htaccess"), "a");
        write(&r.join("a/b/c/.htaccess"), "abc");
        write(&r.join(".htaccess"), "root");
        write(&r.join("a/other"), "x");
        std::fs::create_dir_all(r.join("empty")).unwrap();
        // A directory named like the file is walked, not read.
        std::fs::create_dir_all(r.join("c/.htaccess")).unwrap();
        write(&r.join("c/.htaccess/.htaccess"), "nested");
        for found in find_files(&[(PathBuf::from("/srv"), r.to_path_buf())], ".htaccess") {
            let got: Vec<(String, String)> = found
                .iter()
                .map(|f| {
                    (
                        f.dir.display().to_string(),
                        String::from_utf8(f.bytes.clone()).unwrap(),
                    )
                })
                .collect();
            let want = [
                ("/srv", "root"),
                ("/srv/a", "a"),
                ("/srv/a/b/c", "abc"),
                ("/srv/a/z", "az"),
                ("/srv/b", "b"),
                ("/srv/c/.htaccess", "nested"),
            ];
            assert_eq!(
                got,
                want.iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect::<Vec<_>>()
            );
        }
    }

    /// Many sibling directories are walked side by side; their files still come out in
    /// name order (what rayon splits off is joined back in order).
    #[test]
    fn many_siblings_come_out_in_name_order() {
        let t = tempfile::tempdir().unwrap();
        let mut want = Vec::new();
        for i in (0..400).rev() {
            let name = format!("d{i:03}");
            write(&t.path().join(&name).join(".htaccess"), &name);
            if i % 7 == 0 {
                write(
                    &t.path().join(&name).join("sub/.htaccess"),
                    &format!("{name}/sub"),
                );
            }
        }
        for i in 0..400 {
            want.push(format!("d{i:03}"));
            if i % 7 == 0 {
                want.push(format!("d{i:03}/sub"));
            }
        }
        for found in find_files(
            &[(PathBuf::from("/r"), t.path().to_path_buf())],
            ".htaccess",
        ) {
            let got: Vec<String> = found
                .iter()
                .map(|f| String::from_utf8(f.bytes.clone()).unwrap())
                .collect();
            assert_eq!(got, want);
            let dirs: Vec<String> = found.iter().map(|f| f.dir.display().to_string()).collect();
            let want_dirs: Vec<String> = want.iter().map(|w| format!("/r/{w}")).collect();
            assert_eq!(dirs, want_dirs);
        }
    }

    #[test]
    fn does_not_descend_through_symlinks_and_skips_missing_roots() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        write(&r.join("real/.htaccess"), "real");
        std::os::unix::fs::symlink(r.join("real"), r.join("link")).unwrap();
        for found in find_files(
            &[
                (PathBuf::from("/x"), r.join("missing")),
                (PathBuf::from("/y"), r.to_path_buf()),
                // A root that is itself a link is followed.
                (PathBuf::from("/z"), r.join("link")),
            ],
            ".htaccess",
        ) {
            let dirs: Vec<String> = found.iter().map(|f| f.dir.display().to_string()).collect();
            assert_eq!(dirs, ["/y/real", "/z"]);
        }
    }

    #[test]
    fn reads_files_longer_than_one_read() {
        let t = tempfile::tempdir().unwrap();
        let text: String = (0..5000).map(|i| format!("# line {i}\n")).collect();
        assert!(text.len() > 16384 * 2);
        write(&t.path().join(".htaccess"), &text);
        for found in find_files(
            &[(PathBuf::from("/r"), t.path().to_path_buf())],
            ".htaccess",
        ) {
            assert_eq!(found[0].bytes, text.as_bytes());
        }
    }

    #[test]
    fn many_entries_span_several_getdents_calls() {
        let t = tempfile::tempdir().unwrap();
        for i in 0..3000 {
            std::fs::create_dir(
                t.path()
                    .join(format!("d{i:04}-with-a-long-name-to-fill-buffers")),
            )
            .unwrap();
        }
        write(
            &t.path()
                .join("d2999-with-a-long-name-to-fill-buffers/.htaccess"),
            "last",
        );
        for found in find_files(
            &[(PathBuf::from("/r"), t.path().to_path_buf())],
            ".htaccess",
        ) {
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].bytes, b"last");
        }
    }

    #[test]
    fn a_fifo_under_the_name_reads_as_empty() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("a")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(t.path().join("a/.htaccess"))
            .status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        for found in find_files(
            &[(PathBuf::from("/r"), t.path().to_path_buf())],
            ".htaccess",
        ) {
            assert_eq!(found.len(), 1);
            assert!(found[0].bytes.is_empty());
        }
    }
}
