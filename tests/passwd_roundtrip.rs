//! The password-file model is lossless, edits are local, and the server views
//! agree with literal ports of the servers' reading loops.

use htguard::model::passwd::{
    ApacheRead, NginxRead, apache_find_basic, apache_view, nginx_find, nginx_view,
};
use htguard::syntax::passwd::{Ending, LineKind, parse};
use proptest::prelude::*;

/// Bytes rich in what matters to the parser: colons, endings, blanks, `#`, `\`, NUL, BOM.
fn tricky_bytes() -> impl Strategy<Value = Vec<u8>> {
    let atom = prop_oneof![
        8 => prop::sample::select(b"au:x\n\r \t#\\\0".to_vec()).prop_map(|b| vec![b]),
        4 => prop::sample::select(vec![&b"u:"[..], b"\nu", b"\na", b"au:", b"u\n", b"\\\n", b"\r\n"]).prop_map(<[u8]>::to_vec),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => (8180usize..8200).prop_map(|n| vec![b'x'; n]),
    ];
    prop::collection::vec(atom, 0..80).prop_map(|v| v.concat())
}

/// A realistic file: entries, comments, blanks, one ending style, optional BOM and
/// final newline.
fn realistic_file() -> impl Strategy<Value = (Vec<u8>, Vec<String>)> {
    let line = prop_oneof![
        6 => ("[a-z]{1,8}", "[./A-Za-z0-9$]{4,20}").prop_map(|(u, h)| (Some(u.clone()), format!("{u}:{h}"))),
        1 => "# [ -~]{0,20}".prop_map(|c| (None, c)),
        1 => Just((None, String::new())),
        1 => ("[a-z]{1,8}", "[a-z]{1,6}").prop_map(|(u, c)| (Some(u.clone()), format!("{u}:$apr1$x$y:{c}"))),
    ];
    (
        prop::collection::vec(line, 1..30),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, bom, final_nl)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut out = String::new();
            if bom {
                out.push('\u{feff}');
            }
            let mut users = Vec::new();
            for (i, (user, text)) in lines.iter().enumerate() {
                out.push_str(text);
                if i + 1 < lines.len() || final_nl {
                    out.push_str(nl);
                }
                if let Some(u) = user {
                    users.push(u.clone());
                }
            }
            (out.into_bytes(), users)
        })
}

