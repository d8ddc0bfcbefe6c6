//! The plan over a scripted server: which requests it sends, with which credentials.

use super::*;
use crate::probe::client::Outgoing;
use std::cell::RefCell;

/// Answers each request with `respond(method, url, authorization)` and keeps what it saw.
struct Script<F: Fn(&str, &Url, Option<&str>) -> Result<Reply, ClientError>> {
    respond: F,
    seen: RefCell<Seen>,
}

impl<F: Fn(&str, &Url, Option<&str>) -> Result<Reply, ClientError>> Transport for Script<F> {
    fn send(&self, out: &Outgoing<'_>) -> Result<Reply, ClientError> {
        self.seen.borrow_mut().push((
            out.method.to_string(),
            out.url.to_string(),
            out.authorization.map(str::to_string),
        ));
        (self.respond)(out.method, out.url, out.authorization)
    }
}

fn reply(status: u16, headers: &[(&str, &str)]) -> Result<Reply, ClientError> {
    Ok(Reply {
        version: "HTTP/1.1".into(),
        status,
        reason: String::new(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    })
}

fn alice() -> Credentials {
    Credentials {
        user: "alice".into(),
        password: Zeroizing::new(b"right".to_vec()),
    }
}

/// What the scripted server saw: method, URL, Authorization value.
type Seen = Vec<(String, String, Option<String>)>;

fn run_script<F: Fn(&str, &Url, Option<&str>) -> Result<Reply, ClientError>>(
    url: &str,
    credentials: Option<&Credentials>,
    respond: F,
) -> (Vec<Exchange>, Seen) {
    let script = Script {
        respond,
        seen: RefCell::new(Vec::new()),
    };
    let url = Url::parse(url).unwrap();
    let input = PlanInput {
        url: &url,
        method: "GET",
        credentials,
    };
    let exchanges = run(&script, &input, &mut |_| {}).unwrap();
    (exchanges, script.seen.into_inner())
}

#[test]
fn a_stale_digest_nonce_is_answered_once_more() {
    let (ex, seen) = run_script("https://h/p/", Some(&alice()), |_, _, auth| match auth {
        None => reply(
            401,
            &[(
                "www-authenticate",
                "Digest realm=\"r\", nonce=\"old\", qop=\"auth\"",
            )],
        ),
        Some(a) if a.contains("nonce=\"old\"") => reply(
            401,
            &[(
                "www-authenticate",
                "Digest realm=\"r\", nonce=\"new\", qop=\"auth\", stale=true",
            )],
        ),
        Some(_) => reply(200, &[]),
    });
    let purposes: Vec<_> = ex.iter().map(|e| e.purpose.clone()).collect();
    assert_eq!(
        purposes,
        [
            Purpose::First,
            Purpose::Given,
            Purpose::FreshNonce,
            Purpose::Wrong
        ]
    );
    assert!(seen[2].2.as_deref().unwrap().contains("nonce=\"new\""));
    assert!(seen[3].2.as_deref().unwrap().contains("nonce=\"new\""));
    assert_eq!(ex[2].status(), Some(200));
}

#[test]
fn basic_over_http_on_port_80_asks_https_without_credentials() {
    let (ex, seen) = run_script("http://h/p/", Some(&alice()), |_, url, auth| {
        match (url.scheme, auth) {
            (Scheme::Https, _) => Err(ClientError::Refused("https://h:443".into())),
            (_, Some("Basic YWxpY2U6cmlnaHQ=")) => reply(200, &[]),
            _ => reply(401, &[("www-authenticate", "Basic realm=\"r\"")]),
        }
    });
    let last = ex.last().unwrap();
    assert_eq!(last.purpose, Purpose::OtherScheme);
    assert_eq!(last.url.to_string(), "https://h/p/");
    assert_eq!(last.sent, Sent::Nothing);
    assert!(last.answer.is_err(), "recorded, not fatal");
    assert_eq!(seen.last().unwrap().2, None);
    assert_eq!(ex.len(), 4);
}

#[test]
fn redirects_keep_credentials_only_on_the_same_origin() {
    let (ex, seen) = run_script("http://h:8080/p", Some(&alice()), |_, url, _| {
        match url.target.as_str() {
            "/p" => reply(301, &[("location", "/p/")]),
            "/p/" => reply(302, &[("location", "https://login.example/p/")]),
            _ => reply(200, &[]),
        }
    });
    let shown: Vec<(String, bool)> = ex
        .iter()
        .map(|e| (e.url.to_string(), e.sent.any()))
        .collect();
    assert_eq!(
        shown,
        [
            ("http://h:8080/p".to_string(), false),
            ("http://h:8080/p".to_string(), true),
            ("http://h:8080/p".to_string(), true),
            ("http://h:8080/p/".to_string(), false),
            ("http://h:8080/p/".to_string(), true),
        ],
        "one hop per request; the given and the wrong password both follow on the same origin"
    );
    // Never an Authorization header to another origin.
    assert!(
        seen.iter()
            .all(|(_, url, auth)| url.starts_with("http://h:8080/") || auth.is_none())
    );
}

#[test]
fn at_most_ten_requests_and_the_first_failure_is_fatal() {
    let url = Url::parse("http://h:1/").unwrap();
    let script = Script {
        respond: |_: &str, _: &Url, _: Option<&str>| Err(ClientError::Refused("h:1".into())),
        seen: RefCell::new(Vec::new()),
    };
    let input = PlanInput {
        url: &url,
        method: "GET",
        credentials: None,
    };
    assert!(run(&script, &input, &mut |_| {}).is_err());
    assert_eq!(script.seen.borrow().len(), 1);
    const { assert!(MAX_REQUESTS <= 10) };
}
