//! PB003: a 401 without a challenge.

use super::{Diagnosis, Evidence};
use crate::diag::{Diagnostic, Family, RuleInfo, Severity};

pub static DIAGNOSIS: Diagnosis = Diagnosis {
    info: RuleInfo {
        code: "PB003",
        name: "challenge-missing",
        family: Family::Probe,
        severity: Severity::Error,
        summary: "a 401 without WWW-Authenticate: no client will ask for a password",
        doc: r#"## What it does
Reports a 401 answer that carries no `WWW-Authenticate` header.

## Why is this bad?
A 401 must say how to log in (RFC 9110 §15.5.2). Without a challenge, browsers show the
error page and never ask for a password; curl and other clients do not know which scheme
to use. It usually comes from an application, a `return 401;` in nginx, or an
`ErrorDocument`/proxy that drops the header, not from the server's own auth modules,
which always send one.

## Example
```nginx
location /admin/ {
    return 401;
}
```

## Use instead
Let the server's auth module answer (it sends the challenge), or send it yourself:
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/htpasswd;
}
```

## References
- https://www.rfc-editor.org/rfc/rfc9110#name-401-unauthorized
- https://www.rfc-editor.org/rfc/rfc9110#name-www-authenticate
"#,
    },
    check,
};

fn check(ev: &Evidence<'_>, out: &mut Vec<Diagnostic>) {
    let bare: Vec<_> = ev
        .exchanges
        .iter()
        .filter(|e| {
            e.reply()
                .is_some_and(|r| r.status == 401 && r.header("www-authenticate").is_none())
        })
        .collect();
    let Some(first) = bare.first() else {
        return;
    };
    let t = ev.transcript;
    let mut d = Diagnostic::new(
        &DIAGNOSIS.info,
        t.status(first.n),
        format!(
            "{} answers 401 without a WWW-Authenticate header: no client will ask for a password",
            first.url
        ),
    )
    .label("401, and no challenge")
    .help(
        "let the server's auth module answer (Apache: AuthType/AuthName/Require; nginx: \
         auth_basic), or add the header where the 401 is made (WWW-Authenticate: Basic \
         realm=\"…\")",
    );
    for e in &bare[1..] {
        d = d.with_secondary(t.status(e.n), "no challenge here either");
    }
    if let Some(p) = ev.prediction(first.n)
        && let Some(line) = p.decided_by
    {
        d = d.with_secondary(line, "the configuration's answer comes from here");
    }
    out.push(d);
}