fn lines_of(src: &[u8]) -> Vec<Vec<u8>> {
    let f = parse(src);
    f.lines().iter().map(|l| src[l.range()].to_vec()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_round_trip(src in prop::collection::vec(any::<u8>(), 0..512)) {
        let f = parse(&src);
        prop_assert_eq!(f.to_bytes(&src), src.clone());
        check_partition(&src);
    }

    #[test]
    fn tricky_bytes_round_trip(src in tricky_bytes()) {
        let f = parse(&src);
        prop_assert_eq!(f.to_bytes(&src), src.clone());
        check_partition(&src);
        // The views never panic and never read past the input.
        for rec in apache_view(&f, &src) {
            prop_assert!(rec.span.end <= src.len());
        }
        for rec in nginx_view(&f, &src) {
            if let NginxRead::Entry { user, hash } = rec.read {
                prop_assert_eq!(&src[user.span.clone()], user.as_bytes());
                prop_assert_eq!(&src[hash.span.clone()], hash.as_bytes());
            }
        }
    }

    /// The fast views agree with line-for-line ports of the servers' C loops.
    #[test]
    fn views_match_the_servers_reading_loops(src in tricky_bytes(), user in prop::sample::select(vec!["u", "a", "au", "ua", "", "\u{feff}u"])) {
        let f = parse(&src);
        let apache = apache_find_basic(&f, &src, user.as_bytes()).found().map(|r| match r.read {
            ApacheRead::Entry(e) => e.second.text.into_owned(),
            other => panic!("{other:?}"),
        });
        prop_assert_eq!(apache, apache_reference(&src, user.as_bytes()));
        let nginx = nginx_find(&f, &src, user.as_bytes()).found().map(|r| match r.read {
            NginxRead::Entry { hash, .. } => hash.text.into_owned(),
            other => panic!("{other:?}"),
        });
        prop_assert_eq!(nginx, nginx_reference(&src, user.as_bytes()));
    }

    #[test]
    fn editing_one_user_leaves_every_other_byte((src, users) in realistic_file(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!users.is_empty());
        let user = pick.get(&users);
        let f = parse(&src);
        prop_assume!(f.kind() == htguard::syntax::passwd::FileKind::Basic);
        // Behind a BOM the first name is `<BOM>name`, to the servers and to the editor.
        let target = f.find_basic(&src, user.as_bytes());
        prop_assume!(target.is_some());
        let target = target.unwrap();
        let out = f.set_basic(&src, user, "$2y$10$NEWHASHNEWHASHNEWHASH").unwrap();
        let before = lines_of(&src);
        let after = lines_of(&out);
        prop_assert_eq!(before.len(), after.len());
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            if i != target {
                prop_assert_eq!(b, a);
            }
        }
        let g = parse(&out);
        let line = g.lines()[target];
        prop_assert_eq!(line.ending(), f.lines()[target].ending());
        let hash = &out[line.field2().unwrap()];
        prop_assert_eq!(hash, b"$2y$10$NEWHASHNEWHASHNEWHASH");
        // Removing a user leaves the other lines in order, byte for byte.
        let removed = f.remove(&src, user, None).unwrap();
        let kept: Vec<_> = before.iter().enumerate()
            .filter(|(i, _)| {
                let l = f.lines()[*i];
                !(l.kind() == LineKind::Basic && l.user().map(|r| &src[l.start()..r.end]) == Some(user.as_bytes()))
            })
            .map(|(_, l)| l.clone()).collect();
        prop_assert_eq!(removed, kept.concat());
    }

    #[test]
    fn adding_keeps_the_style_and_never_glues((src, users) in realistic_file()) {
        let f = parse(&src);
        prop_assume!(matches!(f.kind(), htguard::syntax::passwd::FileKind::Basic | htguard::syntax::passwd::FileKind::Empty));
        prop_assume!(!users.iter().any(|u| u == "newuser"));
        let out = f.add_basic(&src, "newuser", "HASH").unwrap();
        let style = f.line_ending();
        let nl: &[u8] = if style == Ending::CrLf { b"\r\n" } else { b"\n" };
        let mut expected = src.clone();
        if !f.ends_with_newline() {
            expected.extend_from_slice(nl);
        }
        expected.extend_from_slice(b"newuser:HASH");
        expected.extend_from_slice(nl);
        prop_assert_eq!(&out, &expected);
        // Every user that was readable still is, and the new one too.
        let g = parse(&out);
        for u in &users {
            prop_assert_eq!(g.find_basic(&out, u.as_bytes()).is_some(), f.find_basic(&src, u.as_bytes()).is_some());
        }
        prop_assert!(g.find_basic(&out, b"newuser").is_some());
    }
}

/// Every byte is in exactly one line; each line is content + ending.
fn check_partition(src: &[u8]) {
    let f = parse(src);
    let mut pos = 0;
    for l in f.lines() {
        assert_eq!(l.start(), pos);
        assert_eq!(l.content().end, l.ending_range().start);
        assert_eq!(&src[l.ending_range()], l.ending().as_bytes());
        pos = l.end();
    }
    assert_eq!(pos, src.len());
}

#[test]
fn crlf_file_gets_a_crlf_line() {
    let src = b"a:1\r\nb:2\r\n";
    let out = parse(src).add_basic(src, "c", "3").unwrap();
    assert_eq!(out, b"a:1\r\nb:2\r\nc:3\r\n");
}

#[test]
fn no_final_newline_append_does_not_glue() {
    // Apache's `htpasswd` writes `b:2c:3` here.
    let src = b"a:1\nb:2";
    let out = parse(src).add_basic(src, "c", "3").unwrap();
    assert_eq!(out, b"a:1\nb:2\nc:3\n");
}

/// `ngx_http_auth_basic_handler`'s loop, ported statement by statement.
fn nginx_reference(buf: &[u8], user: &[u8]) -> Option<Vec<u8>> {
    let mut data = user.to_vec();
    data.push(b':');
    let (mut state, mut login, mut passwd) = (0u8, 0usize, 0usize);
    for (i, &b) in buf.iter().enumerate() {
        match state {
            0 => {
                if login == 0 {
                    if b == b'#' || b == b'\r' {
                        state = 2;
                        continue;
                    }
                    if b == b'\n' {
                        continue;
                    }
                }
                if b != data[login] {
                    state = 2;
                    continue;
                }
                if login == user.len() {
                    state = 1;
                    passwd = i + 1;
                }
                login += 1;
            }
            1 => {
                if b == b'\n' || b == b'\r' || b == b':' {
                    return Some(buf[passwd..i].to_vec());
                }
            }
            _ => {
                if b == b'\n' {
                    state = 0;
                    login = 0;
                }
            }
        }
    }
    (state == 1).then(|| buf[passwd..].to_vec())
}

