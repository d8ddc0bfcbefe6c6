//! PW022 reader-reads-differently: lighttpd, the Docker registry or Verdaccio reads an
//! entry otherwise than it is written, or cannot verify its hash.

use super::common::{PwFile, hash_label, meant_basic_hash, show};
use crate::diag::{Diagnostic, Severity};
use crate::hash::{self, redact_hash};
use crate::model::reader::{FileRead, Refused, compared_part, read_file};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Line, LineKind, is_blank};
use crate::target::Profile;
use crate::target::reader::{Duplicates, LineRead, Reader};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW022",
        name: "reader-reads-differently",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "lighttpd, the Docker registry or Verdaccio reads an entry otherwise, or cannot verify it",
        doc: r#"## What it does
Reads a password file as each program named with `--target lighttpd`, `docker-registry` or
`verdaccio` reads it, and reports every entry whose user cannot log in there although the line
says so, every file the program refuses, and every line it reads that the file meant to hide.

## Why is this bad?
These programs read the htpasswd format in their own way (docs/readers.md):
- **The Docker registry** verifies bcrypt only, refuses the *whole* file when one line has no
  `:` or is longer than 64 KiB (every login gets **400**; a registry that had read the file
  before keeps using its old copy), trims each line, and uses the **last** entry of a user.
- **lighttpd** takes bytes as they are: blanks around the user or the hash, a BOM, a third
  `:field` or an inline comment make the login fail (**401**); it skips lines longer than
  1024 bytes and stops reading at a NUL byte; an indented `#` line is a user.
- **Verdaccio** has no comments (`#alice:…` is the user `#alice`, who still logs in with the
  old password), trims the fields, ignores a third field, uses the **last** entry of a user,
  and verifies only bcrypt, apr1/MD5-crypt, DES, `{SHA}` and `{PLAIN}`.

