//! The request path as httpd makes it before translation (`ap_process_request_internal`):
//! `ap_normalize_path` (unreserved characters decoded, `.` and `..` segments removed,
//! not above the root, slashes merged) then `ap_unescape_url_ex` (`%2F` refused with 404
//! unless `AllowEncodedSlashes`, `%00` refused with 404).

/// How `AllowEncodedSlashes` treats `%2F`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodedSlashes {
    /// `Off` (the default): 404.
    Refuse,
    /// `On`: decoded.
    Decode,
    /// `NoDecode`: allowed, kept encoded.
    Keep,
}

/// The decoded path (`r->uri`) and the query (`r->args`), or the status httpd refuses
/// the target with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub path: String,
    pub query: Option<String>,
}

/// Why a target is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub why: &'static str,
}

fn unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Split, normalize and decode a request target as httpd does.
pub fn parse(
    target: &str,
    merge_slashes: bool,
    slashes: EncodedSlashes,
) -> Result<Target, Refused> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    let path = path.split('#').next().unwrap_or("");
    let normalized = normalize(path.as_bytes(), merge_slashes).ok_or(Refused {
        status: 400,
        why: "invalid URI path (AH10244)",
    })?;
    let mut decoded = unescape(&normalized, slashes)?;
    if slashes == EncodedSlashes::Decode {
        // Decoded slashes may make new `//`, `/./` or `/../` segments.
        decoded = normalize(&decoded, merge_slashes).ok_or(Refused {
            status: 400,
            why: "invalid URI path (AH10244)",
        })?;
    }
    Ok(Target {
        path: String::from_utf8_lossy(&decoded).into_owned(),
        query,
    })
}

/// `ap_normalize_path` with AP_NORMALIZE_NOT_ABOVE_ROOT | DECODE_UNRESERVED (and
/// MERGE_SLASHES when `merge`); None where httpd fails (400).
pub fn normalize(path: &[u8], merge: bool) -> Option<Vec<u8>> {
    if path.first() != Some(&b'/') {
        return (path == b"*").then(|| path.to_vec());
    }
    // httpd edits the buffer in place; a copy with the same reads and writes.
    let mut p = path.to_vec();
    p.push(0);
    let (mut l, mut w) = (1usize, 1usize);
    let mut ok = true;
    while p[l] != 0 {
        if p[l] == b'%' {
            match (hex(p[l + 1]), p.get(l + 2).copied().and_then(hex)) {
                (Some(h), Some(lo)) => {
                    let c = h * 16 + lo;
                    if unreserved(c) {
                        l += 2;
                        p[l] = c;
                    }
                }
                _ => ok = false,
            }
        }
        if w == 0 || p[w - 1] == b'/' {
            if merge && p[l] == b'/' {
                while p[l] == b'/' {
                    l += 1;
                }
                continue;
            }
            if p[l] == b'.' {
                let end = |c: u8| c == b'/' || c == 0;
                if end(p[l + 1]) {
                    l += 1;
                    if p[l] != 0 {
                        l += 1;
                    }
                    continue;
                }
                let mut n = l + 1;
                let dotdot = p[n] == b'.'
                    || (p[n] == b'%' && {
                        n += 1;
                        p[n] == b'2' && {
                            n += 1;
                            p[n] == b'e' || p[n] == b'E'
                        }
                    });
                if dotdot && end(p[n + 1]) {
                    if w > 1 {
                        w -= 1;
                        while w > 0 && p[w - 1] != b'/' {
                            w -= 1;
                        }
                    } else {
                        ok = false;
                    }
                    l = n + 1;
                    if p[l] != 0 {
                        l += 1;
                    }
                    continue;
                }
            }
        }
        p[w] = p[l];
        w += 1;
        l += 1;
    }
    p.truncate(w);
    ok.then_some(p)
}

/// `ap_unescape_url_ex` with AP_UNESCAPE_URL_KEEP_UNRESERVED (and the slash flags).
fn unescape(path: &[u8], slashes: EncodedSlashes) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::with_capacity(path.len());
    let (mut bad_escape, mut bad_path) = (false, false);
    let mut i = 0;
    while i < path.len() {
        let c = path[i];
        if c != b'%' {
            out.push(c);
            i += 1;
            continue;
        }
        let (Some(h), Some(l)) = (
            path.get(i + 1).copied().and_then(hex),
            path.get(i + 2).copied().and_then(hex),
        ) else {
            bad_escape = true;
            out.push(b'%');
            i += 1;
            continue;
        };
        let decoded = h * 16 + l;
        let slash = decoded == b'/';
        if decoded == 0 || (slash && slashes == EncodedSlashes::Refuse) {
            bad_path = true;
            out.push(decoded);
        } else if unreserved(decoded) || (slash && slashes == EncodedSlashes::Keep) {
            out.extend_from_slice(&path[i..i + 3]);
        } else {
            out.push(decoded);
        }
        i += 3;
    }
    if bad_escape {
        Err(Refused {
            status: 400,
            why: "a bad %-escape in the path",
        })
    } else if bad_path {
        Err(Refused {
            status: 404,
            why: "an encoded '/' or NUL in the path (AH00026: AllowEncodedSlashes is Off)",
        })
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Result<String, u16> {
        parse(t, true, EncodedSlashes::Refuse)
            .map(|t| t.path)
            .map_err(|r| r.status)
    }

    #[test]
    fn dot_segments_and_slashes() {
        assert_eq!(p("/a/./b/../c"), Ok("/a/c".into()));
        assert_eq!(p("//a///b/"), Ok("/a/b/".into()));
        assert_eq!(p("/a/%2e%2E/b"), Ok("/b".into()));
        assert_eq!(p("/a/.%2e/b"), Ok("/b".into()));
        assert_eq!(p("/.."), Err(400));
        assert_eq!(p("/a/../../b"), Err(400));
        assert_eq!(p("a/b"), Err(400));
        assert_eq!(p("/a/.."), Ok("/".into()));
    }

    #[test]
    fn escapes() {
        assert_eq!(p("/a%20b"), Ok("/a b".into()));
        assert_eq!(p("/%41dmin"), Ok("/Admin".into()));
        assert_eq!(p("/a%2Fb"), Err(404));
        assert_eq!(p("/a%00"), Err(404));
        assert_eq!(p("/a%zz"), Err(400));
        assert_eq!(
            parse("/a%2Fb", true, EncodedSlashes::Keep).map(|t| t.path),
            Ok("/a%2Fb".into())
        );
        assert_eq!(
            parse("/x/..%2F..%2Fetc", true, EncodedSlashes::Decode).map_err(|r| r.status),
            Err(400)
        );
        let t = parse("/q?a=1&b=%2F", true, EncodedSlashes::Refuse).unwrap();
        assert_eq!(
            (t.path.as_str(), t.query.as_deref()),
            ("/q", Some("a=1&b=%2F"))
        );
    }
}
