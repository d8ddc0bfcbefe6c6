//! Password-file parser, server views and edits on arbitrary bytes: nothing panics, the
//! model is lossless, in-memory edits keep the file readable, and edits through the
//! store (`user add/set/delete`, digest entries, group members) on a real file either
//! refuse with an error and leave the file as it was, or change only the lines the servers
//! read as the name they edit: every other line is kept byte for byte, in order, and every
//! line they write is read by the servers as the entry meant.
//!
//! Which lines belong to the name is decided by the library's server views
//! (`model::passwd`), never by the text: a line is the name's when Apache's reading
//! (`apache_view`, `apache_groups`) or nginx's (`nginx_view`) takes it as that name.
#![no_main]

use htguard::hash::Scheme;
use htguard::model::passwd::{
    ApacheEntry, ApacheRead, NginxRead, apache_find_basic, apache_find_digest, apache_groups,
    apache_view, nginx_find, nginx_view,
};
use htguard::store::WriteOptions;
use htguard::syntax::passwd::{KindHint, PasswdFile, is_blank, parse, parse_with};
use htguard::user::{self, AddMode, EntryKind, HashChoice, group};
use htguard_fuzz::scratch_dir;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a lookup name from the input itself, and the store edit.
    let (sel, src) = data.split_first().map_or((0, data), |(s, r)| (*s, r));
    let f = parse(src);
    parse_checks(&f, src);

    let user: &[u8] = match f.entries().nth(usize::from(sel % 8)) {
        Some((_, l)) => l.user().map_or(b"u", |r| &src[r]),
        None => b"u",
    };
    // Without the blanks around it the name is one `user` accepts: other lines may still
    // carry them, the BOM of line 1 is kept out.
    let start = user.iter().take_while(|b| is_blank(**b)).count();
    let end = user
        .iter()
        .rposition(|b| !is_blank(*b))
        .map_or(start, |e| e + 1);
    let user = &user[start..end.max(start)];
    let _ = apache_find_basic(&f, src, user);
    let _ = apache_find_digest(&f, src, user, b"r");
    let _ = nginx_find(&f, src, user);

    let name = String::from_utf8_lossy(user).into_owned();
    memory_edits(&f, src, &name);
    store_edit(sel, src, &name);
});

fn parse_checks(f: &PasswdFile, src: &[u8]) {
    assert_eq!(f.to_bytes(src), src);
    let mut pos = 0;
    for l in f.lines() {
        assert_eq!(l.start(), pos);
        pos = l.end();
    }
    assert_eq!(pos, src.len());
    for rec in apache_view(f, src) {
        assert!(rec.span.end <= src.len());
    }
    let _ = nginx_view(f, src).count();
    let g = parse_with(src, KindHint::Group);
    let _ = apache_groups(&g, src).count();
}

fn memory_edits(f: &PasswdFile, src: &[u8], name: &str) {
    for out in [
        f.set_basic(src, name, "$apr1$salt$hash"),
        f.add_basic(src, "fuzzuser", "$apr1$salt$hash"),
        f.add_digest(src, "fuzzuser", "realm", "0123456789abcdef0123456789abcdef"),
        f.remove(src, name, None),
    ]
    .into_iter()
    .flatten()
    {
        let g = parse(&out);
        assert_eq!(g.to_bytes(&out), out);
    }
    if let Ok(out) = f.add_basic(src, "fuzzuser", "$apr1$salt$hash") {
        let g = parse(&out);
        assert!(g.find_basic(&out, b"fuzzuser").is_some());
        assert!(out.starts_with(src));
    }
}

