use super::*;
use crate::model::apache::{OpenWhy, Outcome, RequireNode};

/// A site tree in a temp dir: `files` are (relative path, content); the main config is
/// `conf/httpd.conf` with `{d}` replaced by the temp dir.
fn site(conf: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, ApacheModel, Sources) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().to_string_lossy().into_owned();
    for (rel, text) in files {
        let p = t.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text.replace("{d}", &d)).unwrap();
    }
    let main = t.path().join("conf/httpd.conf");
    std::fs::create_dir_all(main.parent().unwrap()).unwrap();
    std::fs::write(&main, conf.replace("{d}", &d)).unwrap();
    let mut sources = Sources::new();
    let m = load(
        &main,
        ApacheStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    (t, m, sources)
}

const MODS: &str = "LoadModule auth_basic_module x\nLoadModule authn_file_module x\nLoadModule authn_core_module x\nLoadModule authz_core_module x\nLoadModule authz_user_module x\nLoadModule access_compat_module x\n";

/// A `.htaccess` asking for Basic auth against `/u`.
const HT_BASIC: &str = "AuthType Basic\nAuthName r\nAuthUserFile /u\nRequire valid-user\n";

fn area<'a>(m: &'a ApacheModel, pattern: &str) -> &'a Area {
    m.areas
        .iter()
        .find(|a| m.scopes[a.scope].pattern.ends_with(pattern))
        .unwrap_or_else(|| {
            panic!(
                "no area {pattern}: {:?}",
                m.areas
                    .iter()
                    .map(|a| &m.scopes[a.scope].pattern)
                    .collect::<Vec<_>>()
            )
        })
}

#[test]
fn includes_defines_and_ifmodule_follow_httpd() {
    let conf = format!(
        "{MODS}ServerRoot {{d}}\nDefine PW {{d}}/pw\nInclude conf.d/*.conf\nIncludeOptional nothing/*.conf\nInclude missing.conf\n<IfModule mod_auth_digest.c>\nAuthType Digest\n</IfModule>\n<IfModule mod_auth_basic.c>\n<Directory {{d}}/a>\nAuthType Basic\nAuthName \"r\"\nAuthUserFile ${{PW}}/users\nRequire valid-user\n</Directory>\n</IfModule>\n"
    );
    let (_t, m, _s) = site(
        &conf,
        &[
            ("conf.d/b.conf", "User nobody\n"),
            ("conf.d/a.conf", "Include conf.d/a.conf\n"),
        ],
    );
    assert_eq!(m.user.0, "nobody");
    let kinds: Vec<_> = m.problems.iter().map(|p| p.kind).collect();
    assert!(
        kinds.contains(&ProblemKind::IncludeCycle),
        "{:?}",
        m.problems
    );
    assert!(kinds.contains(&ProblemKind::IncludeMissing));
    assert_eq!(kinds.len(), 2, "{:?}", m.problems);
    let a = area(&m, "/a");
    assert_eq!(a.config.auth_type(&m).as_deref(), Some("basic"));
    let uses = m.passwd_uses();
    assert_eq!(uses.len(), 1);
    assert!(uses[0].server_path.ends_with("pw/users"));
    assert_eq!(uses[0].realm.as_deref(), Some("r"));
    assert_eq!(a.config.outcome(&m, "GET"), Outcome::Challenge);
}

#[test]
fn relative_user_file_resolves_against_server_root() {
    let conf = format!(
        "{MODS}ServerRoot /etc/apache2\n<Location /x>\nAuthType Basic\nAuthName r\nAuthUserFile .htpasswd\nRequire valid-user\n</Location>\n"
    );
    let (_t, m, _s) = site(&conf, &[]);
    assert_eq!(
        m.passwd_uses()[0].server_path,
        PathBuf::from("/etc/apache2/.htpasswd")
    );
}

