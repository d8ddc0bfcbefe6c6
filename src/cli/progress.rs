//! Progress bars on stderr, drawn only when stderr is a terminal: a pipe, a file or a CI
//! log gets nothing from here.

use crate::check::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// A bar of `len` steps on stderr if it is a terminal, else a hidden one that draws nothing.
pub fn on_terminal(len: u64, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    style(&bar, template);
    bar
}

fn style(bar: &ProgressBar, template: &str) {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
}

/// A check shorter than this shows no bar at all (most are): no flicker before the report.
/// `HTGUARD_PROGRESS_DELAY_MS` changes it (the tests show the bar at once with 0).
const CHECK_BAR_AFTER: Duration = Duration::from_secs(1);

fn check_bar_after() -> Duration {
    std::env::var("HTGUARD_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(CHECK_BAR_AFTER, Duration::from_millis)
}

/// `check`'s stages as a bar on a terminal, shown once the check has run for a second;
/// cleared before the report is printed.
pub struct CheckBar {
    bar: ProgressBar,
    /// Set by [`CheckBar::clear`]; the thread that would show the bar waits on it.
    done: Arc<(Mutex<bool>, Condvar)>,
}

impl CheckBar {
    pub fn on_stderr() -> CheckBar {
        let bar = ProgressBar::hidden();
        bar.set_length(Stage::ALL.len() as u64);
        style(&bar, "checking [{bar:20}] {pos}/{len} {msg} ({elapsed})");
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        if std::io::stderr().is_terminal() {
            let after = check_bar_after();
            if after.is_zero() {
                // At once, not from a thread that a short check can end before it runs.
                show(&bar);
            } else {
                let (bar, done) = (bar.clone(), done.clone());
                std::thread::spawn(move || show_later(&bar, &done, after));
            }
        }
        CheckBar { bar, done }
    }

    pub fn clear(&self) {
        let (lock, wake) = &*self.done;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        self.bar.finish_and_clear();
    }
}

/// Draw the bar on stderr unless the check ends first. Under the lock, so that a bar is
/// never shown after [`CheckBar::clear`].
fn show_later(bar: &ProgressBar, done: &(Mutex<bool>, Condvar), after: Duration) {
    let (lock, wake) = done;
    let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    let (finished, _) = wake
        .wait_timeout_while(guard, after, |finished| !*finished)
        .unwrap_or_else(|e| e.into_inner());
    if !*finished {
        show(bar);
    }
}

fn show(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    // Redraw the elapsed time while one long stage runs.
    bar.enable_steady_tick(Duration::from_millis(200));
}

impl Progress for CheckBar {
    fn stage(&self, stage: Stage) {
        self.bar.set_position(stage.number() as u64 - 1);
        self.bar.set_message(stage.label());
    }
}
