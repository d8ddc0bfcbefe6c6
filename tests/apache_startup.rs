//! Apache rules whose consequence is "httpd will not start" (checked with `apache2 -t`,
//! the same parser a start or reload uses) or that need a server without some modules,
//! plus the rules without a status-code consequence (checked through `htguard check`).

mod common;

use common::{Apache, Site, require_tool, run_tool};
use htguard::check::{self, CheckOptions};
use htguard::model::LoadOptions;
use std::path::Path;
use std::process::Command;

/// A main config with only the core auth modules: no authz_groupfile, auth_digest,
/// access_compat or authn_dbm.
fn minimal_conf(site: &Site, port: u16, body: &str) -> String {
    let d = site.dir().display().to_string();
    let mut c = format!(
        "ServerRoot \"{d}\"\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile \"{d}/run/httpd.pid\"\n\
         DefaultRuntimeDir \"{d}/run\"\nMutex file:{d}/run default\nErrorLog \"{d}/error.log\"\nUser www-data\nGroup www-data\n"
    );
    for m in [
        "mpm_prefork",
        "authn_core",
        "authn_file",
        "authz_core",
        "authz_user",
        "auth_basic",
        "dir",
        "mime",
    ] {
        c.push_str(&format!(
            "LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"
        ));
    }
    c.push_str(&format!(
        "TypesConfig /etc/mime.types\nDocumentRoot \"{d}/htdocs\"\n<Directory \"{d}/htdocs\">\nRequire all granted\n</Directory>\n"
    ));
    c.push_str(&body.replace("{site}", &d));
    c
}

