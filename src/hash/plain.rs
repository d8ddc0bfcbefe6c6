//! Plaintext: bare (what `htpasswd -p` writes; only Apache on Windows accepts it) and
//! `{PLAIN}` (nginx only).

use super::{HashError, Kind, identify};

pub const PREFIX: &[u8] = b"{PLAIN}";

/// The password itself, refused when it would change the file's structure or be read as a
/// hash (`$apr1$…`, `{SHA}…`, 13 DES characters, …) by the servers and by [`identify`].
pub fn generate(password: &[u8]) -> Result<String, HashError> {
    for (byte, name) in [
        (b':', "':'"),
        (b'\n', "a line feed"),
        (b'\r', "a carriage return"),
    ] {
        if password.contains(&byte) {
            return Err(HashError::PlaintextUnsafe(name));
        }
    }
    if !password.is_empty() && identify(password).kind != Kind::Unknown {
        return Err(HashError::PlaintextUnsafe(
            "text that reads as a hash (it would be checked as that hash, not as plaintext)",
        ));
    }
    String::from_utf8(password.to_vec())
        .map_err(|_| HashError::PlaintextUnsafe("bytes that are not UTF-8"))
}
