//! URL to file name (the translate_name hooks): mod_proxy's `ProxyPass` and mod_rewrite's
//! server-level rules first (they decide outside the configuration: reported as such),
//! then mod_alias (`Redirect*` before `Alias*`/`ScriptAlias*`, the virtual host's before
//! the main server's, first match wins), then core's DocumentRoot.

use crate::model::apache::ApacheModel;
use crate::model::apache::config::ScopedDir;
use crate::source::Span;
use std::path::PathBuf;

/// Where translation sends a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Translation {
    /// A file name, from the directive that mapped it (None: the compiled-in DocumentRoot).
    File {
        filename: String,
        by: Option<Span>,
        what: String,
        /// `ScriptAlias`: the CGI handler is forced.
        cgi: bool,
    },
    /// A `Redirect` answers with this status before any access check.
    Redirect { status: u16, to: String, by: Span },
    /// Decided outside the configuration (a backend, a rewrite rule).
    Elsewhere { what: String, by: Span },
}

/// The server-level directives named `name` in effect for `server`: the virtual host's
/// first, then the main server's (mod_alias's server merge puts the vhost's first).
fn server_level<'m>(
    m: &'m ApacheModel,
    server: usize,
    names: &'m [&'m str],
) -> impl Iterator<Item = &'m ScopedDir> + 'm {
    let own = (server != 0).then(|| m.servers[server].defaults);
    own.into_iter()
        .chain(std::iter::once(m.servers[0].defaults))
        .flat_map(move |s| m.scopes[s].directives.iter())
        .filter(move |d| !d.conditional && names.iter().any(|n| d.dir.is(n)))
}

/// Translate `uri` (decoded) for `server`.
pub fn translate(m: &ApacheModel, server: usize, uri: &str) -> Translation {
    if let Some(t) = proxied(m, server, uri).or_else(|| rewritten(m, server, uri)) {
        return t;
    }
    if m.has_module("alias_module") {
        if let Some(t) = redirect(m, server, uri) {
            return t;
        }
        if let Some(t) = alias(m, server, uri) {
            return t;
        }
    }
    let root = m
        .document_root(server)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/www/html"));
    let by = m.servers[server]
        .document_root
        .as_ref()
        .or(m.servers[0].document_root.as_ref())
        .and_then(|(_, s)| *s);
    let rest = uri.trim_start_matches('/');
    let mut filename = root.to_string_lossy().trim_end_matches('/').to_string();
    filename.push('/');
    filename.push_str(rest);
    Translation::File {
        what: format!("DocumentRoot {} maps {uri} to {filename}", root.display()),
        filename,
        by,
        cgi: false,
    }
}

/// `ProxyPass /path backend` (mod_proxy loaded): the backend answers.
fn proxied(m: &ApacheModel, server: usize, uri: &str) -> Option<Translation> {
    if !m.has_module("proxy_module") {
        return None;
    }
    server_level(m, server, &["ProxyPass", "ProxyPassMatch"]).find_map(|d| {
        let path = d.dir.arg(0)?;
        let backend = d.dir.arg(1).unwrap_or("");
        let hit = if d.dir.is("ProxyPassMatch") {
            regex::Regex::new(path).is_ok_and(|r| r.is_match(uri))
        } else {
            alias_matches(uri, path).is_some()
        };
        (hit && backend != "!").then(|| Translation::Elsewhere {
            what: format!("ProxyPass sends {uri} to {backend}: the backend answers"),
            by: d.dir.span,
        })
    })
}

/// Server-level mod_rewrite rules whose pattern matches the URL (their conditions and
/// substitutions are not modelled).
fn rewritten(m: &ApacheModel, server: usize, uri: &str) -> Option<Translation> {
    if !m.has_module("rewrite_module") {
        return None;
    }
    // RewriteEngine is per server: a virtual host does not inherit the main server's.
    let scope = &m.scopes[m.servers[server].defaults];
    let on = scope
        .last("RewriteEngine")
        .and_then(|d| d.dir.arg(0))
        .is_some_and(|v| v.eq_ignore_ascii_case("on"));
    if !on {
        return None;
    }
    scope.find("RewriteRule").find_map(|(_, d)| {
        let pattern = d.dir.arg(0)?;
        let (negate, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        let icase = d
            .dir
            .arg(2)
            .is_some_and(|f| f.to_ascii_lowercase().contains("nc"));
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(icase)
            .build()
            .ok()?;
        (re.is_match(uri) != negate).then(|| Translation::Elsewhere {
            what: format!(
                "a mod_rewrite rule matches {uri} (its conditions and target are not modelled)"
            ),
            by: d.dir.span,
        })
    })
}

/// mod_alias's `alias_matches`: a URL-path prefix on segment boundaries, any run of
/// slashes matching any other; the length of the URL matched.
pub fn alias_matches(uri: &str, fake: &str) -> Option<usize> {
    let (u, a) = (uri.as_bytes(), fake.as_bytes());
    let (mut i, mut j) = (0, 0);
    while j < a.len() {
        if a[j] == b'/' {
            if u.get(i) != Some(&b'/') {
                return None;
            }
            while a.get(j) == Some(&b'/') {
                j += 1;
            }
            while u.get(i) == Some(&b'/') {
                i += 1;
            }
        } else {
            if u.get(i) != Some(&a[j]) {
                return None;
            }
            i += 1;
            j += 1;
        }
    }
    if a.last() != Some(&b'/') && i < u.len() && u[i] != b'/' {
        return None;
    }
    (i > 0).then_some(i)
}

/// `ap_pregsub`: `$0`…`$9` and `&`-free substitution (a backslash escapes the next byte).
fn substitute(template: &str, caps: &regex::Captures<'_>) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let n = chars.next().and_then(|d| d.to_digit(10)).unwrap_or(0) as usize;
                out.push_str(caps.get(n).map_or("", |m| m.as_str()));
            }
            '\\' if matches!(chars.peek(), Some('$') | Some('\\')) => {
                out.extend(chars.next());
            }
            c => out.push(c),
        }
    }
    out
}

