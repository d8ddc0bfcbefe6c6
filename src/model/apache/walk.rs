//! Finding every `.htaccess` under a set of directory trees, fast.
//!
//! A real tree has tens of thousands of directories and each costs system calls, so the
//! walk (1) opens each directory relative to its parent's descriptor (no path lookup
//! from `/` per directory), (2) reads entries with `getdents64` straight into a reused
//! buffer (no `opendir`'s `fstat`, no per-entry allocation), (3) reads a found file in
//! the same pass, with one `read` for a small file, (4) opens `sub/NAME` directly in a
//! directory whose link count says it has no subdirectories (on file systems where that
//! count is reliable), and (5) walks sibling subtrees in parallel. The result is in the order
//! a sequential walk gives: a directory's own file first, then its subdirectories by
//! name (bytewise), depth first.
//!
//! Like the sequential walk it replaces, it descends only into real directories (never
//! through a symbolic link below a root) and skips what it cannot read.

use rayon::prelude::*;
use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

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
    find_files_with(roots, name, true)
}

/// [`find_files`], with the leaf shortcut allowed or not (the tests walk both ways).
fn find_files_with(roots: &[(PathBuf, PathBuf)], name: &str, leaves: bool) -> Vec<Found> {
    let Ok(cname) = CString::new(name) else {
        return Vec::new();
    };
    // Roots are mostly on one file system: ask its type once per device.
    let known = std::sync::Mutex::new(Vec::new());
    roots
        .par_iter()
        .map(|(server, local)| match open_root(local) {
            Ok(fd) => {
                let fs = FsInfo::of_known(&fd, &known).map(|f| FsInfo {
                    leaf_counts: f.leaf_counts && leaves,
                    ..f
                });
                walk(fd, server.clone(), &cname, fs)
            }
            Err(_) => Vec::new(),
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// The file system a directory is on, and whether its directory link counts can be
/// trusted to say "no subdirectories" (see [`walk`]).
#[derive(Clone, Copy)]
struct FsInfo {
    dev: u64,
    leaf_counts: bool,
}

impl FsInfo {
    fn of(dir: &OwnedFd) -> Option<FsInfo> {
        FsInfo::of_known(dir, &std::sync::Mutex::new(Vec::new()))
    }

    /// [`FsInfo::of`], with the devices seen so far in `known` (`fstatfs` once per device).
    fn of_known(dir: &OwnedFd, known: &std::sync::Mutex<Vec<FsInfo>>) -> Option<FsInfo> {
        let st = stat_at(dir, c"", libc::AT_EMPTY_PATH)?;
        let seen = |k: &Vec<FsInfo>| k.iter().copied().find(|f| f.dev == st.st_dev);
        if let Some(f) = known.lock().ok().as_deref().and_then(seen) {
            return Some(f);
        }
        let mut fs = std::mem::MaybeUninit::<libc::statfs>::uninit();
        // SAFETY: valid descriptor and out-pointer.
        let ok = unsafe { libc::fstatfs(dir.as_raw_fd(), fs.as_mut_ptr()) } == 0;
        // SAFETY: fstatfs succeeded, so it filled `fs`.
        let magic = ok.then(|| unsafe { fs.assume_init() }.f_type as u64);
        let info = FsInfo {
            dev: st.st_dev,
            leaf_counts: magic.is_some_and(|m| LEAF_COUNT_FS.contains(&m)),
        };
        if let Ok(mut k) = known.lock() {
            k.push(info);
        }
        Some(info)
    }
}

/// File systems where a directory's link count is 2 + its number of subdirectories
/// (ext2/3/4, XFS, tmpfs), so a count of 2 means "no subdirectories", as GNU find's leaf
/// optimization assumes. Elsewhere (btrfs, overlayfs, network and FUSE file systems)
/// every directory is listed.
const LEAF_COUNT_FS: &[u64] = &[0xEF53, 0x5846_5342, 0x0102_1994];

fn walk(dir: OwnedFd, server: PathBuf, name: &CStr, fs: Option<FsInfo>) -> Vec<Found> {
    let mut out = Vec::new();
    walk_into(dir, server, name, fs, &mut out);
    out
}

/// [`walk`], appending to `out`.
fn walk_into(dir: OwnedFd, server: PathBuf, name: &CStr, fs: Option<FsInfo>, out: &mut Vec<Found>) {
    let Ok((mut subdirs, has_file)) = entries(&dir, name) else {
        return;
    };
    if has_file && let Ok(bytes) = read_at(&dir, name) {
        out.push(Found {
            dir: server.clone(),
            bytes,
        });
    }
    subdirs.sort_unstable();
    let child = |n: &CString, out: &mut Vec<Found>| {
        let server = server.join(OsStr::from_bytes(n.as_bytes()));
        subtree(&dir, n, server, name, fs, out);
    };
    if subdirs.len() < 2 {
        subdirs.iter().for_each(|n| child(n, out));
    } else {
        // One vector per piece of work rayon splits off (not one per subdirectory),
        // joined in order.
        let found = subdirs
            .par_iter()
            .fold(Vec::new, |mut acc, n| {
                child(n, &mut acc);
                acc
            })
            .reduce(Vec::new, |mut a, mut b| {
                a.append(&mut b);
                a
            });
        out.extend(found);
    }
}

/// The files under subdirectory `sub` of `parent`. Most directories of a web tree are
/// leaves: when the link count says so, the file is opened as `sub/NAME` directly
/// (1–3 system calls instead of listing the directory: open, 2 reads of entries, close,
/// then the file's open, read, close).
fn subtree(
    parent: &OwnedFd,
    sub: &CStr,
    server: PathBuf,
    name: &CStr,
    fs: Option<FsInfo>,
    out: &mut Vec<Found>,
) {
    let st = fs
        .filter(|f| f.leaf_counts)
        .and_then(|_| stat_at(parent, sub, libc::AT_SYMLINK_NOFOLLOW));
    let same_fs = matches!((fs, &st), (Some(f), Some(st)) if st.st_dev == f.dev);
    if let Some(st) = &st
        && same_fs
        && (st.st_mode & libc::S_IFMT) == libc::S_IFDIR
        && st.st_nlink == 2
    {
        // Both parts are C strings already: the joined path has no NUL inside.
        let path = CString::new([sub.to_bytes(), b"/", name.to_bytes()].concat());
        if let Ok(path) = path
            && let Ok(bytes) = read_at(parent, &path)
        {
            out.push(Found { dir: server, bytes });
        }
        return;
    }
    let Ok(fd) = open_dir_at(parent, sub) else {
        return;
    };
    // Another file system mounted here is judged on its own.
    let fs = match fs {
        Some(f) if same_fs || !f.leaf_counts => Some(f),
        _ => FsInfo::of(&fd),
    };
    walk_into(fd, server, name, fs, out);
}

fn stat_at(dir: &OwnedFd, name: &CStr, flags: libc::c_int) -> Option<libc::stat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: valid descriptor, C string and out-pointer.
    let r = unsafe { libc::fstatat(dir.as_raw_fd(), name.as_ptr(), st.as_mut_ptr(), flags) };
    // SAFETY: fstatat succeeded, so it filled `st`.
    (r == 0).then(|| unsafe { st.assume_init() })
}

fn cvt(ret: libc::c_int) -> io::Result<OwnedFd> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        // SAFETY: a fresh descriptor returned by the kernel, owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(ret) })
    }
}

