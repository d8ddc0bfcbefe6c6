//! NX012: rewrite-phase directives that act before auth_basic runs.

use super::common::{UriSpace, diag, served_name};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::{Location, Return, Rewrite, Served, VirtualServer, sample::samples};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX012",
        name: "nginx-rewrite-escapes-auth",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "`rewrite ... last` (or `return`) in a protected location acts before auth_basic",
        doc: r#"## What it does
Looks at `rewrite` and `return` inside protected locations. nginx runs them in the
*rewrite* phase, which comes **before** the access phase where `auth_basic` checks the
password. For `rewrite ... last` (or a rewrite with no flag) htguard computes where a
URI of the protected location is sent, runs nginx's location selection on the new URI,
and reports the rewrite when that location asks for no password. A `return` with a 2xx
code answers without asking for a password at all (reported as a warning).

## Why is this bad?
`rewrite ^/admin/(.*)$ /app.php?path=$1 last;` inside `location /admin/` sends every admin
request to `location ~ \.php$` — which serves it **without** the password: the
protection of `/admin/` never runs. `rewrite ... break` stays in the location and keeps
its auth; `redirect`/`permanent` make the client ask again (and go through whatever
auth the target has).

## Example
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
    rewrite ^/admin/(.*)$ /index.php?route=$1 last;
}
location ~ \.php$ { fastcgi_pass unix:/run/php/php-fpm.sock; include fastcgi.conf; }
```

## Use instead
Protect the target too, or keep the request in the protected location:
```nginx
location /admin/ {
    auth_basic "Admin";
    auth_basic_user_file /etc/nginx/.htpasswd;
    rewrite ^/admin/(.*)$ /index.php?route=$1 break;
    fastcgi_pass unix:/run/php/php-fpm.sock;
    include fastcgi.conf;
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_rewrite_module.html
- https://nginx.org/en/docs/dev/development_guide.html#http_phases
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        for s in &m.servers {
            // Found only for servers with a rewrite to follow.
            let mut space: Option<UriSpace<'_>> = None;
            for (i, l) in s.locations.iter().enumerate() {
                if !l.settings.asks_password() {
                    continue;
                }
                for rw in &l.settings.rewrites {
                    if matches!(rw.flag.as_deref(), Some("break" | "redirect" | "permanent")) {
                        continue;
                    }
                    let space = space.get_or_insert_with(|| UriSpace::new(s));
                    if let Some(escape) = escape(s, space, i, rw) {
                        out.push(rewrite_finding(s, l, rw, escape));
                    }
                }
                for ret in &l.settings.returns {
                    if ret.code.is_some_and(|c| (200..300).contains(&c)) {
                        out.push(return_finding(l, ret));
                    }
                }
            }
        }
    }
}

/// A rewrite that sends a URI of protected location `l` (from) to a URI (to) that
/// another configuration serves without a password.
fn rewrite_finding(
    s: &VirtualServer,
    l: &Location,
    rw: &Rewrite,
    (from, to, served): (String, String, Served),
) -> Diagnostic {
    let mut d = diag(
        &RULE.info,
        rw.span,
        format!(
            "rewrite sends {from} to {to}, served by {} without a password: rewrites run before auth_basic",
            served_name(s, served)
        ),
    )
    .label(format!("{from} → {to}, no password asked"))
    .help(format!(
        "end it with `break` to stay in {} (and serve the request there), or protect {} as well",
        l.describe(),
        served_name(s, served)
    ));
    if let Some(a) = &l.settings.auth_basic {
        d = d.with_secondary(a.directive, "never consulted for rewritten requests");
    }
    d
}

/// A `return 2xx` in protected location `l`: it answers before auth_basic runs.
fn return_finding(l: &Location, ret: &Return) -> Diagnostic {
    let mut d = diag(
        &RULE.info,
        ret.span,
        format!(
            "return {} answers before auth_basic runs: {} sends this response without a password",
            ret.code.unwrap_or_default(),
            l.describe()
        ),
    )
    .severity(Severity::Warning)
    .label("rewrite phase: runs before the password check")
    .help("serve the content from a file or an upstream in this location instead of `return`, so auth_basic applies");
    if let Some(a) = &l.settings.auth_basic {
        d = d.with_secondary(a.directive, "not consulted for this response");
    }
    d
}

/// A URI of location `i` that the rewrite sends to a location without auth.
fn escape(
    s: &VirtualServer,
    space: &UriSpace<'_>,
    i: usize,
    rw: &Rewrite,
) -> Option<(String, String, Served)> {
    let re = regex::Regex::new(&rw.regex).ok()?;
    if rw.replacement.starts_with("http://")
        || rw.replacement.starts_with("https://")
        || rw.replacement.starts_with("$scheme")
    {
        return None; // an external redirect
    }
    let mut uris = space.candidates(i);
    for smp in samples(&rw.regex) {
        if smp.starts_with('/') {
            uris.insert(0, smp);
        }
    }
    for uri in uris {
        if s.find_location(&uri) != Served::Location(i) {
            continue;
        }
        let Some(caps) = re.captures(&uri) else {
            continue;
        };
        let mut target = String::new();
        caps.expand(&nginx_to_regex_replacement(&rw.replacement), &mut target);
        let target = target.split('?').next().unwrap_or("").to_string();
        if !target.starts_with('/') {
            continue;
        }
        let served = s.find_location(&target);
        let settings = s.settings_for(served, "GET");
        if !settings.asks_password() && !settings.denies_all() {
            return Some((uri, target, served));
        }
    }
    None
}

/// nginx writes captures as `$1`; other variables become a plain `x`.
fn nginx_to_regex_replacement(r: &str) -> String {
    let b = r.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let mut j = i + 1;
            if b.get(j) == Some(&b'{') {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let name = &r[start..j];
            if b.get(j) == Some(&b'}') {
                j += 1;
            }
            if !name.is_empty() && name.bytes().all(|c| c.is_ascii_digit()) {
                out.push_str(&format!("${{{name}}}"));
            } else {
                out.push('x');
            }
            i = j.max(i + 1);
        } else if let Some(ch) = r[i..].chars().next() {
            out.push(ch);
            i += ch.len_utf8();
        } else {
            break;
        }
    }
    out
}
