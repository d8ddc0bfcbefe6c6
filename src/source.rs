//! Source files and byte spans: every finding points at exact text in exact file.

use std::path::{Path, PathBuf};

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

/// One file read from disk (or given in memory), kept as raw bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user (or the config that named it) gave it.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// Byte offset of the start of each line, built on first use: a million-line
    /// password file without findings never needs it.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Self {
        SourceFile {
            path: path.into(),
            bytes,
            line_starts: std::sync::OnceLock::new(),
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

    /// Text for display; invalid UTF-8 is replaced, so offsets may shift only
    /// inside invalid sequences (callers display, never slice, this).
    pub fn text_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// 1-based line and 1-based column (in characters of the lossy text) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
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

/// All files one run has read. Spans index into it by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// First file added under each path: `find` is a lookup, not a scan (a tree with
    /// 10,000 `.htaccess` files asks thousands of times).
    by_path: std::collections::HashMap<PathBuf, FileId>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) -> FileId {
        let path = path.into();
        let id = self.files.len();
        self.by_path.entry(path.clone()).or_insert(id);
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
        let bytes = std::fs::read(path)?;
        Ok(self.add(path, bytes))
    }

    /// The id of a file already added under this exact path.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
