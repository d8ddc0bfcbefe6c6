//! The two 64-character alphabets of the crypt family, and shared field checks.

use super::{HashInfo, Kind, show_byte};

/// crypt(3)'s alphabet (DES, MD5-crypt, apr1, SHA-crypt, yescrypt): value = index.
pub const CRYPT: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// bcrypt's alphabet (same characters, different order).
pub const BCRYPT: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Byte → value tables for the two alphabets (`NONE` outside them): the hash rules look
/// up every character of a million-line file several times, so no linear search.
const NONE: u8 = 0xff;
const CRYPT_VALUES: [u8; 256] = values(CRYPT);
const BCRYPT_VALUES: [u8; 256] = values(BCRYPT);

const fn values(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut t = [NONE; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
}

pub fn index(alphabet: &[u8; 64], c: u8) -> Option<u8> {
    let table = if std::ptr::eq(alphabet, CRYPT) {
        &CRYPT_VALUES
    } else if std::ptr::eq(alphabet, BCRYPT) {
        &BCRYPT_VALUES
    } else {
        return alphabet.iter().position(|&a| a == c).map(|i| i as u8);
    };
    match table[usize::from(c)] {
        NONE => None,
        v => Some(v),
    }
}

pub fn is_crypt_char(c: u8) -> bool {
    // Both alphabets hold the same 64 characters.
    CRYPT_VALUES[usize::from(c)] != NONE
}

/// The crypt "hash64" encoding: little-endian 24-bit groups, 6 bits per character, low
/// bits first; a final partial group emits only the characters its bits need.
/// MD5-crypt and SHA-crypt are this over their digest after a fixed byte transposition.
pub fn encode_le(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut v: u32 = 0;
        for (i, &b) in chunk.iter().enumerate() {
            v |= u32::from(b) << (8 * i);
        }
        let chars = (chunk.len() * 8).div_ceil(6);
        for _ in 0..chars {
            out.push(CRYPT[(v & 0x3f) as usize] as char);
            v >>= 6;
        }
    }
    out
}

/// The checksum characters of `bytes` encoded with [`encode_le`]: the last character
/// carries fewer than 6 bits, so only some characters can appear there. Returns the
/// number of significant bits in the last character (6 when all are).
pub fn le_last_char_bits(byte_len: usize) -> u32 {
    let bits = (byte_len % 3) * 8;
    match bits {
        0 => 6,
        b => (b % 6) as u32,
    }
}

/// Check a checksum field of `expected` characters from the crypt alphabet whose last
/// character has `last_bits` significant low bits (crypt never sets the others).
/// `offset` is the field's byte offset in the hash, for 1-based positions.
pub fn check_checksum(
    kind: &Kind,
    field: &[u8],
    offset: usize,
    expected: usize,
    last_bits: u32,
) -> Option<HashInfo> {
    if field.len() != expected {
        return Some(HashInfo::bad(
            kind.clone(),
            format!(
                "{} checksum is {} characters, expected {expected}{}",
                kind.label(),
                field.len(),
                if field.len() < expected {
                    " (truncated?)"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some(bad) = invalid_char(field, offset, "checksum") {
        return Some(HashInfo::bad(kind.clone(), bad));
    }
    let last = field[expected - 1];
    let value = index(CRYPT, last).unwrap_or(0);
    if last_bits < 6 && value >> last_bits != 0 {
        return Some(HashInfo::bad(
            kind.clone(),
            format!(
                "the checksum's last character is one crypt() never produces there \
                 (only {last_bits} of 6 bits are used): no password matches"
            ),
        ));
    }
    None
}

/// The first byte outside the crypt alphabet, as "invalid character at position N in
/// the <what>" (position is 1-based within the whole hash).
pub fn invalid_char(field: &[u8], offset: usize, what: &str) -> Option<String> {
    // Common case first: a branch-free scan of the whole field, then locate the culprit.
    if field
        .iter()
        .fold(0u8, |acc, &c| acc | (CRYPT_VALUES[usize::from(c)] & 0x80))
        == 0
    {
        return None;
    }
    field.iter().position(|&c| !is_crypt_char(c)).map(|i| {
        format!(
            "invalid character{} at position {} in the {what}",
            show_byte(field[i]),
            offset + i + 1
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_partial_groups_low_bits_first() {
        assert_eq!(encode_le(&[0]), "..");
        assert_eq!(encode_le(&[1]), "/.");
        assert_eq!(encode_le(&[0xff, 0xff, 0xff]), "zzzz");
        assert_eq!(encode_le(&[0, 0]).len(), 3);
        assert_eq!(le_last_char_bits(16), 2);
        assert_eq!(le_last_char_bits(32), 4);
        assert_eq!(le_last_char_bits(64), 2);
        assert_eq!(le_last_char_bits(24), 6);
    }

    #[test]
    fn tables_agree_with_the_alphabets() {
        for c in 0..=255u8 {
            let crypt = CRYPT.iter().position(|&a| a == c).map(|i| i as u8);
            let bcrypt = BCRYPT.iter().position(|&a| a == c).map(|i| i as u8);
            assert_eq!(index(CRYPT, c), crypt);
            assert_eq!(index(BCRYPT, c), bcrypt);
            assert_eq!(
                is_crypt_char(c),
                c.is_ascii_alphanumeric() || c == b'.' || c == b'/'
            );
        }
        assert_eq!(invalid_char(b"ab/.Z9", 0, "salt"), None);
        assert!(invalid_char(b"ab$.Z9", 3, "salt").is_some_and(|m| m.contains("position 6")));
    }
}
