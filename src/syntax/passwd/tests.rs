use super::*;

fn kinds(src: &[u8]) -> Vec<LineKind> {
    parse(src).lines().iter().map(|l| l.kind()).collect()
}

fn text(src: &[u8], r: Option<std::ops::Range<usize>>) -> &[u8] {
    r.map_or(b"<none>", |r| &src[r])
}

#[test]
fn keeps_every_byte_and_each_ending() {
    let src: &[u8] = b"\xEF\xBB\xBFa:1\r\n# c\n  # i\n\nb:2\rc\nlast:3";
    let f = parse(src);
    assert_eq!(f.to_bytes(src), src);
    let endings: Vec<_> = f.lines().iter().map(|l| l.ending()).collect();
    assert_eq!(
        endings,
        [
            Ending::CrLf,
            Ending::Lf,
            Ending::Lf,
            Ending::Lf,
            Ending::Lf,
            Ending::None
        ]
    );
    assert_eq!(
        kinds(src),
        [
            LineKind::Basic,
            LineKind::Comment,
            LineKind::Comment,
            LineKind::Blank,
            LineKind::Basic,
            LineKind::Basic
        ]
    );
    assert!(f.has_bom());
    assert!(!f.ends_with_newline());
    // A CR inside a line is content, not an ending.
    assert!(f.lines()[4].has(Facts::INNER_CR));
}

#[test]
fn lone_cr_at_eof_is_an_ending() {
    let src = b"a:1\r";
    let f = parse(src);
    assert_eq!(f.lines()[0].ending(), Ending::Cr);
    assert_eq!(text(src, f.lines()[0].field2()), b"1");
    assert_eq!(f.to_bytes(src), src);
}

#[test]
fn fields_and_raw_facts() {
    let src: &[u8] = b"\xEF\xBB\xBFalice:h1\n  bob :  h2 # note \t\ncarol::h3:x\ndave:h\\\n";
    let f = parse(src);
    let l = f.lines();
    assert!(l[0].has(Facts::BOM));
    assert_eq!(text(src, l[0].user()), b"alice");
    assert_eq!(text(src, l[0].bom()), b"\xEF\xBB\xBF");
    assert_eq!(text(src, l[1].user()), b"  bob ");
    assert!(l[1].has(Facts::LEADING_WS | Facts::WS_BEFORE_COLON | Facts::WS_AFTER_COLON));
    assert!(l[1].has(Facts::TRAILING_WS | Facts::WS_IN_FIELD2));
    assert_eq!(&src[l[1].trailing_ws(src)], b" \t");
    assert_eq!(&src[l[1].leading_ws(src)], b"  ");
    assert!(l[2].has(Facts::DOUBLED_COLON));
    assert_eq!(text(src, l[2].field2()), b"");
    assert_eq!(text(src, l[2].field3()), b"h3:x");
    assert!(l[3].has(Facts::TRAILING_BACKSLASH));
    assert!(!l[0].has(Facts::TRAILING_WS));
}

#[test]
fn line_length_counts_bytes_before_the_lf() {
    let lf = [b"u:".as_slice(), &[b'x'; 8188], b"\n"].concat();
    assert_eq!(parse(&lf).lines()[0].len_before_lf(), 8190);
    let none = [b"u:".as_slice(), &[b'x'; 8188]].concat();
    assert_eq!(parse(&none).lines()[0].len_before_lf(), 8190);
    // The CR of a CRLF is before the LF too (a line-buffered reader holds it).
    let crlf = [b"u:".as_slice(), &[b'x'; 8188], b"\r\n"].concat();
    assert_eq!(parse(&crlf).lines()[0].len_before_lf(), 8191);
}

