//! A throw-away directory a test server serves from.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A temp dir (mode 0755, so the www-data workers can traverse it) with an
/// empty `htdocs/` inside. Removed on drop unless `HTGUARD_KEEP_SITES` is set.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Site {
        let mut dir = tempfile::Builder::new()
            .prefix("htguard-site-")
            .tempdir()
            .expect("create temp site dir");
        if std::env::var_os("HTGUARD_KEEP_SITES").is_some() {
            dir.disable_cleanup(true);
            eprintln!("keeping site {}", dir.path().display());
        }
        set_mode(dir.path(), 0o755);
        let site = Site { dir };
        site.mkdir("htdocs");
        site
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the site (a leading `/` is ignored, so "/htdocs/x" works too).
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        let rel = rel.as_ref();
        let rel = rel.strip_prefix("/").unwrap_or(rel);
        self.dir().join(rel)
    }

    /// Writes `bytes` to `rel` with mode 0644, creating parents with mode 0755.
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
        self.write_mode(rel, bytes, 0o644)
    }

    /// Writes `bytes` to `rel` with `mode` (owned by the test's user, root in CI).
    pub fn write_mode(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>, mode: u32) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            self.make_dirs(parent);
        }
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        set_mode(&path, mode);
        path
    }

    /// Creates the directory `rel` (and parents) with mode 0755.
    pub fn mkdir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let path = self.path(rel);
        self.make_dirs(&path);
        path
    }

    fn make_dirs(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        // create_dir_all follows the umask; the workers need 0755 on every level we made.
        let mut cur = dir;
        while cur.starts_with(self.dir()) && cur != self.dir() {
            set_mode(cur, 0o755);
            match cur.parent() {
                Some(p) => cur = p,
                None => break,
            }
        }
    }
}

impl Default for Site {
    fn default() -> Self {
        Site::new()
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {:o} {}: {e}", mode, path.display()));
}
