//! Answering a Digest challenge (RFC 7616) the way curl and browsers do: MD5 or SHA-256
//! (and their `-sess` forms), `qop=auth` when offered, else the RFC 2069 form.

use super::challenge::Challenge;
use zeroize::Zeroizing;

/// The Digest algorithms htguard answers; browsers and curl answer the same ones.
pub const ALGORITHMS: &[&str] = &["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"];

/// Whether clients can answer this Digest challenge with a password: a known algorithm,
/// and `auth` among the qop options when any are given.
pub fn answerable(c: &Challenge) -> bool {
    let qop = c.qop();
    ALGORITHMS
        .iter()
        .any(|a| a.eq_ignore_ascii_case(c.algorithm()))
        && (qop.is_empty() || qop.iter().any(|q| q.eq_ignore_ascii_case("auth")))
        && c.param("nonce").is_some()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(sha256: bool, data: &[u8]) -> String {
    if sha256 {
        use sha2::Digest;
        hex(&sha2::Sha256::digest(data))
    } else {
        hex(&md5::compute(data).0)
    }
}

/// Quote a value for a quoted-string.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The `Authorization` value answering `c` for `method` and `uri` (the request target as
/// sent). `cnonce` is the client nonce (random in use, fixed in tests). None when the
/// challenge is not [`answerable`].
pub fn authorization(
    c: &Challenge,
    method: &str,
    uri: &str,
    user: &str,
    password: &[u8],
    cnonce: &str,
) -> Option<Zeroizing<String>> {
    if !answerable(c) {
        return None;
    }
    let algorithm = ALGORITHMS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(c.algorithm()))?;
    let sha256 = algorithm.starts_with("SHA-256");
    let sess = algorithm.ends_with("-sess");
    let realm = c.realm().unwrap_or("");
    let nonce = c.param("nonce")?;
    let mut secret = Zeroizing::new(format!("{user}:{realm}:").into_bytes());
    secret.extend_from_slice(password);
    let mut ha1 = Zeroizing::new(hash(sha256, &secret));
    if sess {
        ha1 = Zeroizing::new(hash(
            sha256,
            format!("{}:{nonce}:{cnonce}", *ha1).as_bytes(),
        ));
    }
    let ha2 = hash(sha256, format!("{method}:{uri}").as_bytes());
    let qop_auth = !c.qop().is_empty();
    let nc = "00000001";
    let response = if qop_auth {
        hash(
            sha256,
            format!("{}:{nonce}:{nc}:{cnonce}:auth:{ha2}", *ha1).as_bytes(),
        )
    } else {
        hash(sha256, format!("{}:{nonce}:{ha2}", *ha1).as_bytes())
    };
    let mut out = format!(
        "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", algorithm={algorithm}, response=\"{response}\"",
        quote(user),
        quote(realm),
        quote(nonce),
        quote(uri)
    );
    if qop_auth {
        out.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(opaque) = c.param("opaque") {
        out.push_str(&format!(", opaque=\"{}\"", quote(opaque)));
    }
    Some(Zeroizing::new(out))
}

/// A fresh client nonce: 16 random bytes, hex.
pub fn cnonce() -> String {
    let mut buf = [0u8; 16];
    // Without randomness the nonce is still unique enough per run for a probe.
    if getrandom::fill(&mut buf).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        buf.copy_from_slice(&t.to_le_bytes());
    }
    hex(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::challenge::parse;

    /// RFC 7616 §3.9.1's example (SHA-256 and MD5 answers for Mufasa).
    #[test]
    fn rfc_7616_example() {
        let base = r#"realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let sha = parse(&format!("Digest {base}, algorithm=SHA-256"));
        let auth = authorization(
            &sha[0],
            "GET",
            "/dir/index.html",
            "Mufasa",
            b"Circle of Life",
            cnonce,
        )
        .unwrap();
        assert!(
            auth.contains(
                r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#
            ),
            "{}",
            *auth
        );
        let md5 = parse(&format!("Digest {base}, algorithm=MD5"));
        let auth = authorization(
            &md5[0],
            "GET",
            "/dir/index.html",
            "Mufasa",
            b"Circle of Life",
            cnonce,
        )
        .unwrap();
        assert!(
            auth.contains(r#"response="8ca523f5e9506fed4657c9700eebdbec""#),
            "{}",
            *auth
        );
        assert!(auth.contains("qop=auth, nc=00000001"));
        assert!(auth.contains("opaque=\"FQhe"));
    }

    #[test]
    fn what_clients_cannot_answer() {
        assert!(!answerable(
            &parse(r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#)[0]
        ));
        assert!(!answerable(
            &parse(r#"Digest realm="r", nonce="n", qop="auth-int""#)[0]
        ));
        assert!(!answerable(&parse(r#"Digest realm="r""#)[0]));
        assert!(answerable(&parse(r#"Digest realm="r", nonce="n""#)[0]));
    }
}
