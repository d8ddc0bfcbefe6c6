//! Launchers for the programs of the reader profiles — lighttpd (mod_authn_file), the
//! Docker Distribution registry and Verdaccio — on a free 127.0.0.1 port, reading the
//! password file `{site}/users`, through the harness in `tests/common` (process group,
//! stopped on drop). Each answers a Basic login on [`Program::login_path`].
#![allow(dead_code)]

use crate::common::{Launch, Server, Site, need, require_tool, try_launch};
use std::path::PathBuf;

/// The Verdaccio that scripts/test installs with npm (reused when present).
pub const VERDACCIO_VERSION: &str = "6.8.0";
/// Path of Verdaccio's `bin/verdaccio` script, set by scripts/test.
pub const VERDACCIO_VAR: &str = "HTGUARD_VERDACCIO";

/// One of the programs, started.
pub struct Program {
    pub server: Server,
    pub login_path: &'static str,
    /// Where it reads users from.
    pub users: PathBuf,
}

impl Program {
    /// The status of a request that needs a valid user, with Basic credentials.
    pub fn login(&self, user: &str, password: &str) -> u16 {
        self.server.get(self.login_path, Some((user, password)))
    }
}

/// lighttpd with mod_auth + mod_authn_file (`auth.backend = "htpasswd"`), every path
/// needing a valid user. Its one-second delay of every failed login (on by default) is
/// turned off: the answers are the same, the test runs in seconds.
pub fn lighttpd(site: &Site) -> Program {
    site.write("htdocs/index.html", "hello\n");
    let users = site.path("users");
    let conf = format!(
        r#"server.document-root = "{site}/htdocs"
server.bind = "127.0.0.1"
server.port = {{port}}
server.errorlog = "{site}/error.log"
server.pid-file = "{site}/lighttpd.pid"
server.modules = ("mod_auth", "mod_authn_file")
server.feature-flags = ("auth.delay-invalid-creds" => "disable")
auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = "{users}"
auth.require = ("/" => ("method" => "basic", "realm" => "readers", "require" => "valid-user"))
"#,
        site = site.dir().display(),
        users = users.display(),
    );
    let conf_path = site.path("lighttpd.conf");
    let server = launch(
        site,
        "lighttpd",
        require_tool("lighttpd"),
        vec!["-D".into(), "-f".into(), conf_path.display().to_string()],
        conf_path,
        &conf,
    );
    Program {
        server,
        login_path: "/index.html",
        users,
    }
}

/// The registry (`docker-registry serve`) with `auth: htpasswd`; `GET /v2/` needs a user.
pub fn docker_registry(site: &Site) -> Program {
    let users = site.path("users");
    let conf = format!(
        "version: 0.1\nlog: {{ level: error }}\n\
         storage: {{ filesystem: {{ rootdirectory: {site}/storage }} }}\n\
         http: {{ addr: \"127.0.0.1:{{port}}\" }}\n\
         auth: {{ htpasswd: {{ realm: readers, path: {users} }} }}\n",
        site = site.dir().display(),
        users = users.display(),
    );
    let conf_path = site.path("config.yml");
    let server = launch(
        site,
        "docker-registry",
        require_tool("docker-registry"),
        vec!["serve".into(), conf_path.display().to_string()],
        conf_path,
        &conf,
    );
    Program {
        server,
        login_path: "/v2/",
        users,
    }
}

/// Verdaccio with its htpasswd plugin; `GET /-/npm/v1/user` answers 401 without a user.
pub fn verdaccio(site: &Site, bin: &std::path::Path) -> Program {
    let users = site.path("users");
    let conf = format!(
        "storage: {site}/storage\n\
         auth: {{ htpasswd: {{ file: {users}, max_users: -1 }} }}\n\
         uplinks: {{}}\n\
         packages: {{ '**': {{ access: $all }} }}\n\
         listen: 127.0.0.1:{{port}}\n\
         log: {{ type: stdout, format: pretty, level: warn }}\n",
        site = site.dir().display(),
        users = users.display(),
    );
    let conf_path = site.path("config.yaml");
    let server = launch(
        site,
        "verdaccio",
        require_tool("node"),
        vec![
            bin.display().to_string(),
            "--config".into(),
            conf_path.display().to_string(),
        ],
        conf_path,
        &conf,
    );
    Program {
        server,
        login_path: "/-/npm/v1/user",
        users,
    }
}

fn launch(
    site: &Site,
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    conf_path: PathBuf,
    conf: &str,
) -> Server {
    let render = |port: u16| conf.replace("{port}", &port.to_string());
    try_launch(Launch {
        name,
        program,
        args,
        conf_path,
        render_conf: &render,
        error_log: site.path("error.log"),
        stderr_log: site.path("stderr.log"),
    })
    .unwrap_or_else(|failure| panic!("{failure}"))
}

/// Verdaccio's `bin/verdaccio`: `$HTGUARD_VERDACCIO`, else where scripts/test installs it.
/// `None` (the test skips) when it is missing; under scripts/test a missing one fails.
pub fn need_verdaccio() -> Option<PathBuf> {
    if !need(&["node"]) {
        return None;
    }
    let bin = std::env::var_os(VERDACCIO_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
                });
            cache
                .join(format!("htguard/verdaccio-{VERDACCIO_VERSION}"))
                .join("node_modules/verdaccio/bin/verdaccio")
        });
    if bin.is_file() {
        return Some(bin);
    }
    let hint = format!(
        "verdaccio@{VERDACCIO_VERSION} not found at {} (scripts/test installs it with npm)",
        bin.display()
    );
    let required =
        std::env::var_os("HTGUARD_REQUIRE_SERVERS").is_some_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "HTGUARD_REQUIRE_SERVERS is set and {hint}");
    eprintln!("skipped: {hint}");
    None
}
