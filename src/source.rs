//! Source files and byte spans: every finding points at exact text in exact file.

use std::path::{Path, PathBuf};

pub mod access;
mod content;
pub mod glob;
pub use content::{Content, read as read_file};

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// A half-open byte range `[start, end)` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { file, start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Why a file of a run was read: what kind of file it was taken for, and what led to it
/// (`--verbose`, the JSON report's `inputs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub file: FileId,
    /// `apache`, `htaccess`, `nginx-snippet`, `htpasswd`…, or `assumed` for configuration
    /// text htguard supplies itself.
    pub kind: String,
    pub why: String,
}

/// One file read from disk (or given in memory), kept as raw bytes.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user (or the config that named it) gave it.
    pub path: PathBuf,
    pub bytes: Content,
    /// Byte offset of the start of each line, built when a file is asked for lines
    /// out of order: a million-line password file with a few findings never needs it.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// The last (offset, 0-based line) asked for: findings come in file order, so
    /// counting newlines from there costs one pass over the file for all of them.
    cursor: std::sync::Mutex<(usize, usize)>,
    /// Lookups that went backwards; past [`BACKWARD_LOOKUPS`] the index is built.
    backward: std::sync::atomic::AtomicUsize,
}

/// Below this size a file gets its line index at once (it costs next to nothing).
const INDEX_AT_ONCE: usize = 256 * 1024;
/// Backward lookups answered by counting from the start before the index is built.
const BACKWARD_LOOKUPS: usize = 8;

impl Clone for SourceFile {
    fn clone(&self) -> Self {
        SourceFile::new(self.path.clone(), self.bytes.clone())
    }
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, bytes: impl Into<Content>) -> Self {
        SourceFile {
            path: path.into(),
            bytes: bytes.into(),
            line_starts: std::sync::OnceLock::new(),
            cursor: std::sync::Mutex::new((0, 0)),
            backward: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            // SIMD newline search (million-line files too).
            starts.extend(memchr::memchr_iter(b'\n', &self.bytes).map(|i| i + 1));
            starts
        })
    }

    /// 0-based line of a byte offset (at most the file's length) and where it starts.
    fn locate(&self, offset: usize) -> (usize, usize) {
        use std::sync::atomic::Ordering;
        let indexed = |f: &Self| {
            let starts = f.line_starts();
            let line = match starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            };
            (line, starts[line])
        };
        if self.line_starts.get().is_some() || self.bytes.len() < INDEX_AT_ONCE {
            return indexed(self);
        }
        let mut cursor = self.cursor.lock().unwrap_or_else(|e| e.into_inner());
        let (from, base) = if offset >= cursor.0 {
            *cursor
        } else if self.backward.fetch_add(1, Ordering::Relaxed) < BACKWARD_LOOKUPS {
            (0, 0)
        } else {
            drop(cursor);
            return indexed(self);
        };
        let line = base + memchr::memchr_iter(b'\n', &self.bytes[from..offset]).count();
        *cursor = (offset, line);
        let start = memchr::memrchr(b'\n', &self.bytes[..offset]).map_or(0, |i| i + 1);
        (line, start)
    }

    /// Where the lines `context` lines before the line of `lo` and `context` lines after
    /// the line of `hi` start and end: (0-based first line, start byte, end byte; the end
    /// is just past the last line's ending).
    pub fn lines_around(&self, lo: usize, hi: usize, context: usize) -> (usize, usize, usize) {
        let bytes = &self.bytes[..];
        let (lo, hi) = (lo.min(bytes.len()), hi.min(bytes.len()));
        let (mut first, mut start) = self.locate(lo);
        for _ in 0..context {
            if start == 0 {
                break;
            }
            start = memchr::memrchr(b'\n', &bytes[..start - 1]).map_or(0, |i| i + 1);
            first -= 1;
        }
        let mut end = hi;
        for _ in 0..=context {
            match memchr::memchr(b'\n', &bytes[end..]) {
                Some(i) => end += i + 1,
                None => {
                    end = bytes.len();
                    break;
                }
            }
        }
        (first, start, end)
    }

    /// Text for display; invalid UTF-8 is replaced, so offsets may shift only
    /// inside invalid sequences (callers display, never slice, this).
    pub fn text_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// 1-based line and 1-based column (in characters of the lossy text) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let (line, start) = self.locate(offset);
        let col = String::from_utf8_lossy(&self.bytes[start..offset])
            .chars()
            .count()
            + 1;
        (line + 1, col)
    }

    /// Byte range of the 1-based line `line`, without its line ending.
    pub fn line_span(&self, line: usize) -> Option<(usize, usize)> {
        let start = *self.line_starts().get(line.checked_sub(1)?)?;
        let mut end = self
            .line_starts()
            .get(line)
            .map(|n| n - 1)
            .unwrap_or(self.bytes.len());
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Some((start, end))
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

/// Read a file to its end without asking for its size first (`std::fs::read` does a
/// `statx`: one system call more per file, which thousands of small config files feel).
pub fn read_small(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut chunk = [0u8; 8192];
    let mut out = Vec::new();
    loop {
        match f.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Whether a config file a server opens at startup can be read here without blocking:
/// a regular file, or `/dev/null` (which httpd accepts by name). httpd and nginx open an
/// included FIFO and wait for a writer forever (`apache2 -t` and `nginx -t` hang), and a
/// device can be endless; a check reports those instead of reading them. `listed`: the
/// type a directory listing gave the file (a regular file needs no second look).
pub fn check_config_file(path: &Path, listed: Option<std::fs::FileType>) -> std::io::Result<()> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    const DEV_NULL: u64 = (1 << 8) | 3; // major 1, minor 3 (Linux)
    if listed.is_some_and(|t| t.is_file()) {
        return Ok(());
    }
    let meta = std::fs::metadata(path)?;
    let kind = meta.file_type();
    let readable = kind.is_file() || (kind.is_char_device() && meta.rdev() == DEV_NULL);
    // A directory fails to read as it always did.
    let what = if readable || kind.is_dir() {
        return Ok(());
    } else if kind.is_fifo() {
        "a FIFO: the server waits for a writer when it opens it, and never starts"
    } else if kind.is_socket() {
        "a socket, which the server cannot read"
    } else {
        "a device, not a regular file"
    };
    Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, what))
}

