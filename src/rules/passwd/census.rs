//! Every Basic entry's hash identified once per file, for the four rules that judge
//! hashes (PW001 malformed, PW002 unsupported, PW012 weak, PW013 bcrypt cost). Each rule
//! identifying every hash itself costs `check` on the 1,000,000-line file of benches/
//! (benches/compare.sh, task passwd-check, same run) 2,418 M instructions and 215 ms of CPU
//! instead of 1,812 M and 163 ms: `hash::identify` validates the whole hash each time.
//!
//! One byte per line (a million-line file costs a megabyte): the hash's kind as its place
//! in [`LISTED`] and whether it is malformed. Rules look again at the few lines they report.

use super::common::clean_basic_hash;
use crate::hash::{self, BcryptVariant, Kind};
use crate::syntax::passwd::{Line, LineKind};
use std::borrow::Cow;

/// The kinds a line's byte can name (every kind but [`Kind::OtherCrypt`], whose prefix
/// varies): code `i + FIRST_LISTED` is `LISTED[i]`.
pub const LISTED: &[Kind] = &[
    Kind::Bcrypt {
        variant: BcryptVariant::A,
    },
    Kind::Bcrypt {
        variant: BcryptVariant::B,
    },
    Kind::Bcrypt {
        variant: BcryptVariant::X,
    },
    Kind::Bcrypt {
        variant: BcryptVariant::Y,
    },
    Kind::Apr1,
    Kind::Md5Crypt,
    Kind::Sha256Crypt,
    Kind::Sha512Crypt,
    Kind::Yescrypt,
    Kind::DesCrypt,
    Kind::Sha1,
    Kind::Ssha,
    Kind::PlainPrefixed,
    Kind::CryptFailureToken,
    Kind::Empty,
    Kind::Unknown,
];

/// No hash to judge: not a Basic entry, or an entry PW016 reports instead.
const NONE: u8 = 0;
/// A kind not in [`LISTED`]: the line is identified again when asked.
const UNLISTED: u8 = 1;
const FIRST_LISTED: u8 = 2;
/// Set on a line whose hash is malformed.
const MALFORMED: u8 = 0x80;

/// The hash kind of each line of one password file.
#[derive(Debug, Default)]
pub struct HashCensus {
    codes: Vec<u8>,
}

/// What the census knows of one line's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub kind: Cow<'static, Kind>,
    /// Where `kind` is in [`LISTED`] (`None` for [`Kind::OtherCrypt`]).
    pub index: Option<usize>,
    pub malformed: bool,
}

impl HashCensus {
    /// Identify the hash of every Basic entry of `lines` (side by side on big files).
    pub fn build(lines: &[Line], src: &[u8]) -> HashCensus {
        use rayon::prelude::*;
        let mut codes = Vec::new();
        lines
            .par_iter()
            .with_min_len(4096)
            .map(|line| code(line, src))
            .collect_into_vec(&mut codes);
        HashCensus { codes }
    }

    /// The kind of line `i`'s hash and whether it is malformed; `None` when the line has
    /// no hash to judge. `line` must be line `i` of the file the census was built from.
    pub fn judged(&self, i: usize, line: &Line, src: &[u8]) -> Option<Judged> {
        let code = *self.codes.get(i)?;
        let malformed = code & MALFORMED != 0;
        match code & !MALFORMED {
            NONE => None,
            UNLISTED => {
                let (_, h) = clean_basic_hash(line, src)?;
                Some(Judged {
                    kind: Cow::Owned(hash::identify(h).kind),
                    index: None,
                    malformed,
                })
            }
            k => {
                let index = usize::from(k - FIRST_LISTED);
                Some(Judged {
                    kind: Cow::Borrowed(&LISTED[index]),
                    index: Some(index),
                    malformed,
                })
            }
        }
    }
}

/// One line's code.
fn code(line: &Line, src: &[u8]) -> u8 {
    if line.kind() != LineKind::Basic {
        return NONE;
    }
    let Some((_, h)) = clean_basic_hash(line, src) else {
        return NONE;
    };
    let info = hash::identify(h);
    let kind = match LISTED.iter().position(|k| *k == info.kind) {
        // LISTED is far shorter than the 127 codes a byte holds beside the flag.
        Some(i) => i as u8 + FIRST_LISTED,
        None => UNLISTED,
    };
    match info.malformed {
        Some(_) => kind | MALFORMED,
        None => kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::passwd::parse;

    /// What the census says of every line, as the rules would see it.
    fn verdicts(src: &[u8]) -> Vec<Option<(Kind, bool)>> {
        let parsed = parse(src);
        let census = HashCensus::build(parsed.lines(), src);
        parsed
            .lines()
            .iter()
            .enumerate()
            .map(|(i, l)| {
                census
                    .judged(i, l, src)
                    .map(|j| (j.kind.into_owned(), j.malformed))
            })
            .collect()
    }

    /// The same, from `hash::identify` line by line.
    fn expected(src: &[u8]) -> Vec<Option<(Kind, bool)>> {
        let parsed = parse(src);
        parsed
            .lines()
            .iter()
            .map(|l| {
                if l.kind() != LineKind::Basic {
                    return None;
                }
                let (_, h) = clean_basic_hash(l, src)?;
                let info = hash::identify(h);
                Some((info.kind, info.malformed.is_some()))
            })
            .collect()
    }

    #[test]
    fn agrees_with_identify_line_by_line() {
        let src = b"# users\nalice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\nbob:$apr1$short\n\
            carol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\nno colon\ndan:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n\
            eve:plain\nfay:\n u:r:0123456789abcdef0123456789abcdef\ngus:$gy$abc$def\nhal:*0\n";
        let got = verdicts(src);
        assert_eq!(got, expected(src));
        assert_eq!(got[2], Some((Kind::Apr1, true)));
        assert_eq!(got[0], None);
        assert!(matches!(got[9], Some((Kind::OtherCrypt { .. }, false))));
    }

    #[test]
    fn agrees_with_identify_on_big_files() {
        let mut src = Vec::new();
        for i in 0..20_000 {
            let hash = match i % 4 {
                0 => "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
                1 => "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
                2 => "$apr1$bad",
                _ => "$md5$x$wZvs3rTBL6APZ8jfIAtI9/",
            };
            src.extend_from_slice(format!("u{i}:{hash}\n").as_bytes());
        }
        assert_eq!(verdicts(&src), expected(&src));
    }

    #[test]
    fn codes_and_the_flag_fit_one_byte() {
        assert!(LISTED.len() + usize::from(FIRST_LISTED) <= usize::from(MALFORMED));
    }
}
