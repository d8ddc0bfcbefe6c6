//! What the fuzz targets share: a small file tree built from the fuzz input, and the
//! checks every run's outcome must pass (spans inside their files, every renderer and
//! the fix planner run without panicking).
//!
//! # Input format
//!
//! The input is split at each `\n%%% ` into chunks. The first chunk is the content of
//! the tree's main file (its path is the target's choice, e.g. `etc/apache2/apache2.conf`).
//! Every later chunk starts with a header line that names one more entry, relative to the
//! tree's root:
//!
//! ```text
//! %%% etc/apache2/conf.d/a.conf      a file; the rest of the chunk is its content
//! %%% etc/apache2/conf.d/            a directory
//! %%% etc/apache2/loop -> etc        a symlink to root/etc (absolute, so it stays inside)
//! %%% var/www/.htpasswd |            a FIFO (a reader must not block on it)
//! ```
//!
//! Names keep any bytes except `/` and NUL; `.`, `..` and empty components are dropped,
//! so nothing is ever created outside the temporary root.

use htguard::check::{CheckOutcome, fix};
use htguard::report::{self, Findings};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

const MARKER: &[u8] = b"\n%%% ";
const MAX_ENTRIES: usize = 24;
const MAX_DEPTH: usize = 6;
const MAX_COMPONENT: usize = 64;

/// One entry of the generated tree.
#[derive(Debug)]
pub enum Entry {
    File(PathBuf, Vec<u8>),
    Dir(PathBuf),
    /// Link path and target, both relative to the root.
    Symlink(PathBuf, PathBuf),
    Fifo(PathBuf),
}

/// A temporary tree; removed when dropped.
pub struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    /// Build the tree `data` describes, with the first chunk written to `main`.
    pub fn build(data: &[u8], main: &str) -> Tree {
        let dir = scratch_dir();
        for entry in entries(data, main) {
            create(dir.path(), &entry);
        }
        Tree { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// A fresh temporary directory, in memory when the machine has `/dev/shm`.
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let builder = tempfile::Builder::new()
        .prefix("htguard-fuzz.")
        .tempdir_in(shm);
    builder.unwrap_or_else(|_| tempfile::tempdir().expect("a temporary directory"))
}

/// The entries `data` describes (see the module docs).
pub fn entries(data: &[u8], main: &str) -> Vec<Entry> {
    let mut chunks = split(data);
    let first = chunks.next().unwrap_or_default();
    let mut out = vec![Entry::File(PathBuf::from(main), first.to_vec())];
    for chunk in chunks.take(MAX_ENTRIES) {
        let (header, content) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], &chunk[i + 1..]),
            None => (chunk, &[][..]),
        };
        if let Some(e) = entry(header, content) {
            out.push(e);
        }
    }
    out
}

