//! PB005: only challenges a client cannot answer with a password.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};
use crate::probe::digest;
use crate::probe::plan::Exchange;

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB005",
        name: "challenge-unanswerable",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "the 401 offers only schemes a browser or curl cannot answer with a password",
        doc: r#"## What it does
Reports a 401 whose challenges are all of schemes that a password cannot answer: `Bearer`
(OAuth tokens), `Negotiate`/`NTLM` (Kerberos or Windows logins), custom schemes, or a
`Digest` challenge with an algorithm or `qop` that clients lack (browsers and curl answer
MD5 and SHA-256, with `qop=auth`).

## Why is this bad?
A user with a user name and password cannot log in: the browser shows the error page or
tries a Windows login, and curl `-u` sends Basic credentials the server ignores. When the
password login is the intended one, the Basic or Digest challenge is missing (another
module answered first, or `AuthType` names another scheme).

## Example
```http
HTTP/1.1 401 Unauthorized
WWW-Authenticate: Bearer realm="api"
```

## Use instead
Offer a scheme the clients answer with a password, alone or beside the others:
```http
WWW-Authenticate: Basic realm="api", charset="UTF-8"
```

## References
- https://www.rfc-editor.org/rfc/rfc9110#name-www-authenticate
- https://www.rfc-editor.org/rfc/rfc7616#section-3.3
- https://www.rfc-editor.org/rfc/rfc6750
"#,
    },
    check,
};

/// The offered challenges, described, when a 401 offers some and none a password can
/// answer.
pub fn unanswerable(e: &Exchange) -> Option<Vec<String>> {
    let r = e.reply().filter(|r| r.status == 401)?;
    let challenges = r.challenges();
    let answerable = challenges
        .iter()
        .any(|c| c.is("Basic") || (c.is("Digest") && digest::answerable(c)));
    if challenges.is_empty() || answerable {
        return None;
    }
    Some(
        challenges
            .iter()
            .map(|c| {
                if c.is("Digest") {
                    format!(
                        "Digest with algorithm={} qop={}",
                        c.algorithm(),
                        c.param("qop").unwrap_or("(none)")
                    )
                } else {
                    c.scheme.clone()
                }
            })
            .collect(),
    )
}

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let Some((e, offered)) = ev
        .exchanges
        .iter()
        .filter(|e| e.url.origin() == ev.url.origin())
        .find_map(|e| unanswerable(e).map(|o| (e, o)))
    else {
        return;
    };
    out.push(
        Diagnostic::new(
            &DIAGNOSIS.info,
            ev.transcript.header(e.n, "www-authenticate"),
            format!(
                "the 401 offers only {}: browsers and curl cannot answer with a password",
                offered.join(", ")
            ),
        )
        .label("no Basic, no Digest that clients answer")
        .help(format!(
            "if users log in with a password, offer Basic (over HTTPS) or Digest with one of \
             {} beside or instead of these",
            digest::ALGORITHMS.join(", ")
        )),
    );
}
