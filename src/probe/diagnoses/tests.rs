//! Each diagnosis over answers written by hand: one set that triggers it, one that must
//! not. (The real-server tests in tests/probe_live.rs show servers answer this way.)

use super::{Evidence, diagnose};
use crate::probe::client::ClientError;
use crate::probe::plan::{AuthScheme, Exchange, Purpose, Sent};
use crate::probe::prediction::Prediction;
use crate::probe::reply::Reply;
use crate::probe::transcript::Transcript;
use crate::probe::url::Url;
use crate::source::{Sources, Span};

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

fn given() -> Sent {
    Sent::Given {
        user: "alice".into(),
        scheme: AuthScheme::Basic,
    }
}

fn wrong() -> Sent {
    Sent::Wrong {
        user: "alice".into(),
        scheme: AuthScheme::Basic,
    }
}

const BASIC: (&str, &str) = ("www-authenticate", "Basic realm=\"r\"");

/// Exchanges on `url`: (purpose, sent, answer), numbered in order.
fn exchanges(url: &str, list: Vec<(Purpose, Sent, Result<Reply, ClientError>)>) -> Vec<Exchange> {
    let url = Url::parse(url).unwrap();
    list.into_iter()
        .enumerate()
        .map(|(i, (purpose, sent, answer))| Exchange {
            n: i + 1,
            purpose,
            method: "GET".into(),
            url: url.clone(),
            sent,
            answer,
        })
        .collect()
}

/// The codes found, with `predictions` when given.
fn codes_with(
    url: &str,
    ex: &[Exchange],
    expect_login: bool,
    predictions: Option<&[Prediction]>,
) -> Vec<&'static str> {
    let url = Url::parse(url).unwrap();
    let mut sources = Sources::new();
    let mut t = Transcript::new(ex);
    t.add_to(&mut sources, &url.to_string());
    diagnose(&Evidence {
        url: &url,
        exchanges: ex,
        transcript: &t,
        expect_login,
        predictions,
        sources: &sources,
    })
    .into_iter()
    .map(|d| d.code)
    .collect()
}

fn codes(url: &str, ex: &[Exchange]) -> Vec<&'static str> {
    codes_with(url, ex, false, None)
}

const LOCAL: &str = "http://127.0.0.1:8080/p/";

fn login(first: u16, right: u16, wrong_status: u16, headers: &[(&str, &str)]) -> Vec<Exchange> {
    exchanges(
        LOCAL,
        vec![
            (Purpose::First, Sent::Nothing, reply(first, headers)),
            (Purpose::Given, given(), reply(right, headers)),
            (Purpose::Wrong, wrong(), reply(wrong_status, headers)),
        ],
    )
}

#[test]
fn pb001_same_401_for_right_and_wrong() {
    assert_eq!(codes(LOCAL, &login(401, 401, 401, &[BASIC])), ["PB001"]);
    assert!(codes(LOCAL, &login(401, 200, 401, &[BASIC])).is_empty());
    // Credentials get in but are not allowed: not a rejected password.
    assert!(codes(LOCAL, &login(401, 403, 401, &[BASIC])).is_empty());
}

#[test]
fn a_same_origin_redirect_is_judged_where_it_lands() {
    let moved = || reply(301, &[("location", "/p/")]);
    let mut ex = exchanges(
        "http://127.0.0.1:8080/p",
        vec![
            (Purpose::First, Sent::Nothing, moved()),
            (Purpose::Given, given(), moved()),
            (Purpose::Wrong, wrong(), moved()),
            (
                Purpose::Redirect { from: 1 },
                Sent::Nothing,
                reply(401, &[BASIC]),
            ),
            (Purpose::Redirect { from: 2 }, given(), reply(401, &[BASIC])),
            (Purpose::Redirect { from: 3 }, wrong(), reply(401, &[BASIC])),
        ],
    );
    for e in &mut ex[3..] {
        e.url = Url::parse(LOCAL).unwrap();
    }
    assert_eq!(codes("http://127.0.0.1:8080/p", &ex), ["PB001"]);
}

#[test]
fn pb002_only_suspected_from_proxy_headers_and_shown_by_the_configuration() {
    let via = [BASIC, ("via", "1.1 cdn")];
    assert_eq!(
        codes(LOCAL, &login(401, 401, 401, &via)),
        ["PB001", "PB002"]
    );
    let mut sources = Sources::new();
    let conf = sources.add(
        "/etc/nginx/nginx.conf",
        b"proxy_set_header Authorization \"\";\n".to_vec(),
    );
    let stripped = Prediction {
        listens: true,
        status: Some(401),
        summary: "401".into(),
        credentials_dropped_at: Some(Span::new(conf, 0, 34)),
        ..Prediction::default()
    };
    let plain = Prediction {
        listens: true,
        status: Some(401),
        summary: "401".into(),
        ..Prediction::default()
    };
    let predictions = [plain.clone(), stripped, plain];
    // Shown by the configuration: PB002 (an error) instead of PB001.
    let found = codes_with(
        LOCAL,
        &login(401, 401, 401, &[BASIC]),
        false,
        Some(&predictions),
    );
    assert_eq!(found, ["PB002"]);
}

