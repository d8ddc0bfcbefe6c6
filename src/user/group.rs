//! Group files (AuthGroupFile: `group: member member`): add and remove members, delete a
//! group, list groups.
//!
//! The file is read as Apache's mod_authz_groupfile reads it ([`view::apache_groups`]): a
//! group may span several lines (a user in any of them is a member), group names match
//! without regard to ASCII case (Apache keeps them in an APR table, whose keys are), and
//! members are config words (`"a b"` is one member). Writes go through the locked, atomic
//! store; only the lines a change needs are rewritten, and within them only the members
//! added or removed: comments, blank lines, endings, the other members and their spacing
//! stay byte for byte.

use super::error::UserError;
use super::joins;
use crate::model::passwd::{self as view, GroupRecord};
use crate::store::{self, UpdateError, WriteOptions};
use crate::syntax::passwd::{self, FileKind, KindHint, Line, PasswdFile, is_blank};
use serde::Serialize;
use std::path::Path;

/// What an add or remove did.
#[derive(Debug, Default)]
pub struct GroupChange {
    /// The file did not exist and was created.
    pub created_file: bool,
    /// The group was in the file before the change.
    pub group_existed: bool,
    /// Users added (add) or removed (remove).
    pub changed: Vec<String>,
    /// Users that were members already (add) or were not members (remove).
    pub unchanged: Vec<String>,
}

/// One group as Apache sees it: its lines merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupListing {
    /// The name as written on the group's first line.
    pub group: String,
    /// 1-based numbers of the lines that name the group.
    pub lines: Vec<usize>,
    /// Members in file order, each once.
    pub members: Vec<String>,
}

/// Put `users` in `group` (created at the end of the file if missing). Users already in
/// the group are reported, not repeated; new members go at the end of the group's first line.
pub fn add_members(
    path: &Path,
    group: &str,
    users: &[String],
    opts: &WriteOptions,
) -> Result<GroupChange, UserError> {
    check_group(group)?;
    users.iter().try_for_each(|u| check_member(u))?;
    let mut change = GroupChange::default();
    store::update(path, opts, |old| {
        let src = old.unwrap_or_default();
        let file = parse_group_file(path, src)?;
        let records = records_of(&file, src, group);
        change.created_file = old.is_none();
        change.group_existed = !records.is_empty();
        for u in users {
            let member = records
                .iter()
                .any(|r| r.members.iter().any(|m| m.as_bytes() == u.as_bytes()));
            let list = if member {
                &mut change.unchanged
            } else {
                &mut change.changed
            };
            if !list.contains(u) {
                list.push(u.clone());
            }
        }
        if change.changed.is_empty() {
            return Ok(None);
        }
        let mut ed = file.editor(src);
        // Members go where httpd reads them: after the line's `:` (a line without one is
        // all group name: `bob` + ` new` would make the group `bob new`), and not after a
        // NUL (httpd reads a line only up to it). Otherwise a new `group: …` line.
        let visible = |r: &&GroupRecord<'_>| {
            let lines = (r.first_line..=r.last_line).filter_map(|i| file.line(i));
            let text: Vec<&[u8]> = lines.map(|l| &src[l.content()]).collect();
            text.iter().all(|t| !t.contains(&0)) && text.iter().any(|t| t.contains(&b':'))
        };
        let extended = match records.iter().find(visible) {
            Some(first) => {
                let line = single_line(path, &file, first)?;
                let new = with_members(line, src, &change.changed);
                // An unterminated quote, for one, would take the new members in.
                reads_as(&new, first, &change.changed).then_some((first.first_line, new))
            }
            None => None,
        };
        match extended {
            Some((index, new)) => ed.replace_line(index, new),
            None => {
                ed.append_line(format!("{group}: {}", change.changed.join(" ")).into_bytes());
            }
        }
        joins::finish(path, &file, src, ed).map(Some)
    })
    .map_err(flatten)?;
    Ok(change)
}

/// The line's content with `users` after its last member (before the trailing blanks,
/// which stay where they are).
fn with_members(line: &Line, src: &[u8], users: &[String]) -> Vec<u8> {
    let content = &src[line.content()];
    let at = line.trailing_ws(src).start - line.start();
    let mut new = content[..at].to_vec();
    for u in users {
        new.push(b' ');
        new.extend_from_slice(u.as_bytes());
    }
    new.extend_from_slice(&content[at..]);
    new
}

