//! Turn the paths given on the command line into the files to start from:
//! walk directories (without following a symlink loop), skip what is not ours,
//! and detect each file's kind.

use super::kind::{self, InputKind};
use super::{CheckError, CheckOptions};
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
    /// Why it is checked, in words (`--verbose`, the JSON report).
    pub why: String,
}

/// A file to start from that exists but could not be read: reported (HG004), not a reason
/// to stop checking the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub path: PathBuf,
    /// What its name (or `--kind`) says it is; `None` when only its content could tell.
    pub kind: Option<InputKind>,
    /// Named on the command line.
    pub explicit: bool,
    pub why: String,
    pub error: std::io::ErrorKind,
    /// The error as the system put it.
    pub message: String,
}

/// What discovery found: the files to check and those that could not be read.
#[derive(Debug, Default)]
pub struct Discovered {
    pub candidates: Vec<Candidate>,
    pub unreadable: Vec<Unread>,
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

/// The files to start from, as [`discover`], for commands that cannot answer without
/// every one of them (`why`, `probe`): an unreadable file stops them.
pub(crate) fn starting_points(opts: &CheckOptions) -> Result<Vec<Candidate>, CheckError> {
    let found = discover(opts)?;
    match found.unreadable.into_iter().next() {
        Some(u) => Err(CheckError::io(
            &u.path,
            std::io::Error::new(u.error, u.message),
        )),
        None => Ok(found.candidates),
    }
}

/// The files to start from, main configs first: the paths of the command line (or the
/// system locations), and the main configs `--apache-config`/`--nginx-config` name; and
/// those of them that could not be read.
pub(crate) fn discover(opts: &CheckOptions) -> Result<Discovered, CheckError> {
    let named_mains = !opts.apache_configs.is_empty() || !opts.nginx_configs.is_empty();
    let paths: Vec<PathBuf> = if opts.paths.is_empty() && !named_mains {
        // `--root R` alone: R is the root filesystem to check, not the host's /etc.
        if let Some(root) = &opts.load.root {
            return discover(&CheckOptions {
                paths: vec![root.clone()],
                ..opts.clone()
            });
        }
        let found: Vec<PathBuf> = DEFAULT_LOCATIONS
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .collect();
        if found.is_empty() {
            return Err(CheckError::NothingToCheck);
        }
        found
    } else {
        opts.paths.clone()
    };
    let mut walked = Walked::default();
    let mut candidates = collect_walked(&paths, opts.kind, &mut walked)?;
    for (configs, kind, flag) in [
        (
            &opts.apache_configs,
            InputKind::ApacheMain,
            "--apache-config",
        ),
        (&opts.nginx_configs, InputKind::NginxMain, "--nginx-config"),
    ] {
        for path in configs {
            let first_unread = walked.unreadable.len();
            for mut c in collect_walked(std::slice::from_ref(path), Some(kind), &mut walked)? {
                c.kind = kind;
                c.why = format!("named by {flag}");
                candidates.push(c);
            }
            for u in &mut walked.unreadable[first_unread..] {
                u.why = format!("named by {flag}");
            }
        }
    }
    // A named main config decides which snippets its server reads.
    let apache_main = !opts.apache_configs.is_empty();
    let nginx_main = !opts.nginx_configs.is_empty();
    candidates.retain(|c| {
        c.explicit
            || !(apache_main && c.kind == InputKind::ApacheSnippet
                || nginx_main && c.kind == InputKind::NginxSnippet)
    });
    let mut seen = HashSet::new();
    candidates.retain(|c| seen.insert(super::canonical(&c.path)));
    // Files whose kind cannot be told are not enough to call the run a check.
    if candidates.is_empty()
        && walked
            .unreadable
            .iter()
            .all(|u| u.kind.is_none() && !u.explicit)
    {
        return Err(CheckError::NothingFound {
            paths,
            files: walked.files,
            unreadable: walked.unreadable.len(),
        });
    }
    // Main configs first, so that files they include are not loaded again as snippets.
    candidates.sort_by_key(|c| !matches!(c.kind, InputKind::ApacheMain | InputKind::NginxMain));
    Ok(Discovered {
        candidates,
        unreadable: walked.unreadable,
    })
}

/// What walking directories met.
#[derive(Default)]
struct Walked {
    /// Regular files looked at (whether or not they were taken).
    files: usize,
    /// Files to check that could not be read.
    unreadable: Vec<Unread>,
}

impl Walked {
    /// Keep `path`, which could not be read, for the report: unless it is a file htguard
    /// would not check even if it could read it (a PHP script, an image…).
    fn unreadable(
        &mut self,
        path: &Path,
        forced: Option<InputKind>,
        explicit: bool,
        why: String,
        error: std::io::Error,
    ) {
        let kind = forced.or_else(|| kind::by_name(path));
        if kind.is_none() && !explicit && kind::not_a_config_by_name(path) {
            return;
        }
        self.unreadable.push(Unread {
            path: path.to_path_buf(),
            kind,
            explicit,
            why,
            error: error.kind(),
            message: error.to_string(),
        });
    }
}

/// Collect the starting files under `paths`. `forced` gives every file that kind. A file
/// that cannot be read is an error here.
pub fn collect(paths: &[PathBuf], forced: Option<InputKind>) -> Result<Vec<Candidate>, CheckError> {
    let mut walked = Walked::default();
    let found = collect_walked(paths, forced, &mut walked)?;
    match walked.unreadable.into_iter().next() {
        Some(u) => Err(CheckError::io(
            &u.path,
            std::io::Error::new(u.error, u.message),
        )),
        None => Ok(found),
    }
}

fn collect_walked(
    paths: &[PathBuf],
    forced: Option<InputKind>,
    walked: &mut Walked,
) -> Result<Vec<Candidate>, CheckError> {
    let mut out = Vec::new();
    let mut seen_files: HashSet<(u64, u64)> = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| CheckError::io(path, e))?;
        if meta.is_dir() {
            out.extend(collect_dir(path, forced, &mut seen_files, walked)?);
        } else if meta.is_file() {
            if !seen_files.insert((meta.dev(), meta.ino())) {
                continue;
            }
            let head = match read_head(path) {
                Ok(head) => head,
                Err(e) => {
                    let why = "named on the command line".to_string();
                    walked.unreadable(path, forced, true, why, e);
                    continue;
                }
            };
            let kind = forced
                .or_else(|| kind::detect_named(path, &head))
                .ok_or_else(|| CheckError::UnknownKind(path.clone()))?;
            out.push(Candidate {
                path: path.clone(),
                kind,
                explicit: true,
                why: "named on the command line".into(),
            });
        } else {
            return Err(CheckError::NotAFile(path.clone()));
        }
    }
    Ok(out)
}

