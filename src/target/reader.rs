//! Reader profiles: programs other than Apache and nginx that read htpasswd files, each
//! described as data — how it reads a line ([`LineRules`]) here, which hash schemes it
//! verifies in `hash::support`. Every value was observed on the real program (Debian 12
//! packages lighttpd 1.4.69 and docker-registry 2.8.2, Verdaccio 6.8.0 from npm) and
//! matches its source; docs/readers.md lists the observations and the tests that prove them.
//!
//! [`LineRules::read`] replays one program's reading of one line, so a rule can ask "what
//! does the registry make of this line?" the way `model::passwd` answers it for Apache
//! and nginx.

use super::Server;

/// One program that reads htpasswd files.
#[derive(Debug)]
pub struct Reader {
    pub server: Server,
    /// The name for messages ("the Docker registry").
    pub display: &'static str,
    /// The version observed, and the code that reads the file.
    pub source: &'static str,
    pub lines: LineRules,
}

/// How a program reads the lines of a password file. Lines end at LF; a CR right before
/// the LF is dropped by all of them (CRLF files work).
#[derive(Debug)]
pub struct LineRules {
    /// Whitespace removed before the line is split at `:`.
    pub trim: Trim,
    /// Which lines are comments.
    pub comments: Comments,
    /// Where the hash ends.
    pub hash_end: HashEnd,
    /// A line (not blank, not a comment) without a `:`.
    pub no_colon: Effect,
    /// Lines with more than `max` bytes before the LF (a CR before it counts).
    pub long_line: Option<LongLine>,
    /// A NUL byte ends the text (C strings): the line is read up to it and reading stops.
    pub nul_stops_reading: bool,
    /// Which of two entries for one user is used.
    pub duplicates: Duplicates,
    /// Files this large or larger are not read at all.
    pub max_file_bytes: Option<usize>,
    /// The status every login gets while the program refuses the file.
    pub refused_status: u16,
    /// Only the first 60 characters of a bcrypt hash are compared (Go's bcrypt): text
    /// after a complete bcrypt hash (`:comment`, ` # note`) does no harm.
    pub bcrypt_reads_60: bool,
}

/// Whitespace trimming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    /// The user is everything before the first `:`, blanks and a BOM included.
    None,
    /// The whole line is trimmed (Go `strings.TrimSpace`: Unicode White_Space; a BOM stays).
    Line,
    /// The user and the hash are each trimmed (JavaScript `trim()`: its whitespace, which
    /// includes U+FEFF, so a BOM goes too).
    Fields,
}

/// Comment lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    /// A line whose first byte is one of these is skipped (an indented `#` is a user).
    FirstByte(&'static [u8]),
    /// A line whose first non-blank character is `#` is skipped.
    AfterTrim,
    /// No comments: `#alice:HASH` is the user `#alice`.
    None,
}

/// Where the hash field ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashEnd {
    /// At the end of the line: `u:HASH:note` has the hash `HASH:note`.
    LineEnd,
    /// At the next `:` (a third field is ignored).
    NextColon,
}

/// What a bad line does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The line is ignored; the others are read.
    SkipsLine,
    /// The program refuses the whole file: no user can log in.
    RefusesFile,
}

/// The line-length limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongLine {
    pub max: usize,
    pub effect: Effect,
}

/// Which of two entries for one user is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicates {
    FirstWins,
    LastWins,
}

/// lighttpd 1.4 mod_authn_file: `mod_authn_file_htpasswd_get` reads the whole file on
/// every request and compares bytes; `\r`, `#` or an empty line is skipped.
pub static LIGHTTPD: Reader = Reader {
    server: Server::Lighttpd,
    display: "lighttpd",
    source: "lighttpd 1.4.69, src/mod_authn_file.c (mod_authn_file_htpasswd_get)",
    lines: LineRules {
        trim: Trim::None,
        comments: Comments::FirstByte(b"#\r"),
        hash_end: HashEnd::LineEnd,
        no_colon: Effect::SkipsLine,
        long_line: Some(LongLine {
            max: 1024,
            effect: Effect::SkipsLine,
        }),
        nul_stops_reading: true,
        duplicates: Duplicates::FirstWins,
        max_file_bytes: Some(64 * 1024 * 1024 - 1),
        refused_status: 401,
        bcrypt_reads_60: false,
    },
};

/// The Docker Distribution registry: `parseHTPasswd` (registry/auth/htpasswd) reads every
/// line into a map with a `bufio.Scanner`; any error fails the whole file.
pub static DOCKER_REGISTRY: Reader = Reader {
    server: Server::DockerRegistry,
    display: "the Docker registry",
    source: "docker-registry 2.8.2, registry/auth/htpasswd/htpasswd.go (parseHTPasswd)",
    lines: LineRules {
        trim: Trim::Line,
        comments: Comments::AfterTrim,
        hash_end: HashEnd::LineEnd,
        no_colon: Effect::RefusesFile,
        // bufio.Scanner's 64 KiB token limit: the line and its LF must fit.
        long_line: Some(LongLine {
            max: 65535,
            effect: Effect::RefusesFile,
        }),
        nul_stops_reading: false,
        duplicates: Duplicates::LastWins,
        max_file_bytes: None,
        refused_status: 400,
        bcrypt_reads_60: true,
    },
};

