//! The pages every generated site has, so that a status means something: two document
//! roots (vhosts and servers may share one), an alias target, directories with and
//! without an index, dotfiles. Each page's text is its path.

use super::tree::SiteFile;

pub const PAGES: &[&str] = &[
    "htdocs/index.html",
    "htdocs/page.html",
    "htdocs/err.html",
    "htdocs/a/index.html",
    "htdocs/a/page.html",
    "htdocs/a/b/index.html",
    "htdocs/a/b/secret.txt",
    "htdocs/c/index.html",
    "htdocs/c/app.php",
    "htdocs/c/data.txt",
    "htdocs/noindex/file.txt",
    "htdocs2/index.html",
    "htdocs2/a/index.html",
    "htdocs2/a/page.html",
    "htdocs2/a/b/secret.txt",
    "other/index.html",
    "other/x.txt",
    "other/d/index.html",
];

/// Request paths worth asking on any site: pages, directories with and without the
/// slash, misses, dotfiles, `..` and `%2e` forms, double slashes, path info, case.
pub const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/page.html",
    "/a",
    "/a/",
    "/a/page.html",
    "/a/b",
    "/a/b/",
    "/a/b/secret.txt",
    "/c/",
    "/c/app.php",
    "/c/data.txt",
    "/noindex/",
    "/missing.html",
    "/a/missing.txt",
    "/.htpasswd",
    "/.htaccess",
    "/a/.htaccess",
    "/a/../c/data.txt",
    "/a/%2e%2e/c/data.txt",
    "/%2e%2e/pw/users",
    "/a//page.html",
    "/a/page.html/extra",
    "/A/page.html",
    "/a/b/secret.TXT",
    "/err.html",
    "/pw/users",
];

/// The pages as site files.
pub fn pages() -> Vec<SiteFile> {
    PAGES
        .iter()
        .map(|p| SiteFile::text(p, "page", &[p]))
        .collect()
}

/// A copy of the good user file inside the document root (`/.htpasswd`).
pub fn htpasswd_in_docroot(lines: &[&str]) -> SiteFile {
    SiteFile::text("htdocs/.htpasswd", "passwd in docroot", lines)
}
