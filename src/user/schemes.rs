//! Scheme primitives the user commands need: generate, verify, describe.
//!
//! INTERIM: `crate::hash` (one module per scheme, owned by the hash work) is the intended
//! home of this code; it had not landed when the user commands were written. When it does,
//! `hashing.rs` switches to it and this file goes away. Kept private to `user`.

use super::inspect::Strength;
use crate::hash::Scheme;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

const ITOA64: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn salt(len: usize) -> Result<String, String> {
    let mut raw = vec![0u8; len];
    getrandom::fill(&mut raw).map_err(|e| format!("no random numbers: {e}"))?;
    Ok(raw
        .iter()
        .map(|b| ITOA64[(b & 0x3f) as usize] as char)
        .collect())
}

/// Hash `password` with `scheme`; `work` is the bcrypt cost or SHA-crypt rounds.
#[allow(deprecated)] // pwhash marks the legacy schemes deprecated; writing them is asked for.
pub(super) fn generate(
    scheme: Scheme,
    password: &[u8],
    work: Option<u32>,
) -> Result<String, String> {
    use pwhash::HashSetup;
    let err = |e: pwhash::error::Error| e.to_string();
    match scheme {
        Scheme::Bcrypt => bcrypt::hash_with_result(password, work.unwrap_or(10))
            .map(|h| h.format_for_version(bcrypt::Version::TwoY))
            .map_err(|e| e.to_string()),
        Scheme::Sha512Crypt => {
            let s = salt(16)?;
            pwhash::sha512_crypt::hash_with(
                HashSetup {
                    salt: Some(&s),
                    rounds: work,
                },
                password,
            )
            .map_err(err)
        }
        Scheme::Sha256Crypt => {
            let s = salt(16)?;
            pwhash::sha256_crypt::hash_with(
                HashSetup {
                    salt: Some(&s),
                    rounds: work,
                },
                password,
            )
            .map_err(err)
        }
        Scheme::Md5Crypt => Ok(md5_crypt(password, &salt(8)?, "$1$")),
        Scheme::Apr1 => Ok(md5_crypt(password, &salt(8)?, "$apr1$")),
        Scheme::DesCrypt => pwhash::unix_crypt::hash_with(&salt(2)?, password).map_err(err),
        Scheme::Sha1 => {
            use sha1::Digest;
            Ok(format!(
                "{{SHA}}{}",
                B64.encode(sha1::Sha1::digest(password))
            ))
        }
        Scheme::Plain => {
            let text = std::str::from_utf8(password)
                .map_err(|_| "a plaintext password must be valid UTF-8".to_string())?;
            Ok(format!("{{PLAIN}}{text}"))
        }
    }
}

/// MD5-crypt (`$1$`) and Apache's variant (`$apr1$`), which differs only in the magic.
fn md5_crypt(pw: &[u8], salt: &str, magic: &str) -> String {
    let salt = &salt.as_bytes()[..salt.len().min(8)];
    let mut alt = md5::Context::new();
    alt.consume(pw);
    alt.consume(salt);
    alt.consume(pw);
    let alt = alt.finalize().0;
    let mut ctx = md5::Context::new();
    ctx.consume(pw);
    ctx.consume(magic.as_bytes());
    ctx.consume(salt);
    let mut left = pw.len();
    while left > 0 {
        ctx.consume(&alt[..left.min(16)]);
        left = left.saturating_sub(16);
    }
    let mut i = pw.len();
    while i > 0 {
        if i & 1 == 1 {
            ctx.consume([0u8]);
        } else {
            ctx.consume(&pw[..1]);
        }
        i >>= 1;
    }
    let mut fin = ctx.finalize().0;
    for round in 0..1000 {
        let mut c = md5::Context::new();
        if round & 1 == 1 {
            c.consume(pw);
        } else {
            c.consume(fin);
        }
        if round % 3 != 0 {
            c.consume(salt);
        }
        if round % 7 != 0 {
            c.consume(pw);
        }
        if round & 1 == 1 {
            c.consume(fin);
        } else {
            c.consume(pw);
        }
        fin = c.finalize().0;
    }
    let mut out = String::with_capacity(22);
    let mut put = |v: u32, n: usize| {
        let mut v = v;
        for _ in 0..n {
            out.push(ITOA64[(v & 0x3f) as usize] as char);
            v >>= 6;
        }
    };
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        put(
            (u32::from(fin[a]) << 16) | (u32::from(fin[b]) << 8) | u32::from(fin[c]),
            4,
        );
    }
    put(u32::from(fin[11]), 2);
    format!("{magic}{}${out}", String::from_utf8_lossy(salt))
}