#[test]
fn detects_file_kinds() {
    assert_eq!(parse(b"").kind(), FileKind::Empty);
    assert_eq!(parse(b"# only\n\n").kind(), FileKind::Empty);
    assert_eq!(parse(b"a:$apr1$x$y\n").kind(), FileKind::Basic);
    let d = b"a:r:0123456789abcdef0123456789abcdef\n";
    assert_eq!(parse(d).kind(), FileKind::Digest);
    let mixed = b"a:r:0123456789abcdef0123456789abcdef\nb:$2y$10$xx\n";
    assert_eq!(parse(mixed).kind(), FileKind::Mixed);
    assert_eq!(
        parse(b"admins: alice bob\nstaff: carol\n").kind(),
        FileKind::Group
    );
    // One word after the colon could be a password: needs a hint.
    assert_eq!(parse(b"staff: carol\n").kind(), FileKind::Basic);
    assert_eq!(
        parse_with(b"staff: carol\n", KindHint::Group).kind(),
        FileKind::Group
    );
    // A hash-like word after a space is a broken basic line, not a group.
    assert_eq!(
        parse(b"alice: $2y$10$abc\nadmins: a b\n").kind(),
        FileKind::Basic
    );
    assert_eq!(parse(b"alice: abcdefghij12.\n").kind(), FileKind::Basic);
    assert_eq!(kinds(b"nocolon\n"), [LineKind::NoColon]);
}

#[test]
fn line_ending_style_is_the_majority() {
    assert_eq!(parse(b"a:1\r\nb:2\r\nc:3\n").line_ending(), Ending::CrLf);
    assert_eq!(parse(b"a:1\nb:2").line_ending(), Ending::Lf);
    assert_eq!(parse(b"a:1").line_ending(), Ending::Lf);
}

#[test]
fn find_honours_first_entry() {
    let src = b"# x\nalice:old\nbob:b\nalice:new\n";
    let f = parse(src);
    assert_eq!(f.find_basic(src, b"alice"), Some(1));
    assert_eq!(f.find_basic(src, b"nobody"), None);
    let d = b"a:r1:0123456789abcdef0123456789abcdef\na:r2:0123456789abcdef0123456789abcdef\n";
    let f = parse(d);
    assert_eq!(f.find_digest(d, b"a", b"r2"), Some(1));
    assert_eq!(f.find_digest(d, b"a", b"r3"), None);
}

#[test]
fn set_changes_only_the_hash_field() {
    let src = b"# keep\r\nalice:old:comment\r\nbob:b\r\nalice:shadowed\r\n";
    let f = parse(src);
    let out = f.set_basic(src, "alice", "NEW").unwrap();
    assert_eq!(
        out,
        b"# keep\r\nalice:NEW:comment\r\nbob:b\r\nalice:shadowed\r\n"
    );
    // Doubled colon and blanks after the colon are replaced by a clean field.
    let src = b"a:: old  \nb: x\n";
    let f = parse(src);
    assert_eq!(f.set_basic(src, "a", "N").unwrap(), b"a:N\nb: x\n");
    assert!(matches!(
        f.set_basic(src, "zed", "N"),
        Err(EditError::UserNotFound { .. })
    ));
}

#[test]
fn add_terminates_the_last_line_first() {
    let src = b"a:1\r\nb:2";
    let out = parse(src).add_basic(src, "c", "3").unwrap();
    assert_eq!(out, b"a:1\r\nb:2\r\nc:3\r\n");
    let src = b"a:1\r";
    assert_eq!(
        parse(src).add_basic(src, "c", "3").unwrap(),
        b"a:1\r\nc:3\n"
    );
    assert_eq!(parse(b"").add_basic(b"", "c", "3").unwrap(), b"c:3\n");
    let src = b"a:1\n";
    assert!(matches!(
        parse(src).add_basic(src, "a", "x"),
        Err(EditError::UserExists { .. })
    ));
}

#[test]
fn remove_drops_every_entry_of_the_user() {
    let src = b"a:1\nb:2\na:old\nc:3";
    let f = parse(src);
    assert_eq!(f.remove(src, "a", None).unwrap(), b"b:2\nc:3");
    assert_eq!(f.remove(src, "c", None).unwrap(), b"a:1\nb:2\na:old\n");
    assert!(f.remove(src, "zz", None).is_err());
}

