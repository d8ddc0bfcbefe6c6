//! The users every site knows, their password files in every shape the servers read
//! differently (good, CRLF, BOM, empty, malformed, unreadable, a directory, missing),
//! the group file and the htdigest file; and the credentials requests send.

use super::rng::Rng;
use super::tree::{FileBody, SiteFile};

/// (user, password, htpasswd line), one hash scheme each, made by Apache's htpasswd.
pub const USERS: &[(&str, &str, &str)] = &[
    (
        "alice",
        "secret",
        "alice:$2y$05$pGBxx95CLHNLZgiGV/gv5unBOwz8Fub8XNMsZw3oWXtREoNaX.6pm",
    ),
    (
        "bob",
        "hunter2",
        "bob:$apr1$XtScok5X$QQLbpat7d0Wy0tg65Sybs0",
    ),
    (
        "carol",
        "opensesame",
        "carol:$6$rW6QoDaaFJrerPwe$lIqFo.vWprrl2e5NeJfOxjUxVAIrY.02CCFY68E7IOyatNdckPKZpU0gHWV8c/JynKSXy.QhQcRHnpzTUWlmI0",
    ),
    ("dave", "letmein", "dave:{SHA}t6h1/B6iKLkGEEG3zsS9PFKrPOM="),
];

/// The realm of the htdigest file (an `AuthName` other than this one matches no user).
pub const DIGEST_REALM: &str = "R";

/// Group file: `admins` has alice, `staff` has bob and carol.
const GROUPS: &[&str] = &["admins: alice", "staff: bob carol"];

fn lines() -> Vec<String> {
    USERS
        .iter()
        .map(|(_, _, line)| (*line).to_owned())
        .collect()
}

fn text(name: &str, label: &str, lines: Vec<String>, crlf: bool, bom: bool) -> SiteFile {
    SiteFile {
        path: format!("pw/{name}"),
        mode: 0o644,
        body: FileBody::Text { lines, crlf, bom },
        label: label.to_owned(),
    }
}

/// The password and group files of a site (all variants; the shrinker drops the unused).
pub fn files() -> Vec<SiteFile> {
    let mut malformed = vec![
        "# a comment line".to_owned(),
        // Colon-less: Apache reads user `alice` with an empty hash, shadowing the real entry.
        "alice".to_owned(),
    ];
    malformed.extend(lines().into_iter().enumerate().map(|(i, line)| match i {
        0 => line,
        // A space after the colon, a trailing comment, leading blanks: each server differs.
        1 => line.replacen(':', ": ", 1),
        2 => format!("{line} # note"),
        _ => format!("  {line}"),
    }));
    let mut unreadable = text("users-root", "passwd unreadable", lines(), false, false);
    unreadable.mode = 0o600;
    vec![
        text("users", "passwd good", lines(), false, false),
        text("users-crlf", "passwd crlf", lines(), true, false),
        text("users-bom", "passwd bom", lines(), false, true),
        text("users-empty", "passwd empty", Vec::new(), false, false),
        text("users-bad", "passwd malformed", malformed, false, false),
        unreadable,
        SiteFile {
            path: "pw/users-dir".to_owned(),
            mode: 0o755,
            body: FileBody::Dir,
            label: "passwd directory".to_owned(),
        },
        text("digest", "htdigest", digest_lines(), false, false),
        text(
            "groups",
            "group file",
            GROUPS.iter().map(|g| (*g).to_owned()).collect(),
            false,
            false,
        ),
    ]
}

fn digest_lines() -> Vec<String> {
    USERS
        .iter()
        .map(|(user, password, _)| {
            let digest = md5::compute(format!("{user}:{DIGEST_REALM}:{password}"));
            format!("{user}:{DIGEST_REALM}:{digest:x}")
        })
        .collect()
}

/// Credentials for a request: none, right, wrong password, or a user no file has.
pub fn credentials(rng: &mut Rng) -> Option<(String, String)> {
    let (user, password, _) = rng.pick(USERS);
    match rng.weighted(&[(35, 0), (35, 1), (15, 2), (15, 3)]) {
        0 => None,
        1 => Some((user.to_owned(), password.to_owned())),
        2 => Some((user.to_owned(), "wrong".to_owned())),
        _ => Some(("mallory".to_owned(), password.to_owned())),
    }
}