/// All files one run has read. Spans index into it by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// First file added under each path: `find` is a lookup, not a scan (a tree with
    /// 10,000 `.htaccess` files asks thousands of times).
    /// Keyed by [`path_key`]: paths `Path ==` calls equal are one key.
    by_path: foldhash::HashMap<std::ffi::OsString, FileId>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Content>) -> FileId {
        let path = path.into();
        let id = self.files.len();
        self.by_path
            .entry(path_key(&path).into_owned())
            .or_insert(id);
        self.files.push(SourceFile::new(path, bytes));
        id
    }

    /// Room for `n` more files without reallocating or rehashing.
    pub fn reserve(&mut self, n: usize) {
        self.files.reserve(n);
        self.by_path.reserve(n);
    }

    /// Read a file from disk and add it.
    pub fn load(&mut self, path: &Path) -> std::io::Result<FileId> {
        let bytes = read_file(path, None)?;
        Ok(self.add(path, bytes))
    }

    /// The id of a file already added under this exact path.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path
            .get::<std::ffi::OsStr>(&path_key(path))
            .copied()
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub fn slice(&self, span: Span) -> &[u8] {
        &self.files[span.file].bytes[span.start..span.end]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// `Path::ancestors` of a [`path_key`], by byte search: a key is already normal, so
/// each parent is the text before the last `/` (the root's parent is none).
pub fn key_ancestors(key: &std::ffi::OsStr) -> impl Iterator<Item = &std::ffi::OsStr> {
    use std::os::unix::ffi::OsStrExt;
    std::iter::successors(Some(key.as_bytes()), |k| {
        if k.is_empty() || *k == b"/" {
            return None;
        }
        Some(match k.iter().rposition(|&c| c == b'/') {
            Some(0) => &b"/"[..],
            Some(i) => &k[..i],
            None => &b""[..],
        })
    })
    .map(std::ffi::OsStr::from_bytes)
}

/// `Path::strip_prefix` on [`path_key`]s, by bytes: what of `key` lies below `base`
/// (empty when they are equal), None when `base` is not `key` or one of its ancestors.
pub fn key_strip_prefix<'k>(
    key: &'k std::ffi::OsStr,
    base: &std::ffi::OsStr,
) -> Option<&'k std::ffi::OsStr> {
    use std::os::unix::ffi::OsStrExt;
    let (k, b) = (key.as_bytes(), base.as_bytes());
    let rest = k.strip_prefix(b)?;
    let rest = if b.is_empty() || b.ends_with(b"/") || rest.is_empty() {
        rest
    } else {
        rest.strip_prefix(b"/")?
    };
    Some(std::ffi::OsStr::from_bytes(rest))
}

