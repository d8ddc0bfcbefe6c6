//! Every URL space of every server and who may reach it (`htguard map` for Apache): the
//! URLs the configuration names (DocumentRoot, aliases, `<Location>`, and the
//! `<Directory>`, `.htaccess` and `<Files>` sections with access rules, as URLs of the
//! server), each asked of the evaluator (access only) from a remote and a local client
//! and with each common method.

use super::{Evaluation, Login, Options, evaluate_with, vhost};
use crate::model::apache::ApacheModel;
use crate::model::apache::config::{Scope, ScopeKind};
use crate::model::request::{FileState, Files, Request, Verdict};
use crate::source::Span;
use std::net::IpAddr;
use std::path::Path;

/// A URL space: a URL, the section that names it, and a request path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlSpace {
    /// As shown (`/admin/`, `~ ^/api`, `/…/.htpasswd`).
    pub url: String,
    /// The path asked about.
    pub sample: String,
    /// The section, alias or DocumentRoot that names it.
    pub defined_at: Option<Span>,
}

/// What one kind of request gets, access-wise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    Open,
    Login(Login),
    Denied,
    Error,
    /// A `Redirect` (or `Redirect gone`…) answers before access.
    Redirect(u16),
    /// Refused before access (a malformed URL: 400/404).
    Refused(u16),
    Depends(String),
    /// httpd does not start, or nothing listens: no row can be answered.
    NoAnswer,
}

impl Access {
    fn of(e: &Evaluation) -> Access {
        match &e.answer.verdict {
            Verdict::Status(200) => Access::Open,
            Verdict::Status(401) => match &e.login {
                Some(l) => Access::Login(l.clone()),
                None => Access::Denied,
            },
            Verdict::Status(403) => Access::Denied,
            Verdict::Status(500) => Access::Error,
            Verdict::Status(s) if (300..400).contains(s) || *s == 410 => Access::Redirect(*s),
            Verdict::Status(s) => Access::Refused(*s),
            Verdict::Depends { on, .. } => Access::Depends(on.clone()),
            Verdict::DoesNotStart | Verdict::NoListener => Access::NoAnswer,
        }
    }

    /// A short description (`open`, `login via /etc/apache2/.htpasswd (realm "Admin")`;
    /// without `detail`, a login is just `login`).
    pub fn describe(&self, detail: bool) -> String {
        match self {
            Access::Open => "open".into(),
            Access::Login(_) if !detail => "login".into(),
            Access::Login(l) => {
                let via = match (&l.user_file, l.providers.as_slice()) {
                    (Some(f), _) => format!(" via {}", f.display()),
                    (None, [p, ..]) => format!(" via the {p} provider"),
                    _ => String::new(),
                };
                let realm = l
                    .realm
                    .as_ref()
                    .map(|r| format!(" (realm \"{r}\")"))
                    .unwrap_or_default();
                format!("login{via}{realm}")
            }
            Access::Denied => "denied".into(),
            Access::Error => "500".into(),
            Access::Redirect(s) => format!("redirect {s}"),
            Access::Refused(s) => format!("refused {s}"),
            Access::Depends(on) => format!("depends on {on}"),
            Access::NoAnswer => "no answer".into(),
        }
    }
}

/// The methods and clients each URL space is asked about.
const REMOTE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 10));
const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];

/// One URL space's access: GET from a local and a remote client, and each method from a
/// remote one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub local: Access,
    /// (method, access) from a remote client; GET first.
    pub remote: Vec<(&'static str, Access)>,
}

impl Summary {
    /// The access a remote GET gets.
    pub fn remote_get(&self) -> &Access {
        &self.remote[0].1
    }

    /// `open`, `login via FILE`, or what differs by client and method (`detail`: with
    /// each login's file and realm).
    pub fn describe(&self, detail: bool) -> String {
        let get = self.remote_get();
        let by_method: Vec<&(&str, Access)> =
            self.remote.iter().filter(|(_, a)| a != get).collect();
        let mut text = if by_method.is_empty() {
            get.describe(detail)
        } else {
            let mut parts = vec![format!("GET: {}", get.describe(detail))];
            let rest: Vec<(&str, &Access)> = by_method.iter().map(|(m, a)| (*m, a)).collect();
            // Group methods with the same access.
            let mut done: Vec<usize> = Vec::new();
            for i in 0..rest.len() {
                if done.contains(&i) {
                    continue;
                }
                let same: Vec<usize> = (i..rest.len())
                    .filter(|&j| rest[j].1 == rest[i].1)
                    .collect();
                let names: Vec<&str> = same.iter().map(|&j| rest[j].0).collect();
                parts.push(format!(
                    "{}: {}",
                    names.join(" "),
                    rest[i].1.describe(detail)
                ));
                done.extend(same);
            }
            parts.join("; ")
        };
        if &self.local != get {
            text = format!(
                "local clients: {}; others: {text}",
                self.local.describe(detail)
            );
        }
        text
    }
}

