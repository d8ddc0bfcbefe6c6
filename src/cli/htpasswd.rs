//! `htguard htpasswd ...` and the binary invoked as `htpasswd`: Apache's flags, messages
//! and exit codes, over htguard's safe writes.
//!
//! Deliberate differences from Apache's htpasswd 2.4 (each where Apache loses data or
//! writes a line no one can log in with):
//! - writes are locked and atomic (Apache rewrites the file in place without a lock);
//! - a record added to a file without a final newline is not glued onto the last line,
//!   and a CRLF file gets a CRLF line;
//! - `-2`/`-5` with `-r` under 1000 is refused (exit 2) instead of writing `*0`;
//!   `-C` outside 4..17 explains the range (exit 3, as Apache);
//! - `-B` defaults to cost 10 (Apache: 5) and warns when the password exceeds 72 bytes;
//! - an htdigest file is refused (exit 7) instead of having a digest line replaced by a
//!   basic one; user names that no server can look up (control characters, a leading `#`,
//!   surrounding blanks) are refused with exit 6;
//! - `-c` on a file that holds other users says how many it dropped;
//! - `-v` checks the first entry of the user, as the servers do;
//! - a new file gets the mode the umask allows, as Apache's does, but a hard-linked file or
//!   one whose owner cannot be kept is refused rather than silently changed.

use crate::hash::Scheme;
use crate::store::{StoreError, WriteOptions};
use crate::syntax::passwd::{self, FileKind, KindHint, LineKind};
use crate::user::{self, AddMode, EntryKind, HashChoice, UserError, Verdict, Warning};
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Apache's exit codes (support/passwd_common.h).
mod code {
    pub const OK: i32 = 0;
    pub const FILEPERM: i32 = 1;
    pub const SYNTAX: i32 = 2;
    pub const PWMISMATCH: i32 = 3;
    pub const OVERFLOW: i32 = 5;
    pub const BADUSER: i32 = 6;
    pub const INVALID: i32 = 7;
}

/// Apache's limit on a user name (MAX_STRING_LEN - 1).
const MAX_USER: usize = 255;

/// Arguments of `htguard htpasswd` (Apache's flags).
#[derive(Debug, clap::Args)]
pub struct HtpasswdArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

pub fn run(args: HtpasswdArgs) -> i32 {
    run_argv(args.args)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Update,
    Create,
    Print,
    Delete,
    Verify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Prompt,
    Stdin,
    Argv,
}

#[derive(Debug)]
struct Parsed {
    op: Op,
    source: Source,
    scheme: Scheme,
    /// `-C` / `-r` (one number in Apache too).
    work: Option<u32>,
    file: Option<PathBuf>,
    user: OsString,
    password: Option<Zeroizing<Vec<u8>>>,
}

/// An early exit: message for stderr (may be empty) and exit code.
struct Exit(i32, String);

/// Entry when the binary is invoked as `htpasswd`: `args` excludes argv[0].
pub fn run_argv(args: Vec<OsString>) -> i32 {
    match parse(args).and_then(execute) {
        Ok(code) => code,
        Err(Exit(code, msg)) => {
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            code
        }
    }
}

fn usage() -> Exit {
    Exit(
        code::SYNTAX,
        "Usage:
\thtpasswd [-cimB25dpsDv] [-C cost] [-r rounds] passwordfile username
\thtpasswd -b[cmB25dpsDv] [-C cost] [-r rounds] passwordfile username password

\thtpasswd -n[imB25dps] [-C cost] [-r rounds] username
\thtpasswd -nb[mB25dps] [-C cost] [-r rounds] username password
 -c  Create a new file.
 -n  Don't update file; display results on stdout.
 -b  Use the password from the command line rather than prompting for it.
 -i  Read password from stdin without verification (for script usage).
 -m  Force MD5 hashing of the password (default).
 -2  Force SHA-256 hashing of the password (secure).
 -5  Force SHA-512 hashing of the password (secure).
 -B  Force bcrypt hashing of the password (very secure).
 -C  Set the computing time used for the bcrypt algorithm
     (higher is more secure but slower, default: 10, valid: 4 to 17).
 -r  Set the number of rounds used for the SHA-256, SHA-512 algorithms
     (higher is more secure but slower, default: 5000, valid: 1000 to 999999999).
 -d  Force CRYPT hashing of the password (8 chars max, insecure).
 -s  Force SHA-1 hashing of the password (insecure).
 -p  Do not hash the password (plaintext, insecure).
 -D  Delete the specified user.
 -v  Verify password for the specified user.
htguard's htpasswd writes atomically under a lock; see `htguard user --help` for more."
            .into(),
    )
}

