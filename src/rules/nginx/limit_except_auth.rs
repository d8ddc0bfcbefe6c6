//! NX014: auth inside (or undone by) `limit_except` leaves methods open.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::reach;
use crate::model::nginx::request::{Evaluation, evaluate_with};
use crate::model::nginx::{LimitExcept, Location, LocationKind, NginxModel};
use crate::model::request::LocalFiles;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX014",
        name: "nginx-limit-except-leaves-methods-open",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "auth_basic only inside `limit_except`: the listed methods (GET, HEAD) stay open",
        doc: r#"## What it does
Compares, for each location with a `limit_except` block, the protection of the methods
the block lists (they use the location's settings) with that of every other method (they
use the block's settings). When one side asks for a password and the other does not, it
asks the request evaluator what a listed method and an unlisted one get on the location's
URI from any address without credentials, and reports the difference it answers.

## Why is this bad?
`limit_except GET { ... }` means "for every method **except** GET (and HEAD)". Putting
`auth_basic` inside it protects POST, PUT, DELETE... and leaves **GET and HEAD open**:
everyone can read what the password was meant to hide (observed: GET 200 without
credentials, POST 401). The opposite (`auth_basic off` inside `limit_except`) opens all
the other methods.

## Example
```nginx
location /admin/ {
    limit_except GET {
        auth_basic "Admin";
        auth_basic_user_file /etc/nginx/.htpasswd;
    }
}
```

## Use instead
Protect the location, and use `limit_except` for what it is for — restricting methods:
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
    limit_except GET { deny all; }
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#limit_except
"#,
    },
    check,
};

// LocalFiles is built field by field: the apache-eval branch adds the worker's
// identity beside `root`, and this stays correct on both sides of that merge.
#[allow(clippy::field_reassign_with_default)]
fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let mut files = LocalFiles::default();
        files.root.clone_from(&m.opts.root);
        for (si, s) in m.servers.iter().enumerate() {
            for (li, l) in s.locations.iter().enumerate() {
                let Some(le) = &l.limit_except else { continue };
                let listed = l.settings.asks_password();
                let others = le.settings.asks_password();
                if listed == others {
                    continue;
                }
                let Some(outcome) = outcome(ctx, m, &files, (si, li), le) else {
                    continue;
                };
                out.push(finding(l, le, others, &outcome));
            }
        }
    }
}

/// What the evaluator answers a listed and an unlisted method on the location's own
/// URI, from any address without credentials, when exactly one of them is asked for a
/// password: "GET /api/ from any address: 404 without a password; POST: 401".
fn outcome(
    ctx: &Context<'_>,
    m: &NginxModel,
    files: &LocalFiles,
    (si, li): (usize, usize),
    le: &LimitExcept,
) -> Option<String> {
    let l = &m.servers[si].locations[li];
    if !l.is_prefix() && l.kind != LocationKind::Exact {
        return None;
    }
    let listed = le.methods.first()?.to_ascii_uppercase();
    let other = ["POST", "PUT", "DELETE", "PATCH"]
        .into_iter()
        .find(|m| !le.exempts(m))?;
    let ask = |method: &str| {
        let mut request = reach::request_for(m, si, &l.pattern)?;
        request.method = method.to_string();
        let e = evaluate_with(m, &request, files, ctx.profile);
        (e.server == Some(si)).then_some(e)
    };
    let (a, b) = (ask(&listed)?, ask(other)?);
    let asked = |e: &Evaluation| e.answer.status() == Some(401);
    if asked(&a) == asked(&b) {
        return None;
    }
    let status = |e: &Evaluation| match e.answer.status() {
        Some(401) => "401 (asks for a password)".to_string(),
        Some(code) => format!("{code} without a password"),
        None => "no password asked".to_string(),
    };
    Some(format!(
        "{listed} {} from any address: {}; {other}: {}",
        l.pattern,
        status(&a),
        status(&b)
    ))
}

fn finding(l: &Location, le: &LimitExcept, others: bool, outcome: &str) -> Diagnostic {
    let mut methods: Vec<String> = le.methods.iter().map(|m| m.to_ascii_uppercase()).collect();
    if methods.iter().any(|m| m == "GET") && !methods.iter().any(|m| m == "HEAD") {
        methods.push("HEAD".into());
    }
    let (open, protected) = if others {
        (
            methods.join(", "),
            format!("methods other than {}", methods.join(", ")),
        )
    } else {
        (
            "every method except ".to_string() + &methods.join(", "),
            methods.join(", "),
        )
    };
    let mut d = diag(
        &RULE.info,
        le.span,
        format!(
            "in {}, only {protected} need a password: {open} need none ({outcome})",
            l.describe()
        ),
    )
    .label(format!(
        "settings inside apply to methods other than {}",
        methods.join(", ")
    ))
    .help(format!(
        "move auth_basic and auth_basic_user_file out of limit_except into {} {{ ... }}",
        l.describe()
    ));
    if let Some(a) = le.settings.auth_basic.as_ref().filter(|_| others) {
        d = d.with_secondary(a.directive, "applies only to the methods not listed");
    }
    d
}
