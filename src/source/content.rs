//! A file's bytes in memory: read into a vector, or, for big files, mapped from the page
//! cache. Mapping a 50 MB password file skips copying it and, above all, zeroing 50 MB of
//! fresh memory for the copy (a third of a check's time on a VM).

use std::io::Read;
use std::ops::Deref;
use std::path::Path;

/// Files at least this big are mapped; smaller ones are read (one `read` is cheaper
/// than setting up and tearing down a mapping).
const MAP_MIN: u64 = 1 << 20;

/// The bytes of one file.
#[derive(Debug)]
pub enum Content {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Deref for Content {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Content::Owned(v) => v,
            Content::Mapped(m) => m,
        }
    }
}

impl Default for Content {
    fn default() -> Self {
        Content::Owned(Vec::new())
    }
}

impl Clone for Content {
    fn clone(&self) -> Self {
        Content::Owned(self.to_vec())
    }
}

impl From<Vec<u8>> for Content {
    fn from(v: Vec<u8>) -> Self {
        Content::Owned(v)
    }
}

impl PartialEq<[u8]> for Content {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

/// Read a whole file. `len` is its size when the caller already knows it (saves a
/// `statx`); a regular file of [`MAP_MIN`] bytes or more is mapped instead of read.
pub fn read(path: &Path, len: Option<u64>) -> std::io::Result<Content> {
    let mut file = std::fs::File::open(path)?;
    let len = match len {
        Some(n) => n,
        None => file.metadata()?.len(),
    };
    if len >= MAP_MIN && usize::try_from(len).is_ok() {
        guard_against_truncation();
        // SAFETY: the mapping is read-only and private; its bytes can still change, or
        // vanish, if another program rewrites the file in place while we read it. Changed
        // bytes only change what we report; vanished pages raise SIGBUS, which
        // `guard_against_truncation` turns into a clear error instead of a crash report.
        // Regular files only: `map` fails on pipes and devices, which are then read.
        if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            return Ok(Content::Mapped(map));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    // `Take` reads into the room reserved above without asking for the size again.
    (&mut file).take(u64::MAX).read_to_end(&mut bytes)?;
    Ok(Content::Owned(bytes))
}

/// Install, once, a SIGBUS handler that reports a mapped file cut short by another
/// program (the only way a read of mapped memory can fail) and exits with status 2.
fn guard_against_truncation() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        extern "C" fn on_sigbus(_: libc::c_int) {
            const MSG: &[u8] = b"htguard: error: a file was truncated by another program while \
                it was being checked; nothing was written, run the check again\n";
            // SAFETY: write(2) and _exit(2) are async-signal-safe.
            unsafe {
                libc::write(2, MSG.as_ptr().cast(), MSG.len());
                libc::_exit(2);
            }
        }
        // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; the handler
        // only calls async-signal-safe functions.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn small_files_are_read_and_big_files_mapped_with_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        std::fs::write(&small, b"alice:x\n").unwrap();
        let c = read(&small, None).unwrap();
        assert!(matches!(c, Content::Owned(_)));
        assert_eq!(&*c, b"alice:x\n");

        let big = dir.path().join("big");
        let mut f = std::fs::File::create(&big).unwrap();
        let line = b"user:$apr1$abcdefgh$0123456789abcdefghijkl\n";
        let n = (MAP_MIN as usize / line.len()) + 10;
        for _ in 0..n {
            f.write_all(line).unwrap();
        }
        drop(f);
        let c = read(&big, None).unwrap();
        assert!(matches!(c, Content::Mapped(_)));
        assert_eq!(c.len(), n * line.len());
        assert_eq!(&c[..line.len()], line);
        assert_eq!(c.clone().to_vec(), std::fs::read(&big).unwrap());
    }

    #[test]
    fn a_wrong_known_length_still_reads_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc\ndef\n").unwrap();
        assert_eq!(&*read(&p, Some(3)).unwrap(), b"abc\ndef\n");
    }

    /// Run by `a_file_truncated_under_the_mapping_exits_2` in a child process: map the
    /// file named by the variable, cut it to nothing, read the mapping.
    #[test]
    fn sigbus_child() {
        let Some(path) = std::env::var_os("HTGUARD_SIGBUS_CHILD") else {
            return;
        };
        let c = read(Path::new(&path), None).unwrap();
        assert!(matches!(c, Content::Mapped(_)));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        let sum: u64 = c.iter().map(|b| u64::from(*b)).sum();
        panic!("read {sum} from a truncated mapping without SIGBUS");
    }

    #[test]
    fn a_file_truncated_under_the_mapping_exits_2() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; MAP_MIN as usize * 2]).unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "source::content::tests::sigbus_child",
                "--nocapture",
            ])
            .env("HTGUARD_SIGBUS_CHILD", &big)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("truncated by another program"), "{stderr}");
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("nope"), None).is_err());
    }
}