/// Apache's apr_getopt with "cnmspdBbDi25C:r:v": clustered flags, `-C N` or `-CN`,
/// options end at `--` or the first operand.
fn parse(args: Vec<OsString>) -> Result<Parsed, Exit> {
    let mut mask: Vec<Op> = Vec::new();
    let mut source = Source::Prompt;
    let mut scheme = Scheme::Apr1;
    let mut work = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_bytes();
        if a == b"--" {
            i += 1;
            break;
        }
        if a.len() < 2 || a[0] != b'-' {
            break;
        }
        let mut j = 1;
        while j < a.len() {
            let c = a[j];
            match c {
                b'c' => mask.push(Op::Create),
                b'n' => mask.push(Op::Print),
                b'D' => mask.push(Op::Delete),
                b'v' => mask.push(Op::Verify),
                b'b' => source = Source::Argv,
                b'i' => source = Source::Stdin,
                b'm' => scheme = Scheme::Apr1,
                b's' => scheme = Scheme::Sha1,
                b'2' => scheme = Scheme::Sha256Crypt,
                b'5' => scheme = Scheme::Sha512Crypt,
                b'p' => scheme = Scheme::Plain,
                b'd' => scheme = Scheme::DesCrypt,
                b'B' => scheme = Scheme::Bcrypt,
                b'C' | b'r' => {
                    let value: Vec<u8> = if j + 1 < a.len() {
                        a[j + 1..].to_vec()
                    } else if i + 1 < args.len() {
                        i += 1;
                        args[i].as_bytes().to_vec()
                    } else {
                        eprintln!("htpasswd: option requires an argument -- {}", c as char);
                        return Err(usage());
                    };
                    let n = std::str::from_utf8(&value)
                        .ok()
                        .and_then(|s| s.parse::<i64>().ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            Exit(
                                code::SYNTAX,
                                "htpasswd: argument to -C/-r must be a positive integer".into(),
                            )
                        })?;
                    work = Some(u32::try_from(n).unwrap_or(u32::MAX));
                    j = a.len();
                    continue;
                }
                other => {
                    eprintln!("htpasswd: illegal option -- {}", other as char);
                    return Err(usage());
                }
            }
            j += 1;
        }
        i += 1;
    }
    mask.dedup();
    if mask.len() > 1 {
        let mut m = mask.clone();
        m.sort_by_key(|o| *o as u8);
        m.dedup();
        if m.len() > 1 {
            return Err(Exit(
                code::SYNTAX,
                "htpasswd: only one of -c -n -v -D may be specified".into(),
            ));
        }
    }
    let op = mask.first().copied().unwrap_or(Op::Update);
    let mut want = if op == Op::Print { 1 } else { 2 };
    if source == Source::Argv {
        want += 1;
    }
    let rest = &args[i..];
    if rest.len() != want {
        return Err(usage());
    }
    let mut it = rest.iter();
    let file = if op == Op::Print {
        None
    } else {
        it.next().map(PathBuf::from)
    };
    let user = it.next().cloned().unwrap_or_default();
    if user.len() > MAX_USER {
        return Err(Exit(
            code::OVERFLOW,
            format!("htpasswd: username too long (> {MAX_USER})"),
        ));
    }
    if user.as_bytes().contains(&b':') {
        return Err(Exit(
            code::BADUSER,
            "htpasswd: username contains illegal character ':'".into(),
        ));
    }
    let password = it.next().map(|p| Zeroizing::new(p.as_bytes().to_vec()));
    Ok(Parsed {
        op,
        source,
        scheme,
        work,
        file,
        user,
        password,
    })
}