/// A row: a URL space and its access.
#[derive(Clone, Debug)]
pub struct Row {
    pub space: UrlSpace,
    pub summary: Summary,
}

/// One server's rows.
#[derive(Clone, Debug)]
pub struct ServerRows {
    pub server: usize,
    pub rows: Vec<Row>,
}

/// Every server's URL spaces with their access. `uri`: only that URI, on every server.
/// The caller has made sure httpd starts with the configuration
/// ([`super::checks::start_failure`]); rows of one that does not are meaningless.
pub fn map(m: &ApacheModel, files: &dyn Files, uri: Option<&str>) -> Vec<ServerRows> {
    use rayon::prelude::*;
    let files = &CachedFiles::new(files);
    let guards = Guards::new(m);
    (0..m.servers.len())
        .into_par_iter()
        .filter(|&s| s != 0 || serves_main(m))
        .map(|server| {
            let spaces = match uri {
                Some(u) => vec![UrlSpace {
                    url: u.to_string(),
                    sample: u.to_string(),
                    defined_at: None,
                }],
                None => url_spaces_with(m, server, &guards),
            };
            let rows = spaces
                .into_iter()
                .map(|space| Row {
                    summary: summarize(m, files, server, &space.sample),
                    space,
                })
                .collect();
            ServerRows { server, rows }
        })
        .collect()
}

/// Whether the main server answers any connection (some Listen no vhost covers).
fn serves_main(m: &ApacheModel) -> bool {
    m.servers.len() == 1
        || vhost::listeners(m).iter().any(|l| {
            let req = vhost::request_to(m, 0, "/", "GET", LOCAL, None);
            let local = l.addr.unwrap_or(IpAddr::from([127, 0, 0, 1]));
            let r = Request {
                port: l.port,
                local_addr: local,
                ..req
            };
            vhost::select(m, &r, &NoFiles).server == 0
        })
}

/// Ask one URL of one server: a remote GET, then a local GET and the other methods only
/// when the answer read the client's address or the method.
pub fn summarize(m: &ApacheModel, files: &dyn Files, server: usize, path: &str) -> Summary {
    let ask = |method: &str, from: IpAddr| {
        let req = vhost::request_to(m, server, path, method, from, None);
        let opts = Options {
            server: Some(server),
            access_only: true,
            starts: true,
        };
        evaluate_with(m, &req, files, opts)
    };
    let get = ask("GET", REMOTE);
    let first = Access::of(&get);
    let local = if get.reads.client {
        Access::of(&ask("GET", LOCAL))
    } else {
        first.clone()
    };
    let mut remote = vec![("GET", first.clone())];
    for &meth in &METHODS[1..] {
        let access = if get.reads.method {
            Access::of(&ask(meth, REMOTE))
        } else {
            first.clone()
        };
        remote.push((meth, access));
    }
    Summary { local, remote }
}

/// [`Files`] that asks the file system once per path (map asks the same directories for
/// every URL of a server and every method).
pub struct CachedFiles<'a> {
    inner: &'a dyn Files,
    states: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, FileState>>,
}

impl<'a> CachedFiles<'a> {
    pub fn new(inner: &'a dyn Files) -> Self {
        CachedFiles {
            inner,
            states: Default::default(),
        }
    }
}

impl Files for CachedFiles<'_> {
    fn state(&self, p: &Path) -> FileState {
        if let Some(s) = self.states.lock().ok().and_then(|m| m.get(p).cloned()) {
            return s;
        }
        let s = self.inner.state(p);
        if let Ok(mut m) = self.states.lock() {
            m.insert(p.to_path_buf(), s.clone());
        }
        s
    }
    fn read(&self, p: &Path) -> std::io::Result<Vec<u8>> {
        self.inner.read(p)
    }
    fn list(&self, p: &Path) -> Vec<String> {
        self.inner.list(p)
    }
    fn cannot_read(&self, p: &Path) -> Option<String> {
        self.inner.cannot_read(p)
    }
}

/// No file system (the vhost choice needs none).
struct NoFiles;

