use super::*;
use std::os::unix::fs::symlink;

fn matches(pattern: &str, name: &str) -> bool {
    NameMatcher::new(OsStr::new(pattern)).matches(OsStr::new(name))
}

#[test]
fn names_match_like_fnmatch_with_fnm_period() {
    assert!(matches("*.conf", "a.conf"));
    assert!(
        !matches("*.conf", ".hidden.conf"),
        "a leading dot is never a wildcard's"
    );
    assert!(!matches("?hidden", ".hidden"));
    assert!(!matches("[.]h", ".h"), "not even a bracket's");
    assert!(matches(".*", ".h"));
    assert!(matches("\\.*", ".h"));
    assert!(matches("*", "default"));
    assert!(matches("[a-c]?", "bx"));
    assert!(!matches("[!a-c]?", "bx"));
    assert!(!matches("[^a-c]?", "bx"));
    assert!(matches("[^a-c]?", "dx"));
    assert!(matches("x[]]", "x]"), "a leading ] is a member");
    assert!(matches("x[", "x["), "an unclosed [ is a plain character");
    assert!(matches("x[ab", "x[ab"));
    assert!(matches("\\*", "*"));
    assert!(!matches("\\*", "a"));
    assert!(matches("{a,b}.conf", "{a,b}.conf"), "no brace alternation");
    assert!(!matches("{a,b}.conf", "a.conf"));
    assert!(matches("[{]x}", "{x}"));
    assert!(!matches("*.conf", "a.CONF"), "case matters");
    assert!(!matches("[z-a]", "b"), "a reversed range matches nothing");
}

#[test]
fn what_counts_as_a_pattern() {
    assert!(has_wildcard(b"sites/*.conf"));
    assert!(has_wildcard(b"a[bc]"));
    assert!(!has_wildcard(b"a[bc"));
    assert!(!has_wildcard(b"a\\*"));
    assert!(
        Dialect::Nginx.is_pattern("a[bc"),
        "nginx looks for any of *?["
    );
    assert!(!Dialect::Apache.is_pattern("a[bc"));
    assert!(!Dialect::Apache.is_pattern("/etc/apache2/apache2.conf"));
}

/// inc/{a,a-b,real}/x.conf, inc/link -> real, inc/.h/x.conf, inc/a/.dot, inc/a/sub/y.conf
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("inc");
    for d in ["a", "a-b", "real", ".h", "a/sub"] {
        std::fs::create_dir_all(inc.join(d)).unwrap();
    }
    for f in [
        "a/x.conf",
        "a-b/x.conf",
        "real/x.conf",
        ".h/x.conf",
        "a/.dot",
        "a/sub/y.conf",
    ] {
        std::fs::write(inc.join(f), "").unwrap();
    }
    symlink("real", inc.join("link")).unwrap();
    dir
}

/// The paths found, as written, without the leading `dir/`.
fn names(dir: &Path, found: &[PathBuf]) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    found
        .iter()
        .map(|p| {
            p.to_string_lossy()
                .strip_prefix(&prefix)
                .unwrap()
                .to_string()
        })
        .collect()
}

fn expand_in(dir: &Path, pattern: &str, dialect: Dialect) -> Vec<String> {
    names(
        dir,
        &expand(&dir.join(pattern), dialect, &|p: &Path| p.to_path_buf()).paths,
    )
}

#[test]
fn nginx_sorts_the_whole_list_and_follows_linked_directories() {
    let t = tree();
    assert_eq!(
        expand_in(t.path(), "inc/*/x.conf", Dialect::Nginx),
        [
            "inc/a-b/x.conf",
            "inc/a/x.conf",
            "inc/link/x.conf",
            "inc/real/x.conf"
        ]
    );
}

#[test]
fn apache_sorts_each_level_and_skips_linked_directories() {
    let t = tree();
    assert_eq!(
        expand_in(t.path(), "inc/*/x.conf", Dialect::Apache),
        ["inc/a/x.conf", "inc/a-b/x.conf", "inc/real/x.conf"]
    );
}