fn execute(p: Parsed) -> Result<i32, Exit> {
    let user_name = p
        .user
        .to_str()
        .ok_or_else(|| {
            Exit(
                code::BADUSER,
                "htpasswd: username is not valid UTF-8".into(),
            )
        })?
        .to_string();
    if let Err(e) = user::check_user_name(&user_name) {
        return Err(Exit(code::BADUSER, format!("htpasswd: {e}")));
    }
    let choice = choice(&p)?;
    match p.op {
        Op::Print => {
            let password = get_password(&p, false)?;
            let kind = EntryKind::Basic(choice);
            let (hash, warnings) = user::make_entry(&user_name, &password, &kind)
                .map_err(|e| Exit(code::PWMISMATCH, format!("htpasswd: {e}")))?;
            print_warnings(&warnings);
            super::output::println(&user::entry_text(&user_name, &hash, &kind));
            Ok(code::OK)
        }
        Op::Verify => verify(&p, &user_name),
        Op::Delete => delete(&p, &user_name),
        Op::Create | Op::Update => save(&p, &user_name, choice),
    }
}

fn file_of(p: &Parsed) -> PathBuf {
    p.file.clone().unwrap_or_default()
}

/// Apache checks the file before asking for a password; so do we.
fn check_file(p: &Parsed) -> Result<Option<Vec<u8>>, Exit> {
    let path = file_of(p);
    match crate::store::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(StoreError::Missing { .. }) if p.op == Op::Create => Ok(None),
        Err(StoreError::Missing { .. }) => Err(Exit(
            code::FILEPERM,
            format!(
                "htpasswd: cannot modify file {}; use '-c' to create it",
                path.display()
            ),
        )),
        Err(e) => Err(Exit(
            code::FILEPERM,
            format!(
                "htpasswd: cannot open file {} for {} access ({e})",
                path.display(),
                if p.op == Op::Verify {
                    "read"
                } else {
                    "read/write"
                }
            ),
        )),
    }
}

/// Exit 7 for a file Apache's htpasswd would call invalid, and for an htdigest/group file.
fn check_content(p: &Parsed, bytes: &[u8]) -> Result<(), Exit> {
    let path = file_of(p);
    let file = passwd::parse_with(bytes, KindHint::Basic);
    if file.lines().iter().any(|l| l.kind() == LineKind::NoColon) {
        return Err(Exit(
            code::INVALID,
            format!(
                "htpasswd: The file {} does not appear to be a valid htpasswd file.",
                path.display()
            ),
        ));
    }
    match file.kind() {
        FileKind::Empty | FileKind::Basic => Ok(()),
        FileKind::Digest | FileKind::Mixed => Err(Exit(
            code::INVALID,
            format!(
                "htpasswd: The file {} holds htdigest (user:realm:hash) lines; use htdigest or \
                 `htguard user ... --realm REALM` for it.",
                path.display()
            ),
        )),
        FileKind::Group => Err(Exit(
            code::INVALID,
            format!(
                "htpasswd: The file {} is a group file, not a password file.",
                path.display()
            ),
        )),
    }
}

fn choice(p: &Parsed) -> Result<HashChoice, Exit> {
    let mut choice = HashChoice {
        scheme: p.scheme,
        cost: None,
        rounds: None,
    };
    if p.op == Op::Delete || p.op == Op::Verify {
        return Ok(choice);
    }
    match (p.scheme, p.work) {
        (_, None) => {}
        (Scheme::Bcrypt, Some(c)) => {
            if !(4..=17).contains(&c) {
                return Err(Exit(
                    code::PWMISMATCH,
                    format!(
                        "htpasswd: bcrypt cost must be between 4 and 17 (got -C {c}); \
                         htguard uses 10 by default"
                    ),
                ));
            }
            choice.cost = Some(c);
        }
        (Scheme::Sha256Crypt | Scheme::Sha512Crypt, Some(r)) => {
            if !(1000..=999_999_999).contains(&r) {
                return Err(Exit(
                    code::SYNTAX,
                    format!(
                        "htpasswd: rounds for -2/-5 must be between 1000 and 999999999 (got -r \
                         {r}); Apache's htpasswd would write the unusable hash '*0' here"
                    ),
                ));
            }
            choice.rounds = Some(r);
        }
        (_, Some(_)) => {
            eprintln!("Warning: Ignoring -C/-r argument for this algorithm.");
        }
    }
    if p.scheme == Scheme::Plain {
        eprintln!("Warning: storing passwords as plain text might just not work on this platform.");
    }
    Ok(choice)
}

