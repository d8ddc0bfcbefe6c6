//! Which server accepts which hash: one table, one place.
//!
//! Sources: apr-util 1.6 `apr_password_validate` (Apache verifies `$2a$`/`$2y$`, `$apr1$`
//! and `{SHA}` itself and hands everything else to crypt_r(); a NULL from crypt_r is a
//! mismatch, i.e. 401. On Windows there is no crypt(): everything else is compared as
//! plaintext), nginx `ngx_crypt` (`$apr1$`, `{PLAIN}`, `{SSHA}`, `{SHA}` built in, the rest
//! through crypt_r(); a NULL from crypt_r is logged as "crypt_r() failed" and answered with
//! 500), and the observations in spec/passwd-files.md.
//!
//! libxcrypt (Debian 11+, and musl) returns a `*0` token instead of NULL, so there unknown
//! or malformed hashes give 401; classic glibc returns NULL for schemes it lacks and for a
//! DES salt outside `[./0-9A-Za-z]`, which nginx turns into 500.
//!
//! The other readers (docs/readers.md, observed by tests/reader_profiles.rs): lighttpd 1.4
//! verifies `{SHA}` and `$apr1$` itself and hands a hash of 13 or more bytes to crypt()
//! (a NULL is a mismatch: 401, never 500); the Docker registry uses Go's bcrypt and nothing
//! else; Verdaccio's htpasswd plugin knows `$2a$`/`$2b$`/`$2y$` (bcryptjs), `{PLAIN}`, `{SHA}`,
//! and tries everything else as apr1/MD5-crypt (the `apache-md5` package) and DES
//! (`unix-crypt-td-js`) — both hash the password's UTF-16 code units as bytes, so they match
//! only ASCII passwords.

use crate::target::Profile;
use crate::target::Server;

use super::{BCRYPT_MAX_PASSWORD, BcryptVariant, DES_MAX_PASSWORD, HashInfo, Kind, Scheme};

/// What a server does with a correct password for a hash of some kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Support {
    /// The login works.
    Works,
    /// The login works, but only the first `max_bytes` bytes of the password count.
    Truncates { max_bytes: usize },
    /// The login works only for an ASCII password (and, with `max_bytes`, only the first
    /// that many count): the reader hashes the password's characters, not its UTF-8 bytes.
    AsciiOnly { max_bytes: Option<usize> },
    /// Every login is refused with 401.
    Always401 { reason: String },
    /// The server fails with 500 on every login attempt for this user.
    Error500 { reason: String },
}

impl Support {
    /// The login can succeed.
    pub fn works(&self) -> bool {
        matches!(
            self,
            Support::Works | Support::Truncates { .. } | Support::AsciiOnly { .. }
        )
    }

    /// The login succeeds with this password.
    pub fn works_with(&self, password: &[u8]) -> bool {
        match self {
            Support::AsciiOnly { .. } => password.is_ascii(),
            other => other.works(),
        }
    }
}

/// A capability of the platform crypt(), from the profile.
#[derive(Clone, Copy)]
enum Feature {
    /// bcrypt in crypt() (libxcrypt, musl; not classic glibc).
    Bcrypt,
    /// libxcrypt itself: yescrypt, gost-yescrypt, scrypt, and `*0` instead of NULL.
    Libxcrypt,
}

impl Feature {
    fn present(self, p: &Profile) -> bool {
        match self {
            Feature::Bcrypt => p.crypt_has_bcrypt,
            Feature::Libxcrypt => p.crypt_has_yescrypt,
        }
    }
}