/// A root is opened by path and may be a symbolic link, as httpd follows it.
fn open_root(path: &Path) -> io::Result<OwnedFd> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
    cvt(unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    })
}

fn open_dir_at(dir: &OwnedFd, name: &CStr) -> io::Result<OwnedFd> {
    // SAFETY: `dir` is an open descriptor and `name` a valid C string.
    cvt(unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC | libc::O_NOFOLLOW,
        )
    })
}

/// Read a file in `dir` to its end: open, read, close. A `read` that returns less than
/// it was asked for has reached the end (Linux returns a short count from a regular file
/// only there), so a small file takes one `read`, not a second one to see 0 bytes.
/// `O_NONBLOCK`: a FIFO under the name reads as empty instead of hanging the walk.
fn read_at(dir: &OwnedFd, name: &CStr) -> io::Result<Vec<u8>> {
    use std::io::Read;
    // SAFETY: as in `open_dir_at`.
    let fd = cvt(unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK,
        )
    })?;
    let mut file = std::fs::File::from(fd);
    let mut out = Vec::new();
    READ_BUF.with_borrow_mut(|chunk| {
        loop {
            match file.read(chunk) {
                Ok(n) => {
                    out.extend_from_slice(&chunk[..n]);
                    if n < chunk.len() {
                        return Ok(out);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(out),
                Err(e) => return Err(e),
            }
        }
    })
}

thread_local! {
    /// File read buffer, one per thread (zeroing a fresh one per file would cost more
    /// than reading the file).
    static READ_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 16384]);
    /// `getdents64` buffer, one per thread (8-byte aligned, as `linux_dirent64` needs).
    static DENTS: std::cell::RefCell<Vec<u64>> = std::cell::RefCell::new(vec![0; 4096]);
}