/// Where the servers' main configs are in a root filesystem (`etc/…`), in `/etc`, and in
/// the servers' own config directories (`/etc/apache2`, `/etc/httpd`, `/etc/nginx`).
const MAIN_CONFIGS: &[(&str, InputKind)] = &[
    ("etc/apache2/apache2.conf", InputKind::ApacheMain),
    ("etc/httpd/conf/httpd.conf", InputKind::ApacheMain),
    ("etc/nginx/nginx.conf", InputKind::NginxMain),
    ("apache2/apache2.conf", InputKind::ApacheMain),
    ("httpd/conf/httpd.conf", InputKind::ApacheMain),
    ("nginx/nginx.conf", InputKind::NginxMain),
    ("apache2.conf", InputKind::ApacheMain),
    ("conf/httpd.conf", InputKind::ApacheMain),
    ("httpd.conf", InputKind::ApacheMain),
    ("nginx.conf", InputKind::NginxMain),
];

/// The files of directory `dir` to start from. Where the servers keep their main
/// configs, those (and what they read) are all; else the directory is walked, and the
/// main configs found on the way are again all; only a tree without one gives its loose
/// files, those whose name or content says server config or password file.
fn collect_dir(
    dir: &Path,
    forced: Option<InputKind>,
    seen_files: &mut HashSet<(u64, u64)>,
    walked: &mut Walked,
) -> Result<Vec<Candidate>, CheckError> {
    if forced.is_none() {
        let mains: Vec<Candidate> = MAIN_CONFIGS
            .iter()
            .filter(|(rel, _)| dir.join(rel).is_file())
            .map(|(rel, kind)| main_candidate(dir.join(rel), *kind, dir))
            .collect();
        if !mains.is_empty() {
            return Ok(mains);
        }
    }
    let mut found = Vec::new();
    let first_unread = walked.unreadable.len();
    walk(dir, forced, seen_files, walked, &mut found)?;
    if forced.is_some() {
        return Ok(found);
    }
    let mains: Vec<Candidate> = found
        .iter()
        .filter(|c| matches!(c.kind, InputKind::ApacheMain | InputKind::NginxMain))
        .map(|c| main_candidate(c.path.clone(), c.kind, dir))
        .collect();
    if mains.is_empty() {
        return Ok(found);
    }
    // The servers read what their main configs name: the loaders say which of those
    // cannot be read.
    walked.unreadable.truncate(first_unread);
    Ok(mains)
}

fn main_candidate(path: PathBuf, kind: InputKind, dir: &Path) -> Candidate {
    let server = if kind.is_apache() { "Apache" } else { "nginx" };
    Candidate {
        path,
        kind,
        explicit: false,
        why: format!(
            "the {server} main config in {}: the server starts here and reads what it includes",
            dir.display()
        ),
    }
}

fn walk(
    root: &Path,
    forced: Option<InputKind>,
    seen_files: &mut HashSet<(u64, u64)>,
    walked: &mut Walked,
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
            walked.files += 1;
            let head = match read_head(&path) {
                Ok(head) => head,
                Err(e) => {
                    let why = format!("found in {}", root.display());
                    walked.unreadable(&path, forced, false, why, e);
                    continue;
                }
            };
            if let Some((kind, why)) = found_kind(&path, &head, root, forced) {
                out.push(Candidate {
                    path,
                    kind,
                    explicit: false,
                    why,
                });
            }
        }
        // Depth-first in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

