use super::*;
use proptest::prelude::*;

fn p(src: &str) -> ConfFile {
    parse(0, src.as_bytes())
}

fn values(d: &Directive) -> Vec<String> {
    std::iter::once(&d.name)
        .chain(&d.args)
        .map(|w| w.text().into_owned())
        .collect()
}

fn err(src: &str) -> String {
    p(src).error.expect("expected an error").message
}

#[test]
fn directives_blocks_and_spans() {
    let src =
        "user www-data;\nhttp {\n  server { listen 80; location /a/ { auth_basic \"R\"; } }\n}\n";
    let f = p(src);
    assert!(f.error.is_none());
    assert_eq!(values(&f.items[0]), ["user", "www-data"]);
    let http = &f.items[1];
    assert!(http.is("http"));
    let server = &http.children()[0];
    let loc = &server.children()[1];
    assert_eq!(values(loc), ["location", "/a/"]);
    let ab = &loc.children()[0];
    assert_eq!(&src[ab.args[0].span.start..ab.args[0].span.end], "\"R\"");
    assert_eq!(ab.args[0].text(), "R");
    assert_eq!(&src[ab.span.start..ab.span.end], "auth_basic \"R\";");
    assert_eq!(
        &src[http.span.start..http.span.end],
        &src[15..src.len() - 1]
    );
    assert_eq!(f.walk().len(), 6);
}

#[test]
fn quotes_and_escapes_as_nginx_reads_them() {
    let f = p(r#"a "x y" 'q\'s' "t\tn\n" "b\\s" "\d" un\;quoted "$a{b}";"#);
    assert!(f.error.is_none(), "{:?}", f.error);
    let v = values(&f.items[0]);
    assert_eq!(v[1], "x y");
    assert_eq!(v[2], "q's");
    assert_eq!(v[3], "t\tn\n");
    assert_eq!(v[4], "b\\s");
    assert_eq!(v[5], "\\d");
    // `\;` keeps the word going but nginx keeps the backslash in the value.
    assert_eq!(v[6], "un\\;quoted");
    assert_eq!(v[7], "$a{b}");
    assert_eq!(f.items[0].args[0].quote, Some(b'"'));
}

#[test]
fn comments_only_at_word_start() {
    let f = p("a b#c; # real comment\r\nd;");
    assert_eq!(values(&f.items[0]), ["a", "b#c"]);
    assert_eq!(values(&f.items[1]), ["d"]);
    assert_eq!(f.comments.len(), 1);
    let c = f.comments[0];
    assert_eq!(
        &"a b#c; # real comment\r\nd;"[c.start..c.end],
        "# real comment"
    );
}

#[test]
fn variables_keep_braces_and_brace_ends_plain_words() {
    // `${x}` stays one word; an unquoted `{` elsewhere opens a block, so a regex with
    // `{2}` must be quoted in nginx.
    let f = p("set $a ${host}x;");
    assert_eq!(values(&f.items[0]), ["set", "$a", "${host}x"]);
    let f = p("location ~ ^/a{2}$ { }");
    assert_eq!(values(&f.items[0]), ["location", "~", "^/a"]);
    assert!(f.error.is_some(), "the rest after the brace is not valid");
    let f = p("location ~ \"^/a{2}$\" { }");
    assert!(f.error.is_none());
    assert_eq!(f.items[0].args[1].text(), "^/a{2}$");
}

#[test]
fn close_brace_inside_a_word_is_part_of_it() {
    let f = p("a b}; ");
    assert_eq!(values(&f.items[0]), ["a", "b}"]);
}

#[test]
fn if_parentheses_after_quotes() {
    let f = p("if ($x = \"a\") { return 403; }");
    assert!(f.error.is_none(), "{:?}", f.error);
    assert_eq!(values(&f.items[0]), ["if", "($x", "=", "a", ")"]);
}

#[test]
fn errors_worded_like_nginx() {
    assert_eq!(
        err("a b"),
        "unexpected end of file, expecting \";\" or \"}\""
    );
    assert_eq!(err("http { a;"), "unexpected end of file, expecting \"}\"");
    assert_eq!(err("a; }"), "unexpected \"}\"");
    assert_eq!(err(";"), "unexpected \";\"");
    assert_eq!(err("{"), "unexpected \"{\"");
    assert_eq!(err("a b }"), "unexpected \"}\"");
    assert_eq!(err("a \"b\"c;"), "unexpected \"c\"");
    assert_eq!(err("a \"b\"#c;"), "unexpected \"#\"");
    let long = format!("a {};", "x".repeat(5000));
    assert!(err(&long).starts_with("too long parameter \"xxxxxxxxxx...\""));
    let open = format!("a \"{}", "x".repeat(5000));
    assert!(err(&open).contains("missing terminating '\"'"));
}

#[test]
fn keeps_what_came_before_an_error() {
    let f = p("a 1;\nhttp {\n server { b 2; }\n");
    assert_eq!(f.items.len(), 2);
    let http = &f.items[1];
    assert!(http.block.as_ref().unwrap().close.is_none());
    assert_eq!(values(&http.children()[0].children()[0]), ["b", "2"]);
    let e = f.error.unwrap();
    assert_eq!(e.span.start, "a 1;\nhttp {\n server { b 2; }\n".len());
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let src = "a {".repeat(100_000);
    let f = p(&src);
    assert!(f.error.unwrap().message.contains("nested"));
}

#[test]
fn error_span_points_at_the_character() {
    let src = "a;\nb \"x\"y;";
    let e = p(src).error.unwrap();
    assert_eq!(&src[e.span.start..e.span.end], "y");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn never_panics_and_spans_are_in_bounds(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let f = parse(0, &bytes);
        for (d, _) in f.walk() {
            for w in std::iter::once(&d.name).chain(&d.args) {
                prop_assert!(w.span.start <= w.span.end && w.span.end <= bytes.len());
            }
            prop_assert!(d.span.end <= bytes.len());
        }
        if let Some(e) = &f.error {
            prop_assert!(e.span.end <= bytes.len());
        }
    }

    #[test]
    fn never_panics_on_config_like_text(s in "[a-z ;{}\"'\\\\#$\n()]{0,300}") {
        let _ = parse(0, s.as_bytes());
    }
}

#[test]
fn spans_move_to_the_line_of_the_terminator() {
    let src = "location /a\n    {\n}\nlisten 80 default_server;\n";
    let f = p(src);
    let loc = &f.items[0];
    assert_eq!(&src[loc.terminator().start..loc.terminator().end], "{");
    let at = loc.on_terminator_line(loc.name.span, src.as_bytes());
    assert_eq!(&src[at.start..at.end], "{");
    let listen = &f.items[1];
    let at = listen.on_terminator_line(listen.args[0].span, src.as_bytes());
    assert_eq!(&src[at.start..at.end], "80", "same line: the word itself");
}
