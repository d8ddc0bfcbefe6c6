//! PB006: 403 with and without credentials.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB006",
        name: "forbidden-not-unauthorized",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "403 with and without credentials: no login can help",
        doc: r#"## What it does
Reports a URL that answers 403 without credentials and 403 again with them (the given
password, or a made-up one when no user was given).

## Why is this bad?
403 is not 401: the server refuses whoever asks, by address or by rule (`Require ip`,
`Require all denied`, `deny all`, file permissions), before any password is looked at.
Users and admins often reset passwords for hours over a 403; no password can change it.

## Example
```apache
<Location /admin>
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/htpasswd
    Require ip 10.0.0.0/8
</Location>
```

## Use instead
Decide whether the address rule or the login should let people in, and say so:
```apache
<Location /admin>
    …
    <RequireAny>
        Require ip 10.0.0.0/8
        Require valid-user
    </RequireAny>
</Location>
```

## References
- https://www.rfc-editor.org/rfc/rfc9110#name-403-forbidden
- https://httpd.apache.org/docs/2.4/mod/mod_authz_host.html
- https://nginx.org/en/docs/http/ngx_http_access_module.html
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let first = ev.first();
    let logged: Vec<_> = ev.with_credentials().collect();
    if first.status() != Some(403)
        || logged.is_empty()
        || logged.iter().any(|e| e.status() != Some(403))
    {
        return;
    }
    let t = ev.transcript;
    let mut d = Diagnostic::new(
        &DIAGNOSIS.info,
        t.status(first.n),
        "403 without credentials and 403 with them: the server refuses before any password counts",
    )
    .label("403 without credentials");
    for e in &logged {
        d = d.with_secondary(t.status(e.n), format!("403 {}", e.sent.describe()));
    }
    let mut help = "look for the address or access rule that refuses (Apache: Require ip/host, \
                    Require all denied, Deny from; nginx: deny, allow) or a file the server \
                    cannot read; a password cannot change a 403"
        .to_string();
    if let Some(p) = ev.prediction(first.n)
        && let Some(line) = p.decided_by
    {
        d = d.with_secondary(line, "the configuration refuses here");
        help = format!(
            "the configuration refuses at the line shown ({})",
            p.summary
        );
    }
    out.push(d.help(help));
}