#[test]
fn require_all_granted_mix_is_open_and_limit_leaves_other_methods_open() {
    let conf = format!(
        "{MODS}<Directory {{d}}/mix>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\nRequire all granted\nRequire valid-user\n</Directory>\n<Directory {{d}}/lim>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\n<Limit GET>\nRequire valid-user\n</Limit>\n</Directory>\n<Directory {{d}}/ex>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\n<LimitExcept GET>\nRequire valid-user\n</LimitExcept>\n</Directory>\n"
    );
    let (_t, m, _s) = site(&conf, &[]);
    assert_eq!(
        area(&m, "/mix").config.outcome(&m, "GET"),
        Outcome::Open(OpenWhy::Granted)
    );
    let lim = &area(&m, "/lim").config;
    assert_eq!(lim.outcome(&m, "GET"), Outcome::Challenge);
    assert_eq!(lim.outcome(&m, "HEAD"), Outcome::Challenge);
    assert_eq!(lim.outcome(&m, "POST"), Outcome::Open(OpenWhy::NotLimited));
    let ex = &area(&m, "/ex").config;
    assert_eq!(ex.outcome(&m, "POST"), Outcome::Challenge);
    assert!(ex.outcome(&m, "GET").is_open());
    // An area remembers its GET answer; asked twice or for another method, it agrees.
    for a in ["/mix", "/lim", "/ex"].map(|p| area(&m, p)) {
        for method in ["GET", "POST", "GET", "HEAD"] {
            assert_eq!(
                a.outcome(&m, method),
                a.config.outcome(&m, method),
                "{method}"
            );
        }
    }
}

#[test]
fn auth_without_require_is_open_only_where_a_parent_grants() {
    let conf = format!(
        "{MODS}<Directory />\nRequire all denied\n</Directory>\n<Directory {{d}}/www>\nRequire all granted\n</Directory>\n<Directory {{d}}/www/a>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\n</Directory>\n<Directory {{d}}/b>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\n</Directory>\n<Location /c>\nAuthType Basic\nAuthName r\n</Location>\n"
    );
    let (_t, m, _s) = site(&conf, &[]);
    assert_eq!(
        area(&m, "/www/a").config.outcome(&m, "GET"),
        Outcome::Open(OpenWhy::Granted)
    );
    // `<Directory />` denies, so b inherits a Require: 403, not 500.
    assert_eq!(area(&m, "/b").config.outcome(&m, "GET"), Outcome::Forbidden);
}

#[test]
fn htaccess_needs_allowoverride_authconfig() {
    let conf = format!(
        "{MODS}DocumentRoot {{d}}/www\n<Directory {{d}}/www>\nRequire all granted\n</Directory>\n<Directory {{d}}/www/none>\nAllowOverride None\n</Directory>\n<Directory {{d}}/www/fi>\nAllowOverride FileInfo\n</Directory>\n<Directory {{d}}/www/ok>\nAllowOverride AuthConfig\n</Directory>\n<DirectoryMatch {{d}}/www/rx>\nAllowOverride All\n</DirectoryMatch>\n"
    );
    let ht = HT_BASIC;
    let (_t, m, _s) = site(
        &conf,
        &[
            ("www/none/.htaccess", ht),
            ("www/fi/.htaccess", ht),
            ("www/ok/.htaccess", ht),
            ("www/rx/.htaccess", ht),
            ("www/unset/.htaccess", ht),
        ],
    );
    assert!(area(&m, "www/none").config.outcome(&m, "GET").is_open());
    // Never set: httpd reads the file and refuses its auth directives (observed 500).
    assert!(matches!(
        area(&m, "www/unset").config.outcome(&m, "GET"),
        Outcome::Error500(_)
    ));
    assert!(matches!(
        area(&m, "www/fi").config.outcome(&m, "GET"),
        Outcome::Error500(_)
    ));
    assert_eq!(
        area(&m, "www/ok").config.outcome(&m, "GET"),
        Outcome::Challenge
    );
    // AllowOverride in a regex section does nothing: the unset default applies (500).
    assert!(matches!(
        area(&m, "www/rx").config.outcome(&m, "GET"),
        Outcome::Error500(_)
    ));
}

