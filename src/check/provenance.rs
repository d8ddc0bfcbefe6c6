//! Why each file of a run was read (`--verbose`, the JSON report's `inputs`): a starting
//! point and why it was taken, a config file and the `Include` that read it, a
//! `.htaccess` and what `AllowOverride` does with it, a password file and the directive
//! that names it.

use super::canonical;
use super::discover::Candidate;
use crate::model::apache::{ApacheModel, HtaccessVerdict, ScopeKind};
use crate::model::nginx::NginxModel;
use crate::model::{PasswdRole, PasswdUse, UnreadableFile};
use crate::rules::PasswdInput;
use crate::source::{FileId, Provenance, Sources, Span};
use crate::syntax::passwd::FileKind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Every file in `sources`, in reading order, with why it was read.
pub fn explain(
    candidates: &[Candidate],
    apache: &[ApacheModel],
    nginx: &[NginxModel],
    passwd: &[PasswdInput],
    unreadable: &[UnreadableFile],
    sources: &Sources,
) -> Vec<Provenance> {
    // Candidates are few, the files read many: the candidates are keyed by how they were
    // named and by their canonical path, the files by their absolute path only (a
    // canonical path per file read cost a readlink per component: 86,000 on the
    // 1,000-vhost bench tree).
    let mut by_path: HashMap<PathBuf, &Candidate> = HashMap::new();
    for c in candidates {
        by_path.insert(canonical(&c.path), c);
        by_path.insert(absolute(&c.path), c);
    }
    let mut known: HashMap<FileId, (String, String)> = HashMap::new();
    let at = |span: Span| {
        let f = sources.get(span.file);
        format!("{}:{}", f.path.display(), f.line_col(span.start).0)
    };
    for p in passwd {
        if let Some(first) = p.uses.first() {
            known.insert(p.file, (passwd_kind(p), named_by(first, &p.uses, at)));
        }
    }
    for u in unreadable {
        if let Some(found) = &u.found {
            let why = format!("{}; it could not be read", found.why);
            known.insert(found.file, ("unreadable".into(), why));
        }
    }
    for m in apache {
        for (_, id) in &m.files {
            if let Some(span) = m.included_by.get(id) {
                let why = format!("included by the Apache config at {}", at(*span));
                known.entry(*id).or_insert(("apache-snippet".into(), why));
            }
        }
        for (i, s) in m.scopes.iter().enumerate() {
            if s.kind == ScopeKind::Htaccess && s.parent.is_none() {
                let why = htaccess_why(&s.pattern, m.htaccess_verdicts[i].as_ref());
                known.entry(s.file).or_insert(("htaccess".into(), why));
            }
        }
    }
    for m in nginx {
        for path in m.files.iter().skip(1) {
            if let Some(id) = sources.find(path) {
                let why = format!("included by the nginx config {}", m.conf_path.display());
                known.entry(id).or_insert(("nginx-snippet".into(), why));
            }
        }
    }
    sources
        .iter()
        .map(|(id, f)| {
            let (kind, why) = match by_path.get(&absolute(&f.path)) {
                Some(c) => (c.kind.name().to_string(), c.why.clone()),
                None => known.remove(&id).unwrap_or_else(|| {
                    let assumed = f.path.to_string_lossy().starts_with('(');
                    let why = if assumed {
                        "not a file: configuration htguard assumes around the files checked"
                    } else {
                        "read while loading the configuration"
                    };
                    let kind = if assumed { "assumed" } else { "config" };
                    (kind.to_string(), why.to_string())
                }),
            };
            Provenance {
                file: id,
                kind,
                why,
            }
        })
        .collect()
}

fn passwd_kind(p: &PasswdInput) -> String {
    match p.parsed.kind() {
        FileKind::Digest => "htdigest",
        FileKind::Group => "htgroup",
        _ if p.uses.iter().all(|u| u.role == PasswdRole::Group) => "htgroup",
        _ if p.uses.iter().all(|u| u.role == PasswdRole::Digest) => "htdigest",
        _ => "htpasswd",
    }
    .to_string()
}

fn named_by(first: &PasswdUse, uses: &[PasswdUse], at: impl Fn(Span) -> String) -> String {
    let what = match first.role {
        PasswdRole::Basic => "users",
        PasswdRole::Digest => "digest users",
        PasswdRole::Group => "groups",
    };
    let more = match uses.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    format!(
        "{} reads its {what} from it: named at {}{more}",
        first.server.as_str(),
        at(first.directive)
    )
}

fn htaccess_why(dir: &str, verdict: Option<&HtaccessVerdict>) -> String {
    let what = match verdict {
        Some(HtaccessVerdict::Applied) => "AllowOverride lets httpd read it",
        Some(HtaccessVerdict::Ignored { .. }) => "AllowOverride None: httpd ignores it",
        Some(HtaccessVerdict::Broken { .. }) => "httpd reads it and refuses it (500)",
        None => "no request reaches it",
    };
    format!("the .htaccess of {dir}, under a document root: {what}")
}