#[test]
fn pb003_401_without_challenge() {
    // Not PB001 as well: without a challenge the server takes no password this way.
    assert_eq!(codes(LOCAL, &login(401, 401, 401, &[])), ["PB003"]);
    let anon_only = exchanges(
        LOCAL,
        vec![(Purpose::First, Sent::Nothing, reply(401, &[]))],
    );
    assert_eq!(codes(LOCAL, &anon_only), ["PB003"]);
}

#[test]
fn pb004_basic_over_http_except_loopback() {
    let far = "http://shop.example.com/p/";
    let ex = exchanges(
        far,
        vec![(Purpose::First, Sent::Nothing, reply(401, &[BASIC]))],
    );
    assert_eq!(codes(far, &ex), ["PB004"]);
    let tls = "https://shop.example.com/p/";
    let ex = exchanges(
        tls,
        vec![(Purpose::First, Sent::Nothing, reply(401, &[BASIC]))],
    );
    assert!(codes(tls, &ex).is_empty());
    for local in [
        "http://localhost/p/",
        "http://[::1]:81/",
        "http://127.0.0.2/",
    ] {
        let ex = exchanges(
            local,
            vec![(Purpose::First, Sent::Nothing, reply(401, &[BASIC]))],
        );
        assert!(codes(local, &ex).is_empty(), "{local}");
    }
}

#[test]
fn pb005_only_unanswerable_challenges() {
    let bearer = [("www-authenticate", "Bearer realm=\"api\"")];
    assert_eq!(codes(LOCAL, &login(401, 401, 401, &bearer)), ["PB005"]);
    let both = [("www-authenticate", "Negotiate, Basic realm=\"x\"")];
    assert!(codes(LOCAL, &login(401, 200, 401, &both)).is_empty());
}

#[test]
fn pb006_403_with_and_without_credentials() {
    assert_eq!(codes(LOCAL, &login(403, 403, 403, &[])), ["PB006"]);
    assert!(codes(LOCAL, &login(403, 200, 403, &[])).is_empty());
    // Nothing sent with credentials: no claim about them.
    let anon_only = exchanges(
        LOCAL,
        vec![(Purpose::First, Sent::Nothing, reply(403, &[]))],
    );
    assert!(codes(LOCAL, &anon_only).is_empty());
}

#[test]
fn pb007_redirect_to_another_origin_only() {
    for (location, found) in [
        ("http://127.0.0.1:9090/p/", true),
        ("https://127.0.0.1:8080/p/", true),
        ("http://other/p/", true),
        ("/p/index.html", false),
        ("http://127.0.0.1:8080/q/", false),
    ] {
        let ex = exchanges(
            LOCAL,
            vec![(
                Purpose::First,
                Sent::Nothing,
                reply(302, &[("location", location)]),
            )],
        );
        assert_eq!(codes(LOCAL, &ex) == ["PB007"], found, "{location}");
    }
}

#[test]
fn pb008_5xx_only_after_credentials() {
    assert_eq!(codes(LOCAL, &login(401, 500, 500, &[BASIC])), ["PB008"]);
    // Failing for everyone is not about credentials.
    assert!(codes(LOCAL, &login(500, 500, 500, &[])).is_empty());
    // nginx's missing user file: 403 for right and wrong credentials alike.
    assert_eq!(codes(LOCAL, &login(401, 403, 403, &[BASIC])), ["PB008"]);
    // A 403 for one password only is not the file.
    assert!(!codes(LOCAL, &login(401, 200, 403, &[BASIC])).contains(&"PB008"));
}

#[test]
fn pb009_and_pb010_need_a_prediction_or_expect_login() {
    let open = exchanges(
        LOCAL,
        vec![(Purpose::First, Sent::Nothing, reply(200, &[]))],
    );
    assert!(codes(LOCAL, &open).is_empty());
    assert_eq!(codes_with(LOCAL, &open, true, None), ["PB010"]);
    let predicts_login = [Prediction {
        listens: true,
        status: Some(401),
        summary: "401".into(),
        ..Prediction::default()
    }];
    assert_eq!(
        codes_with(LOCAL, &open, false, Some(&predicts_login)),
        ["PB009", "PB010"]
    );
    let predicts_open = [Prediction {
        listens: true,
        status: Some(200),
        summary: "200".into(),
        ..Prediction::default()
    }];
    assert!(codes_with(LOCAL, &open, false, Some(&predicts_open)).is_empty());
}

#[test]
fn pb009_when_no_configured_server_listens_on_the_probed_origin() {
    let ex = login(401, 200, 401, &[BASIC]);
    let nobody = [
        Prediction::default(),
        Prediction::default(),
        Prediction::default(),
    ];
    assert_eq!(codes_with(LOCAL, &ex, false, Some(&nobody)), ["PB009"]);
}

#[test]
fn every_diagnosis_is_documented_like_a_rule() {
    let all = super::all_info();
    assert_eq!(all.len(), 10);
    for (i, info) in all.iter().enumerate() {
        assert_eq!(info.code, format!("PB{:03}", i + 1));
        assert_eq!(info.family, crate::diag::Family::Probe);
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## References",
        ] {
            assert!(info.doc.contains(heading), "{} lacks {heading}", info.code);
        }
        assert!(info.doc.starts_with("## What it does"), "{}", info.code);
    }
}
