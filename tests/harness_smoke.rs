//! Proves the real-server harness: both servers start on free ports, answer
//! 401/200/401 for a healthy htpasswd, run their workers as www-data, report
//! their error logs, and are stopped when dropped.

mod common;

use common::{Apache, Nginx, Site, run_tool};

/// `u:<bcrypt of "secret">` made by Apache's own htpasswd.
fn healthy_htpasswd() -> String {
    run_tool("htpasswd", &["-nbB", "u", "secret"])
}

const APACHE_LOCATIONS: &str = r#"
<Location /ok/>
    AuthType Basic
    AuthName "smoke"
    AuthUserFile {site}/users
    Require valid-user
</Location>
<Location /root-only/>
    AuthType Basic
    AuthName "smoke"
    AuthUserFile {site}/root-only-users
    Require valid-user
</Location>
"#;

const NGINX_LOCATIONS: &str = r#"
location /ok/ {
    auth_basic "smoke";
    auth_basic_user_file {site}/users;
}
location /root-only/ {
    auth_basic "smoke";
    auth_basic_user_file {site}/root-only-users;
}
"#;

fn site_with_users() -> Site {
    let site = Site::new();
    let users = healthy_htpasswd();
    site.write("users", &users);
    // Readable by root only: a worker that really runs as www-data cannot open it.
    site.write_mode("root-only-users", &users, 0o600);
    site.write("htdocs/ok/index.html", "ok\n");
    site.write("htdocs/root-only/index.html", "ok\n");
    site
}

#[test]
fn apache_healthy_basic_auth() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = site_with_users();
    let apache = Apache::start(&site, APACHE_LOCATIONS);
    assert_eq!(apache.get("/ok/", None), 401, "no credentials");
    assert_eq!(
        apache.get("/ok/", Some(("u", "secret"))),
        200,
        "good credentials"
    );
    assert_eq!(
        apache.get("/ok/", Some(("u", "wrong"))),
        401,
        "bad password"
    );
    assert_eq!(
        apache.get("/ok/", Some(("nobody", "secret"))),
        401,
        "unknown user"
    );
    let page = apache.request("GET", "/ok/", Some(("u", "secret")));
    assert_eq!(page.text(), "ok\n");
    let challenge = apache.request("GET", "/ok/", None);
    assert_eq!(
        challenge.header("www-authenticate"),
        Some("Basic realm=\"smoke\"")
    );
    assert!(
        apache.error_log().contains("AH01617"),
        "mismatch is logged: {}",
        apache.error_log()
    );
}

#[test]
fn apache_workers_run_as_www_data() {
    if !common::need_root(
        &["apache2", "htpasswd"],
        "the worker drops to www-data only when httpd starts as root",
    ) {
        return;
    }
    let site = site_with_users();
    let apache = Apache::start(&site, APACHE_LOCATIONS);
    assert_eq!(apache.get("/root-only/", None), 401);
    assert_eq!(apache.get("/root-only/", Some(("u", "secret"))), 500);
    assert!(
        apache.error_log().contains("AH01620"),
        "{}",
        apache.error_log()
    );
}

#[test]
fn nginx_healthy_basic_auth() {
    if !common::need(&["nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_users();
    let nginx = Nginx::start(&site, NGINX_LOCATIONS);
    assert_eq!(nginx.get("/ok/", None), 401, "no credentials");
    assert_eq!(
        nginx.get("/ok/", Some(("u", "secret"))),
        200,
        "good credentials"
    );
    assert_eq!(nginx.get("/ok/", Some(("u", "wrong"))), 401, "bad password");
    assert_eq!(
        nginx.get("/ok/", Some(("nobody", "secret"))),
        401,
        "unknown user"
    );
    assert_eq!(
        nginx.request("GET", "/ok/", Some(("u", "secret"))).text(),
        "ok\n"
    );
    assert!(
        nginx.error_log().contains("password mismatch"),
        "{}",
        nginx.error_log()
    );
}

#[test]
fn nginx_workers_run_as_www_data() {
    if !common::need_root(
        &["nginx", "htpasswd"],
        "the worker drops to www-data only when nginx starts as root",
    ) {
        return;
    }
    let site = site_with_users();
    let nginx = Nginx::start(&site, NGINX_LOCATIONS);
    assert_eq!(nginx.get("/root-only/", None), 401);
    assert_eq!(nginx.get("/root-only/", Some(("u", "secret"))), 500);
    assert!(
        nginx.error_log().contains("Permission denied"),
        "{}",
        nginx.error_log()
    );
}

#[test]
fn apache_digest_auth() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    let ha1 = format!("{:x}", md5::compute("u:vault:secret"));
    site.write("digest", format!("u:vault:{ha1}\n"));
    site.write("htdocs/d/index.html", "d\n");
    let apache = Apache::start(
        &site,
        r#"
<Location /d/>
    AuthType Digest
    AuthName "vault"
    AuthUserFile {site}/digest
    Require valid-user
</Location>
"#,
    );
    assert_eq!(apache.get("/d/", None), 401);
    assert_eq!(apache.digest_get("/d/", "u", "vault", "secret"), 200);
    assert_eq!(apache.digest_get("/d/", "u", "vault", "wrong"), 401);
    assert_eq!(
        apache.digest_get("/d/", "u", "other", "secret"),
        401,
        "realm mismatch"
    );
}

#[test]
fn servers_are_stopped_on_drop_and_ports_differ() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site_a = site_with_users();
    let site_b = site_with_users();
    let apache = Apache::start(&site_a, APACHE_LOCATIONS);
    let nginx = Nginx::start(&site_b, NGINX_LOCATIONS);
    assert_ne!(apache.port(), nginx.port());
    let (apache_port, nginx_port) = (apache.port(), nginx.port());
    drop(apache);
    drop(nginx);
    for port in [apache_port, nginx_port] {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still answers after drop"
        );
    }
}

