//! `htguard probe` end to end against small local servers written here: diagnoses that
//! Apache and nginx do not produce on their own (a 401 without a challenge, a Bearer-only
//! challenge), the number of requests, secrets kept out of every output, valid SARIF, and
//! the exit code 2 cases. No Apache or nginx needed.

mod probe_support;
mod report_support;

use probe_support::{Tiny, assert_no_piece, probe};

#[test]
fn a_401_without_a_challenge_is_challenge_missing() {
    let server = Tiny::start(|_| "HTTP/1.1 401 Unauthorized".into());
    let run = probe(&[&server.url("/app/"), "--format", "json"], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.codes(), ["PB003"], "{}", run.stdout);
    assert_eq!(server.count(), run.requests());
}

#[test]
fn bearer_and_negotiate_only_are_unanswerable() {
    let server = Tiny::start(|_| {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"api\"\r\nWWW-Authenticate: Negotiate".into()
    });
    let run = probe(
        &[&server.url("/api/"), "--user", "alice", "--format", "json"],
        Some("pw-alice"),
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // Not PB001: the cause is known.
    assert_eq!(run.codes(), ["PB005"], "{}", run.stdout);
    let message = run.json()["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("Bearer, Negotiate"), "{message}");
    assert_eq!(server.count(), run.requests());
}

#[test]
fn a_digest_algorithm_clients_lack_is_unanswerable() {
    let server = Tiny::start(|_| {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", algorithm=SHA-512-256, qop=\"auth\"".into()
    });
    let run = probe(&[&server.url("/"), "--format", "json"], None);
    assert_eq!(run.codes(), ["PB005"], "{}", run.stdout);
}

/// A server that redirects every request to a new path on the same origin, says 405
/// to anything but GET, and asks for nothing: the probe follows at most one hop per
/// request and never sends more than ten.
#[test]
fn the_server_never_receives_more_requests_than_listed() {
    let server = Tiny::start(|head| {
        let line = head.lines().next().unwrap_or("");
        if !line.starts_with("GET ") {
            return "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET".into();
        }
        let n: usize = line
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.trim_start_matches("/r").parse().ok())
            .unwrap_or(0);
        format!("HTTP/1.1 302 Found\r\nLocation: /r{}", n + 1)
    });
    for (args, password) in [
        (vec!["--format", "json"], None),
        (vec!["--user", "alice", "--format", "json"], Some("pw")),
        (
            vec!["--method", "POST", "--user", "alice", "--format", "json"],
            Some("pw"),
        ),
    ] {
        let before = server.count();
        let url = server.url("/r0");
        let mut all = vec![url.as_str()];
        all.extend(args.iter().copied());
        let run = probe(&all, password);
        let received = server.count() - before;
        assert_eq!(received, run.requests(), "{}", run.stdout);
        assert!(received <= 10, "{received}");
    }
    let run = probe(
        &[&server.url("/r0"), "--method", "PUT", "--format", "json"],
        None,
    );
    let doc = run.json();
    let purposes: Vec<&str> = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes, ["first", "options"], "{doc}");
}

const SECRET: &str = "Qx7!vR2#mK9$wZ";

/// A hostile server echoes the Authorization header back in its challenge and other
/// headers: no output format, and not --verbose, shows the password or the header.
#[test]
fn no_output_shows_the_password_or_the_authorization_value() {
    use base64::Engine;
    let server = Tiny::start(|head| {
        let auth = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("authorization: ")
                    .or(l.strip_prefix("Authorization: "))
            })
            .unwrap_or("none")
            .to_string();
        format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"{auth}\"\r\nX-Echo: {auth}\r\nServer: echo {auth}"
        )
    });
    let token = base64::engine::general_purpose::STANDARD.encode(format!("alice:{SECRET}"));
    let port = server.port;
    let url = format!("http://echo.example.test:{port}/x");
    let resolve = format!("echo.example.test:{port}:127.0.0.1");
    for format in ["human", "json", "sarif", "github"] {
        let run = probe(
            &[
                &url,
                "--resolve",
                &resolve,
                "--user",
                "alice",
                "--format",
                format,
                "--verbose",
            ],
            Some(SECRET),
        );
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
        for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert_no_piece(text, SECRET, &format!("{format} {what}"));
            assert!(
                !text.contains(&token),
                "{format} {what} has the Authorization value"
            );
            assert!(!text.contains("Basic YWxp"), "{format} {what}: {text}");
        }
        assert!(
            run.stdout.contains("PB001") && run.stdout.contains("PB004"),
            "{format}: {}",
            run.stdout
        );
    }
    // The server did get the credentials: the test would catch a leak.
    assert!(server.heads().iter().any(|h| h.contains(&token)));
}

