//! NX010: `auth_basic off` opening part of a protected URL space.

use super::common::{diag, own_auth_off};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::{OpenDoor, Served, VirtualServer};
use crate::rules::{Context, Family, Rule, RuleInfo};
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX010",
        name: "nginx-auth-off-in-protected-tree",
        family: Family::Nginx,
        severity: Severity::Warning,
        summary: "`auth_basic off` in a nested or competing location opens part of a protected area",
        doc: r#"## What it does
Finds locations that say `auth_basic off;` and serve URIs of a protected area: a location
nested in a protected location (or in a protected server), or a sibling — prefix, exact
or regex — that nginx picks for URIs under a protected prefix. It names a URI that is
open because of it.

## Why is this bad?
It may be intended (`/admin/health` for a monitor), but it is the easiest way to open
more than intended: `location ~ \.(css|js)$ { auth_basic off; }` at server level serves
`/admin/backup.js` — and anything else ending in `.js` under `/admin/` — with no
password.

## Example
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
location ~ \.(css|js)$ {
    auth_basic off;
}
```

## Use instead
Open exactly what must be open, inside the protected tree:
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
    location = /admin/health { auth_basic off; }
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#location
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        for s in &m.servers {
            let mut reported: HashSet<usize> = HashSet::new();
            // Nested in a protected parent (or server).
            for (i, l) in s.locations.iter().enumerate() {
                if !own_auth_off(s, i) {
                    continue;
                }
                let parent_settings = match l.parent {
                    Some(p) => &s.locations[p].settings,
                    None => &s.settings,
                };
                if parent_settings.asks_password() {
                    let whose = match l.parent {
                        Some(p) => s.location_path(p),
                        None => s.describe(),
                    };
                    push(
                        out,
                        s,
                        i,
                        &l.pattern,
                        &whose,
                        parent_settings.auth_basic.as_ref().map(|a| a.directive),
                    );
                    reported.insert(i);
                }
            }
            // A competing location that takes URIs of a protected one.
            for (p, pl) in s.locations.iter().enumerate() {
                if !pl.settings.asks_password() {
                    continue;
                }
                for OpenDoor { uri, served } in s.open_doors_of(p).iter().cloned() {
                    let Served::Location(j) = served else {
                        continue;
                    };
                    if own_auth_off(s, j) && reported.insert(j) {
                        push(
                            out,
                            s,
                            j,
                            &uri,
                            &s.location_path(p),
                            pl.settings.auth_basic.as_ref().map(|a| a.directive),
                        );
                    }
                }
            }
        }
    }
}

fn push(
    out: &mut Vec<Diagnostic>,
    s: &VirtualServer,
    i: usize,
    uri: &str,
    protected: &str,
    realm: Option<crate::source::Span>,
) {
    let l = &s.locations[i];
    let off = l
        .settings
        .auth_basic
        .as_ref()
        .map_or(l.span, |a| a.directive);
    let mut d = diag(
        &RULE.info,
        off,
        format!(
            "auth_basic off in {} opens part of the protected {protected}: GET {uri} needs no password",
            l.describe()
        ),
    )
    .label("auth switched off here")
    .help(format!(
        "if {uri} must be public, keep the opening as narrow as `location = {uri} {{ auth_basic off; }}`; otherwise delete this line"
    ));
    if let Some(r) = realm {
        d = d.with_secondary(r, "the protection it undoes");
    }
    out.push(d);
}
