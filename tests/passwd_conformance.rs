//! Conformance of the password-file rules with the real servers.
//!
//! One Apache and one nginx serve every case: each case has a broken user file
//! (`/<case>-bad/`) and its fixed version (`/<case>-ok/`; the rule's own `--fix`
//! where it has one). For every case the test asserts that
//! - the rule fires on the broken file, says "401" where a server answers 401,
//!   and names exactly the servers whose answer differs from the fixed file;
//! - the rule is silent on the fixed file;
//! - the servers answer each login as expected, on the broken and the fixed file.

mod common;

use common::{Apache, Nginx, Site, run_tool};
use htguard::diag::{Diagnostic, Server};
use htguard::model::{PasswdRole, PasswdUse};
use htguard::rules::passwd as pw;
use htguard::rules::{Context, PasswdInput, Rule};
use htguard::source::{Sources, Span};
use htguard::syntax::passwd::parse;
use htguard::target::Profile;

const PW: &str = "secret";
const OLD: &str = "old-secret";
const REALM: &str = "Private";

/// Expected answers: (Apache, nginx); `None` = that server does not serve the case.
type Answer = (Option<u16>, Option<u16>);

struct Login {
    user: &'static str,
    password: &'static str,
    bad: Answer,
    ok: Answer,
}

struct Case {
    name: &'static str,
    rule: &'static Rule,
    digest: bool,
    bad: Vec<u8>,
    /// The rule names the servers it predicts for (false for weak-scheme: the file leaks
    /// the same way whoever serves it).
    server_specific: bool,
    /// The fixed file when the rule has no fix of its own.
    fixed: Option<Vec<u8>>,
    logins: Vec<Login>,
}

fn login(user: &'static str, password: &'static str, bad: Answer, ok: Answer) -> Login {
    Login {
        user,
        password,
        bad,
        ok,
    }
}

fn both(apache: u16, nginx: u16) -> Answer {
    (Some(apache), Some(nginx))
}

fn apr1(password: &str) -> String {
    let line = run_tool("htpasswd", &["-nbm", "u", password]);
    line.trim()
        .split_once(':')
        .map(|(_, h)| h.to_owned())
        .unwrap_or_default()
}

fn bcrypt(password: &str) -> String {
    let line = run_tool("htpasswd", &["-nbB", "-C", "5", "u", password]);
    line.trim()
        .split_once(':')
        .map(|(_, h)| h.to_owned())
        .unwrap_or_default()
}