## Example
```text
alice:$apr1$…          (--target docker-registry: bcrypt only, 401)
#bob:$2y$10$…           (--target verdaccio: a live user named `#bob`)
carol
```

## Use instead
```text
alice:$2y$10$…
```
`htguard user set --target docker-registry FILE alice` writes a hash every target verifies;
delete disabled users instead of commenting them out; one `user:hash` per line.

## References
- docs/readers.md: what each program does, observed by tests/reader_profiles.rs.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        for reader in f.basic_readers(ctx.profile) {
            Judge {
                f: &f,
                reader,
                profile: ctx.profile,
            }
            .run(out);
        }
    }
}

/// One file read by one program.
struct Judge<'a, 'f> {
    f: &'f PwFile<'a>,
    reader: &'static Reader,
    profile: &'f Profile,
}

impl Judge<'_, '_> {
    fn run(&self, out: &mut Vec<Diagnostic>) {
        let read = read_file(self.reader, &self.f.input.parsed, self.f.src);
        if let Some(refused) = read.refused {
            out.push(self.refused(refused));
            return;
        }
        let lines = self.f.lines();
        for (i, line_read) in read.lines.iter().enumerate() {
            let line = &lines[i];
            match line.kind() {
                LineKind::Basic => {
                    if let Some(d) = self.entry(i, line, *line_read, &read) {
                        out.push(d);
                    }
                }
                LineKind::Comment => {
                    if let Some(d) = self.comment(line, *line_read) {
                        out.push(d);
                    }
                }
                _ => {}
            }
        }
        if let Some(stop) = read.stopped_at {
            let unread = lines[stop + 1..]
                .iter()
                .filter(|l| l.kind() == LineKind::Basic)
                .count();
            if unread > 0 {
                out.push(self.stopped(&lines[stop], unread));
            }
        }
    }

    fn name(&self) -> &'static str {
        self.reader.display
    }

    fn diag(&self, span: std::ops::Range<usize>, message: String) -> Diagnostic {
        Diagnostic::new(&RULE.info, self.f.span(span), capitalize(message))
            .servers(&[self.reader.server])
    }

    /// One finding for a file the program does not read at all.
    fn refused(&self, refused: Refused) -> Diagnostic {
        let status = self.reader.lines.refused_status;
        let every = format!("every login gets {status}");
        let lines = self.f.lines();
        let (span, why, help) = match refused {
            Refused::TooBig { max } => (
                lines.first().map_or(0..0, |l| l.content()),
                format!("the file has {} bytes, more than {max}", self.f.src.len()),
                "split the users over smaller files".to_string(),
            ),
            Refused::NoColon { line } => (
                lines[line].content(),
                format!("line {} has no `:`", line + 1),
                "delete the line, comment it out with `#`, or write it as `user:hash`".into(),
            ),
            Refused::TooLong { line, max } => (
                lines[line].content(),
                format!("line {} is longer than {max} bytes", line + 1),
                format!("shorten the line to at most {max} bytes"),
            ),
        };
        let stale = match self.reader.lines.refused_status {
            400 => "; a registry that read the file before keeps its old copy after one 400",
            _ => "",
        };
        self.diag(
            span,
            format!(
                "{} refuses the whole file: {why}, so {every}{stale}",
                self.name()
            ),
        )
        .label("the program stops here")
        .help(help)
    }

    fn stopped(&self, line: &Line, unread: usize) -> Diagnostic {
        let nul = self.f.bytes(line.content()).iter().position(|b| *b == 0);
        let at = line.start() + nul.unwrap_or(0);
        self.diag(
            at..at + 1,
            format!(
                "{} stops reading at this NUL byte: the {unread} entr{} after it cannot log in (401)",
                self.name(),
                if unread == 1 { "y" } else { "ies" }
            ),
        )
        .label("NUL byte")
        .help("remove the NUL byte")
    }

    /// A `user:hash` line: what keeps its user from logging in with its password.
    fn entry(
        &self,
        i: usize,
        line: &Line,
        read: LineRead<'_>,
        file: &FileRead<'_>,
    ) -> Option<Diagnostic> {
        let meant_user = trim_blanks(self.f.bytes(line.user()?));
        let (hash_range, meant_hash) = meant_basic_hash(line, self.f.src)?;
        let name = self.f.user_of(line);
        let LineRead::Entry { user, hash } = read else {
            return Some(self.unread(line, read, &name));
        };
        if user != meant_user {
            return Some(
                self.diag(
                    line.start()..line.colon1()?,
                    format!(
                        "{} reads the user name as `{}`: `{name}` cannot log in (401)",
                        self.name(),
                        show(user)
                    ),
                )
                .label("part of the user name there")
                .help("remove the blanks and invisible characters around the user name"),
            );
        }
        if compared_part(self.reader, hash) != meant_hash {
            return Some(
                self.diag(
                    line.colon1()? + 1..line.content().end,
                    format!(
                        "{} {}: no password matches `{name}` (401)",
                        self.name(),
                        hash_difference(hash, meant_hash)
                    ),
                )
                .label("all of this is the hash there")
                .help("write `user:hash` with nothing else on the line"),
            );
        }
        if let Some(used) = file.line_of(user).filter(|used| *used != i) {
            return Some(self.shadowed(line, used, &name));
        }
        self.unsupported(hash, hash_range, meant_hash, &name)
    }

    /// A `user:hash` line the program reads as no entry at all.
    fn unread(&self, line: &Line, read: LineRead<'_>, name: &str) -> Diagnostic {
        let (message, label, help) = match read {
            LineRead::TooLong(limit) => (
                format!("skips lines longer than {} bytes", limit.max),
                format!("{} bytes", line.raw_len()),
                "shorten the line",
            ),
            _ => (
                "reads no `user:hash` on this line".to_string(),
                what_it_reads(read).to_string(),
                "start the line with the user name and remove NUL bytes",
            ),
        };
        self.diag(
            line.content(),
            format!("{} {message}: `{name}` cannot log in (401)", self.name()),
        )
        .label(label)
        .help(help)
    }

    /// An entry the program never uses: another entry of the same user wins.
    fn shadowed(&self, line: &Line, used: usize, name: &str) -> Diagnostic {
        let which = match self.reader.lines.duplicates {
            Duplicates::FirstWins => "first",
            Duplicates::LastWins => "last",
        };
        self.diag(
            line.content(),
            format!(
                "{} uses the {which} entry of `{name}` (line {}): this one is never read",
                self.name(),
                used + 1
            ),
        )
        .severity(Severity::Warning)
        .label("ignored there")
        .help("keep one entry per user")
    }

    /// A hash the program reads as meant but cannot verify.
    fn unsupported(
        &self,
        hash: &[u8],
        hash_range: std::ops::Range<usize>,
        meant_hash: &[u8],
        name: &str,
    ) -> Option<Diagnostic> {
        let info = hash::identify(compared_part(self.reader, hash));
        let (status, reason) = match hash::support_for(&info, self.reader.server, self.profile) {
            hash::Support::Always401 { reason } => (401, reason),
            hash::Support::Error500 { reason } => (500, reason),
            _ => return None,
        };
        Some(
            self.diag(
                hash_range,
                format!("{} answers {status} for `{name}`: {reason}", self.name()),
            )
            .label(hash_label(meant_hash))
            .help(format!(
                "set the password again with a scheme it verifies: `htguard user set --target {} FILE {name}`",
                self.reader.server.as_str()
            )),
        )
    }

    /// A comment line the program reads as a user who can still log in.
    fn comment(&self, line: &Line, read: LineRead<'_>) -> Option<Diagnostic> {
        let LineRead::Entry { user, hash } = read else {
            return None;
        };
        let info = hash::identify(hash);
        if !hash::support_for(&info, self.reader.server, self.profile).works() {
            return None;
        }
        Some(
            self.diag(
                line.content(),
                format!(
                    "{} does not read this line as a comment: `{}` is a user there, who logs in with this {} hash's password",
                    self.name(),
                    show(user),
                    info.kind.label()
                ),
            )
            .severity(Severity::Warning)
            .label("a live entry there")
            .help("delete the line instead of commenting it out"),
        )
    }
}