/// The kind of a file met walking `root`, and why it is checked; `None`: not checked.
fn found_kind(
    path: &Path,
    head: &[u8],
    root: &Path,
    forced: Option<InputKind>,
) -> Option<(InputKind, String)> {
    match forced {
        Some(k) if !kind::looks_binary(head) => Some((
            k,
            format!("found in {}, read as --kind {}", root.display(), k.name()),
        )),
        Some(_) => None,
        None => kind::detect_found(path, head).map(|k| {
            let by = if kind::by_name(path).is_some() {
                "name"
            } else {
                "content"
            };
            let why = format!(
                "found in {} (no server main config there): its {by} says {}",
                root.display(),
                k.name()
            );
            (k, why)
        }),
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let mut head = Vec::with_capacity(4096);
    f.take(kind::HEAD_LEN as u64).read_to_end(&mut head)?;
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
        // The server reads the main config and what it names; a password file it does not
        // name is not read.
        assert_eq!(names, [("apache2.conf".to_string(), InputKind::ApacheMain)]);
    }

    #[test]
    fn a_main_config_deeper_in_the_tree_is_where_the_walk_starts() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("deploy/nginx")).unwrap();
        std::fs::write(d.join("deploy/nginx/nginx.conf"), "events {}\nhttp {}\n").unwrap();
        std::fs::write(d.join("deploy/site.conf"), "server {\n listen 80;\n}\n").unwrap();
        std::fs::write(d.join("users.htpasswd"), "u:$apr1$a$b\n").unwrap();
        let got = collect(&[d.to_path_buf()], None).unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].kind, InputKind::NginxMain);
        assert!(got[0].why.contains("main config"), "{}", got[0].why);
    }

    #[test]
    fn a_loose_directory_gives_only_config_and_password_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let files: &[(&str, &str)] = &[
            ("site/.htaccess", "Require all denied\n"),
            (
                "site/users",
                "alice:$apr1$abcdefgh$0123456789abcdefghijkl\n",
            ),
            ("site/theme.scss", "$color-scheme: teal;\n$accent: red;\n"),
            ("site/_vars", "$color-scheme: teal;\n$accent: red;\n"),
            ("site/app.js", "function f() {\n  return 1;\n}\n"),
            ("site/index.php", "<?php\nrequire 'x.php';\nreturn;\n"),
            ("site/shop.php", "server {\n listen 80;\n}\n"),
            (
                "site/events.jsonl",
                "{\"id\":1,\"user\":\"a\"}\n{\"id\":2}\n",
            ),
            ("site/dump", "{\"id\":1}\n{\"id\":2}\n"),
            ("site/notes", "Admins: see the wiki.\nUsers: ask.\n"),
            (
                "site/style.css",
                "body { margin: 0; }\na:hover { color: red; }\n",
            ),
            ("site/README", "Users: see the wiki.\nAdmins: ask.\n"),
        ];
        for (rel, text) in files {
            std::fs::create_dir_all(d.join(rel).parent().unwrap()).unwrap();
            std::fs::write(d.join(rel), text).unwrap();
        }
        std::fs::write(d.join("site/logo.png"), b"\x89PNG\0\0").unwrap();
        let got = collect(&[d.to_path_buf()], None).unwrap();
        let mut names: Vec<_> = got
            .iter()
            .map(|c| {
                (
                    c.path.strip_prefix(d).unwrap().display().to_string(),
                    c.kind,
                )
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ("site/.htaccess".to_string(), InputKind::Htaccess),
                ("site/users".to_string(), InputKind::Htpasswd),
            ]
        );
    }

    #[test]
    fn unreadable_files_are_kept_for_the_report_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a")).unwrap();
        std::fs::create_dir_all(d.join("b")).unwrap();
        // Regular files whose read fails for every user, root included (EIO), each its
        // own file (a file met twice is looked at once).
        for (name, target) in [
            ("a/.htpasswd", "/proc/self/mem"),
            ("a/users", "/proc/1/mem"),
            ("a/app.php", "/proc/thread-self/mem"),
        ] {
            std::os::unix::fs::symlink(target, d.join(name)).unwrap();
        }
        std::fs::write(d.join("b/.htaccess"), "Require all denied\n").unwrap();
        let opts = CheckOptions {
            paths: vec![d.to_path_buf()],
            ..CheckOptions::default()
        };
        let found = discover(&opts).unwrap();
        let kinds: Vec<_> = found.candidates.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [InputKind::Htaccess]);
        let unread: Vec<_> = found
            .unreadable
            .iter()
            .map(|u| (u.path.strip_prefix(d).unwrap().to_path_buf(), u.kind))
            .collect();
        assert_eq!(
            unread,
            [
                (PathBuf::from("a/.htpasswd"), Some(InputKind::Htpasswd)),
                (PathBuf::from("a/users"), None),
            ]
        );
        // `why` cannot answer without them.
        assert!(matches!(starting_points(&opts), Err(CheckError::Io { .. })));
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
