//! Conformance matrix: the password-file facts of shared/spec/passwd-files.md
//! (and the status-code tables of spec/apache.md "Paths" and spec/nginx.md
//! "Status codes"), checked against the real Apache 2.4 and nginx.
//!
//! One Apache and one nginx serve every row: each row gets its own protected
//! location `/rN/` and its own user file `rows/rN/users`. Every probe names the
//! spec row it proves; all disagreements of one server are reported together.
//! Where the real server contradicts the spec text, the expectation below is
//! what the server does, with a `server differs from spec:` note.

mod common;

use base64::Engine;
use sha1::{Digest, Sha1};

use common::{Apache, Nginx, Server, Site, run_tool};

const PW: &str = "secret";
const WRONG: &str = "wrong-password";
const BASIC_REALM: &str = "facts";
const DIGEST_REALM: &str = "vault";

// ---------------------------------------------------------------- hashes --

/// The hash part of the first `user:hash` line a tool printed.
fn hash_field(line: &str) -> String {
    let first = line.lines().next().unwrap_or_default();
    first
        .split_once(':')
        .map_or(first, |(_, h)| h)
        .trim()
        .to_owned()
}

fn htpasswd(flags: &str, password: &str) -> String {
    hash_field(&run_tool("htpasswd", &[flags, "u", password]))
}

fn openssl_passwd(flag: &str, password: &str) -> String {
    run_tool("openssl", &["passwd", flag, password])
        .trim()
        .to_owned()
}

fn mkpasswd(args: &[&str]) -> String {
    run_tool("mkpasswd", args).trim().to_owned()
}

