//! Apache's `$apr1$`: MD5-crypt with its own magic (see md5_crypt.rs). APR and nginx both
//! take the salt as the bytes up to the first `$`, at most 8, without checking them.

use super::{HashError, HashInfo, Kind, md5_crypt};

pub const MAGIC: &[u8] = b"$apr1$";

pub fn inspect(hash: &[u8]) -> HashInfo {
    md5_crypt::inspect_with(hash, MAGIC, Kind::Apr1, false)
}

pub fn verify(password: &[u8], hash: &[u8]) -> bool {
    md5_crypt::verify_with(password, hash, MAGIC)
}

pub fn generate(password: &[u8]) -> Result<String, HashError> {
    md5_crypt::generate_with(MAGIC, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_openssl_vector() {
        // openssl passwd -apr1 -salt saltsalt secret
        let h = b"$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0";
        assert!(verify(b"secret", h), "apr1 vector");
        assert!(!verify(b"Secret", h));
    }
}
