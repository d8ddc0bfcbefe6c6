//! The nginx evaluator against a real nginx: one server start with many servers and
//! locations (each a shape the evaluator must get right, several read in nginx's source
//! and checked here), and a table of requests. For every request the status nginx sends
//! must equal the status `model::nginx::request::evaluate` predicts.

mod common;

use common::{Nginx, Server, Site};
use htguard::model::LoadOptions;
use htguard::model::nginx::request::evaluate;
use htguard::model::nginx::{NginxModel, NginxStart, load};
use htguard::model::request::{Credentials, LocalFiles, Request, Scheme};
use htguard::source::Sources;
use std::net::IpAddr;
use zeroize::Zeroizing;

const GOOD: Option<(&str, &str)> = Some(("u", "secret"));
const BAD: Option<(&str, &str)> = Some(("u", "wrong"));

/// `u:secret` (apr1).
const USERS: &str = "u:$apr1$X7p9VVZ0$ZfXy9blcTnh2niKLaUFgL1\n";

const HTTP: &str = r#"
map $http_x_switch $realm { default "Switch"; 1 off; }
server {
    listen 127.0.0.1:{port} default_server;
    server_name main;
    root {site}/htdocs;
    location /admin/ { auth_basic "A"; auth_basic_user_file {site}/users; }
    location ~ \.php$ { return 200 "php"; }
    location /static { alias {site}/app/public/; }
    location /missing/ { auth_basic "M"; auth_basic_user_file {site}/none.users; }
    location /dirfile/ { auth_basic "D"; auth_basic_user_file {site}/users.d; }
    location /emptyfile/ { auth_basic "E"; auth_basic_user_file {site}/empty.users; }
    location /rw/ { auth_basic "R"; auth_basic_user_file {site}/users;
        rewrite ^/rw/open/(.*)$ /pub/$1 last;
        rewrite ^/rw/kept/(.*)$ /pub/$1 break;
    }
    location /lan/ { allow 10.0.0.0/8; deny all; }
    location /any/ { satisfy any; allow 127.0.0.1; deny all; auth_basic "Y"; auth_basic_user_file {site}/users; }
    location /all/ { allow 127.0.0.1; deny all; auth_basic "L"; auth_basic_user_file {site}/users; }
    location /le/ { limit_except GET { auth_basic "W"; auth_basic_user_file {site}/users; } }
    location /le-ret/ { limit_except GET { allow all; } return 299; }
    location = /idx { index admin/index.html; }
    location /t/ { try_files $uri /admin/index.html; }
    location /c/ { try_files $uri =418; }
    location /n/ { try_files $uri @fallback; }
    location @fallback { return 299; }
    location /iftf/ { if ($request_method = GET) { set $x 1; } try_files $uri =418; }
    location /e/ { error_page 404 /admin/index.html; }
    location /e2/ { error_page 404 =200 /pub/a.txt; }
    location /e3/ { error_page 404 = @fallback; }
    location /auto/ { autoindex on; }
    location /sw/ { auth_basic $realm; auth_basic_user_file {site}/users; }
    location /ret/ { return 404 "gone"; }
    location /ret2/ { return 404; error_page 404 /pub/a.txt; }
    location /brk/ { alias {site}/htdocs/pub/; rewrite ^/brk/(.*)$ /brk/$1 break; }
    location /int/ { internal; }
    location /toint { rewrite ^ /int/a.txt last; }
    location /red { rewrite ^/red(.*)$ /pub$1 redirect; }
    location /loop { rewrite ^(.*)$ $1 last; }
    location /proxied/ { proxy_pass http://127.0.0.1:9; }
    location /ar-no/ { auth_request /auth-no; }
    location /ar-yes/ { auth_request /auth-yes; }
    location /ar-odd/ { auth_request /auth-odd; }
    location /ar-any/ { satisfy any; auth_request /auth-no; auth_basic "AR"; auth_basic_user_file {site}/users; }
    location = /auth-no { internal; return 403; }
    location = /auth-yes { return 204; }
    location = /auth-odd { return 418; }
}
server {
    listen 127.0.0.1:{port};
    server_name other *.wild.test;
    root {site}/htdocs;
}
server {
    listen 127.0.0.1:{port};
    server_name ~^re\d+\.test$;
    location / { return 298; }
}
"#;

fn site() -> Site {
    let site = Site::new();
    site.write("users", USERS);
    site.write("empty.users", "");
    site.mkdir("users.d");
    site.write("htdocs/index.html", "home");
    site.write("htdocs/admin/index.html", "admin");
    site.write("htdocs/admin/x.php", "php");
    site.write("htdocs/pub/a.txt", "a");
    site.write("htdocs/int/a.txt", "i");
    site.write("htdocs/le/a.txt", "le");
    site.write("htdocs/le-ret/a.txt", "le");
    site.write("htdocs/iftf/a.txt", "if");
    site.mkdir("htdocs/auto");
    site.mkdir("htdocs/sw");
    site.write("htdocs/brk/a.txt", "brk");
    site.write("app/public/app.js", "js");
    site.write("app/.htpasswd", USERS);
    site
}

/// (method, Host, target, credentials).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

const CASES: &[Case] = &[
    ("GET", "main", "/", None),
    ("GET", "main", "/admin/", None),
    ("GET", "main", "/admin/", GOOD),
    ("GET", "main", "/admin/", BAD),
    ("GET", "main", "/admin/x.php", None),
    ("GET", "main", "/static/app.js", None),
    ("GET", "main", "/static../.htpasswd", None),
    ("GET", "main", "/static/../users", None),
    ("GET", "main", "/missing/", None),
    ("GET", "main", "/missing/", GOOD),
    ("GET", "main", "/dirfile/", GOOD),
    ("GET", "main", "/emptyfile/", GOOD),
    ("GET", "main", "/rw/open/a.txt", None),
    ("GET", "main", "/rw/kept/a.txt", None),
    ("GET", "main", "/rw/kept/a.txt", GOOD),
    ("GET", "main", "/lan/", None),
    ("GET", "main", "/any/", None),
    ("GET", "main", "/all/", None),
    ("GET", "main", "/all/", GOOD),
    ("GET", "main", "/le/a.txt", None),
    ("POST", "main", "/le/a.txt", None),
    ("POST", "main", "/le/a.txt", GOOD),
    ("GET", "main", "/le-ret/a.txt", None),
    ("POST", "main", "/le-ret/a.txt", None),
    ("GET", "main", "/idx", None),
    ("GET", "main", "/t/x", None),
    ("GET", "main", "/t/x", GOOD),
    ("GET", "main", "/c/x", None),
    ("GET", "main", "/n/x", None),
    ("GET", "main", "/iftf/a.txt", None),
    ("GET", "main", "/iftf/none", None),
    ("HEAD", "main", "/iftf/none", None),
    ("GET", "main", "/e/x", None),
    ("GET", "main", "/e/x", GOOD),
    ("GET", "main", "/e2/x", None),
    ("GET", "main", "/e3/x", None),
    ("GET", "main", "/auto/", None),
    ("GET", "main", "/sw/", None),
    ("GET", "main", "/ret/", None),
    ("GET", "main", "/ret2/", None),
    ("GET", "main", "/brk/a.txt", None),
    ("GET", "main", "/int/a.txt", None),
    ("GET", "main", "/toint", None),
    ("GET", "main", "/red/a.txt", None),
    ("GET", "main", "/loop", None),
    ("GET", "main", "/proxied", None),
    ("GET", "main", "/ar-no/", None),
    ("GET", "main", "/ar-yes/", None),
    ("GET", "main", "/ar-odd/", None),
    ("GET", "main", "/ar-any/", None),
    ("GET", "main", "/ar-any/", GOOD),
    ("GET", "main", "/auth-no", None),
    ("GET", "main", "/pub", None),
    ("GET", "main", "/pub/", None),
    ("POST", "main", "/pub/a.txt", None),
    ("DELETE", "main", "/pub/", None),
    ("PUT", "main", "/pub/a.txt", None),
    ("GET", "main", "/nothing", None),
    ("GET", "main", "/a/../pub/a.txt", None),
    ("GET", "main", "/%2e%2e/x", None),
    ("GET", "main", "/pub/%61.txt", None),
    ("GET", "main", "//pub///a.txt", None),
    ("GET", "main", "/pub/a.txt/", None),
    ("GET", "other", "/admin/", None),
    ("GET", "x.wild.test", "/admin/", None),
    ("GET", "re42.test", "/", None),
    ("GET", "unknown", "/admin/", None),
];

fn model_of(server: &Server, site: &Site) -> NginxModel {
    let opts = LoadOptions {
        nginx_prefix: Some(site.dir().to_path_buf()),
        ..LoadOptions::default()
    };
    let mut sources = Sources::new();
    load(
        server.conf_path(),
        NginxStart::MainConfig,
        &opts,
        &mut sources,
    )
}

fn request(port: u16, (method, host, target, creds): Case) -> Request {
    Request {
        method: method.into(),
        scheme: Scheme::Http,
        host: host.into(),
        port,
        local_addr: IpAddr::from([127, 0, 0, 1]),
        target: target.into(),
        client: IpAddr::from([127, 0, 0, 1]),
        credentials: creds.map(|(u, p)| Credentials {
            user: u.into(),
            password: Zeroizing::new(p.as_bytes().to_vec()),
        }),
    }
}

fn live_status(server: &Server, (method, host, target, creds): Case) -> u16 {
    let auth = creds.map(|(u, p)| {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    });
    let mut headers = vec![("Host", host)];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    server.request_with_headers(method, target, &headers).status
}

#[test]
fn evaluator_agrees_with_nginx_on_every_case() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = site();
    let server = Nginx::start_http(&site, HTTP);
    let model = model_of(&server, &site);
    assert!(model.problems.is_empty(), "{:?}", model.problems);
    let files = LocalFiles::default();
    let mut disagreements = Vec::new();
    for &case in CASES {
        let live = live_status(&server, case);
        let answer = evaluate(&model, &request(server.port(), case), &files);
        let predicted = answer.status();
        // An upstream that is down answers 502: the evaluator says "depends on the upstream".
        let upstream = matches!(
            answer.verdict,
            htguard::model::request::Verdict::Depends { .. }
        ) && predicted.is_none();
        if predicted != Some(live) && !(upstream && live == 502) {
            disagreements.push(format!(
                "{} {} (Host {}, creds {:?}): nginx {live}, evaluator {:?}\n  {:#?}",
                case.0, case.2, case.1, case.3, answer.verdict, answer.steps
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
