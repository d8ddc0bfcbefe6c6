//! NX011: a location without auth that nginx picks for URIs of a protected one.

use super::common::{diag, own_auth_off, served_name, served_span};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::{LocationKind, OpenDoor, Served, VirtualServer};
use crate::rules::{Context, Family, Rule, RuleInfo};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX011",
        name: "nginx-location-bypasses-auth",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "a regex, exact or longer prefix location without auth serves URIs of a protected location",
        doc: r#"## What it does
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
            // One finding per location that opens doors: every protected area it
            // undercuts, in file order, with a URI to try for each.
            let mut groups: Vec<(Served, Vec<(usize, String)>)> = Vec::new();
            let mut group_of: HashMap<Served, usize> = HashMap::new();
            for (p, pl) in s.locations.iter().enumerate() {
                if !pl.settings.asks_password() {
                    continue;
                }
                for OpenDoor { uri, served } in s.open_doors_of(p).iter().cloned() {
                    if let Served::Location(j) = served
                        && own_auth_off(s, j)
                    {
                        continue; // NX010 reports explicit `auth_basic off`.
                    }
                    let settings = s.settings_for(served, "GET");
                    if settings.auth_basic.is_some() != settings.user_file.is_some() {
                        continue; // Half-configured: NX008/NX009 say why it is open.
                    }
                    let g = *group_of.entry(served).or_insert_with(|| {
                        groups.push((served, Vec::new()));
                        groups.len() - 1
                    });
                    groups[g].1.push((p, uri));
                }
            }
            for (served, doors) in groups {
                out.push(finding(s, served, &doors));
            }
        }
    }
}

fn finding(s: &VirtualServer, served: Served, doors: &[(usize, String)]) -> Diagnostic {
    let (p, uri) = &doors[0];
    let pl = &s.locations[*p];
    let why = match served {
        Served::Location(j) => match s.locations[j].kind {
            LocationKind::Regex { .. } => "regex locations are tried before a prefix match is used",
            LocationKind::Exact => "an exact match wins over every prefix",
            _ => "the longest prefix wins, and sibling locations do not share auth settings",
        },
        Served::Server => "no location matches, so the server level applies",
    };
    let help = match served {
        Served::Location(j)
            if matches!(s.locations[j].kind, LocationKind::Regex { .. })
                && pl.kind == LocationKind::Prefix =>
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
    let listed: Vec<String> = doors
        .iter()
        .take(3)
        .map(|(p, u)| format!("{u} ({})", s.locations[*p].describe()))
        .collect();
    let more = if doors.len() > 3 {
        format!(" and {} more protected locations", doors.len() - 3)
    } else {
        String::new()
    };
    let mut d = diag(
        &RULE.info,
        served_span(s, served),
        format!(
            "{} serves URIs of protected locations without a password: {}{more}; {why}",
            served_name(s, served),
            listed.join(", ")
        ),
    )
    .label(format!("GET {uri} is answered here, no auth"))
    .help(help);
    for (p, u) in doors.iter().take(5) {
        if let Some(a) = &s.locations[*p].settings.auth_basic {
            d = d.with_secondary(
                a.directive,
                format!("protects {} but not {u}", s.locations[*p].pattern),
            );
        }
    }
    d
}
