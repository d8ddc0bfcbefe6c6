//! What kind of file a path is, from its name and its first bytes.

use crate::model::apache::directives;
use std::path::Path;

/// The kinds `htguard check` knows (`--kind` names in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputKind {
    /// `apache2.conf` / `httpd.conf` (`apache`).
    ApacheMain,
    /// A vhost or conf snippet included from a main config (`apache-snippet`).
    ApacheSnippet,
    /// `.htaccess` (`htaccess`).
    Htaccess,
    /// `nginx.conf`, or a file with an `http {` block (`nginx`).
    NginxMain,
    /// A `server {}`/`location` file included from `http {}` (`nginx-snippet`).
    NginxSnippet,
    /// `user:hash` lines (`htpasswd`).
    Htpasswd,
    /// `user:realm:md5` lines (`htdigest`).
    Htdigest,
    /// `group: user1 user2` lines (`htgroup`).
    Htgroup,
}

impl InputKind {
    /// `--kind` names, in the order `--help` lists them.
    pub const NAMES: &'static [(&'static str, InputKind)] = &[
        ("apache", InputKind::ApacheMain),
        ("apache-snippet", InputKind::ApacheSnippet),
        ("htaccess", InputKind::Htaccess),
        ("nginx", InputKind::NginxMain),
        ("nginx-snippet", InputKind::NginxSnippet),
        ("htpasswd", InputKind::Htpasswd),
        ("htdigest", InputKind::Htdigest),
        ("htgroup", InputKind::Htgroup),
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, k)| *k)
    }

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    pub fn is_passwd(self) -> bool {
        matches!(
            self,
            InputKind::Htpasswd | InputKind::Htdigest | InputKind::Htgroup
        )
    }

    pub fn is_apache(self) -> bool {
        matches!(
            self,
            InputKind::ApacheMain | InputKind::ApacheSnippet | InputKind::Htaccess
        )
    }

    pub fn is_nginx(self) -> bool {
        matches!(self, InputKind::NginxMain | InputKind::NginxSnippet)
    }
}

/// How many leading bytes [`detect`] looks at.
pub const HEAD_LEN: usize = 64 * 1024;

/// Whether the first bytes of a file say it is binary (a NUL byte, as git and grep decide).
pub fn looks_binary(head: &[u8]) -> bool {
    head[..head.len().min(8192)].contains(&0)
}

/// The kind of `path` judged by its name, then by `head` (its first bytes).
/// `None`: not a file htguard checks.
pub fn detect(path: &Path, head: &[u8]) -> Option<InputKind> {
    if let Some(k) = by_name(path) {
        return Some(k);
    }
    if looks_binary(head) {
        return None;
    }
    by_content(path, head)
}

/// The kind of a file named on the command line: as [`detect`], and a file whose name
/// says it is a server config (`*.conf`, `*.load`, a file in `sites-enabled/`…) is one
/// even when it holds only comments or directives htguard does not score: an Apache or
/// nginx snippet, by the directory it is in.
pub fn detect_named(path: &Path, head: &[u8]) -> Option<InputKind> {
    if let Some(k) = detect(path, head) {
        return Some(k);
    }
    (conf_like(path) && !looks_binary(head)).then(|| snippet_by_place(path))
}

/// The kind of a file met while walking a directory without a server's main config:
/// only what its name or content says is a server config or a password file, never a
/// program, style sheet, data or binary file (PHP, JS, CSS/SCSS, JSON, images…),
/// whatever lines of it look like.
pub fn detect_found(path: &Path, head: &[u8]) -> Option<InputKind> {
    if let Some(k) = by_name(path) {
        return Some(k);
    }
    if not_a_config_by_name(path) || looks_binary(head) || not_a_config_by_content(head) {
        return None;
    }
    by_content(path, head)
}

/// Extensions of files that are never server configs or password files.
const FOREIGN_EXTENSIONS: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "php8", "phtml", "phar", "inc", "js", "mjs", "cjs",
    "jsx", "ts", "tsx", "vue", "css", "scss", "sass", "less", "styl", "json", "jsonl", "ndjson",
    "geojson", "map", "html", "htm", "xhtml", "xml", "xsl", "svg", "md", "markdown", "rst", "py",
    "pyc", "rb", "pl", "pm", "sh", "bash", "zsh", "c", "h", "cc", "cpp", "go", "rs", "java",
    "class", "jar", "lua", "twig", "tpl", "mustache", "hbs", "erb", "yml", "yaml", "toml", "ini",
    "lock", "po", "pot", "mo", "sql", "csv", "tsv", "log", "png", "jpg", "jpeg", "gif", "ico",
    "webp", "bmp", "tif", "tiff", "avif", "woff", "woff2", "ttf", "eot", "otf", "pdf", "zip", "gz",
    "tgz", "bz2", "xz", "zst", "tar", "deb", "rpm", "so", "a", "o", "mp3", "mp4", "webm", "ogg",
    "wav",
];

