//! PB002: the credentials do not reach the server that asks for them.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB002",
        name: "credentials-not-forwarded",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "a proxy or gateway in front drops the Authorization header before the server that asks",
        doc: r#"## What it does
Reports a login that fails because the credentials never arrive where they are checked.
With `--config`, the request evaluator follows the request through the configured front
(an nginx `proxy_pass` or `fastcgi_pass`) and names the line that removes or blanks the
header: `proxy_set_header Authorization "";`, `fastcgi_param HTTP_AUTHORIZATION "";`,
`proxy_pass_request_headers off`. Without `--config` it is only suspected, when the right
password is rejected like a wrong one (PB001) and the answers carry proxy headers (`Via`,
`X-Cache`, `CF-Ray`…): a warning, not an error.

## Why is this bad?
The backend asks for a login that the client sends and the front throws away: every
user, with any password, gets 401. Changing passwords or user files cannot help.

## Example
```nginx
location / {
    proxy_set_header Authorization "";
    proxy_pass http://127.0.0.1:8080;   # Apache there asks for a Basic login
}
```

## Use instead
Let the header through to the server that checks it (remove the line), or check the login
at the front and tell the backend who logged in:
```nginx
location / {
    auth_basic "App";
    auth_basic_user_file /etc/nginx/htpasswd;
    proxy_set_header X-Remote-User $remote_user;
    proxy_pass http://127.0.0.1:8080;
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header
- https://httpd.apache.org/docs/2.4/mod/mod_proxy_fcgi.html
- https://www.rfc-editor.org/rfc/rfc9110#name-via
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let Some(given) = ev.given() else {
        return;
    };
    let t = ev.transcript;
    if let Some(p) = ev.prediction(given.n)
        && let Some(dropped) = p.credentials_dropped_at
    {
        let live = given.status().map_or("no answer".into(), |s| s.to_string());
        out.push(
            Diagnostic::new(
                &DIAGNOSIS.info,
                dropped,
                format!(
                    "the credentials never reach the server that asks for them: this line drops \
                     the Authorization header (live answer with the password: {live})"
                ),
            )
            .label("the Authorization header stops here")
            .with_secondary(t.status(given.n), format!("with the password: {live}"))
            .help(
                "remove the line so the backend gets the header, or check the login at the \
                 front and pass the user on (proxy_set_header X-Remote-User $remote_user;)",
            ),
        );
        return;
    }
    let Some(wrong) = ev.wrong() else {
        return;
    };
    let proxies = ev.proxy_evidence();
    if ev.predictions.is_some()
        || proxies.is_empty()
        || given.status() != Some(401)
        || wrong.status() != Some(401)
    {
        return;
    }
    out.push(
        Diagnostic::new(
            &DIAGNOSIS.info,
            t.status(given.n),
            format!(
                "suspected: a proxy in front may drop the credentials (the answers carry {})",
                proxies.join(", ")
            ),
        )
        .severity(Severity::Warning)
        .label("the right password is rejected like a wrong one")
        .help(
            "probe again with --config and the front's configuration (nginx, Apache) to see \
             whether it removes the Authorization header, or probe the backend directly",
        ),
    );
}