#[test]
fn location_slash_grant_overrides_files_deny() {
    let conf = format!(
        "{MODS}DocumentRoot {{d}}/www\n<Directory {{d}}/www>\nRequire all granted\n</Directory>\n<Files \".ht*\">\nRequire all denied\n</Files>\n"
    );
    let (_t, m, _s) = site(&conf, &[]);
    let place = Place {
        server: 0,
        dir: Some(PathBuf::from(format!("{}/www", _t.path().display()))),
        file: Some(".htpasswd".into()),
        url: Some("/.htpasswd".into()),
        force: None,
        filename: None,
    };
    assert_eq!(
        merge::merge_at(&m, &place).outcome(&m, "GET"),
        Outcome::Forbidden
    );
    let conf2 = format!("{conf}<Location />\nRequire all granted\n</Location>\n");
    let (_t2, m2, _s2) = site(&conf2, &[]);
    let place2 = Place {
        dir: Some(PathBuf::from(format!("{}/www", _t2.path().display()))),
        ..place
    };
    assert!(merge::merge_at(&m2, &place2).outcome(&m2, "GET").is_open());
}

#[test]
fn satisfy_any_with_allow_from_all_is_open() {
    let conf = format!(
        "{MODS}<Directory {{d}}/s>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\nRequire valid-user\nOrder allow,deny\nAllow from all\nSatisfy Any\n</Directory>\n<Directory {{d}}/t>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\nRequire valid-user\nOrder deny,allow\nDeny from all\nSatisfy Any\n</Directory>\n"
    );
    let (_t, m, _s) = site(&conf, &[]);
    assert_eq!(
        area(&m, "/s").config.outcome(&m, "GET"),
        Outcome::Open(OpenWhy::SatisfyAny)
    );
    assert_eq!(area(&m, "/t").config.outcome(&m, "GET"), Outcome::Challenge);
}

/// `Order` is read without regard to case: with both `Allow from all` and `Deny from all`,
/// Deny,Allow lets everyone in (Allow wins) and Allow,Deny lets no one in (Deny wins).
#[test]
fn order_decides_which_of_allow_and_deny_wins_in_any_case() {
    let dir = |name: &str, order: &str| {
        format!(
            "<Directory {{d}}/{name}>\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\nRequire valid-user\nOrder {order}\nAllow from all\nDeny from all\nSatisfy Any\n</Directory>\n"
        )
    };
    let conf = format!(
        "{MODS}{}{}",
        dir("da", "Deny,Allow"),
        dir("ad", "ALLOW,deny")
    );
    let (_t, m, _s) = site(&conf, &[]);
    assert_eq!(
        area(&m, "/da").outcome(&m, "GET"),
        Outcome::Open(OpenWhy::SatisfyAny)
    );
    assert_eq!(area(&m, "/ad").outcome(&m, "GET"), Outcome::Challenge);
}

#[test]
fn vhost_sections_and_tls() {
    let conf = format!(
        "{MODS}<VirtualHost *:443>\nServerName s.example\nSSLEngine on\nDocumentRoot {{d}}/s\n<Location />\nAuthType Basic\nAuthName r\nAuthUserFile {{d}}/u\nRequire valid-user\n</Location>\n</VirtualHost>\n"
    );
    let (_t, m, _s) = site(&conf, &[]);
    assert_eq!(m.servers.len(), 2);
    assert!(m.servers[1].tls);
    let a = area(&m, "/");
    assert_eq!(a.place.server, 1);
    assert_eq!(a.config.outcome(&m, "GET"), Outcome::Challenge);
}

