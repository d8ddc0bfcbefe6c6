//! `htguard probe` against real Apache httpd and nginx on 127.0.0.1: each diagnosis is
//! reproduced by a server that really answers that way, and a healthy login gives none.

mod common;
mod probe_support;

use common::{Apache, Nginx, Site};
use probe_support::{Tiny, assert_no_piece, probe};

const PASSWORD: &str = "correct horse";

/// A site with `alice:PASSWORD` (bcrypt) in `users` and a page at `/p/`.
fn site_with_alice() -> Site {
    let site = Site::new();
    let line = common::run_tool("htpasswd", &["-nbB", "alice", PASSWORD]);
    site.write("users", line.trim_end().to_string() + "\n");
    site.write("htdocs/p/index.html", "secret page\n");
    site
}

const APACHE_BASIC: &str = r#"
<Location /p/>
    AuthType Basic
    AuthName "Probe"
    AuthUserFile {site}/users
    Require valid-user
</Location>"#;

const NGINX_BASIC: &str = r#"
    location /p/ {
        auth_basic "Probe";
        auth_basic_user_file {site}/users;
    }"#;

#[test]
fn healthy_apache_and_nginx_give_no_finding() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let nginx = Nginx::start(&site, NGINX_BASIC);
    for url in [apache.url("/p/"), nginx.url("/p/")] {
        let run = probe(
            &[&url, "--user", "alice", "--format", "json"],
            Some(PASSWORD),
        );
        assert_eq!(run.code, 0, "{url}: {}{}", run.stdout, run.stderr);
        assert!(run.codes().is_empty(), "{url}: {}", run.stdout);
        let statuses: Vec<u64> = run.json()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["answer"]["status"].as_u64().unwrap())
            .collect();
        assert_eq!(statuses, [401, 200, 401], "{url}");
        let human = probe(&[&url, "--user", "alice"], Some(PASSWORD));
        assert_eq!(human.code, 0);
        assert!(
            human.stdout.contains("No findings from 3 requests"),
            "{}",
            human.stdout
        );
    }
}

#[test]
fn wrong_password_and_absent_user_are_credentials_rejected() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let nginx = Nginx::start(&site, NGINX_BASIC);
    for url in [apache.url("/p/"), nginx.url("/p/")] {
        for (user, password) in [("alice", "not the password"), ("bob", PASSWORD)] {
            let run = probe(&[&url, "--user", user, "--format", "json"], Some(password));
            assert_eq!(run.code, 1, "{url} {user}: {}{}", run.stdout, run.stderr);
            assert_eq!(run.codes(), ["PB001"], "{url} {user}: {}", run.stdout);
            let f = &run.json()["findings"][0];
            assert_eq!(f["location"]["request"], 2, "{f}");
            assert_eq!(f["related"][0]["location"]["request"], 3, "{f}");
            assert!(
                f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{user}'s password"))
            );
        }
    }
    let human = probe(&[&apache.url("/p/"), "--user", "bob"], Some(PASSWORD));
    eprintln!("{}", human.stdout);
    assert!(
        human.stdout.contains("PB001 credentials-rejected"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("< HTTP/1.1 401 Unauthorized"),
        "{}",
        human.stdout
    );
}

/// nginx in front removes the header; the Apache behind it asks for the login. From the
/// outside the right password is rejected like a wrong one.
#[test]
fn a_front_that_strips_authorization_looks_like_a_rejected_password() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    // The backend takes the right password when asked directly.
    assert_eq!(apache.get("/p/", Some(("alice", PASSWORD))), 200);
    let front_site = Site::new();
    let front = Nginx::start(
        &front_site,
        &format!(
            "    location / {{\n        proxy_set_header Authorization \"\";\n        proxy_pass http://127.0.0.1:{};\n    }}",
            apache.port()
        ),
    );
    let run = probe(
        &[&front.url("/p/"), "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB001"], "{}", run.stdout);
    let help = run.json()["findings"][0]["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        help.contains("removes or replaces the Authorization header"),
        "{help}"
    );
}

