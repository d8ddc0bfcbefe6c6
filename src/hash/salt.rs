//! Random salts from the OS.

use super::HashError;
use super::b64::CRYPT;

/// Fill `buf` with OS randomness.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), HashError> {
    getrandom::fill(buf).map_err(|e| HashError::Random(e.to_string()))
}

/// `len` random characters of the crypt alphabet (64 symbols, so `byte & 63` is uniform).
pub fn crypt_salt(len: usize) -> Result<String, HashError> {
    let mut raw = vec![0u8; len];
    random_bytes(&mut raw)?;
    Ok(raw
        .iter()
        .map(|&b| CRYPT[usize::from(b & 63)] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_are_random_and_in_alphabet() {
        let a = crypt_salt(16).unwrap();
        let b = crypt_salt(16).unwrap();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        assert!(a.bytes().all(super::super::b64::is_crypt_char));
    }
}
