//! One test per row of the spec table (spec/passwd-files.md) for each server.
use super::*;
use crate::syntax::passwd::{KindHint, parse, parse_with};

fn apache_hash(src: &[u8], user: &str) -> Option<Vec<u8>> {
    let f = parse(src);
    apache_find_basic(&f, src, user.as_bytes())
        .found()
        .and_then(|r| match r.read {
            ApacheRead::Entry(e) => Some(e.second.text.into_owned()),
            _ => None,
        })
}

fn nginx_hash(src: &[u8], user: &str) -> Option<Vec<u8>> {
    let f = parse(src);
    nginx_find(&f, src, user.as_bytes())
        .found()
        .and_then(|r| match r.read {
            NginxRead::Entry { hash, .. } => Some(hash.text.into_owned()),
            _ => None,
        })
}

fn both(src: &[u8], user: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    (apache_hash(src, user), nginx_hash(src, user))
}

fn h(s: &str) -> Option<Vec<u8>> {
    Some(s.as_bytes().to_vec())
}

#[test]
fn plain_line() {
    assert_eq!(both(b"u:HASH\n", "u"), (h("HASH"), h("HASH")));
}

#[test]
fn long_line_stops_apache_only() {
    let long = [b"x:".as_slice(), &[b'y'; 9000], b"\n"].concat();
    let src = [b"a:A\n".as_slice(), &long, b"u:HASH\n"].concat();
    assert_eq!(apache_hash(&src, "a"), h("A"));
    assert_eq!(apache_hash(&src, "u"), None);
    let f = parse(&src);
    assert_eq!(
        apache_find_basic(&f, &src, b"u"),
        Lookup::NotFound {
            stopped_at: Some(1)
        }
    );
    assert_eq!(nginx_hash(&src, "u"), h("HASH"));
    // 8190 bytes before the LF still fit.
    let fits = [b"x:".as_slice(), &[b'y'; 8188], b"\nu:HASH\n"].concat();
    assert_eq!(apache_hash(&fits, "u"), h("HASH"));
    let over = [b"x:".as_slice(), &[b'y'; 8189], b"\nu:HASH\n"].concat();
    assert_eq!(apache_hash(&over, "u"), None);
}

#[test]
fn trailing_backslash_joins_for_apache() {
    let src = b"u:HASH\\\nv:V\n";
    let f = parse(src);
    let recs: Vec<_> = apache_view(&f, src).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!((recs[0].first_line, recs[0].last_line), (0, 1));
    let ApacheRead::Entry(e) = &recs[0].read else {
        panic!("{recs:?}")
    };
    assert_eq!(e.second.as_bytes(), b"HASHv");
    assert!(e.joined);
    // The joined hash maps back to both lines.
    assert_eq!(e.second.span, 2..9);
    assert_eq!(apache_hash(src, "v"), None);
    assert_eq!(nginx_hash(src, "u"), h("HASH\\"));
    assert_eq!(nginx_hash(src, "v"), h("V"));
    // CRLF continuation too.
    assert_eq!(apache_hash(b"u:A\\\r\nB\r\n", "u"), h("AB"));
}

#[test]
fn doubled_colon() {
    assert_eq!(both(b"u::HASH\n", "u"), (h("HASH"), h("")));
}

#[test]
fn inline_comment_is_part_of_the_hash() {
    assert_eq!(
        both(b"u:HASH # note\n", "u"),
        (h("HASH # note"), h("HASH # note"))
    );
}

#[test]
fn crlf() {
    assert_eq!(both(b"u:HASH\r\nv:V\r\n", "u"), (h("HASH"), h("HASH")));
    assert_eq!(both(b"u:HASH\r\nv:V\r\n", "v"), (h("V"), h("V")));
}

#[test]
fn no_final_newline() {
    assert_eq!(both(b"a:A\nu:HASH", "u"), (h("HASH"), h("HASH")));
}

#[test]
fn bom_hides_the_first_user() {
    let src = b"\xEF\xBB\xBFu:HASH\nv:V\n";
    assert_eq!(both(src, "u"), (None, None));
    assert_eq!(both(src, "v"), (h("V"), h("V")));
    assert_eq!(apache_hash(src, "\u{feff}u"), h("HASH"));
}

#[test]
fn leading_spaces_break_nginx_only() {
    assert_eq!(both(b"  u:HASH\n", "u"), (h("HASH"), None));
    assert_eq!(nginx_hash(b"  u:HASH\n", "  u"), h("HASH"));
}

#[test]
fn trailing_space_breaks_nginx_only() {
    assert_eq!(both(b"u:HASH \t\n", "u"), (h("HASH"), h("HASH \t")));
}

#[test]
fn space_after_colon_breaks_both() {
    assert_eq!(both(b"u: HASH\n", "u"), (h(" HASH"), h(" HASH")));
}

#[test]
fn third_field_is_ignored() {
    assert_eq!(both(b"u:HASH:comment\n", "u"), (h("HASH"), h("HASH")));
}