/// `{SSHA}` = base64(sha1(password + salt) + salt); no Apache tool writes it.
fn ssha(password: &str, salt: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(password.as_bytes());
    hasher.update(salt);
    let mut raw = hasher.finalize().to_vec();
    raw.extend_from_slice(salt);
    format!(
        "{{SSHA}}{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn digest_ha1(user: &str, realm: &str, password: &str) -> String {
    format!("{:x}", md5::compute(format!("{user}:{realm}:{password}")))
}

// ------------------------------------------------------------------ rows --

#[derive(Clone, Copy, PartialEq)]
enum Servers {
    Both,
    ApacheOnly,
    NginxOnly,
}

enum UserFile {
    Bytes(Vec<u8>),
    Missing,
    /// Mode 0600, owned by root: the www-data workers cannot open it.
    Unreadable(Vec<u8>),
    Directory,
}

enum Ask {
    Anonymous,
    Basic(String, String),
    Digest {
        user: String,
        realm: String,
        password: String,
    },
}

struct Probe {
    ask: Ask,
    apache: u16,
    nginx: u16,
}

/// One spec row: a user file, the auth directives that use it, and the
/// statuses each server must answer.
struct Row {
    spec: String,
    servers: Servers,
    file: UserFile,
    /// Lines inside `<Location /rN/>`; `{file}`, `{relfile}`, `{rowdir}` are replaced.
    apache_auth: String,
    /// Lines inside `location /rN/ {}`; same placeholders.
    nginx_auth: String,
    /// More files in the row's directory (group files, ...).
    extra: Vec<(&'static str, Vec<u8>)>,
    probes: Vec<Probe>,
    /// Substrings the server's error log must contain after the probes
    /// (`{file}` replaced); for Apache and nginx separately.
    apache_log: Vec<&'static str>,
    nginx_log: Vec<&'static str>,
}

fn row(spec: &str, file: UserFile) -> Row {
    Row {
        spec: spec.to_owned(),
        servers: Servers::Both,
        file,
        apache_auth: format!(
            "AuthType Basic\nAuthName \"{BASIC_REALM}\"\nAuthUserFile \"{{file}}\"\nRequire valid-user"
        ),
        nginx_auth: format!("auth_basic \"{BASIC_REALM}\";\nauth_basic_user_file {{file}};"),
        extra: Vec::new(),
        probes: Vec::new(),
        apache_log: Vec::new(),
        nginx_log: Vec::new(),
    }
}

fn text(s: impl Into<String>) -> UserFile {
    UserFile::Bytes(s.into().into_bytes())
}

impl Row {
    fn only(mut self, servers: Servers) -> Self {
        self.servers = servers;
        self
    }
    fn apache_auth(mut self, lines: &str) -> Self {
        self.apache_auth = lines.to_owned();
        self
    }
    fn nginx_auth(mut self, lines: &str) -> Self {
        self.nginx_auth = lines.to_owned();
        self
    }
    fn extra(mut self, rel: &'static str, bytes: impl Into<Vec<u8>>) -> Self {
        self.extra.push((rel, bytes.into()));
        self
    }
    fn apache_log(mut self, needle: &'static str) -> Self {
        self.apache_log.push(needle);
        self
    }
    fn nginx_log(mut self, needle: &'static str) -> Self {
        self.nginx_log.push(needle);
        self
    }
    /// Basic login `user`/`password` → `apache`, `nginx`.
    fn login(mut self, user: &str, password: &str, apache: u16, nginx: u16) -> Self {
        let ask = Ask::Basic(user.to_owned(), password.to_owned());
        self.probes.push(Probe { ask, apache, nginx });
        self
    }
    fn anonymous(mut self, apache: u16, nginx: u16) -> Self {
        self.probes.push(Probe {
            ask: Ask::Anonymous,
            apache,
            nginx,
        });
        self
    }
    fn digest(mut self, user: &str, realm: &str, password: &str, apache: u16) -> Self {
        let ask = Ask::Digest {
            user: user.to_owned(),
            realm: realm.to_owned(),
            password: password.to_owned(),
        };
        self.probes.push(Probe {
            ask,
            apache,
            nginx: 0,
        });
        self
    }
    /// The status-table triple: no credentials, `u`/secret, `u`/wrong.
    fn triple(self, apache: [u16; 3], nginx: [u16; 3]) -> Self {
        self.anonymous(apache[0], nginx[0])
            .login("u", PW, apache[1], nginx[1])
            .login("u", WRONG, apache[2], nginx[2])
    }
    /// A file whose `u` must log in with `secret` on both servers.
    fn accepts_secret(self) -> Self {
        self.triple([401, 200, 401], [401, 200, 401])
    }
}

/// All hashes of "secret" the rows use, made by the servers' own tools.
struct Hashes {
    apr1: String,
    apr1_other: String,
    bcrypt: String,
    sha512: String,
    sha512_rounds: String,
    sha256: String,
    md5crypt: String,
    yescrypt: String,
    sha1: String,
}

impl Hashes {
    fn make() -> Hashes {
        Hashes {
            apr1: htpasswd("-nbm", PW),
            apr1_other: htpasswd("-nbm", "other"),
            bcrypt: htpasswd("-nbB", PW),
            sha512: openssl_passwd("-6", PW),
            sha512_rounds: mkpasswd(&["-m", "sha512crypt", "-R", "6000", PW]),
            sha256: openssl_passwd("-5", PW),
            md5crypt: openssl_passwd("-1", PW),
            yescrypt: mkpasswd(&["-m", "yescrypt", PW]),
            sha1: htpasswd("-nbs", PW),
        }
    }
}

const LINES: &str = "passwd-files.md htpasswd lines";
const SCHEMES: &str = "passwd-files.md hash schemes";

fn htpasswd_line_rows(h: &Hashes) -> Vec<Row> {
    let a = &h.apr1;
    let long_line = format!("x:{}", "y".repeat(9000));
    vec![
        row(&format!("{LINES}: `u:HASH` LF"), text(format!("u:{a}\n"))).accepts_secret(),
        row(
            &format!("{LINES}: line longer than 8190 bytes (Apache stops reading there)"),
            text(format!("a:{a}\n{long_line}\nu:{a}\n")),
        )
        .login("a", PW, 200, 200)
        .login("u", PW, 401, 200),
        row(
            &format!("{LINES}: line ending in `\\`"),
            text(format!("v:{a}\\\nu:{a}\nw:{a}\n")),
        )
        .login("v", PW, 401, 401)
        .login("u", PW, 401, 200)
        .login("w", PW, 200, 200),
        row(
            &format!("{LINES}: doubled colon `u::HASH`"),
            text(format!("u::{a}\n")),
        )
        .login("u", PW, 200, 401),
        row(
            &format!("{LINES}: `u:HASH # note`"),
            text(format!("u:{a} # note\n")),
        )
        .login("u", PW, 401, 401),
        row(
            &format!("{LINES}: CRLF line endings"),
            text(format!("u:{a}\r\nw:{a}\r\n")),
        )
        .login("u", PW, 200, 200)
        .login("w", PW, 200, 200),
        row(
            &format!("{LINES}: no final newline"),
            text(format!("w:{a}\nu:{a}")),
        )
        .login("u", PW, 200, 200),
        row(
            &format!("{LINES}: UTF-8 BOM before first user"),
            text(format!("\u{feff}u:{a}\nw:{a}\n")),
        )
        .login("u", PW, 401, 401)
        // The BOM is part of the first user's name on both servers.
        .login("\u{feff}u", PW, 200, 200)
        .login("w", PW, 200, 200),
        row(
            &format!("{LINES}: leading spaces before user"),
            text(format!("  u:{a}\n")),
        )
        .login("u", PW, 200, 401)
        .login("  u", PW, 401, 200),
        row(
            &format!("{LINES}: trailing space after hash"),
            text(format!("u:{a} \n")),
        )
        .login("u", PW, 200, 401),
        row(
            &format!("{LINES}: trailing tab after hash"),
            text(format!("u:{a}\t\n")),
        )
        .login("u", PW, 200, 401),
        row(
            &format!("{LINES}: space after the colon `u: HASH`"),
            text(format!("u: {a}\n")),
        )
        .login("u", PW, 401, 401),
        row(
            &format!("{LINES}: tab after the colon"),
            text(format!("u:\t{a}\n")),
        )
        .login("u", PW, 401, 401),
        row(
            &format!("{LINES}: third field `u:HASH:comment`"),
            text(format!("u:{a}:comment\n")),
        )
        .login("u", PW, 200, 200),
        row(
            &format!("{LINES}: `#` comment lines are skipped"),
            text(format!("#c:{a}\n   #d:{a}\nu:{a}\n")),
        )
        .login("#c", PW, 401, 401)
        // server differs from spec: the spec says nginx also skips an indented
        // `#`; nginx only checks the first byte of a line, so "   #d" is a user
        // who logs in (a commented-out entry with leading spaces stays active).
        .login("   #d", PW, 401, 200)
        .login("u", PW, 200, 200),
        row(
            &format!("{LINES}: blank lines are skipped"),
            text(format!("\n\nu:{a}\n\nw:{a}\n")),
        )
        .login("u", PW, 200, 200)
        .login("w", PW, 200, 200),
        row(
            &format!("{LINES}: duplicate user, first entry wins"),
            text(format!("u:{a}\nu:{}\n", h.apr1_other)),
        )
        .login("u", PW, 200, 200)
        .login("u", "other", 401, 401),
        row(&format!("{LINES}: empty hash `u:`"), text("u:\nw:\n"))
            .login("u", "", 401, 401)
            .login("u", PW, 401, 401)
            .login("w", "", 401, 401),
        row(
            &format!("{LINES}: user names are case-sensitive"),
            text(format!("u:{a}\n")),
        )
        .login("U", PW, 401, 401)
        .login("u", PW, 200, 200),
    ]
}

fn hash_scheme_rows(h: &Hashes) -> Vec<Row> {
    let scheme =
        |name: &str, hash: &str| row(&format!("{SCHEMES}: {name}"), text(format!("u:{hash}\n")));
    let long_pw = "p".repeat(72);
    let bcrypt_long = htpasswd("-nbB", &format!("{long_pw}first-tail"));
    let des = mkpasswd(&["-m", "descrypt", "secret12345"]);
    let cut_bcrypt: String = h.bcrypt.chars().take(40).collect();
    vec![
        scheme("bcrypt `$2y$` (htpasswd -B)", &h.bcrypt).accepts_secret(),
        scheme("bcrypt `$2a$`", &h.bcrypt.replacen("$2y$", "$2a$", 1)).accepts_secret(),
        scheme("bcrypt `$2b$`", &h.bcrypt.replacen("$2y$", "$2b$", 1)).accepts_secret(),
        scheme("apr1 `$apr1$`", &h.apr1).accepts_secret(),
        scheme("SHA-512 crypt `$6$`", &h.sha512).accepts_secret(),
        scheme("SHA-512 crypt `$6$rounds=6000$`", &h.sha512_rounds).accepts_secret(),
        scheme("SHA-256 crypt `$5$`", &h.sha256).accepts_secret(),
        scheme("MD5-crypt `$1$`", &h.md5crypt).accepts_secret(),
        scheme("yescrypt `$y$`", &h.yescrypt).accepts_secret(),
        scheme("DES crypt: only the first 8 characters count", &des)
            .login("u", "secret12345", 200, 200)
            .login("u", "secret12", 200, 200)
            .login("u", "secret12-anything", 200, 200)
            .login("u", "secret1", 401, 401),
        scheme("`{SHA}`", &h.sha1).accepts_secret(),
        scheme("`{SSHA}` (Apache: not supported)", &ssha(PW, b"salt4321"))
            .triple([401, 401, 401], [401, 200, 401]),
        scheme(
            "`{PLAIN}` (Apache: not supported)",
            &format!("{{PLAIN}}{PW}"),
        )
        .triple([401, 401, 401], [401, 200, 401]),
        scheme("bare plaintext", PW).triple([401, 401, 401], [401, 401, 401]),
        scheme("crypt failure token `*0`", "*0")
            .login("u", PW, 401, 401)
            .login("u", "*0", 401, 401),
        scheme(
            "bcrypt, password over 72 bytes: only 72 count",
            &hash_field(&bcrypt_long),
        )
        .login("u", &format!("{long_pw}first-tail"), 200, 200)
        .login("u", &format!("{long_pw}other-tail"), 200, 200)
        .login("u", &long_pw[..71], 401, 401),
        scheme("malformed: bcrypt cut to 40 characters", &cut_bcrypt).login("u", PW, 401, 401),
        scheme(
            "malformed: `{SHA}` value that is not base64",
            "{SHA}not*base64!",
        )
        .login("u", PW, 401, 401),
        scheme("malformed: unknown `$9$` scheme", "$9$abcdefgh$ijklmnop").login("u", PW, 401, 401),
    ]
}

/// spec/apache.md "Paths" + "Status codes in short", spec/nginx.md "Status codes".
fn status_rows(h: &Hashes) -> Vec<Row> {
    let users = format!("u:{}\n", h.apr1);
    let apache_paths = "apache.md Paths";
    let nginx_status = "nginx.md Status codes";
    vec![
        row(
            &format!("{apache_paths} / {nginx_status}: user file missing"),
            UserFile::Missing,
        )
        .triple([401, 500, 500], [401, 403, 403])
        .apache_log("AH01620: Could not open password file: {file}")
        .nginx_log("open() \"{file}\" failed (2: No such file or directory)"),
        row(
            &format!("{apache_paths} / {nginx_status}: user file unreadable by the worker user"),
            UserFile::Unreadable(users.clone().into_bytes()),
        )
        .triple([401, 500, 500], [401, 500, 500])
        .apache_log("AH01620: Could not open password file: {file}")
        .nginx_log("open() \"{file}\" failed (13: Permission denied)"),
        row(
            &format!("{apache_paths} / {nginx_status}: user file is a directory"),
            UserFile::Directory,
        )
        .triple([401, 500, 500], [401, 500, 500])
        .apache_log("AH00554: Access to file {file} denied by server: not a regular file")
        .nginx_log("pread() \"{file}\" failed (21: Is a directory)"),
        row(
            &format!("{nginx_status}: user file empty (0 bytes); Apache: same 401s"),
            text(""),
        )
        .triple([401, 401, 401], [401, 401, 401]),
        row(
            &format!("{nginx_status}: user file path with a variable naming no file"),
            UserFile::Missing,
        )
        .only(Servers::NginxOnly)
        .nginx_auth(&format!(
            "auth_basic \"{BASIC_REALM}\";\nauth_basic_user_file {{rowdir}}/$host.users;"
        ))
        .triple([0; 3], [401, 403, 403]),
        row(
            &format!(
                "{apache_paths}: relative AuthUserFile resolves against ServerRoot; \
                 nginx.md: relative auth_basic_user_file resolves against the conf prefix"
            ),
            text(users.clone()),
        )
        .apache_auth(&format!(
            "AuthType Basic\nAuthName \"{BASIC_REALM}\"\nAuthUserFile {{relfile}}\nRequire valid-user"
        ))
        .nginx_auth(&format!(
            "auth_basic \"{BASIC_REALM}\";\nauth_basic_user_file {{relfile}};"
        ))
        .accepts_secret(),
        row(&format!("{nginx_status}: user not in file"), text(users))
            .login("nobody", PW, 401, 401),
    ]
}

const DIGEST: &str = "passwd-files.md htdigest lines";
const GROUPS: &str = "passwd-files.md group files";

fn apache_only_rows(h: &Hashes) -> Vec<Row> {
    let digest_auth = format!(
        "AuthType Digest\nAuthName \"{DIGEST_REALM}\"\nAuthUserFile \"{{file}}\"\nRequire valid-user"
    );
    let good = digest_ha1("u", DIGEST_REALM, PW);
    let digest_row = |name: &str, file: String| {
        row(&format!("{DIGEST}: {name}"), text(file))
            .only(Servers::ApacheOnly)
            .apache_auth(&digest_auth)
    };
    let group_auth = format!(
        "AuthType Basic\nAuthName \"{BASIC_REALM}\"\nAuthUserFile \"{{file}}\"\n\
         AuthGroupFile \"{{rowdir}}/groups\"\nRequire group admins"
    );
    let group_users = format!("u:{a}\nw:{a}\nx:{a}\ny:{a}\n", a = h.apr1);
    vec![
        digest_row(
            "`user:realm:md5hex` healthy",
            format!("u:{DIGEST_REALM}:{good}\n"),
        )
        .anonymous(401, 0)
        .digest("u", DIGEST_REALM, PW, 200)
        .digest("u", DIGEST_REALM, WRONG, 401),
        digest_row(
            "uppercase hex digest",
            format!("u:{DIGEST_REALM}:{}\n", good.to_uppercase()),
        )
        .digest("u", DIGEST_REALM, PW, 401),
        digest_row(
            "digest one digit short",
            format!("u:{DIGEST_REALM}:{}\n", &good[..31]),
        )
        .digest("u", DIGEST_REALM, PW, 401),
        digest_row(
            "realm in the file differs from AuthName",
            format!("u:elsewhere:{}\n", digest_ha1("u", "elsewhere", PW)),
        )
        .digest("u", DIGEST_REALM, PW, 401)
        .digest("u", "elsewhere", PW, 401)
        .apache_log("AH01790"),
        row(
            &format!("{DIGEST}: digest file used with AuthType Basic"),
            text(format!("u:{DIGEST_REALM}:{good}\n")),
        )
        .only(Servers::ApacheOnly)
        .triple([401, 401, 401], [0; 3]),
        digest_row(
            "basic (htpasswd) file used with AuthType Digest",
            format!("u:{}\n", h.apr1),
        )
        .digest("u", DIGEST_REALM, PW, 401),
        row(
            &format!("{GROUPS}: `group: user1 user2`, Require group"),
            text(group_users.clone()),
        )
        .only(Servers::ApacheOnly)
        .apache_auth(&group_auth)
        .extra("groups", "admins: u w\nstaff: x\n")
        .anonymous(401, 0)
        .login("u", PW, 200, 0)
        .login("w", PW, 200, 0)
        .login("u", WRONG, 401, 0)
        .login("x", PW, 401, 0)
        .login("y", PW, 401, 0),
        row(
            &format!("{GROUPS}: group file missing → 401 for everyone (apache.md status table)"),
            text(group_users),
        )
        .only(Servers::ApacheOnly)
        .apache_auth(&group_auth)
        .triple([401, 401, 401], [0; 3])
        .apache_log("AH01665"),
    ]
}

// ---------------------------------------------------------------- runner --

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Apache,
    Nginx,
}

impl Kind {
    fn applies(self, servers: Servers) -> bool {
        match self {
            Kind::Apache => servers != Servers::NginxOnly,
            Kind::Nginx => servers != Servers::ApacheOnly,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Kind::Apache => "apache2",
            Kind::Nginx => "nginx",
        }
    }
}

struct Placed {
    index: usize,
    file: String,
    relfile: String,
    rowdir: String,
}

impl Placed {
    fn fill(&self, s: &str) -> String {
        s.replace("{file}", &self.file)
            .replace("{relfile}", &self.relfile)
            .replace("{rowdir}", &self.rowdir)
    }
}

/// Writes the row's files into the site and returns the paths it uses.
fn place(site: &Site, index: usize, row: &Row) -> Placed {
    let rel_dir = format!("rows/r{index}");
    let rowdir = site.mkdir(&rel_dir);
    let relfile = format!("{rel_dir}/users");
    let file = site.path(&relfile);
    match &row.file {
        UserFile::Bytes(b) => {
            site.write(&relfile, b);
        }
        UserFile::Unreadable(b) => {
            site.write_mode(&relfile, b, 0o600);
        }
        UserFile::Directory => {
            site.mkdir(&relfile);
        }
        UserFile::Missing => {}
    }
    for (rel, bytes) in &row.extra {
        site.write(format!("{rel_dir}/{rel}"), bytes);
    }
    site.write(format!("htdocs/r{index}/index.html"), "ok\n");
    Placed {
        index,
        file: file.display().to_string(),
        relfile,
        rowdir: rowdir.display().to_string(),
    }
}

fn all_rows() -> Vec<Row> {
    let h = Hashes::make();
    let mut rows = htpasswd_line_rows(&h);
    rows.extend(hash_scheme_rows(&h));
    rows.extend(status_rows(&h));
    rows.extend(apache_only_rows(&h));
    rows
}

/// Starts one server of `kind` serving every applicable row, probes them all,
/// and returns one line per disagreement.
fn run_matrix(kind: Kind, rows: &[Row], site: &Site, extra_conf: &str) -> (Server, Vec<String>) {
    let mut conf = String::from(extra_conf);
    let mut placed = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if !kind.applies(row.servers) {
            continue;
        }
        let p = place(site, i, row);
        match kind {
            Kind::Apache => conf.push_str(&format!(
                "<Location /r{i}/>\n{}\n</Location>\n",
                p.fill(&row.apache_auth)
            )),
            Kind::Nginx => conf.push_str(&format!(
                "location /r{i}/ {{\n{}\n}}\n",
                p.fill(&row.nginx_auth)
            )),
        }
        placed.push((row, p));
    }
    let server = match kind {
        Kind::Apache => Apache::start(site, &conf),
        Kind::Nginx => Nginx::start(site, &conf),
    };
    let mut failures = Vec::new();
    for (row, p) in &placed {
        let path = format!("/r{}/", p.index);
        for probe in &row.probes {
            let expected = match kind {
                Kind::Apache => probe.apache,
                Kind::Nginx => probe.nginx,
            };
            let (what, got) = match &probe.ask {
                Ask::Anonymous => ("no credentials".to_owned(), server.get(&path, None)),
                Ask::Basic(u, pw) => (
                    format!("Basic {u:?}/{pw:?}"),
                    server.get(&path, Some((u, pw))),
                ),
                Ask::Digest {
                    user,
                    realm,
                    password,
                } => (
                    format!("Digest {user:?}/{password:?} realm {realm:?}"),
                    server.digest_get(&path, user, realm, password),
                ),
            };
            if got != expected {
                failures.push(format!(
                    "[{}] {}: GET {path} with {what} → {got}, expected {expected}",
                    row.spec,
                    kind.name()
                ));
            }
        }
    }
    let log = server.error_log();
    for (row, p) in &placed {
        let needles = match kind {
            Kind::Apache => &row.apache_log,
            Kind::Nginx => &row.nginx_log,
        };
        for needle in needles {
            let needle = p.fill(needle);
            if !log.contains(&needle) {
                failures.push(format!(
                    "[{}] {}: error log lacks {needle:?}",
                    row.spec,
                    kind.name()
                ));
            }
        }
    }
    (server, failures)
}

