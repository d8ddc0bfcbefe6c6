//! NX015: the password file lies inside a web root and nginx serves it.

use super::common::{diag, files_named, served_name};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::reach;
use crate::model::nginx::roots::RootIndex;
use crate::model::nginx::{NginxModel, Served, Settings, VirtualServer};
use crate::rules::{Context, Family, NamedFiles, Rule, RuleInfo};
use crate::source::Span;
use std::path::Path;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX015",
        name: "nginx-passwd-file-served",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "the user file is inside a root/alias tree and nginx serves it to anyone",
        doc: r#"## What it does
For each user file nginx uses, finds every `root` and `alias` whose tree contains it,
computes the URL that maps to it, runs nginx's location selection on that URL and
reports when the location that answers would send the file: no `deny all`, no `return`,
no upstream. Without a password in front it is an error; behind auth_basic a warning.
The same goes for every other password file htguard reads beside the config (name it on the
command line: a backup `users.bak`, a copy, a file Apache uses): a file of hashes that no
`auth_basic_user_file` names is sent just the same.

## Why is this bad?
Unlike Apache, nginx has no built-in rule hiding `.ht*` files: a `.htpasswd` under the
document root is served like any static file (observed: **200, hashes in the body**).
Anyone can then crack the hashes offline at their leisure.

## Example
```nginx
server {
    root /var/www/site;
    location /admin/ {
        auth_basic "Admin";
        auth_basic_user_file /var/www/site/.htpasswd;
    }
}
```

## Use instead
Keep password files out of every web root (e.g. in `/etc/nginx/`), or deny them:
```nginx
location ~ /\.ht { deny all; }
```

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#root
- https://nginx.org/en/docs/http/ngx_http_access_module.html#deny
"#,
    },
    check,
};

/// Would these settings send the static file at `uri`? Not behind `deny all`,
/// a `return`, an upstream, or a rewrite that moves the request elsewhere first.
fn serves_file(settings: &Settings, uri: &str) -> bool {
    let rewritten = settings
        .rewrites
        .iter()
        .any(|r| !r.conditional && regex::Regex::new(&r.regex).is_ok_and(|re| re.is_match(uri)));
    !settings.denies_all()
        && !rewritten
        && settings.returns.iter().all(|r| r.conditional)
        && settings.proxy_pass.is_none()
        && settings.fastcgi_pass.is_none()
}

/// The URIs mapping to `file` under each server, with the root directive that maps
/// it: by server, the server level and locations in configuration order, one per URI;
/// then those reaching it through `..` after an alias whose location has no trailing
/// slash.
fn urls(roots: &RootIndex<'_>, m: &NginxModel, file: &Path) -> Vec<(usize, String, Span)> {
    reach::ways_to(m, roots, file)
        .into_iter()
        .map(|w| (w.server, w.uri, w.directive))
        .collect()
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        let roots = RootIndex::new(m);
        let mut named = NamedFiles::default();
        // One look per distinct file (a tree may name the same file thousands of times);
        // the finding points at its first reference.
        for g in files_named(m) {
            let u = &g.first;
            let f = &u.file.value;
            named.insert(&f.local_path);
            if !g.on_disk.is_some_and(|m| m.is_file()) {
                continue;
            }
            for (s, served, settings, uri, root_span) in sent(&roots, m, &f.local_path) {
                let who = "this password file";
                out.push(finding(
                    s,
                    served,
                    settings,
                    (u.file.arg, who),
                    &f.local_path,
                    &uri,
                    root_span,
                ));
            }
        }
        // Password files of the run that no auth_basic_user_file of this config names (a
        // backup, a copy, a file Apache uses): sent all the same.
        for (input, local) in named.others(ctx) {
            if !local.is_file() {
                continue;
            }
            for (s, served, settings, uri, root_span) in sent(&roots, m, &local) {
                let at = (input.first_entry(), "this file of password hashes");
                out.push(finding(s, served, settings, at, &local, &uri, root_span));
            }
        }
    }
}

/// Each server that sends the static file `file`: the server, the location that answers,
/// its settings for GET, the URI and the root directive that maps it.
fn sent<'m>(
    roots: &RootIndex<'m>,
    m: &'m NginxModel,
    file: &Path,
) -> Vec<(&'m VirtualServer, Served, &'m Settings, String, Span)> {
    let mut out = Vec::new();
    for (server, uri, root_span) in urls(roots, m, file) {
        let s = &m.servers[server];
        let served = s.find_location(&uri);
        let settings = s.settings_for(served, "GET");
        if settings.root.as_ref().map(|r| r.directive) == Some(root_span)
            && serves_file(settings, &uri)
        {
            out.push((s, served, settings, uri, root_span));
        }
    }
    out
}

/// The finding for a password file that server `s` sends as `uri`.
fn finding(
    s: &VirtualServer,
    served: Served,
    settings: &Settings,
    (at, what): (Span, &str),
    file: &Path,
    uri: &str,
    root_span: Span,
) -> Diagnostic {
    let (severity, who) = if settings.asks_password() {
        (Severity::Warning, "any user who can log in")
    } else {
        (Severity::Error, "anyone")
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fix = if name.starts_with(".ht") {
        "add `location ~ /\\.ht { deny all; }` to the server, or move the file out of the web root"
            .to_string()
    } else {
        format!(
            "add `location = {uri} {{ deny all; }}`, or better, move the file out of the web root (e.g. to /etc/nginx/)"
        )
    };
    let target = match served {
        Served::Server => s.describe(),
        Served::Location(_) => served_name(s, served),
    };
    diag(
        &RULE.info,
        at,
        format!(
            "{who} can download {what}: GET {uri} on {} is served by {target} (200, hashes in the body)",
            s.describe()
        ),
    )
    .severity(severity)
    .label(format!("served as {uri}"))
    .with_secondary(root_span, format!("maps {uri} to this file"))
    .help(fix)
}