#[test]
fn a_matched_directory_is_included_whole_by_apache_only() {
    let t = tree();
    assert_eq!(
        expand_in(t.path(), "inc/[a]", Dialect::Apache),
        ["inc/a/.dot", "inc/a/sub/y.conf", "inc/a/x.conf"]
    );
    assert_eq!(expand_in(t.path(), "inc/[a]", Dialect::Nginx), ["inc/a"]);
}

#[test]
fn dot_patterns_reach_dot_and_dotdot_in_nginx() {
    let t = tree();
    assert_eq!(
        expand_in(t.path(), "inc/.*", Dialect::Nginx),
        ["inc/.", "inc/..", "inc/.h"]
    );
    assert_eq!(
        expand_in(t.path(), "inc/.*", Dialect::Apache),
        ["inc/.h/x.conf"]
    );
}

#[test]
fn no_match_is_empty() {
    let t = tree();
    for dialect in [Dialect::Nginx, Dialect::Apache] {
        assert!(expand_in(t.path(), "inc/*.none", dialect).is_empty());
        assert!(expand_in(t.path(), "missing/*.conf", dialect).is_empty());
        assert!(expand_in(t.path(), "inc/*/missing.conf", dialect).is_empty());
    }
}

#[test]
fn literal_components_after_a_wildcard() {
    let t = tree();
    // glob(3) unescapes them; httpd uses them as written.
    assert_eq!(
        expand_in(t.path(), "inc/\\a/*.conf", Dialect::Nginx),
        ["inc/a/x.conf"]
    );
    assert!(expand_in(t.path(), "inc/\\a/*.conf", Dialect::Apache).is_empty());
    // glob(3) keeps a dangling link (nginx then fails to open it).
    symlink("/nonexistent", t.path().join("inc/a/dangling.conf")).unwrap();
    assert_eq!(
        expand_in(t.path(), "inc/[a]/dangling.conf", Dialect::Nginx),
        ["inc/a/dangling.conf"]
    );
}

#[test]
fn server_paths_are_read_under_the_root_and_returned_as_written() {
    let t = tree();
    let root = t.path().to_path_buf();
    let to_local = move |p: &Path| root.join(p.strip_prefix("/").unwrap_or(p));
    let found = expand(Path::new("/inc/*/x.conf"), Dialect::Apache, &to_local).paths;
    assert_eq!(
        found,
        ["/inc/a/x.conf", "/inc/a-b/x.conf", "/inc/real/x.conf"].map(PathBuf::from)
    );
}

#[test]
fn a_directory_that_includes_itself_ends() {
    let t = tree();
    symlink(".", t.path().join("inc/a/sub/loop")).unwrap();
    // The walk ends at the depth limit or when the kernel refuses the path (ELOOP).
    let found = expand_in(t.path(), "inc/a/sub", Dialect::Apache);
    assert!(found.len() > 1, "{found:?}");
    assert!(found.iter().all(|f| f.ends_with("y.conf")));
}

#[test]
fn dead_ends_are_where_httpd_include_stops() {
    let t = tree();
    let dir = t.path();
    let dead_ends = |pattern: &str| {
        expand(&dir.join(pattern), Dialect::Apache, &|p: &Path| {
            p.to_path_buf()
        })
        .dead_ends
    };
    // inc/a/sub exists; inc/a-b/sub and inc/real/sub do not.
    assert_eq!(
        dead_ends("inc/*/sub/*.conf"),
        [
            DeadEnd::NoMatch(dir.join("inc/a-b/sub/*.conf")),
            DeadEnd::NoMatch(dir.join("inc/real/sub/*.conf")),
        ]
    );
    assert_eq!(
        dead_ends("inc/*/sub/y.conf"),
        [
            DeadEnd::Missing(dir.join("inc/a-b/sub/y.conf")),
            DeadEnd::Missing(dir.join("inc/real/sub/y.conf")),
        ]
    );
    assert!(dead_ends("inc/*/x.conf").is_empty());
}