/// One table cell.
#[derive(Clone, Copy)]
enum Cell {
    Works,
    Truncates(usize),
    AsciiOnly(Option<usize>),
    Deny(&'static str),
    Fail500(&'static str),
    /// Decided by the platform crypt(): `then` if it has the feature, else `otherwise`.
    Crypt(Feature, &'static Cell, &'static Cell),
}

/// Which row of the table a kind uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    BcryptAY,
    BcryptB,
    BcryptX,
    Apr1,
    Md5Crypt,
    ShaCrypt,
    Yescrypt,
    OtherCrypt,
    Des,
    Sha1,
    Ssha,
    PlainPrefixed,
    Bare,
    Token,
}

fn row(kind: &Kind) -> Row {
    match kind {
        Kind::Bcrypt {
            variant: BcryptVariant::A | BcryptVariant::Y,
        } => Row::BcryptAY,
        Kind::Bcrypt {
            variant: BcryptVariant::B,
        } => Row::BcryptB,
        Kind::Bcrypt {
            variant: BcryptVariant::X,
        } => Row::BcryptX,
        Kind::Apr1 => Row::Apr1,
        Kind::Md5Crypt => Row::Md5Crypt,
        Kind::Sha256Crypt | Kind::Sha512Crypt => Row::ShaCrypt,
        Kind::Yescrypt => Row::Yescrypt,
        Kind::OtherCrypt { .. } => Row::OtherCrypt,
        Kind::DesCrypt => Row::Des,
        Kind::Sha1 => Row::Sha1,
        Kind::Ssha => Row::Ssha,
        Kind::PlainPrefixed => Row::PlainPrefixed,
        Kind::Unknown => Row::Bare,
        Kind::CryptFailureToken | Kind::Empty => Row::Token,
    }
}

const NO_CRYPT_WIN: &str = "Apache on Windows has no crypt(): it compares the password \
                            with this text as plaintext";
const NO_BCRYPT_NGINX: &str = "this platform's crypt_r() has no bcrypt: nginx logs \
                               \"crypt_r() failed\" and answers 500";
const NO_BCRYPT_APACHE: &str = "Apache verifies only $2a$/$2y$ itself and this platform's \
                                crypt() has no bcrypt";
const NO_BCRYPT_CRYPT: &str = "this platform's crypt() has no bcrypt";
const NO_YESCRYPT_CRYPT: &str = "this platform's crypt() has no yescrypt";
const NO_YESCRYPT_NGINX: &str = "this platform's crypt_r() has no yescrypt: nginx logs \
                                 \"crypt_r() failed\" and answers 500";
const NO_SCHEME_APACHE: &str = "this platform's crypt() does not know this scheme";
const NO_SCHEME_NGINX: &str = "this platform's crypt_r() does not know this scheme: nginx \
                               logs \"crypt_r() failed\" and answers 500";
const NOT_A_HASH_NGINX: &str = "classic glibc's crypt_r() returns NULL for this text: nginx \
                                logs \"crypt_r() failed\" and answers 500";
const NO_MATCH: &str = "no password matches an empty hash or crypt()'s failure token";
const REGISTRY_BCRYPT_ONLY: &str = "the Docker registry verifies bcrypt hashes only";
const VERDACCIO_NO_CRYPT: &str = "Verdaccio has no crypt(): besides bcrypt, {SHA} and \
                                  {PLAIN} it tries only apr1/MD5-crypt and DES";

const T72: Cell = Cell::Truncates(BCRYPT_MAX_PASSWORD);
const LIGHTTPD_BCRYPT: Cell = Cell::Crypt(Feature::Bcrypt, &T72, &Cell::Deny(NO_BCRYPT_CRYPT));
const APACHE_BCRYPT_BX: Cell = Cell::Crypt(Feature::Bcrypt, &T72, &Cell::Deny(NO_BCRYPT_APACHE));
const NGINX_BCRYPT: Cell = Cell::Crypt(Feature::Bcrypt, &T72, &Cell::Fail500(NO_BCRYPT_NGINX));
const APACHE_BX_WIN: Cell = Cell::Deny(
    "Apache on Windows verifies only $2a$/$2y$ bcrypt and has no crypt() for $2b$/$2x$ \
     (write $2y$)",
);
const LIBXCRYPT_ONLY: Cell = Cell::Crypt(
    Feature::Libxcrypt,
    &Cell::Works,
    &Cell::Deny(NO_SCHEME_APACHE),
);

/// One row: what each server does (Apache on Unix and on Windows are two columns).
struct Cells {
    apache: Cell,
    apache_windows: Cell,
    nginx: Cell,
    lighttpd: Cell,
    docker_registry: Cell,
    verdaccio: Cell,
}

/// The table.
static TABLE: &[(Row, Cells)] = &[
    (
        Row::BcryptAY,
        Cells {
            apache: T72,
            apache_windows: T72,
            nginx: NGINX_BCRYPT,
            lighttpd: LIGHTTPD_BCRYPT,
            docker_registry: T72,
            verdaccio: T72,
        },
    ),
    (
        Row::BcryptB,
        Cells {
            apache: APACHE_BCRYPT_BX,
            apache_windows: APACHE_BX_WIN,
            nginx: NGINX_BCRYPT,
            lighttpd: LIGHTTPD_BCRYPT,
            docker_registry: T72,
            verdaccio: T72,
        },
    ),
    (
        Row::BcryptX,
        Cells {
            apache: APACHE_BCRYPT_BX,
            apache_windows: APACHE_BX_WIN,
            nginx: NGINX_BCRYPT,
            lighttpd: LIGHTTPD_BCRYPT,
            docker_registry: T72,
            verdaccio: Cell::Deny(
                "Verdaccio verifies bcrypt only as $2a$, $2b$ or $2y$ (write $2y$)",
            ),
        },
    ),
    (
        Row::Apr1,
        Cells {
            apache: Cell::Works,
            apache_windows: Cell::Works,
            nginx: Cell::Works,
            lighttpd: Cell::Works,
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::AsciiOnly(None),
        },
    ),
    (
        Row::Md5Crypt,
        Cells {
            apache: Cell::Works,
            apache_windows: Cell::Deny(NO_CRYPT_WIN),
            nginx: Cell::Works,
            lighttpd: Cell::Works,
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::AsciiOnly(None),
        },
    ),
    (
        Row::ShaCrypt,
        Cells {
            apache: Cell::Works,
            apache_windows: Cell::Deny(NO_CRYPT_WIN),
            nginx: Cell::Works,
            lighttpd: Cell::Works,
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Deny(VERDACCIO_NO_CRYPT),
        },
    ),
    (
        Row::Yescrypt,
        Cells {
            apache: Cell::Crypt(
                Feature::Libxcrypt,
                &Cell::Works,
                &Cell::Deny(NO_YESCRYPT_CRYPT),
            ),
            apache_windows: Cell::Deny(NO_CRYPT_WIN),
            nginx: Cell::Crypt(
                Feature::Libxcrypt,
                &Cell::Works,
                &Cell::Fail500(NO_YESCRYPT_NGINX),
            ),
            lighttpd: Cell::Crypt(
                Feature::Libxcrypt,
                &Cell::Works,
                &Cell::Deny(NO_YESCRYPT_CRYPT),
            ),
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Deny(VERDACCIO_NO_CRYPT),
        },
    ),
    (
        Row::OtherCrypt,
        Cells {
            apache: LIBXCRYPT_ONLY,
            apache_windows: Cell::Deny(NO_CRYPT_WIN),
            nginx: Cell::Crypt(
                Feature::Libxcrypt,
                &Cell::Works,
                &Cell::Fail500(NO_SCHEME_NGINX),
            ),
            lighttpd: LIBXCRYPT_ONLY,
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Deny(VERDACCIO_NO_CRYPT),
        },
    ),
    (
        Row::Des,
        Cells {
            apache: Cell::Truncates(DES_MAX_PASSWORD),
            apache_windows: Cell::Deny(NO_CRYPT_WIN),
            nginx: Cell::Truncates(DES_MAX_PASSWORD),
            lighttpd: Cell::Truncates(DES_MAX_PASSWORD),
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::AsciiOnly(Some(DES_MAX_PASSWORD)),
        },
    ),
    (
        Row::Sha1,
        Cells {
            apache: Cell::Works,
            apache_windows: Cell::Works,
            nginx: Cell::Works,
            lighttpd: Cell::Works,
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Works,
        },
    ),
    (
        Row::Ssha,
        Cells {
            apache: Cell::Deny("Apache has no {SSHA}: crypt() rejects it"),
            apache_windows: Cell::Deny(
                "Apache has no {SSHA}: on Windows it is compared as plaintext",
            ),
            nginx: Cell::Works,
            lighttpd: Cell::Deny("lighttpd has no {SSHA}: crypt() rejects it"),
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Deny("Verdaccio has no {SSHA}"),
        },
    ),
    (
        Row::PlainPrefixed,
        Cells {
            apache: Cell::Deny("Apache has no {PLAIN}: crypt() rejects it (nginx-only syntax)"),
            apache_windows: Cell::Deny(
                "Apache has no {PLAIN}: on Windows the whole text, prefix included, is \
                 compared as plaintext",
            ),
            nginx: Cell::Works,
            lighttpd: Cell::Deny("lighttpd has no {PLAIN}: crypt() rejects it"),
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Works,
        },
    ),
    (
        Row::Bare,
        Cells {
            apache: Cell::Deny(
                "Apache on Unix hands plaintext to crypt(), which does not treat it as a \
                 password (plaintext works only on Windows)",
            ),
            apache_windows: Cell::Works,
            nginx: Cell::Deny(
                "nginx hands plaintext to crypt_r(), which does not treat it as a password \
                 (write {PLAIN} for nginx, or better a hash); with classic glibc a text not \
                 starting with two [./0-9A-Za-z] characters even gives 500",
            ),
            lighttpd: Cell::Deny(
                "lighttpd hands plaintext of 13 bytes or more to crypt(), which does not \
                 treat it as a password, and matches nothing shorter",
            ),
            docker_registry: Cell::Deny(REGISTRY_BCRYPT_ONLY),
            verdaccio: Cell::Deny(
                "Verdaccio compares plaintext only after a {PLAIN} prefix; bare text is \
                 tried as an MD5-crypt or DES hash",
            ),
        },
    ),
    (
        Row::Token,
        Cells {
            apache: Cell::Deny(NO_MATCH),
            apache_windows: Cell::Deny(NO_MATCH),
            nginx: Cell::Crypt(
                Feature::Libxcrypt,
                &Cell::Deny(NO_MATCH),
                &Cell::Fail500(NOT_A_HASH_NGINX),
            ),
            lighttpd: Cell::Deny(NO_MATCH),
            docker_registry: Cell::Deny(NO_MATCH),
            verdaccio: Cell::Deny(NO_MATCH),
        },
    ),
];

fn resolve(cell: &Cell, profile: &Profile) -> Support {
    match *cell {
        Cell::Works => Support::Works,
        Cell::Truncates(max_bytes) => Support::Truncates { max_bytes },
        Cell::AsciiOnly(max_bytes) => Support::AsciiOnly { max_bytes },
        Cell::Deny(reason) => Support::Always401 {
            reason: reason.to_string(),
        },
        Cell::Fail500(reason) => Support::Error500 {
            reason: reason.to_string(),
        },
        Cell::Crypt(feature, then, otherwise) => resolve(
            if feature.present(profile) {
                then
            } else {
                otherwise
            },
            profile,
        ),
    }
}

/// What `server` (on the platform `profile` describes) does with a correct password for a
/// well-formed hash of `kind`. For a hash that may be malformed use [`support_for`].
pub fn support(kind: &Kind, server: Server, profile: &Profile) -> Support {
    let r = row(kind);
    let Some((_, cells)) = TABLE.iter().find(|(row, _)| *row == r) else {
        // Every Row has a table line (tested); be conservative if one were missing.
        return Support::Always401 {
            reason: "unknown hash kind".into(),
        };
    };
    let cell = match server {
        Server::Apache if profile.apache_windows => &cells.apache_windows,
        Server::Apache => &cells.apache,
        Server::Nginx => &cells.nginx,
        Server::Lighttpd => &cells.lighttpd,
        Server::DockerRegistry => &cells.docker_registry,
        Server::Verdaccio => &cells.verdaccio,
    };
    resolve(cell, profile)
}

/// Like [`support`], but a malformed hash is 401 wherever the scheme would otherwise work
/// (a server error for the scheme itself still wins: it happens before any comparison).
pub fn support_for(info: &HashInfo, server: Server, profile: &Profile) -> Support {
    let base = support(&info.kind, server, profile);
    match (&info.malformed, base) {
        (Some(m), s) if s.works() => Support::Always401 {
            reason: format!("malformed hash: {m}"),
        },
        (_, s) => s,
    }
}

/// Schemes tried, in order, when `--target` is given without `--scheme`: the strong ones,
/// then the MD5-based ones some readers still need (never DES, `{SHA}` or plaintext).
pub const PICKABLE: [Scheme; 5] = [
    Scheme::Bcrypt,
    Scheme::Sha512Crypt,
    Scheme::Sha256Crypt,
    Scheme::Apr1,
    Scheme::Md5Crypt,
];

/// A server of the profile that cannot verify hashes of a scheme, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub server: Server,
    pub support: Support,
}

