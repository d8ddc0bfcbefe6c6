//! Conformance of the Apache rules with real Apache httpd 2.4 on 127.0.0.1.
//!
//! Every case is a broken area `/cN/` and its fix `/cNf/`, side by side in ONE server
//! (one start for the whole suite). For each case the test asserts:
//! 1. the server answers what the finding says (anonymous, good and bad credentials,
//!    other methods where relevant), and the fixed area answers as intended;
//! 2. `htguard check` of that very httpd.conf reports the rule for the broken area and
//!    not for the fixed one.
//!
//! All disagreements are collected and reported together.

mod common;

use common::{Apache, Server, Site, run_tool};
use htguard::check::{self, CheckOptions};
use htguard::diag::Diagnostic;

const PW: &str = "secret";

#[derive(Clone, Copy)]
enum Creds {
    None,
    /// alice / secret (Basic)
    Good,
    /// alice / wrong (Basic)
    Bad,
    /// Digest alice / secret in this realm
    Digest(&'static str),
}

struct Probe {
    method: &'static str,
    /// Appended to `/cN/` (e.g. `users` for a file download).
    suffix: &'static str,
    creds: Creds,
    broken: u16,
    fixed: u16,
}

fn p(creds: Creds, broken: u16, fixed: u16) -> Probe {
    Probe {
        method: "GET",
        suffix: "",
        creds,
        broken,
        fixed,
    }
}

struct Case {
    id: &'static str,
    code: &'static str,
    what: &'static str,
    /// Server config for the area; `{D}` is the case directory (`cN` or `cNf`).
    broken_conf: &'static str,
    fixed_conf: &'static str,
    /// Files (path relative to the site, may contain `{D}`), content, mode; per variant.
    broken_files: Vec<(&'static str, Vec<u8>, u32)>,
    fixed_files: Vec<(&'static str, Vec<u8>, u32)>,
    probes: Vec<Probe>,
}

fn basic_file() -> Vec<u8> {
    let line = run_tool("htpasswd", &["-nb", "alice", PW]);
    format!("{}\n", line.trim()).into_bytes()
}

fn digest_file(realm: &str) -> Vec<u8> {
    let ha1 = format!("{:x}", md5::compute(format!("alice:{realm}:{PW}")));
    format!("alice:{realm}:{ha1}\n").into_bytes()
}

fn cases() -> Vec<Case> {
    let users = || basic_file();
    let std_probes = || {
        vec![
            p(Creds::None, 401, 401),
            p(Creds::Good, 500, 200),
            p(Creds::Bad, 500, 401),
        ]
    };
    vec![
        Case {
            id: "c1",
            code: "AP004",
            what: "missing AuthUserFile: 500 for every login",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}.missing\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: std_probes(),
        },
        Case {
            id: "c2",
            code: "AP004",
            what: "AuthUserFile unreadable by www-data (0600 root): 500 for every login",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o600)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: std_probes(),
        },
        Case {
            id: "c3",
            code: "AP005",
            what: "missing AuthGroupFile: 401 even with the right password",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nAuthGroupFile {site}/pw/{D}.groups\nRequire group admins\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nAuthGroupFile {site}/pw/{D}.groups\nRequire group admins\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644), ("pw/{D}.groups", b"admins: alice\n".to_vec(), 0o644)],
            probes: vec![p(Creds::None, 401, 401), p(Creds::Good, 401, 200), p(Creds::Bad, 401, 401)],
        },
        Case {
            id: "c4",
            code: "AP006",
            what: "relative AuthUserFile in .htaccess resolves against ServerRoot: prompt, then 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile .htpasswd-c4\nRequire valid-user\n".to_vec(), 0o644),
                ("htdocs/{D}/.htpasswd-c4", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/htdocs/{D}/.htpasswd-c4\nRequire valid-user\n".to_vec(), 0o644),
                ("htdocs/{D}/.htpasswd-c4", users(), 0o644),
            ],
            probes: std_probes(),
        },
        Case {
            id: "c5",
            code: "AP007",
            what: "AuthType without AuthName: 500 for everyone",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c6",
            code: "AP008",
            what: "unquoted multi-word AuthName in .htaccess: 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName Members only\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"Members only\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c7",
            code: "AP009",
            what: "trailing # comment on AuthUserFile in .htaccess: 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D} # the users\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\n# the users\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c8",
            code: "PW011",
            what: "AuthType Basic over an htdigest file: 401 for all",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", digest_file("R"), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 401, 401), p(Creds::Good, 401, 200)],
        },
        Case {
            id: "c9",
            code: "PW011",
            what: "AuthType Digest over an htpasswd file: 401 for all",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Digest\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Digest\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", digest_file("R"), 0o644)],
            probes: vec![p(Creds::None, 401, 401), p(Creds::Digest("R"), 401, 200)],
        },
        Case {
            id: "c10",
            code: "PW021",
            what: "digest realm in the file differs from AuthName: 401 for all",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Digest\nAuthName \"Vault\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Digest\nAuthName \"Vault\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", digest_file("vault"), 0o644)],
            fixed_files: vec![("pw/{D}", digest_file("Vault"), 0o644)],
            probes: vec![p(Creds::None, 401, 401), p(Creds::Digest("Vault"), 401, 200)],
        },
        Case {
            id: "c11",
            code: "AP010",
            what: "Require user Alice where the file has alice: alice can never log in",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire user Alice\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire user alice\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 401, 401), p(Creds::Good, 401, 200)],
        },
        Case {
            id: "c12",
            code: "AP011",
            what: "Require group absent from the group file: 401 for all",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nAuthGroupFile {site}/pw/{D}.groups\nRequire group admins\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nAuthGroupFile {site}/pw/{D}.groups\nRequire group admins\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644), ("pw/{D}.groups", b"admin: alice\n".to_vec(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644), ("pw/{D}.groups", b"admins: alice\n".to_vec(), 0o644)],
            probes: vec![p(Creds::None, 401, 401), p(Creds::Good, 401, 200)],
        },
        Case {
            id: "c13",
            code: "AP012",
            what: "AuthType without Require under a granting parent: open (200)",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 200, 401), p(Creds::Good, 200, 200)],
        },
        Case {
            id: "c14",
            code: "AP012",
            what: "AuthType without Require and nothing inherited: 500 (AH01627)",
            broken_conf: "Alias /{D}/ \"{site}/outside/{D}/\"\n<Directory \"{site}/outside/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\n</Directory>\n",
            fixed_conf: "Alias /{D}/ \"{site}/outside/{D}/\"\n<Directory \"{site}/outside/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644), ("outside/{D}/index.html", b"ok\n".to_vec(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644), ("outside/{D}/index.html", b"ok\n".to_vec(), 0o644)],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c15",
            code: "AP013",
            what: "Require valid-user without AuthType: 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c16",
            code: "AP014",
            what: "Require all granted beside Require valid-user: open",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire all granted\nRequire valid-user\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 200, 401), p(Creds::Good, 200, 200)],
        },
        Case {
            id: "c17",
            code: "AP015",
            what: "<Limit GET> around Require: other methods need no login",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\n<Limit GET>\nRequire valid-user\n</Limit>\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![
                p(Creds::None, 401, 401),
                p(Creds::Good, 200, 200),
                Probe { method: "OPTIONS", suffix: "", creds: Creds::None, broken: 200, fixed: 401 },
                Probe { method: "POST", suffix: "", creds: Creds::None, broken: 200, fixed: 401 },
                Probe { method: "PUT", suffix: "", creds: Creds::None, broken: 405, fixed: 401 },
            ],
        },
        Case {
            id: "c18",
            code: "AP016",
            what: "Satisfy Any with Allow from all: open",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\nOrder allow,deny\nAllow from all\nSatisfy Any\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 200, 401), p(Creds::Good, 200, 200)],
        },
        Case {
            id: "c19",
            code: "AP016",
            what: "Satisfy Any with no Order/Allow/Deny at all: open",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\nSatisfy Any\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\nOrder deny,allow\nDeny from all\nSatisfy Any\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 200, 401), p(Creds::Good, 200, 200)],
        },
        Case {
            id: "c20",
            code: "AP017",
            what: ".htaccess auth under AllowOverride None: ignored, open",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride None\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 200, 401), p(Creds::Good, 200, 200)],
        },
        Case {
            id: "c21",
            code: "AP018",
            what: ".htaccess auth under AllowOverride FileInfo: 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride FileInfo\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride FileInfo AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c22",
            code: "AP019",
            what: "AllowOverride in <DirectoryMatch> is ignored: .htaccess not read, open",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride None\n</Directory>\n<DirectoryMatch \"^{site}/htdocs/{D}$\">\nAllowOverride AuthConfig\n</DirectoryMatch>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 200, 401)],
        },
        Case {
            id: "c23",
            code: "AP020",
            what: "password file inside DocumentRoot with no deny: hashes downloadable",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/htdocs/{D}/.htpasswd\n<Files \"index.html\">\nRequire valid-user\n</Files>\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/htdocs/{D}/.htpasswd\n<Files \"index.html\">\nRequire valid-user\n</Files>\n<Files \".ht*\">\nRequire all denied\n</Files>\n</Directory>\n",
            broken_files: vec![("htdocs/{D}/.htpasswd", users(), 0o644)],
            fixed_files: vec![("htdocs/{D}/.htpasswd", users(), 0o644)],
            probes: vec![
                Probe { method: "GET", suffix: ".htpasswd", creds: Creds::None, broken: 200, fixed: 403 },
                p(Creds::Good, 200, 200),
            ],
        },
        Case {
            id: "c24",
            code: "AP020",
            what: "<Location /> Require all granted undoes <Files \".ht*\"> deny",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/htdocs/{D}/.htpasswd\nRequire valid-user\n<Files \".ht*\">\nRequire all denied\n</Files>\n</Directory>\n<Location /{D}/>\nRequire all granted\n</Location>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/htdocs/{D}/.htpasswd\nRequire valid-user\n<Files \".ht*\">\nRequire all denied\n</Files>\n</Directory>\n",
            broken_files: vec![("htdocs/{D}/.htpasswd", users(), 0o644)],
            fixed_files: vec![("htdocs/{D}/.htpasswd", users(), 0o644)],
            probes: vec![
                Probe { method: "GET", suffix: ".htpasswd", creds: Creds::None, broken: 200, fixed: 403 },
                p(Creds::None, 200, 401),
            ],
        },
        Case {
            id: "c25",
            code: "AP023",
            what: "AuthBasicProvider whose module is not loaded, in .htaccess: 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthBasicProvider dbm\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthBasicProvider file\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c26",
            code: "AP024",
            what: "nested Require ip replaces the parent's login (AuthMerging Off)",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n<Directory \"{site}/htdocs/{D}/sub\">\nRequire ip 127.0.0.1\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n<Directory \"{site}/htdocs/{D}/sub\">\nAuthMerging And\nRequire ip 127.0.0.1\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644), ("htdocs/{D}/sub/index.html", b"sub\n".to_vec(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644), ("htdocs/{D}/sub/index.html", b"sub\n".to_vec(), 0o644)],
            probes: vec![
                Probe { method: "GET", suffix: "sub/", creds: Creds::None, broken: 200, fixed: 401 },
                Probe { method: "GET", suffix: "sub/", creds: Creds::Good, broken: 200, fixed: 200 },
            ],
        },
        Case {
            id: "c29",
            code: "AP024",
            what: "<Location> Require all granted replaces a <Directory> login (merged later): open",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n<Location /{D}>\nRequire all granted\n</Location>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", users(), 0o644)],
            probes: vec![p(Creds::None, 200, 401), p(Creds::Good, 200, 200)],
        },
        Case {
            id: "c30",
            code: "AP001",
            what: "unclosed section in .htaccess: 500",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig Limit\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig Limit\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\n<RequireAny>\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\n<RequireAny>\nRequire valid-user\n</RequireAny>\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c28",
            code: "AP018",
            what: ".htaccess auth where AllowOverride is never set: read, refused, 500",
            broken_conf: "",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAllowOverride AuthConfig\n</Directory>\n",
            broken_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            fixed_files: vec![
                ("htdocs/{D}/.htaccess", b"AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire valid-user\n".to_vec(), 0o644),
                ("pw/{D}", users(), 0o644),
            ],
            probes: vec![p(Creds::None, 500, 401), p(Creds::Good, 500, 200)],
        },
        Case {
            id: "c27",
            code: "AP010",
            what: "Require user naming a user absent from the file: that user never gets in",
            broken_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire user bob\n</Directory>\n",
            fixed_conf: "<Directory \"{site}/htdocs/{D}\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/{D}\nRequire user alice bob\n</Directory>\n",
            broken_files: vec![("pw/{D}", users(), 0o644)],
            fixed_files: vec![("pw/{D}", [users(), run_tool("htpasswd", &["-nb", "bob", PW]).trim().as_bytes().to_vec(), b"\n".to_vec()].concat(), 0o644)],
            probes: vec![p(Creds::Good, 401, 200)],
        },
    ]
}