/// Verdaccio's htpasswd plugin (verdaccio-htpasswd 13): `parseHTPasswd` splits each line
/// with `line.split(':', 3)`, trims both fields and keeps lines with a colon.
pub static VERDACCIO: Reader = Reader {
    server: Server::Verdaccio,
    display: "Verdaccio",
    source: "verdaccio 6.8.0 with verdaccio-htpasswd 13.0.3, build/utils.js (parseHTPasswd)",
    lines: LineRules {
        trim: Trim::Fields,
        comments: Comments::None,
        hash_end: HashEnd::NextColon,
        no_colon: Effect::SkipsLine,
        long_line: None,
        nul_stops_reading: false,
        duplicates: Duplicates::LastWins,
        max_file_bytes: None,
        refused_status: 401,
        bcrypt_reads_60: false,
    },
};

/// Every reader profile, in `Server` order.
pub static ALL: &[&Reader] = &[&LIGHTTPD, &DOCKER_REGISTRY, &VERDACCIO];

/// The profile of `server`, if it is one of the readers (not Apache or nginx).
pub fn of(server: Server) -> Option<&'static Reader> {
    ALL.iter().copied().find(|r| r.server == server)
}

/// What a program makes of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineRead<'a> {
    /// Empty, or only whitespace.
    Blank,
    Comment,
    /// A user and the hash the program compares against.
    Entry {
        user: &'a [u8],
        hash: &'a [u8],
    },
    /// A line without `:` (not blank, not a comment).
    NoColon(Effect),
    /// Longer than the program's limit.
    TooLong(LongLine),
}

impl LineRules {
    /// Read one line. `text`: the line without its LF and without a CR right before the
    /// LF; `raw_len`: its length before the LF, such a CR included.
    pub fn read<'a>(&self, text: &'a [u8], raw_len: usize) -> LineRead<'a> {
        if let Some(limit) = self.long_line.filter(|l| raw_len > l.max) {
            return LineRead::TooLong(limit);
        }
        let text = match self.nul_stops_reading {
            true => text.split(|b| *b == 0).next().unwrap_or_default(),
            false => text,
        };
        let text = match self.trim {
            Trim::Line => trim(text, go_space),
            Trim::None | Trim::Fields => text,
        };
        let skipped_first = match self.comments {
            Comments::FirstByte(bytes) => text.first().is_some_and(|b| bytes.contains(b)),
            Comments::AfterTrim => trim(text, go_space).first() == Some(&b'#'),
            Comments::None => false,
        };
        if skipped_first {
            return LineRead::Comment;
        }
        let Some(colon) = memchr::memchr(b':', text) else {
            let blank = match self.trim {
                Trim::Fields => trim(text, js_space).is_empty(),
                Trim::None | Trim::Line => text.is_empty(),
            };
            return match blank {
                true => LineRead::Blank,
                false => LineRead::NoColon(self.no_colon),
            };
        };
        let user = &text[..colon];
        let rest = &text[colon + 1..];
        let hash = match self.hash_end {
            HashEnd::LineEnd => rest,
            HashEnd::NextColon => rest.split(|b| *b == b':').next().unwrap_or_default(),
        };
        match self.trim {
            Trim::Fields => LineRead::Entry {
                user: trim(user, js_space),
                hash: trim(hash, js_space),
            },
            Trim::None | Trim::Line => LineRead::Entry { user, hash },
        }
    }

    /// Whether reading stops after this line (the rest of the file is never seen).
    pub fn stops_after(&self, text: &[u8]) -> bool {
        self.nul_stops_reading && text.contains(&0)
    }

    /// Whether a file of `len` bytes is read at all.
    pub fn reads_file_of(&self, len: usize) -> bool {
        self.max_file_bytes.is_none_or(|max| len <= max)
    }
}

/// Go's `unicode.IsSpace` (Unicode White_Space), as `strings.TrimSpace` uses it.
fn go_space(c: char) -> bool {
    c.is_whitespace()
}

/// JavaScript's `String.prototype.trim` set: White_Space without U+0085, plus U+FEFF.
fn js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// `bytes` without leading and trailing characters in `space` (invalid UTF-8 is not space).
fn trim(bytes: &[u8], space: fn(char) -> bool) -> &[u8] {
    let mut s = bytes;
    while let Some((_, len)) = first_char(s).filter(|(c, _)| space(*c)) {
        s = &s[len..];
    }
    while let Some((_, len)) = last_char(s).filter(|(c, _)| space(*c)) {
        s = &s[..s.len() - len];
    }
    s
}

fn first_char(s: &[u8]) -> Option<(char, usize)> {
    let valid = s.utf8_chunks().next()?.valid();
    valid.chars().next().map(|c| (c, c.len_utf8()))
}