#[test]
fn sarif_and_github_outputs_are_valid() {
    let server = Tiny::start(|_| "HTTP/1.1 401 Unauthorized".into());
    let run = probe(&[&server.url("/app/"), "--format", "sarif"], None);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    report_support::validate_sarif(&doc);
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "PB003");
    let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(uri, server.url("/app/"));
    let artifact = &doc["runs"][0]["artifacts"][0];
    assert_eq!(artifact["location"]["uri"], uri);
    let line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap();
    let text = artifact["contents"]["text"].as_str().unwrap();
    assert_eq!(
        text.lines().nth(line as usize - 1),
        Some("< HTTP/1.1 401 Unauthorized")
    );
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 10);
    let gh = probe(&[&server.url("/app/"), "--format", "github"], None);
    assert!(gh.stdout.starts_with("::error file="), "{}", gh.stdout);
    assert!(
        gh.stdout.contains("title=PB003 challenge-missing::"),
        "{}",
        gh.stdout
    );
    assert_eq!(gh.stdout.lines().count(), 1);
}

#[test]
fn a_probe_that_cannot_run_exits_2_with_a_clear_message() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = probe(&[&format!("http://127.0.0.1:{port}/")], None);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("connection refused"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty());
    let dns = probe(&["http://no-such-host.invalid/", "--timeout", "5"], None);
    assert_eq!(dns.code, 2, "{}", dns.stderr);
    assert!(
        dns.stderr.contains("no-such-host.invalid"),
        "{}",
        dns.stderr
    );
    // Plain HTTP where TLS is expected: a server that answers in plain text as soon as a
    // client connects, without waiting for a request it could never parse (the TLS
    // ClientHello), so the client meets the plain bytes at once.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::Write;
        for mut conn in plain.incoming().flatten() {
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let tls = probe(
        &[
            &format!("https://127.0.0.1:{plain_port}/"),
            "--timeout",
            "5",
        ],
        None,
    );
    assert_eq!(tls.code, 2, "{}", tls.stderr);
    assert!(tls.stderr.contains("TLS"), "{}", tls.stderr);
    for bad in [
        vec!["ftp://h/"],
        vec!["http://u:pw@h/"],
        vec!["http://h/", "--resolve", "nope"],
    ] {
        let run = probe(&bad, None);
        assert_eq!(run.code, 2, "{bad:?}");
        assert!(
            run.stderr.starts_with("htguard probe: error:"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn passwords_never_come_from_the_command_line() {
    let run = probe(
        &["http://127.0.0.1:1/", "--user", "alice", "--password", "x"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unexpected argument"), "{}", run.stderr);
}

#[test]
fn rules_and_explain_list_the_diagnoses() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(["rules"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for code in [
        "PB001", "PB002", "PB003", "PB004", "PB005", "PB006", "PB007", "PB008", "PB009", "PB010",
    ] {
        assert!(text.contains(code), "{code} not listed");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(["explain", "credentials-not-forwarded"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.starts_with("# PB002 credentials-not-forwarded"),
        "{text}"
    );
    assert!(text.contains("Family: probe"), "{text}");
    // Not a check-time rule.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(["check", "--select", "PB001", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