/// `{SSHA}` = base64(sha1(password + salt) + salt); no Apache tool writes it.
fn ssha(password: &str) -> String {
    use base64::Engine;
    use sha1::{Digest, Sha1};
    let salt = b"NaCl1234";
    let mut raw = Sha1::new()
        .chain_update(password)
        .chain_update(salt)
        .finalize()
        .to_vec();
    raw.extend_from_slice(salt);
    format!(
        "{{SSHA}}{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn ha1(user: &str, realm: &str) -> String {
    format!("{:x}", md5::compute(format!("{user}:{realm}:{PW}")))
}

fn run_rule(rule: &Rule, bytes: &[u8], digest: bool) -> Vec<Diagnostic> {
    let mut sources = Sources::new();
    let file = sources.add("users", bytes.to_vec());
    let use_of = |server| PasswdUse {
        server,
        role: if digest {
            PasswdRole::Digest
        } else {
            PasswdRole::Basic
        },
        server_path: "/users".into(),
        local_path: "users".into(),
        directive: Span::default(),
        realm: Some(REALM.into()),
        user_file: None,
    };
    let uses = if digest {
        vec![use_of(Server::Apache)]
    } else {
        vec![use_of(Server::Apache), use_of(Server::Nginx)]
    };
    let inputs = [PasswdInput::new(file, parse(bytes), uses)];
    let profile = Profile::default();
    let ctx = Context {
        sources: &sources,
        profile: &profile,
        passwd: &inputs,
        unreadable: &[],
        apache: &[],
        nginx: &[],
    };
    let mut out = Vec::new();
    (rule.check)(&ctx, &mut out);
    out
}

fn apply_fix(bytes: &[u8], d: &Diagnostic) -> Vec<u8> {
    let fix = d.fix.as_ref().expect("a fix");
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = bytes.to_vec();
    for e in edits {
        out.splice(e.span.start..e.span.end, e.replacement);
    }
    out
}

fn cases() -> Vec<Case> {
    let h = apr1(PW);
    let old = apr1(OLD);
    let long = "A".repeat(9000);
    let truncated: String = bcrypt(PW).chars().take(40).collect();
    let des = run_tool("mkpasswd", &["-m", "des", "secret12345", "ab"])
        .trim()
        .to_owned();
    let s = |t: String| t.into_bytes();
    let ok = both(200, 200);
    vec![
        Case {
            name: "pw001-truncated-bcrypt",
            rule: &pw::malformed_hash::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{truncated}\n")),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        // crypt()'s failure tokens: what Apache's `htpasswd -5 -r 10` writes (exit 0).
        Case {
            name: "pw001-crypt-failure-token-0",
            rule: &pw::malformed_hash::RULE,
            digest: false,
            server_specific: true,
            bad: s("alice:*0\n".into()),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![
                login("alice", PW, both(401, 401), ok),
                login("alice", "*0", both(401, 401), both(401, 401)),
            ],
        },
        Case {
            name: "pw001-crypt-failure-token-1",
            rule: &pw::malformed_hash::RULE,
            digest: false,
            server_specific: true,
            bad: s("alice:*1\n".into()),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![
                login("alice", PW, both(401, 401), ok),
                login("alice", "*1", both(401, 401), both(401, 401)),
            ],
        },
        Case {
            name: "pw001-uppercase-digest",
            rule: &pw::malformed_hash::RULE,
            digest: true,
            server_specific: true,
            bad: s(format!(
                "alice:{REALM}:{}\n",
                ha1("alice", REALM).to_uppercase()
            )),
            fixed: Some(s(format!("alice:{REALM}:{}\n", ha1("alice", REALM)))),
            logins: vec![login("alice", PW, (Some(401), None), (Some(200), None))],
        },
        Case {
            name: "pw002-ssha",
            rule: &pw::unsupported_scheme::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{}\n", ssha(PW))),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![login("alice", PW, both(401, 200), ok)],
        },
        Case {
            name: "pw002-plain-prefixed",
            rule: &pw::unsupported_scheme::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{{PLAIN}}{PW}\n")),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![login("alice", PW, both(401, 200), ok)],
        },
        Case {
            name: "pw002-bare-plaintext",
            rule: &pw::unsupported_scheme::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{PW}\n")),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        Case {
            name: "pw012-des-truncates",
            rule: &pw::weak_scheme::RULE,
            digest: false,
            server_specific: false,
            bad: s(format!("alice:{des}\n")),
            fixed: Some(s(format!("alice:{}\n", bcrypt("secret12345")))),
            // "only the first 8 characters count": a wrong 9th+ character still logs in.
            logins: vec![
                login("alice", "secret12345", ok, ok),
                login("alice", "secret12", ok, both(401, 401)),
            ],
        },
        Case {
            name: "pw003-bom",
            rule: &pw::utf8_bom::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("\u{feff}alice:{h}\nbob:{h}\n")),
            fixed: None,
            logins: vec![
                login("alice", PW, both(401, 401), ok),
                login("bob", PW, ok, ok),
            ],
        },
        Case {
            name: "pw004-space-after-colon",
            rule: &pw::space_around_colon::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice: {h}\n")),
            fixed: None,
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        Case {
            name: "pw004-tab-before-colon",
            rule: &pw::space_around_colon::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice\t:{h}\n")),
            fixed: None,
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        Case {
            name: "pw005-leading-blanks",
            rule: &pw::leading_whitespace::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("  alice:{h}\n")),
            fixed: None,
            logins: vec![login("alice", PW, both(200, 401), ok)],
        },
        Case {
            name: "pw006-trailing-blanks",
            rule: &pw::trailing_whitespace::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{h} \t\n")),
            fixed: None,
            logins: vec![login("alice", PW, both(200, 401), ok)],
        },
        Case {
            name: "pw007-duplicate",
            rule: &pw::duplicate_user::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{old}\nbob:{h}\nalice:{h}\n")),
            fixed: None,
            logins: vec![
                // The "updated" password on the later line never works; the old one does.
                login("alice", PW, both(401, 401), both(401, 401)),
                login("alice", OLD, ok, ok),
            ],
        },
        Case {
            name: "pw008-missing-colon",
            rule: &pw::missing_colon::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice\nalice:{h}\nbob:{h}\n")),
            fixed: Some(s(format!("alice:{h}\nbob:{h}\n"))),
            logins: vec![
                login("alice", PW, both(401, 401), ok),
                login("bob", PW, ok, ok),
            ],
        },
        Case {
            name: "pw009-empty-hash",
            rule: &pw::empty_field::RULE,
            digest: false,
            server_specific: true,
            bad: s("alice:\n".into()),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![
                login("alice", "", both(401, 401), both(401, 401)),
                login("alice", PW, both(401, 401), ok),
            ],
        },
        Case {
            name: "pw009-doubled-colon",
            rule: &pw::empty_field::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice::{h}\n")),
            fixed: None,
            logins: vec![login("alice", PW, both(200, 401), ok)],
        },
        Case {
            name: "pw010-no-entries",
            rule: &pw::no_usable_entry::RULE,
            digest: false,
            server_specific: true,
            bad: s("# users go here\n".into()),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        Case {
            name: "pw011-digest-for-basic",
            rule: &pw::wrong_format::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{REALM}:{}\n", ha1("alice", REALM))),
            fixed: Some(s(format!("alice:{h}\n"))),
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        Case {
            name: "pw011-basic-for-digest",
            rule: &pw::wrong_format::RULE,
            digest: true,
            server_specific: true,
            bad: s(format!("alice:{h}\n")),
            fixed: Some(s(format!("alice:{REALM}:{}\n", ha1("alice", REALM)))),
            logins: vec![login("alice", PW, (Some(401), None), (Some(200), None))],
        },
        Case {
            name: "pw014-no-final-newline",
            rule: &pw::no_final_newline::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("bob:{h}\nalice:{h}")),
            fixed: None,
            // The rule claims no status: both servers read the last line.
            logins: vec![login("alice", PW, ok, ok)],
        },
        Case {
            name: "pw015-crlf",
            rule: &pw::crlf_line_endings::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{h}\r\nbob:{h}\r\n")),
            fixed: None,
            // Info only: both servers accept CRLF.
            logins: vec![login("alice", PW, ok, ok), login("bob", PW, ok, ok)],
        },
        Case {
            name: "pw016-long-line",
            rule: &pw::line_too_long::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{h}\nnotes:{long}\nbob:{h}\n")),
            fixed: Some(s(format!("alice:{h}\nbob:{h}\n"))),
            logins: vec![
                login("alice", PW, ok, ok),
                login("bob", PW, both(401, 200), ok),
            ],
        },
        Case {
            name: "pw017-backslash",
            rule: &pw::trailing_backslash::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{h}\\\nbob:{h}\n")),
            fixed: Some(s(format!("alice:{h}\nbob:{h}\n"))),
            logins: vec![
                login("alice", PW, both(401, 401), ok),
                login("bob", PW, both(401, 200), ok),
            ],
        },
        Case {
            name: "pw018-inline-comment",
            rule: &pw::inline_comment::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("alice:{h} # accounting\n")),
            fixed: None,
            logins: vec![login("alice", PW, both(401, 401), ok)],
        },
        Case {
            name: "pw020-indented-comment",
            rule: &pw::indented_comment::RULE,
            digest: false,
            server_specific: true,
            bad: s(format!("   # mallory:{h}\nalice:{h}\n")),
            fixed: None,
            // nginx lets the "commented-out" account in; after the fix nobody gets in with it.
            logins: vec![
                login("   # mallory", PW, both(401, 200), both(401, 401)),
                login("alice", PW, ok, ok),
            ],
        },
        Case {
            name: "pw021-realm-mismatch",
            rule: &pw::digest_realm_mismatch::RULE,
            digest: true,
            server_specific: true,
            bad: s(format!("alice:other:{}\n", ha1("alice", "other"))),
            fixed: Some(s(format!("alice:{REALM}:{}\n", ha1("alice", REALM)))),
            logins: vec![login("alice", PW, (Some(401), None), (Some(200), None))],
        },
    ]
}

/// The servers whose answer on the broken file differs from the fixed one.
fn affected(case: &Case) -> Vec<Server> {
    let mut v = Vec::new();
    for l in &case.logins {
        if l.bad.0 != l.ok.0 && !v.contains(&Server::Apache) {
            v.push(Server::Apache);
        }
        if l.bad.1 != l.ok.1 && !v.contains(&Server::Nginx) {
            v.push(Server::Nginx);
        }
    }
    v.sort();
    v
}

#[test]
fn rules_predict_what_apache_and_nginx_answer() {
    if !common::need(&["apache2", "nginx", "htpasswd", "mkpasswd"]) {
        return;
    }
    let cases = cases();
    let site = Site::new();
    let mut apache_conf = String::new();
    let mut nginx_conf = String::new();
    for case in &cases {
        let diags = run_rule(case.rule, &case.bad, case.digest);
        assert!(
            !diags.is_empty(),
            "{}: {} did not fire",
            case.name,
            case.rule.info.code
        );
        let d = &diags[0];
        let claims: Vec<Server> = affected(case);
        if case.server_specific && !claims.is_empty() {
            let mut servers = d.servers.clone();
            servers.sort();
            assert_eq!(servers, claims, "{}: {}", case.name, d.message);
            let says_401 = case.logins.iter().any(|l| {
                l.bad.0 == Some(401) && l.ok.0 != Some(401)
                    || l.bad.1 == Some(401) && l.ok.1 != Some(401)
            });
            if says_401 {
                assert!(d.message.contains("401"), "{}: {}", case.name, d.message);
            }
        }
        let fixed = match &case.fixed {
            Some(f) => f.clone(),
            None => apply_fix(&case.bad, d),
        };
        let after = run_rule(case.rule, &fixed, case.digest);
        assert!(
            after.is_empty(),
            "{}: still fires after the fix: {after:?}",
            case.name
        );

        for (suffix, bytes) in [("bad", &case.bad), ("ok", &fixed)] {
            let loc = format!("{}-{suffix}", case.name);
            site.write(format!("users/{loc}"), bytes);
            site.write(format!("htdocs/{loc}/index.html"), "ok\n");
            if case.digest {
                apache_conf.push_str(&format!(
                    "<Location /{loc}/>\n AuthType Digest\n AuthName \"{REALM}\"\n AuthDigestProvider file\n AuthUserFile {{site}}/users/{loc}\n Require valid-user\n</Location>\n"
                ));
            } else {
                apache_conf.push_str(&format!(
                    "<Location /{loc}/>\n AuthType Basic\n AuthName \"{REALM}\"\n AuthUserFile {{site}}/users/{loc}\n Require valid-user\n</Location>\n"
                ));
                nginx_conf.push_str(&format!(
                    "location /{loc}/ {{ auth_basic \"{REALM}\"; auth_basic_user_file {{site}}/users/{loc}; }}\n"
                ));
            }
        }
    }
    let apache = Apache::start(&site, &apache_conf);
    let nginx = Nginx::start(&site, &nginx_conf);
    let mut failures = Vec::new();
    for case in &cases {
        for l in &case.logins {
            for (suffix, (want_a, want_n)) in [("bad", l.bad), ("ok", l.ok)] {
                let path = format!("/{}-{suffix}/", case.name);
                if let Some(want) = want_a {
                    let got = if case.digest {
                        apache.digest_get(&path, l.user, REALM, l.password)
                    } else {
                        apache.get(&path, Some((l.user, l.password)))
                    };
                    if got != want {
                        failures.push(format!(
                            "Apache {path} {:?}: {got}, expected {want}",
                            l.user
                        ));
                    }
                }
                if let Some(want) = want_n {
                    let got = nginx.get(&path, Some((l.user, l.password)));
                    if got != want {
                        failures.push(format!("nginx {path} {:?}: {got}, expected {want}", l.user));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n--- apache error log ---\n{}\n--- nginx error log ---\n{}",
        failures.join("\n"),
        apache.error_log(),
        nginx.error_log()
    );
}
