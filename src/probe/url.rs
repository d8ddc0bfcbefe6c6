//! The probed URL: scheme, host, port and request target, and the URLs that answers
//! point to (`Location`), resolved against it.

use crate::model::request::Scheme;

/// An `http` or `https` URL, split the way a client connects and asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: Scheme,
    /// Lowercase; an IPv6 address keeps its brackets (`[::1]`).
    pub host: String,
    pub port: u16,
    /// Path and query as sent (`/a/?x=1`); never empty.
    pub target: String,
}

/// Scheme, host and port: where a client sends credentials it was given for a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
}

pub fn scheme_name(s: Scheme) -> &'static str {
    match s {
        Scheme::Http => "http",
        Scheme::Https => "https",
    }
}

impl Url {
    /// Parse `http[s]://HOST[:PORT][/PATH][?QUERY]`; the fragment is dropped. User
    /// information in the URL is refused: a password there would land in shell history.
    pub fn parse(text: &str) -> Result<Url, String> {
        let text = text.trim();
        let (scheme_text, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("`{text}` is not an http:// or https:// URL"))?;
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                return Err(format!(
                    "`{other}://`: only http:// and https:// can be probed"
                ));
            }
        };
        let rest = rest.split('#').next().unwrap_or("");
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        if authority.contains('@') {
            return Err(
                "the URL holds user information: give the user with --user and the password \
                 with --password-stdin or --password-file"
                    .into(),
            );
        }
        let (host, port) = split_authority(authority, scheme)?;
        if target.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err("the URL's path has spaces or control characters: %-encode them".into());
        }
        let target = match target {
            "" => "/".to_string(),
            t if t.starts_with('?') => format!("/{t}"),
            t => t.to_string(),
        };
        Ok(Url {
            scheme,
            host,
            port,
            target,
        })
    }

    pub fn origin(&self) -> Origin {
        Origin {
            scheme: self.scheme,
            host: self.host.clone(),
            port: self.port,
        }
    }

    /// The host as a `Host` header carries it (the port only when not the default).
    pub fn authority(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The same host and target under the other scheme, on that scheme's default port
    /// (only when this URL is on its own default port: another port is anyone's guess).
    pub fn other_scheme(&self) -> Option<Url> {
        if self.port != self.scheme.default_port() {
            return None;
        }
        let scheme = match self.scheme {
            Scheme::Http => Scheme::Https,
            Scheme::Https => Scheme::Http,
        };
        Some(Url {
            scheme,
            port: scheme.default_port(),
            ..self.clone()
        })
    }

    /// The URL a `Location` value points to, resolved against this one (RFC 3986 §5.2,
    /// without removing dot segments: the server sees the path as sent).
    pub fn join(&self, location: &str) -> Option<Url> {
        let location = location.trim();
        if location.is_empty() {
            return None;
        }
        if location.contains("://") {
            let first_sep = location.find(['/', '?', '#']).unwrap_or(location.len());
            if location.find("://").is_some_and(|i| i < first_sep) {
                return Url::parse(location).ok();
            }
        }
        if let Some(rest) = location.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", scheme_name(self.scheme))).ok();
        }
        let location = location.split('#').next().unwrap_or("");
        let target = if location.starts_with('/') {
            location.to_string()
        } else if location.starts_with('?') {
            let path = self.target.split('?').next().unwrap_or("/");
            format!("{path}{location}")
        } else {
            let path = self.target.split('?').next().unwrap_or("/");
            let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            format!("{dir}{location}")
        };
        Some(Url {
            target: if target.is_empty() {
                "/".into()
            } else {
                target
            },
            ..self.clone()
        })
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}{}",
            scheme_name(self.scheme),
            self.authority(),
            self.target
        )
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}:{}",
            scheme_name(self.scheme),
            self.host,
            self.port
        )
    }
}

fn split_authority(authority: &str, scheme: Scheme) -> Result<(String, u16), String> {
    let bad = || format!("`{authority}` is not a host with an optional :port");
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or_else(bad)?;
        inside.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(bad)?),
        };
        (format!("[{}]", inside.to_ascii_lowercase()), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)));
    if !host_ok {
        return Err(bad());
    }
    let port = match port {
        None | Some("") => scheme.default_port(),
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(bad)?,
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn parses_what_clients_send() {
        let x = u("HTTPS://Shop.Example.com:8443/a%20b/?q=1#frag");
        assert_eq!(x.scheme, Scheme::Https);
        assert_eq!(x.host, "shop.example.com");
        assert_eq!(x.port, 8443);
        assert_eq!(x.target, "/a%20b/?q=1");
        assert_eq!(u("http://h").target, "/");
        assert_eq!(u("http://h?x").target, "/?x");
        assert_eq!(u("http://[::1]:81/").host, "[::1]");
        assert_eq!(u("http://h/").port, 80);
        assert_eq!(u("http://h:80/x").to_string(), "http://h/x");
    }

    #[test]
    fn refuses_what_it_cannot_probe() {
        for bad in [
            "ftp://h/",
            "h/x",
            "http://u:pw@h/",
            "http://h:0/",
            "http://h:99999/",
            "http:///x",
            "http://h/a b",
            "http://[zz]/",
            "http://h h/",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn joins_locations() {
        let base = u("http://h:8080/a/b?x");
        assert_eq!(base.join("/c").unwrap().to_string(), "http://h:8080/c");
        assert_eq!(base.join("c").unwrap().to_string(), "http://h:8080/a/c");
        assert_eq!(base.join("?y").unwrap().to_string(), "http://h:8080/a/b?y");
        assert_eq!(base.join("//o/p").unwrap().to_string(), "http://o/p");
        let abs = base.join("https://h/a/b/").unwrap();
        assert_eq!(abs.origin(), u("https://h:443/").origin());
        assert!(base.join("").is_none());
        assert_eq!(base.join("/x?a=http://y").unwrap().target, "/x?a=http://y");
    }

    #[test]
    fn other_scheme_only_from_default_ports() {
        assert_eq!(
            u("http://h/x").other_scheme().unwrap().to_string(),
            "https://h/x"
        );
        assert!(u("http://h:8080/x").other_scheme().is_none());
    }
}
