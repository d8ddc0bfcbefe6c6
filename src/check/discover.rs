//! Turn the paths given on the command line into the files to start from:
//! walk directories (without following a symlink loop), skip what is not ours,
//! and detect each file's kind.

use super::CheckError;
use super::kind::{self, InputKind};
use std::collections::HashSet;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A file to start checking from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: InputKind,
    /// Named on the command line (not found by walking a directory).
    pub explicit: bool,
}

/// The system locations checked when no path is given, in this order.
pub const DEFAULT_LOCATIONS: &[&str] = &["/etc/apache2", "/etc/httpd", "/etc/nginx"];

/// Directory names never walked into: version control and dependency trees.
const SKIP_DIRS: &[&str] = &[".git", ".hg", ".svn", "node_modules"];

/// Editor and package-manager leftovers that no server reads.
fn is_leftover(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "~", ".bak", ".old", ".orig", ".swp", ".swo", ".tmp", ".rpmnew", ".rpmsave", ".rej",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s))
        || name.contains(".dpkg-")
        || name.contains(".ucf-")
        || (name.starts_with(".#") || (name.starts_with('#') && name.ends_with('#')))
}

/// `/etc/passwd`, `/etc/group` and friends in a root filesystem: they look like
/// `name:...` files, but they are the system's accounts (read for the worker user), not
/// password files a web server uses.
fn is_account_database(path: &Path) -> bool {
    let in_etc = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "etc");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    in_etc
        && matches!(
            name.trim_end_matches('-'),
            "passwd" | "group" | "shadow" | "gshadow" | "subuid" | "subgid"
        )
}

/// Main configs whose presence makes a directory a root filesystem (an image, a
/// staging tree, a checkout of `/`), in which absolute config paths are to be found.
const ROOTFS_MARKERS: &[&str] = &[
    "etc/apache2/apache2.conf",
    "etc/httpd/conf/httpd.conf",
    "etc/nginx/nginx.conf",
];

/// Whether `dir` looks like a root filesystem: it holds `etc/apache2/apache2.conf`,
/// `etc/httpd/conf/httpd.conf` or `etc/nginx/nginx.conf`.
pub fn looks_like_rootfs(dir: &Path) -> bool {
    dir.is_dir() && ROOTFS_MARKERS.iter().any(|m| dir.join(m).is_file())
}

/// Collect the starting files under `paths`. `forced` gives every file that kind.
pub fn collect(paths: &[PathBuf], forced: Option<InputKind>) -> Result<Vec<Candidate>, CheckError> {
    let mut out = Vec::new();
    let mut seen_files: HashSet<(u64, u64)> = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| CheckError::io(path, e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, forced, &mut seen_files, &mut found)?;
            if forced.is_none() {
                prefer_main_configs(&mut found);
            }
            out.extend(found);
        } else if meta.is_file() {
            if !seen_files.insert((meta.dev(), meta.ino())) {
                continue;
            }
            let head = read_head(path)?;
            let kind = forced
                .or_else(|| kind::detect(path, &head))
                .ok_or_else(|| CheckError::UnknownKind(path.clone()))?;
            out.push(Candidate {
                path: path.clone(),
                kind,
                explicit: true,
            });
        } else {
            return Err(CheckError::NotAFile(path.clone()));
        }
    }
    Ok(out)
}

/// When a tree holds a server's main config, the server reads only what that config
/// includes: its other snippets are not starting points.
fn prefer_main_configs(found: &mut Vec<Candidate>) {
    let has_apache_main = found.iter().any(|c| c.kind == InputKind::ApacheMain);
    let has_nginx_main = found.iter().any(|c| c.kind == InputKind::NginxMain);
    found.retain(|c| {
        !(has_apache_main && c.kind == InputKind::ApacheSnippet
            || has_nginx_main && c.kind == InputKind::NginxSnippet)
    });
}