impl Files for NoFiles {
    fn state(&self, _: &Path) -> crate::model::request::FileState {
        crate::model::request::FileState::Missing
    }
    fn read(&self, _: &Path) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn list(&self, _: &Path) -> Vec<String> {
        Vec::new()
    }
}

/// The sections worth a row (those with access rules), found once for every server.
pub struct Guards {
    /// Sections that are not about a directory (`<Location>`, top-level `<Files>`…).
    other: Vec<usize>,
    /// Directory sections, `.htaccess` files and the `<Files>` nested in them, by the
    /// directory they stand for (with a trailing slash).
    dirs: std::collections::BTreeMap<String, Vec<usize>>,
}

impl Guards {
    pub fn new(m: &ApacheModel) -> Guards {
        let mut g = Guards {
            other: Vec::new(),
            dirs: Default::default(),
        };
        for (i, s) in m.scopes.iter().enumerate() {
            if !(s.has_auth() || has_host_rules(s)) {
                continue;
            }
            match dir_of(m, i) {
                Some(dir) => g.dirs.entry(dir).or_default().push(i),
                None => g.other.push(i),
            }
        }
        g
    }

    /// The sections under `root` (a directory, trailing slash or not).
    fn under<'a>(&'a self, root: &str) -> impl Iterator<Item = usize> + 'a {
        let start = format!("{}/", root.trim_end_matches('/'));
        let end = start.clone();
        self.dirs
            .range(start..)
            .take_while(move |(k, _)| k.starts_with(&end))
            .flat_map(|(_, v)| v.iter().copied())
    }
}

/// The directory (with a trailing slash) a directory-like section stands for.
fn dir_of(m: &ApacheModel, i: usize) -> Option<String> {
    let s = &m.scopes[i];
    let path = match s.kind {
        ScopeKind::Directory | ScopeKind::Htaccess => glob_sample(&s.pattern),
        ScopeKind::DirectoryMatch => regex_sample(&s.pattern)?,
        ScopeKind::Files | ScopeKind::FilesMatch => return dir_of(m, s.parent?),
        _ => return None,
    };
    Some(format!("{}/", path.trim_end_matches('/')))
}

/// The URL spaces of `server`, `/` first, without duplicates.
pub fn url_spaces(m: &ApacheModel, server: usize) -> Vec<UrlSpace> {
    url_spaces_with(m, server, &Guards::new(m))
}