/// Whether httpd reads the group line `content` as `before`'s group with its members and
/// then `added`.
fn reads_as(content: &[u8], before: &GroupRecord<'_>, added: &[String]) -> bool {
    let file = passwd::parse_with(content, KindHint::Group);
    let Some(rec) = view::apache_groups(&file, content).next() else {
        return false;
    };
    let want = before.members.iter().map(|m| m.as_bytes());
    let want = want.chain(added.iter().map(|u| u.as_bytes()));
    rec.name.as_bytes() == before.name.as_bytes()
        && rec.members.iter().map(|m| m.as_bytes()).eq(want)
}

/// Take `users` out of `group`, from every line of it. Nothing is written when none of
/// them is a member. A line whose last member leaves stays, as `group:`.
pub fn remove_members(
    path: &Path,
    group: &str,
    users: &[String],
) -> Result<GroupChange, UserError> {
    check_group(group)?;
    let mut change = GroupChange::default();
    store::update(path, &WriteOptions::default(), |old| {
        let src = old.unwrap_or_default();
        let file = parse_group_file(path, src)?;
        let records = records_of(&file, src, group);
        change.group_existed = !records.is_empty();
        let leaving = |m: &view::Word<'_>| users.iter().any(|u| u.as_bytes() == m.as_bytes());
        for u in users {
            let member = records
                .iter()
                .any(|r| r.members.iter().any(|m| m.as_bytes() == u.as_bytes()));
            let list = if member {
                &mut change.changed
            } else {
                &mut change.unchanged
            };
            if !list.contains(u) {
                list.push(u.clone());
            }
        }
        if change.changed.is_empty() {
            return Ok(None);
        }
        let mut ed = file.editor(src);
        for rec in &records {
            if !rec.members.iter().any(leaving) {
                continue;
            }
            let line = single_line(path, &file, rec)?;
            ed.replace_line(rec.first_line, without_members(line, src, rec, &leaving));
        }
        joins::finish(path, &file, src, ed).map(Some)
    })
    .map_err(flatten)?;
    Ok(change)
}

