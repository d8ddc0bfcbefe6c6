//! `htguard.toml`: project settings for `htguard check`, found upward from the first
//! checked path (or named with `--config`).
//!
//! ```toml
//! [check]
//! select = ["PW", "AP001"]      # rules to run: codes, names, prefixes, families, "ALL"
//! ignore = ["PW012"]            # rules not to run (the most specific selector wins)
//! fail-on = "warning"           # error (default) | warning | info
//! target = ["nginx"]            # same names as --target
//! root = "rootfs"               # --root, relative to this file
//! server-root = "/etc/httpd"    # --server-root (as the server sees it)
//! prefix = "/etc/nginx"         # --prefix (as the server sees it)
//! server-user = "www-data"      # --server-user
//! format = "gitlab"             # --format: human | json | sarif | github | gitlab
//!
//! [severity]
//! PW010 = "error"               # per rule (code, name or prefix): error | warning | info
//! ```
//! Unknown tables, keys, rule codes and values are errors.

use crate::check::select::{self, Selector};
use crate::diag::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "htguard.toml";

/// Settings read from one `htguard.toml`; `None`/empty means "not set there".
#[derive(Clone, Debug, Default)]
pub struct FileConfig {
    /// Where it was read from.
    pub path: PathBuf,
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
    pub severity: Vec<(Selector, Severity)>,
    pub fail_on: Option<Severity>,
    pub target: Option<Vec<String>>,
    /// Paths relative to the config file's directory, already joined.
    pub root: Option<PathBuf>,
    pub server_root: Option<PathBuf>,
    pub prefix: Option<PathBuf>,
    pub server_user: Option<String>,
    /// `--format`, by name (the CLI knows the names).
    pub format: Option<String>,
}

/// Why `htguard.toml` could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    severity: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    fail_on: Option<String>,
    target: Option<OneOrMany>,
    root: Option<PathBuf>,
    server_root: Option<PathBuf>,
    prefix: Option<PathBuf>,
    server_user: Option<String>,
    format: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The nearest `htguard.toml` in `start` (a file's directory, or a directory) or above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let first = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    first?
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Read and validate one config file.
pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
    let err = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(crate::rules::meta::unreadable_file::describe(&e)))?;
    parse(&text, path.parent().unwrap_or(Path::new(".")))
        .map_err(err)
        .map(|mut c| {
            c.path = path.to_path_buf();
            c
        })
}

/// Parse config text; relative paths are taken from `base`.
pub fn parse(text: &str, base: &Path) -> Result<FileConfig, String> {
    let raw: Raw = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let selectors = |key: &str, v: Option<Vec<String>>| -> Result<Option<Vec<Selector>>, String> {
        v.map(|v| {
            v.iter()
                .map(|s| Selector::parse(s).map_err(|e| format!("[check] {key}: {e}")))
                .collect()
        })
        .transpose()
    };
    let select = selectors("select", raw.check.select)?;
    let ignore = selectors("ignore", raw.check.ignore)?.unwrap_or_default();
    let fail_on = raw
        .check
        .fail_on
        .map(|s| select::parse_level(&s).map_err(|e| format!("[check] fail-on: {e}")))
        .transpose()?;
    let target = raw.check.target.map(|t| match t {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    });
    if let Some(t) = &target {
        crate::target::Profile::from_names(t).map_err(|e| format!("[check] target: {e}"))?;
    }
    let severity = raw
        .severity
        .iter()
        .map(|(code, level)| {
            Ok((
                Selector::parse(code).map_err(|e| format!("[severity]: {e}"))?,
                select::parse_level(level).map_err(|e| format!("[severity] {code}: {e}"))?,
            ))
        })
        .collect::<Result<_, String>>()?;
    Ok(FileConfig {
        path: PathBuf::new(),
        select,
        ignore,
        severity,
        fail_on,
        target,
        root: raw.check.root.map(|p| base.join(p)),
        server_root: raw.check.server_root,
        prefix: raw.check.prefix,
        server_user: raw.check.server_user,
        format: raw.check.format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let c = parse(
            "[check]\nselect=[\"HG\"]\nignore=[\"HG002\"]\nfail-on=\"warning\"\ntarget=\"nginx\"\nroot=\"rootfs\"\n\n[severity]\nHG001=\"error\"\n",
            Path::new("/repo"),
        )
        .unwrap();
        assert_eq!(c.select.unwrap()[0].as_str(), "HG");
        assert_eq!(c.ignore[0].as_str(), "HG002");
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(c.target, Some(vec!["nginx".to_string()]));
        assert_eq!(c.root, Some(PathBuf::from("/repo/rootfs")));
        assert_eq!(c.severity[0].1, Severity::Error);
    }

    #[test]
    fn rejects_unknown_things() {
        let e = parse("[check]\nselec=[\"HG\"]\n", Path::new("/")).unwrap_err();
        assert!(e.contains("unknown field `selec`"), "{e}");
        let e = parse("[checks]\n", Path::new("/")).unwrap_err();
        assert!(e.contains("unknown field `checks`"), "{e}");
        let e = parse("[severity]\nHG999=\"error\"\n", Path::new("/")).unwrap_err();
        assert!(e.contains("unknown rule `HG999`"), "{e}");
        let e = parse("[severity]\nHG001=\"fatal\"\n", Path::new("/")).unwrap_err();
        assert!(e.contains("unknown severity"), "{e}");
        let e = parse("[check]\nfail-on=\"never\"\n", Path::new("/")).unwrap_err();
        assert!(e.contains("fail-on"), "{e}");
        let e = parse("[check]\ntarget=[\"iis\"]\n", Path::new("/")).unwrap_err();
        assert!(e.contains("unknown target"), "{e}");
    }

    #[test]
    fn found_upward() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        std::fs::write(d.path().join(FILE_NAME), "").unwrap();
        std::fs::write(d.path().join("a/b/.htpasswd"), "").unwrap();
        assert_eq!(
            find(&d.path().join("a/b/.htpasswd")),
            Some(d.path().join(FILE_NAME))
        );
        assert_eq!(find(&d.path().join("a")), Some(d.path().join(FILE_NAME)));
    }
}
