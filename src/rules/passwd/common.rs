//! What every password-file rule needs: the files to look at, which servers read
//! them and how (Basic, Digest, group), spans, and safe display of file text.

use crate::diag::{Edit, Fix, Server};
use crate::model::PasswdRole;
use crate::rules::{Context, PasswdInput};
use crate::source::Span;
use crate::syntax::passwd::{FileKind, Line};
use crate::target::Profile;
use crate::target::reader::Reader;
use std::ops::Range;

/// A set of servers, read as a slice in `Server` order. A copy, not a vector: rules ask
/// for these once per file each (20,000 times for 1,000 password files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Servers {
    apache: bool,
    nginx: bool,
}

impl Servers {
    pub fn with(mut self, server: Server) -> Servers {
        match server {
            Server::Apache => self.apache = true,
            Server::Nginx => self.nginx = true,
            // The reader profiles have a rule of their own (PW022, `basic_readers`).
            Server::Lighttpd | Server::DockerRegistry | Server::Verdaccio => {}
        }
        self
    }
}

impl FromIterator<Server> for Servers {
    fn from_iter<I: IntoIterator<Item = Server>>(servers: I) -> Servers {
        servers.into_iter().fold(Servers::default(), Servers::with)
    }
}

impl std::ops::Deref for Servers {
    type Target = [Server];
    fn deref(&self) -> &[Server] {
        match (self.apache, self.nginx) {
            (true, true) => &[Server::Apache, Server::Nginx],
            (true, false) => &[Server::Apache],
            (false, true) => &[Server::Nginx],
            (false, false) => &[],
        }
    }
}

/// One password file under check, with the servers that read it.
pub(crate) struct PwFile<'a> {
    pub input: &'a PasswdInput,
    pub src: &'a [u8],
    /// Servers that read this file (from the configs that name it, or the profile).
    pub servers: Servers,
}

impl<'a> PwFile<'a> {
    /// Every password file of the run.
    pub fn all(ctx: &'a Context<'a>) -> impl Iterator<Item = PwFile<'a>> + 'a {
        ctx.passwd.iter().map(move |input| PwFile {
            input,
            src: &ctx.sources.get(input.file).bytes,
            servers: match input.uses.is_empty() {
                // Checked on its own: every server of the profile reads it.
                true => Servers {
                    apache: ctx.profile.apache,
                    nginx: ctx.profile.nginx,
                },
                false => input.uses.iter().map(|u| u.server).collect(),
            },
        })
    }

    pub fn kind(&self) -> FileKind {
        self.input.parsed.kind()
    }

    pub fn reads(&self, server: Server) -> bool {
        self.servers.contains(&server)
    }

    /// How the file is used: from the configs that name it, else from its content.
    pub fn has_role(&self, role: PasswdRole) -> bool {
        if !self.input.uses.is_empty() {
            return self.input.uses.iter().any(|u| u.role == role);
        }
        match role {
            PasswdRole::Basic => matches!(
                self.kind(),
                FileKind::Basic | FileKind::Empty | FileKind::Mixed
            ),
            PasswdRole::Digest => matches!(self.kind(), FileKind::Digest | FileKind::Mixed),
            PasswdRole::Group => self.kind() == FileKind::Group,
        }
    }

    /// Used as a user file (Basic or Digest), not only as a group file.
    pub fn is_user_file(&self) -> bool {
        self.has_role(PasswdRole::Basic) || self.has_role(PasswdRole::Digest)
    }

    /// Servers that read this file for Basic auth (nginx reads only Basic).
    pub fn basic_servers(&self) -> Servers {
        if !self.input.uses.is_empty() {
            return self
                .input
                .uses
                .iter()
                .filter(|u| u.role == PasswdRole::Basic)
                .map(|u| u.server)
                .collect();
        }
        if self.has_role(PasswdRole::Basic) {
            self.servers
        } else {
            Servers::default()
        }
    }

    /// The reader profiles (lighttpd, the Docker registry, Verdaccio) that read this file
    /// for Basic auth: those of `profile`, for a file checked on its own (htguard reads
    /// none of their configs).
    pub fn basic_readers(&self, profile: &Profile) -> Vec<&'static Reader> {
        if !self.input.uses.is_empty() || !self.has_role(PasswdRole::Basic) {
            return Vec::new();
        }
        profile.readers().collect()
    }

    /// Servers that read this file as a user file (Basic or Digest).
    pub fn user_file_servers(&self) -> Servers {
        let basic = self.basic_servers();
        if self.has_role(PasswdRole::Digest) && self.reads(Server::Apache) {
            basic.with(Server::Apache)
        } else {
            basic
        }
    }

    pub fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.input.file, r.start, r.end)
    }

    /// The line without its ending.
    pub fn line_span(&self, line: &Line) -> Span {
        self.span(line.content())
    }

    /// Whether any line has one of `facts` (a cheap pre-check before a full server view).
    pub fn any_line_has(&self, facts: crate::syntax::passwd::Facts) -> bool {
        self.lines().iter().any(|l| l.facts().intersects(facts))
    }

    pub fn lines(&self) -> &'a [Line] {
        self.input.parsed.lines()
    }

    pub fn bytes(&self, r: Range<usize>) -> &'a [u8] {
        self.src.get(r).unwrap_or_default()
    }

    /// The user name of an entry line for messages (BOM and surrounding blanks dropped).
    pub fn user_of(&self, line: &Line) -> String {
        line.user()
            .map(|r| {
                let u = self.bytes(r);
                let start = u.iter().take_while(|b| b.is_ascii_whitespace()).count();
                show(u[start..].trim_ascii_end())
            })
            .unwrap_or_default()
    }

    /// A fix made of byte replacements in this file.
    pub fn fix(&self, description: impl Into<String>, edits: Vec<(Range<usize>, &[u8])>) -> Fix {
        Fix {
            description: description.into(),
            edits: edits
                .into_iter()
                .map(|(r, b)| Edit {
                    span: self.span(r),
                    replacement: b.to_vec(),
                })
                .collect(),
        }
    }
}