/// Names of documentation and build files.
const FOREIGN_NAMES: &[&str] = &[
    "readme",
    "license",
    "licence",
    "copying",
    "changelog",
    "changes",
    "news",
    "authors",
    "install",
    "todo",
    "notice",
    "makefile",
    "dockerfile",
    "vagrantfile",
    "gemfile",
];

pub(crate) fn not_a_config_by_name(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    FOREIGN_NAMES.contains(&stem.as_str())
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FOREIGN_EXTENSIONS.iter().any(|f| e.eq_ignore_ascii_case(f)))
}

/// A PHP or shell script, a JSON document or JSON-lines file, an HTML or XML page.
fn not_a_config_by_content(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    ["<?", "#!", "{", "[", "<!", "<html", "<HTML"]
        .iter()
        .any(|p| start.starts_with(p))
}

/// A name or place that says "server config": `*.conf`, `*.load`, or a config directory.
fn conf_like(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("conf") || e.eq_ignore_ascii_case("load"))
        || in_config_dir(path)
}

/// A snippet of the server whose directory the file is in (nginx if any directory above
/// it says nginx, else Apache).
fn snippet_by_place(path: &Path) -> InputKind {
    let nginx = path
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .any(|c| c.as_os_str().to_string_lossy().contains("nginx"));
    if nginx {
        InputKind::NginxSnippet
    } else {
        InputKind::ApacheSnippet
    }
}

/// The kind `path`'s name alone says (`.htpasswd`, `nginx.conf`, ...), if any.
pub fn by_name(path: &Path) -> Option<InputKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let ext = |e: &str| name.ends_with(&format!(".{e}"));
    match name.as_str() {
        "apache2.conf" | "httpd.conf" => return Some(InputKind::ApacheMain),
        "nginx.conf" => return Some(InputKind::NginxMain),
        // Debian's wordpress ships `htaccess`, Joomla `htaccess.txt`: named to be
        // copied into place.
        ".htaccess" | "htaccess" | "htaccess.txt" | "htaccess.dist" => {
            return Some(InputKind::Htaccess);
        }
        ".htpasswd" | "htpasswd" | ".htpasswords" | "htpasswords" => {
            return Some(InputKind::Htpasswd);
        }
        ".htdigest" | "htdigest" => return Some(InputKind::Htdigest),
        ".htgroup" | "htgroup" | ".htgroups" | "htgroups" | "group" | "groups" => {
            return Some(InputKind::Htgroup);
        }
        _ => {}
    }
    if ext("htaccess") {
        Some(InputKind::Htaccess)
    } else if ext("htpasswd") {
        Some(InputKind::Htpasswd)
    } else if ext("htdigest") {
        Some(InputKind::Htdigest)
    } else if ext("htgroup") || ext("htgroups") {
        Some(InputKind::Htgroup)
    } else {
        None
    }
}

/// Directories whose files are server config snippets on Debian, RHEL, Alpine and the like.
fn in_config_dir(path: &Path) -> bool {
    path.parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| c.as_os_str().to_str())
        .any(|c| {
            c.starts_with("sites-")
                || c.starts_with("conf")
                || c.starts_with("mods-")
                || matches!(
                    c,
                    "snippets" | "vhosts.d" | "extra" | "apache2" | "httpd" | "nginx"
                )
        })
}

fn by_content(path: &Path, head: &[u8]) -> Option<InputKind> {
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(200)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let conf_like = conf_like(path);
    let (apache, nginx_main, nginx) = config_scores(&lines);
    // Outside a config's name or place, most lines must be directives: a page of prose
    // or code has a few lines that start like one.
    let enough = |n: usize| conf_like || n * 2 >= lines.len();
    if nginx_main && enough(nginx) {
        return Some(InputKind::NginxMain);
    }
    if apache > 0
        && apache >= nginx
        && enough(apache)
        && (conf_like || apache >= 2 || has_apache_section(&lines))
    {
        return Some(InputKind::ApacheSnippet);
    }
    if nginx > 0 && enough(nginx) && (conf_like || nginx >= 2) {
        return Some(InputKind::NginxSnippet);
    }
    passwd_kind(&lines)
}

fn has_apache_section(lines: &[&str]) -> bool {
    const SECTIONS: &[&str] = &[
        "<virtualhost",
        "<directory",
        "<location",
        "<files",
        "<ifmodule",
        "<limit",
        "<requireall",
        "<requireany",
    ];
    lines.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        SECTIONS.iter().any(|s| l.starts_with(s))
    })
}

