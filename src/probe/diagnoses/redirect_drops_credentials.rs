//! PB007: a redirect to another origin, where clients do not send the credentials.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};
use crate::probe::plan::Purpose;
use crate::probe::url::Url;

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB007",
        name: "redirect-drops-credentials",
        family: Family::Probe,
        severity: Severity::Warning,
        summary: "a redirect to another host, port or scheme: clients drop Authorization there",
        doc: r#"## What it does
Reports an answer from the probed origin that redirects to another host, port or scheme.
The probe follows it once without credentials (it never sends them to another origin) and
shows what answers there.

## Why is this bad?
Clients send credentials only to the origin they were given for: browsers ask again (or
reuse nothing), curl drops `-u` credentials when the host or port changes (unless told
`--location-trusted`), scripts and monitoring get a 401 at the target. A login that works
when opened directly fails behind the redirect.

## Example
```nginx
server {
    listen 80;
    location /admin/ {
        return 302 http://example.org:8080/admin/;
    }
}
```

## Use instead
Link to the final URL directly, redirect within the same origin, or make sure the login
happens where the redirect lands (and over HTTPS).

## References
- https://www.rfc-editor.org/rfc/rfc9110#name-redirection-3xx
- https://curl.se/docs/manpage.html#--location-trusted
"#,
    },
    check,
};

/// What differs between two origins: "another host", "another port", "another scheme".
fn difference(from: &Url, to: &Url) -> &'static str {
    if from.host != to.host {
        "another host"
    } else if from.scheme != to.scheme {
        "another scheme"
    } else {
        "another port"
    }
}

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let origin = ev.url.origin();
    for e in ev.exchanges.iter().filter(|e| e.url.origin() == origin) {
        let Some(target) = e
            .reply()
            .filter(|r| r.is_redirect())
            .and_then(|r| r.location())
            .and_then(|l| e.url.join(l))
        else {
            continue;
        };
        if target.origin() == origin {
            continue;
        }
        // One finding per target.
        if out
            .iter()
            .any(|d| d.code == DIAGNOSIS.info.code && d.message.contains(&target.to_string()))
        {
            continue;
        }
        let t = ev.transcript;
        let status = e.status().unwrap_or(0);
        let mut d = Diagnostic::new(
            &DIAGNOSIS.info,
            t.header(e.n, "location"),
            format!(
                "{status} redirect to {target} ({}): clients do not send the credentials there",
                difference(&e.url, &target)
            ),
        )
        .label(difference(&e.url, &target));
        if let Some(followed) = ev
            .exchanges
            .iter()
            .find(|x| x.purpose == (Purpose::Redirect { from: e.n }))
        {
            let there = followed
                .status()
                .map_or("no answer".into(), |s| s.to_string());
            d = d.with_secondary(
                t.status(followed.n),
                format!("there, without credentials: {there}"),
            );
        }
        out.push(d.help(format!(
            "link to {target} directly, or redirect within {origin} so the credentials still apply"
        )));
    }
}
