//! samples/apache: the healthy tree checks clean, the broken tree shows each mistake it
//! was written to show (checked with `--root`, as a staging tree would be).

use htguard::check::{self, CheckOptions};
use htguard::model::LoadOptions;
use std::path::{Path, PathBuf};

fn check(name: &str) -> Vec<(&'static str, String, usize)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/apache")
        .join(name);
    let opts = CheckOptions {
        paths: vec![root.join("etc/apache2")],
        load: LoadOptions {
            root: Some(root.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = check::run(&opts).expect("check runs");
    out.diagnostics
        .iter()
        .map(|d| {
            let f = out.sources.get(d.primary.span.file);
            let rel: PathBuf = f.path.strip_prefix(&root).unwrap_or(&f.path).to_path_buf();
            (
                d.code,
                rel.display().to_string(),
                f.line_col(d.primary.span.start).0,
            )
        })
        .collect()
}

#[test]
fn healthy_sample_is_clean() {
    let found = check("healthy");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn broken_sample_shows_its_mistakes() {
    let found = check("broken");
    let site = "etc/apache2/sites-enabled/example.conf";
    for (code, file, line) in [
        ("AP009", site, 11), // trailing comment on AuthUserFile
        ("AP022", site, 12), // AuthGroupFile without mod_authz_groupfile
        ("AP011", site, 13), // Require group without mod_authz_groupfile
        ("AP014", site, 20), // Require all granted beside valid-user
        ("AP015", site, 29), // <Limit GET>
        ("AP020", site, 44), // password file inside DocumentRoot
        ("AP010", site, 45), // Require user Alice vs alice
        ("AP021", site, 9),  // Basic over plain HTTP
        ("AP017", "var/www/example/members/.htaccess", 2), // AllowOverride None
        ("AP008", "var/www/example/staff/.htaccess", 2), // AuthName unquoted
        ("AP006", "var/www/example/staff/.htaccess", 3), // relative AuthUserFile
        ("PW021", "etc/apache2/auth/reports.htdigest", 1), // digest realm
    ] {
        assert!(
            found
                .iter()
                .any(|(c, f, l)| *c == code && f == file && *l == line),
            "{code} at {file}:{line} missing in {found:#?}"
        );
    }
}