/// [`url_spaces`] with the sections already found.
pub fn url_spaces_with(m: &ApacheModel, server: usize, guards: &Guards) -> Vec<UrlSpace> {
    let mut out = vec![UrlSpace {
        url: "/".into(),
        sample: "/".into(),
        defined_at: m.servers[server]
            .document_root
            .as_ref()
            .or(m.servers[0].document_root.as_ref())
            .and_then(|(_, s)| *s),
    }];
    let roots = url_roots(m, server);
    for (url, _, span) in &roots[1..] {
        out.push(UrlSpace {
            url: url.clone(),
            sample: url.clone(),
            defined_at: *span,
        });
    }
    let mut ids: Vec<usize> = guards.other.clone();
    for (_, dir, _) in &roots {
        ids.extend(guards.under(dir));
    }
    ids.sort_unstable();
    ids.dedup();
    for i in ids {
        let s = &m.scopes[i];
        let mine = s.server == 0 || s.server == server || s.kind == ScopeKind::Htaccess;
        if !mine {
            continue;
        }
        if let Some((url, sample)) = scope_url(m, i, &roots) {
            out.push(UrlSpace {
                url,
                sample,
                defined_at: Some(s.head),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.url.trim_end_matches('/').to_string()));
    out
}

fn has_host_rules(s: &Scope) -> bool {
    s.directives
        .iter()
        .any(|d| ["Order", "Allow", "Deny"].iter().any(|n| d.dir.is(n)))
}

/// The server's URL roots: (URL prefix, directory, the line): `/` at the DocumentRoot,
/// then each Alias/ScriptAlias (the virtual host's first).
fn url_roots(m: &ApacheModel, server: usize) -> Vec<(String, String, Option<Span>)> {
    let mut roots = vec![(
        "/".to_string(),
        m.document_root(server)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/var/www/html".into()),
        None,
    )];
    let own = (server != 0).then(|| m.servers[server].defaults);
    for scope in own
        .into_iter()
        .chain(std::iter::once(m.servers[0].defaults))
    {
        for d in &m.scopes[scope].directives {
            let alias = d.dir.is("Alias") || d.dir.is("ScriptAlias");
            if alias
                && !d.conditional
                && let (Some(fake), Some(real)) = (d.dir.arg(0), d.dir.arg(1))
            {
                let real = m.resolve(real).to_string_lossy().into_owned();
                roots.push((fake.to_string(), real, Some(d.dir.span)));
            }
        }
    }
    roots
}

/// The URL (as shown) and a request path for a section of the server.
fn scope_url(
    m: &ApacheModel,
    i: usize,
    roots: &[(String, String, Option<Span>)],
) -> Option<(String, String)> {
    let s = &m.scopes[i];
    let to_url = |dir: &str| -> Option<String> {
        let dir = dir.trim_end_matches('/');
        // The longest root holding the directory (an alias inside the DocumentRoot wins).
        roots
            .iter()
            .filter_map(|(url, root, _)| {
                let root = root.trim_end_matches('/');
                let rest = dir.strip_prefix(root)?;
                (rest.is_empty() || rest.starts_with('/')).then_some((root.len(), url, rest))
            })
            .max_by_key(|(len, ..)| *len)
            .map(|(_, url, rest)| {
                let base = url.trim_end_matches('/');
                format!("{base}{rest}/")
            })
    };
    match s.kind {
        ScopeKind::Server => None,
        ScopeKind::Location => {
            let sample = glob_sample(&s.pattern);
            Some((s.pattern.clone(), sample))
        }
        ScopeKind::LocationMatch => {
            let sample = regex_sample(&s.pattern)?;
            Some((format!("~ {}", s.pattern), sample))
        }
        ScopeKind::Directory | ScopeKind::Htaccess => {
            let url = to_url(&glob_sample(&s.pattern))?;
            Some((url.clone(), url))
        }
        ScopeKind::DirectoryMatch => {
            let url = to_url(&regex_sample(&s.pattern)?)?;
            Some((format!("~ {} ({url})", s.pattern), url))
        }
        ScopeKind::Files | ScopeKind::FilesMatch => {
            let base = match s.parent {
                Some(p) => scope_url(m, p, roots)?.1,
                None => "/".into(),
            };
            let name = if s.kind == ScopeKind::Files {
                glob_sample(&s.pattern)
            } else {
                regex_sample(&s.pattern)?
            };
            let sample = format!(
                "{}/{}",
                base.trim_end_matches('/'),
                name.trim_start_matches('^')
            );
            let shown = match (s.parent.is_some(), s.kind) {
                (true, _) => sample.clone(),
                (false, ScopeKind::FilesMatch) => format!("*/~ {}", s.pattern),
                (false, _) => format!("*/{}", s.pattern),
            };
            Some((shown, sample))
        }
    }
}

/// A text a glob pattern matches (each wildcard replaced by a plain character).
pub fn glob_sample(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => out.push('x'),
            '[' => {
                let class: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(
                    class
                        .chars()
                        .find(|c| *c != '!' && *c != '^')
                        .unwrap_or('x'),
                );
            }
            c => out.push(c),
        }
    }
    out
}

/// A text the regex matches, if one is easy to build (the first branch of each choice,
/// the fewest repetitions, the first character of each class).
pub fn regex_sample(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn go(h: &Hir, out: &mut String) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(l) => out.push_str(&String::from_utf8_lossy(&l.0)),
            HirKind::Class(Class::Unicode(c)) => {
                let first = c.ranges().first().map(|r| r.start());
                let pick = c
                    .ranges()
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .find(|ch| ch.is_ascii_alphanumeric())
                    .or(first);
                out.extend(pick);
            }
            HirKind::Class(Class::Bytes(c)) => {
                out.extend(c.ranges().first().map(|r| r.start() as char));
            }
            HirKind::Repetition(r) => {
                for _ in 0..r.min {
                    go(&r.sub, out);
                }
            }
            HirKind::Capture(c) => go(&c.sub, out),
            HirKind::Concat(v) => v.iter().for_each(|h| go(h, out)),
            HirKind::Alternation(v) => {
                if let Some(h) = v.first() {
                    go(h, out);
                }
            }
        }
    }
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    go(&hir, &mut out);
    let re = regex::Regex::new(pattern).ok()?;
    re.is_match(&out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_their_patterns() {
        assert_eq!(regex_sample("^/api/v[0-9]+/"), Some("/api/v0/".into()));
        assert_eq!(regex_sample("\\.php$"), Some(".php".into()));
        assert_eq!(regex_sample("^/(admin|root)"), Some("/admin".into()));
        assert_eq!(glob_sample("/var/www/*/private"), "/var/www/x/private");
        assert_eq!(glob_sample(".ht*"), ".htx");
    }
}