/// nginx directives common in configs (core, events, http, mail, stream modules).
const NGINX_DIRECTIVES: &[&str] = &[
    "user",
    "worker_processes",
    "pid",
    "error_log",
    "include",
    "events",
    "http",
    "stream",
    "mail",
    "worker_connections",
    "use",
    "multi_accept",
    "server",
    "listen",
    "server_name",
    "root",
    "index",
    "location",
    "return",
    "rewrite",
    "try_files",
    "alias",
    "auth_basic",
    "auth_basic_user_file",
    "auth_request",
    "allow",
    "deny",
    "satisfy",
    "limit_except",
    "proxy_pass",
    "proxy_set_header",
    "proxy_redirect",
    "proxy_buffering",
    "proxy_http_version",
    "proxy_read_timeout",
    "fastcgi_pass",
    "fastcgi_param",
    "fastcgi_index",
    "fastcgi_split_path_info",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "access_log",
    "log_format",
    "sendfile",
    "tcp_nopush",
    "tcp_nodelay",
    "keepalive_timeout",
    "types_hash_max_size",
    "server_tokens",
    "default_type",
    "types",
    "gzip",
    "gzip_types",
    "gzip_vary",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_protocols",
    "ssl_ciphers",
    "ssl_prefer_server_ciphers",
    "ssl_session_cache",
    "ssl_session_timeout",
    "add_header",
    "expires",
    "charset",
    "client_max_body_size",
    "upstream",
    "map",
    "geo",
    "set",
    "if",
    "error_page",
    "internal",
    "autoindex",
    "limit_req",
    "limit_req_zone",
    "limit_conn",
    "limit_conn_zone",
    "resolver",
    "load_module",
    "worker_rlimit_nofile",
    "daemon",
    "server_names_hash_bucket_size",
    "open_file_cache",
    "real_ip_header",
    "set_real_ip_from",
    "sub_filter",
    "ssi",
    "etag",
    "if_modified_since",
    "large_client_header_buffers",
];

/// (Apache evidence, nginx `http {` seen, nginx evidence): lines that start with an
/// Apache directive (any module httpd has) or a section tag; lines that start with an
/// nginx directive and end as nginx statements do.
fn config_scores(lines: &[&str]) -> (usize, bool, usize) {
    let mut apache = 0;
    let mut nginx = 0;
    let mut nginx_main = false;
    for l in lines {
        let lower = l.to_ascii_lowercase();
        let first = lower
            .split(|c: char| c.is_whitespace() || c == '{' || c == ';')
            .next()
            .unwrap_or("");
        let ends_nginx = lower.ends_with(';') || lower.ends_with('{') || lower == "}";
        if lower.starts_with('<') && lower.ends_with('>') {
            apache += 1;
        } else if ends_nginx && (lower == "}" || NGINX_DIRECTIVES.contains(&first)) {
            if matches!(first, "http" | "events") && lower.ends_with('{') {
                nginx_main = true;
            }
            nginx += 1;
        } else if !ends_nginx && !directives::commands(first).is_empty() {
            apache += 1;
        }
    }
    (apache, nginx_main, nginx)
}

/// A name as people and tools write user and group names: `$color-scheme`, `{"id"` or
/// `margin` followed by a CSS value are not.
fn plausible_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+' | '~'))
}

/// Text no hash or password field ends with, but code and style sheets do.
fn ends_like_code(field: &str) -> bool {
    field.ends_with([';', ',', '{', '}', '(', ')']) || field.contains('"')
}

