//! Lines Apache joins. httpd's `ap_cfg_getline` reads a line ending in `\` together with the
//! next one, and an escaped `\\` carries the join on across empty lines; nginx reads line by
//! line. An edit that rewrites or removes a line Apache reads as the tail of an earlier one,
//! or appends after a file whose end Apache is still continuing, would change an entry other
//! than the one it names or write one Apache never reads as written: it is refused.

use super::error::UserError;
use crate::model::passwd::{self as view, ApacheRead};
use crate::syntax::passwd::{self, EditError, Editor, Facts, PasswdFile};
use std::path::Path;

/// The new bytes of `ed`'s batch over `file` (parsed from `src`), or the refusal.
pub(super) fn finish(
    path: &Path,
    file: &PasswdFile,
    src: &[u8],
    ed: Editor<'_>,
) -> Result<Vec<u8>, UserError> {
    let changed: Vec<usize> = ed.changed_lines().collect();
    let appends = ed.appends();
    let out = ed.finish();
    // Without a `\` at the end of some line Apache joins nothing: one pass over flags.
    if !file
        .lines()
        .iter()
        .any(|l| l.has(Facts::TRAILING_BACKSLASH))
    {
        return Ok(out);
    }
    let mut joined = joined_record(file, src, &changed);
    if joined.is_none() && appends {
        // The first new line sits where the old file's lines end.
        let new = passwd::parse(&out);
        joined = joined_record(&new, &out, &[file.lines().len()]);
    }
    match joined {
        Some(first) => Err(UserError::Edit {
            path: path.to_path_buf(),
            source: EditError::JoinedLine { line: first + 1 },
        }),
        None => Ok(out),
    }
}

/// The first line of the record holding the first of `lines` (ascending) that Apache reads
/// as the tail of a record starting on an earlier line.
fn joined_record(file: &PasswdFile, src: &[u8], lines: &[usize]) -> Option<usize> {
    let mut lines = lines.iter().copied().peekable();
    for rec in view::apache_view(file, src) {
        while let Some(i) = lines.next_if(|&i| i <= rec.last_line) {
            if i > rec.first_line {
                return Some(rec.first_line);
            }
        }
        // Nothing after a line too long for Apache's buffer is read at all.
        if lines.peek().is_none() || matches!(rec.read, ApacheRead::StopsReading) {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(src: &[u8], edit: impl FnOnce(&mut Editor<'_>)) -> Option<usize> {
        let file = passwd::parse(src);
        let mut ed = file.editor(src);
        edit(&mut ed);
        match finish(Path::new("f"), &file, src, ed) {
            Err(UserError::Edit {
                source: EditError::JoinedLine { line },
                ..
            }) => Some(line),
            Err(e) => panic!("{e}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn a_line_apache_reads_as_the_tail_of_another_is_not_edited() {
        // `x:1\` + LF: Apache reads `x:1bob:1`, and no user `bob`.
        let src = b"x:1\\\nbob:1\n";
        assert_eq!(refused(src, |e| e.set_basic("bob", "2").unwrap()), Some(1));
        assert_eq!(
            refused(src, |e| {
                e.remove("bob", None).unwrap();
            }),
            Some(1)
        );
        // `\\` carries the join across the empty line.
        let src = b"x:1\\\\\n\nbob:1\n";
        assert_eq!(refused(src, |e| e.set_basic("bob", "2").unwrap()), Some(1));
        // The joining line itself may change (its `\` goes with the old hash).
        assert_eq!(
            refused(b"x:1\\\nbob:1\n", |e| e.set_basic("x", "2").unwrap()),
            None
        );
        assert_eq!(
            refused(b"a:1\nbob:1\n", |e| e.set_basic("bob", "2").unwrap()),
            None
        );
    }

    #[test]
    fn nothing_is_appended_where_apache_still_continues_a_line() {
        for src in [
            &b"y:1\\"[..],
            b"y:1\\\n",
            b"y:1\\\r\n",
            b"y:1\\\\\n\n",
            b"a:1\nb\\\\\n\r\n",
        ] {
            assert!(
                refused(src, |e| e.add_basic("bob", "2").unwrap()).is_some(),
                "{src:?}"
            );
        }
        assert_eq!(
            refused(b"y:1\\\nz:1\n", |e| e.add_basic("bob", "2").unwrap()),
            None
        );
    }
}
