//! Include patterns expanded the way each server expands them: nginx's `include` and
//! httpd's `Include`/`IncludeOptional` (`conf.d/*.conf`, `sites-*/*.conf`).
//!
//! Both servers match one path component at a time with POSIX fnmatch rules (`*`, `?`,
//! `[...]` with `!`/`^`, backslash escapes, a leading `.` only matched by a `.` written
//! in the pattern); [`globset`] does the matching. They differ in what they do around
//! it, which [`Dialect`] spells out, each difference checked against the real servers
//! in `tests/include_glob.rs`:
//!
//! - nginx calls glob(3) with no flags (`ngx_open_glob` in src/os/unix/ngx_files.c):
//!   the whole result list is sorted byte-wise, directories are matched through
//!   symbolic links, `.*` also yields `.` and `..`, and a matched directory is returned
//!   as it is (nginx then fails to read it as a file).
//! - httpd walks the pattern itself (`ap_dir_fnmatch` in server/util.c): each level is
//!   sorted on its own, a wildcard before the last component only passes real
//!   directories (not links to them), and a directory at the end is included whole,
//!   recursively, dotfiles and all (`ap_dir_nofnmatch`).
//!
//! Neither treats a pattern that matches nothing as an error here: nginx never does,
//! httpd does for `Include` but not for `IncludeOptional`, which is the caller's call.

use globset::{GlobBuilder, GlobMatcher};
use std::ffi::{OsStr, OsString};
use std::fs::FileType;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// httpd gives up on directories nested deeper than this (`AP_MAX_FNMATCH_DIR_DEPTH`);
/// it also ends a walk through a symbolic link that loops.
const MAX_DIRECTORY_DEPTH: usize = 128;

/// Whose include rules to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// nginx `include`: glob(3) as glibc implements it, no flags.
    Nginx,
    /// httpd `Include` / `IncludeOptional`: `ap_process_fnmatch_configs`.
    Apache,
}

impl Dialect {
    /// Whether the server expands `path` as a pattern; otherwise it opens the path as
    /// written. nginx looks for any of `*?[` (`strpbrk` in `ngx_conf_include`); httpd
    /// for a real wildcard (`apr_fnmatch_test`: `*`, `?`, or `[` closed by `]`).
    pub fn is_pattern(self, path: &str) -> bool {
        match self {
            Dialect::Nginx => path.contains(['*', '?', '[']),
            Dialect::Apache => has_wildcard(path.as_bytes()),
        }
    }

    /// glob(3) unescapes `\x` in components without wildcards; httpd uses them as written.
    fn unescapes_literals(self) -> bool {
        self == Dialect::Nginx
    }

    /// glob(3) lists `.` and `..` (which `.*` matches); httpd skips them.
    fn lists_dot_entries(self) -> bool {
        self == Dialect::Nginx
    }

    /// Before the last component, glob(3) follows a symbolic link to a directory;
    /// httpd only takes entries whose own type is directory.
    fn follows_linked_directories(self) -> bool {
        self == Dialect::Nginx
    }

    /// httpd includes every file under a directory the pattern names; nginx returns
    /// the directory itself.
    fn includes_directories_whole(self) -> bool {
        self == Dialect::Apache
    }
}

/// `apr_fnmatch_test` (and glibc's `__glob_pattern_p`): `*` or `?`, or a `[` with a `]`
/// after it; a backslash hides the next character.
fn has_wildcard(text: &[u8]) -> bool {
    let mut open_bracket = false;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'*' | b'?' => return true,
            b'\\' => i += 1,
            b'[' => open_bracket = true,
            b']' if open_bracket => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// What a pattern names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The files (for nginx, also directories) in the order the server reads them.
    pub paths: Vec<PathBuf>,
    /// The type of each path as the directory listing gave it (None: named without a
    /// wildcard, or a link): a caller need not stat a listed regular file again.
    pub kinds: Vec<Option<FileType>>,
    /// Where the pattern leads nowhere, in walking order. httpd's `Include` (not
    /// `IncludeOptional`) refuses to start at the first one; glob(3) passes them by.
    pub dead_ends: Vec<DeadEnd>,
}