/// The line's content without the leaving members: each kept member keeps the blanks
/// before it; the first one kept takes the place of the first member.
fn without_members(
    line: &Line,
    src: &[u8],
    rec: &GroupRecord<'_>,
    leaving: &dyn Fn(&view::Word<'_>) -> bool,
) -> Vec<u8> {
    let members = &rec.members;
    let (Some(first), Some(last)) = (members.first(), members.last()) else {
        return src[line.content()].to_vec();
    };
    let kept: Vec<usize> = (0..members.len())
        .filter(|&i| !leaving(&members[i]))
        .collect();
    let mut new = Vec::with_capacity(line.content().len());
    if kept.is_empty() {
        // `group:` keeps no blank where the members were.
        let mut cut = first.span.start;
        while cut > line.start() && is_blank(src[cut - 1]) {
            cut -= 1;
        }
        new.extend_from_slice(&src[line.start()..cut]);
    } else {
        new.extend_from_slice(&src[line.start()..first.span.start]);
        for (n, &i) in kept.iter().enumerate() {
            let from = if n == 0 || i == 0 {
                members[i].span.start
            } else {
                members[i - 1].span.end
            };
            // `a "b"c` without `b`: a blank keeps `a` and `c` two members.
            if n > 0 && from == members[i].span.start && kept[n - 1] != i - 1 {
                new.push(b' ');
            }
            new.extend_from_slice(&src[from..members[i].span.end]);
        }
    }
    new.extend_from_slice(&src[last.span.end..line.content().end]);
    new
}

/// Remove `group`: every line that names it. `Ok(0)`: no such group, nothing written.
pub fn delete_group(path: &Path, group: &str) -> Result<usize, UserError> {
    check_group(group)?;
    let mut deleted = 0;
    store::update(path, &WriteOptions::default(), |old| {
        let src = old.unwrap_or_default();
        let file = parse_group_file(path, src)?;
        let records = records_of(&file, src, group);
        if records.is_empty() {
            return Ok(None);
        }
        let mut ed = file.editor(src);
        for rec in &records {
            for i in rec.first_line..=rec.last_line {
                ed.delete_line(i);
                deleted += 1;
            }
        }
        Ok(Some(ed.finish()))
    })
    .map_err(flatten)?;
    Ok(deleted)
}

/// Every group (or only `only`) with its members, in file order.
pub fn list_groups(path: &Path, only: Option<&str>) -> Result<Vec<GroupListing>, UserError> {
    let src = store::read(path)?;
    let file = parse_group_file(path, &src)?;
    let mut out: Vec<GroupListing> = Vec::new();
    for rec in view::apache_groups(&file, &src) {
        if only.is_some_and(|g| !same_group(rec.name.as_bytes(), g)) {
            continue;
        }
        let i = match out
            .iter()
            .position(|g| same_group(rec.name.as_bytes(), &g.group))
        {
            Some(i) => i,
            None => {
                out.push(GroupListing {
                    group: rec.name.lossy().into_owned(),
                    lines: Vec::new(),
                    members: Vec::new(),
                });
                out.len() - 1
            }
        };
        let listing = &mut out[i];
        listing.lines.push(rec.first_line + 1);
        for m in &rec.members {
            let name = m.lossy().into_owned();
            if !listing.members.contains(&name) {
                listing.members.push(name);
            }
        }
    }
    Ok(out)
}

/// Apache looks groups up in an APR table: names match without regard to ASCII case.
fn same_group(name: &[u8], group: &str) -> bool {
    name.eq_ignore_ascii_case(group.as_bytes())
}

fn records_of<'a>(file: &'a PasswdFile, src: &'a [u8], group: &str) -> Vec<GroupRecord<'a>> {
    view::apache_groups(file, src)
        .filter(|r| same_group(r.name.as_bytes(), group))
        .collect()
}

/// Group files only: a password or digest file is refused before anything is written.
fn parse_group_file(path: &Path, src: &[u8]) -> Result<PasswdFile, UserError> {
    let auto = passwd::parse(src);
    let holds_hashes = auto.entries().any(|(_, l)| {
        let second = l.field2().and_then(|r| src.get(r)).unwrap_or_default();
        second
            .split(|b| is_blank(*b))
            .find(|w| !w.is_empty())
            .is_some_and(passwd::looks_like_hash)
    });
    if matches!(auto.kind(), FileKind::Digest | FileKind::Mixed) || holds_hashes {
        return Err(UserError::WrongKind {
            path: path.to_path_buf(),
            reason: "this is a password file (user:hash), not a group file (group: user ...); \
                     `htguard user` edits it"
                .into(),
        });
    }
    Ok(passwd::parse_with(src, KindHint::Group))
}

/// The record's one line; a record joined from several by a trailing `\` is refused (its
/// members do not sit where a single line's would, and the `\` is almost surely a mistake).
fn single_line<'a>(
    path: &Path,
    file: &'a PasswdFile,
    rec: &GroupRecord<'_>,
) -> Result<&'a Line, UserError> {
    let line = file.line(rec.first_line);
    match line {
        Some(line) if rec.last_line == rec.first_line => Ok(line),
        _ => Err(UserError::WrongKind {
            path: path.to_path_buf(),
            reason: format!(
                "line {} of group `{}` ends with `\\`, so Apache reads it together with the \
                 next line; fix that first (`htguard check` shows it); nothing was written",
                rec.first_line + 1,
                rec.name.lossy()
            ),
        }),
    }
}

/// A group name Apache can look up: no `:` (it ends the name), no blank at either end
/// (Apache trims them), not a comment, no control characters.
fn check_group(group: &str) -> Result<(), UserError> {
    let bad = |reason| {
        Err(UserError::BadGroup {
            group: group.escape_debug().to_string(),
            reason,
        })
    };
    if group.is_empty() {
        return bad("empty group name");
    }
    if group.contains(':') {
        return bad("group name contains ':' (it ends the name)");
    }
    if group.bytes().any(|b| b.is_ascii_control()) {
        return bad("group name contains a control character");
    }
    if group.starts_with('#') {
        return bad("group name starts with '#' (Apache reads that line as a comment)");
    }
    if group.starts_with(char::is_whitespace) || group.ends_with(char::is_whitespace) {
        return bad("group name starts or ends with white space (Apache trims it)");
    }
    Ok(())
}

/// A member Apache reads back as written: a user name that is one config word.
fn check_member(user: &str) -> Result<(), UserError> {
    let bad = |reason| {
        Err(UserError::BadUser {
            user: user.escape_debug().to_string(),
            reason,
        })
    };
    if let Some(reason) = super::import::user_name_problem(user.as_bytes()) {
        return bad(reason);
    }
    if user.bytes().any(is_blank) {
        return bad("a member cannot contain white space (Apache splits members at it)");
    }
    if user.starts_with(['"', '\'']) {
        return bad("a member cannot start with a quote (Apache reads a quoted word)");
    }
    if user.contains("\\\\") || user.ends_with('\\') {
        return bad("a member cannot contain `\\\\` or end with `\\` (Apache reads them apart)");
    }
    Ok(())
}

