//! AP020: a password file inside a DocumentRoot that httpd will serve.

use super::common::{ReportedOnce, diag};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::ApacheModel;
use crate::model::apache::Place;
use crate::rules::{Context, Family, NamedFiles, Rule, RuleInfo};
use std::path::Path;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP020",
        name: "passwd-file-served",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "a password or group file inside a DocumentRoot that anyone can download",
        doc: r#"## What it does
For every AuthUserFile/AuthGroupFile inside a DocumentRoot, replays a GET for its URL through
the sections in effect (`<Directory>`, `<Files ".ht*">`, `<FilesMatch "^\.ht">`, and any
later `<Location>` that overrides them) and reports the file when the request would be served.
The same goes for every other password file htguard reads beside the config (name it on the
command line: a backup `users.bak`, a copy, a file another server uses): a file of hashes
that no directive names is downloaded just the same.

## Why is this bad?
Anyone can download the hashes and crack them offline. The stock configs deny `.ht*` files,
but a file named `passwords` is not covered, a vhost or main config written from scratch
may lack the rule, and a `<Location /> Require all granted` undoes it (sections merge
Directory → Files → Location, the last `Require` wins).

## Example
```apache
DocumentRoot /var/www/html
AuthUserFile /var/www/html/admin/passwords
<Location />
    Require all granted
</Location>
```

## Use instead
Keep password files outside every DocumentRoot:
```apache
AuthUserFile /etc/apache2/passwords
```
or deny them explicitly (and not in a section a later `<Location>` overrides):
```apache
<FilesMatch "^(\.ht|passwords$)">
    Require all denied
</FilesMatch>
```

## References
- https://httpd.apache.org/docs/2.4/sections.html#merging
- https://httpd.apache.org/docs/2.4/howto/auth.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for m in ctx.apache {
        let mut named = NamedFiles::default();
        for (directive, server_path, local_path) in named_files(m) {
            named.insert(&local_path);
            // One finding per file, at the first directive naming it.
            let key = server_path.to_string_lossy().into_owned();
            if !once.first(crate::source::Span::default(), &key) {
                continue;
            }
            if let Some(s) = served(m, &server_path, &local_path) {
                let what = format!("{} is inside DocumentRoot", server_path.display());
                out.push(finding(m, &s, directive, &what, &server_path));
            }
        }
        // Password files of the run that no directive of this config names (a backup, a
        // copy, a file another server uses): served all the same.
        for (input, local) in named.others(ctx) {
            let server_path = m.opts.server_path(&local);
            let key = server_path.to_string_lossy().into_owned();
            if !once.first(crate::source::Span::default(), &key) {
                continue;
            }
            if let Some(s) = served(m, &server_path, &local) {
                let what = format!(
                    "{} holds password hashes and is inside DocumentRoot",
                    server_path.display()
                );
                let at = input.first_entry();
                out.push(finding(m, &s, at, &what, &server_path));
            }
        }
    }
}

/// How httpd serves a file: the server, its DocumentRoot, the URL, and the merged config
/// that decides the GET.
struct Served<'m> {
    server: usize,
    root: &'m Path,
    url: String,
    config: crate::model::apache::merge::MergedConfig,
}

/// The server that answers an anonymous GET for `server_path` with the file, if any.
fn served<'m>(m: &'m ApacheModel, server_path: &Path, local_path: &Path) -> Option<Served<'m>> {
    // Most files live outside every DocumentRoot: decide that before asking the disk.
    let servers = m.index.servers_for_path(server_path);
    let inside_a_root = |&server: &usize| {
        m.document_root(server)
            .is_some_and(|root| server_path.starts_with(root))
    };
    if !servers.iter().any(inside_a_root) || !local_path.is_file() {
        return None;
    }
    for server in servers {
        let Some(root) = m.document_root(server) else {
            continue;
        };
        let Ok(rel) = server_path.strip_prefix(root) else {
            continue;
        };
        let dir = server_path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let name = server_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let url = format!("/{}", rel.to_string_lossy());
        let place = Place {
            server,
            dir: Some(dir),
            file: Some(name),
            url: Some(url.clone()),
            force: None,
            filename: None,
        };
        let config = crate::model::apache::merge::merge_at(m, &place);
        if config.outcome(m, "GET").is_open() {
            return Some(Served {
                server,
                root,
                url,
                config,
            });
        }
    }
    None
}

/// The finding at `at`: `what` says which file it is ("… is inside DocumentRoot").
fn finding(
    m: &ApacheModel,
    s: &Served<'_>,
    at: crate::source::Span,
    what: &str,
    server_path: &Path,
) -> Diagnostic {
    let host = m.servers[s.server]
        .name
        .clone()
        .unwrap_or_else(|| "the server".into());
    let mut d = diag(
        &RULE.info,
        at,
        format!(
            "{what} {} and nothing denies it: GET {} on {host} downloads the hashes (200)",
            s.root.display(),
            s.url
        ),
    )
    .label("served to anyone");
    if let Some((_, Some(span))) = &m.servers[s.server].document_root {
        d = d.with_secondary(*span, "DocumentRoot");
    }
    if let Some(az) = &s.config.authz
        && let Some(&last) = az.scopes.last()
    {
        d = d.with_secondary(m.scopes[last].head, "the Require that decides this URL");
    }
    d.help(format!(
        "move the file out of {} (e.g. /etc/apache2/), or deny it with `<Files \"{}\">` + `Require all denied` and no later `<Location>` granting it",
        s.root.display(),
        server_path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    ))
}

/// The password files the areas name (those `passwd_uses` gives), each distinct argument
/// once, at the first directive naming it: thousands of directives name a few files, so
/// the paths are built once per argument, not once per directive.
fn named_files(
    m: &ApacheModel,
) -> impl Iterator<Item = (crate::source::Span, std::path::PathBuf, std::path::PathBuf)> + '_ {
    let mut seen = foldhash::HashSet::default();
    m.passwd_directives.iter().filter_map(move |&(_, r, _)| {
        let d = &m.dir(r).dir;
        let v = d.arg(0)?;
        if !seen.insert(v) {
            return None;
        }
        let server_path = m.resolve(v);
        let local_path = m.local(&server_path);
        Some((d.args_span(), server_path, local_path))
    })
}