fn get_password(p: &Parsed, verify_only: bool) -> Result<Zeroizing<Vec<u8>>, Exit> {
    match p.source {
        Source::Argv => Ok(p.password.clone().unwrap_or_default()),
        Source::Stdin => {
            let mut lock = std::io::stdin().lock();
            user::secret::read_line(&mut lock)
                .map_err(|e| Exit(code::OVERFLOW, format!("htpasswd: {e}")))
        }
        Source::Prompt if verify_only => super::user::input::prompt("Enter password: ")
            .map_err(|e| Exit(code::FILEPERM, format!("htpasswd: {e}"))),
        Source::Prompt => {
            let first = super::user::input::prompt("New password: ")
                .map_err(|e| Exit(code::FILEPERM, format!("htpasswd: {e}")))?;
            let again = super::user::input::prompt("Re-type new password: ")
                .map_err(|e| Exit(code::FILEPERM, format!("htpasswd: {e}")))?;
            if !user::secret::same(&first, &again) {
                return Err(Exit(
                    code::PWMISMATCH,
                    "htpasswd: password verification error".into(),
                ));
            }
            Ok(first)
        }
    }
}

fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        match w {
            Warning::PasswordTruncated {
                scheme: Scheme::DesCrypt,
                ..
            } => eprintln!("Warning: Password truncated to 8 characters by CRYPT algorithm."),
            // Apache's own wording for -p is printed when the flag is read; -b allows empty.
            Warning::WeakScheme {
                scheme: Scheme::Plain,
            }
            | Warning::EmptyPassword => {}
            w => eprintln!("Warning: {w}."),
        }
    }
}

fn save(p: &Parsed, user_name: &str, choice: HashChoice) -> Result<i32, Exit> {
    let path = file_of(p);
    let existing = check_file(p)?;
    if let (Some(bytes), Op::Update) = (&existing, p.op) {
        check_content(p, bytes)?;
    }
    let password = get_password(p, false)?;
    let kind = EntryKind::Basic(choice);
    let opts = WriteOptions {
        create: p.op == Op::Create,
        create_mode: 0o666 & !current_umask(),
        ..WriteOptions::default()
    };
    let result = if p.op == Op::Create {
        user::save_only(&path, user_name, &password, &kind, &opts).map(|(change, dropped)| {
            if dropped > 0 {
                eprintln!(
                    "htpasswd: note: -c replaced {} which held {dropped} other entr{}",
                    path.display(),
                    if dropped == 1 { "y" } else { "ies" }
                );
            }
            change
        })
    } else {
        user::save(&path, user_name, &password, &kind, AddMode::Either, &opts)
    };
    match result {
        Ok(change) => {
            print_warnings(&change.warnings);
            let verb = if change.added { "Adding" } else { "Updating" };
            eprintln!("{verb} password for user {user_name}");
            warn_if_server_cannot_read(&path);
            Ok(code::OK)
        }
        Err(e) => Err(failure(&path, e)),
    }
}

fn delete(p: &Parsed, user_name: &str) -> Result<i32, Exit> {
    let path = file_of(p);
    if let Some(bytes) = check_file(p)? {
        check_content(p, &bytes)?;
    }
    match user::delete(&path, user_name, None) {
        Ok(true) => {
            eprintln!("Deleting password for user {user_name}");
            warn_if_server_cannot_read(&path);
            Ok(code::OK)
        }
        Ok(false) => {
            eprintln!("User {user_name} not found");
            Ok(code::OK)
        }
        Err(e) => Err(failure(&path, e)),
    }
}