/// The name an edit works on, as the servers look it up.
#[derive(Clone, Copy, Debug)]
enum Name<'a> {
    /// A Basic user: Apache and nginx.
    User(&'a str),
    /// A Digest user in a realm: Apache (nginx has no Digest).
    Digest(&'a str, &'a str),
    /// A group: Apache's mod_authz_groupfile, which matches names without regard to ASCII
    /// case (an APR table).
    Group(&'a str),
}

/// What the lines an edit writes must say to the servers.
#[derive(Debug)]
enum Expect {
    /// `name:hash`, read as that user with that hash by both servers.
    Basic(String),
    /// `name:realm:hash`, read so by Apache.
    Digest(String),
    /// Nothing is written: lines only go.
    Nothing,
    /// The group's line holds member `new`.
    Member,
    /// The group's line no longer holds member `new`.
    NoMember,
}

const REALM: &str = "realm";
const MEMBER: &str = "new";

/// One edit through `user`/`store` on a file holding `src`; `name` is an existing user
/// (or `u`), `sel` picks the operation.
fn store_edit(sel: u8, src: &[u8], name: &str) {
    let dir = scratch_dir();
    let path = dir.path().join(".htpasswd");
    std::fs::write(&path, src).expect("write the file");
    let basic = EntryKind::Basic(HashChoice {
        scheme: Scheme::Sha1,
        cost: None,
        rounds: None,
    });
    let digest = EntryKind::Digest {
        realm: REALM.into(),
    };
    let opts = WriteOptions::default();
    let members = [MEMBER.to_string()];
    // SHA-1 and Digest hashes have no salt: the entry written is known in advance.
    let hash = |who: &str, kind: &EntryKind| user::make_entry(who, b"pw", kind).map(|h| h.0);
    let save = |who: &str, kind: &EntryKind, mode: AddMode| {
        user::save(&path, who, b"pw", kind, mode, &opts).is_ok()
    };
    let (who, expect, wrote) = match (sel >> 3) % 8 {
        0 => (
            Name::User(name),
            hash(name, &basic).map(Expect::Basic),
            save(name, &basic, AddMode::Either),
        ),
        1 => (
            Name::User(name),
            hash(name, &basic).map(Expect::Basic),
            save(name, &basic, AddMode::Existing),
        ),
        2 => (
            Name::User(MEMBER),
            hash(MEMBER, &basic).map(Expect::Basic),
            save(MEMBER, &basic, AddMode::New),
        ),
        3 => (
            Name::Digest(name, REALM),
            hash(name, &digest).map(Expect::Digest),
            save(name, &digest, AddMode::Either),
        ),
        4 => (
            Name::User(name),
            Ok(Expect::Nothing),
            user::delete(&path, name, None).unwrap_or(false),
        ),
        5 => (
            Name::Digest(name, REALM),
            Ok(Expect::Nothing),
            user::delete(&path, name, Some(REALM)).unwrap_or(false),
        ),
        6 => {
            let done = group::add_members(&path, name, &members, &opts);
            (
                Name::Group(name),
                Ok(Expect::Member),
                done.is_ok_and(|c| !c.changed.is_empty()),
            )
        }
        _ => {
            let done = group::remove_members(&path, name, &members);
            (
                Name::Group(name),
                Ok(Expect::NoMember),
                done.is_ok_and(|c| !c.changed.is_empty()),
            )
        }
    };
    let after = std::fs::read(&path).expect("the file is still there");
    let expect = match expect {
        Ok(e) if wrote => e,
        // Refused (a name no hash can be made for is refused too), or nothing to do.
        _ => {
            assert_eq!(
                after, src,
                "a refused or empty edit left the file as it was"
            );
            return;
        }
    };
    let before_lines = parse(src).lines().len();
    let after_lines = parse(&after).lines().len();
    if !matches!(expect, Expect::Nothing) {
        assert!(after_lines >= before_lines, "only a delete drops lines");
    }
    others_kept(src, &after, who);
    let written = written_lines(src, &after);
    check_written(src, &after, who, &expect, &written);
}

/// Every line no server reads as `who` (other users, comments, blank and unreadable
/// lines) is in the new file, byte for byte and in order; a final line without a newline
/// may get the file's line ending. The new file is the old one with only `who`'s lines
/// changed, dropped or kept, and lines appended that the servers read as `who`.
fn others_kept(src: &[u8], after: &[u8], who: Name) {
    let before = tagged_lines(src, who);
    // The new file's lines no server reads as `who`: each must be an old line, kept.
    let kept: Vec<&[u8]> = tagged_lines(after, who)
        .into_iter()
        .filter(|(_, own)| !own)
        .map(|(l, _)| l)
        .collect();
    // Which prefixes of `kept` the old lines seen so far can yield, keeping every line that
    // is not `who`'s and any of `who`'s (identical lines make the choice ambiguous).
    let mut reach = vec![0usize];
    for (n, (line, own)) in before.iter().enumerate() {
        let mut next: Vec<usize> = Vec::new();
        for &j in &reach {
            if *own {
                next.push(j);
            }
            if kept.get(j).is_some_and(|k| same_line(line, k)) {
                next.push(j + 1);
            }
        }
        next.sort_unstable();
        next.dedup();
        assert!(
            !next.is_empty(),
            "line {n} {:?} (not {who:?}'s) lost or changed; the new file's other lines: {:?}",
            String::from_utf8_lossy(line),
            lossy(&kept)
        );
        reach = next;
    }
    assert!(
        reach.contains(&kept.len()),
        "lines not {who:?}'s that the old file did not have: {:?}",
        lossy(&kept[reach.iter().max().copied().unwrap_or(0)..])
    );
}

/// An old line and a new one are the same: byte for byte, or a final line without a
/// newline that got one.
fn same_line(old: &[u8], new: &[u8]) -> bool {
    old == new
        || (!old.ends_with(b"\n")
            && new.starts_with(old)
            && [&b"\n"[..], b"\r\n"].contains(&&new[old.len()..]))
}

fn lossy(lines: &[&[u8]]) -> Vec<String> {
    lines
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect()
}

/// The file's lines, endings kept, each with whether a server reads it as `who`.
fn tagged_lines<'a>(src: &'a [u8], who: Name) -> Vec<(&'a [u8], bool)> {
    let file = parse(src);
    let owned = owned_lines(&file, src, who);
    file.lines()
        .iter()
        .zip(owned)
        .map(|(l, own)| (&src[l.range()], own))
        .collect()
}

