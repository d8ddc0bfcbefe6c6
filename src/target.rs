//! Target profiles: which server(s) and platform the checked files will run on.
//! This decides which hash schemes work and how whitespace is read.

use serde::Serialize;

/// A server whose behaviour a finding predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Server {
    Apache,
    Nginx,
}

impl Server {
    pub fn as_str(self) -> &'static str {
        match self {
            Server::Apache => "apache",
            Server::Nginx => "nginx",
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
    ];

    /// Parse `--target` values, e.g. `["apache", "nginx-glibc-legacy"]`.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        if names.is_empty() {
            return Ok(Profile::default());
        }
        let mut p = Profile {
            apache: false,
            nginx: false,
            crypt_has_bcrypt: true,
            crypt_has_yescrypt: true,
            apache_windows: false,
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

    /// The servers this profile covers.
    pub fn servers(&self) -> Vec<Server> {
        let mut v = Vec::new();
        if self.apache {
            v.push(Server::Apache);
        }
        if self.nginx {
            v.push(Server::Nginx);
        }
        v
    }

    /// The same platform, restricted to one server (for files only that server reads).
    pub fn only(&self, server: Server) -> Profile {
        let mut p = self.clone();
        p.apache = server == Server::Apache;
        p.nginx = server == Server::Nginx;
        p
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
}
