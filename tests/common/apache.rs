//! Debian's Apache httpd 2.4 (`/usr/sbin/apache2`) in the foreground with a
//! config of our own, serving a [`Site`].

use super::process::{Launch, free_port, run_config_test, try_launch};
use super::{Server, Site, require_tool};

pub struct Apache;

/// The modules auth tests need, from Debian's module directory.
const MODULES: &[&str] = &[
    "mpm_prefork",
    "authn_core",
    "authn_file",
    "authz_core",
    "authz_user",
    "authz_groupfile",
    "authz_host",
    "auth_basic",
    "auth_digest",
    "access_compat",
    "alias",
    "dir",
    "mime",
    "env",
    "setenvif",
    "headers",
    "rewrite",
];

const MODULE_DIR: &str = "/usr/lib/apache2/modules";

impl Apache {
    /// Starts Apache with [`Apache::base_conf`] followed by `conf`; `{site}` and
    /// `{port}` in `conf` are replaced by the site directory and the port.
    /// Panics with the config and the logs if it does not start.
    pub fn start(site: &Site, conf: &str) -> Server {
        Self::try_start(site, conf).unwrap_or_else(|failure| panic!("{failure}"))
    }

    /// Like [`Apache::start`], but a server that does not start is an `Err`
    /// holding the cause, the config and the logs (for "httpd will not start" facts).
    pub fn try_start(site: &Site, conf: &str) -> Result<Server, String> {
        let full = Self::with_base(conf);
        Self::try_start_raw(site, &full)
    }

    /// Starts Apache with `full_conf` only (after `{site}`/`{port}` substitution).
    /// It must `Listen 127.0.0.1:{port}`, load its own modules, and should use
    /// `ErrorLog {site}/error.log` so `error_log()` finds the log.
    pub fn start_raw(site: &Site, full_conf: &str) -> Server {
        Self::try_start_raw(site, full_conf).unwrap_or_else(|failure| panic!("{failure}"))
    }

    pub fn try_start_raw(site: &Site, full_conf: &str) -> Result<Server, String> {
        let program = require_tool("apache2");
        site.mkdir("run");
        let conf_path = site.path("httpd.conf");
        let render = |port: u16| substitute(full_conf, site, port);
        try_launch(Launch {
            name: "apache2",
            args: vec![
                "-f".into(),
                conf_path.display().to_string(),
                "-DFOREGROUND".into(),
            ],
            program,
            conf_path,
            render_conf: &render,
            error_log: site.path("error.log"),
            stderr_log: site.path("stderr.log"),
        })
    }

    /// `apache2 -t` on [`Apache::base_conf`] + `conf` (written to
    /// `{site}/httpd-test.conf`): Ok(output) when the syntax check passes.
    pub fn config_test(site: &Site, conf: &str) -> Result<String, String> {
        Self::config_test_raw(site, &Self::with_base(conf))
    }

    /// `apache2 -t` on `full_conf` only.
    pub fn config_test_raw(site: &Site, full_conf: &str) -> Result<String, String> {
        let program = require_tool("apache2");
        site.mkdir("run");
        let conf_path = site.write("httpd-test.conf", substitute(full_conf, site, free_port()));
        run_config_test(
            &program,
            &["-t".into(), "-f".into(), conf_path.display().to_string()],
        )
    }

    fn with_base(conf: &str) -> String {
        format!("{}\n# --- test config ---\n{}\n", Self::base_conf(), conf)
    }

    /// The config every [`Apache::start`] begins with, still containing the
    /// `{site}` and `{port}` placeholders.
    pub fn base_conf() -> String {
        let mut conf = String::from(
            "ServerRoot \"{site}\"\n\
             ServerName 127.0.0.1\n\
             Listen 127.0.0.1:{port}\n\
             PidFile \"{site}/run/httpd.pid\"\n\
             DefaultRuntimeDir \"{site}/run\"\n\
             # File mutexes live in the site: nothing leaks if the server is killed.\n\
             Mutex file:{site}/run default\n\
             ErrorLog \"{site}/error.log\"\n\
             LogLevel warn\n\
             User www-data\n\
             Group www-data\n",
        );
        for module in MODULES {
            conf.push_str(&format!(
                "LoadModule {module}_module {MODULE_DIR}/mod_{module}.so\n"
            ));
        }
        conf.push_str(
            "StartServers 2\n\
             MinSpareServers 1\n\
             MaxSpareServers 4\n\
             MaxRequestWorkers 16\n\
             TypesConfig /etc/mime.types\n\
             DocumentRoot \"{site}/htdocs\"\n\
             <Directory \"{site}/htdocs\">\n\
             \x20   Require all granted\n\
             </Directory>\n",
        );
        conf
    }
}

pub(crate) fn substitute(text: &str, site: &Site, port: u16) -> String {
    text.replace("{site}", &site.dir().display().to_string())
        .replace("{port}", &port.to_string())
}