fn last_char(s: &[u8]) -> Option<(char, usize)> {
    (1..=s.len().min(4)).find_map(|n| {
        let tail = std::str::from_utf8(&s[s.len() - n..]).ok()?;
        let mut chars = tail.chars();
        let c = chars.next()?;
        chars.next().is_none().then_some((c, n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<'a>(r: &Reader, text: &'a [u8]) -> LineRead<'a> {
        r.lines.read(text, text.len())
    }

    fn entry<'a>(user: &'a str, hash: &'a str) -> LineRead<'a> {
        LineRead::Entry {
            user: user.as_bytes(),
            hash: hash.as_bytes(),
        }
    }

    #[test]
    fn lighttpd_takes_bytes_as_they_are() {
        let r = &LIGHTTPD;
        assert_eq!(read(r, b"  u:h "), entry("  u", "h "));
        assert_eq!(read(r, b"u:h:c"), entry("u", "h:c"));
        assert_eq!(read(r, b"u::h"), entry("u", ":h"));
        assert_eq!(read(r, b"#u:h"), LineRead::Comment);
        assert_eq!(read(r, b"  #u:h"), entry("  #u", "h"));
        assert_eq!(read(r, b"\rx"), LineRead::Comment);
        assert_eq!(read(r, b"alice"), LineRead::NoColon(Effect::SkipsLine));
        assert_eq!(read(r, b"  "), LineRead::NoColon(Effect::SkipsLine));
        assert_eq!(read(r, b""), LineRead::Blank);
        assert_eq!(read(r, b"u:h\0rest"), entry("u", "h"));
        assert!(r.lines.stops_after(b"u:h\0rest"));
        let long = [b'x'; 1025];
        assert!(matches!(read(r, &long), LineRead::TooLong(_)));
        assert!(!matches!(read(r, &long[..1024]), LineRead::TooLong(_)));
        assert!(r.lines.reads_file_of(64 * 1024 * 1024 - 1));
        assert!(!r.lines.reads_file_of(64 * 1024 * 1024));
    }

    #[test]
    fn registry_trims_the_line_and_refuses_bad_ones() {
        let r = &DOCKER_REGISTRY;
        assert_eq!(read(r, b" \tu:h:c \t"), entry("u", "h:c"));
        assert_eq!(read(r, b"u : h"), entry("u ", " h"));
        assert_eq!(read(r, b"  # u:h"), LineRead::Comment);
        assert_eq!(read(r, "\u{feff}u:h".as_bytes()), entry("\u{feff}u", "h"));
        assert_eq!(read(r, "\u{a0}u:h".as_bytes()), entry("u", "h"));
        assert_eq!(read(r, b"alice"), LineRead::NoColon(Effect::RefusesFile));
        assert_eq!(read(r, b"   "), LineRead::Blank);
        // TrimSpace keeps a BOM: a line of only a BOM has no colon.
        assert_eq!(
            read(r, "\u{feff}".as_bytes()),
            LineRead::NoColon(Effect::RefusesFile)
        );
        let long = vec![b'#'; 65536];
        assert!(matches!(
            read(r, &long),
            LineRead::TooLong(LongLine {
                effect: Effect::RefusesFile,
                ..
            })
        ));
        assert_eq!(read(r, &long[..65535]), LineRead::Comment);
    }

    #[test]
    fn verdaccio_trims_fields_and_has_no_comments() {
        let r = &VERDACCIO;
        assert_eq!(read(r, b"  u : h :c"), entry("u", "h"));
        assert_eq!(read(r, "\u{feff}u:h".as_bytes()), entry("u", "h"));
        assert_eq!(read(r, b"#u:h"), entry("#u", "h"));
        assert_eq!(
            read(r, b"# just a note"),
            LineRead::NoColon(Effect::SkipsLine)
        );
        assert_eq!(read(r, b"u::h"), entry("u", ""));
        assert_eq!(read(r, b" \t"), LineRead::Blank);
        // JavaScript's trim leaves U+0085 (NEL); Go's would remove it.
        assert_eq!(read(r, "u:h\u{85}".as_bytes()), entry("u", "h\u{85}"));
    }

    #[test]
    fn trimming_never_splits_a_character_or_panics() {
        for bytes in [&b"\xff\xfe u:h"[..], b"\xe2\x80", b"u:\xc2", b"", b":"] {
            for r in ALL {
                let _ = read(r, bytes);
            }
        }
        assert_eq!(trim("\u{3000}a\u{3000}".as_bytes(), go_space), b"a");
        assert_eq!(trim(b"\xc2\xa0", js_space), b"");
        assert_eq!(trim(b"\xa0", js_space), b"\xa0");
    }

    #[test]
    fn one_profile_per_reader() {
        for r in ALL {
            assert_eq!(of(r.server).map(|p| p.server), Some(r.server));
        }
        assert!(of(Server::Apache).is_none());
    }
}