/// For each syntax line: whether a server reads it as `who`. For Apache a `\`-joined
/// record counts on every line it spans; nginx reads line by line.
fn owned_lines(file: &PasswdFile, src: &[u8], who: Name) -> Vec<bool> {
    let mut owned = vec![false; file.lines().len()];
    let mut mark = |first: usize, last: usize| owned[first..=last].fill(true);
    match who {
        Name::User(user) => {
            for rec in apache_view(file, src) {
                if let ApacheRead::Entry(e) = &rec.read
                    && e.user.as_bytes() == user.as_bytes()
                {
                    mark(rec.first_line, rec.last_line);
                }
            }
            for rec in nginx_view(file, src) {
                if let NginxRead::Entry { user: u, .. } = &rec.read
                    && u.as_bytes() == user.as_bytes()
                {
                    mark(rec.line, rec.line);
                }
            }
        }
        Name::Digest(user, realm) => {
            for rec in apache_view(file, src) {
                if let ApacheRead::Entry(e) = &rec.read
                    && e.user.as_bytes() == user.as_bytes()
                    && e.digest_realm().as_bytes() == realm.as_bytes()
                {
                    mark(rec.first_line, rec.last_line);
                }
            }
        }
        Name::Group(group) => {
            let groups = parse_with(src, KindHint::Group);
            for rec in apache_groups(&groups, src) {
                if rec.name.as_bytes().eq_ignore_ascii_case(group.as_bytes()) {
                    mark(rec.first_line, rec.last_line);
                }
            }
        }
    }
    owned
}

/// Indexes of the new file's lines whose content the old file did not have (as many
/// times): the lines the edit wrote.
fn written_lines(src: &[u8], after: &[u8]) -> Vec<usize> {
    let mut old: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
    let file = parse(src);
    for l in file.lines() {
        *old.entry(&src[l.content()]).or_default() += 1;
    }
    let new = parse(after);
    let mut written = Vec::new();
    for (i, l) in new.lines().iter().enumerate() {
        match old.get_mut(&after[l.content()]) {
            Some(n) if *n > 0 => *n -= 1,
            _ => written.push(i),
        }
    }
    written
}