/// Check `password` against `hash`. `Err` when no password can match (malformed or a
/// scheme the servers reject), with the reason.
#[allow(deprecated)]
pub(super) fn verify(password: &[u8], hash: &[u8]) -> Result<bool, String> {
    let h = std::str::from_utf8(hash).map_err(|_| "the hash is not ASCII".to_string())?;
    let same = |a: &[u8], b: &[u8]| super::secret::same(a, b);
    if h.is_empty() {
        return Err("empty hash".into());
    }
    if h.starts_with("$2") {
        return bcrypt::verify(password, h).map_err(|e| format!("malformed bcrypt hash: {e}"));
    }
    for magic in ["$apr1$", "$1$"] {
        if let Some(rest) = h.strip_prefix(magic) {
            let Some((salt, _)) = rest.split_once('$') else {
                return Err(format!("malformed {magic} hash: no '$' after the salt"));
            };
            return Ok(same(md5_crypt(password, salt, magic).as_bytes(), hash));
        }
    }
    if h.starts_with("$5$") {
        return Ok(pwhash::sha256_crypt::verify(password, h));
    }
    if h.starts_with("$6$") {
        return Ok(pwhash::sha512_crypt::verify(password, h));
    }
    if let Some(b64) = h.strip_prefix("{SHA}") {
        use sha1::Digest;
        let want = B64
            .decode(b64)
            .map_err(|_| "malformed {SHA} hash: not base64".to_string())?;
        return Ok(same(&sha1::Sha1::digest(password), &want));
    }
    if let Some(b64) = h.strip_prefix("{SSHA}") {
        use sha1::Digest;
        let raw = B64
            .decode(b64)
            .map_err(|_| "malformed {SSHA} hash: not base64".to_string())?;
        if raw.len() < 21 {
            return Err("malformed {SSHA} hash: too short".into());
        }
        let mut d = sha1::Sha1::new();
        d.update(password);
        d.update(&raw[20..]);
        return Ok(same(&d.finalize(), &raw[..20]));
    }
    if let Some(text) = h.strip_prefix("{PLAIN}") {
        return Ok(same(password, text.as_bytes()));
    }
    if h.len() == 13 && h.bytes().all(|b| ITOA64.contains(&b)) {
        return Ok(pwhash::unix_crypt::verify(password, h));
    }
    if h.starts_with("$y$") {
        return Err("yescrypt is verified by the servers' system crypt(), not here".into());
    }
    Err("not a hash the servers accept (bare plaintext is rejected on Unix)".into())
}

/// What `list` says about a hash.
pub(super) struct Info {
    pub scheme: String,
    pub cost: Option<u32>,
    pub rounds: Option<u32>,
    pub strength: Strength,
    pub note: String,
}