#[test]
fn comments_and_blank_lines() {
    let src = b"#u:X\n  # u:Y\n\n   \nu:HASH\n";
    assert_eq!(both(src, "u"), (h("HASH"), h("HASH")));
    let f = parse(src);
    let nginx: Vec<_> = nginx_view(&f, src).map(|r| r.read).collect();
    assert_eq!(nginx[0], NginxRead::Skipped);
    assert_eq!(nginx[2], NginxRead::Skipped);
    // A blank-only line has no colon: it never matches.
    assert_eq!(nginx[3], NginxRead::NoColon);
    // nginx checks only the first byte: an indented `#` line is a live user (observed).
    assert!(matches!(&nginx[1], NginxRead::Entry { user, .. } if user.as_bytes() == b"  # u"));
    assert_eq!(nginx_hash(src, "  # u"), h("Y"));
    assert_eq!(apache_hash(src, "  # u"), None);
    let skipped = apache_view(&f, src)
        .filter(|r| r.read == ApacheRead::Skipped)
        .count();
    assert_eq!(skipped, 4);
}

#[test]
fn first_entry_wins() {
    assert_eq!(both(b"u:OLD\nu:NEW\n", "u"), (h("OLD"), h("OLD")));
}

#[test]
fn empty_hash() {
    assert_eq!(both(b"u:\n", "u"), (h(""), h("")));
}

#[test]
fn names_are_case_sensitive() {
    assert_eq!(both(b"U:HASH\n", "u"), (None, None));
}

#[test]
fn line_without_colon() {
    // Apache reads `u` as a user with an empty hash, which shadows the later line.
    let src = b"u\nu:HASH\n";
    assert_eq!(apache_hash(src, "u"), h(""));
    // nginx: the mismatch lands on the LF and swallows the next line.
    assert_eq!(nginx_hash(src, "u"), None);
    assert_eq!(nginx_hash(b"x\nu:HASH\n", "u"), h("HASH"));
    // Prefix of the user name: the same swallowing.
    assert_eq!(nginx_hash(b"al\nalice:H\n", "alice"), None);
    let f = parse(b"u\n");
    assert_eq!(
        nginx_view(&f, b"u\n").next().map(|r| r.read),
        Some(NginxRead::NoColon)
    );
}

#[test]
fn nul_ends_apache_line() {
    assert_eq!(apache_hash(b"u:HA\0SH\nv:V\n", "u"), h("HA"));
    assert_eq!(apache_hash(b"u:HA\0SH\nv:V\n", "v"), h("V"));
}

#[test]
fn cr_starts_a_skipped_line_for_nginx() {
    assert_eq!(both(b"\ru:HASH\n", "u"), (h("HASH"), None));
}

#[test]
fn digest_lookup_by_user_and_realm() {
    let src = b"u:r1:aaaa\nu:r2:bbbb\n";
    let f = parse(src);
    let rec = apache_find_digest(&f, src, b"u", b"r2").found().unwrap();
    let ApacheRead::Entry(e) = rec.read else {
        panic!()
    };
    assert_eq!(e.digest_hash().as_bytes(), b"bbbb");
    assert_eq!(e.digest_realm().as_bytes(), b"r2");
    assert!(apache_find_digest(&f, src, b"u", b"r3").found().is_none());
}

#[test]
fn spans_point_at_source() {
    let src = b"# c\n  alice:HASH \n";
    let f = parse(src);
    let rec = apache_find_basic(&f, src, b"alice").found().unwrap();
    assert_eq!(rec.first_line, 1);
    let ApacheRead::Entry(e) = rec.read else {
        panic!()
    };
    assert_eq!(&src[e.user.span.clone()], b"alice");
    assert_eq!(&src[e.second.span.clone()], b"HASH");
}

#[test]
fn group_members() {
    let src = b"admins : alice \"bob smith\" carol\n# x\nstaff:dave\n";
    let f = parse_with(src, KindHint::Group);
    let groups: Vec<_> = apache_groups(&f, src).collect();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].name.as_bytes(), b"admins");
    let members: Vec<_> = groups[0]
        .members
        .iter()
        .map(|m| m.lossy().into_owned())
        .collect();
    assert_eq!(members, ["alice", "bob smith", "carol"]);
    assert_eq!(&src[groups[0].members[0].span.clone()], b"alice");
    assert_eq!(groups[1].members[0].as_bytes(), b"dave");
    assert_eq!(groups[1].first_line, 2);
}

#[test]
fn views_never_panic_on_odd_input() {
    for src in [
        &b""[..],
        b"\\",
        b"\\\n",
        b"\\\n\\\n",
        b":",
        b"::::",
        b"\0\n\0",
        b"\r",
        b"\n\n\r\n",
        b"a\\\\\n\n",
        b"\xff\xfe:\x00",
    ] {
        let f = parse(src);
        let _ = apache_view(&f, src).count();
        let _ = nginx_view(&f, src).count();
        let _ = apache_groups(&f, src).count();
        let _ = apache_find_basic(&f, src, b"a");
        let _ = nginx_find(&f, src, b"");
    }
}