/// passwd-files.md: "file re-read on every request (no reload needed)".
fn check_reread(
    kind: Kind,
    server: &Server,
    site: &Site,
    rel: &str,
    path: &str,
    failures: &mut Vec<String>,
) {
    let spec = format!("{LINES}: file re-read on every request");
    let name = kind.name();
    site.write(rel, format!("u:{}\n", htpasswd("-nbm", PW)));
    let before = server.get(path, Some(("u", PW)));
    site.write(rel, format!("u:{}\n", htpasswd("-nbm", "changed")));
    let new = server.get(path, Some(("u", "changed")));
    let old = server.get(path, Some(("u", PW)));
    for (what, got, expected) in [
        ("first password", before, 200),
        ("new password", new, 200),
        ("old password", old, 401),
    ] {
        if got != expected {
            failures.push(format!(
                "[{spec}] {name}: {what} → {got}, expected {expected}"
            ));
        }
    }
}

fn assert_no_failures(kind: Kind, failures: &[String], server: &Server) {
    assert!(
        failures.is_empty(),
        "{} of the spec rows disagree with the real {}:\n{}\n--- error log ---\n{}",
        failures.len(),
        kind.name(),
        failures.join("\n"),
        server.error_log()
    );
}

#[test]
fn apache_password_file_facts() {
    if !common::need_root(
        &["apache2", "htpasswd", "openssl", "mkpasswd"],
        "httpd drops to www-data only as root (unreadable user-file rows)",
    ) {
        return;
    }
    let rows = all_rows();
    let site = Site::new();
    // apache.md Paths: a relative AuthUserFile in .htaccess resolves against
    // ServerRoot, not the .htaccess directory: login prompt, then 500.
    site.write(
        "htdocs/htaccess-rel/.htaccess",
        format!(
            "AuthType Basic\nAuthName \"{BASIC_REALM}\"\nAuthUserFile .htpasswd\nRequire valid-user\n"
        ),
    );
    site.write(
        "htdocs/htaccess-rel/.htpasswd",
        format!("u:{}\n", htpasswd("-nbm", PW)),
    );
    site.write("htdocs/htaccess-rel/index.html", "ok\n");
    site.write("htdocs/reread/index.html", "ok\n");
    let extra = format!(
        "<Directory \"{{site}}/htdocs/htaccess-rel\">\n    AllowOverride AuthConfig\n</Directory>\n\
         <Location /reread/>\nAuthType Basic\nAuthName \"{BASIC_REALM}\"\n\
         AuthUserFile \"{{site}}/reread-users\"\nRequire valid-user\n</Location>\n"
    );
    let (apache, mut failures) = run_matrix(Kind::Apache, &rows, &site, &extra);

    let spec = "apache.md Paths: relative AuthUserFile in .htaccess resolves against ServerRoot";
    for (creds, expected) in [
        (None, 401),
        (Some(("u", PW)), 500),
        (Some(("u", WRONG)), 500),
    ] {
        let got = apache.get("/htaccess-rel/", creds);
        if got != expected {
            failures.push(format!(
                "[{spec}] apache2: {creds:?} → {got}, expected {expected}"
            ));
        }
    }
    let expected_log = format!(
        "AH01620: Could not open password file: {}/.htpasswd",
        site.dir().display()
    );
    if !apache.error_log().contains(&expected_log) {
        failures.push(format!(
            "[{spec}] apache2: error log lacks {expected_log:?}"
        ));
    }
    check_reread(
        Kind::Apache,
        &apache,
        &site,
        "reread-users",
        "/reread/",
        &mut failures,
    );
    assert_no_failures(Kind::Apache, &failures, &apache);
}