/// The subdirectories of `dir`, and whether it holds a non-directory named `name`.
fn entries(dir: &OwnedFd, name: &CStr) -> io::Result<(Vec<CString>, bool)> {
    DENTS.with_borrow_mut(|buf| {
        let mut subdirs = Vec::new();
        let mut has_file = false;
        loop {
            let len = buf.len() * 8;
            // SAFETY: the buffer is valid for `len` bytes; the kernel writes at most that.
            let n = unsafe {
                libc::syscall(
                    libc::SYS_getdents64,
                    dir.as_raw_fd(),
                    buf.as_mut_ptr().cast::<u8>(),
                    len,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                return Ok((subdirs, has_file));
            }
            // SAFETY: the kernel filled the first `n` bytes with linux_dirent64 records.
            let bytes =
                unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n as usize) };
            for_each_dirent(bytes, |entry, d_type| {
                if entry == c"." || entry == c".." {
                    return;
                }
                let is_dir = match d_type {
                    libc::DT_DIR => true,
                    libc::DT_UNKNOWN => is_dir_at(dir, entry),
                    _ => false,
                };
                if is_dir {
                    subdirs.push(entry.to_owned());
                } else if entry == name {
                    has_file = true;
                }
            });
        }
    })
}

/// Calls `f(name, d_type)` for each `linux_dirent64` record in `bytes`:
/// `u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type; char d_name[]` (NUL-terminated).
fn for_each_dirent(bytes: &[u8], mut f: impl FnMut(&CStr, u8)) {
    let mut off = 0;
    while off + 19 < bytes.len() {
        let reclen = u16::from_ne_bytes([bytes[off + 16], bytes[off + 17]]) as usize;
        if reclen == 0 || off + reclen > bytes.len() {
            return;
        }
        let d_type = bytes[off + 18];
        if let Ok(name) = CStr::from_bytes_until_nul(&bytes[off + 19..off + reclen]) {
            f(name, d_type);
        }
        off += reclen;
    }
}

/// For file systems that do not report entry types: `lstat` the entry.
fn is_dir_at(dir: &OwnedFd, name: &CStr) -> bool {
    stat_at(dir, name, libc::AT_SYMLINK_NOFOLLOW)
        .is_some_and(|st| (st.st_mode & libc::S_IFMT) == libc::S_IFDIR)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for leaves in [true, false] {
            let found = find_files_with(
                &[(PathBuf::from("/srv"), r.to_path_buf())],
                ".htaccess",
                leaves,
            );
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
        for leaves in [true, false] {
            let found = find_files_with(
                &[(PathBuf::from("/r"), t.path().to_path_buf())],
                ".htaccess",
                leaves,
            );
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
        for leaves in [true, false] {
            let found = find_files_with(
                &[
                    (PathBuf::from("/x"), r.join("missing")),
                    (PathBuf::from("/y"), r.to_path_buf()),
                    // A root that is itself a link is followed.
                    (PathBuf::from("/z"), r.join("link")),
                ],
                ".htaccess",
                leaves,
            );
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
        for leaves in [true, false] {
            let found = find_files_with(
                &[(PathBuf::from("/r"), t.path().to_path_buf())],
                ".htaccess",
                leaves,
            );
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
        for leaves in [true, false] {
            let found = find_files_with(
                &[(PathBuf::from("/r"), t.path().to_path_buf())],
                ".htaccess",
                leaves,
            );
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].bytes, b"last");
        }
    }
}
