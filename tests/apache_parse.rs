//! The Apache parser and loader on real-world configurations, and on arbitrary bytes.

mod common;

use htguard::model::LoadOptions;
use htguard::model::apache::{self, ApacheStart};
use htguard::source::Sources;
use htguard::syntax::apache::{Node, parse};
use proptest::prelude::*;
use std::path::Path;

fn count_directives(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|n| match n {
            Node::Directive(_) => 1,
            Node::Section(s) => 1 + count_directives(&s.children),
            Node::Comment(_) => 0,
        })
        .sum()
}

#[test]
fn httpd_example_configs_parse_without_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apache/httpd-docs");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "in") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let c = parse(0, &bytes);
        assert!(c.errors.is_empty(), "{}: {:?}", p.display(), c.errors);
        assert!(!c.nodes.is_empty(), "{}", p.display());
        n += 1;
    }
    assert!(n >= 10);
    let p = dir.join("httpd.conf.in");
    assert!(count_directives(&parse(0, &std::fs::read(p).unwrap()).nodes) > 30);
}

#[test]
fn httpd_conf_example_has_the_expected_structure() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apache/httpd-docs/httpd.conf.in");
    let c = parse(0, &std::fs::read(p).unwrap());
    // `<Files ".ht*"> Require all denied </Files>` is in the stock example.
    let files = c.nodes.iter().find_map(|n| match n {
        Node::Section(s) if s.kind() == "files" => Some(s),
        _ => None,
    });
    let files = files.expect("a <Files> section");
    assert_eq!(files.args[0].value, ".ht*");
    assert!(files.close.is_some());
}

#[test]
fn debian_stock_tree_loads_with_zero_problems() {
    // The tree comes with the apache2 package.
    if !common::need(&["apache2"]) {
        return;
    }
    let main = Path::new("/etc/apache2/apache2.conf");
    assert!(
        main.exists(),
        "apache2 is installed but {} is missing",
        main.display()
    );
    let mut sources = Sources::new();
    let m = apache::load(
        main,
        ApacheStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    // mods-enabled/*.load, conf-enabled, sites-enabled were all followed.
    assert!(m.files.iter().any(|(p, _)| p.ends_with("000-default.conf")));
    assert!(m.has_module("authz_core_module"));
    assert_eq!(m.server_root, Path::new("/etc/apache2"));
    assert_eq!(m.servers.len(), 2, "main server + 000-default vhost");
    assert_eq!(
        m.document_root(1),
        Some(Path::new("/var/www/html")),
        "DocumentRoot of 000-default"
    );
    for (_, id) in &m.files {
        let c = parse(*id, &sources.get(*id).bytes);
        assert!(c.errors.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let c = parse(3, &bytes);
        fn check(nodes: &[Node], len: usize) {
            for n in nodes {
                match n {
                    Node::Directive(d) => {
                        assert!(d.span.end <= len && d.name.span.end <= len);
                        for a in &d.args { assert!(a.span.start <= a.span.end && a.span.end <= len); }
                    }
                    Node::Section(s) => { assert!(s.open.end <= len); check(&s.children, len); }
                    Node::Comment(sp) => assert!(sp.end <= len),
                }
            }
        }
        check(&c.nodes, bytes.len());
    }

    #[test]
    fn config_like_text_parses_without_panicking(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("<Directory /x>".to_string()),
                Just("</Directory>".to_string()),
                Just("<If \"%{HTTPS} == 'on'\">".to_string()),
                Just("</If>".to_string()),
                Just("Require valid-user \\".to_string()),
                "[A-Za-z<>/\"'\\\\# ]{0,30}",
            ],
            0..30,
        )
    ) {
        let text = lines.join("\n");
        let _ = parse(0, text.as_bytes());
    }
}
