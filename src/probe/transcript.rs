//! The exchanges as text: the "file" a probe's findings point into. Each request line,
//! status line and shown header has a span, so a finding can underline the exact answer
//! (`WWW-Authenticate: Basic realm="x"` of request 2) the way `check` underlines a config
//! line. Credentials are never written: the `Authorization` line says only its scheme.

use super::plan::{Exchange, Sent};
use crate::source::{FileId, Sources, Span};

/// Byte ranges of one exchange's lines in the transcript.
#[derive(Clone, Debug, Default)]
pub struct Lines {
    pub request: (usize, usize),
    /// The status line, or the line saying why there was no answer.
    pub status: (usize, usize),
    /// Shown headers: lowercase name and range.
    pub headers: Vec<(String, (usize, usize))>,
}

/// The transcript text and where each exchange's lines are.
#[derive(Clone, Debug)]
pub struct Transcript {
    pub text: String,
    pub lines: Vec<Lines>,
    /// Set by [`Transcript::add_to`].
    pub file: FileId,
}

impl Transcript {
    pub fn new(exchanges: &[Exchange]) -> Transcript {
        let mut w = Writer::default();
        for e in exchanges {
            let mut lines = Lines {
                request: w.line(&format!(
                    "> #{} {} {} ({})",
                    e.n,
                    e.method,
                    e.url,
                    e.sent.describe()
                )),
                ..Lines::default()
            };
            if let Sent::Given { scheme, .. } | Sent::Wrong { scheme, .. } = &e.sent {
                w.line(&format!("> Authorization: {} (not shown)", scheme.name()));
            }
            match &e.answer {
                Ok(r) => {
                    lines.status = w.line(&format!("< {} {} {}", r.version, r.status, r.reason));
                    for (name, value) in r.shown_headers() {
                        let range =
                            w.line(&format!("< {}: {}", display_name(name), one_line(value)));
                        lines.headers.push((name.to_string(), range));
                    }
                }
                Err(err) => lines.status = w.line(&format!("! no answer: {err}")),
            }
            w.text.push('\n');
            w.lines.push(lines);
        }
        Transcript {
            text: w.text,
            lines: w.lines,
            file: 0,
        }
    }

    /// Add the transcript to `sources` under `name` (the probed URL).
    pub fn add_to(&mut self, sources: &mut Sources, name: &str) -> FileId {
        self.file = sources.add(name, self.text.clone().into_bytes());
        self.file
    }

    fn span(&self, (start, end): (usize, usize)) -> Span {
        Span::new(self.file, start, end)
    }

    /// The status line of exchange `n` (1-based).
    pub fn status(&self, n: usize) -> Span {
        self.span(self.lines[n - 1].status)
    }

    pub fn request(&self, n: usize) -> Span {
        self.span(self.lines[n - 1].request)
    }

    /// The exchange (1-based) whose lines hold byte `offset` of the transcript.
    pub fn exchange_at(&self, offset: usize) -> Option<usize> {
        let i = self.lines.partition_point(|l| l.request.0 <= offset);
        (i > 0).then_some(i)
    }

    /// The first shown header `name` of exchange `n`, else its status line.
    pub fn header(&self, n: usize, name: &str) -> Span {
        self.lines[n - 1]
            .headers
            .iter()
            .find(|(h, _)| h == name)
            .map_or_else(|| self.status(n), |(_, r)| self.span(*r))
    }
}

#[derive(Default)]
struct Writer {
    text: String,
    lines: Vec<Lines>,
}

impl Writer {
    fn line(&mut self, s: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(s);
        let end = self.text.len();
        self.text.push('\n');
        (start, end)
    }
}

/// `www-authenticate` → `WWW-Authenticate`, `cf-ray` → `CF-Ray`.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(|part| match part {
            "www" | "cf" | "id" => part.to_ascii_uppercase(),
            _ => {
                let mut c = part.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A header value on one line (control characters shown as `?`).
fn one_line(v: &str) -> String {
    v.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_as_servers_spell_them() {
        assert_eq!(display_name("www-authenticate"), "WWW-Authenticate");
        assert_eq!(display_name("content-length"), "Content-Length");
        assert_eq!(display_name("cf-ray"), "CF-Ray");
        assert_eq!(display_name("x-amz-cf-id"), "X-Amz-CF-ID");
    }
}