/// Apache's htpasswd says nothing here; a file the web server cannot read is worth a line.
fn warn_if_server_cannot_read(path: &std::path::Path) {
    if let Some(w) = crate::store::server_cannot_read(path) {
        eprintln!("htpasswd: warning: {w}");
    }
}

fn verify(p: &Parsed, user_name: &str) -> Result<i32, Exit> {
    let path = file_of(p);
    if let Some(bytes) = check_file(p)? {
        check_content(p, &bytes)?;
    }
    let password = get_password(p, true)?;
    match user::verify(&path, user_name, &password, None) {
        Ok(Verdict::Match { .. }) => {
            eprintln!("Password for user {user_name} correct.");
            Ok(code::OK)
        }
        Ok(Verdict::Mismatch) => Err(Exit(
            code::PWMISMATCH,
            "password verification failed".into(),
        )),
        Ok(Verdict::Unusable(reason)) => Err(Exit(
            code::PWMISMATCH,
            format!("password verification failed ({reason})"),
        )),
        Ok(Verdict::NoSuchUser) => Err(Exit(code::BADUSER, format!("User {user_name} not found"))),
        Err(e) => Err(failure(&path, e)),
    }
}

/// Map an htguard error to Apache's exit code, keeping htguard's explanation.
fn failure(path: &std::path::Path, e: UserError) -> Exit {
    let code = match &e {
        UserError::WrongKind { .. } => code::INVALID,
        UserError::BadUser { .. } => code::BADUSER,
        UserError::BadOption(_) => code::SYNTAX,
        UserError::Hash(_) => code::PWMISMATCH,
        UserError::Store(StoreError::Missing { .. }) => {
            return Exit(
                code::FILEPERM,
                format!(
                    "htpasswd: cannot modify file {}; use '-c' to create it",
                    path.display()
                ),
            );
        }
        _ => code::FILEPERM,
    };
    Exit(code, format!("htpasswd: {e}"))
}

fn current_umask() -> u32 {
    // SAFETY: umask only swaps the process's mask; it is restored immediately, before any
    // file is created (this runs single-threaded, before the write).
    unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<OsString> {
        s.iter().map(OsString::from).collect()
    }

    #[test]
    fn clustered_flags_and_values() {
        let p = parse(argv(&["-cbB", "-C", "6", "f", "u", "pw"]))
            .ok()
            .unwrap();
        assert_eq!(p.op, Op::Create);
        assert_eq!(p.source, Source::Argv);
        assert_eq!(p.scheme, Scheme::Bcrypt);
        assert_eq!(p.work, Some(6));
        assert_eq!(p.file, Some(PathBuf::from("f")));
        assert_eq!(&**p.password.as_ref().unwrap(), b"pw");
        let p = parse(argv(&["-nbr8000", "-5", "u", "pw"])).ok().unwrap();
        assert_eq!(
            (p.op, p.work, p.scheme),
            (Op::Print, Some(8000), Scheme::Sha512Crypt)
        );
        assert_eq!(p.file, None);
    }

    #[test]
    fn apache_exit_codes_for_bad_arguments() {
        let code = |a: &[&str]| parse(argv(a)).err().map(|Exit(c, _)| c);
        assert_eq!(code(&["-x", "f", "u"]), Some(code::SYNTAX));
        assert_eq!(code(&["-c", "f"]), Some(code::SYNTAX));
        assert_eq!(code(&["-cD", "f", "u"]), Some(code::SYNTAX));
        assert_eq!(code(&["-C", "0", "f", "u"]), Some(code::SYNTAX));
        assert_eq!(code(&["-C"]), Some(code::SYNTAX));
        assert_eq!(code(&["f", "a:b"]), Some(code::BADUSER));
        let long = "u".repeat(256);
        assert_eq!(code(&["f", &long]), Some(code::OVERFLOW));
        assert_eq!(code(&["-b", "f", "u"]), Some(code::SYNTAX));
        assert_eq!(
            code(&["-cc", "f", "u"]),
            None,
            "a repeated flag is one flag"
        );
    }
}