#[test]
fn stock_debian_tree_loads_without_problems() {
    let p = Path::new("/etc/apache2/apache2.conf");
    if !p.exists() {
        // Comes with the apache2 package: skipped without it, except under scripts/test.
        let required =
            std::env::var_os("HTGUARD_REQUIRE_SERVERS").is_some_and(|v| !v.is_empty() && v != "0");
        assert!(
            !required,
            "{} is missing: scripts/test installs apache2",
            p.display()
        );
        return;
    }
    let mut sources = Sources::new();
    let m = load(
        p,
        ApacheStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert!(m.has_module("mod_auth_basic.c"));
    assert_eq!(m.user.0, "www-data");
    assert!(m.files.len() > 20);
}

#[test]
fn path_keys_spell_paths_as_their_components_do() {
    use super::sections::{key_ancestors, path_key};
    let paths = [
        "",
        "/",
        ".",
        "..",
        "a",
        "/a",
        "/a/",
        "/a//b",
        "//a",
        "/a/./b",
        "/a/.",
        "/.",
        "./a",
        "./a/",
        "././a",
        "a/../b",
        "/srv/www/",
        "/srv/www/v0001/area3",
        "a/b/.",
        "./.",
    ];
    for p in paths {
        let path = std::path::Path::new(p);
        let key = path_key(path);
        let spelled: std::path::PathBuf = path.components().collect();
        assert_eq!(key, spelled.as_os_str(), "{p:?}");
        let ours: Vec<_> = key_ancestors(&key).collect();
        let std_: Vec<_> = spelled.ancestors().map(|a| a.as_os_str()).collect();
        assert_eq!(ours, std_, "{p:?}");
        assert_eq!(ours.len(), path.ancestors().count(), "{p:?}");
    }
}

/// A wildcard Include's files are read, parsed and (when none changes read-time state)
/// evaluated ahead, in parallel: the model must be the one a file-by-file read gives —
/// ids in order, `${VAR}` from the main config, a later file seeing an earlier `Define`.
#[test]
fn wildcard_include_read_ahead_keeps_order_and_state() {
    let conf = format!(
        "{MODS}ServerRoot {{d}}\nDefine PW {{d}}/pw\nInclude plain/*.conf\nInclude stateful/*.conf\n"
    );
    let dir = |name: &str, file: &str| {
        format!(
            "<Directory {{d}}/{name}>\nAuthType Basic\nAuthName \"{name}\"\nAuthUserFile {file}\nRequire valid-user\n</Directory>\n"
        )
    };
    let (a, b, c) = (
        dir("a", "${PW}/a"),
        dir("b", "${NOPE}/b"),
        dir("c", "${LATER}/c"),
    );
    let (_t, m, sources) = site(
        &conf,
        &[
            ("plain/1.conf", a.as_str()),
            ("plain/2.conf", b.as_str()),
            ("stateful/1.conf", "Define LATER {d}/later\n"),
            ("stateful/2.conf", c.as_str()),
        ],
    );
    let names: Vec<String> = m
        .files
        .iter()
        .map(|(p, id)| {
            assert_eq!(sources.get(*id).path, *p, "ids follow the reading order");
            p.strip_prefix(_t.path()).unwrap().display().to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "conf/httpd.conf",
            "plain/1.conf",
            "plain/2.conf",
            "stateful/1.conf",
            "stateful/2.conf"
        ]
    );
    let files: Vec<String> = m
        .passwd_uses()
        .iter()
        .map(|u| {
            u.server_path
                .strip_prefix(_t.path())
                .unwrap_or(&u.server_path)
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(files, ["pw/a", "${NOPE}/b", "later/c"]);
    let undefined: Vec<&str> = m
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UndefinedVariable)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(undefined, ["Config variable ${NOPE} is not defined"]);
}

#[test]
fn a_password_file_is_used_once_per_role() {
    // One AuthUserFile, in effect for Basic and Digest areas below it: each role once,
    // in area order, however many areas share it.
    let conf = format!(
        "{MODS}<Directory {{d}}/p>\nAuthName r\nAuthUserFile {{d}}/u\nAuthGroupFile {{d}}/g\n</Directory>\n<Directory {{d}}/p/b1>\nAuthType Basic\nRequire valid-user\n</Directory>\n<Directory {{d}}/p/d1>\nAuthType Digest\nRequire valid-user\n</Directory>\n<Directory {{d}}/p/b2>\nAuthType Basic\nRequire valid-user\n</Directory>\n<Directory {{d}}/q>\nAuthType Basic\nAuthUserFile\nRequire valid-user\n</Directory>\n<Directory {{d}}/q/r>\nAuthType Digest\n</Directory>\n"
    );
    // (`AuthUserFile` without a path, in effect for two areas of each role, names no file.)
    let (t, m, _s) = site(&conf, &[]);
    let uses: Vec<(String, crate::model::PasswdRole)> = m
        .passwd_uses()
        .iter()
        .map(|u| {
            let name = u.server_path.strip_prefix(t.path()).unwrap();
            (name.display().to_string(), u.role)
        })
        .collect();
    use crate::model::PasswdRole::{Basic, Digest, Group};
    assert_eq!(
        uses,
        [
            ("u".to_string(), Basic),
            ("g".to_string(), Group),
            ("u".to_string(), Digest)
        ]
    );
}

/// Places below one section share its `Require` tree rather than each building a copy
/// (a big tree has thousands of them), and still see the same requirement.
#[test]
fn places_below_a_section_share_its_require_tree() {
    let conf = format!(
        "{MODS}DocumentRoot {{d}}/www\n<Directory {{d}}/www>\nAllowOverride AuthConfig\nAuthType Basic\nAuthName \"r\"\nAuthUserFile {{d}}/pw\nRequire user alice\n</Directory>\n"
    );
    let ht = "AuthName \"other\"\n";
    let (_t, m, _s) = site(&conf, &[("www/a/.htaccess", ht), ("www/b/.htaccess", ht)]);
    let (a, b) = (area(&m, "www/a"), area(&m, "www/b"));
    let (ra, rb) = (
        a.config.authz.as_ref().unwrap(),
        b.config.authz.as_ref().unwrap(),
    );
    assert!(std::sync::Arc::ptr_eq(&ra.root, &rb.root));
    let RequireNode::Group { children, .. } = ra.root.as_ref() else {
        panic!("{:?}", ra.root)
    };
    assert!(
        matches!(&children[..], [RequireNode::Req { provider, args, .. }] if provider == "user" && args == &["alice"]),
        "{children:?}"
    );
}

#[test]
fn an_area_tells_its_auth_facts() {
    let conf = format!(
        "{MODS}LoadModule auth_digest_module x\nDocumentRoot {{d}}/www\n<Directory {{d}}/www>\nRequire all granted\n</Directory>\n<Directory {{d}}/www/ok>\nAllowOverride AuthConfig\n</Directory>\n<Directory {{d}}/www/none>\nAllowOverride None\n</Directory>\n<Location /digest>\nAuthType Digest\nAuthName r\nAuthUserFile /d\nRequire valid-user\n</Location>\n<Location /ldap>\nAuthType Basic\nAuthName r\nAuthBasicProvider ldap\nRequire valid-user\n</Location>\n<Location /both>\nAuthType Basic\nAuthName r\nAuthBasicProvider ldap file\nAuthUserFile /u\nRequire valid-user\n</Location>\n<Location /none>\nAuthType None\nAuthUserFile /u\nRequire valid-user\n</Location>\n"
    );
    let ht = HT_BASIC;
    let (_t, m, _s) = site(
        &conf,
        &[
            ("www/ok/.htaccess", ht),
            ("www/none/.htaccess", ht),
            ("www/unset/.htaccess", ht),
        ],
    );
    let facts = |p: &str| {
        let a = area(&m, p);
        (
            a.is_live(),
            a.has_auth_type(),
            a.is_basic(),
            a.is_digest(),
            a.uses_file_provider(&m),
        )
    };
    assert_eq!(facts("www/ok"), (true, true, true, false, true));
    // Ignored (AllowOverride None) or refused (500): the file's own lines are not in effect.
    assert_eq!(facts("www/none"), (false, false, false, false, true));
    assert_eq!(facts("www/unset"), (false, false, false, false, true));
    assert_eq!(facts("/digest"), (true, true, false, true, true));
    assert_eq!(facts("/ldap"), (true, true, true, false, false));
    assert_eq!(facts("/both"), (true, true, true, false, true));
    assert_eq!(facts("/none"), (true, false, false, false, true));
}
