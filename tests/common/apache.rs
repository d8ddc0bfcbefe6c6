//! Debian's Apache httpd 2.4 (`/usr/sbin/apache2`) in the foreground with a
//! config of our own, serving a [`Site`].

use super::process::{Launch, launch};
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
    pub fn start(site: &Site, conf: &str) -> Server {
        let extra = conf.to_owned();
        let render = move |port: u16| {
            let full = format!(
                "{}\n# --- test config ---\n{}\n",
                Apache::base_conf(),
                extra
            );
            substitute(&full, site, port)
        };
        Self::launch(site, &render)
    }

    /// Starts Apache with `full_conf` only (after `{site}`/`{port}` substitution).
    /// It must `Listen 127.0.0.1:{port}`, load its own modules, and should use
    /// `ErrorLog {site}/error.log` so `error_log()` finds the log.
    pub fn start_raw(site: &Site, full_conf: &str) -> Server {
        let full = full_conf.to_owned();
        let render = move |port: u16| substitute(&full, site, port);
        Self::launch(site, &render)
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

    fn launch(site: &Site, render: &dyn Fn(u16) -> String) -> Server {
        let program = require_tool("apache2");
        site.mkdir("run");
        let conf_path = site.path("httpd.conf");
        launch(Launch {
            name: "apache2",
            args: vec![
                "-f".into(),
                conf_path.display().to_string(),
                "-DFOREGROUND".into(),
            ],
            program,
            conf_path,
            render_conf: render,
            error_log: site.path("error.log"),
            stderr_log: site.path("stderr.log"),
        })
    }
}

pub(crate) fn substitute(text: &str, site: &Site, port: u16) -> String {
    text.replace("{site}", &site.dir().display().to_string())
        .replace("{port}", &port.to_string())
}
