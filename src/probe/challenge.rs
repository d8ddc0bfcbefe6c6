//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1): several challenges may share one
//! header line, separated by commas that also separate their parameters, and a server may
//! send several header lines. Parsing never fails: what cannot be read is skipped.
//!
//! ```text
//! challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param = token BWS "=" BWS ( token / quoted-string )
//! ```

/// One challenge: a scheme and its parameters (or a token68).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// As sent (`Basic`, `Digest`, `Bearer`, `Negotiate`…); compare case-insensitively.
    pub scheme: String,
    /// `name=value` parameters in order; quoted values unquoted.
    pub params: Vec<(String, String)>,
    /// A token68 instead of parameters (`Negotiate YIIB…`).
    pub token68: Option<String>,
}

impl Challenge {
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The value of parameter `name` (case-insensitive), if present.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// Digest `algorithm`; absent means MD5 (RFC 7616 §3.3).
    pub fn algorithm(&self) -> &str {
        self.param("algorithm").unwrap_or("MD5")
    }

    /// Digest `qop` options (`auth`, `auth-int`), from the comma-separated list.
    pub fn qop(&self) -> Vec<&str> {
        self.param("qop")
            .map(|q| {
                q.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Digest `stale=true`: the nonce expired, the credentials themselves were fine.
    pub fn stale(&self) -> bool {
        self.param("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true"))
    }

    /// The challenge in one line, as a server would send it (parameters quoted).
    pub fn describe(&self) -> String {
        let mut out = self.scheme.clone();
        if let Some(t) = &self.token68 {
            out.push(' ');
            out.push_str(t);
        }
        for (i, (name, value)) in self.params.iter().enumerate() {
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(&format!("{name}=\"{}\"", value.replace(['"', '\\'], "")));
        }
        out
    }
}

/// Every challenge in the given `WWW-Authenticate` header values, in order.
pub fn parse_all<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    values.into_iter().flat_map(parse).collect()
}

/// The challenges of one header value.
pub fn parse(value: &str) -> Vec<Challenge> {
    let mut p = Parser {
        s: value.as_bytes(),
        at: 0,
    };
    let mut out: Vec<Challenge> = Vec::new();
    loop {
        p.skip_separators();
        if p.done() {
            return out;
        }
        let Some(scheme) = p.token() else {
            // Not a challenge: skip to the next comma.
            p.skip_past_comma();
            continue;
        };
        let mut challenge = Challenge {
            scheme,
            params: Vec::new(),
            token68: None,
        };
        p.skip_spaces();
        if let Some(t) = p.token68() {
            challenge.token68 = Some(t);
        } else {
            p.params(&mut challenge.params);
        }
        out.push(challenge);
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl Parser<'_> {
    fn done(&self) -> bool {
        self.at >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.at += 1;
        }
    }

    fn skip_separators(&mut self) {
        while self.peek().is_some_and(|b| is_space(b) || b == b',') {
            self.at += 1;
        }
    }

    fn skip_past_comma(&mut self) {
        while let Some(b) = self.peek() {
            self.at += 1;
            if b == b',' {
                return;
            }
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    /// A token68 (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`) that
    /// ends the challenge: followed by the end or a comma, not by `=` and a value.
    fn token68(&mut self) -> Option<String> {
        let start = self.at;
        let mut end = start;
        while self
            .s
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(b))
        {
            end += 1;
        }
        if end == start {
            return None;
        }
        while self.s.get(end) == Some(&b'=') {
            end += 1;
        }
        let mut after = end;
        while self.s.get(after).copied().is_some_and(is_space) {
            after += 1;
        }
        if !matches!(self.s.get(after), None | Some(b',')) {
            return None;
        }
        let text = &self.s[start..end];
        self.at = end;
        Some(String::from_utf8_lossy(text).into_owned())
    }

    /// `name = value` pairs until the next challenge starts (a token not followed by `=`).
    fn params(&mut self, params: &mut Vec<(String, String)>) {
        loop {
            let mark = self.at;
            self.skip_separators();
            if self.done() {
                return;
            }
            let Some(name) = self.token() else {
                self.skip_past_comma();
                continue;
            };
            self.skip_spaces();
            if self.peek() != Some(b'=') {
                // The next challenge's scheme.
                self.at = mark;
                return;
            }
            self.at += 1;
            self.skip_spaces();
            let value = if self.peek() == Some(b'"') {
                self.quoted()
            } else {
                self.token().unwrap_or_default()
            };
            params.push((name, value));
            self.skip_spaces();
            match self.peek() {
                None | Some(b',') => {}
                // Junk after a value: skip it.
                Some(_) => self.skip_past_comma(),
            }
        }
    }

    /// A quoted-string starting at `"`: backslash escapes any byte; an unterminated
    /// string runs to the end.
    fn quoted(&mut self) -> String {
        self.at += 1;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(next) = self.peek() {
                        out.push(next);
                        self.at += 1;
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemes(v: &[Challenge]) -> Vec<&str> {
        v.iter().map(|c| c.scheme.as_str()).collect()
    }

    #[test]
    fn basic_with_realm_and_charset() {
        let c = parse(r#"Basic realm="Admin, staff", charset="UTF-8""#);
        assert_eq!(schemes(&c), ["Basic"]);
        assert_eq!(c[0].realm(), Some("Admin, staff"));
        assert_eq!(c[0].param("CHARSET"), Some("UTF-8"));
    }

    #[test]
    fn several_challenges_in_one_value() {
        let c = parse(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
        );
        assert_eq!(schemes(&c), ["Newauth", "Basic"]);
        assert_eq!(c[0].param("title"), Some(r#"Login to "apps""#));
        assert_eq!(c[0].param("type"), Some("1"));
        assert_eq!(c[1].realm(), Some("simple"));
    }

    #[test]
    fn digest_parameters() {
        let c = parse(
            r#"Digest realm="r", nonce="abc=", algorithm=SHA-256, qop="auth,auth-int", stale=TRUE, opaque="o""#,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].param("nonce"), Some("abc="));
        assert_eq!(c[0].algorithm(), "SHA-256");
        assert_eq!(c[0].qop(), ["auth", "auth-int"]);
        assert!(c[0].stale());
        assert_eq!(parse("Digest realm=x")[0].algorithm(), "MD5");
    }

    #[test]
    fn token68_and_bare_schemes() {
        let c = parse("Negotiate, NTLM, Bearer");
        assert_eq!(schemes(&c), ["Negotiate", "NTLM", "Bearer"]);
        let c = parse("Negotiate YIIBhgYGKwYBBQUCoII=, Basic realm=\"x\"");
        assert_eq!(c[0].token68.as_deref(), Some("YIIBhgYGKwYBBQUCoII="));
        assert_eq!(c[1].realm(), Some("x"));
        let c = parse(r#"Bearer realm="api", error="invalid_token""#);
        assert_eq!(c[0].param("error"), Some("invalid_token"));
    }

    #[test]
    fn several_header_lines() {
        let c = parse_all(["Basic realm=\"a\"", "Digest realm=\"b\", nonce=\"n\""]);
        assert_eq!(schemes(&c), ["Basic", "Digest"]);
    }

    #[test]
    fn junk_never_panics_and_keeps_what_it_can() {
        for junk in [
            "",
            ",,,",
            "=",
            "\"",
            "Basic realm=\"unterminated",
            "Basic realm=",
            "Basic ==",
            "é Basic realm=x",
            "Basic realm=a b, c",
            "\\",
            "Digest nonce=\"\\",
        ] {
            let _ = parse(junk);
        }
        assert_eq!(
            parse("Basic realm=\"unterminated")[0].realm(),
            Some("unterminated")
        );
        // `realm=` then nothing is a token68 by the grammar, not an empty parameter.
        assert_eq!(parse("Basic realm=")[0].token68.as_deref(), Some("realm="));
    }

    #[test]
    fn describe_round_trips_the_meaning() {
        let c = parse(r#"Digest realm="r", qop="auth""#);
        assert_eq!(c[0].describe(), r#"Digest realm="r", qop="auth""#);
        assert_eq!(parse(&c[0].describe()), c);
    }
}
