//! Every Basic entry's hash identified once per file. Four rules judge hashes (PW001
//! malformed, PW002 unsupported, PW012 weak, PW013 bcrypt cost); on a million-line file
//! identifying each hash once per rule was most of `check`'s time. The census keeps one
//! byte per line — the hash's kind (an index into a small table) and whether it is
//! malformed — and the rules look again at the few lines they report.

use super::common::{LINES_PER_TASK, clean_basic_hash};
use crate::hash::{self, Kind};
use crate::syntax::passwd::{Line, LineKind};
use std::borrow::Cow;

/// No hash to judge: not a Basic entry, or an entry PW016 reports instead.
const NONE: u8 = 0;
/// More distinct kinds than the table holds (only odd files): identify this line again.
const UNLISTED: u8 = 0x7f;
/// Set on a listed or unlisted line whose hash is malformed.
const MALFORMED: u8 = 0x80;
/// Kinds a table holds: codes 1..=MAX_KINDS.
const MAX_KINDS: usize = UNLISTED as usize - 1;

/// The hash kind of each line of one password file.
#[derive(Debug, Default)]
pub struct HashCensus {
    kinds: Vec<Kind>,
    codes: Vec<u8>,
}

/// What the census knows of one line's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged<'a> {
    pub kind: Cow<'a, Kind>,
    /// Where `kind` is in [`HashCensus::kinds`] (`None` for a kind past the table).
    pub index: Option<usize>,
    pub malformed: bool,
}

impl HashCensus {
    /// Identify the hash of every Basic entry of `lines` (in parallel on big files).
    pub fn build(lines: &[Line], src: &[u8]) -> HashCensus {
        use rayon::prelude::*;
        let mut codes = vec![NONE; lines.len()];
        // Each chunk lists its own kinds; the tables are merged below.
        let tables: Vec<Vec<Kind>> = codes
            .par_chunks_mut(LINES_PER_TASK)
            .zip(lines.par_chunks(LINES_PER_TASK))
            .map(|(codes, lines)| {
                let mut kinds = Vec::new();
                for (code, line) in codes.iter_mut().zip(lines) {
                    *code = judge(line, src, &mut kinds);
                }
                kinds
            })
            .collect();
        let mut kinds: Vec<Kind> = Vec::new();
        for (chunk, table) in codes.chunks_mut(LINES_PER_TASK).zip(tables) {
            // Where this chunk's kind `i` sits in the merged table (UNLISTED when full).
            let mut remap = [UNLISTED; 128];
            let mut identity = true;
            for (i, kind) in table.into_iter().enumerate() {
                let at = match kinds.iter().position(|k| *k == kind) {
                    Some(at) => Some(at),
                    None if kinds.len() < MAX_KINDS => {
                        kinds.push(kind);
                        Some(kinds.len() - 1)
                    }
                    None => None,
                };
                remap[i + 1] = at.map_or(UNLISTED, |at| at as u8 + 1);
                identity &= at == Some(i);
            }
            if !identity {
                for code in chunk.iter_mut().filter(|c| **c & !MALFORMED != NONE) {
                    *code = remap[usize::from(*code & !MALFORMED)] | (*code & MALFORMED);
                }
            }
        }
        HashCensus { kinds, codes }
    }

    /// The kind of line `i`'s hash and whether it is malformed; `None` when the line has
    /// no hash to judge. `line` must be line `i` of the file the census was built from.
    pub fn judged<'s>(&'s self, i: usize, line: &Line, src: &[u8]) -> Option<Judged<'s>> {
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
            k => Some(Judged {
                kind: Cow::Borrowed(&self.kinds[usize::from(k) - 1]),
                index: Some(usize::from(k) - 1),
                malformed,
            }),
        }
    }

    /// The distinct kinds listed (a file's schemes, in order of first appearance).
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }
}

/// One line's code, adding its kind to `kinds` when new.
fn judge(line: &Line, src: &[u8], kinds: &mut Vec<Kind>) -> u8 {
    if line.kind() != LineKind::Basic {
        return NONE;
    }
    let Some((_, h)) = clean_basic_hash(line, src) else {
        return NONE;
    };
    let info = hash::identify(h);
    let flag = if info.malformed.is_some() {
        MALFORMED
    } else {
        0
    };
    let index = match kinds.iter().position(|k| *k == info.kind) {
        Some(i) => i,
        None if kinds.len() < MAX_KINDS => {
            kinds.push(info.kind);
            kinds.len() - 1
        }
        None => return UNLISTED | flag,
    };
    (index as u8 + 1) | flag
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
            eve:plain\nfay:\n u:r:0123456789abcdef0123456789abcdef\n";
        let got = verdicts(src);
        assert_eq!(got, expected(src));
        assert_eq!(got[2], Some((Kind::Apr1, true)));
        assert_eq!(got[0], None);
    }

    #[test]
    fn chunks_merge_their_kind_tables() {
        // Kinds appear in a different order in the second chunk than in the first.
        let mut src = Vec::new();
        for i in 0..LINES_PER_TASK {
            src.extend_from_slice(
                format!("a{i}:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n").as_bytes(),
            );
        }
        src.extend_from_slice(b"b:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\nc:$apr1$bad\nd:$1$x\n");
        assert_eq!(verdicts(&src), expected(&src));
    }

    #[test]
    fn more_kinds_than_the_table_holds_are_identified_again() {
        let mut src = Vec::new();
        for i in 0..(MAX_KINDS + 20) {
            src.extend_from_slice(format!("u{i}:$x{i}$abc\n").as_bytes());
        }
        let parsed = parse(&src);
        let census = HashCensus::build(parsed.lines(), &src);
        assert_eq!(census.kinds().len(), MAX_KINDS);
        assert_eq!(verdicts(&src), expected(&src));
    }
}