/// How the hash a program reads differs from the one the line means. The extra text
/// shows only its blanks and separators: it may be a password (`bob:HASH:hunter2`) or
/// another entry's hash run into this line.
fn hash_difference(read: &[u8], meant: &[u8]) -> String {
    if read.is_empty() {
        return "reads an empty hash".into();
    }
    match memchr::memmem::find(read, meant).filter(|_| !meant.is_empty()) {
        Some(at) => {
            let before = &read[..at];
            let after = &read[at + meant.len()..];
            match (before.is_empty(), after.is_empty()) {
                (true, _) => format!("reads `{}` after the hash as part of it", outline(after)),
                (false, true) => {
                    format!("reads `{}` before the hash as part of it", outline(before))
                }
                (false, false) => format!(
                    "reads `{}` before and `{}` after the hash as part of it",
                    outline(before),
                    outline(after)
                ),
            }
        }
        None => format!("reads the hash as `{}`", redact_hash(read)),
    }
}

/// Text around a hash as far as it is blanks and separators (`:`, `#`), then `…`.
fn outline(bytes: &[u8]) -> String {
    let shown = bytes
        .iter()
        .take(12)
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b':' | b'#'))
        .count();
    let mut out = show(&bytes[..shown]);
    if shown < bytes.len() {
        out.push('…');
    }
    out
}

fn what_it_reads(read: LineRead<'_>) -> &'static str {
    match read {
        LineRead::Comment => "read as a comment",
        LineRead::Blank => "read as a blank line",
        _ => "no `:` before a NUL byte",
    }
}

fn trim_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().take_while(|b| is_blank(**b)).count();
    let end = bytes.len()
        - bytes[start..]
            .iter()
            .rev()
            .take_while(|b| is_blank(**b))
            .count();
    &bytes[start..end]
}