pub(super) fn describe(hash: &[u8]) -> Info {
    let h = String::from_utf8_lossy(hash);
    let info = |scheme: &str, strength, note: &str| Info {
        scheme: scheme.into(),
        cost: None,
        rounds: None,
        strength,
        note: note.into(),
    };
    if h.is_empty() {
        return info(
            "none",
            Strength::Unusable,
            "empty hash: no password matches",
        );
    }
    if h.starts_with("$2") {
        if h.len() != 60 {
            return info(
                "bcrypt",
                Strength::Unusable,
                "malformed: a bcrypt hash has 60 characters",
            );
        }
        let cost = h.get(4..6).and_then(|c| c.parse::<u32>().ok());
        let mut i = info("bcrypt", Strength::Good, "bcrypt");
        i.cost = cost;
        match cost {
            Some(c) if c >= 10 => {}
            Some(c) => {
                i.strength = Strength::Weak;
                i.note = format!("cost {c} is low; 10 or more is recommended");
            }
            None => {
                i.strength = Strength::Unusable;
                i.note = "malformed: unreadable cost".into();
            }
        }
        return i;
    }
    for (prefix, name) in [("$5$", "sha256-crypt"), ("$6$", "sha512-crypt")] {
        if let Some(rest) = h.strip_prefix(prefix) {
            let rounds = rest
                .strip_prefix("rounds=")
                .and_then(|r| r.split('$').next())
                .and_then(|r| r.parse::<u32>().ok())
                .unwrap_or(5000);
            let mut i = info(name, Strength::Good, "salted SHA-2 crypt");
            i.rounds = Some(rounds);
            if rounds < 5000 {
                i.strength = Strength::Weak;
                i.note = format!("{rounds} rounds is low; 5000 or more is recommended");
            }
            return i;
        }
    }
    if h.starts_with("$apr1$") {
        return info(
            "apr1",
            Strength::Weak,
            "MD5-based (1000 rounds), fast to brute-force",
        );
    }
    if h.starts_with("$1$") {
        return info(
            "md5-crypt",
            Strength::Weak,
            "MD5-based (1000 rounds), fast to brute-force",
        );
    }
    if h.starts_with("$y$") {
        return info(
            "yescrypt",
            Strength::Good,
            "verified through the system crypt()",
        );
    }
    if h.starts_with("{SHA}") {
        return info(
            "sha1",
            Strength::Weak,
            "unsalted SHA-1, fast to brute-force",
        );
    }
    if h.starts_with("{SSHA}") {
        return info(
            "ssha",
            Strength::Weak,
            "salted SHA-1; Apache does not accept {SSHA}",
        );
    }
    if h.starts_with("{PLAIN}") {
        return info(
            "plain",
            Strength::Weak,
            "plaintext; only nginx accepts {PLAIN}",
        );
    }
    if h.len() == 13 && h.bytes().all(|b| ITOA64.contains(&b)) {
        return info(
            "crypt",
            Strength::Weak,
            "DES crypt: only the first 8 characters count",
        );
    }
    if h.starts_with('*') || h.starts_with('!') {
        return info(
            "locked",
            Strength::Unusable,
            "a crypt failure or lock token: no password matches",
        );
    }
    info(
        "unknown",
        Strength::Unusable,
        "not a hash the servers accept (bare plaintext is rejected on Unix)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apr1_matches_apache_vector() {
        // `htpasswd -nbm alice apple` (apache2-utils 2.4).
        let h = b"$apr1$0.eeWv1a$f.gW2VNYPnJs3awWxuiKU.";
        assert_eq!(verify(b"apple", h), Ok(true));
        assert_eq!(verify(b"apples", h), Ok(false));
    }

    #[test]
    fn every_written_scheme_verifies() {
        for s in [
            Scheme::Bcrypt,
            Scheme::Apr1,
            Scheme::Sha256Crypt,
            Scheme::Sha512Crypt,
            Scheme::Md5Crypt,
            Scheme::DesCrypt,
            Scheme::Sha1,
            Scheme::Plain,
        ] {
            let work = match s {
                Scheme::Bcrypt => Some(4),
                Scheme::Sha256Crypt | Scheme::Sha512Crypt => Some(1000),
                _ => None,
            };
            let h = generate(s, b"pw-1", work).unwrap();
            assert_eq!(verify(b"pw-1", h.as_bytes()), Ok(true), "{s:?} {h}");
            assert_eq!(verify(b"pw-2", h.as_bytes()), Ok(false), "{s:?} {h}");
            assert_ne!(describe(h.as_bytes()).strength, Strength::Unusable, "{h}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        for h in [
            &b""[..],
            b"$2y$",
            b"$apr1$",
            b"$1$x",
            b"{SHA}!!",
            b"{SSHA}",
            b"\xff",
            b"*0",
        ] {
            let _ = verify(b"x", h);
            let _ = describe(h);
        }
    }
}
