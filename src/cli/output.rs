//! Writing results to standard output.

use std::io::Write;

/// Print `text` to stdout. A closed pipe (`htguard explain PW001 | head`) ends the output
/// quietly instead of panicking, as `cat` or `grep` would.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// [`print`] with a newline.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}