fn fill(s: &str, site: &Site, d: &str) -> String {
    s.replace("{site}", &site.dir().display().to_string())
        .replace("{D}", d)
}

fn status(server: &Server, probe: &Probe, path: &str) -> u16 {
    match probe.creds {
        Creds::None => server.request(probe.method, path, None).status,
        Creds::Good => {
            server
                .request(probe.method, path, Some(("alice", PW)))
                .status
        }
        Creds::Bad => {
            server
                .request(probe.method, path, Some(("alice", "wrong")))
                .status
        }
        Creds::Digest(realm) => server.digest_get(path, "alice", realm, PW),
    }
}

/// Which case (and variant) a finding belongs to: by the `.htaccess`/file path, or by
/// the region of httpd.conf between case markers.
fn owner(conf_text: &str, d: &Diagnostic, outcome: &check::CheckOutcome) -> Option<String> {
    let file = outcome.sources.get(d.primary.span.file);
    let path = file.path.to_string_lossy().into_owned();
    if !path.ends_with("httpd.conf") {
        return path
            .split('/')
            .find(|c| c.starts_with('c') && c[1..].trim_end_matches('f').parse::<u32>().is_ok())
            .map(str::to_string);
    }
    let at = d.primary.span.start;
    let mut best = None;
    for (i, _) in conf_text.match_indices("# case ") {
        if i <= at {
            let rest = &conf_text[i + 7..];
            best = rest.split_whitespace().next().map(str::to_string);
        }
    }
    best
}

