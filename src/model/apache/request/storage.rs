//! The file behind a file name (core's `ap_directory_walk`): the path is walked from the
//! root one segment at a time; the walk stops at the first file (the rest is path_info)
//! or at the first name that does not exist (the rest is path_info too).

use crate::model::request::{FileState, Files};
use std::path::{Path, PathBuf};

/// What the walk found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    File,
    Directory,
    Missing,
}

/// The result of the directory walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// `r->filename` after the walk: the file, the directory (with the URL's trailing
    /// slash), or the first missing name.
    pub filename: String,
    /// What follows the file name in the URL's path.
    pub path_info: String,
    pub found: Found,
    /// The deepest directory the walk entered (its `<Directory>` sections and
    /// `.htaccess` files apply).
    pub dir: PathBuf,
}

/// Why the walk refuses the request (403).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// Walk `filename` (absolute) through `files`.
pub fn walk(files: &dyn Files, filename: &str) -> Result<Walk, Refused> {
    let mut walked = String::new();
    let mut dir = PathBuf::from("/");
    let segments: Vec<&str> = filename.split('/').collect();
    // segments[0] is the empty text before the leading slash.
    let mut i = 1;
    while i < segments.len() {
        let seg = segments[i];
        if seg.is_empty() {
            // A trailing slash (or a doubled one): a directory stays a directory.
            walked.push('/');
            i += 1;
            continue;
        }
        let candidate = format!("{}/{seg}", walked.trim_end_matches('/'));
        let rest = || {
            let tail = segments[i + 1..].join("/");
            if i + 1 < segments.len() {
                format!("/{tail}")
            } else {
                String::new()
            }
        };
        match files.state(Path::new(&candidate)) {
            FileState::Directory => {
                walked = candidate;
                dir = PathBuf::from(&walked);
            }
            FileState::File { .. } => {
                return Ok(Walk {
                    filename: candidate,
                    path_info: rest(),
                    found: Found::File,
                    dir,
                });
            }
            FileState::Missing => {
                return Ok(Walk {
                    filename: candidate,
                    path_info: rest(),
                    found: Found::Missing,
                    dir,
                });
            }
            FileState::Unreadable(why) => {
                return Err(Refused(format!(
                    "access to {candidate} denied: search permissions are missing on a \
                     component of the path (AH00035: {why})"
                )));
            }
            FileState::Other => {
                return Err(Refused(format!(
                    "{candidate} doesn't point to a file or directory (AH00038)"
                )));
            }
        }
        i += 1;
    }
    if walked.is_empty() {
        walked.push('/');
    }
    Ok(Walk {
        filename: walked,
        path_info: String::new(),
        found: Found::Directory,
        dir,
    })
}

/// The name `<Files>` sections are matched against: the last segment of the file name.
pub fn basename(filename: &str) -> &str {
    filename.rsplit('/').next().unwrap_or(filename)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Fake(BTreeMap<&'static str, FileState>);
    impl Files for Fake {
        fn state(&self, p: &Path) -> FileState {
            self.0
                .get(p.to_str().unwrap())
                .cloned()
                .unwrap_or(FileState::Missing)
        }
        fn read(&self, _: &Path) -> std::io::Result<Vec<u8>> {
            Err(std::io::ErrorKind::NotFound.into())
        }
        fn list(&self, _: &Path) -> Vec<String> {
            Vec::new()
        }
    }

    fn fake() -> Fake {
        let d = FileState::Directory;
        Fake(BTreeMap::from([
            ("/srv", d.clone()),
            ("/srv/www", d.clone()),
            ("/srv/www/a", d),
            ("/srv/www/a/f.txt", FileState::File { size: 3 }),
        ]))
    }

    #[test]
    fn files_directories_and_path_info() {
        let w = walk(&fake(), "/srv/www/a/f.txt/more/x").unwrap();
        assert_eq!(w.found, Found::File);
        assert_eq!(w.filename, "/srv/www/a/f.txt");
        assert_eq!(w.path_info, "/more/x");
        assert_eq!(w.dir, PathBuf::from("/srv/www/a"));
        let d = walk(&fake(), "/srv/www/a/").unwrap();
        assert_eq!(
            (d.found, d.filename.as_str()),
            (Found::Directory, "/srv/www/a/")
        );
        assert_eq!(basename(&d.filename), "");
        let n = walk(&fake(), "/srv/www/a").unwrap();
        assert_eq!(
            (n.filename.as_str(), basename(&n.filename)),
            ("/srv/www/a", "a")
        );
        let m = walk(&fake(), "/srv/www/nope/x").unwrap();
        assert_eq!(m.found, Found::Missing);
        assert_eq!(
            (m.filename.as_str(), m.path_info.as_str()),
            ("/srv/www/nope", "/x")
        );
        assert_eq!(m.dir, PathBuf::from("/srv/www"));
    }
}