fn flatten(e: UpdateError<UserError>) -> UserError {
    match e {
        UpdateError::Edit(e) => e,
        UpdateError::Store(e) => UserError::Store(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(src: &str, f: impl FnOnce(&Path) -> Result<(), UserError>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groups");
        std::fs::write(&path, src).unwrap();
        f(&path).unwrap();
        std::fs::read_to_string(&path).unwrap()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn add_appends_to_the_first_line_and_keeps_the_rest() {
        let src = "# staff\r\nadmins:  alice\t bob  \r\n\r\nadmins: carol\r\nops: dave";
        let out = edit(src, |p| {
            let c = add_members(p, "ADMINS", &names(&["carol", "erin"]), &Default::default())?;
            assert_eq!(c.changed, ["erin"]);
            assert_eq!(c.unchanged, ["carol"]);
            Ok(())
        });
        assert_eq!(
            out,
            "# staff\r\nadmins:  alice\t bob erin  \r\n\r\nadmins: carol\r\nops: dave"
        );
    }

    #[test]
    fn add_creates_a_missing_group_without_gluing_lines() {
        let out = edit("ops: dave", |p| {
            add_members(p, "admins", &names(&["alice", "bob"]), &Default::default()).map(drop)
        });
        assert_eq!(out, "ops: dave\nadmins: alice bob\n");
        let out = edit("ops:\n", |p| {
            add_members(p, "ops", &names(&["eve"]), &Default::default()).map(drop)
        });
        assert_eq!(out, "ops: eve\n");
    }

    #[test]
    fn remove_takes_members_out_of_every_line_of_the_group() {
        let src = "admins: alice  \"bob\"   carol # x\nADMINS:bob\nops: bob\n";
        let out = edit(src, |p| {
            let c = remove_members(p, "admins", &names(&["bob", "zed"]))?;
            assert_eq!(c.changed, ["bob"]);
            assert_eq!(c.unchanged, ["zed"]);
            Ok(())
        });
        assert_eq!(out, "admins: alice   carol # x\nADMINS:\nops: bob\n");
        let out = edit("g: a b c\n", |p| {
            remove_members(p, "g", &names(&["a"])).map(drop)
        });
        assert_eq!(out, "g: b c\n");
        let out = edit("g: a b c\n", |p| {
            remove_members(p, "g", &names(&["a", "c"])).map(drop)
        });
        assert_eq!(out, "g: b\n");
    }

    #[test]
    fn delete_drops_every_line_of_the_group_only() {
        let out = edit("# a\nadmins: x\nops: y\nAdmins: z\n", |p| {
            assert_eq!(delete_group(p, "admins")?, 2);
            Ok(())
        });
        assert_eq!(out, "# a\nops: y\n");
    }

    #[test]
    fn list_merges_the_lines_of_a_group() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groups");
        std::fs::write(&path, "admins: alice bob\nops: carol\nAdmins: bob dave\n").unwrap();
        let all = list_groups(&path, None).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].members, ["alice", "bob", "dave"]);
        assert_eq!(all[0].lines, [1, 3]);
        assert_eq!(
            list_groups(&path, Some("OPS")).unwrap()[0].members,
            ["carol"]
        );
    }

    #[test]
    fn password_files_and_joined_lines_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let pw = "alice:$apr1$abcdefgh$0123456789abcdefghijkl\n";
        std::fs::write(&path, pw).unwrap();
        let e = add_members(&path, "g", &names(&["bob"]), &Default::default()).unwrap_err();
        assert!(e.to_string().contains("not a group file"), "{e}");
        let joined = "g: a \\\n b\n";
        std::fs::write(&path, joined).unwrap();
        let e = add_members(&path, "g", &names(&["c"]), &Default::default()).unwrap_err();
        assert!(e.to_string().contains("ends with `\\`"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), joined);
    }

    #[test]
    fn names_apache_would_misread_are_refused() {
        for bad in ["a b", "\"q", "a\\\\b", "x\\", "", "a:b", "#c"] {
            assert!(check_member(bad).is_err(), "{bad:?}");
        }
        assert!(check_member("DOMAIN\\alice").is_ok());
        for bad in ["", "a:b", " g", "#g", "g\n"] {
            assert!(check_group(bad).is_err(), "{bad:?}");
        }
        assert!(check_group("Domain Admins").is_ok());
    }
}