/// The status and target of a `Redirect*` line (mod_alias's `add_redirect_internal`).
fn redirect_parts(d: &ScopedDir) -> Option<(u16, Option<String>, String)> {
    let args: Vec<&str> = d.dir.args.iter().map(|a| a.value.as_str()).collect();
    let default = if d.dir.is("RedirectPermanent") {
        301
    } else {
        302
    };
    let status = |w: &str| -> Option<u16> {
        Some(match w.to_ascii_lowercase().as_str() {
            "permanent" => 301,
            "temp" => 302,
            "seeother" => 303,
            "gone" => 410,
            n if n.starts_with(|c: char| c.is_ascii_digit()) => n.parse().ok()?,
            _ => return None,
        })
    };
    let plain = d.dir.is("Redirect") || d.dir.is("RedirectMatch");
    match args.as_slice() {
        [s, path, url] if plain => Some((status(s)?, Some(url.to_string()), path.to_string())),
        [s, path] if plain && status(s).is_some_and(|st| !(300..400).contains(&st)) => {
            Some((status(s)?, None, path.to_string()))
        }
        [path, url] => Some((default, Some(url.to_string()), path.to_string())),
        _ => None,
    }
}

fn redirect(m: &ApacheModel, server: usize, uri: &str) -> Option<Translation> {
    let names = [
        "Redirect",
        "RedirectMatch",
        "RedirectPermanent",
        "RedirectTemp",
    ];
    server_level(m, server, &names).find_map(|d| {
        let (status, url, pattern) = redirect_parts(d)?;
        let target = if d.dir.is("RedirectMatch") {
            let re = regex::Regex::new(&pattern).ok()?;
            let caps = re.captures(uri)?;
            url.map(|u| substitute(&u, &caps)).unwrap_or_default()
        } else {
            let n = alias_matches(uri, &pattern)?;
            url.map(|u| format!("{u}{}", &uri[n..])).unwrap_or_default()
        };
        Some(Translation::Redirect {
            status,
            to: target,
            by: d.dir.span,
        })
    })
}

fn alias(m: &ApacheModel, server: usize, uri: &str) -> Option<Translation> {
    let names = ["Alias", "AliasMatch", "ScriptAlias", "ScriptAliasMatch"];
    server_level(m, server, &names).find_map(|d| {
        let (fake, real) = (d.dir.arg(0)?, d.dir.arg(1)?);
        let is_regex = d.dir.is("AliasMatch") || d.dir.is("ScriptAliasMatch");
        let found = if is_regex {
            let re = regex::Regex::new(fake).ok()?;
            let caps = re.captures(uri)?;
            substitute(real, &caps)
        } else {
            let n = alias_matches(uri, fake)?;
            format!("{real}{}", &uri[n..])
        };
        let filename = m.resolve(&found).to_string_lossy().into_owned();
        Some(Translation::File {
            what: format!("{} maps {uri} to {filename}", d.dir.name),
            filename,
            by: Some(d.dir.span),
            cgi: d.dir.is("ScriptAlias") || d.dir.is("ScriptAliasMatch"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_prefixes_match_on_segments() {
        assert_eq!(alias_matches("/icons/a.png", "/icons/"), Some(7));
        assert_eq!(alias_matches("/icons", "/icons/"), None);
        assert_eq!(alias_matches("/icons", "/icons"), Some(6));
        assert_eq!(alias_matches("/iconsx", "/icons"), None);
        assert_eq!(alias_matches("/icons/x", "/icons"), Some(6));
        assert_eq!(alias_matches("//icons//x", "/icons/"), Some(9));
    }

    #[test]
    fn substitution() {
        let re = regex::Regex::new("^/u/([^/]+)/(.*)$").unwrap();
        let caps = re.captures("/u/bob/x.html").unwrap();
        assert_eq!(substitute("/home/$1/www/$2", &caps), "/home/bob/www/x.html");
    }
}
