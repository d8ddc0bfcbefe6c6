//! NX011: a location without auth that nginx picks for URIs of a protected one.

use super::common::{diag, open_doors, own_auth_off, served_name, served_span};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::{LocKind, Served};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX011",
        name: "nginx-location-bypasses-auth",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "a regex, exact or longer prefix location without auth serves URIs of a protected location",
        doc: r#"# nginx-location-bypasses-auth (NX011)

## What it does
For every protected location, runs nginx's own location selection on URIs of its space
(its prefix with typical file names, and URIs built from every other location's pattern)
and reports each location without auth that nginx picks instead — with a URI to try.

## Why is this bad?
nginx serves a request from exactly one location: an exact `=` match, else the longest
prefix — unless a regex location matches, which then wins (first in file order) over any
prefix not marked `^~`. Auth settings are not combined across sibling locations. So the
classic PHP block
```nginx
location /admin/ { auth_basic "Admin"; auth_basic_user_file /etc/nginx/.htpasswd; }
location ~ \.php$ { fastcgi_pass unix:/run/php/php-fpm.sock; include fastcgi.conf; }
```
runs `/admin/index.php` with **no password**, while `/admin/` itself asks for one. The
same happens with a longer prefix (`location /admin/uploads/`) or an exact
`location = /admin/status` that has no auth of its own.

## Example
See above.

## Use instead
Stop the regex search under the protected prefix and nest what it needs (nested
locations inherit the auth settings):
```nginx
location ^~ /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
    location ~ \.php$ { fastcgi_pass unix:/run/php/php-fpm.sock; include fastcgi.conf; }
}
```
or put `auth_basic` and `auth_basic_user_file` at the server level.

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#location
- nginx source: `ngx_http_core_find_location`
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        for s in &m.servers {
            let mut seen: Vec<Served> = Vec::new();
            for (p, pl) in s.locations.iter().enumerate() {
                if !pl.conf.asks_password() {
                    continue;
                }
                for (uri, served) in open_doors(s, p) {
                    if let Served::Location(j) = served
                        && own_auth_off(s, j)
                    {
                        continue; // NX010 reports explicit `auth_basic off`.
                    }
                    if seen.contains(&served) {
                        continue;
                    }
                    seen.push(served);
                    let why = match served {
                        Served::Location(j) => match s.locations[j].kind {
                            LocKind::Regex { .. } => {
                                "regex locations are tried before a prefix match is used"
                            }
                            LocKind::Exact => "an exact match wins over every prefix",
                            _ => {
                                "the longest prefix wins, and sibling locations do not share auth settings"
                            }
                        },
                        Served::Server => "no location matches, so the server level applies",
                    };
                    let help = match served {
                        Served::Location(j)
                            if matches!(s.locations[j].kind, LocKind::Regex { .. })
                                && pl.kind == LocKind::Prefix =>
                        {
                            format!(
                                "write `location ^~ {} {{` so regexes are not tried under it, and nest `{}` inside it if those URIs need it (nested locations inherit auth_basic)",
                                pl.pattern,
                                s.locations[j].describe()
                            )
                        }
                        _ => format!(
                            "add `auth_basic` and `auth_basic_user_file` to {} as well, or set them at the server level",
                            served_name(s, served)
                        ),
                    };
                    let mut d = diag(
                        &RULE.info,
                        served_span(s, served),
                        format!(
                            "{} serves {uri} without a password although {} is protected: {why}",
                            served_name(s, served),
                            s.location_path(p)
                        ),
                    )
                    .label(format!("GET {uri} is answered here, no auth"))
                    .help(help);
                    if let Some(a) = &pl.conf.auth_basic {
                        d = d.with_secondary(
                            a.directive,
                            format!("protects {} but not {uri}", pl.pattern),
                        );
                    }
                    out.push(d);
                }
            }
        }
    }
}
