//! Where nginx resolves relative paths: the conf prefix.

use super::NginxStart;
use crate::model::LoadOptions;
use std::path::{Path, PathBuf};

/// Directories that hold site files on Debian, Alpine, RHEL and others, one level
/// below the directory of nginx.conf.
const SITE_DIRECTORIES: [&str; 7] = [
    "sites-enabled",
    "sites-available",
    "conf.d",
    "http.d",
    "vhosts.d",
    "servers",
    "sites",
];

/// nginx's conf prefix: `--prefix`, else the directory of nginx.conf. For a site file,
/// the directory above `sites-enabled/`, `conf.d/` and the like (where nginx.conf lives),
/// else the file's own directory.
pub fn conf_prefix(path: &Path, start: NginxStart, opts: &LoadOptions) -> PathBuf {
    if let Some(p) = &opts.nginx_prefix {
        return p.clone();
    }
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let dir = server_view(&dir, opts);
    if start == NginxStart::Snippet
        && dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| SITE_DIRECTORIES.contains(&n))
        && let Some(up) = dir.parent()
    {
        return up.to_path_buf();
    }
    dir
}

/// A local path as the server sees it: with `--root DIR`, a path under DIR is `/` + rest.
fn server_view(local: &Path, opts: &LoadOptions) -> PathBuf {
    if let Some(root) = &opts.root {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.clone());
        if let Ok(rest) = local.strip_prefix(&root) {
            return Path::new("/").join(rest);
        }
    }
    local.to_path_buf()
}
