//! Example strings a regex matches, to turn "this regex location wins" into a concrete
//! URI an admin can try (`/admin/x.php`). Built from the regex's syntax tree; every
//! sample is re-checked against the compiled regex by the caller.

use regex_syntax::hir::{Class, Hir, HirKind};

const MAX: usize = 12;

/// Up to a dozen strings the pattern can match (with `x` standing in for "any").
pub fn samples(pattern: &str) -> Vec<String> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let mut out: Vec<String> = walk(&hir)
        .into_iter()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    out.dedup();
    out
}

fn walk(h: &Hir) -> Vec<Vec<u8>> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(l) => vec![l.0.to_vec()],
        HirKind::Class(c) => vec![class_char(c)],
        HirKind::Repetition(r) => {
            let one = walk(&r.sub);
            let n = r.min.min(4) as usize;
            if n == 0 {
                return vec![Vec::new()];
            }
            one.into_iter().take(MAX).map(|s| s.repeat(n)).collect()
        }
        HirKind::Capture(c) => walk(&c.sub),
        HirKind::Concat(parts) => {
            let mut acc = vec![Vec::new()];
            for p in parts {
                let next = walk(p);
                let mut combined = Vec::new();
                for a in &acc {
                    for b in &next {
                        if combined.len() >= MAX {
                            break;
                        }
                        let mut s = a.clone();
                        s.extend_from_slice(b);
                        combined.push(s);
                    }
                }
                acc = combined;
            }
            acc
        }
        HirKind::Alternation(alts) => alts.iter().flat_map(walk).take(MAX).collect(),
    }
}

/// A friendly member of a class: `x`, else a letter or digit, else its first member.
fn class_char(c: &Class) -> Vec<u8> {
    match c {
        Class::Unicode(u) => {
            let has = |ch: char| u.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
            for ch in ['x', 'a', '0', '-', '_'] {
                if has(ch) {
                    return ch.to_string().into_bytes();
                }
            }
            u.ranges()
                .first()
                .map_or_else(Vec::new, |r| r.start().to_string().into_bytes())
        }
        Class::Bytes(b) => {
            let has = |ch: u8| b.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
            for ch in [b'x', b'a', b'0', b'-', b'_'] {
                if has(ch) {
                    return vec![ch];
                }
            }
            b.ranges()
                .first()
                .map_or_else(Vec::new, |r| vec![r.start()])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_for_common_location_regexes() {
        assert!(samples(r"\.php$").contains(&".php".to_string()));
        assert_eq!(
            samples(r"^/admin/.*\.(js|css)$"),
            ["/admin/.js", "/admin/.css"]
        );
        assert_eq!(samples(r"/\.ht"), ["/.ht"]);
        assert_eq!(samples(r"^/u/([^/]+)/x"), ["/u/x/x"]);
    }
}
