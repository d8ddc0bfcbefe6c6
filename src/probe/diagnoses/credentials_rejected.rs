//! PB001: the right password gets the same 401 as a wrong one.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB001",
        name: "credentials-rejected",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "the given password gets the same 401 as a deliberately wrong one",
        doc: r#"## What it does
Sends the URL the given user and password, then the same user with a password that is
surely wrong. When both get 401, the server treats the given password as wrong. Without
`--config` the finding lists the usual causes; with `--config` it lists those the
configuration confirms (the user is not in the user file, its hash is malformed or of a
scheme this server cannot verify, the password does not match the hash), each with its
line.

## Why is this bad?
The user is locked out, and the browser just asks again: nothing says whether the
password, the user, the file or something on the way is at fault.

## Example
```console
$ htguard probe https://example.org/admin/ --user alice --password-stdin
error[PB001]: alice's password gets the same 401 as a wrong password
```

## Use instead
Check the password against the file the server reads (`htguard user verify FILE alice`),
set it again if needed (`htguard user set FILE alice`), and run the probe with
`--config` to see which line decides. When a proxy or CDN stands in front, see PB002.

## References
- https://httpd.apache.org/docs/2.4/howto/auth.html
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html
- https://www.rfc-editor.org/rfc/rfc9110#name-401-unauthorized
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(given), Some(wrong)) = (ev.given(), ev.wrong()) else {
        return;
    };
    if given.status() != Some(401) || wrong.status() != Some(401) {
        return;
    }
    // No challenge (PB003), a challenge nobody answers with a password (PB005), or a hop
    // shown to drop the header (PB002): that finding names the cause.
    if given
        .reply()
        .is_some_and(|r| r.header("www-authenticate").is_none())
        || super::challenge_unanswerable::unanswerable(given).is_some()
        || ev
            .prediction(given.n)
            .is_some_and(|p| p.credentials_dropped_at.is_some())
    {
        return;
    }
    let user = match &given.sent {
        crate::probe::plan::Sent::Given { user, .. } => user.as_str(),
        _ => "the user",
    };
    let t = ev.transcript;
    let mut d = Diagnostic::new(
        &DIAGNOSIS.info,
        t.status(given.n),
        format!("{user}'s password gets the same 401 as a wrong password"),
    )
    .label(format!("{user}'s password: 401"))
    .with_secondary(t.status(wrong.n), "a wrong password: 401 too");
    let confirmed = ev
        .prediction(given.n)
        .map(|p| p.rejection_causes.clone())
        .unwrap_or_default();
    if confirmed.is_empty() {
        let mut causes = [
            format!("the password does not match {user}'s hash in the user file"),
            format!("{user} is not in the user file the server reads"),
            "the hash is malformed, or of a scheme this server cannot verify".to_string(),
            "a proxy, CDN or load balancer in front removes or replaces the Authorization header (PB002)".to_string(),
        ];
        let proxies = ev.proxy_evidence();
        if !proxies.is_empty() {
            causes[3].push_str(&format!(": the answers carry {}", proxies.join(", ")));
        }
        d = d.help(format!(
            "possible causes: {}. Check the password with `htguard user verify FILE {user}`, \
             or probe again with --config to see which line decides",
            causes.join("; ")
        ));
    } else {
        let mut text = Vec::new();
        for (cause, span) in confirmed {
            if let Some(span) = span {
                d = d.with_secondary(span, cause.clone());
            }
            text.push(cause);
        }
        d = d.help(format!("the configuration confirms: {}", text.join("; ")));
    }
    out.push(d);
}
