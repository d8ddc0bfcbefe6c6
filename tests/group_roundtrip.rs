//! Group-file edits keep every byte they do not mean to change (property tests over
//! generated files: comments, blank lines, LF and CRLF endings, a missing final newline,
//! groups on several lines, quoted members, odd spacing).
//!
//! - adding a new member to an existing group changes only that group's first line, by
//!   inserting ` NAME` before its trailing blanks; removing it again gives the original;
//! - deleting a group drops exactly the lines that name it;
//! - after any edit, every group reads back (as Apache reads it) as intended.

use htguard::user::group::{add_members, delete_group, list_groups, remove_members};
use proptest::prelude::*;
use std::path::Path;

const GROUPS: &[&str] = &["admins", "Admins", "ops", "dev team"];
const MEMBERS: &[&str] = &["alice", "bob", "\"carol\"", "dave", "DOMAIN\\erin", "#x"];

fn blank() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "  ", "\t", " \t "]).prop_map(str::to_string)
}

fn group_line() -> impl Strategy<Value = String> {
    (
        blank(),
        prop::sample::select(GROUPS.to_vec()),
        blank(),
        prop::collection::vec((prop::sample::select(MEMBERS.to_vec()), blank()), 0..4),
        blank(),
    )
        .prop_map(|(lead, name, after, members, trail)| {
            let mut l = format!("{lead}{name}{after}:");
            for (i, (m, sep)) in members.iter().enumerate() {
                // After the colon a member may follow at once; between members, a blank.
                l.push_str(if i > 0 && sep.is_empty() { " " } else { sep });
                l.push_str(m);
            }
            l.push_str(&trail);
            l
        })
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => group_line(),
        1 => "# [a-z :]{0,12}".prop_map(|s| s),
        1 => blank(),
    ]
}

/// A file: lines with LF or CRLF endings, the last one maybe without.
fn file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((line(), prop::bool::ANY), 0..8),
        prop::bool::ANY,
    )
        .prop_map(|(lines, final_newline)| {
            let mut s = String::new();
            let n = lines.len();
            for (i, (l, crlf)) in lines.into_iter().enumerate() {
                s.push_str(&l);
                if i + 1 < n || final_newline {
                    s.push_str(if crlf { "\r\n" } else { "\n" });
                }
            }
            s
        })
}

fn with_file<T>(text: &str, f: impl FnOnce(&Path) -> T) -> (T, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groups");
    std::fs::write(&path, text).unwrap();
    let out = f(&path);
    (out, std::fs::read_to_string(&path).unwrap())
}

/// Lines with their endings.
fn lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn add_then_remove_gives_back_every_byte(text in file(), g in prop::sample::select(GROUPS.to_vec())) {
        let (before, _) = with_file(&text, |p| list_groups(p, Some(g)).unwrap());
        prop_assume!(!before.is_empty());
        let (_, added) = with_file(&text, |p| {
            add_members(p, g, &names(&["newcomer"]), &Default::default()).unwrap()
        });
        // One line changed, by ` newcomer` inserted; the others are byte for byte.
        let (old, new) = (lines(&text), lines(&added));
        prop_assert_eq!(old.len(), new.len());
        let changed: Vec<usize> = (0..old.len()).filter(|&i| old[i] != new[i]).collect();
        prop_assert_eq!(changed.len(), 1, "{:?} -> {:?}", text, added);
        let i = changed[0];
        prop_assert_eq!(new[i].replacen(" newcomer", "", 1), old[i]);
        let (listed, removed) = with_file(&added, |p| {
            let l = list_groups(p, Some(g)).unwrap();
            remove_members(p, g, &names(&["newcomer"])).unwrap();
            l
        });
        // The newcomer joins; the other members and their order are as they were.
        prop_assert!(listed[0].members.contains(&"newcomer".to_string()));
        let others: Vec<&String> = listed[0].members.iter().filter(|m| *m != "newcomer").collect();
        prop_assert_eq!(others, before[0].members.iter().collect::<Vec<_>>());
        prop_assert_eq!(removed, text);
    }

    #[test]
    fn remove_changes_only_the_members_it_removes(text in file(), g in prop::sample::select(GROUPS.to_vec()), who in prop::sample::select(vec!["alice", "carol", "#x", "DOMAIN\\erin"])) {
        let (before, _) = with_file(&text, |p| list_groups(p, None).unwrap());
        let (_, after_text) = with_file(&text, |p| remove_members(p, g, &names(&[who])).unwrap());
        let (after, _) = with_file(&after_text, |p| list_groups(p, None).unwrap());
        // Same groups in the same order; the member is gone from `g` only.
        prop_assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            let mut want = b.members.clone();
            if b.group.eq_ignore_ascii_case(g) {
                want.retain(|m| m != who);
            }
            prop_assert_eq!(&a.members, &want, "{:?} -> {:?}", text, after_text);
        }
        // Lines are neither added nor dropped, and other groups' lines are untouched.
        let (old, new) = (lines(&text), lines(&after_text));
        prop_assert_eq!(old.len(), new.len());
        for (o, n) in old.iter().zip(&new) {
            if o != n {
                prop_assert!(o.trim_start().to_ascii_lowercase().starts_with(&g.to_ascii_lowercase()));
            }
        }
    }

    #[test]
    fn delete_drops_exactly_the_group_lines(text in file(), g in prop::sample::select(GROUPS.to_vec())) {
        let (before, _) = with_file(&text, |p| list_groups(p, None).unwrap());
        let (n, after_text) = with_file(&text, |p| delete_group(p, g).unwrap());
        let (after, _) = with_file(&after_text, |p| list_groups(p, None).unwrap());
        let kept: Vec<_> = before.iter().filter(|b| !b.group.eq_ignore_ascii_case(g)).collect();
        prop_assert_eq!(after.len(), kept.len());
        for (a, k) in after.iter().zip(&kept) {
            prop_assert_eq!(&a.members, &k.members);
        }
        let dropped: usize = before.iter().filter(|b| b.group.eq_ignore_ascii_case(g)).map(|b| b.lines.len()).sum();
        prop_assert_eq!(n, dropped);
        let old = lines(&text);
        let want: String = old
            .iter()
            .enumerate()
            .filter(|(i, _)| !before.iter().any(|b| b.group.eq_ignore_ascii_case(g) && b.lines.contains(&(i + 1))))
            .map(|(_, l)| *l)
            .collect();
        prop_assert_eq!(after_text, want);
    }
}
