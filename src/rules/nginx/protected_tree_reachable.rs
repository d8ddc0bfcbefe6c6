//! NX020: the files of a protected location are served elsewhere without a password.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::reach::{self, Via, Way};
use crate::model::nginx::request::map_to_path;
use crate::model::nginx::roots::RootIndex;
use crate::model::nginx::{LocationKind, NginxModel, Served};
use crate::model::request::{FileState, Files, LocalFiles};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX020",
        name: "nginx-protected-tree-reachable",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "another server's root, an alias, or `..` after an alias serves a protected location's files without a password",
        doc: r#"## What it does
For every location that asks for a password or refuses some addresses, takes a file
from the directory it serves and looks for every other URI that maps to that file:
other servers (or locations) whose `root` contains it, `alias` directories that
contain it, and `..` after an `alias` written in a location without a trailing slash.
It asks the request evaluator what each URI answers to a client from any address
without credentials, and reports those that send the file (200).

## Why is this bad?
nginx protects URIs, not files. A second `server` with the same `root` (a `www.`
variant, a plain-HTTP server beside the HTTPS one, a catch-all default server) serves
`/admin/` without the `auth_basic` the first one has. And
`location /static { alias /srv/app/public/; }` maps `/static../x` to `/srv/app/x`:
the whole parent directory, protected trees and password files included, is served
(observed on nginx 1.22: 200).

## Example
```nginx
server { server_name example.com; root /srv/www;
         location /admin/ { auth_basic "Admin"; auth_basic_user_file /etc/nginx/admin.users; } }
server { server_name www.example.com; root /srv/www; }
```

## Use instead
Protect the files wherever they are served (put the `location /admin/` block in every
server with that root, or give the servers different roots), and end an alias's
location with a slash when its alias ends with one:
```nginx
location /static/ { alias /srv/app/public/; }
```

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#alias
- https://nginx.org/en/docs/http/ngx_http_core_module.html#root
- nginx source: `ngx_http_map_uri_to_path`
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
        files.root = m.opts.root.clone();
        let roots = RootIndex::new(m);
        let mut asked = Asked::default();
        let mut doors = Doors::default();
        for (si, s) in m.servers.iter().enumerate() {
            for (li, l) in s.locations.iter().enumerate() {
                let protected =
                    l.settings.asks_password() || l.settings.access.iter().any(|r| !r.allow);
                if !protected
                    || !matches!(l.kind, LocationKind::Prefix | LocationKind::NoRegexPrefix)
                {
                    continue;
                }
                doors_of(ctx, m, (&files, &roots, &mut asked), (si, li), &mut doors);
            }
        }
        for door in doors.list {
            out.push(finding(m, &door));
        }
    }
}

/// One way in (a server, the configuration that answers, the directive that maps the
/// URI) and every protected location whose files it sends, in configuration order.
struct Door {
    way: Way,
    served: Option<Served>,
    /// (server, location, the URI that location protects).
    protected: Vec<(usize, usize, String)>,
}

#[derive(Default)]
struct Doors {
    list: Vec<Door>,
    index: HashMap<(usize, Option<Served>, Span), usize>,
}

impl Doors {
    fn add(&mut self, way: &Way, served: Option<Served>, protected: (usize, usize, String)) {
        let key = (way.server, served, way.directive);
        let i = *self.index.entry(key).or_insert_with(|| {
            self.list.push(Door {
                way: way.clone(),
                served,
                protected: Vec::new(),
            });
            self.list.len() - 1
        });
        self.list[i].protected.push(protected);
    }
}

/// The URIs that send a file without a password, by file: servers sharing a root
/// protect the same files, and each other way is asked once per file, not once per
/// protecting location (1,000 servers sharing one root: 1,000 questions, not 1,000,000).
#[derive(Default)]
struct Asked {
    open: HashMap<PathBuf, Vec<(Way, Option<Served>)>>,
    /// The sample file of each protected directory (many locations serve one).
    samples: HashMap<PathBuf, Option<(String, PathBuf)>>,
}

impl Asked {
    fn sample_file(&mut self, files: &LocalFiles, dir: &Path) -> Option<(String, PathBuf)> {
        self.samples
            .entry(dir.to_path_buf())
            .or_insert_with(|| sample_file(files, dir))
            .clone()
    }

