//! What output may show of a password-file field.
//!
//! The answer depends on what the field *is* ([`super::kind_of`]), never on where it is
//! shown (a label, a snippet, a diff, an error message, a probe report):
//!
//! - a recognised hash shows its scheme prefix, with the parameters a user acts on
//!   (`$2y$10$`, `$6$rounds=5000$`, `$apr1$`, `{SHA}`), and nothing after it;
//! - crypt()'s failure token (`*0`, `*1`) is shown whole: it is a fixed text, not a secret;
//! - everything else shows nothing: bare plaintext, the text after `{PLAIN}`, a DES hash
//!   (no prefix, and a 13-character plaintext password looks exactly like one), an empty
//!   field, and a `$id$` that no crypt() knows (the "id" may be part of a password).
//!
//! Earlier versions kept four characters after the prefix. They never told a user
//! anything (the user name and line already say which entry), and a field that only
//! starts like a hash (`$apr1$hunter2`) may be a password: those characters are gone.

use super::Kind;

/// `$id$` names libxcrypt knows besides the kinds [`Kind`] has a variant for
/// (yescrypt-GOST, scrypt, NT, SunMD5, sha1crypt, SM3): their prefix may be shown.
const KNOWN_CRYPT_IDS: &[&str] = &["gy", "7", "3", "md5", "sha1", "sm3", "sm3y"];

/// How many leading bytes of `field` output may show (see the module docs).
pub fn visible_prefix(field: &[u8]) -> usize {
    let after = |n: usize| field.get(n..).unwrap_or_default();
    match super::kind_of(field) {
        Kind::Bcrypt { .. } => 4 + cost_len(after(4)),
        Kind::Apr1 => 6,
        Kind::Md5Crypt => 3,
        Kind::Sha256Crypt | Kind::Sha512Crypt => 3 + rounds_len(after(3)),
        Kind::Yescrypt => 3,
        Kind::OtherCrypt { prefix } if is_known_prefix(&prefix) => prefix.len(),
        Kind::Sha1 => 5,
        Kind::Ssha => 6,
        Kind::PlainPrefixed => 7,
        Kind::CryptFailureToken => field.len(),
        Kind::OtherCrypt { .. } | Kind::DesCrypt | Kind::Empty | Kind::Unknown => 0,
    }
    .min(field.len())
}

/// A field for output: its [`visible_prefix`], then `…` if anything was left out.
/// `$2y$10$N9qo8u…` becomes `$2y$10$…`; `hunter2` becomes `…`; `*0` stays `*0`.
pub fn redact_hash(field: impl AsRef<[u8]>) -> String {
    let field = field.as_ref();
    let keep = visible_prefix(field);
    let mut out = String::from_utf8_lossy(&field[..keep]).into_owned();
    if keep < field.len() {
        out.push('…');
    }
    out
}

/// Whether the `$id$` (or BSDi `_`) prefix of an [`Kind::OtherCrypt`] hash names a
/// scheme crypt() knows, and so may be shown.
pub(crate) fn is_known_prefix(prefix: &str) -> bool {
    if prefix == "_" {
        return true;
    }
    let id = prefix.trim_start_matches('$').trim_end_matches(['$', ',']);
    KNOWN_CRYPT_IDS.contains(&id)
}

/// `NN$` of a bcrypt cost (two digits), else 0.
fn cost_len(rest: &[u8]) -> usize {
    match rest {
        [a, b, b'$', ..] if a.is_ascii_digit() && b.is_ascii_digit() => 3,
        _ => 0,
    }
}

/// `rounds=N$` of a SHA-crypt hash, else 0.
fn rounds_len(rest: &[u8]) -> usize {
    let Some(digits) = rest.strip_prefix(b"rounds=") else {
        return 0;
    };
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if n > 0 && digits.get(n) == Some(&b'$') {
        "rounds=".len() + n + 1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BCRYPT: &str = "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    #[test]
    fn hashes_keep_their_scheme_and_cost_only() {
        assert_eq!(redact_hash(BCRYPT), "$2y$10$…");
        assert_eq!(
            redact_hash("$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"),
            "$apr1$…"
        );
        assert_eq!(redact_hash("$1$saltsalt$hash"), "$1$…");
        assert_eq!(redact_hash("$6$rounds=6000$salt$hash"), "$6$rounds=6000$…");
        assert_eq!(redact_hash("$5$salt$hash"), "$5$…");
        assert_eq!(redact_hash("$y$j9T$salt$hash"), "$y$…");
        assert_eq!(redact_hash("$gy$j9T$salt$hash"), "$gy$…");
        assert_eq!(redact_hash("{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M="), "{SHA}…");
        assert_eq!(
            redact_hash("{SSHA}qUqP5cyxm6YcTAhz05Hph5gvu9MAAAA"),
            "{SSHA}…"
        );
    }

    #[test]
    fn nothing_of_a_password_or_unknown_text_is_shown() {
        assert_eq!(redact_hash("secret"), "…");
        assert_eq!(redact_hash("{PLAIN}secret"), "{PLAIN}…");
        // A DES hash and a 13-character password are the same shape: nothing is shown.
        assert_eq!(redact_hash("abJnggxhB/yWI"), "…");
        // An id no crypt() knows may be a password that starts with `$`.
        assert_eq!(redact_hash("$hunter$2"), "…");
        assert_eq!(redact_hash("$apr1$hunter2"), "$apr1$…");
        assert_eq!(redact_hash("ab"), "…");
        assert_eq!(redact_hash(""), "");
    }

    #[test]
    fn failure_tokens_are_shown_whole() {
        assert_eq!(redact_hash("*0"), "*0");
        assert_eq!(redact_hash("*1"), "*1");
    }

    #[test]
    fn malformed_parameters_are_not_shown() {
        assert_eq!(redact_hash("$2y$1x$abc"), "$2y$…");
        assert_eq!(redact_hash("$6$rounds=$x"), "$6$…");
        assert_eq!(visible_prefix(b"$2y$10$"), 7);
        assert_eq!(redact_hash("$2y$10$"), "$2y$10$");
    }
}
