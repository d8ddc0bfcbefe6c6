//! PB010: the URL answers without a login where one was expected.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB010",
        name: "open",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "the URL answers 2xx without credentials where a login was expected",
        doc: r#"## What it does
Reports a URL that answers with a success status (2xx) to a request without credentials,
when `--config` predicts a login for it (the evaluator answers 401) or `--expect-login`
says one must be asked.

## Why is this bad?
Everyone gets in. Either the configuration that asks for the login is not the one
deployed, or something in front (another vhost, a cache, a `location` that matches first)
answers before it.

## Example
```console
$ htguard probe https://example.org/admin/ --expect-login
error[PB010]: https://example.org/admin/ answers 200 without credentials
```

## Use instead
Deploy the configuration that protects the URL, and check with `--config` which line the
live server does not follow (PB009 names it).

## References
- https://httpd.apache.org/docs/2.4/howto/access.html
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let first = ev.first();
    let Some(status) = first.status().filter(|s| (200..300).contains(s)) else {
        return;
    };
    let predicted = ev.prediction(first.n).filter(|p| p.status == Some(401));
    if !ev.expect_login && predicted.is_none() {
        return;
    }
    let mut d = Diagnostic::new(
        &DIAGNOSIS.info,
        ev.transcript.status(first.n),
        format!("{} answers {status} without credentials", first.url),
    )
    .label(format!("{status}, no login asked"));
    let help = match predicted {
        Some(p) => {
            if let Some(line) = p.login_at.or(p.decided_by) {
                d = d.with_secondary(line, "the configuration asks for a login here");
            }
            format!("the configuration predicts {}; the live server does not ask: is this configuration deployed, and does this server answer?", p.summary)
        }
        None => "--expect-login: make the server ask for a login here (Apache: AuthType, AuthName, AuthUserFile, Require valid-user; nginx: auth_basic, auth_basic_user_file)".into(),
    };
    out.push(d.help(help));
}
