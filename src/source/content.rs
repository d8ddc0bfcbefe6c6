//! A file's bytes in memory.
//!
//! Read, not mapped: mapping big files (with a SIGBUS handler for files cut short under
//! the mapping) gained 1.5% on `user verify` and 2.8% on `check` of the 1,000,000-line
//! password file (benches/compare.sh, tasks verify and passwd-check, same run, medians of
//! 30 rounds), below what would pay for a process-wide signal handler and unsafe code.

use std::io::Read;
use std::ops::Deref;
use std::path::Path;

/// The bytes of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Content(Vec<u8>);

impl Deref for Content {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Content {
    fn from(v: Vec<u8>) -> Self {
        Content(v)
    }
}

impl PartialEq<[u8]> for Content {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

/// Read a whole file. `len` is its size when the caller already knows it (saves a
/// `statx`); a wrong one only costs a reallocation.
pub fn read(path: &Path, len: Option<u64>) -> std::io::Result<Content> {
    let mut file = std::fs::File::open(path)?;
    let len = match len {
        Some(n) => n,
        None => file.metadata()?.len(),
    };
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    // `Take` reads into the room reserved above without asking for the size again.
    (&mut file).take(u64::MAX).read_to_end(&mut bytes)?;
    Ok(Content(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let line = b"user:$apr1$abcdefgh$0123456789abcdefghijkl\n";
        std::fs::write(&p, line.repeat(50_000)).unwrap();
        let c = read(&p, None).unwrap();
        assert_eq!(c.len(), 50_000 * line.len());
        assert_eq!(c.clone().to_vec(), std::fs::read(&p).unwrap());
    }

    #[test]
    fn a_wrong_known_length_still_reads_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc\ndef\n").unwrap();
        assert_eq!(&*read(&p, Some(3)).unwrap(), b"abc\ndef\n");
        assert_eq!(&*read(&p, Some(1 << 20)).unwrap(), b"abc\ndef\n");
    }
}
