//! How lighttpd, the Docker registry and Verdaccio read a whole password file, and what
//! they answer to a login: the reader profiles' data (`target::reader`, `hash::support`)
//! replayed over a parsed file, as `model::passwd` does for Apache and nginx.

use crate::hash::{self, Kind, Support};
use crate::syntax::passwd::PasswdFile;
use crate::target::Profile;
use crate::target::reader::{Duplicates, Effect, LineRead, Reader};
use std::collections::HashMap;

/// Why a program reads no user from the file at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The file is larger than the program loads.
    TooBig { max: usize },
    /// A line without `:` (the registry fails the whole parse).
    NoColon { line: usize },
    /// A line over the length limit.
    TooLong { line: usize, max: usize },
}

/// A program's reading of one file.
#[derive(Debug)]
pub struct FileRead<'a> {
    pub refused: Option<Refused>,
    /// Each line's reading, in order, up to the line where reading stops (all lines
    /// otherwise; none when the file is refused).
    pub lines: Vec<LineRead<'a>>,
    /// The line whose NUL byte stopped the reading: later lines are never seen.
    pub stopped_at: Option<usize>,
    /// For each user name as the program reads it, the line it uses.
    chosen: HashMap<&'a [u8], usize>,
}

impl<'a> FileRead<'a> {
    /// The line the program uses for `user` (exact bytes), if any.
    pub fn line_of(&self, user: &[u8]) -> Option<usize> {
        self.chosen.get(user).copied()
    }
}

/// Read `file` (whose bytes are `src`) as `reader` does.
pub fn read_file<'a>(reader: &Reader, file: &PasswdFile, src: &'a [u8]) -> FileRead<'a> {
    let rules = &reader.lines;
    let mut read = FileRead {
        refused: None,
        lines: Vec::new(),
        stopped_at: None,
        chosen: HashMap::new(),
    };
    if let Some(max) = rules
        .max_file_bytes
        .filter(|_| !rules.reads_file_of(src.len()))
    {
        read.refused = Some(Refused::TooBig { max });
        return read;
    }
    read.lines.reserve(file.lines().len());
    for (i, line) in file.lines().iter().enumerate() {
        let text = src.get(line.content()).unwrap_or_default();
        let line_read = rules.read(text, line.raw_len());
        let refused = match line_read {
            LineRead::NoColon(Effect::RefusesFile) => Some(Refused::NoColon { line: i }),
            LineRead::TooLong(l) if l.effect == Effect::RefusesFile => Some(Refused::TooLong {
                line: i,
                max: l.max,
            }),
            _ => None,
        };
        if refused.is_some() {
            read.refused = refused;
            read.lines.clear();
            read.chosen.clear();
            return read;
        }
        if let LineRead::Entry { user, .. } = line_read {
            match rules.duplicates {
                Duplicates::FirstWins => {
                    read.chosen.entry(user).or_insert(i);
                }
                Duplicates::LastWins => {
                    read.chosen.insert(user, i);
                }
            }
        }
        read.lines.push(line_read);
        if rules.stops_after(text) {
            read.stopped_at = Some(i);
            break;
        }
    }
    read
}

/// The status `reader` answers to a Basic login of `user` with `password` on a request
/// that needs a valid user: 200, 401, or the status it answers while refusing the file.
pub fn login(
    reader: &Reader,
    file: &PasswdFile,
    src: &[u8],
    user: &[u8],
    password: &[u8],
    profile: &Profile,
) -> u16 {
    let read = read_file(reader, file, src);
    if read.refused.is_some() {
        return reader.lines.refused_status;
    }
    let Some(LineRead::Entry { hash, .. }) = read.line_of(user).map(|i| read.lines[i]) else {
        return 401;
    };
    if verifies(reader, hash, password, profile) {
        200
    } else {
        401
    }
}

/// Whether `reader` accepts `password` for the stored `hash`.
pub fn verifies(reader: &Reader, hash: &[u8], password: &[u8], profile: &Profile) -> bool {
    let hash = compared_part(reader, hash);
    let info = hash::identify(hash);
    let support = hash::support_for(&info, reader.server, profile);
    if !support.works_with(password) {
        return false;
    }
    let password = match support {
        Support::Truncates { max_bytes }
        | Support::AsciiOnly {
            max_bytes: Some(max_bytes),
        } => &password[..password.len().min(max_bytes)],
        _ => password,
    };
    hash::verify(password, hash).unwrap_or(false)
}

