//! Debian's nginx (`/usr/sbin/nginx`) with `daemon off`, a prefix and config of
//! our own, serving a [`Site`].

use super::apache::substitute;
use super::process::{Launch, launch};
use super::{Server, Site, require_tool};

pub struct Nginx;

impl Nginx {
    /// One `server { listen 127.0.0.1:{port}; root {site}/htdocs; <server_body> }`.
    pub fn start(site: &Site, server_body: &str) -> Server {
        let http_body = format!(
            "server {{\n    listen 127.0.0.1:{{port}};\n    root {{site}}/htdocs;\n{server_body}\n}}\n"
        );
        Self::start_http(site, &http_body)
    }

    /// `http { <common settings> <http_body> }`; the body has its own server
    /// blocks listening on `127.0.0.1:{port}`.
    pub fn start_http(site: &Site, http_body: &str) -> Server {
        let conf = format!(
            "{}http {{\n{}\n{}\n}}\n",
            Self::main_conf(),
            Self::http_conf(),
            http_body
        );
        Self::start_raw(site, &conf)
    }

    /// `full_conf` as is (after `{site}`/`{port}` substitution). Where it sets no
    /// `daemon` / `pid`, `daemon off;` and a pid file in the site are added with `-g`.
    pub fn start_raw(site: &Site, full_conf: &str) -> Server {
        let program = require_tool("nginx");
        let conf_path = site.path("nginx.conf");
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
        let full = full_conf.to_owned();
        let render = move |port: u16| substitute(&full, site, port);
        launch(Launch {
            name: "nginx",
            program,
            args,
            conf_path,
            render_conf: &render,
            error_log: site.path("error.log"),
            stderr_log: site.path("stderr.log"),
        })
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
