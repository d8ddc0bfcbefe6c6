//! PB008: 401 without credentials, 5xx with them.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB008",
        name: "error-after-credentials",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "401 without credentials but a 5xx (or nginx's 403) with them: checking the password fails",
        doc: r#"## What it does
Reports a URL that asks for a login (401) and answers a server error (500 and the like)
once credentials are sent — right or wrong ones. Also a 403 for every request with
credentials, right and wrong alike, after a 401 without: nginx's answer when the
`auth_basic_user_file` does not exist (`ngx_http_auth_basic_handler` maps `ENOENT` to 403,
other open errors to 500).

## Why is this bad?
The server cannot check any password: nobody logs in, and the browser shows an error page
instead of asking again. The usual causes: the user file (`AuthUserFile`,
`auth_basic_user_file`) is missing, a directory, or unreadable by the server's user
(Apache logs `(13)Permission denied: Could not open password file`), or the authn provider
named is not loaded or fails (a database, LDAP).

## Example
```apache
<Location /admin>
    AuthType Basic
    AuthName "Admin"
    AuthUserFile /etc/apache2/htpasswd-missing
    Require valid-user
</Location>
```

## Use instead
Point the directive at a regular file the worker user can read (`htguard check` reports
which one and why), then probe again.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_file.html#authuserfile
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic_user_file
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let first = ev.first();
    if first.status() != Some(401) {
        return;
    }
    let logged: Vec<_> = ev.with_credentials().collect();
    let failed: Vec<_> = logged
        .iter()
        .filter(|e| e.status().is_some_and(|s| (500..600).contains(&s)))
        .collect();
    // nginx answers 403 to any credentials when the user file does not exist.
    let missing_file =
        failed.is_empty() && !logged.is_empty() && logged.iter().all(|e| e.status() == Some(403));
    let failed = if missing_file {
        logged.iter().collect()
    } else {
        failed
    };
    let Some(e) = failed.first() else {
        return;
    };
    let status = e.status().unwrap_or(500);
    let t = ev.transcript;
    let message = if missing_file {
        "401 without credentials, 403 with any (right or wrong): nginx answers so when its \
         auth_basic_user_file does not exist"
            .to_string()
    } else {
        format!(
            "401 without credentials, {status} with them: the server fails while checking the password"
        )
    };
    let mut d = Diagnostic::new(&DIAGNOSIS.info, t.status(e.n), message)
        .label(format!("{status} {}", e.sent.describe()))
        .with_secondary(t.status(first.n), "401 without credentials");
    for other in &failed[1..] {
        d = d.with_secondary(
            t.status(other.n),
            format!("{} {}", other.status().unwrap_or(0), other.sent.describe()),
        );
    }
    let mut help = if missing_file {
        "create the file auth_basic_user_file names (relative paths start at nginx's conf \
         prefix): `htguard user add FILE USER`; `htguard check` on the configuration names the line"
    } else {
        "the user file is missing, a directory or unreadable by the server's user, or the \
         authn provider fails: the server's error log says which; `htguard check` on the \
         configuration names the line"
    }
    .to_string();
    if let Some(p) = ev.prediction(e.n)
        && let Some(line) = p.decided_by
    {
        d = d.with_secondary(line, "the configuration fails here");
        help = format!("the configuration predicts it: {}", p.summary);
    }
    out.push(d.help(help));
}
