//! Password-file parser, server views and edits on arbitrary bytes:
//! nothing panics, the model is lossless, and edits keep the file readable.
#![no_main]

use htguard::model::passwd::{
    apache_find_basic, apache_find_digest, apache_groups, apache_view, nginx_find, nginx_view,
};
use htguard::syntax::passwd::{KindHint, parse, parse_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a lookup name from the input itself.
    let (sel, src) = data.split_first().map_or((0, data), |(s, r)| (*s, r));
    let f = parse(src);
    assert_eq!(f.to_bytes(src), src);
    let mut pos = 0;
    for l in f.lines() {
        assert_eq!(l.start(), pos);
        pos = l.end();
    }
    assert_eq!(pos, src.len());

    for rec in apache_view(&f, src) {
        assert!(rec.span.end <= src.len());
    }
    let _ = nginx_view(&f, src).count();
    let g = parse_with(src, KindHint::Group);
    let _ = apache_groups(&g, src).count();

    let user: &[u8] = match f.entries().nth(usize::from(sel % 8)) {
        Some((_, l)) => l.user().map_or(b"u", |r| &src[r]),
        None => b"u",
    };
    let _ = apache_find_basic(&f, src, user);
    let _ = apache_find_digest(&f, src, user, b"r");
    let _ = nginx_find(&f, src, user);

    let name = String::from_utf8_lossy(user).into_owned();
    for out in [
        f.set_basic(src, &name, "$apr1$salt$hash"),
        f.add_basic(src, "fuzzuser", "$apr1$salt$hash"),
        f.add_digest(src, "fuzzuser", "realm", "0123456789abcdef0123456789abcdef"),
        f.remove(src, &name, None),
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
});