#[test]
fn nginx_password_file_facts() {
    if !common::need_root(
        &["nginx", "htpasswd", "openssl", "mkpasswd"],
        "nginx workers drop to www-data only as root (unreadable user-file rows)",
    ) {
        return;
    }
    let rows = all_rows();
    let site = Site::new();
    site.write("htdocs/reread/index.html", "ok\n");
    let extra = format!(
        "location /reread/ {{\nauth_basic \"{BASIC_REALM}\";\nauth_basic_user_file {{site}}/reread-users;\n}}\n"
    );
    let (nginx, mut failures) = run_matrix(Kind::Nginx, &rows, &site, &extra);
    check_reread(
        Kind::Nginx,
        &nginx,
        &site,
        "reread-users",
        "/reread/",
        &mut failures,
    );
    assert_no_failures(Kind::Nginx, &failures, &nginx);
}

/// passwd-files.md note: Apache's own `htpasswd -v` rejects a trailing space
/// and a third field, both of which the server accepts (rows above).
#[test]
fn htpasswd_verify_disagrees_with_the_server() {
    if !common::need(&["htpasswd"]) {
        return;
    }
    let site = Site::new();
    let hash = htpasswd("-nbm", PW);
    let verify = |name: &str, content: String| {
        let path = site.write(name, content);
        let status = std::process::Command::new(common::require_tool("htpasswd"))
            .arg("-vb")
            .arg(&path)
            .args(["u", PW])
            .output()
            .expect("run htpasswd -v");
        status.status.code()
    };
    assert_eq!(
        verify("plain", format!("u:{hash}\n")),
        Some(0),
        "control: a plain line verifies"
    );
    assert_eq!(
        verify("trailing-space", format!("u:{hash} \n")),
        Some(3),
        "trailing space"
    );
    assert_eq!(
        verify("third-field", format!("u:{hash}:comment\n")),
        Some(3),
        "third field"
    );
}
