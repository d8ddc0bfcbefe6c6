//! `--fix` and `--diff`: choose the non-overlapping fixes of the reported findings,
//! compute each file's new content, and write it through the store.

use super::CheckOutcome;
use crate::diag::{Edit, Fix};
use crate::source::FileId;
use crate::store::{self, UpdateError, WriteOptions};
use std::path::PathBuf;

pub use crate::diag::FilePlan;

/// Fixes of every reported finding (suppressed and ignored ones are not in the outcome),
/// in report order; a fix whose edits overlap an earlier chosen fix waits for the next run.
pub fn plan(outcome: &CheckOutcome) -> Vec<FilePlan> {
    let fixes: Vec<&Fix> = outcome
        .diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .collect();
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut count: std::collections::BTreeMap<FileId, usize> = Default::default();
    for fix in fixes {
        if fix.edits.is_empty() || fix.edits.iter().any(|e| overlaps_any(e, &chosen)) {
            continue;
        }
        if has_internal_overlap(&fix.edits) {
            continue;
        }
        let mut files: Vec<FileId> = fix.edits.iter().map(|e| e.span.file).collect();
        files.sort();
        files.dedup();
        for f in files {
            *count.entry(f).or_default() += 1;
        }
        chosen.extend(fix.edits.iter());
    }
    count
        .into_iter()
        .filter_map(|(file, fixes)| {
            let src = outcome.sources.get(file);
            let edits: Vec<&Edit> = chosen
                .iter()
                .copied()
                .filter(|e| e.span.file == file)
                .collect();
            let after = apply_edits(&src.bytes, &edits);
            (after[..] != src.bytes[..]).then(|| FilePlan {
                file,
                path: src.path.clone(),
                before: src.bytes.to_vec(),
                after,
                fixes,
                passwd_kind: outcome.passwd_files.get(&file).copied(),
            })
        })
        .collect()
}

/// Two edits conflict when their ranges overlap, or both insert at the same point
/// (their order would be a guess).
fn conflict(a: &Edit, b: &Edit) -> bool {
    a.span.file == b.span.file
        && (a.span.start < b.span.end && b.span.start < a.span.end
            || a.span.start == b.span.start && (a.span.is_empty() || b.span.is_empty()))
}

fn overlaps_any(e: &Edit, chosen: &[&Edit]) -> bool {
    chosen.iter().any(|c| conflict(e, c))
}

fn has_internal_overlap(edits: &[Edit]) -> bool {
    edits
        .iter()
        .enumerate()
        .any(|(i, a)| edits[i + 1..].iter().any(|b| conflict(a, b)))
}

/// Apply non-overlapping edits of one file to `bytes`. Edits out of range are ignored.
pub fn apply_edits(bytes: &[u8], edits: &[&Edit]) -> Vec<u8> {
    let mut sorted: Vec<&Edit> = edits
        .iter()
        .copied()
        .filter(|e| e.span.start <= e.span.end && e.span.end <= bytes.len())
        .collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let grow: usize = sorted.iter().map(|e| e.replacement.len()).sum();
    let mut out = Vec::with_capacity(bytes.len() + grow);
    let mut pos = 0;
    for e in sorted {
        if e.span.start < pos {
            continue;
        }
        out.extend_from_slice(&bytes[pos..e.span.start]);
        out.extend_from_slice(&e.replacement);
        pos = e.span.end;
    }
    out.extend_from_slice(&bytes[pos..]);
    out
}

/// Why a fixed file was not written. Files before it in the list were written.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Check(#[from] super::CheckError),
    #[error("{}: changed on disk since it was checked; run the check again", .0.display())]
    Changed(PathBuf),
    #[error("{}: {}", .0.display(), .1)]
    Store(PathBuf, String),
}