/// Messages start with the program's name, which may start in lower case ("the Docker …").
fn capitalize(message: String) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some('t') if message.starts_with("the ") => format!("T{}", &message[1..]),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run_with;
    use super::*;
    use crate::diag::Server;

    const BC: &str = "$2y$04$y98Fg8hptdSD2esy1Ew/9OwN9fcOn4Zfwt1oKT4oS2WSOWp2wdMju";
    const APR1: &str = "$apr1$Bpw4Mmm2$RQgNQJ0OiDgd/xnzTJfSX1";

    fn run(target: &str, src: &str) -> Vec<Diagnostic> {
        let profile = Profile::from_names(&[target]).unwrap();
        run_with(&RULE, src.as_bytes(), &[], &profile)
    }

    #[test]
    fn apr1_for_the_registry() {
        let d = run("docker-registry", &format!("alice:{APR1}\nbob:{BC}\n"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].servers, [Server::DockerRegistry]);
        assert!(
            d[0].message
                .starts_with("The Docker registry answers 401 for `alice`: "),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_colon_less_line_locks_the_registry() {
        let d = run("docker-registry", &format!("alice:{BC}\nbob\n"));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("refuses the whole file"));
        assert!(d[0].message.contains("400"));
        assert!(run("lighttpd", &format!("alice:{BC}\nbob\n")).is_empty());
    }

    #[test]
    fn whitespace_and_fields_per_reader() {
        let src = format!("  alice:{BC}\nbob:{BC}:note\ncarol: {BC}\n");
        let lt = run("lighttpd", &src);
        assert_eq!(lt.len(), 3, "{lt:?}");
        assert!(lt[0].message.contains("reads the user name as `  alice`"));
        assert!(
            lt[1]
                .message
                .contains("reads `:…` after the hash as part of it"),
            "{}",
            lt[1].message
        );
        assert!(lt[2].message.contains("reads ` ` before the hash"));
        let rg = run("docker-registry", &src);
        assert_eq!(rg.len(), 1, "{rg:?}");
        assert!(rg[0].message.contains("`carol`"));
        assert!(run("verdaccio", &src).is_empty());
    }

    #[test]
    fn commented_out_users_live_on_in_verdaccio() {
        let src = format!("#alice:{BC}\n# a note: nothing\n");
        let d = run("verdaccio", &src);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("`#alice` is a user there"));
        assert!(run("docker-registry", &src).is_empty());
        assert!(run("lighttpd", &src).is_empty());
        assert_eq!(run("lighttpd", &format!("  #alice:{BC}\n")).len(), 1);
    }

    #[test]
    fn which_duplicate_is_dead() {
        let src = format!("alice:{BC}\nalice:{APR1}\n");
        let lt = run("lighttpd", &src);
        assert_eq!(lt.len(), 1);
        assert!(
            lt[0]
                .message
                .contains("uses the first entry of `alice` (line 1)")
        );
        assert_eq!(lt[0].primary.span.start, src.find('\n').unwrap() + 1);
        let vd = run("verdaccio", &src);
        assert!(
            vd[0]
                .message
                .contains("uses the last entry of `alice` (line 2)")
        );
    }

    #[test]
    fn lighttpd_stops_at_nul_and_skips_long_lines() {
        let long = format!("bob:{BC}:{}\n", "x".repeat(1100));
        let d = run("lighttpd", &format!("alice:{BC}\n{long}x\0\ncarol:{BC}\n"));
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d[0].message
                .contains("skips lines longer than 1024 bytes: `bob`")
        );
        assert!(
            d[1].message
                .contains("stops reading at this NUL byte: the 1 entry")
        );
    }

    #[test]
    fn apache_and_nginx_files_are_not_judged() {
        assert!(run("apache", &format!("alice:{APR1}\n")).is_empty());
        let d = run_with(
            &RULE,
            format!("alice:{APR1}\n").as_bytes(),
            &[(Server::Apache, crate::model::PasswdRole::Basic)],
            &Profile::from_names(&["docker-registry"]).unwrap(),
        );
        assert!(d.is_empty(), "a file an Apache config names is Apache's");
    }
}