/// Lines per parallel task of [`each_line`].
pub(crate) const LINES_PER_TASK: usize = 16 * 1024;

/// Run `per_line` on every line, pushing its findings to `out` in line order, exactly
/// as one loop would; `per_line` gets each line's index too. A file with many lines is
/// split into chunks checked in parallel: the per-line hash rules are most of the time
/// `check` spends on a big file.
pub(crate) fn each_line<'a, T, F>(lines: &'a [Line], out: &mut Vec<T>, per_line: F)
where
    T: Send,
    F: Fn(usize, &'a Line, &mut Vec<T>) + Sync,
{
    use rayon::prelude::*;
    if lines.len() <= LINES_PER_TASK {
        for (i, line) in lines.iter().enumerate() {
            per_line(i, line, out);
        }
        return;
    }
    let found: Vec<Vec<T>> = lines
        .par_chunks(LINES_PER_TASK)
        .enumerate()
        .map(|(k, chunk)| {
            let mut v = Vec::new();
            for (i, line) in chunk.iter().enumerate() {
                per_line(k * LINES_PER_TASK + i, line, &mut v);
            }
            v
        })
        .collect();
    out.reserve(found.iter().map(Vec::len).sum());
    for v in found {
        out.extend(v);
    }
}

/// A label for a hash field: what output may show of it ([`crate::hash::redact_hash`]),
/// or the name of its kind when that is nothing (`plaintext`, not ``plaintext `…` ``).
pub(crate) fn hash_label(field: &[u8]) -> String {
    let shown = crate::hash::redact_hash(field);
    if shown.trim_end_matches('…').is_empty() {
        crate::hash::kind_of(field).label()
    } else {
        format!("`{shown}`")
    }
}

/// Text from a file for a message: lossy UTF-8, invisible bytes escaped, at most 40 chars.
pub(crate) fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        match c {
            '\u{feff}' => out.push_str("\\u{feff}"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// "Apache and nginx", "nginx", ... for messages.
pub(crate) fn server_names(servers: &[Server]) -> String {
    match servers {
        [Server::Apache, Server::Nginx] | [Server::Nginx, Server::Apache] => {
            "Apache and nginx".into()
        }
        [one] => display(*one).into(),
        _ => "the server".into(),
    }
}

pub(crate) fn display(server: Server) -> &'static str {
    crate::target::display_name(server)
}

/// The hash of a Basic entry as written: from after the first colon(s) to the next colon.
pub(crate) fn basic_hash_range(line: &Line, src: &[u8]) -> Option<Range<usize>> {
    let c1 = line.colon1()?;
    let end = line.content().end;
    let mut from = c1 + 1;
    while from < end && src.get(from) == Some(&b':') {
        from += 1;
    }
    let to = src
        .get(from..end)
        .and_then(|t| memchr::memchr(b':', t))
        .map_or(end, |i| from + i);
    Some(from..to)
}

/// The hash of a Basic entry without the blanks the whitespace rules report:
/// what the hash rules judge, so one problem gives one finding.
pub(crate) fn clean_basic_hash<'s>(line: &Line, src: &'s [u8]) -> Option<(Range<usize>, &'s [u8])> {
    // A line Apache cannot even read is PW016's finding.
    if crate::model::passwd::apache_line_too_long(line) {
        return None;
    }
    meant_basic_hash(line, src)
}

/// The hash a Basic entry means, whatever its length: [`clean_basic_hash`] without the
/// over-long-line guard (the reader profiles have limits of their own).
pub(crate) fn meant_basic_hash<'s>(line: &Line, src: &'s [u8]) -> Option<(Range<usize>, &'s [u8])> {
    use crate::syntax::passwd::Facts;
    // The common `user:hash` line: the hash runs from the colon to the end of the
    // content, and the facts already say it has no blanks, comment or `\` to cut.
    if line.colon2().is_none()
        && !line.facts().intersects(
            Facts::WS_AFTER_COLON
                | Facts::TRAILING_WS
                | Facts::WS_IN_FIELD2
                | Facts::TRAILING_BACKSLASH,
        )
    {
        let r = line.colon1()? + 1..line.content().end;
        return Some((r.clone(), src.get(r)?));
    }
    let mut r = basic_hash_range(line, src)?;
    // ` # note` after the hash is PW018's finding.
    if line.has(Facts::WS_IN_FIELD2)
        && let Some(p) = src.get(r.clone()).and_then(|h| {
            h.windows(2)
                .position(|w| matches!(w[0], b' ' | b'\t') && w[1] == b'#')
        })
    {
        r.end = r.start + p;
    }
    // A `\` at the end of the line is PW017's finding, not part of a malformed hash.
    if line.has(Facts::TRAILING_BACKSLASH) && r.end == line.content().end && r.end > r.start {
        r.end -= 1;
    }
    let h = src.get(r.clone())?;
    let lead = h
        .iter()
        .take_while(|b| crate::syntax::passwd::is_blank(**b))
        .count();
    let trail = h[lead..]
        .iter()
        .rev()
        .take_while(|b| crate::syntax::passwd::is_blank(**b))
        .count();
    let r = r.start + lead..r.end - trail;
    Some((r.clone(), &src[r]))
}