fn syntax_ok(conf: &Path) -> (bool, String) {
    let out = Command::new(require_tool("apache2"))
        .args(["-t", "-f"])
        .arg(conf)
        .output()
        .expect("apache2 -t runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn codes(conf: &Path, root: Option<&Path>) -> Vec<(&'static str, usize, String)> {
    let opts = CheckOptions {
        apache_configs: vec![conf.to_path_buf()],
        load: LoadOptions {
            root: root.map(Path::to_path_buf),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = check::run(&opts).expect("check runs");
    out.diagnostics
        .iter()
        .map(|d| {
            let f = out.sources.get(d.primary.span.file);
            (
                d.code,
                f.line_col(d.primary.span.start).0,
                d.message.clone(),
            )
        })
        .collect()
}

struct StartCase {
    code: &'static str,
    broken: &'static str,
    fixed: &'static str,
}

#[test]
fn main_config_mistakes_stop_httpd_and_are_reported() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = Site::new();
    site.mkdir("run");
    site.write(
        "pw/users",
        run_tool("htpasswd", &["-nb", "alice", "secret"]),
    );
    site.write("conf/empty.conf", "# nothing\n");
    let auth = "AuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/users\n";
    let cases = [
        StartCase {
            code: "AP001",
            broken: "<Directory \"{site}/htdocs/a\">\nRequire valid-user\n</Location>\n",
            fixed: "<Directory \"{site}/htdocs/a\">\nRequire valid-user\n</Directory>\n",
        },
        StartCase {
            code: "AP002",
            broken: "Include conf/missing.conf\n",
            fixed: "Include conf/empty.conf\n",
        },
        StartCase {
            code: "AP002",
            broken: "Include conf/nothing-*.conf\n",
            fixed: "IncludeOptional conf/nothing-*.conf\n",
        },
        StartCase {
            code: "AP008",
            broken: "<Location /a>\nAuthType Basic\nAuthName Members only\nRequire valid-user\n</Location>\n",
            fixed: "<Location /a>\nAuthType Basic\nAuthName \"Members only\"\nRequire valid-user\n</Location>\n",
        },
        StartCase {
            code: "AP009",
            broken: "<Location /a>\nAuthType Basic # the type\nAuthName \"R\"\nRequire valid-user\n</Location>\n",
            fixed: "<Location /a>\n# the type\nAuthType Basic\nAuthName \"R\"\nRequire valid-user\n</Location>\n",
        },
        StartCase {
            code: "AP011",
            broken: "<Location /a>\nAuthType Basic\nAuthName \"R\"\nRequire group admins\n</Location>\n",
            fixed: "<Location /a>\nAuthType Basic\nAuthName \"R\"\nRequire user alice\n</Location>\n",
        },
        StartCase {
            code: "AP022",
            broken: "<Location /a>\nAuthType Basic\nAuthName \"R\"\nAuthGroupFile {site}/pw/groups\nRequire valid-user\n</Location>\n",
            fixed: "<Location /a>\nAuthType Basic\nAuthName \"R\"\nRequire valid-user\n</Location>\n",
        },
        StartCase {
            code: "AP022",
            broken: "<Location /a>\nOrder allow,deny\nAllow from all\n</Location>\n",
            fixed: "<Location /a>\nRequire all granted\n</Location>\n",
        },
        StartCase {
            code: "AP023",
            broken: "<Location /a>\nAuthType Basic\nAuthName \"R\"\nAuthBasicProvider dbm\nRequire valid-user\n</Location>\n",
            fixed: "<Location /a>\nAuthType Basic\nAuthName \"R\"\nAuthBasicProvider file\nRequire valid-user\n</Location>\n",
        },
    ];
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        for (broken, body) in [(true, c.broken), (false, c.fixed)] {
            let conf = site.write(
                format!("conf/case{i}-{broken}.conf"),
                minimal_conf(&site, 8, &format!("{auth}{body}").replacen(auth, "", 1)),
            );
            let (ok, err) = syntax_ok(&conf);
            if ok == broken {
                failures.push(format!(
                    "{} {}: apache2 -t {} ({err})",
                    c.code,
                    if broken { "broken" } else { "fixed" },
                    if ok { "accepted it" } else { "rejected it" }
                ));
            }
            let found = codes(&conf, None);
            let has = found.iter().any(|(code, _, _)| *code == c.code);
            if has != broken {
                failures.push(format!(
                    "{} {}: htguard {} it: {found:?}",
                    c.code,
                    if broken { "broken" } else { "fixed" },
                    if has { "reports" } else { "does not report" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn auth_type_without_its_module_answers_500() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = Site::new();
    site.write(
        "pw/users",
        run_tool("htpasswd", &["-nb", "alice", "secret"]),
    );
    site.write("htdocs/d/index.html", "d\n");
    site.write("htdocs/b/index.html", "b\n");
    site.write("htdocs/i/index.html", "i\n");
    let body = "<Directory \"{site}/htdocs/i\">\n<IfModule mod_auth_digest.c>\nAuthType Digest\nAuthName \"R\"\nAuthUserFile {site}/pw/users\nRequire valid-user\n</IfModule>\n</Directory>\n\
                <Directory \"{site}/htdocs/d\">\nAuthType Digest\nAuthName \"R\"\nAuthUserFile {site}/pw/users\nRequire valid-user\n</Directory>\n\
                <Directory \"{site}/htdocs/b\">\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/users\nRequire valid-user\n</Directory>\n";
    let site_dir = site.dir().to_path_buf();
    let template = minimal_conf(&site, 0, body).replace("127.0.0.1:0", "127.0.0.1:{port}");
    let server = Apache::start_raw(&site, &template);
    assert_eq!(
        server.get("/d/", None),
        500,
        "AuthType Digest without mod_auth_digest"
    );
    assert_eq!(
        server.get("/b/", None),
        401,
        "the same area with a loaded AuthType"
    );
    assert!(
        server.error_log().contains("AH01796"),
        "{}",
        server.error_log()
    );
    let found = codes(server.conf_path(), None);
    let ap = |line_has: &str| {
        found
            .iter()
            .any(|(code, _, msg)| *code == "AP022" && msg.contains(line_has))
    };
    assert!(ap("AuthType digest"), "{found:?}");
    assert!(
        ap("mod_auth_digest.c is not loaded, so httpd skips this block"),
        "{found:?}"
    );
    assert!(!ap("AuthType basic"), "{found:?}");
    let _ = site_dir;
}

/// Rules without a status-code consequence, through the library's check.
#[test]
fn cleartext_undefined_variable_and_regex_allowoverride_are_reported() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = Site::new();
    site.write(
        "pw/users",
        run_tool("htpasswd", &["-nb", "alice", "secret"]),
    );
    let conf = minimal_conf(
        &site,
        8,
        "<VirtualHost *:80>\n<Location /plain>\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/users\nRequire valid-user\n</Location>\n</VirtualHost>\n\
         <VirtualHost *:443>\nSSLEngine on\n<Location /tls>\nAuthType Basic\nAuthName \"R\"\nAuthUserFile {site}/pw/users\nRequire valid-user\n</Location>\n</VirtualHost>\n\
         <Location /v>\nAuthType Basic\nAuthName \"R\"\nAuthUserFile ${NOPE}/users\nRequire valid-user\n</Location>\n\
         <DirectoryMatch \"^{site}/htdocs/x\">\nAllowOverride AuthConfig\n</DirectoryMatch>\n",
    );
    site.mkdir("run");
    let path = site.write("conf/httpd.conf", conf);
    let found = codes(&path, None);
    let lines = |code: &str| -> Vec<usize> {
        found
            .iter()
            .filter(|(c, _, _)| *c == code)
            .map(|(_, l, _)| *l)
            .collect()
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let line_of = |needle: &str, nth: usize| {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .map(|(i, _)| i + 1)
            .unwrap()
    };
    // Plain-HTTP vhost warns; the TLS vhost does not.
    assert!(
        lines("AP021").contains(&line_of("AuthType Basic", 0)),
        "{found:?}"
    );
    assert!(
        !lines("AP021").contains(&line_of("AuthType Basic", 1)),
        "{found:?}"
    );
    assert_eq!(lines("AP003"), vec![line_of("${NOPE}", 0)], "{found:?}");
    assert_eq!(
        lines("AP019"),
        vec![line_of("AllowOverride AuthConfig", 0)],
        "{found:?}"
    );
    // httpd itself only warns about the variable (and starts).
    let (ok, err) = syntax_ok(&path);
    assert!(
        err.contains("NOPE") && err.contains("not defined"),
        "{ok} {err}"
    );
}

/// A vhost snippet and a lone .htaccess are checked against an assumed stock config,
/// and htguard says so.
#[test]
fn snippets_and_lone_htaccess_state_their_assumptions() {
    let site = Site::new();
    let snippet = site.write(
        "sites-available/app.conf",
        "<VirtualHost *:443>\nSSLEngine on\nDocumentRoot /var/www/app\n<Location /admin>\nAuthType Basic\nAuthName \"Admin\"\nAuthUserFile .htpasswd\nRequire valid-user\n</Location>\n</VirtualHost>\n",
    );
    let ht = site.write(
        "www/.htaccess",
        "AuthType Basic\nAuthName \"R\"\nAuthUserFile /nonexistent/users\nRequire valid-user\n",
    );
    for (path, want) in [
        (&snippet, vec!["AP025", "AP006", "AP004"]),
        (&ht, vec!["AP025", "AP004"]),
    ] {
        let opts = CheckOptions {
            paths: vec![path.clone()],
            ..Default::default()
        };
        let out = check::run(&opts).expect("check runs");
        let got: Vec<&str> = out.diagnostics.iter().map(|d| d.code).collect();
        for w in want {
            assert!(
                got.contains(&w),
                "{}: {w} missing in {got:?}",
                path.display()
            );
        }
    }
}
