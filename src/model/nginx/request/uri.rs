//! The request target as nginx reads it (`ngx_http_parse_complex_uri` in
//! src/http/ngx_http_parse.c): `%XX` decoded (a decoded `/` or `.` then counts as one),
//! `/./` dropped, `/../` going up (above the root: 400), slashes merged unless
//! `merge_slashes off`, the query split off at the first `?`, a `#` ending the URI.

/// The URI nginx matches locations against, and the query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub uri: String,
    pub args: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Usual,
    Slash,
    Dot,
    DotDot,
}

/// Parse a request target (`/a%20b/../c?x=1`); `Err` is nginx's 400.
pub fn parse(target: &str, merge_slashes: bool) -> Result<Parsed, String> {
    let raw = target.as_bytes();
    if raw.first() != Some(&b'/') {
        return Err("the request target does not start with `/`".into());
    }
    if raw.iter().any(|&c| c <= 0x20 || c == 0x7f) {
        return Err("the request target holds a space or a control character".into());
    }
    let mut u: Vec<u8> = Vec::with_capacity(raw.len());
    let mut state = State::Usual;
    let mut i = 0;
    while i < raw.len() {
        let (ch, literal) = next_byte(raw, &mut i)?;
        if literal {
            // A decoded `%`, `#` or `?` is a plain character.
            state = State::Usual;
            u.push(ch);
            continue;
        }
        match ch {
            b'?' => {
                finish_dots(state, &mut u)?;
                // The query ends at a `#`.
                let args = raw[i..].split(|&c| c == b'#').next().unwrap_or(&[]);
                return Ok(done(u, Some(args)));
            }
            b'#' => {
                finish_dots(state, &mut u)?;
                return Ok(done(u, None));
            }
            _ => state = advance(state, ch, merge_slashes, &mut u)?,
        }
    }
    finish_dots(state, &mut u)?;
    Ok(done(u, None))
}

/// The next byte of the target at `i` (a `%XX` decoded) and whether it is literal:
/// a decoded `%`, `#` or `?`; any other decoded byte counts as if it had been written
/// (so `%2F` is a slash and `%2E` a dot).
fn next_byte(raw: &[u8], i: &mut usize) -> Result<(u8, bool), String> {
    let ch = raw[*i];
    *i += 1;
    if ch != b'%' {
        return Ok((ch, false));
    }
    let bad = || "a `%` is not followed by two hex digits".to_string();
    let (Some(&a), Some(&b)) = (raw.get(*i), raw.get(*i + 1)) else {
        return Err(bad());
    };
    let (Some(hi), Some(lo)) = (hex(a), hex(b)) else {
        return Err(bad());
    };
    *i += 2;
    let ch = hi << 4 | lo;
    if ch == 0 {
        return Err("`%00` in the URI".into());
    }
    Ok((ch, matches!(ch, b'%' | b'#' | b'?')))
}

/// One byte of the path through nginx's states: `//` merged, `/./` dropped, `/../`
/// going up.
fn advance(state: State, ch: u8, merge_slashes: bool, u: &mut Vec<u8>) -> Result<State, String> {
    Ok(match (state, ch) {
        (State::Usual, b'/') => {
            u.push(ch);
            State::Slash
        }
        (State::Slash, b'/') => {
            if !merge_slashes {
                u.push(ch);
            }
            State::Slash
        }
        (State::Slash, b'.') => {
            u.push(ch);
            State::Dot
        }
        (State::Dot, b'/') => {
            u.pop();
            State::Slash
        }
        (State::Dot, b'.') => {
            u.push(ch);
            State::DotDot
        }
        (State::DotDot, b'/') => {
            up(u)?;
            State::Slash
        }
        _ => {
            u.push(ch);
            State::Usual
        }
    })
}

/// A URI ending in `/.` or `/..` (the dots are dropped, `..` goes up).
fn finish_dots(state: State, u: &mut Vec<u8>) -> Result<(), String> {
    match state {
        State::Dot => {
            u.pop();
            Ok(())
        }
        State::DotDot => up(u),
        _ => Ok(()),
    }
}

/// `u` ends in `/..`: drop it and the segment before it (none: 400).
fn up(u: &mut Vec<u8>) -> Result<(), String> {
    // nginx: u -= 4, then back to the previous `/`.
    let len = u.len();
    if len < 4 {
        return Err("`..` above the root".into());
    }
    let mut at = len - 4;
    loop {
        if u[at] == b'/' {
            u.truncate(at + 1);
            return Ok(());
        }
        if at == 0 {
            return Err("`..` above the root".into());
        }
        at -= 1;
    }
}

fn done(u: Vec<u8>, args: Option<&[u8]>) -> Parsed {
    Parsed {
        uri: String::from_utf8_lossy(&u).into_owned(),
        args: args
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_default(),
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(t: &str) -> String {
        parse(t, true)
            .map(|p| p.uri)
            .unwrap_or_else(|e| format!("400: {e}"))
    }

    #[test]
    fn normalises_like_nginx() {
        assert_eq!(uri("/a//b"), "/a/b");
        assert_eq!(uri("/a/./b"), "/a/b");
        assert_eq!(uri("/a/b/../c"), "/a/c");
        assert_eq!(uri("/a/%2e%2e/c"), "/c");
        assert_eq!(uri("/a%2fb"), "/a/b");
        assert_eq!(uri("/a/b/.."), "/a/");
        assert_eq!(uri("/a/."), "/a/");
        assert_eq!(uri("/static../x"), "/static../x");
        assert_eq!(uri("/a%20b"), "/a b");
        assert_eq!(uri("/%3F"), "/?");
        assert!(uri("/..").starts_with("400"));
        assert!(uri("/a/../..").starts_with("400"));
        assert!(uri("/%zz").starts_with("400"));
        assert!(uri("/%00").starts_with("400"));
        assert!(uri("x").starts_with("400"));
        assert_eq!(parse("/a?x=1#f", true).unwrap().args, "x=1");
        assert_eq!(parse("/a//b", false).unwrap().uri, "/a//b");
    }
}