/// Password-file kinds by the shape of their lines; the majority decides.
fn passwd_kind(lines: &[&str]) -> Option<InputKind> {
    let (mut basic, mut digest, mut group, mut other) = (0, 0, 0, 0);
    for l in lines {
        let Some((user, rest)) = l.split_once(':') else {
            other += 1;
            continue;
        };
        if !plausible_name(user) || ends_like_code(rest.trim()) {
            other += 1;
        } else if rest
            .rsplit_once(':')
            .is_some_and(|(_, h)| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            digest += 1;
        } else if rest.starts_with([' ', '\t']) || rest.trim().contains(char::is_whitespace) {
            // Prose ("Users: see the wiki.") ends its words with punctuation.
            if rest
                .split_whitespace()
                .all(|m| plausible_name(m) && !m.ends_with('.'))
            {
                group += 1;
            } else {
                other += 1;
            }
        } else if !rest.is_empty() {
            basic += 1;
        } else {
            other += 1;
        }
    }
    let best = basic.max(digest).max(group);
    if best == 0 || other > best {
        return None;
    }
    Some(if best == basic {
        InputKind::Htpasswd
    } else if best == digest {
        InputKind::Htdigest
    } else {
        InputKind::Htgroup
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(path: &str, content: &str) -> Option<InputKind> {
        detect(Path::new(path), content.as_bytes())
    }

    #[test]
    fn names_win() {
        assert_eq!(
            k("/etc/apache2/apache2.conf", ""),
            Some(InputKind::ApacheMain)
        );
        assert_eq!(
            k("/etc/httpd/conf/httpd.conf", ""),
            Some(InputKind::ApacheMain)
        );
        assert_eq!(k("/etc/nginx/nginx.conf", ""), Some(InputKind::NginxMain));
        assert_eq!(k("/srv/www/.htaccess", ""), Some(InputKind::Htaccess));
        assert_eq!(k("/etc/nginx/.htpasswd", ""), Some(InputKind::Htpasswd));
        assert_eq!(k("/etc/admins.htdigest", ""), Some(InputKind::Htdigest));
        assert_eq!(k("/etc/apache2/.htgroup", ""), Some(InputKind::Htgroup));
    }

    #[test]
    fn content_decides_the_rest() {
        assert_eq!(
            k(
                "/etc/apache2/sites-enabled/000-default.conf",
                "<VirtualHost *:80>\n  DocumentRoot /var/www\n</VirtualHost>\n"
            ),
            Some(InputKind::ApacheSnippet)
        );
        assert_eq!(
            k(
                "/etc/nginx/sites-enabled/default",
                "server {\n  listen 80;\n  location / {\n  }\n}\n"
            ),
            Some(InputKind::NginxSnippet)
        );
        assert_eq!(
            k(
                "/srv/custom-main",
                "user www-data;\nevents {}\nhttp {\n include x;\n}\n"
            ),
            Some(InputKind::NginxMain)
        );
        assert_eq!(
            k("/srv/users", "# users\nalice:$apr1$x$y\nbob:{SHA}abc=\n"),
            Some(InputKind::Htpasswd)
        );
        assert_eq!(
            k(
                "/srv/users",
                "alice:Admin area:0123456789abcdef0123456789abcdef\n"
            ),
            Some(InputKind::Htdigest)
        );
        assert_eq!(
            k("/srv/teams", "admins: alice bob\nops: carol\n"),
            Some(InputKind::Htgroup)
        );
        assert_eq!(
            k("/srv/README", "This directory holds the site.\nSee docs.\n"),
            None
        );
        assert_eq!(k("/srv/blob", "a:b\0c"), None);
        assert_eq!(k("/srv/empty", ""), None);
    }

    #[test]
    fn named_files_are_checked_whatever_their_name() {
        let named = |p: &str, c: &str| detect_named(Path::new(p), c.as_bytes());
        assert_eq!(
            named("/usr/share/wordpress/htaccess", ""),
            Some(InputKind::Htaccess)
        );
        assert_eq!(
            named("/srv/joomla/htaccess.txt", "Options -Indexes\n"),
            Some(InputKind::Htaccess)
        );
        assert_eq!(
            named("/srv/x/sample.htaccess", ""),
            Some(InputKind::Htaccess)
        );
        let comments = "# Depends: ssl\n# nothing else\n";
        assert_eq!(
            named("/etc/apache2/mods-available/ssl.conf", comments),
            Some(InputKind::ApacheSnippet)
        );
        assert_eq!(
            named("/etc/nginx/conf.d/empty.conf", ""),
            Some(InputKind::NginxSnippet)
        );
        assert_eq!(
            named("/etc/apache2/mods-available/dav.load", ""),
            Some(InputKind::ApacheSnippet)
        );
        assert_eq!(named("/srv/notes.txt", "hello\n"), None);
    }

    #[test]
    fn directives_of_any_httpd_module_say_apache() {
        assert_eq!(
            k(
                "/srv/deploy/site",
                "SSLEngine on\nSSLCertificateFile /x\nExpiresActive On\n"
            ),
            Some(InputKind::ApacheSnippet)
        );
        assert_eq!(
            k(
                "/srv/notes",
                "Include the new users.\nOrder the tests.\nThen ship it today and tomorrow.\nDone here.\nOk.\n"
            ),
            None
        );
    }

    #[test]
    fn kind_names_round_trip() {
        for (n, k) in InputKind::NAMES {
            assert_eq!(InputKind::from_name(n), Some(*k));
            assert_eq!(k.name(), *n);
        }
        assert_eq!(InputKind::from_name("iis"), None);
    }
}
