//! Target profiles: which server(s) and platform the checked files will run on.
//! This decides which hash schemes work and how whitespace is read.
//!
//! Apache and nginx are modelled from their configs (`model`); the other programs that
//! read htpasswd files (lighttpd, the Docker registry, Verdaccio) are profiles of data in
//! [`reader`]: how they read lines here, which schemes they verify in `hash::support`.

pub mod reader;

use serde::Serialize;

/// A server whose behaviour a finding predicts. Apache and nginx are known from their
/// configs; the other programs read password files only ([`reader`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Server {
    Apache,
    Nginx,
    Lighttpd,
    DockerRegistry,
    Verdaccio,
}

impl Server {
    pub fn as_str(self) -> &'static str {
        match self {
            Server::Apache => "apache",
            Server::Nginx => "nginx",
            Server::Lighttpd => "lighttpd",
            Server::DockerRegistry => "docker-registry",
            Server::Verdaccio => "verdaccio",
        }
    }
}

/// What the checked files will be served by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Apache httpd 2.4 reads the files.
    pub apache: bool,
    /// nginx reads the files.
    pub nginx: bool,
    /// The platform crypt() has bcrypt (libxcrypt, musl). False for classic glibc builds.
    pub crypt_has_bcrypt: bool,
    /// The platform crypt() has yescrypt (libxcrypt).
    pub crypt_has_yescrypt: bool,
    /// Apache runs on Windows (plaintext accepted, no platform crypt()).
    pub apache_windows: bool,
    /// lighttpd (mod_authn_file, `auth.backend = "htpasswd"`) reads the files.
    pub lighttpd: bool,
    /// The Docker Distribution registry (`auth: htpasswd`) reads the files.
    pub docker_registry: bool,
    /// Verdaccio (its htpasswd plugin) reads the files.
    pub verdaccio: bool,
}

impl Default for Profile {
    /// Both Apache 2.4 and nginx on a current Linux (libxcrypt).
    fn default() -> Self {
        Profile {
            apache: true,
            nginx: true,
            crypt_has_bcrypt: true,
            crypt_has_yescrypt: true,
            apache_windows: false,
            lighttpd: false,
            docker_registry: false,
            verdaccio: false,
        }
    }
}

impl Profile {
    /// Names accepted by `--target` (comma-separated, combinable).
    pub const NAMES: &'static [(&'static str, &'static str)] = &[
        ("apache", "Apache httpd 2.4 on a current Linux"),
        (
            "apache-windows",
            "Apache httpd 2.4 on Windows (no system crypt())",
        ),
        (
            "nginx",
            "nginx on a current Linux (libxcrypt or musl: bcrypt, yescrypt)",
        ),
        (
            "nginx-glibc-legacy",
            "nginx on a classic glibc without bcrypt or yescrypt in crypt()",
        ),
        (
            "all",
            "Apache 2.4 and nginx on a current Linux (the default)",
        ),
        (
            "lighttpd",
            "lighttpd 1.4 (mod_authn_file, auth.backend = \"htpasswd\")",
        ),
        (
            "docker-registry",
            "the Docker Distribution registry 2.x (auth: htpasswd; bcrypt only)",
        ),
        ("verdaccio", "Verdaccio 6 (its htpasswd auth plugin)"),
    ];

    /// Parse `--target` values, e.g. `["apache", "nginx-glibc-legacy"]`.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        if names.is_empty() {
            return Ok(Profile::default());
        }
        let mut p = Profile {
            apache: false,
            nginx: false,
            ..Profile::default()
        };
        for name in names {
            for part in name
                .as_ref()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match part {
                    "apache" => p.apache = true,
                    "apache-windows" => {
                        p.apache = true;
                        p.apache_windows = true;
                    }
                    "nginx" => p.nginx = true,
                    "nginx-glibc-legacy" => {
                        p.nginx = true;
                        p.crypt_has_bcrypt = false;
                        p.crypt_has_yescrypt = false;
                    }
                    "all" => {
                        p.apache = true;
                        p.nginx = true;
                    }
                    "lighttpd" => p.lighttpd = true,
                    "docker-registry" => p.docker_registry = true,
                    "verdaccio" => p.verdaccio = true,
                    other => {
                        let known: Vec<_> = Self::NAMES.iter().map(|(n, _)| *n).collect();
                        return Err(format!(
                            "unknown target `{other}`; expected one of: {}",
                            known.join(", ")
                        ));
                    }
                }
            }
        }
        Ok(p)
    }

    /// The servers this profile covers, in `Server` order.
    pub fn servers(&self) -> Vec<Server> {
        [
            (self.apache, Server::Apache),
            (self.nginx, Server::Nginx),
            (self.lighttpd, Server::Lighttpd),
            (self.docker_registry, Server::DockerRegistry),
            (self.verdaccio, Server::Verdaccio),
        ]
        .into_iter()
        .filter_map(|(on, server)| on.then_some(server))
        .collect()
    }

    /// The programs other than Apache and nginx this profile covers: they read password
    /// files on their own (htguard reads none of their configs).
    pub fn readers(&self) -> impl Iterator<Item = &'static reader::Reader> + '_ {
        reader::ALL
            .iter()
            .copied()
            .filter(|r| self.covers(r.server))
    }

    /// Whether `server` reads the files under this profile.
    pub fn covers(&self, server: Server) -> bool {
        match server {
            Server::Apache => self.apache,
            Server::Nginx => self.nginx,
            Server::Lighttpd => self.lighttpd,
            Server::DockerRegistry => self.docker_registry,
            Server::Verdaccio => self.verdaccio,
        }
    }
}

/// A server's name for messages: "Apache", "nginx", "the Docker registry", ...
pub fn display_name(server: Server) -> &'static str {
    match server {
        Server::Apache => "Apache",
        Server::Nginx => "nginx",
        other => reader::of(other).map_or(other.as_str(), |r| r.display),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_combined_targets() {
        let p = Profile::from_names(&["apache,nginx-glibc-legacy"]).unwrap();
        assert!(p.apache && p.nginx && !p.crypt_has_bcrypt);
        assert!(
            Profile::from_names(&["iis"])
                .unwrap_err()
                .contains("unknown target")
        );
        assert_eq!(
            Profile::from_names::<&str>(&[]).unwrap(),
            Profile::default()
        );
    }

    #[test]
    fn readers_combine_with_servers() {
        let p = Profile::from_names(&["docker-registry", "verdaccio,apache"]).unwrap();
        assert_eq!(
            p.servers(),
            [Server::Apache, Server::DockerRegistry, Server::Verdaccio]
        );
        let readers: Vec<_> = p.readers().map(|r| r.server).collect();
        assert_eq!(readers, [Server::DockerRegistry, Server::Verdaccio]);
        assert!(Profile::default().readers().next().is_none());
        // Every name `--target` lists parses.
        for (name, _) in Profile::NAMES {
            assert!(Profile::from_names(&[name]).is_ok(), "{name}");
        }
    }
}