/// mod_authn_file `check_password` over `ap_cfg_getline` (apr_file_gets into an
/// 8192-byte buffer, `\` continuation, cfg_trim_line) and `ap_getword`, ported literally.
fn apache_reference(src: &[u8], user: &[u8]) -> Option<Vec<u8>> {
    const BUFSIZE: usize = 8192;
    let strlen = |b: &[u8]| b.iter().position(|c| *c == 0).unwrap_or(b.len());
    let isspace = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut pos = 0usize;
    loop {
        let mut buf = vec![0u8; BUFSIZE];
        let mut cbuf = 0usize;
        let mut cbufsize = BUFSIZE;
        loop {
            // apr_file_gets(buf + cbuf, cbufsize)
            let mut n = 0;
            if cbufsize > 1 {
                while n < cbufsize - 1 && pos < src.len() {
                    buf[cbuf + n] = src[pos];
                    pos += 1;
                    n += 1;
                    if buf[cbuf + n - 1] == b'\n' {
                        break;
                    }
                }
                buf[cbuf + n] = 0;
                if n == 0 {
                    // APR_EOF
                    if cbuf != 0 {
                        buf[cbuf] = 0;
                        break;
                    }
                    return None;
                }
            }
            let mut cp = cbuf + strlen(&buf[cbuf..]);
            if cp > 0 && buf[cp - 1] == b'\n' {
                cp -= 1;
                if cp > 0 && buf[cp - 1] == b'\r' {
                    cp -= 1;
                }
                if cp > 0 && buf[cp - 1] == b'\\' {
                    cp -= 1;
                    cbufsize = (cbufsize as isize - (cp as isize - cbuf as isize)) as usize;
                    cbuf = cp;
                    continue;
                }
            } else if cp >= BUFSIZE - 1 {
                return None; // APR_ENOSPC ends the while loop
            }
            break;
        }
        let line = &buf[..strlen(&buf)];
        let start = line.iter().position(|c| !isspace(*c)).unwrap_or(line.len());
        let end = line
            .iter()
            .rposition(|c| !isspace(*c))
            .map_or(start, |e| e + 1);
        let l = &line[start..end];
        if l.is_empty() || l[0] == b'#' {
            continue;
        }
        let getword = |s: &[u8]| -> (Vec<u8>, usize) {
            let w = s.iter().position(|c| *c == b':').unwrap_or(s.len());
            let mut p = w;
            while p < s.len() && s[p] == b':' {
                p += 1;
            }
            (s[..w].to_vec(), p)
        };
        let (w, p) = getword(l);
        if w == user {
            return Some(getword(&l[p..]).0);
        }
    }
}

/// Speed and size on a 1,000,000-line file. Run:
/// `cargo test --release --test passwd_roundtrip -- --ignored --nocapture million`
#[test]
#[ignore]
fn million_line_file() {
    use std::time::Instant;
    let mut src = Vec::with_capacity(72_000_000);
    for i in 0..1_000_000 {
        src.extend_from_slice(
            format!("user{i:07}:$2y$10$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMN\n")
                .as_bytes(),
        );
    }
    let last = b"user0999999";
    let t = Instant::now();
    let f = parse(&src);
    let parse_time = t.elapsed();
    let index_bytes = std::mem::size_of_val(f.lines());
    let t = Instant::now();
    let apache_records = apache_view(&f, &src).count();
    let apache_time = t.elapsed();
    let t = Instant::now();
    let nginx_records = nginx_view(&f, &src).count();
    let nginx_time = t.elapsed();
    let t = Instant::now();
    assert!(apache_find_basic(&f, &src, last).found().is_some());
    let apache_find_time = t.elapsed();
    let t = Instant::now();
    assert!(nginx_find(&f, &src, last).found().is_some());
    let nginx_find_time = t.elapsed();
    let t = Instant::now();
    assert!(f.find_basic(&src, last).is_some());
    let find_time = t.elapsed();
    let t = Instant::now();
    let out = f.set_basic(&src, "user0999999", "$2y$10$x").unwrap();
    let set_time = t.elapsed();
    let old_hash = f.lines()[999_999].field2().unwrap().len();
    assert_eq!(out.len(), src.len() - old_hash + "$2y$10$x".len());
    assert_eq!((apache_records, nginx_records), (1_000_000, 1_000_000));
    println!(
        "file {} MB, {} lines; index {} MB ({} B/line)\n\
         parse {parse_time:?}; apache view {apache_time:?}; nginx view {nginx_time:?}\n\
         find last: syntax {find_time:?}, apache {apache_find_time:?}, nginx {nginx_find_time:?}; set last {set_time:?}",
        src.len() / 1_000_000,
        f.lines().len(),
        index_bytes / 1_000_000,
        index_bytes / f.lines().len(),
    );
}
