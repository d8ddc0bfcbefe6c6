//! Property tests for the Apache and nginx parsers and loaders: any bytes, and inputs
//! shaped like each grammar (directives, sections or blocks, quotes, escapes, line
//! continuations, includes with globs, Define and `${VAR}`), parse and load without
//! panicking, with every span inside its file. The fuzz targets in `fuzz/` go further;
//! these keep the property in every `cargo test` run at a modest case count.

use htguard::check::{self, CheckOptions};
use htguard::model::LoadOptions;
use htguard::source::Span;
use htguard::syntax::{apache, nginx};
use proptest::prelude::*;
use std::path::Path;

fn inside(span: Span, file: usize, len: usize) {
    assert!(
        span.file == file && span.start <= span.end && span.end <= len,
        "{span:?} outside file {file} of {len} bytes"
    );
}

fn apache_spans(bytes: &[u8]) {
    fn nodes(list: &[apache::Node], len: usize) {
        for n in list {
            match n {
                apache::Node::Comment(s) => inside(*s, 5, len),
                apache::Node::Directive(d) => {
                    inside(d.span, 5, len);
                    for w in std::iter::once(&d.name).chain(&d.args) {
                        inside(w.span, 5, len);
                    }
                }
                apache::Node::Section(s) => {
                    inside(s.open, 5, len);
                    s.close.iter().for_each(|c| inside(*c, 5, len));
                    for w in std::iter::once(&s.name).chain(&s.args) {
                        inside(w.span, 5, len);
                    }
                    nodes(&s.children, len);
                }
            }
        }
    }
    let parsed = apache::parse(5, bytes);
    nodes(&parsed.nodes, bytes.len());
    for e in &parsed.errors {
        inside(e.span, 5, bytes.len());
        e.related
            .iter()
            .for_each(|(s, _)| inside(*s, 5, bytes.len()));
    }
}

fn nginx_spans(bytes: &[u8]) {
    let len = bytes.len();
    let parsed = nginx::parse(5, bytes);
    for (d, _) in parsed.walk() {
        inside(d.span, 5, len);
        for w in std::iter::once(&d.name).chain(&d.args) {
            inside(w.span, 5, len);
            assert!(d.span.start <= w.span.start && w.span.end <= d.span.end);
        }
        if let Some(b) = &d.block {
            inside(b.open, 5, len);
            b.close.iter().for_each(|c| inside(*c, 5, len));
        }
    }
    parsed.comments.iter().for_each(|c| inside(*c, 5, len));
    parsed.error.iter().for_each(|e| inside(e.span, 5, len));
}

/// Write `files` (path under the root, content) and run the whole check from `main`;
/// every finding's spans lie inside the file they name.
fn check_tree(main: &str, files: &[(&str, Vec<u8>)], apache_main: bool) {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
    let main = dir.path().join(main);
    let mut opts = CheckOptions {
        load: LoadOptions {
            root: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    if apache_main {
        opts.apache_configs = vec![main];
    } else {
        opts.nginx_configs = vec![main];
    }
    let Ok(outcome) = check::run(&opts) else {
        return;
    };
    for d in &outcome.diagnostics {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let len = outcome.sources.get(label.span.file).bytes.len();
            inside(label.span, label.span.file, len);
        }
    }
}

fn apache_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<Directory \"/var/www/${SITE}\">".to_string()),
        Just("</Directory>".to_string()),
        Just("<Location /admin>".to_string()),
        Just("</Location>".to_string()),
        Just("<IfDefine SITE>".to_string()),
        Just("<IfDefine !SITE>".to_string()),
        Just("</IfDefine>".to_string()),
        Just("<IfModule mod_auth_basic.c>".to_string()),
        Just("</IfModule>".to_string()),
        Just("<If \"%{HTTPS} == 'on'\">".to_string()),
        Just("</If>".to_string()),
        Just("Define SITE example".to_string()),
        Just("Define ${SITE}x ${SITE}${SITE}".to_string()),
        Just("UnDefine SITE".to_string()),
        Just("Include conf.d/*.conf".to_string()),
        Just("IncludeOptional conf.d/[ab]*.conf".to_string()),
        Just("Include /etc/apache2/apache2.conf".to_string()),
        Just("IncludeOptional ${SITE}/*".to_string()),
        Just("AuthType Basic".to_string()),
        Just("AuthName \"a \\\" b\"".to_string()),
        Just("AuthUserFile /etc/apache2/users".to_string()),
        Just("Require valid-user \\".to_string()),
        Just("Require user alice 'bob".to_string()),
        Just("DocumentRoot /var/www/${SITE}".to_string()),
        Just("AllowOverride AuthConfig".to_string()),
        "[A-Za-z<>/\"'\\\\#${}*? ]{0,30}",
    ]
}

