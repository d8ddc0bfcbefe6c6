//! PB004: a Basic challenge over plain HTTP.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};
use crate::model::request::Scheme;
use crate::probe::plan::Purpose;

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB004",
        name: "basic-over-http",
        family: Family::Probe,
        severity: Severity::Warning,
        summary: "a Basic challenge over http://: the password crosses the network readable",
        doc: r#"## What it does
Reports a `WWW-Authenticate: Basic` challenge answered over plain `http://`, and says
whether the same URL answers over `https://` (the probe asks once, without credentials).
A host that is the loopback interface itself (`localhost`, `127.0.0.1`, `::1`) is left
out: nothing crosses a network there.

## Why is this bad?
Basic credentials are only base64-encoded: anyone on the path (a shared Wi-Fi, a
compromised router) reads the password, and the client sends it again with every
request.

## Example
```apache
<VirtualHost *:80>
    <Location /admin>
        AuthType Basic
        AuthName "Admin"
        AuthUserFile /etc/apache2/htpasswd
        Require valid-user
    </Location>
</VirtualHost>
```

## Use instead
Ask for the password only over HTTPS, and send plain HTTP there first:
```apache
<VirtualHost *:80>
    Redirect permanent / https://example.org/
</VirtualHost>
```

## References
- https://www.rfc-editor.org/rfc/rfc7617#section-4
- https://httpd.apache.org/docs/2.4/mod/mod_auth_basic.html
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let Some(e) = ev.exchanges.iter().find(|e| {
        e.url.scheme == Scheme::Http
            && !is_loopback(&e.url.host)
            && e.reply()
                .is_some_and(|r| r.challenges().iter().any(|c| c.is("Basic")))
    }) else {
        return;
    };
    let t = ev.transcript;
    let mut d = Diagnostic::new(
        &DIAGNOSIS.info,
        t.header(e.n, "www-authenticate"),
        format!(
            "{} asks for a Basic login over plain HTTP: the password crosses the network readable",
            e.url
        ),
    )
    .label("Basic, over http://");
    let https = ev
        .exchanges
        .iter()
        .find(|x| x.purpose == Purpose::OtherScheme);
    let help = match https {
        Some(x) => match x.status() {
            Some(s) => {
                d = d.with_secondary(t.status(x.n), format!("over https://: {s}"));
                format!(
                    "{} answers too: redirect http:// there and ask for the password only over HTTPS",
                    x.url
                )
            }
            None => {
                d = d.with_secondary(t.status(x.n), "nothing answers over https://");
                "set up HTTPS for this host, then redirect http:// there and ask for the password only over HTTPS".into()
            }
        },
        None => "ask for the password only over HTTPS, and redirect http:// there".into(),
    };
    out.push(d.help(help));
}

/// `localhost`, or a loopback address: a connection that never leaves the machine.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