/// Every written line starts a record the servers read as the entry the edit meant.
fn check_written(src: &[u8], after: &[u8], who: Name, expect: &Expect, written: &[usize]) {
    match expect {
        Expect::Nothing => assert!(written.is_empty(), "a delete wrote lines {written:?}"),
        Expect::Basic(_) | Expect::Digest(_) | Expect::Member => {
            assert!(written.len() <= 1, "one entry, lines {written:?} written");
        }
        Expect::NoMember => {}
    }
    for &i in written {
        match (who, expect) {
            (Name::User(user), Expect::Basic(hash)) => check_basic_line(after, user, hash, i),
            (Name::Digest(user, realm), Expect::Digest(hash)) => {
                let file = parse(after);
                let apache = apache_record_at(&file, after, i);
                let apache_ok = apache.as_ref().is_none_or(|e| {
                    e.user.as_bytes() == user.as_bytes()
                        && e.digest_realm().as_bytes() == realm.as_bytes()
                        && e.digest_hash().as_bytes() == hash.as_bytes()
                });
                assert!(apache_ok, "Apache reads written line {i} as {apache:?}");
            }
            (Name::Group(group), Expect::Member) => check_group_line(src, after, group, true, i),
            (Name::Group(group), Expect::NoMember) => check_group_line(src, after, group, false, i),
            _ => unreachable!("each edit has its expectation"),
        }
    }
}

/// A written Basic line: `user` with `hash` to both servers.
fn check_basic_line(after: &[u8], user: &str, hash: &str, i: usize) {
    let file = parse(after);
    let apache = apache_record_at(&file, after, i);
    let apache_ok = apache.as_ref().is_none_or(|e| {
        e.user.as_bytes() == user.as_bytes() && e.basic_hash().as_bytes() == hash.as_bytes()
    });
    assert!(apache_ok, "Apache reads written line {i} as {apache:?}");
    let nginx = nginx_view(&file, after).nth(i).map(|r| r.read);
    let nginx_ok = matches!(&nginx, Some(NginxRead::Entry { user: u, hash: h })
        if u.as_bytes() == user.as_bytes() && h.as_bytes() == hash.as_bytes());
    assert!(nginx_ok, "nginx reads written line {i} as {nginx:?}");
}

/// A written group line: to Apache, a line of `group` with the members it had (none for a
/// new line) and `new` added after them, or taken out.
fn check_group_line(src: &[u8], after: &[u8], group: &str, adds: bool, i: usize) {
    let (name, now) = group_line(after, i).expect("the written line is a group line of its own");
    assert!(
        name.eq_ignore_ascii_case(group.as_bytes()),
        "line {i} names group {:?}",
        String::from_utf8_lossy(&name)
    );
    let mut want = match group_line(src, i) {
        Some((old, members)) => {
            assert_eq!(old, name, "the group's name kept");
            members
        }
        None => Vec::new(),
    };
    if adds {
        want.push(MEMBER.as_bytes().to_vec());
    } else {
        want.retain(|m| m != MEMBER.as_bytes());
    }
    assert_eq!(now, want, "members of written line {i}");
}

/// The group name and members Apache reads from line `i`, if a group record starts and
/// ends there.
fn group_line(src: &[u8], i: usize) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let file = parse_with(src, KindHint::Group);
    let rec = apache_groups(&file, src).find(|r| r.last_line >= i)?;
    (rec.first_line == i && rec.last_line == i).then(|| {
        let members = rec.members.iter().map(|m| m.as_bytes().to_vec());
        (rec.name.as_bytes().to_vec(), members.collect())
    })
}

/// Apache's entry for the record that holds line `i`, which must start there. `None`:
/// Apache stopped reading before it (a line too long for its buffer).
fn apache_record_at<'a>(file: &'a PasswdFile, src: &'a [u8], i: usize) -> Option<ApacheEntry<'a>> {
    for rec in apache_view(file, src) {
        match rec.read {
            ApacheRead::StopsReading => return None,
            _ if rec.last_line < i => continue,
            ApacheRead::Entry(e) if rec.first_line == i => return Some(e),
            read => panic!(
                "Apache reads line {i} as {read:?} from line {}",
                rec.first_line
            ),
        }
    }
    panic!("Apache never reaches line {i}")
}