/// The servers of `profile` that cannot verify a hash of `scheme` htguard writes.
pub fn refusals(scheme: Scheme, profile: &Profile) -> Vec<Refusal> {
    profile
        .servers()
        .into_iter()
        .map(|server| Refusal {
            server,
            support: support(&scheme.kind(), server, profile),
        })
        .filter(|r| !r.support.works())
        .collect()
}

/// The scheme to write for `profile`: `wanted` if every server verifies it, else the first
/// of [`PICKABLE`] they all verify. `Err` holds what refused `wanted` (or, with no
/// `wanted`, what refused bcrypt, the default).
pub fn choose_scheme(wanted: Option<Scheme>, profile: &Profile) -> Result<Scheme, Vec<Refusal>> {
    if let Some(scheme) = wanted {
        let refused = refusals(scheme, profile);
        return if refused.is_empty() {
            Ok(scheme)
        } else {
            Err(refused)
        };
    }
    PICKABLE
        .into_iter()
        .find(|s| refusals(*s, profile).is_empty())
        .ok_or_else(|| refusals(Scheme::Bcrypt, profile))
}

/// The servers of `profile` that accept `scheme` but would not match this `password`
/// (a reader that matches only ASCII passwords).
pub fn password_refusals(scheme: Scheme, password: &[u8], profile: &Profile) -> Vec<Refusal> {
    profile
        .servers()
        .into_iter()
        .map(|server| Refusal {
            server,
            support: support(&scheme.kind(), server, profile),
        })
        .filter(|r| r.support.works() && !r.support.works_with(password))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy() -> Profile {
        Profile::from_names(&["nginx-glibc-legacy", "apache"]).unwrap()
    }
    fn windows() -> Profile {
        Profile::from_names(&["apache-windows"]).unwrap()
    }
    fn bcrypt(v: BcryptVariant) -> Kind {
        Kind::Bcrypt { variant: v }
    }

    #[test]
    fn every_row_is_in_the_table_once() {
        let rows = [
            Row::BcryptAY,
            Row::BcryptB,
            Row::BcryptX,
            Row::Apr1,
            Row::Md5Crypt,
            Row::ShaCrypt,
            Row::Yescrypt,
            Row::OtherCrypt,
            Row::Des,
            Row::Sha1,
            Row::Ssha,
            Row::PlainPrefixed,
            Row::Bare,
            Row::Token,
        ];
        for r in rows {
            assert_eq!(TABLE.iter().filter(|(row, _)| *row == r).count(), 1);
        }
        assert_eq!(TABLE.len(), rows.len());
    }

    #[test]
    fn spec_table_on_current_linux() {
        let p = Profile::default();
        let (a, n) = (Server::Apache, Server::Nginx);
        let t72 = Support::Truncates { max_bytes: 72 };
        for v in [
            BcryptVariant::A,
            BcryptVariant::B,
            BcryptVariant::X,
            BcryptVariant::Y,
        ] {
            assert_eq!(support(&bcrypt(v), a, &p), t72);
            assert_eq!(support(&bcrypt(v), n, &p), t72);
        }
        for k in [
            Kind::Apr1,
            Kind::Md5Crypt,
            Kind::Sha256Crypt,
            Kind::Sha512Crypt,
            Kind::Yescrypt,
            Kind::Sha1,
        ] {
            assert_eq!(support(&k, a, &p), Support::Works, "{k:?}");
            assert_eq!(support(&k, n, &p), Support::Works, "{k:?}");
        }
        let t8 = Support::Truncates { max_bytes: 8 };
        assert_eq!(support(&Kind::DesCrypt, a, &p), t8);
        assert_eq!(support(&Kind::DesCrypt, n, &p), t8);
        for k in [Kind::Ssha, Kind::PlainPrefixed, Kind::Unknown] {
            assert!(matches!(support(&k, a, &p), Support::Always401 { .. }));
        }
        assert_eq!(support(&Kind::Ssha, n, &p), Support::Works);
        assert_eq!(support(&Kind::PlainPrefixed, n, &p), Support::Works);
        assert!(matches!(
            support(&Kind::Unknown, n, &p),
            Support::Always401 { .. }
        ));
        for k in [Kind::CryptFailureToken, Kind::Empty] {
            assert!(matches!(support(&k, a, &p), Support::Always401 { .. }));
            assert!(matches!(support(&k, n, &p), Support::Always401 { .. }));
        }
    }

    #[test]
    fn classic_glibc_nginx_gives_500_apache_401() {
        let p = legacy();
        let (a, n) = (Server::Apache, Server::Nginx);
        for v in [BcryptVariant::Y, BcryptVariant::A, BcryptVariant::B] {
            assert!(matches!(
                support(&bcrypt(v), n, &p),
                Support::Error500 { .. }
            ));
        }
        // APR has its own bcrypt for $2y$/$2a$ only.
        assert!(support(&bcrypt(BcryptVariant::Y), a, &p).works());
        assert!(matches!(
            support(&bcrypt(BcryptVariant::B), a, &p),
            Support::Always401 { .. }
        ));
        assert!(matches!(
            support(&Kind::Yescrypt, n, &p),
            Support::Error500 { .. }
        ));
        assert!(matches!(
            support(&Kind::Yescrypt, a, &p),
            Support::Always401 { .. }
        ));
        assert!(matches!(
            support(&Kind::Empty, n, &p),
            Support::Error500 { .. }
        ));
        assert_eq!(support(&Kind::Sha512Crypt, n, &p), Support::Works);
    }

    #[test]
    fn apache_on_windows() {
        let p = windows();
        let a = Server::Apache;
        assert_eq!(support(&Kind::Unknown, a, &p), Support::Works);
        assert!(support(&bcrypt(BcryptVariant::Y), a, &p).works());
        assert!(support(&bcrypt(BcryptVariant::A), a, &p).works());
        assert!(!support(&bcrypt(BcryptVariant::B), a, &p).works());
        assert_eq!(support(&Kind::Apr1, a, &p), Support::Works);
        assert_eq!(support(&Kind::Sha1, a, &p), Support::Works);
        for k in [
            Kind::Sha512Crypt,
            Kind::Sha256Crypt,
            Kind::Md5Crypt,
            Kind::Yescrypt,
            Kind::DesCrypt,
            Kind::Ssha,
            Kind::PlainPrefixed,
        ] {
            assert!(
                matches!(support(&k, a, &p), Support::Always401 { .. }),
                "{k:?}"
            );
        }
    }

    #[test]
    fn malformed_is_401_but_500_wins() {
        let info = super::super::identify(b"$2y$10$tooshort");
        assert!(matches!(
            support_for(&info, Server::Apache, &Profile::default()),
            Support::Always401 { .. }
        ));
        assert!(matches!(
            support_for(&info, Server::Nginx, &legacy()),
            Support::Error500 { .. }
        ));
    }

    /// The schemes `htguard` writes, and what each reader did with them on the real
    /// program (tests/reader_profiles.rs logs in with each).
    #[test]
    fn reader_columns() {
        let p = Profile::default();
        let (lt, rg, vd) = (Server::Lighttpd, Server::DockerRegistry, Server::Verdaccio);
        let works = |k: &Kind, s| support(k, s, &p).works();
        for v in [BcryptVariant::A, BcryptVariant::B, BcryptVariant::Y] {
            for s in [lt, rg, vd] {
                assert_eq!(
                    support(&bcrypt(v), s, &p),
                    Support::Truncates { max_bytes: 72 }
                );
            }
        }
        assert!(works(&bcrypt(BcryptVariant::X), rg) && !works(&bcrypt(BcryptVariant::X), vd));
        for k in [
            Kind::Apr1,
            Kind::Md5Crypt,
            Kind::Sha512Crypt,
            Kind::DesCrypt,
            Kind::Sha1,
            Kind::Ssha,
            Kind::PlainPrefixed,
            Kind::Unknown,
        ] {
            assert!(!works(&k, rg), "{k:?}");
        }
        for k in [Kind::Ssha, Kind::PlainPrefixed, Kind::Unknown] {
            assert!(!works(&k, lt), "{k:?}");
        }
        assert_eq!(
            support(&Kind::Apr1, vd, &p),
            Support::AsciiOnly { max_bytes: None }
        );
        assert!(!support(&Kind::Apr1, vd, &p).works_with("pässwort".as_bytes()));
        assert!(support(&Kind::Apr1, vd, &p).works_with(b"password"));
        assert!(works(&Kind::PlainPrefixed, vd) && !works(&Kind::Sha512Crypt, vd));
        // No reader answers 500: lighttpd treats a NULL from crypt() as a mismatch.
        let legacy = legacy();
        assert!(matches!(
            support(&bcrypt(BcryptVariant::Y), lt, &legacy),
            Support::Always401 { .. }
        ));
    }

    #[test]
    fn choosing_a_scheme_for_targets() {
        let p = |names: &[&str]| Profile::from_names(names).unwrap();
        assert_eq!(
            choose_scheme(None, &p(&["docker-registry"])),
            Ok(Scheme::Bcrypt)
        );
        assert_eq!(
            choose_scheme(None, &p(&["nginx-glibc-legacy"])),
            Ok(Scheme::Sha512Crypt)
        );
        // Verdaccio has no SHA-crypt, legacy nginx no bcrypt: apr1 is what both verify.
        assert_eq!(
            choose_scheme(None, &p(&["verdaccio", "nginx-glibc-legacy"])),
            Ok(Scheme::Apr1)
        );
        let refused =
            choose_scheme(None, &p(&["docker-registry", "nginx-glibc-legacy"])).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].server, Server::Nginx);
        let refused =
            choose_scheme(Some(Scheme::Apr1), &p(&["docker-registry,apache"])).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].server, Server::DockerRegistry);
        assert_eq!(
            password_refusals(Scheme::Apr1, "é".as_bytes(), &p(&["verdaccio", "apache"])).len(),
            1
        );
        assert!(password_refusals(Scheme::Bcrypt, "é".as_bytes(), &p(&["verdaccio"])).is_empty());
    }
}