fn nginx_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("http {".to_string()),
        Just("server {".to_string()),
        Just("location /admin {".to_string()),
        Just("location ~* \\.php$ {".to_string()),
        Just("limit_except GET {".to_string()),
        Just("}".to_string()),
        Just("include conf.d/*.conf;".to_string()),
        Just("include /etc/nginx/nginx.conf;".to_string()),
        Just("auth_basic \"Admin's \\\"area\\\"\";".to_string()),
        Just("auth_basic off;".to_string()),
        Just("auth_basic_user_file users;".to_string()),
        Just("auth_basic_user_file $host.users;".to_string()),
        Just("satisfy any;".to_string()),
        Just("allow 127.0.0.1; deny all;".to_string()),
        Just("root /srv/${x};".to_string()),
        Just("set $realm 'x';".to_string()),
        Just("# comment {".to_string()),
        "[a-z ;{}\"'\\\\#$\n()*]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn apache_any_bytes_keep_spans_inside(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        apache_spans(&bytes);
    }

    #[test]
    fn apache_grammar_shaped_text_keeps_spans_inside(
        lines in proptest::collection::vec(apache_line(), 0..30),
        crlf in any::<bool>(),
    ) {
        apache_spans(lines.join(if crlf { "\r\n" } else { "\n" }).as_bytes());
    }

    #[test]
    fn nginx_any_bytes_keep_spans_inside(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        nginx_spans(&bytes);
    }

    #[test]
    fn nginx_grammar_shaped_text_keeps_spans_inside(
        pieces in proptest::collection::vec(nginx_piece(), 0..40),
    ) {
        nginx_spans(pieces.join(" ").as_bytes());
    }
}

proptest! {
    // The loaders touch the disk: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn apache_loader_with_includes_never_panics(
        main in proptest::collection::vec(apache_line(), 0..20),
        a in proptest::collection::vec(apache_line(), 0..10),
        b in proptest::collection::vec(apache_line(), 0..10),
        htaccess in proptest::collection::vec(apache_line(), 0..8),
        users in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let files = [
            ("etc/apache2/apache2.conf", main.join("\n").into_bytes()),
            ("etc/apache2/conf.d/a.conf", a.join("\n").into_bytes()),
            ("etc/apache2/conf.d/b.conf", b.join("\n").into_bytes()),
            ("var/www/example/.htaccess", htaccess.join("\n").into_bytes()),
            ("etc/apache2/users", users),
        ];
        check_tree("etc/apache2/apache2.conf", &files, true);
    }

    #[test]
    fn nginx_loader_with_includes_never_panics(
        main in proptest::collection::vec(nginx_piece(), 0..30),
        a in proptest::collection::vec(nginx_piece(), 0..15),
        users in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let files = [
            ("etc/nginx/nginx.conf", main.join(" ").into_bytes()),
            ("etc/nginx/conf.d/a.conf", a.join(" ").into_bytes()),
            ("etc/nginx/users", users),
        ];
        check_tree("etc/nginx/nginx.conf", &files, false);
    }

    #[test]
    fn loaders_take_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_tree("etc/apache2/apache2.conf", &[("etc/apache2/apache2.conf", bytes.clone())], true);
        check_tree("etc/nginx/nginx.conf", &[("etc/nginx/nginx.conf", bytes)], false);
    }
}

#[test]
fn the_trees_are_read_from_the_root() {
    // The loader tests above only mean something if the files are found: a known tree
    // gives a finding in an included file.
    let files = [
        ("etc/apache2/apache2.conf", b"Include conf.d/*.conf\n".to_vec()),
        (
            "etc/apache2/conf.d/a.conf",
            b"<Directory /srv>\nAuthType Basic\nAuthName x\nAuthUserFile /nope\nRequire valid-user\n</Directory>\n".to_vec(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in &files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
    let opts = CheckOptions {
        apache_configs: vec![dir.path().join(files[0].0)],
        load: LoadOptions {
            root: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    let outcome = check::run(&opts).unwrap();
    let included = outcome.diagnostics.iter().any(|d| {
        outcome
            .sources
            .get(d.primary.span.file)
            .path
            .ends_with(Path::new("conf.d/a.conf"))
    });
    assert!(
        included,
        "{:?}",
        outcome
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>()
    );
}