#[test]
fn apache_rules_agree_with_real_httpd() {
    if !common::need_root(
        &["apache2", "htpasswd"],
        "httpd drops to www-data only as root (unreadable-file cases)",
    ) {
        return;
    }
    let site = Site::new();
    let cases = cases();
    let mut conf = String::new();
    for c in &cases {
        for (d, body, files) in [
            (c.id.to_string(), c.broken_conf, &c.broken_files),
            (format!("{}f", c.id), c.fixed_conf, &c.fixed_files),
        ] {
            conf.push_str(&format!("# case {d} \n"));
            conf.push_str(&fill(body, &site, &d));
            site.write(format!("htdocs/{d}/index.html"), b"hello\n");
            for (rel, bytes, mode) in files {
                let text = fill(&String::from_utf8_lossy(bytes), &site, &d);
                site.write_mode(fill(rel, &site, &d), text.as_bytes(), *mode);
            }
        }
    }
    conf.push_str("# case end \n");
    let server = Apache::start(&site, &conf);
    let mut failures = Vec::new();

    // 1. The server does what the findings say.
    for c in &cases {
        for probe in &c.probes {
            for (d, want) in [
                (c.id.to_string(), probe.broken),
                (format!("{}f", c.id), probe.fixed),
            ] {
                let path = format!("/{d}/{}", probe.suffix);
                let got = status(&server, probe, &path);
                if got != want {
                    failures.push(format!(
                        "{} ({}): {} {path} with {:?}: server answered {got}, expected {want}",
                        c.id,
                        c.what,
                        probe.method,
                        match probe.creds {
                            Creds::None => "no credentials",
                            Creds::Good => "good credentials",
                            Creds::Bad => "bad credentials",
                            Creds::Digest(_) => "digest credentials",
                        }
                    ));
                }
            }
        }
    }

    // 2. htguard reports each rule for the broken area and not for the fixed one.
    let conf_path = server.conf_path().to_path_buf();
    let conf_text = std::fs::read_to_string(&conf_path).expect("httpd.conf");
    let opts = CheckOptions {
        apache_configs: vec![conf_path.clone()],
        ..Default::default()
    };
    let outcome = check::run(&opts).expect("htguard check runs");
    let mut found: Vec<(String, &'static str)> = Vec::new();
    for d in &outcome.diagnostics {
        if let Some(o) = owner(&conf_text, d, &outcome) {
            found.push((o, d.code));
        }
    }
    for c in &cases {
        if !found.iter().any(|(o, code)| o == c.id && *code == c.code) {
            failures.push(format!(
                "{} ({}): htguard did not report {}",
                c.id, c.what, c.code
            ));
        }
        let fixed = format!("{}f", c.id);
        for (o, code) in &found {
            // AP021 (Basic over plain HTTP) is true of every Basic area here, and the
            // password-file rules judge the hashes (apr1 here), not the area.
            let judged = *code == c.code || (code.starts_with("AP") && *code != "AP021");
            if *o == fixed && judged {
                failures.push(format!("{} fixed: htguard still reports {code}", c.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}\n--- error log ---\n{}",
        failures.len(),
        failures.join("\n"),
        server.error_log()
    );
}