/// Write every plan through the store (locked, atomic). Returns how many files changed.
pub fn write(plans: &[FilePlan]) -> Result<usize, FixError> {
    let mut written = 0;
    for p in plans {
        let result = store::update(&p.path, &WriteOptions::default(), |current| match current {
            Some(now) if now == p.before.as_slice() => Ok(Some(p.after.clone())),
            _ => Err(()),
        });
        match result {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(UpdateError::Edit(())) => return Err(FixError::Changed(p.path.clone())),
            Err(UpdateError::Store(e)) => {
                return Err(FixError::Store(p.path.clone(), e.to_string()));
            }
        }
    }
    Ok(written)
}

/// What [`fix_all`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Fixes applied, over all passes.
    pub fixes: usize,
    /// Distinct files written.
    pub files: Vec<PathBuf>,
}

/// At most this many fix-and-recheck passes (a fix can reveal or enable another,
/// e.g. the final newline added in CRLF style before the CRLF fix sees it).
pub const MAX_PASSES: usize = 10;

/// Apply fixes, re-check, and repeat until no fix is left (or [`MAX_PASSES`]).
/// Returns the last check's outcome, which is what remains to report.
pub fn fix_all(
    opts: &super::CheckOptions,
    mut outcome: CheckOutcome,
    rules: &[&'static crate::rules::Rule],
) -> Result<(CheckOutcome, Applied), FixError> {
    let mut applied = Applied::default();
    for _ in 0..MAX_PASSES {
        let plans = plan(&outcome);
        if plans.is_empty() {
            break;
        }
        write(&plans)?;
        for p in &plans {
            applied.fixes += p.fixes;
            if !applied.files.contains(&p.path) {
                applied.files.push(p.path.clone());
            }
        }
        outcome = super::run_with_rules(opts, rules)?;
    }
    Ok((outcome, applied))
}

/// What `--fix` would write, as [`fix_all`] would reach it, without writing: password
/// files are re-checked in memory after each pass. (A fix to a server config ends the
/// preview after its pass: configs are read from disk by their loaders.)
/// Returns one plan per changed file (original → final content) and the last outcome.
pub fn preview(
    opts: &super::CheckOptions,
    mut outcome: CheckOutcome,
    rules: &[&'static crate::rules::Rule],
) -> Result<(Vec<FilePlan>, CheckOutcome), FixError> {
    let mut overlay = super::Overlay::new();
    // One plan per file (by canonical path): original bytes, latest bytes, all fixes.
    let mut files: Vec<(PathBuf, FilePlan)> = Vec::new();
    for _ in 0..MAX_PASSES {
        let plans = plan(&outcome);
        if plans.is_empty() {
            break;
        }
        let only_passwd = plans.iter().all(|p| p.passwd_kind.is_some());
        for p in plans {
            let key = super::canonical(&p.path);
            overlay.insert(key.clone(), p.after.clone());
            match files.iter_mut().find(|(k, _)| *k == key) {
                Some((_, known)) => {
                    known.after = p.after;
                    known.fixes += p.fixes;
                    known.file = p.file;
                    known.passwd_kind = known.passwd_kind.or(p.passwd_kind);
                }
                None => files.push((key, p)),
            }
        }
        if !only_passwd {
            break;
        }
        outcome = super::run_with_overlay(opts, rules, &overlay)?;
    }
    let plans = files
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.before != p.after)
        .collect();
    Ok((plans, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            span: Span::new(0, start, end),
            replacement: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn applies_sorted_edits() {
        let e = [edit(6, 7, ""), edit(0, 3, ""), edit(11, 11, "\n")];
        let refs: Vec<&Edit> = e.iter().collect();
        assert_eq!(apply_edits(b"\xEF\xBB\xBFu:h\r\nv:h", &refs), b"u:h\nv:h\n");
    }

    #[test]
    fn conflicts_are_detected() {
        assert!(conflict(&edit(0, 5, ""), &edit(4, 6, "")));
        assert!(!conflict(&edit(0, 5, ""), &edit(5, 6, "")));
        assert!(conflict(&edit(3, 3, "a"), &edit(3, 3, "b")));
        assert!(conflict(&edit(3, 3, "a"), &edit(3, 4, "")));
        assert!(!conflict(&edit(3, 3, "a"), &edit(1, 3, "")));
    }
}
