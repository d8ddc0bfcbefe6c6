//! What kind of file a path is, from its name and its first bytes.

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

/// The kind `path`'s name alone says (`.htpasswd`, `nginx.conf`, ...), if any.
pub fn by_name(path: &Path) -> Option<InputKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let ext = |e: &str| name.ends_with(&format!(".{e}"));
    match name.as_str() {
        "apache2.conf" | "httpd.conf" => return Some(InputKind::ApacheMain),
        "nginx.conf" => return Some(InputKind::NginxMain),
        ".htaccess" => return Some(InputKind::Htaccess),
        ".htpasswd" | "htpasswd" | ".htpasswords" | "htpasswords" => {
            return Some(InputKind::Htpasswd);
        }
        ".htdigest" | "htdigest" => return Some(InputKind::Htdigest),
        ".htgroup" | "htgroup" | ".htgroups" | "htgroups" | "group" | "groups" => {
            return Some(InputKind::Htgroup);
        }
        _ => {}
    }
    if ext("htpasswd") {
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
    let conf_like = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("conf"))
        || in_config_dir(path);
    let (apache, nginx_main, nginx) = config_scores(&lines);
    if nginx_main {
        return Some(InputKind::NginxMain);
    }
    if apache > 0 && apache >= nginx && (conf_like || apache >= 2 || has_apache_section(&lines)) {
        return Some(InputKind::ApacheSnippet);
    }
    if nginx > 0 && (conf_like || nginx >= 2) {
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

/// (Apache evidence, nginx `http {` seen, nginx evidence).
fn config_scores(lines: &[&str]) -> (usize, bool, usize) {
    const APACHE_DIRECTIVES: &[&str] = &[
        "authtype",
        "authname",
        "authuserfile",
        "authgroupfile",
        "authdigestfile",
        "authbasicprovider",
        "require",
        "satisfy",
        "order",
        "allow",
        "deny",
        "documentroot",
        "servername",
        "serveralias",
        "serverroot",
        "loadmodule",
        "include",
        "includeoptional",
        "options",
        "allowoverride",
        "rewriteengine",
        "rewriterule",
        "rewritecond",
        "errorlog",
        "customlog",
        "directoryindex",
        "errordocument",
        "setenvif",
        "header",
        "alias",
        "scriptalias",
        "addtype",
        "addhandler",
        "listen",
        "user",
        "group",
        "define",
    ];
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
        } else if ends_nginx {
            if matches!(first, "http" | "events") && lower.ends_with('{') {
                nginx_main = true;
            }
            nginx += 1;
        } else if APACHE_DIRECTIVES.contains(&first) {
            apache += 1;
        }
    }
    (apache, nginx_main, nginx)
}

/// Password-file kinds by the shape of their lines; the majority decides.
fn passwd_kind(lines: &[&str]) -> Option<InputKind> {
    let (mut basic, mut digest, mut group, mut other) = (0, 0, 0, 0);
    for l in lines {
        let Some((user, rest)) = l.split_once(':') else {
            other += 1;
            continue;
        };
        if user.is_empty() || user.contains(char::is_whitespace) {
            other += 1;
        } else if rest
            .rsplit_once(':')
            .is_some_and(|(_, h)| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            digest += 1;
        } else if rest.starts_with([' ', '\t']) || rest.trim().contains(char::is_whitespace) {
            group += 1;
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
    fn kind_names_round_trip() {
        for (n, k) in InputKind::NAMES {
            assert_eq!(InputKind::from_name(n), Some(*k));
            assert_eq!(k.name(), *n);
        }
        assert_eq!(InputKind::from_name("iis"), None);
    }
}
