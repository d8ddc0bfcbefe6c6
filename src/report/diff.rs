//! `--diff`: unified diffs of the fixes `--fix` would write. Password files are
//! diffed from redacted text: a diff must not print hashes either.

use super::redact::{self, Mode};
use crate::diag::FilePlan;
use similar::TextDiff;

/// A unified diff (3 lines of context) for each planned file.
pub fn render(plans: &[FilePlan]) -> String {
    let mut out = String::new();
    for p in plans {
        let mode = Mode::for_kind(p.passwd_kind);
        let before = redact::short_text(&p.before, mode);
        let after = redact::short_text(&p.after, mode);
        let name = p.path.display().to_string();
        let diff = TextDiff::from_lines(&before, &after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("a/{}", name.trim_start_matches('/')),
                    &format!("b/{}", name.trim_start_matches('/')),
                )
                .to_string(),
        );
    }
    out
}