#[test]
fn refuses_the_wrong_kind_and_bad_fields() {
    let d = b"a:r:0123456789abcdef0123456789abcdef\n";
    let f = parse(d);
    let err = f.add_basic(d, "b", "x").unwrap_err();
    assert!(matches!(
        err,
        EditError::WrongKind {
            file: FileKind::Digest,
            ..
        }
    ));
    assert!(err.to_string().contains("htdigest"), "{err}");
    assert_eq!(
        f.add_digest(d, "b", "r", "ff").unwrap(),
        b"a:r:0123456789abcdef0123456789abcdef\nb:r:ff\n"
    );
    let b = b"a:x\n";
    let f = parse(b);
    assert!(matches!(
        f.add_digest(b, "u", "r", "h"),
        Err(EditError::WrongKind { .. })
    ));
    for (user, hash) in [
        ("a:b", "h"),
        ("", "h"),
        (" a", "h"),
        ("#a", "h"),
        ("u", "h:x"),
        ("u", ""),
    ] {
        assert!(
            matches!(f.add_basic(b, user, hash), Err(EditError::Invalid { .. })),
            "{user:?}"
        );
    }
}

#[test]
fn a_batch_uses_one_pass_and_sees_its_own_additions() {
    let src = b"a:1\n";
    let f = parse(src);
    let mut e = f.editor(src);
    for i in 0..100 {
        e.add_basic(&format!("u{i}"), "h").unwrap();
    }
    assert!(e.add_basic("u5", "h").is_err());
    e.set_basic("u5", "H5").unwrap();
    assert!(!e.upsert_basic("a", "A").unwrap());
    e.remove("u7", None).unwrap();
    let out = e.finish();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("a:A\nu0:h\n"));
    assert!(text.contains("\nu5:H5\n"));
    assert!(!text.contains("u7:"));
    assert_eq!(text.lines().count(), 100);
}

#[test]
fn an_entry_behind_a_bom_is_not_the_user_the_servers_look_up() {
    // Both servers, and Apache's `htpasswd`, read the BOM as part of the first name.
    let src = b"\xEF\xBB\xBFalice:1\n";
    let f = parse(src);
    assert_eq!(f.find_basic(src, b"alice"), None);
    assert_eq!(f.find_basic(src, b"\xEF\xBB\xBFalice"), Some(0));
    // `add` writes the entry the servers find; the BOM line stays for `check` to report.
    assert_eq!(
        f.add_basic(src, "alice", "2").unwrap(),
        b"\xEF\xBB\xBFalice:1\nalice:2\n"
    );
}

#[test]
fn a_changed_entry_loses_its_leading_blanks() {
    // Apache trims them; nginx would read them as part of the name.
    let src = b"\t bob:1:x\nalice:1\n";
    let f = parse(src);
    assert_eq!(f.set_basic(src, "bob", "2").unwrap(), b"bob:2:x\nalice:1\n");
}

#[test]
fn no_edit_leaves_a_backslash_at_the_end_of_a_line() {
    // A `\` kept after the new hash would make Apache join the next line; so would one a
    // NUL hid before.
    for src in [&b"bob:1:x\\\nalice:1\n"[..], b"bob:1\0:x\\\nalice:1\n"] {
        let refused = parse(src).set_basic(src, "bob", "2");
        assert!(
            matches!(refused, Err(EditError::JoinedLine { line: 1 })),
            "{src:?}"
        );
    }
    // A `\` that was part of the old hash goes with it.
    let src = b"x:1\\\nbob:1\n";
    assert_eq!(
        parse(src).set_basic(src, "x", "2").unwrap(),
        b"x:2\nbob:1\n"
    );
}

#[test]
fn group_lines_are_found_by_name() {
    let src = b"admins : alice bob\n";
    let f = parse_with(src, KindHint::Group);
    assert_eq!(f.find_group(src, b"admins"), Some(0));
}

#[test]
fn line_at_maps_offsets() {
    let src = b"a:1\nb:2\n";
    let f = parse(src);
    assert_eq!(f.line_at(0), Some(0));
    assert_eq!(f.line_at(4), Some(1));
    assert_eq!(f.line_at(100), Some(1));
    assert_eq!(parse(b"").line_at(0), None);
}