/// A place where a pattern leads nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadEnd {
    /// A wildcard that matches nothing in its directory (or the directory cannot be
    /// read): the pattern from that directory on.
    NoMatch(PathBuf),
    /// A path without wildcards that does not exist.
    Missing(PathBuf),
}

/// What `pattern` names, in the order the server reads it. `to_local` maps a path the
/// server would open to where it is on this machine (`--root`); the paths returned are
/// in the pattern's terms.
pub fn expand(pattern: &Path, dialect: Dialect, to_local: &dyn Fn(&Path) -> PathBuf) -> Expansion {
    let components: Vec<Component<'_>> = pattern.components().collect();
    let mut out = Expansion::default();
    // Each path so far, with its type when a directory listing told it (no stat needed).
    let mut bases: Vec<(PathBuf, Option<FileType>)> = vec![(PathBuf::new(), None)];
    for (i, component) in components.iter().enumerate() {
        let last = i + 1 == components.len();
        let text = component.as_os_str();
        if !(matches!(component, Component::Normal(_)) && has_wildcard(text.as_bytes())) {
            let literal = literal_component(text, dialect);
            for (base, kind) in &mut bases {
                base.push(&literal);
                *kind = None;
            }
            continue;
        }
        let matcher = NameMatcher::new(text);
        let mut next = Vec::new();
        for (base, _) in &bases {
            let found = matching_entries(base, &matcher, !last, dialect, to_local);
            if found.is_empty() {
                let rest: PathBuf = components[i..].iter().collect();
                out.dead_ends.push(DeadEnd::NoMatch(base.join(rest)));
            }
            next.extend(found);
        }
        bases = next;
    }
    match dialect {
        Dialect::Nginx => {
            // glob(3) checks that the last literal components exist (without following a
            // final link), and sorts the whole list (strcmp: nginx never sets a locale).
            for (path, kind) in bases {
                if kind.is_some() || std::fs::symlink_metadata(to_local(&path)).is_ok() {
                    out.paths.push(path);
                    out.kinds.push(kind.filter(|k| !k.is_symlink()));
                } else {
                    out.dead_ends.push(DeadEnd::Missing(path));
                }
            }
            let mut found: Vec<_> = out.paths.drain(..).zip(out.kinds.drain(..)).collect();
            found.sort_by(|a, b| a.0.as_os_str().as_bytes().cmp(b.0.as_os_str().as_bytes()));
            (out.paths, out.kinds) = found.into_iter().unzip();
        }
        Dialect::Apache => {
            for (base, kind) in bases {
                include_path(&base, kind, 0, dialect, to_local, &mut out);
            }
        }
    }
    out
}

/// A component without wildcards as the server reads it.
fn literal_component(text: &OsStr, dialect: Dialect) -> OsString {
    if !dialect.unescapes_literals() || !text.as_bytes().contains(&b'\\') {
        return text.to_os_string();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.as_bytes().iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match (b, bytes.peek()) {
            (b'\\', Some(&next)) => {
                out.push(next);
                bytes.next();
            }
            _ => out.push(b),
        }
    }
    OsStr::from_bytes(&out).to_os_string()
}

/// The entries of directory `base` whose names match, sorted by name, each with its type
/// as the listing gives it; only directories when `directories_only` (more components
/// follow).
fn matching_entries(
    base: &Path,
    matcher: &NameMatcher,
    directories_only: bool,
    dialect: Dialect,
    to_local: &dyn Fn(&Path) -> PathBuf,
) -> Vec<(PathBuf, Option<FileType>)> {
    let dir = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let local_dir = to_local(dir);
    let Ok(listing) = std::fs::read_dir(&local_dir) else {
        return Vec::new();
    };
    let mut names: Vec<(OsString, Option<FileType>)> = Vec::new();
    if dialect.lists_dot_entries() {
        let dots = [".", ".."].map(OsString::from);
        names.extend(
            dots.into_iter()
                .filter(|n| matcher.matches(n))
                .map(|n| (n, None)),
        );
    }
    for entry in listing.flatten() {
        let name = entry.file_name();
        if matcher.matches(&name)
            && (!directories_only || is_directory(&entry, &local_dir, dialect))
        {
            names.push((name, entry.file_type().ok()));
        }
    }
    names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    names
        .into_iter()
        .map(|(n, kind)| (base.join(n), kind))
        .collect()
}