    fn open_ways(
        &mut self,
        ctx: &Context<'_>,
        m: &NginxModel,
        (files, roots): (&LocalFiles, &RootIndex<'_>),
        local: &Path,
    ) -> &[(Way, Option<Served>)] {
        self.open.entry(local.to_path_buf()).or_insert_with(|| {
            reach::ways_to(m, roots, local)
                .into_iter()
                .filter_map(|way| {
                    let e = reach::ask(m, way.server, &way.uri, files, ctx.profile)?;
                    let sends = e.answer.status() == Some(200)
                        && !e.password_checked
                        && e.file
                            .as_deref()
                            .is_some_and(|f| reach::same_file(m, f, local));
                    sends.then_some((way, e.served))
                })
                .collect()
        })
    }
}

/// The findings for protected location `li` of server `si`.
fn doors_of(
    ctx: &Context<'_>,
    m: &NginxModel,
    (files, roots, asked): (&LocalFiles, &RootIndex<'_>, &mut Asked),
    (si, li): (usize, usize),
    doors: &mut Doors,
) {
    let l = &m.servers[si].locations[li];
    let Some(dir) = map_to_path(m, si, Served::Location(li), &l.pattern) else {
        return;
    };
    let Some((name, file)) = asked.sample_file(files, &dir) else {
        return;
    };
    let base = if l.pattern.ends_with('/') {
        l.pattern.clone()
    } else {
        format!("{}/", l.pattern)
    };
    let own_uri = format!("{base}{name}");
    // Only places that do protect this file from such a request.
    match reach::ask(m, si, &own_uri, files, ctx.profile) {
        Some(e) if e.answer.status() == Some(200) && !e.password_checked => return,
        None => return,
        _ => {}
    }
    let local = m.local(&file);
    let mut reported: HashSet<(usize, Option<Served>)> = HashSet::new();
    for (way, served) in asked.open_ways(ctx, m, (files, roots), &local) {
        if way.server == si && way.uri == own_uri {
            continue;
        }
        if reported.insert((way.server, *served)) {
            doors.add(way, *served, (si, li, own_uri.clone()));
        }
    }
}

/// A file of the protected directory to ask about (not a dotfile when there is
/// another), as (name, server path).
fn sample_file(files: &LocalFiles, dir: &Path) -> Option<(String, PathBuf)> {
    let names = files.list(dir);
    let regular =
        |n: &&String| matches!(files.state(&dir.join(n.as_str())), FileState::File { .. });
    let name = names
        .iter()
        .filter(|n| !n.starts_with('.'))
        .find(regular)
        .or_else(|| names.iter().find(regular))?;
    Some((name.clone(), dir.join(name)))
}

fn finding(m: &NginxModel, door: &Door) -> Diagnostic {
    let way = &door.way;
    let (si, li, own_uri) = &door.protected[0];
    let protected = &m.servers[*si].locations[*li];
    let door_server = &m.servers[way.server];
    let how = match way.via {
        Via::Root => "its root contains the protected directory",
        Via::Alias => "an alias maps it onto the protected directory",
        Via::AliasParent => {
            "`..` after an alias whose location has no trailing slash reaches the alias's parent directory"
        }
    };
    let help = match way.via {
        Via::AliasParent => {
            "end the location with a slash as its alias does (`location /static/ { alias …/; }`)"
                .to_string()
        }
        _ => format!(
            "protect `{}` in {} as well (the same auth_basic / allow / deny), or serve it from a root that does not contain the protected directory",
            protected.pattern,
            door_server.describe()
        ),
    };
    let more = match door.protected.len() {
        1 => String::new(),
        n => format!(" (and the files of {} more protected locations)", n - 1),
    };
    let mut d = diag(
        &RULE.info,
        way.directive,
        format!(
            "GET {} on {} from any address: 200 without a password ({}); {how}, while {} asks for one for {own_uri}{more}",
            way.uri,
            door_server.describe(),
            reach::served_text(m, way.server, door.served),
            reach::served_text(m, *si, Some(Served::Location(*li))),
        ),
    )
    .label(format!("maps {} to a protected file", way.uri))
    .help(help);
    for (si, li, own_uri) in door.protected.iter().take(3) {
        let settings = &m.servers[*si].locations[*li].settings;
        let guard = settings
            .auth_basic
            .as_ref()
            .map(|a| a.directive)
            .or_else(|| settings.access.iter().find(|r| !r.allow).map(|r| r.span));
        if let Some(span) = guard {
            d = d.with_secondary(span, format!("protects {own_uri} only here"));
        }
    }
    d
}
