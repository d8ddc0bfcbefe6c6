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

use crate::target::Profile;
use crate::target::Server;

use super::{BCRYPT_MAX_PASSWORD, BcryptVariant, DES_MAX_PASSWORD, HashInfo, Kind};

/// What a server does with a correct password for a hash of some kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Support {
    /// The login works.
    Works,
    /// The login works, but only the first `max_bytes` bytes of the password count.
    Truncates { max_bytes: usize },
    /// Every login is refused with 401.
    Always401 { reason: String },
    /// The server fails with 500 on every login attempt for this user.
    Error500 { reason: String },
}

impl Support {
    /// The login can succeed.
    pub fn works(&self) -> bool {
        matches!(self, Support::Works | Support::Truncates { .. })
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
    Deny(&'static str),
    Fail500(&'static str),
    /// Decided by the platform crypt(): `then` if it has the feature, else `otherwise`.
    Crypt(Feature, &'static Cell, &'static Cell),
}

/// Which row of the table a kind uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Row {
    BcryptAY,
    BcryptBX,
    Apr1,
    LibcCrypt,
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
        Kind::Bcrypt { .. } => Row::BcryptBX,
        Kind::Apr1 => Row::Apr1,
        Kind::Md5Crypt | Kind::Sha256Crypt | Kind::Sha512Crypt => Row::LibcCrypt,
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
const NO_YESCRYPT_APACHE: &str = "this platform's crypt() has no yescrypt";
const NO_YESCRYPT_NGINX: &str = "this platform's crypt_r() has no yescrypt: nginx logs \
                                 \"crypt_r() failed\" and answers 500";
const NO_SCHEME_APACHE: &str = "this platform's crypt() does not know this scheme";
const NO_SCHEME_NGINX: &str = "this platform's crypt_r() does not know this scheme: nginx \
                               logs \"crypt_r() failed\" and answers 500";
const NOT_A_HASH_NGINX: &str = "classic glibc's crypt_r() returns NULL for this text: nginx \
                                logs \"crypt_r() failed\" and answers 500";

const T72: Cell = Cell::Truncates(BCRYPT_MAX_PASSWORD);

/// The table: (row, Apache on Unix, Apache on Windows, nginx).
static TABLE: &[(Row, Cell, Cell, Cell)] = &[
    (
        Row::BcryptAY,
        T72,
        T72,
        Cell::Crypt(Feature::Bcrypt, &T72, &Cell::Fail500(NO_BCRYPT_NGINX)),
    ),
    (
        Row::BcryptBX,
        Cell::Crypt(Feature::Bcrypt, &T72, &Cell::Deny(NO_BCRYPT_APACHE)),
        Cell::Deny(
            "Apache on Windows verifies only $2a$/$2y$ bcrypt and has no crypt() for \
             $2b$/$2x$ (write $2y$)",
        ),
        Cell::Crypt(Feature::Bcrypt, &T72, &Cell::Fail500(NO_BCRYPT_NGINX)),
    ),
    (Row::Apr1, Cell::Works, Cell::Works, Cell::Works),
    (
        Row::LibcCrypt,
        Cell::Works,
        Cell::Deny(NO_CRYPT_WIN),
        Cell::Works,
    ),
    (
        Row::Yescrypt,
        Cell::Crypt(
            Feature::Libxcrypt,
            &Cell::Works,
            &Cell::Deny(NO_YESCRYPT_APACHE),
        ),
        Cell::Deny(NO_CRYPT_WIN),
        Cell::Crypt(
            Feature::Libxcrypt,
            &Cell::Works,
            &Cell::Fail500(NO_YESCRYPT_NGINX),
        ),
    ),
    (
        Row::OtherCrypt,
        Cell::Crypt(
            Feature::Libxcrypt,
            &Cell::Works,
            &Cell::Deny(NO_SCHEME_APACHE),
        ),
        Cell::Deny(NO_CRYPT_WIN),
        Cell::Crypt(
            Feature::Libxcrypt,
            &Cell::Works,
            &Cell::Fail500(NO_SCHEME_NGINX),
        ),
    ),
    (
        Row::Des,
        Cell::Truncates(DES_MAX_PASSWORD),
        Cell::Deny(NO_CRYPT_WIN),
        Cell::Truncates(DES_MAX_PASSWORD),
    ),
    (Row::Sha1, Cell::Works, Cell::Works, Cell::Works),
    (
        Row::Ssha,
        Cell::Deny("Apache has no {SSHA}: crypt() rejects it"),
        Cell::Deny("Apache has no {SSHA}: on Windows it is compared as plaintext"),
        Cell::Works,
    ),
    (
        Row::PlainPrefixed,
        Cell::Deny("Apache has no {PLAIN}: crypt() rejects it (nginx-only syntax)"),
        Cell::Deny(
            "Apache has no {PLAIN}: on Windows the whole text, prefix included, is \
             compared as plaintext",
        ),
        Cell::Works,
    ),
    (
        Row::Bare,
        Cell::Deny(
            "Apache on Unix hands plaintext to crypt(), which does not treat it as a \
             password (plaintext works only on Windows)",
        ),
        Cell::Works,
        Cell::Deny(
            "nginx hands plaintext to crypt_r(), which does not treat it as a password \
             (write {PLAIN} for nginx, or better a hash); with classic glibc a text not \
             starting with two [./0-9A-Za-z] characters even gives 500",
        ),
    ),
    (
        Row::Token,
        Cell::Deny("no password matches an empty hash or crypt()'s failure token"),
        Cell::Deny("no password matches an empty hash or crypt()'s failure token"),
        Cell::Crypt(
            Feature::Libxcrypt,
            &Cell::Deny("no password matches an empty hash or crypt()'s failure token"),
            &Cell::Fail500(NOT_A_HASH_NGINX),
        ),
    ),
];

fn resolve(cell: &Cell, profile: &Profile) -> Support {
    match *cell {
        Cell::Works => Support::Works,
        Cell::Truncates(max_bytes) => Support::Truncates { max_bytes },
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
    let Some((_, unix, windows, nginx)) = TABLE.iter().find(|(row, ..)| *row == r) else {
        // Every Row has a table line (tested); be conservative if one were missing.
        return Support::Always401 {
            reason: "unknown hash kind".into(),
        };
    };
    let cell = match server {
        Server::Apache if profile.apache_windows => windows,
        Server::Apache => unix,
        Server::Nginx => nginx,
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
            Row::BcryptBX,
            Row::Apr1,
            Row::LibcCrypt,
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
            assert_eq!(TABLE.iter().filter(|(row, ..)| *row == r).count(), 1);
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
}
