//! Progress bars on stderr, drawn only when stderr is a terminal: a pipe, a file or a CI
//! log gets nothing from here.

use crate::check::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A bar of `len` steps on stderr if it is a terminal, else a hidden one that draws nothing.
pub fn on_terminal(len: u64, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `check`'s stages as a bar; cleared before the report is printed.
pub struct CheckBar(ProgressBar);

impl CheckBar {
    pub fn on_stderr() -> CheckBar {
        let bar = on_terminal(
            Stage::ALL.len() as u64,
            "checking [{bar:20}] {pos}/{len} {msg} ({elapsed})",
        );
        // Redraw the elapsed time while one long stage runs.
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        CheckBar(bar)
    }

    pub fn clear(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for CheckBar {
    fn stage(&self, stage: Stage) {
        self.0.set_position(stage.number() as u64 - 1);
        self.0.set_message(stage.label());
    }
}