fn walk(
    root: &Path,
    forced: Option<InputKind>,
    seen_files: &mut HashSet<(u64, u64)>,
    out: &mut Vec<Candidate>,
) -> Result<(), CheckError> {
    let mut seen_dirs: HashSet<(u64, u64)> = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let meta = std::fs::metadata(&dir).map_err(|e| CheckError::io(&dir, e))?;
        // A symlink back up the tree brings us to a directory already walked.
        if !seen_dirs.insert((meta.dev(), meta.ino())) {
            continue;
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| CheckError::io(&dir, e))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| CheckError::io(&dir, e))?;
        entries.sort();
        let mut subdirs = Vec::new();
        for path in entries {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Follow symlinks; a dangling one is something no server can read either.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if !SKIP_DIRS.contains(&name.as_str()) {
                    subdirs.push(path);
                }
                continue;
            }
            if !meta.is_file() || is_leftover(&name) || is_account_database(&path) {
                continue;
            }
            if !seen_files.insert((meta.dev(), meta.ino())) {
                continue;
            }
            let head = read_head(&path)?;
            let kind = match forced {
                Some(k) if !kind::looks_binary(&head) => Some(k),
                Some(_) => None,
                None => kind::detect(&path, &head),
            };
            if let Some(kind) = kind {
                out.push(Candidate {
                    path,
                    kind,
                    explicit: false,
                });
            }
        }
        // Depth-first in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

fn read_head(path: &Path) -> Result<Vec<u8>, CheckError> {
    let mut f = std::fs::File::open(path).map_err(|e| CheckError::io(path, e))?;
    let mut head = Vec::with_capacity(4096);
    f.by_ref()
        .take(kind::HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| CheckError::io(path, e))?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_and_prefers_the_main_config() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("sites-enabled")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        std::fs::write(d.join("apache2.conf"), "ServerRoot /etc/apache2\n").unwrap();
        std::fs::write(
            d.join("sites-enabled/a.conf"),
            "<VirtualHost *:80>\n</VirtualHost>\n",
        )
        .unwrap();
        std::fs::write(d.join(".htpasswd"), "u:$apr1$a$b\n").unwrap();
        std::fs::write(d.join(".htpasswd.bak"), "u:$apr1$a$b\n").unwrap();
        std::fs::write(d.join(".git/config"), "[core]\n").unwrap();
        std::fs::write(d.join("logo.png"), b"\x89PNG\0\0").unwrap();
        std::os::unix::fs::symlink(d, d.join("sites-enabled/loop")).unwrap();
        let got = collect(&[d.to_path_buf()], None).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|c| {
                (
                    c.path
                        .strip_prefix(d)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    c.kind,
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (".htpasswd".to_string(), InputKind::Htpasswd),
                ("apache2.conf".to_string(), InputKind::ApacheMain),
            ]
        );
    }

    #[test]
    fn snippets_count_without_a_main_config() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.conf"), "<VirtualHost *:80>\n</VirtualHost>\n").unwrap();
        std::os::unix::fs::symlink(d.join("a.conf"), d.join("b.conf")).unwrap();
        let got = collect(&[d.to_path_buf()], None).unwrap();
        assert_eq!(got.len(), 1, "a symlinked file is checked once: {got:?}");
        assert_eq!(got[0].kind, InputKind::ApacheSnippet);
    }

    #[test]
    fn explicit_paths_fail_loudly() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(matches!(
            collect(&[d.join("missing")], None),
            Err(CheckError::Io { .. })
        ));
        std::fs::write(d.join("notes.txt"), "hello world\n").unwrap();
        assert!(matches!(
            collect(&[d.join("notes.txt")], None),
            Err(CheckError::UnknownKind(_))
        ));
        let forced = collect(&[d.join("notes.txt")], Some(InputKind::Htpasswd)).unwrap();
        assert_eq!(forced[0].kind, InputKind::Htpasswd);
        assert!(forced[0].explicit);
    }
}