#[test]
fn start_failure_panics_with_the_error_log() {
    if !common::need(&["apache2", "nginx"]) {
        return;
    }
    let site = Site::new();
    let result = std::panic::catch_unwind(|| {
        Apache::start(&site, "ThisIsNotADirective on\n");
    });
    let err = result.expect_err("a bad config must not start");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("ThisIsNotADirective"),
        "panic shows the cause: {msg}"
    );
    let result = std::panic::catch_unwind(|| {
        Nginx::start(&site, "no_such_directive on;");
    });
    let msg = result
        .expect_err("a bad config must not start")
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        msg.contains("no_such_directive"),
        "panic shows the cause: {msg}"
    );
}

#[test]
fn a_taken_port_is_retried_with_another() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken = squatter.local_addr().expect("addr").port();
    let site = site_with_users();

    common::force_next_port(taken);
    let apache = Apache::start(&site, APACHE_LOCATIONS);
    assert_ne!(apache.port(), taken);
    assert_eq!(apache.get("/ok/", Some(("u", "secret"))), 200);
    drop(apache);

    common::force_next_port(taken);
    let started = std::time::Instant::now();
    let nginx = Nginx::start(&site, NGINX_LOCATIONS);
    assert_ne!(nginx.port(), taken);
    assert_eq!(nginx.get("/ok/", Some(("u", "secret"))), 200);
    assert!(
        started.elapsed().as_secs() < 2,
        "the collision is detected without nginx's bind retries"
    );
}

#[test]
fn configs_that_do_not_start_are_errors_with_the_cause() {
    if !common::need(&["apache2", "nginx"]) {
        return;
    }
    let site = Site::new();
    let apache = Apache::try_start(&site, "Include {site}/no-such-file.conf\n");
    let err = apache.err().expect("a missing Include stops httpd");
    assert!(err.contains("no-such-file.conf"), "{err}");

    let nginx = Nginx::try_start(&site, "location / { no_such_directive on; }");
    let err = nginx.err().expect("an unknown directive stops nginx");
    assert!(
        err.contains("unknown directive \"no_such_directive\""),
        "{err}"
    );
}

#[test]
fn config_tests_run_without_starting_a_server() {
    if !common::need(&["apache2", "nginx"]) {
        return;
    }
    let site = Site::new();
    Apache::config_test(&site, APACHE_LOCATIONS).expect("a valid config passes apache2 -t");
    let err = Apache::config_test(
        &site,
        "<Location /x>\nAuthUserFile /x/.htpasswd # users\n</Location>\n",
    )
    .unwrap_err();
    assert!(err.contains("AuthUserFile takes one argument"), "{err}");

    // nginx -t never opens the user file: a missing one passes (spec/nginx.md).
    let out = Nginx::config_test(&site, NGINX_LOCATIONS).expect("nginx -t passes");
    assert!(out.contains("test is successful"), "{out}");
    let err = Nginx::config_test(&site, "auth_basic_user_file;").unwrap_err();
    assert!(err.contains("invalid number of arguments"), "{err}");
}

#[test]
fn a_panicking_test_still_stops_its_server() {
    if !common::need(&["nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_users();
    let port = std::panic::catch_unwind(|| {
        let nginx = Nginx::start(&site, NGINX_LOCATIONS);
        std::panic::panic_any(nginx.port());
    })
    .expect_err("the closure panics")
    .downcast_ref::<u16>()
    .copied()
    .expect("the panic carries the port");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still answers after the panic"
    );
}

#[test]
fn other_methods_and_headers() {
    if !common::need(&["apache2", "nginx", "htpasswd"]) {
        return;
    }
    let site = site_with_users();
    let apache = Apache::start(&site, APACHE_LOCATIONS);
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "HEAD"] {
        assert_eq!(apache.request(method, "/ok/", None).status, 401, "{method}");
    }
    let nginx = Nginx::start(&site, NGINX_LOCATIONS);
    assert_eq!(nginx.request("POST", "/ok/", None).status, 401);
    let answer = nginx.request_with_headers("GET", "/ok/", &[("Host", "example.test")]);
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.header("WWW-Authenticate"),
        Some("Basic realm=\"smoke\"")
    );
}