/// The part of a stored hash the reader compares: Go's bcrypt rebuilds a 60-character
/// hash and compares only that, so text after a complete bcrypt hash is ignored.
pub fn compared_part<'h>(reader: &Reader, hash: &'h [u8]) -> &'h [u8] {
    const BCRYPT_LEN: usize = 60;
    if reader.lines.bcrypt_reads_60 && hash.len() > BCRYPT_LEN {
        let head = &hash[..BCRYPT_LEN];
        let info = hash::identify(head);
        if matches!(info.kind, Kind::Bcrypt { .. }) && info.malformed.is_none() {
            return head;
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::passwd::parse;
    use crate::target::reader::{DOCKER_REGISTRY, LIGHTTPD, VERDACCIO};

    /// bcrypt of "pw" (cost 4) and apr1 of "pw".
    const BC: &str = "$2y$04$y98Fg8hptdSD2esy1Ew/9OwN9fcOn4Zfwt1oKT4oS2WSOWp2wdMju";
    const APR1: &str = "$apr1$Bpw4Mmm2$RQgNQJ0OiDgd/xnzTJfSX1";

    fn status(reader: &Reader, src: &str, user: &str) -> u16 {
        let p = Profile::default();
        login(
            reader,
            &parse(src.as_bytes()),
            src.as_bytes(),
            user.as_bytes(),
            b"pw",
            &p,
        )
    }

    #[test]
    fn the_registry_refuses_a_file_with_a_colon_less_line() {
        let src = format!("a:{BC}\nbroken\n");
        assert_eq!(status(&DOCKER_REGISTRY, &src, "a"), 400);
        assert_eq!(status(&LIGHTTPD, &src, "a"), 200);
        let read = read_file(&DOCKER_REGISTRY, &parse(src.as_bytes()), src.as_bytes());
        assert_eq!(read.refused, Some(Refused::NoColon { line: 1 }));
    }

    #[test]
    fn duplicates_first_or_last() {
        let src = format!("a:{BC}\na:{APR1}x\n");
        assert_eq!(status(&LIGHTTPD, &src, "a"), 200);
        assert_eq!(status(&VERDACCIO, &src, "a"), 401);
        assert_eq!(status(&DOCKER_REGISTRY, &src, "a"), 401);
    }

    #[test]
    fn go_bcrypt_ignores_text_after_the_hash() {
        let src = format!("a:{BC}:note\nb:{BC} # c\n");
        assert_eq!(status(&DOCKER_REGISTRY, &src, "a"), 200);
        assert_eq!(status(&DOCKER_REGISTRY, &src, "b"), 200);
        assert_eq!(status(&LIGHTTPD, &src, "a"), 401);
        assert_eq!(status(&VERDACCIO, &src, "a"), 200);
        assert_eq!(status(&VERDACCIO, &src, "b"), 401);
    }

    #[test]
    fn schemes_per_reader() {
        let src = format!("a:{APR1}\nb:{{PLAIN}}pw\n");
        assert_eq!(status(&LIGHTTPD, &src, "a"), 200);
        assert_eq!(status(&DOCKER_REGISTRY, &src, "a"), 401);
        assert_eq!(status(&VERDACCIO, &src, "a"), 200);
        assert_eq!(status(&LIGHTTPD, &src, "b"), 401);
        assert_eq!(status(&VERDACCIO, &src, "b"), 200);
    }

    #[test]
    fn lighttpd_stops_at_a_nul_byte() {
        let src = format!("a:{BC}\nx\0y\nb:{BC}\n");
        assert_eq!(status(&LIGHTTPD, &src, "a"), 200);
        assert_eq!(status(&LIGHTTPD, &src, "b"), 401);
        assert_eq!(status(&VERDACCIO, &src, "b"), 200);
        let read = read_file(&LIGHTTPD, &parse(src.as_bytes()), src.as_bytes());
        assert_eq!(read.stopped_at, Some(1));
    }
}
