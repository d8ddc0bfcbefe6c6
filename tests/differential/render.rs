//! Printing a setup: the fixed preamble of each server, the generated tree as config
//! text, and the site's files on disk.

use super::tree::{FileBody, Node, ServerKind, Setup, SiteFile};
use crate::common::{Nginx, Site};

const MODULE_DIR: &str = "/usr/lib/apache2/modules";

/// What every Apache config starts with: paths inside the site, the two addresses and
/// two ports the requests use, prefork, mod_mime. The modules a config may lack are
/// loaded by the generated tree.
fn apache_preamble() -> String {
    format!(
        "# harness preamble\n\
         ServerRoot \"{{site}}\"\n\
         ServerName main.test\n\
         Listen 127.0.0.1:{{port}}\n\
         Listen 127.0.0.2:{{port}}\n\
         Listen 127.0.0.1:{{port2}}\n\
         PidFile \"{{site}}/run/httpd.pid\"\n\
         DefaultRuntimeDir \"{{site}}/run\"\n\
         Mutex file:{{site}}/run default\n\
         ErrorLog \"{{site}}/error.log\"\n\
         LogLevel warn\n\
         User www-data\n\
         Group www-data\n\
         LoadModule mpm_prefork_module {MODULE_DIR}/mod_mpm_prefork.so\n\
         StartServers 1\n\
         MinSpareServers 1\n\
         MaxSpareServers 2\n\
         MaxRequestWorkers 8\n\
         LoadModule mime_module {MODULE_DIR}/mod_mime.so\n\
         TypesConfig /etc/mime.types\n\
         # generated\n"
    )
}

/// `LoadModule NAME_module …/mod_NAME.so`.
pub fn load_module(module: &str) -> Node {
    Node::directive(
        "LoadModule",
        &[
            &format!("{module}_module"),
            &format!("{MODULE_DIR}/mod_{module}.so"),
        ],
    )
}

/// The harness's own server keeps `{port}` listened on (on 127.0.0.3, which no request
/// uses) even when no generated server does, so the harness sees the server start.
const NGINX_SENTINEL: &str = "# harness: {port} is always listened on\nserver {\n    listen 127.0.0.3:{port};\n    return 444;\n}\n";

/// The whole config text, placeholders kept.
pub fn config_text(setup: &Setup) -> String {
    match setup.server {
        ServerKind::Apache => {
            let mut text = apache_preamble();
            print_apache(&setup.tree, 0, &mut text);
            text
        }
        ServerKind::Nginx => {
            let mut text = String::from(Nginx::main_conf());
            text.push_str("http {\n");
            text.push_str(Nginx::http_conf());
            text.push_str("# generated\n");
            print_nginx(&setup.tree, 0, &mut text);
            text.push_str(NGINX_SENTINEL);
            text.push_str("}\n");
            text
        }
    }
}

/// The config file name the harness writes in the site.
pub fn config_name(server: ServerKind) -> &'static str {
    match server {
        ServerKind::Apache => "httpd.conf",
        ServerKind::Nginx => "nginx.conf",
    }
}

pub fn print_apache(nodes: &[Node], depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for node in nodes {
        match node {
            Node::Directive { name, args } => {
                out.push_str(&format!("{pad}{}\n", join(name, args)));
            }
            Node::Block { name, args, body } => {
                out.push_str(&format!("{pad}<{}>\n", join(name, args)));
                print_apache(body, depth + 1, out);
                out.push_str(&format!("{pad}</{name}>\n"));
            }
        }
    }
}

pub fn print_nginx(nodes: &[Node], depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for node in nodes {
        match node {
            Node::Directive { name, args } => {
                out.push_str(&format!("{pad}{};\n", join(name, args)))
            }
            Node::Block { name, args, body } => {
                out.push_str(&format!("{pad}{} {{\n", join(name, args)));
                print_nginx(body, depth + 1, out);
                out.push_str(&format!("{pad}}}\n"));
            }
        }
    }
}

fn join(name: &str, args: &[String]) -> String {
    std::iter::once(name)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bytes of a file (placeholders kept), or None for a directory.
pub fn file_bytes(file: &SiteFile) -> Option<Vec<u8>> {
    match &file.body {
        FileBody::Text { lines, crlf, bom } => {
            let eol = if *crlf { "\r\n" } else { "\n" };
            let mut text = if *bom {
                String::from("\u{feff}")
            } else {
                String::new()
            };
            for line in lines {
                text.push_str(line);
                text.push_str(eol);
            }
            Some(text.into_bytes())
        }
        FileBody::Config(nodes) => {
            let mut text = String::new();
            print_apache(nodes, 0, &mut text);
            Some(text.into_bytes())
        }
        FileBody::Dir => None,
    }
}

/// `{site}` → the site directory.
pub fn fill_site(text: &str, site: &Site) -> String {
    text.replace("{site}", &site.dir().display().to_string())
}

/// Writes every file of `files` into `site` with its mode.
pub fn write_files<'a>(
    site: &Site,
    files: impl IntoIterator<Item = (&'a str, u32, Option<Vec<u8>>)>,
) {
    for (path, mode, bytes) in files {
        match bytes {
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                site.write_mode(path, fill_site(&text, site), mode);
            }
            None => {
                let dir = site.mkdir(path);
                set_mode(&dir, mode);
            }
        }
    }
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
}

/// Writes the setup's files into `site`.
pub fn build_site(setup: &Setup, site: &Site) {
    write_files(
        site,
        setup
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.mode, file_bytes(f))),
    );
}
