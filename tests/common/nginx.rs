//! Debian's nginx (`/usr/sbin/nginx`) with `daemon off`, a prefix and config of
//! our own, serving a [`Site`].

use super::apache::substitute;
use std::path::Path;

use super::process::{Launch, free_port, run_config_test, try_launch};
use super::{Server, Site, require_tool};

pub struct Nginx;

impl Nginx {
    /// One `server { listen 127.0.0.1:{port}; root {site}/htdocs; <server_body> }`.
    /// Panics with the config and the logs if it does not start.
    pub fn start(site: &Site, server_body: &str) -> Server {
        Self::try_start(site, server_body).unwrap_or_else(|failure| panic!("{failure}"))
    }

    pub fn try_start(site: &Site, server_body: &str) -> Result<Server, String> {
        Self::try_start_http(site, &Self::server_block(server_body))
    }

    /// `http { <common settings> <http_body> }`; the body has its own server
    /// blocks listening on `127.0.0.1:{port}`.
    pub fn start_http(site: &Site, http_body: &str) -> Server {
        Self::try_start_http(site, http_body).unwrap_or_else(|failure| panic!("{failure}"))
    }

    pub fn try_start_http(site: &Site, http_body: &str) -> Result<Server, String> {
        Self::try_start_raw(site, &Self::full_conf(http_body))
    }

    /// `full_conf` as is (after `{site}`/`{port}` substitution). Where it sets no
    /// `daemon` / `pid`, `daemon off;` and a pid file in the site are added with `-g`.
    pub fn start_raw(site: &Site, full_conf: &str) -> Server {
        Self::try_start_raw(site, full_conf).unwrap_or_else(|failure| panic!("{failure}"))
    }

    /// Like [`Nginx::start_raw`], but a server that does not start is an `Err`
    /// holding the cause, the config and the logs.
    pub fn try_start_raw(site: &Site, full_conf: &str) -> Result<Server, String> {
        let program = require_tool("nginx");
        let conf_path = site.path("nginx.conf");
        let args = Self::args(site, &conf_path, full_conf);
        let render = |port: u16| substitute(full_conf, site, port);
        try_launch(Launch {
            name: "nginx",
            program,
            args,
            conf_path,
            render_conf: &render,
            error_log: site.path("error.log"),
            stderr_log: site.path("stderr.log"),
        })
    }

    /// `nginx -t` on the config [`Nginx::start`] would write for `server_body`
    /// (as `{site}/nginx-test.conf`): Ok(output) when the test passes.
    pub fn config_test(site: &Site, server_body: &str) -> Result<String, String> {
        Self::config_test_raw(site, &Self::full_conf(&Self::server_block(server_body)))
    }

    /// `nginx -t` on `full_conf` only.
    pub fn config_test_raw(site: &Site, full_conf: &str) -> Result<String, String> {
        let program = require_tool("nginx");
        let conf_path = site.write("nginx-test.conf", substitute(full_conf, site, free_port()));
        let mut args = vec!["-t".to_owned()];
        args.extend(Self::args(site, &conf_path, full_conf));
        run_config_test(&program, &args)
    }

    fn server_block(server_body: &str) -> String {
        format!(
            "server {{\n    listen 127.0.0.1:{{port}};\n    root {{site}}/htdocs;\n{server_body}\n}}\n"
        )
    }

    fn full_conf(http_body: &str) -> String {
        format!(
            "{}http {{\n{}\n{}\n}}\n",
            Self::main_conf(),
            Self::http_conf(),
            http_body
        )
    }

    /// Prefix, config, early error log, and `-g` for what the config leaves out.
    fn args(site: &Site, conf_path: &Path, full_conf: &str) -> Vec<String> {
        site.mkdir("tmp");
        let mut globals = String::new();
        if !has_directive(full_conf, "daemon") {
            globals.push_str("daemon off;");
        }
        if !has_directive(full_conf, "pid") {
            globals.push_str(&format!("pid {}/nginx.pid;", site.dir().display()));
        }
        let mut args = vec![
            "-p".to_owned(),
            format!("{}/", site.dir().display()),
            "-c".to_owned(),
            conf_path.display().to_string(),
            // Startup errors before error_log is read go here, not /var/log/nginx.
            "-e".to_owned(),
            site.path("error.log").display().to_string(),
        ];
        if !globals.is_empty() {
            args.push("-g".to_owned());
            args.push(globals);
        }
        args
    }

    /// The main-context lines of [`Nginx::start`] / [`Nginx::start_http`].
    pub fn main_conf() -> &'static str {
        "user www-data;\n\
         daemon off;\n\
         worker_processes 1;\n\
         error_log {site}/error.log;\n\
         pid {site}/nginx.pid;\n\
         events { worker_connections 64; }\n"
    }

    /// The http-context lines of [`Nginx::start`] / [`Nginx::start_http`]:
    /// logs and temp paths inside the site.
    pub fn http_conf() -> &'static str {
        "access_log {site}/access.log;\n\
         default_type application/octet-stream;\n\
         client_body_temp_path {site}/tmp/client_body;\n\
         proxy_temp_path {site}/tmp/proxy;\n\
         fastcgi_temp_path {site}/tmp/fastcgi;\n\
         uwsgi_temp_path {site}/tmp/uwsgi;\n\
         scgi_temp_path {site}/tmp/scgi;\n"
    }
}

/// True when a line of `conf` starts with the directive `name`.
fn has_directive(conf: &str, name: &str) -> bool {
    conf.lines().any(|line| {
        let line = line.trim_start();
        line.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace()))
    })
}