fn split(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match memfind(r, MARKER) {
            Some(i) => {
                rest = Some(&r[i + MARKER.len()..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn entry(header: &[u8], content: &[u8]) -> Option<Entry> {
    if let Some(i) = memfind(header, b" -> ") {
        let link = clean(&header[..i])?;
        let target = clean(&header[i + 4..]).unwrap_or_default();
        return Some(Entry::Symlink(link, target));
    }
    if let Some(name) = header.strip_suffix(b" |") {
        return Some(Entry::Fifo(clean(name)?));
    }
    if header.ends_with(b"/") {
        return Some(Entry::Dir(clean(header)?));
    }
    Some(Entry::File(clean(header)?, content.to_vec()))
}

/// A relative path from arbitrary bytes that cannot leave the root.
fn clean(name: &[u8]) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    let parts = name
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b"." && *c != b"..");
    for part in parts.take(MAX_DEPTH) {
        let part: Vec<u8> = part
            .iter()
            .copied()
            .filter(|&b| b != 0)
            .take(MAX_COMPONENT)
            .collect();
        if !part.is_empty() && part != b"." && part != b".." {
            path.push(OsStr::from_bytes(&part));
        }
    }
    (!path.as_os_str().is_empty()).then_some(path)
}

/// Create one entry; what cannot be created (a parent that is a file) is skipped.
fn create(root: &Path, entry: &Entry) {
    let path = match entry {
        Entry::File(p, _) | Entry::Dir(p) | Entry::Symlink(p, _) | Entry::Fifo(p) => root.join(p),
    };
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = match entry {
        Entry::File(_, bytes) => std::fs::write(&path, bytes),
        Entry::Dir(_) => std::fs::create_dir_all(&path),
        Entry::Symlink(_, target) => std::os::unix::fs::symlink(root.join(target), &path),
        Entry::Fifo(_) => mkfifo(&path),
    };
}

fn mkfifo(path: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, FileType, Mode, mknodat};
    mknodat(CWD, path, FileType::Fifo, Mode::from_raw_mode(0o644), 0).map_err(Into::into)
}

/// What every outcome must satisfy: each finding's spans lie inside their file, on
/// character boundaries of the reported text where the file is UTF-8; every renderer
/// and the fix planner run on it.
pub fn check_outcome(outcome: &CheckOutcome) {
    let sources = &outcome.sources;
    for d in &outcome.diagnostics {
        let labels = std::iter::once(&d.primary).chain(&d.secondary);
        for span in labels.map(|l| l.span) {
            assert!(span.file < sources.len(), "{}: span in no file", d.code);
            let len = sources.get(span.file).bytes.len();
            assert!(
                span.start <= span.end && span.end <= len,
                "{}: span {}..{} outside a file of {len} bytes",
                d.code,
                span.start,
                span.end
            );
        }
        for edit in d.fix.iter().flat_map(|f| &f.edits) {
            let len = sources.get(edit.span.file).bytes.len();
            assert!(edit.span.start <= edit.span.end && edit.span.end <= len);
        }
    }
    let findings = Findings {
        sources,
        diagnostics: &outcome.diagnostics,
        passwd_files: &outcome.passwd_files,
        suppressed: outcome.suppressed,
        inputs: &outcome.inputs,
    };
    let _ = report::human::render(&findings, Default::default());
    let json = report::json::render(&findings);
    serde_json::from_str::<serde_json::Value>(&json).expect("the JSON report parses");
    let _ = report::sarif::render(&findings, &htguard::rules::all_info());
    let _ = report::github::render(&findings);
    let _ = report::gitlab::render(&findings, Path::new("/"));
    let _ = report::diff::render(&fix::plan(outcome));
}

/// Parse `bytes` as an Apache file; every span of the tree lies inside it, in order.
pub fn check_apache_syntax(bytes: &[u8]) {
    use htguard::syntax::apache::{Node, parse};
    fn inside(s: htguard::source::Span, len: usize) {
        assert!(
            s.file == 7 && s.start <= s.end && s.end <= len,
            "{s:?} outside {len}"
        );
    }
    fn nodes(list: &[Node], len: usize) {
        for n in list {
            match n {
                Node::Comment(s) => inside(*s, len),
                Node::Directive(d) => {
                    inside(d.span, len);
                    std::iter::once(&d.name)
                        .chain(&d.args)
                        .for_each(|w| inside(w.span, len));
                }
                Node::Section(s) => {
                    inside(s.open, len);
                    s.close.iter().for_each(|c| inside(*c, len));
                    std::iter::once(&s.name)
                        .chain(&s.args)
                        .for_each(|w| inside(w.span, len));
                    nodes(&s.children, len);
                }
            }
        }
    }
    let parsed = parse(7, bytes);
    nodes(&parsed.nodes, bytes.len());
    for e in &parsed.errors {
        inside(e.span, bytes.len());
        e.related.iter().for_each(|(s, _)| inside(*s, bytes.len()));
    }
}

/// Parse `bytes` as an nginx file; every span lies inside it and each word inside its
/// directive.
pub fn check_nginx_syntax(bytes: &[u8]) {
    use htguard::syntax::nginx::parse;
    let len = bytes.len();
    let inside = |s: htguard::source::Span| {
        assert!(
            s.file == 7 && s.start <= s.end && s.end <= len,
            "{s:?} outside {len}"
        );
    };
    let parsed = parse(7, bytes);
    for (d, _) in parsed.walk() {
        inside(d.span);
        for w in std::iter::once(&d.name).chain(&d.args) {
            inside(w.span);
            assert!(d.span.start <= w.span.start && w.span.end <= d.span.end);
        }
        if let Some(b) = &d.block {
            inside(b.open);
            b.close.iter().for_each(|c| inside(*c));
        }
    }
    parsed.comments.iter().for_each(|c| inside(*c));
    parsed.error.iter().for_each(|e| inside(e.span));
}
