//! yescrypt (`$y$params$salt$checksum`), Debian's default system hash. Verified through the
//! system crypt, exactly as both servers do on Linux; htguard never writes it.

use super::{HashInfo, Kind, b64};

pub const MAGIC: &[u8] = b"$y$";
/// 256-bit output in the crypt alphabet.
const CHECKSUM_LEN: usize = 43;

pub fn inspect(hash: &[u8]) -> HashInfo {
    let fields: Vec<&[u8]> = hash[MAGIC.len()..].split(|&b| b == b'$').collect();
    let bad = |r: String| HashInfo::bad(Kind::Yescrypt, r);
    if fields.len() < 3 {
        return bad("truncated: expected $y$params$salt$checksum".into());
    }
    if fields.len() > 3 {
        return bad("extra `$` field after the checksum".into());
    }
    let (params, salt, checksum) = (fields[0], fields[1], fields[2]);
    if params.is_empty() {
        return bad("the yescrypt parameter field is empty".into());
    }
    let mut offset = MAGIC.len();
    if let Some(r) = b64::invalid_char(params, offset, "parameters") {
        return bad(r);
    }
    offset += params.len() + 1;
    if let Some(r) = b64::invalid_char(salt, offset, "salt") {
        return bad(r);
    }
    offset += salt.len() + 1;
    if checksum.len() != CHECKSUM_LEN {
        return bad(format!(
            "$y$ checksum is {} characters, expected {CHECKSUM_LEN}",
            checksum.len()
        ));
    }
    if let Some(r) = b64::invalid_char(checksum, offset, "checksum") {
        return bad(r);
    }
    HashInfo::ok(Kind::Yescrypt)
}