/// A path as a map key: its bytes, with the components joined again when the spelling is
/// not already what they spell (`/a//b/`, `/a/./b`), so that paths `Path ==` treats as
/// equal are one key. Hashing these bytes is much cheaper than `Path`'s hash, which walks
/// the components on every lookup.
pub fn path_key(p: &Path) -> std::borrow::Cow<'_, std::ffi::OsStr> {
    use std::os::unix::ffi::OsStrExt;
    let b = p.as_os_str().as_bytes();
    // Not normal: `//`, `/./` or a final `/.` anywhere, or a final `/` (but for `/`).
    // One pass, looking after each `/` (paths are short: a plain loop beats a search).
    let odd_after_slash = (0..b.len()).any(|i| {
        b[i] == b'/'
            && match b.get(i + 1) {
                Some(b'/') => true,
                Some(b'.') => matches!(b.get(i + 2), None | Some(b'/')),
                _ => false,
            }
    });
    let normal = !(odd_after_slash || (b.len() > 1 && b.ends_with(b"/")));
    if normal {
        std::borrow::Cow::Borrowed(p.as_os_str())
    } else {
        std::borrow::Cow::Owned(p.components().collect::<PathBuf>().into_os_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_strip_prefix_is_path_strip_prefix() {
        let paths = [
            "/", "/a", "/a/", "/a/b", "/a//b/", "/a/./b", "/ab", "/a/bc", "a", "a/b", "./a", ".",
            "", "/a/b/c",
        ];
        for p in paths {
            for base in paths {
                let (p, base) = (Path::new(p), Path::new(base));
                // Compared as keys: `strip_prefix` keeps the rest as spelled (`a//b`).
                let key_of = |r: &Path| path_key(r).into_owned();
                let by_path = p.strip_prefix(base).ok().map(key_of);
                let (pk, bk) = (path_key(p), path_key(base));
                let by_key = key_strip_prefix(&pk, &bk).map(|r| key_of(Path::new(r)));
                assert_eq!(by_key, by_path, "{} below {}", p.display(), base.display());
            }
        }
    }

    #[test]
    fn find_takes_any_spelling_of_a_path() {
        let mut s = Sources::new();
        let id = s.add("/srv/a/.htaccess", b"x".to_vec());
        for spelling in [
            "/srv/a/.htaccess",
            "/srv//a/./.htaccess",
            "/srv/a/.htaccess/",
        ] {
            assert_eq!(s.find(Path::new(spelling)), Some(id), "{spelling}");
        }
        assert_eq!(s.find(Path::new("/srv/b/.htaccess")), None);
        // The first file added under a path keeps it.
        s.add("/srv//a/.htaccess", b"y".to_vec());
        assert_eq!(s.find(Path::new("/srv/a/.htaccess")), Some(id));
    }

    /// The one-scan normality check agrees with the plain definition on every spelling
    /// of up to 7 bytes made of `/`, `.` and `a`.
    #[test]
    fn path_key_matches_its_definition() {
        use std::os::unix::ffi::OsStrExt;
        fn reference(b: &[u8]) -> std::ffi::OsString {
            let normal = !(b.windows(2).any(|w| w == b"//")
                || b.windows(3).any(|w| w == b"/./")
                || b.ends_with(b"/.")
                || (b.len() > 1 && b.ends_with(b"/")));
            let p = Path::new(std::ffi::OsStr::from_bytes(b));
            if normal {
                p.as_os_str().to_owned()
            } else {
                p.components().collect::<PathBuf>().into_os_string()
            }
        }
        let mut spellings: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..7 {
            let longer: Vec<Vec<u8>> = spellings
                .iter()
                .filter(|s| s.len() == spellings.last().unwrap().len())
                .flat_map(|s| b"/.a".iter().map(move |&c| [&s[..], &[c]].concat()))
                .collect();
            spellings.extend(longer);
        }
        assert!(spellings.len() > 3000);
        for b in spellings {
            let p = Path::new(std::ffi::OsStr::from_bytes(&b));
            assert_eq!(path_key(p), reference(&b), "{:?}", p);
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("x", b"ab\ncd\r\nef".to_vec());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_col(7), (3, 1));
        assert_eq!(f.line_span(2), Some((3, 5)));
        assert_eq!(f.line_span(3), Some((7, 9)));
        assert_eq!(f.line_span(4), None);
    }

    /// A big file answers from counting (in order, then a few backwards, then from the
    /// index): every way gives what the index gives.
    #[test]
    fn big_files_locate_lines_without_an_index_first() {
        let mut text = Vec::new();
        for i in 0..40_000 {
            text.extend_from_slice(format!("user{i}:{}\r\n", "x".repeat(i % 13)).as_bytes());
        }
        text.extend_from_slice(b"last line without ending");
        assert!(text.len() > INDEX_AT_ONCE);
        let counted = SourceFile::new("big", text.clone());
        let indexed = SourceFile::new("big", text.clone());
        indexed.line_starts();
        let len = text.len();
        let mut offsets: Vec<usize> = (0..60).map(|k| k * len / 59).collect();
        offsets.extend([0, 1, 7, 8, len - 1, len]);
        let backwards: Vec<usize> = offsets.iter().rev().copied().collect();
        offsets.extend(backwards);
        for &o in &offsets {
            assert_eq!(counted.line_col(o), indexed.line_col(o), "offset {o}");
            for context in [0, 2] {
                let hi = (o + 30).min(len);
                assert_eq!(
                    counted.lines_around(o, hi, context),
                    indexed.lines_around(o, hi, context),
                    "offset {o}"
                );
            }
        }
        assert!(
            counted.line_starts.get().is_some(),
            "many backward lookups build the index"
        );
    }

    #[test]
    fn lines_around_matches_line_spans() {
        let f = SourceFile::new("x", b"a\nbb\nccc\ndddd\ne".to_vec());
        // Line of byte 6 (`ccc`, 0-based line 2) with one line of context each side.
        assert_eq!(f.lines_around(6, 7, 1), (1, 2, 14));
        assert_eq!(f.lines_around(0, 1, 2), (0, 0, 9));
        assert_eq!(f.lines_around(15, 16, 5), (0, 0, 15));
    }
}