/// `$2a$`, `$2b$`, `$2x$` or `$2y$` and the cost digits after it: the servers' own
/// case-sensitive dispatch. A fast path only, so a 1M-line bcrypt file does not pay
/// `hash::identify` once per rule; the hash module stays the authority on everything else.
pub(crate) fn bcrypt_head(h: &[u8]) -> Option<(crate::hash::BcryptVariant, Option<u32>)> {
    use crate::hash::BcryptVariant;
    if h.len() < 4 || &h[..2] != b"$2" || h[3] != b'$' {
        return None;
    }
    let variant = match h[2] {
        b'a' => BcryptVariant::A,
        b'b' => BcryptVariant::B,
        b'x' => BcryptVariant::X,
        b'y' => BcryptVariant::Y,
        _ => return None,
    };
    let cost = match h.get(4..7) {
        Some([a, b, b'$']) if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    };
    Some((variant, cost))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Drive one rule through a real [`Context`].
    use crate::diag::{Diagnostic, Server};
    use crate::model::{PasswdRole, PasswdUse};
    use crate::rules::{Context, PasswdInput, Rule};
    use crate::source::{Sources, Span};
    use crate::syntax::passwd::{KindHint, parse_with};
    use crate::target::Profile;

    /// A file checked on its own under the default profile (Apache and nginx).
    pub fn run(rule: &Rule, bytes: &[u8]) -> Vec<Diagnostic> {
        run_with(rule, bytes, &[], &Profile::default())
    }

    /// A file used by the given servers in the given roles.
    pub fn run_with(
        rule: &Rule,
        bytes: &[u8],
        uses: &[(Server, PasswdRole)],
        profile: &Profile,
    ) -> Vec<Diagnostic> {
        let mut sources = Sources::new();
        let file = sources.add("users", bytes.to_vec());
        let hint = match uses.first().map(|u| u.1) {
            Some(PasswdRole::Basic) => KindHint::Basic,
            Some(PasswdRole::Digest) => KindHint::Digest,
            Some(PasswdRole::Group) => KindHint::Group,
            None => KindHint::Auto,
        };
        let input = PasswdInput::new(
            file,
            parse_with(bytes, hint),
            uses.iter()
                .map(|(server, role)| PasswdUse {
                    server: *server,
                    role: *role,
                    server_path: "/etc/users".into(),
                    local_path: "users".into(),
                    directive: Span::default(),
                    realm: Some("R".into()),
                    user_file: None,
                })
                .collect(),
        );
        let inputs = [input];
        run_ctx(rule, &sources, &inputs, profile)
    }

    pub fn run_ctx(
        rule: &Rule,
        sources: &Sources,
        inputs: &[PasswdInput],
        profile: &Profile,
    ) -> Vec<Diagnostic> {
        let ctx = Context {
            sources,
            profile,
            passwd: inputs,
            unreadable: &[],
            apache: &[],
            nginx: &[],
        };
        let mut out = Vec::new();
        (rule.check)(&ctx, &mut out);
        out
    }

    /// Apply a diagnostic's fix to `bytes`.
    pub fn apply_fix(bytes: &[u8], d: &Diagnostic) -> Vec<u8> {
        let fix = d.fix.as_ref().expect("a fix");
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut out = bytes.to_vec();
        for e in edits {
            out.splice(e.span.start..e.span.end, e.replacement);
        }
        out
    }
}

#[cfg(test)]
mod servers_tests {
    use super::*;

    #[test]
    fn servers_read_as_a_sorted_set() {
        let s: Servers = [Server::Nginx, Server::Apache, Server::Nginx]
            .into_iter()
            .collect();
        assert_eq!(&s[..], [Server::Apache, Server::Nginx]);
        assert_eq!(&Servers::default().with(Server::Nginx)[..], [Server::Nginx]);
        assert!(Servers::default().is_empty());
        assert_eq!(
            Servers::default().with(Server::Apache),
            [Server::Apache].into_iter().collect()
        );
    }
}
