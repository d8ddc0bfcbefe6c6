//! Password-file parser, server views and edits on arbitrary bytes: nothing panics, the
//! model is lossless, in-memory edits keep the file readable, and edits through the
//! store (`user add/set/delete`, digest entries, group members) on a real file either
//! refuse with an error or change only the lines of the user they name: every other line
//! is kept byte for byte.
#![no_main]

use htguard::hash::Scheme;
use htguard::model::passwd::{
    apache_find_basic, apache_find_digest, apache_groups, apache_view, nginx_find, nginx_view,
};
use htguard::store::WriteOptions;
use htguard::syntax::passwd::{KindHint, PasswdFile, parse, parse_with};
use htguard::user::{self, AddMode, EntryKind, HashChoice, group};
use htguard_fuzz::scratch_dir;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a lookup name from the input itself, and the store edit.
    let (sel, src) = data.split_first().map_or((0, data), |(s, r)| (*s, r));
    let f = parse(src);
    parse_checks(&f, src);

    let user: &[u8] = match f.entries().nth(usize::from(sel % 8)) {
        Some((_, l)) => l.user().map_or(b"u", |r| &src[r]),
        None => b"u",
    };
    let _ = apache_find_basic(&f, src, user);
    let _ = apache_find_digest(&f, src, user, b"r");
    let _ = nginx_find(&f, src, user);

    let name = String::from_utf8_lossy(user).into_owned();
    memory_edits(&f, src, &name);
    store_edit(sel, src, &name);
});

fn parse_checks(f: &PasswdFile, src: &[u8]) {
    assert_eq!(f.to_bytes(src), src);
    let mut pos = 0;
    for l in f.lines() {
        assert_eq!(l.start(), pos);
        pos = l.end();
    }
    assert_eq!(pos, src.len());
    for rec in apache_view(f, src) {
        assert!(rec.span.end <= src.len());
    }
    let _ = nginx_view(f, src).count();
    let g = parse_with(src, KindHint::Group);
    let _ = apache_groups(&g, src).count();
}

fn memory_edits(f: &PasswdFile, src: &[u8], name: &str) {
    for out in [
        f.set_basic(src, name, "$apr1$salt$hash"),
        f.add_basic(src, "fuzzuser", "$apr1$salt$hash"),
        f.add_digest(src, "fuzzuser", "realm", "0123456789abcdef0123456789abcdef"),
        f.remove(src, name, None),
    ]
    .into_iter()
    .flatten()
    {
        let g = parse(&out);
        assert_eq!(g.to_bytes(&out), out);
    }
    if let Ok(out) = f.add_basic(src, "fuzzuser", "$apr1$salt$hash") {
        let g = parse(&out);
        assert!(g.find_basic(&out, b"fuzzuser").is_some());
        assert!(out.starts_with(src));
    }
}

/// One edit through `user`/`store` on a file holding `src`; `name` is an existing user
/// (or `u`), `sel` picks the operation.
fn store_edit(sel: u8, src: &[u8], name: &str) {
    let dir = scratch_dir();
    let path = dir.path().join(".htpasswd");
    std::fs::write(&path, src).expect("write the file");
    let basic = EntryKind::Basic(HashChoice {
        scheme: Scheme::Sha1,
        cost: None,
        rounds: None,
    });
    let digest = EntryKind::Digest {
        realm: "realm".into(),
    };
    let opts = WriteOptions::default();
    let (who, wrote) = match (sel >> 3) % 8 {
        0 => (
            name,
            user::save(&path, name, b"pw", &basic, AddMode::Either, &opts).is_ok(),
        ),
        1 => (
            name,
            user::save(&path, name, b"pw", &basic, AddMode::Existing, &opts).is_ok(),
        ),
        2 => (
            "new",
            user::save(&path, "new", b"pw", &basic, AddMode::New, &opts).is_ok(),
        ),
        3 => (
            name,
            user::save(&path, name, b"pw", &digest, AddMode::Either, &opts).is_ok(),
        ),
        4 => (name, user::delete(&path, name, None).unwrap_or(false)),
        5 => (
            name,
            user::delete(&path, name, Some("realm")).unwrap_or(false),
        ),
        6 => {
            let members = ["new".to_string()];
            (
                name,
                group::add_members(&path, name, &members, &opts).is_ok(),
            )
        }
        _ => {
            let members = ["new".to_string()];
            (name, group::remove_members(&path, name, &members).is_ok())
        }
    };
    let after = std::fs::read(&path).expect("the file is still there");
    if !wrote {
        assert_eq!(
            after, src,
            "a refused or empty edit left the file as it was"
        );
        return;
    }
    let (before, after) = (other_lines(src, who), other_lines(&after, who));
    assert_eq!(before.len(), after.len(), "other lines kept");
    for (b, a) in before.iter().zip(&after) {
        // A final line without a newline gets the file's line ending.
        let same = a == b
            || (!b.ends_with(b"\n")
                && [b"\n", &b"\r\n"[..]].contains(&&a[b.len().min(a.len())..])
                && a.starts_with(b));
        assert!(
            same,
            "line {:?} became {:?}",
            String::from_utf8_lossy(b),
            String::from_utf8_lossy(a)
        );
    }
}

/// The file's lines, endings kept, other than those of `who` (user or group: the first
/// field, leading blanks skipped).
fn other_lines(src: &[u8], who: &str) -> Vec<Vec<u8>> {
    let mut key = who.as_bytes().to_vec();
    key.push(b':');
    let is_blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r');
    src.split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter(|(i, l)| {
            // A UTF-8 BOM on the first line is not part of the name; on any other it is.
            let l = match i {
                0 => l.strip_prefix(b"\xef\xbb\xbf").unwrap_or(l),
                _ => l,
            };
            let skip = l.iter().take_while(|b| is_blank(b)).count();
            !l[skip..].starts_with(&key)
        })
        .map(|(_, l)| l.to_vec())
        .collect()
}
