//! The nginx parser on real-world configurations: Debian's stock /etc/nginx tree and the
//! public examples in tests/fixtures/nginx (origins in ORIGIN.md) parse with zero errors,
//! and their main configs load with every include followed.

mod common;

use htguard::model::LoadOptions;
use htguard::model::nginx::{NginxStart, load};
use htguard::source::Sources;
use htguard::syntax::nginx::parse;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.is_file()
            && !p.ends_with("LICENSE")
            && !p.ends_with("LICENSE.txt")
            && p.extension().is_none_or(|x| x != "md")
        {
            out.push(p);
        }
    }
}

fn assert_all_parse(dir: &Path, at_least: usize) {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    assert!(
        files.len() >= at_least,
        "{} has {} files",
        dir.display(),
        files.len()
    );
    let mut directives = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let parsed = parse(0, &bytes);
        assert!(
            parsed.error.is_none(),
            "{}: {:?}",
            f.display(),
            parsed.error
        );
        directives += parsed.walk().len();
    }
    assert!(directives > 0);
}

fn load_clean(main: &Path, opts: &LoadOptions) -> htguard::model::nginx::NginxModel {
    let mut sources = Sources::new();
    let m = load(main, NginxStart::MainConfig, opts, &mut sources);
    assert!(
        m.problems.is_empty(),
        "{}: {:#?}",
        main.display(),
        m.problems
    );
    m
}

#[test]
fn debian_stock_tree_parses_and_loads() {
    // The tree comes with the nginx package.
    if !common::need(&["nginx"]) {
        return;
    }
    let etc = Path::new("/etc/nginx");
    assert!(
        etc.join("nginx.conf").exists(),
        "nginx is installed but /etc/nginx/nginx.conf is missing"
    );
    assert_all_parse(etc, 10);
    let m = load_clean(&etc.join("nginx.conf"), &LoadOptions::default());
    assert_eq!(m.user, "www-data");
    // sites-enabled/default: `listen 80 default_server` and `listen [::]:80 default_server`.
    let default = &m.servers[0];
    assert!(default.listens.iter().all(|l| l.default_server));
    assert!(m.files.len() >= 3, "{:?}", m.files);
}

#[test]
fn nginx_source_conf_dir_parses_and_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nginx/nginx-src-conf");
    assert_all_parse(&dir, 9);
    let m = load_clean(&dir.join("nginx.conf"), &LoadOptions::default());
    assert_eq!(
        m.servers.len(),
        1,
        "the HTTPS and virtual-host examples are commented out"
    );
    assert!(m.files.iter().any(|f| f.ends_with("mime.types")));
}

#[test]
fn h5bp_server_configs_parse_and_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nginx/h5bp");
    assert_all_parse(&dir, 30);
    let m = load_clean(&dir.join("nginx.conf"), &LoadOptions::default());
    // conf.d/*.conf matches no.ssl.default.conf only: `.default.conf` is hidden from glob.
    assert_eq!(m.servers.len(), 1);
    assert!(m.files.len() > 5);
}