/// Whether a directory entry passes a wildcard that more components follow.
fn is_directory(entry: &std::fs::DirEntry, local_dir: &Path, dialect: Dialect) -> bool {
    match entry.file_type() {
        Ok(t) if t.is_symlink() && dialect.follows_linked_directories() => {
            local_dir.join(entry.file_name()).is_dir()
        }
        Ok(t) => t.is_dir(),
        Err(_) => false,
    }
}

/// httpd's `ap_dir_nofnmatch`: a directory brings in every file under it (sorted,
/// recursively), a file itself; a path that does not exist brings in nothing.
/// `listed`: the path's type as the listing that found it gave it (not stat'ed again,
/// unless it is a link, which httpd follows).
fn include_path(
    path: &Path,
    listed: Option<FileType>,
    depth: usize,
    dialect: Dialect,
    to_local: &dyn Fn(&Path) -> PathBuf,
    out: &mut Expansion,
) {
    let local = to_local(path);
    let listed = listed.filter(|t| !t.is_symlink());
    let (exists, is_dir) = match listed {
        Some(t) => (true, t.is_dir()),
        None => {
            let metadata = std::fs::metadata(&local);
            (metadata.is_ok(), metadata.is_ok_and(|m| m.is_dir()))
        }
    };
    if !(dialect.includes_directories_whole() && is_dir) {
        if exists {
            out.paths.push(path.to_path_buf());
            out.kinds.push(listed);
        } else {
            out.dead_ends.push(DeadEnd::Missing(path.to_path_buf()));
        }
        return;
    }
    if depth >= MAX_DIRECTORY_DEPTH {
        return;
    }
    let Ok(listing) = std::fs::read_dir(&local) else {
        return;
    };
    let mut names: Vec<(OsString, Option<FileType>)> = listing
        .flatten()
        .map(|e| (e.file_name(), e.file_type().ok()))
        .collect();
    names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (name, kind) in names {
        include_path(&path.join(name), kind, depth + 1, dialect, to_local, out);
    }
}

/// One path component's pattern, matched against directory entries as fnmatch does
/// with `FNM_PERIOD` (both servers' flag): a leading `.` must be written in the pattern.
struct NameMatcher {
    /// `None` when globset refuses the pattern (a reversed range `[z-a]`): it matches
    /// nothing, as the servers' fnmatch finds no name for it in practice.
    glob: Option<GlobMatcher>,
    explicit_dot: bool,
}

impl NameMatcher {
    fn new(pattern: &OsStr) -> NameMatcher {
        let bytes = pattern.as_bytes();
        let text = String::from_utf8_lossy(bytes);
        let glob = GlobBuilder::new(&braces_as_literals(&text))
            .literal_separator(true)
            .backslash_escape(true)
            .allow_unclosed_class(true)
            .build()
            .ok()
            .map(|g| g.compile_matcher());
        NameMatcher {
            glob,
            explicit_dot: bytes.starts_with(b".") || bytes.starts_with(b"\\."),
        }
    }

    fn matches(&self, name: &OsStr) -> bool {
        if name.as_bytes().starts_with(b".") && !self.explicit_dot {
            return false;
        }
        self.glob.as_ref().is_some_and(|g| g.is_match(name))
    }
}

/// `{a,b}` is globset's alternation; fnmatch has none, so braces outside a bracket
/// expression become plain characters.
fn braces_as_literals(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                out.push(c);
                copy_bracket_expression(&mut chars, &mut out);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Copy a bracket expression after its `[` unchanged: `!`/`^`, a leading `]`, up to the
/// closing `]` (or the end, for an unclosed one).
fn copy_bracket_expression(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    if let Some(&c @ ('!' | '^')) = chars.peek() {
        out.push(c);
        chars.next();
    }
    if chars.peek() == Some(&']') {
        out.push(']');
        chars.next();
    }
    for c in chars.by_ref() {
        out.push(c);
        if c == ']' {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
