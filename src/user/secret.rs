//! Passwords in memory: zeroized buffers, generation, and reading one from a stream.

use std::io::{self, Read};
use zeroize::Zeroizing;

/// A password. The buffer is wiped when dropped.
pub type Secret = Zeroizing<Vec<u8>>;

/// Default length of a generated password: 20 characters from 62 ≈ 119 bits.
pub const DEFAULT_GENERATED_LEN: usize = 20;

/// Longest password accepted from any input (Apache's tools stop at 255 bytes too).
pub const MAX_PASSWORD_LEN: usize = 4096;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random password of `len` letters and digits (no symbols: it must survive shells,
/// config files and copy/paste). Uniform: bytes that would bias the choice are rejected.
pub fn generate(len: usize) -> io::Result<Secret> {
    let mut out: Secret = Zeroizing::new(Vec::with_capacity(len));
    let limit = 256 - (256 % ALPHABET.len()); // 248: 4 × 62
    let mut pool = Zeroizing::new([0u8; 64]);
    while out.len() < len {
        getrandom::fill(&mut pool[..]).map_err(|e| io::Error::other(e.to_string()))?;
        for &b in pool.iter() {
            if out.len() == len {
                break;
            }
            if (b as usize) < limit {
                out.push(ALPHABET[b as usize % ALPHABET.len()]);
            }
        }
    }
    Ok(out)
}

/// Read one password from `reader`: everything up to the first LF, with the LF and one CR
/// before it removed. A stream without LF is taken whole. Fails when the password is longer
/// than [`MAX_PASSWORD_LEN`].
pub fn read_line(reader: &mut impl Read) -> io::Result<Secret> {
    let mut out: Secret = Zeroizing::new(Vec::new());
    let mut byte = [0u8; 1];
    loop {
        // Byte by byte so nothing after the first line is consumed (and nothing is left in a
        // non-zeroized buffer).
        match reader.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => {
                if out.len() >= MAX_PASSWORD_LEN {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("password longer than {MAX_PASSWORD_LEN} bytes"),
                    ));
                }
                out.push(byte[0]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if out.last() == Some(&b'\r') {
        out.pop();
    }
    zeroize::Zeroize::zeroize(&mut byte);
    Ok(out)
}

/// Constant-time equality of two secrets (lengths are not secret).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_have_the_length_and_alphabet() {
        let a = generate(32).unwrap();
        let b = generate(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.iter().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(*a, *b);
        assert_eq!(generate(0).unwrap().len(), 0);
    }

    #[test]
    fn read_line_strips_one_line_ending() {
        let mut r: &[u8] = b"s3cret\r\nnext\n";
        assert_eq!(&*read_line(&mut r).unwrap(), b"s3cret");
        assert_eq!(r, b"next\n", "only the first line is consumed");
        let mut r: &[u8] = b"no-newline";
        assert_eq!(&*read_line(&mut r).unwrap(), b"no-newline");
        let mut r: &[u8] = b"";
        assert_eq!(&*read_line(&mut r).unwrap(), b"");
        let long = vec![b'x'; MAX_PASSWORD_LEN + 1];
        assert!(read_line(&mut &long[..]).is_err());
    }

    #[test]
    fn same_compares_contents() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