#[test]
fn basic_over_plain_http_is_reported_unless_loopback() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let port = apache.port().to_string();
    let url = format!("http://shop.example.test:{port}/p/");
    let resolve = format!("shop.example.test:{port}:127.0.0.1");
    let run = probe(
        &[
            &url,
            "--resolve",
            &resolve,
            "--user",
            "alice",
            "--format",
            "json",
        ],
        Some(PASSWORD),
    );
    // A warning: exit 0 unless --fail-on warning.
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB004"], "{}", run.stdout);
    let f = &run.json()["findings"][0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["location"]["line"],
        "< WWW-Authenticate: Basic realm=\"Probe\""
    );
    let strict = probe(
        &[
            &url,
            "--resolve",
            &resolve,
            "--user",
            "alice",
            "--fail-on",
            "warning",
        ],
        Some(PASSWORD),
    );
    assert_eq!(strict.code, 1, "{}", strict.stdout);
}

#[test]
fn require_ip_gives_forbidden_not_unauthorized() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(
        &site,
        r#"
<Location /p/>
    AuthType Basic
    AuthName "Probe"
    AuthUserFile {site}/users
    Require ip 10.0.0.0/8
</Location>"#,
    );
    for (user, password) in [(Some("alice"), Some(PASSWORD)), (None, None)] {
        let mut args = vec![apache.url("/p/"), "--format".into(), "json".into()];
        if let Some(u) = user {
            args.extend(["--user".into(), u.into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = probe(&args, password);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert_eq!(run.codes(), ["PB006"], "{}", run.stdout);
    }
}

#[test]
fn a_missing_user_file_gives_an_error_after_credentials() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(
        &site,
        r#"
<Location /p/>
    AuthType Basic
    AuthName "Probe"
    AuthUserFile {site}/no-such-file
    Require valid-user
</Location>"#,
    );
    let run = probe(
        &[&apache.url("/p/"), "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB008"], "{}", run.stdout);
    // Without --user, the made-up credentials show it as well.
    let run = probe(&[&apache.url("/p/"), "--format", "json"], None);
    assert_eq!(run.codes(), ["PB008"], "{}", run.stdout);
}

/// nginx answers 403, not 500, to any credentials when the user file does not exist
/// (`ENOENT` in ngx_http_auth_basic_handler); PB008 names that too.
#[test]
fn nginx_with_a_missing_user_file_answers_403_to_any_credentials() {
    if !common::need(&["nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let nginx = Nginx::start(
        &site,
        r#"
    location /p/ {
        auth_basic "Probe";
        auth_basic_user_file {site}/no-such-file;
    }"#,
    );
    let run = probe(
        &[&nginx.url("/p/"), "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    let statuses: Vec<u64> = run.json()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["answer"]["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [401, 403, 403], "{}", run.stdout);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB008"], "{}", run.stdout);
    assert!(run.stdout.contains("does not exist"), "{}", run.stdout);
}

#[test]
fn a_redirect_to_another_port_drops_the_credentials() {
    if !common::need(&["nginx", "htpasswd"]) {
        return;
    }
    let target = Tiny::start(|_| {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"other\"".into()
    });
    let site = site_with_alice();
    let nginx = Nginx::start(
        &site,
        &format!(
            "    location /p/ {{\n        return 302 {};\n    }}",
            target.url("/p/")
        ),
    );
    let run = probe(
        &[&nginx.url("/p/"), "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(run.codes(), ["PB007"], "{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 0, "a warning");
    // Followed once, without credentials.
    let heads = target.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        !heads[0].to_ascii_lowercase().contains("authorization"),
        "{}",
        heads[0]
    );
    let doc = run.json();
    let last = doc["requests"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["purpose"], "redirect");
    assert_eq!(last["credentials"], serde_json::Value::Null);
    assert_eq!(last["answer"]["status"], 401);
}

#[test]
fn expect_login_reports_an_open_url() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = Site::new();
    site.write("htdocs/p/index.html", "open\n");
    let nginx = Nginx::start(&site, "");
    let run = probe(
        &[&nginx.url("/p/"), "--expect-login", "--format", "json"],
        None,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB010"]);
    let plain = probe(&[&nginx.url("/p/"), "--format", "json"], None);
    assert_eq!(plain.code, 0);
    assert!(plain.codes().is_empty());
    assert_eq!(plain.requests(), 1, "an open URL needs one request");
}

/// Apache's Digest: the probe answers the challenge with the password (no finding), and
/// a wrong password is PB001 as with Basic.
#[test]
fn digest_logins_are_answered() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    site.write("htdocs/p/index.html", "secret page\n");
    let ha1 = format!("{:x}", md5::compute(format!("alice:Probe:{PASSWORD}")));
    site.write("digest", format!("alice:Probe:{ha1}\n"));
    let apache = Apache::start(
        &site,
        r#"
<Location /p/>
    AuthType Digest
    AuthName "Probe"
    AuthDigestProvider file
    AuthUserFile {site}/digest
    Require valid-user
</Location>"#,
    );
    let run = probe(
        &[&apache.url("/p/"), "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["requests"][1]["credentials"]["scheme"], "Digest");
    assert_eq!(doc["requests"][1]["answer"]["status"], 200, "{doc}");
    let wrong = probe(
        &[&apache.url("/p/"), "--user", "alice", "--format", "json"],
        Some("nope"),
    );
    assert_eq!(wrong.codes(), ["PB001"], "{}", wrong.stdout);
}

/// `/p` is a directory: Apache asks for the login first, then mod_dir redirects to `/p/`.
/// The probe follows that redirect with the same credentials (same origin) and judges
/// the login where it lands.
#[test]
fn a_login_behind_mod_dir_redirect_is_followed_on_the_same_origin() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(
        &site,
        r#"
<Directory "{site}/htdocs/p">
    AuthType Basic
    AuthName "Probe"
    AuthUserFile {site}/users
    Require valid-user
</Directory>"#,
    );
    let run = probe(
        &[&apache.url("/p"), "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    let seen: Vec<(String, u64)> = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["purpose"].as_str().unwrap().to_string(),
                r["answer"]["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64)> = [
        ("first", 401),
        ("given", 301),
        ("wrong", 401),
        ("redirect", 200),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), *s))
    .collect();
    assert_eq!(seen, want, "{doc}");
    assert_eq!(doc["requests"][3]["credentials"]["password"], "given");
    let bad = probe(
        &[&apache.url("/p"), "--user", "alice", "--format", "json"],
        Some("wrong"),
    );
    assert_eq!(bad.codes(), ["PB001"], "{}", bad.stdout);
}

/// HTTPS with a self-signed certificate: refused (exit 2, a TLS message) unless
/// --insecure; with it, the probe reads the answers over TLS.
#[test]
fn self_signed_tls_needs_insecure() {
    if !common::need(&["nginx", "openssl", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let (key, cert) = (site.path("key.pem"), site.path("cert.pem"));
    common::run_tool(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            cert.to_str().unwrap(),
        ],
    );
    let nginx = Nginx::start_http(
        &site,
        r#"
server {
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {site}/cert.pem;
    ssl_certificate_key {site}/key.pem;
    root {site}/htdocs;
    location /p/ {
        auth_basic "Probe";
        auth_basic_user_file {site}/users;
    }
}"#,
    );
    let url = format!("https://127.0.0.1:{}/p/", nginx.port());
    let strict = probe(&[&url, "--timeout", "5"], None);
    assert_eq!(strict.code, 2, "{}{}", strict.stdout, strict.stderr);
    assert!(strict.stderr.contains("TLS"), "{}", strict.stderr);
    let run = probe(
        &[&url, "--insecure", "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["requests"][1]["answer"]["status"], 200);
}

/// With --config, each request also goes through the evaluators: a healthy server agrees
/// with its configuration on every request (no PB009), on Apache and nginx.
#[test]
fn with_config_a_healthy_server_agrees_with_its_configuration() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let nginx = Nginx::start(&site, NGINX_BASIC);
    for (url, conf) in [
        (apache.url("/p/"), apache.conf_path().to_owned()),
        (nginx.url("/p/"), nginx.conf_path().to_owned()),
    ] {
        let conf = conf.to_str().unwrap();
        for password in [PASSWORD, "not the password"] {
            let run = probe(
                &[
                    &url, "--user", "alice", "--config", conf, "--format", "json",
                ],
                Some(password),
            );
            let doc = run.json();
            let predicted: Vec<u64> = doc["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["predicted"]["status"].as_u64().unwrap_or(0))
                .collect();
            let live: Vec<u64> = doc["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["answer"]["status"].as_u64().unwrap())
                .collect();
            assert_eq!(predicted, live, "{url} {password}: {doc}");
            let want: &[&str] = if password == PASSWORD {
                &[]
            } else {
                &["PB001"]
            };
            assert_eq!(run.codes(), want, "{url}: {}", run.stdout);
        }
    }
}

/// PB001 with --config names the cause the configuration confirms, at its line.
#[test]
fn with_config_a_rejected_password_names_the_cause() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let conf = apache.conf_path().to_str().unwrap().to_string();
    let run = probe(
        &[
            &apache.url("/p/"),
            "--user",
            "bob",
            "--config",
            &conf,
            "--format",
            "json",
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.codes(), ["PB001"], "{}", run.stdout);
    let f = &run.json()["findings"][0];
    let help = f["help"].as_str().unwrap();
    assert!(help.contains("user bob not found"), "{help}");
    let related = f["related"].as_array().unwrap();
    let at_config = related
        .iter()
        .find(|r| r["location"]["file"].as_str() == Some(conf.as_str()))
        .unwrap_or_else(|| panic!("no config line in {f}"));
    let line = at_config["location"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.lines().nth(line - 1).unwrap().contains("AuthUserFile"),
        "{f}"
    );
}

/// The nginx front's `proxy_set_header Authorization "";` is named, with the Apache
/// backend's configuration or without it.
#[test]
fn with_config_a_front_that_strips_authorization_is_named() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let front_site = Site::new();
    let front = Nginx::start(
        &front_site,
        &format!(
            "    location / {{\n        proxy_set_header Authorization \"\";\n        proxy_pass http://127.0.0.1:{};\n    }}",
            apache.port()
        ),
    );
    let nginx_conf = front.conf_path().to_str().unwrap().to_string();
    let apache_conf = apache.conf_path().to_str().unwrap().to_string();
    for configs in [
        vec![nginx_conf.as_str(), apache_conf.as_str()],
        vec![nginx_conf.as_str()],
    ] {
        let mut args = vec![
            front.url("/p/"),
            "--user".into(),
            "alice".into(),
            "--format".into(),
            "json".into(),
            "--config".into(),
        ];
        args.extend(configs.iter().map(|c| c.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = probe(&args, Some(PASSWORD));
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert_eq!(run.codes(), ["PB002"], "{configs:?}: {}", run.stdout);
        let loc = &run.json()["findings"][0]["location"];
        assert_eq!(loc["file"], nginx_conf.as_str(), "{loc}");
        let line = loc["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(&nginx_conf).unwrap();
        assert!(
            text.lines()
                .nth(line - 1)
                .unwrap()
                .contains("proxy_set_header Authorization \"\""),
            "{loc}"
        );
    }
}

/// A configuration that is not the one deployed: it lets everyone in where the live
/// Apache asks for a login (PB009), or asks for a login where the live nginx is open
/// (PB010, and PB009).
#[test]
fn with_config_a_configuration_not_deployed_disagrees() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let deployed = std::fs::read_to_string(apache.conf_path()).unwrap();
    let other = site.write(
        "other/httpd.conf",
        deployed.replace("Require valid-user", "Require all granted"),
    );
    let run = probe(
        &[
            &apache.url("/p/"),
            "--config",
            other.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB009"], "{}", run.stdout);
    let f = &run.json()["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("got 401; the configuration predicts 200"),
        "{f}"
    );

    let open_site = site_with_alice();
    let nginx = Nginx::start(&open_site, "");
    let live = std::fs::read_to_string(nginx.conf_path()).unwrap();
    let protected = open_site.write(
        "other/nginx.conf",
        live.replace(
            "root ",
            &format!(
                "auth_basic \"Probe\";\n    auth_basic_user_file {}/users;\n    root ",
                open_site.dir().display()
            ),
        ),
    );
    let run = probe(
        &[
            &nginx.url("/p/"),
            "--config",
            protected.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB009", "PB010"], "{}", run.stdout);
    // A configuration for another port: nobody configured listens where the probe went.
    let elsewhere = site.write(
        "elsewhere/httpd.conf",
        deployed.replace(&format!(":{}", apache.port()), ":1"),
    );
    let run = probe(
        &[
            &apache.url("/p/"),
            "--config",
            elsewhere.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.codes(), ["PB009"], "{}", run.stdout);
    assert!(
        run.stdout.contains("no configured server listens"),
        "{}",
        run.stdout
    );
}

/// The config file's line that a finding (its location or a related one) points at.
fn lines_named(finding: &serde_json::Value, conf: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(conf).unwrap();
    let conf = conf.to_str().unwrap();
    let related = finding["related"].as_array().cloned().unwrap_or_default();
    std::iter::once(&finding["location"])
        .chain(related.iter().map(|r| &r["location"]))
        .filter(|l| l["file"].as_str() == Some(conf))
        .map(|l| {
            let n = l["line"].as_u64().unwrap() as usize;
            text.lines().nth(n - 1).unwrap().trim().to_string()
        })
        .collect()
}

/// `htguard probe URL --config CONF [--user alice]` (JSON), the password given.
fn probe_with_config(url: &str, conf: &std::path::Path, user: bool) -> probe_support::Run {
    let mut args = vec![url, "--config", conf.to_str().unwrap(), "--format", "json"];
    if user {
        args.extend(["--user", "alice"]);
    }
    probe(&args, user.then_some(PASSWORD))
}

/// With --config, PB006 names the `Require ip` line and PB008 the `AuthUserFile` whose
/// file is missing (Apache) or the `auth_basic_user_file` that is a directory (nginx);
/// the configuration predicts every live status (no PB009).
#[test]
fn with_config_forbidden_and_error_findings_name_the_deciding_line() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let by_ip = Apache::start(
        &site,
        r#"
<Location /p/>
    AuthType Basic
    AuthName "Probe"
    AuthUserFile {site}/users
    Require ip 10.0.0.0/8
</Location>"#,
    );
    let missing_site = site_with_alice();
    let missing = Apache::start(
        &missing_site,
        r#"
<Location /p/>
    AuthType Basic
    AuthName "Probe"
    AuthUserFile {site}/no-such-file
    Require valid-user
</Location>"#,
    );
    let dir_site = site_with_alice();
    dir_site.mkdir("users-dir");
    let dir_file = Nginx::start(
        &dir_site,
        r#"
    location /p/ {
        auth_basic "Probe";
        auth_basic_user_file {site}/users-dir;
    }"#,
    );
    for (server, code, wanted) in [
        (&by_ip, "PB006", "Require ip 10.0.0.0/8"),
        (&missing, "PB008", "AuthUserFile"),
        (&dir_file, "PB008", "auth_basic_user_file"),
    ] {
        let run = probe_with_config(&server.url("/p/"), server.conf_path(), true);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert_eq!(run.codes(), [code], "{}", run.stdout);
        let named = lines_named(&run.json()["findings"][0], server.conf_path());
        assert!(
            named.iter().any(|l| l.starts_with(wanted)),
            "{code} names {named:?}, not {wanted}: {}",
            run.stdout
        );
    }
}

/// The probe front: nginx removes the header before an Apache that asks for a login.
/// PB001 without --config; with it, PB002 at the `proxy_set_header` line and no PB001.
/// The same front passing the header on is healthy, and the configuration agrees.
#[test]
fn a_front_that_strips_authorization_is_pb001_then_pb002_with_config() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(&site, APACHE_BASIC);
    let front_conf = |strip: &str| {
        format!(
            "    location / {{\n        {strip}\n        proxy_pass http://127.0.0.1:{};\n    }}",
            apache.port()
        )
    };
    let strip_site = Site::new();
    let strip = Nginx::start(
        &strip_site,
        &front_conf("proxy_set_header Authorization \"\";"),
    );
    let pass_site = Site::new();
    let pass = Nginx::start(&pass_site, &front_conf("proxy_set_header X-Probe yes;"));
    let url = strip.url("/p/");
    let without = probe(
        &[&url, "--user", "alice", "--format", "json"],
        Some(PASSWORD),
    );
    assert_eq!(without.codes(), ["PB001"], "{}", without.stdout);
    let run = probe(
        &[
            &url,
            "--user",
            "alice",
            "--format",
            "json",
            "--config",
            strip.conf_path().to_str().unwrap(),
            apache.conf_path().to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.codes(), ["PB002"], "{}", run.stdout);
    let named = lines_named(&run.json()["findings"][0], strip.conf_path());
    assert_eq!(
        named,
        ["proxy_set_header Authorization \"\";"],
        "{}",
        run.stdout
    );
    let run = probe(
        &[
            &pass.url("/p/"),
            "--user",
            "alice",
            "--format",
            "json",
            "--config",
            pass.conf_path().to_str().unwrap(),
            apache.conf_path().to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.codes().is_empty(), "{}", run.stdout);
    let predicted: Vec<_> = run.json()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["predicted"]["status"].clone())
        .collect();
    assert_eq!(predicted, [401, 200, 401], "{}", run.stdout);
}

/// Lines in a server's access log, once it has stopped growing.
fn logged(log: &std::path::Path) -> usize {
    let mut last = usize::MAX;
    for _ in 0..40 {
        let n = std::fs::read_to_string(log)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if n == last {
            return n;
        }
        last = n;
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    last
}

/// Apache and nginx log every request they receive: per probe, the log grows by exactly
/// the requests the probe lists, never more than ten (healthy, wrong password, no user,
/// a redirect followed, OPTIONS after 405).
#[test]
fn real_servers_receive_exactly_the_listed_requests() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let apache = Apache::start(
        &site,
        &(APACHE_BASIC.to_string() + "\nCustomLog \"{site}/access.log\" common\n"),
    );
    let nginx_site = site_with_alice();
    let nginx = Nginx::start(
        &nginx_site,
        &(NGINX_BASIC.to_string()
            + "\n    location = /moved { return 302 /p/; }\n    location = /get-only { limit_except GET { deny all; } return 405; }"),
    );
    let cases: [(&common::Server, &Site, &str, Option<&str>); 7] = [
        (&apache, &site, "/p/", Some(PASSWORD)),
        (&apache, &site, "/p/", Some("not it")),
        (&apache, &site, "/p", None),
        (&nginx, &nginx_site, "/p/", Some(PASSWORD)),
        (&nginx, &nginx_site, "/p/", Some("not it")),
        (&nginx, &nginx_site, "/moved", Some(PASSWORD)),
        (&nginx, &nginx_site, "/get-only", None),
    ];
    for (server, site, path, password) in cases {
        let log = site.path("access.log");
        let before = logged(&log);
        let mut args = vec![server.url(path), "--format".into(), "json".into()];
        if password.is_some() {
            args.extend(["--user".into(), "alice".into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = probe(&args, password);
        assert!(run.code < 2, "{}{}", run.stdout, run.stderr);
        let received = logged(&log) - before;
        assert_eq!(received, run.requests(), "{path}: {}", run.stdout);
        assert!(received <= 10, "{path}: {received}");
    }
}

/// With --config too, no output format shows the password or the Authorization value
/// that a real Apache received (its log records the user, so the request carried it).
#[test]
fn with_config_no_output_shows_the_password() {
    use base64::Engine;
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    const SECRET: &str = "Qx7!vR2#mK9$wZ";
    let site = site_with_alice();
    let line = common::run_tool("htpasswd", &["-nbB", "alice", SECRET]);
    site.write("users", line.trim_end().to_string() + "\n");
    let apache = Apache::start(&site, APACHE_BASIC);
    let token = base64::engine::general_purpose::STANDARD.encode(format!("alice:{SECRET}"));
    // The right password (no finding) and a wrong one (PB001 with the config's causes).
    for password in [SECRET, "Zt5%pL8&nW3@yB"] {
        for format in ["human", "json", "sarif", "github"] {
            let run = probe(
                &[
                    &apache.url("/p/"),
                    "--user",
                    "alice",
                    "--config",
                    apache.conf_path().to_str().unwrap(),
                    "--format",
                    format,
                    "--verbose",
                ],
                Some(password),
            );
            assert!(run.code < 2, "{format}: {}{}", run.stdout, run.stderr);
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert_no_piece(text, password, &format!("{format} {what}"));
                assert!(!text.contains(&token), "{format} {what}: {text}");
                assert!(!text.contains("Basic YWxp"), "{format} {what}: {text}");
            }
        }
    }
}

/// The login set in a `.htaccess`: with --config the probe reads it as `why` does (the
/// `.htaccess` of each directory a request walks), so every prediction matches the live
/// status, through mod_dir's redirect from `/p` to `/p/`, and a rejected user is
/// traced to the `AuthUserFile` line of the `.htaccess`.
#[test]
fn with_config_a_login_in_htaccess_is_predicted() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_alice();
    let htaccess = site.write(
        "htdocs/p/.htaccess",
        format!(
            "AuthType Basic\nAuthName \"Probe\"\nAuthUserFile {}/users\nRequire valid-user\n",
            site.dir().display()
        ),
    );
    let apache = Apache::start(
        &site,
        "<Directory \"{site}/htdocs/p\">\n    AllowOverride AuthConfig\n</Directory>",
    );
    let conf = apache.conf_path().to_str().unwrap().to_string();
    for (path, user) in [("/p/", "alice"), ("/p", "alice"), ("/p/", "bob")] {
        let run = probe(
            &[
                &apache.url(path),
                "--user",
                user,
                "--config",
                &conf,
                "--format",
                "json",
            ],
            Some(PASSWORD),
        );
        let doc = run.json();
        for r in doc["requests"].as_array().unwrap() {
            assert_eq!(
                r["predicted"]["status"], r["answer"]["status"],
                "{path} as {user}: {r}"
            );
        }
        if user == "alice" {
            assert!(run.codes().is_empty(), "{path}: {}", run.stdout);
            continue;
        }
        assert_eq!(run.codes(), ["PB001"], "{}", run.stdout);
        let named = lines_named(&doc["findings"][0], &htaccess);
        assert!(
            named.iter().any(|l| l.starts_with("AuthUserFile")),
            "{named:?}: {}",
            run.stdout
        );
    }
}
