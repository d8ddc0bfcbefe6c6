//! What an `<IfModule>` block httpd skipped (its module is not loaded) leaves behind: the
//! URLs its access rules covered, and what a request to them gets without the block,
//! asked of the request evaluator (the loaded model is the configuration without it).

use super::area_requests::{ask, local_files};
use crate::model::apache::ApacheModel;
use crate::model::apache::areas::url_for;
use crate::model::apache::request::map::{glob_sample, regex_sample};
use crate::model::request::{FileState, Files};
use crate::source::{Sources, Span};
use crate::syntax::apache::{self as syn, Node, Section};
use std::path::PathBuf;

/// A URL a skipped block restricted that is served without it.
pub struct Exposed {
    pub url: String,
    pub status: u16,
}

/// What the skipped block opening at `open` exposes: Ok(None) when nothing (it restricts
/// nothing, or each URL it covered answers otherwise than 200: a 404 when the block also
/// held what served them), Err(()) when htguard cannot tell which URL it covered.
pub fn exposed(m: &ApacheModel, sources: &Sources, open: Span) -> Result<Option<Exposed>, ()> {
    let parsed = syn::parse(open.file, &sources.get(open.file).bytes);
    let Some((outer, block)) = find(&parsed.nodes, open, Vec::new()) else {
        return Err(());
    };
    let server = outer
        .iter()
        .find_map(|s| m.servers.iter().position(|v| v.span == Some(s.open)))
        .unwrap_or(0);
    let mut targets = Vec::new();
    covered(&block.children, outer.last().copied(), &mut targets);
    if targets.is_empty() {
        return Ok(None);
    }
    let files = local_files(m);
    for section in targets {
        let (server, url, dir) = match section {
            Some(s) => url_of(m, server, s).ok_or(())?,
            None => (server, "/".to_string(), None),
        };
        // The directory itself (an index, a listing), then a file in it: without mod_dir
        // the directory answers 404 while its files are served.
        let first_file = dir.and_then(|d| {
            files
                .list(&d)
                .into_iter()
                .find(|n| matches!(files.state(&d.join(n)), FileState::File { .. }))
        });
        let urls = std::iter::once(url.clone()).chain(first_file.map(|f| format!("{url}{f}")));
        for url in urls {
            let e = ask(m, &files, (server, &url), "GET", None, false).ok_or(())?;
            if let Some(status @ 200) = e.answer.status() {
                return Ok(Some(Exposed { url, status }));
            }
        }
    }
    Ok(None)
}

/// The section opening at `open`, with the sections around it (outermost first).
fn find<'a>(
    nodes: &'a [Node],
    open: Span,
    outer: Vec<&'a Section>,
) -> Option<(Vec<&'a Section>, &'a Section)> {
    for n in nodes {
        let Node::Section(s) = n else { continue };
        if s.open == open {
            return Some((outer, s));
        }
        if s.open.start <= open.start && s.close.is_none_or(|c| c.start >= open.start) {
            let mut inner = outer.clone();
            inner.push(s);
            if let Some(hit) = find(&s.children, open, inner) {
                return Some(hit);
            }
        }
    }
    None
}

/// The sections (None: the server itself) where `nodes` hold a line that restricts
/// access; `around` is the section they sit in.
fn covered<'a>(nodes: &'a [Node], around: Option<&'a Section>, out: &mut Vec<Option<&'a Section>>) {
    let around = around.filter(|s| !s.kind().eq("virtualhost"));
    for n in nodes {
        match n {
            Node::Directive(d) if restricts(d) && !out.contains(&around) => out.push(around),
            Node::Section(s) if is_conditional(s) => covered(&s.children, around, out),
            Node::Section(s) => covered(&s.children, Some(s), out),
            _ => {}
        }
    }
}

fn is_conditional(s: &Section) -> bool {
    matches!(
        s.kind().as_str(),
        "ifmodule"
            | "ifdefine"
            | "ifversion"
            | "ifdirective"
            | "iffile"
            | "limit"
            | "limitexcept"
            | "requireany"
            | "requireall"
            | "requirenone"
    )
}

/// A line that keeps someone out: a login, a Require other than `all granted`, a Deny.
fn restricts(d: &syn::Directive) -> bool {
    let first = d.args.first().map(|a| a.value.to_ascii_lowercase());
    if d.is("AuthType") {
        return first.is_some_and(|t| t != "none");
    }
    if d.is("Require") {
        let words: Vec<String> = d
            .args
            .iter()
            .map(|a| a.value.to_ascii_lowercase())
            .collect();
        return words != ["all", "granted"];
    }
    [
        "AuthUserFile",
        "AuthGroupFile",
        "AuthBasicProvider",
        "AuthDigestProvider",
        "Deny",
    ]
    .iter()
    .any(|n| d.is(n))
}

/// The server, a URL a section stands for and, for a directory, its server path (None:
/// not one htguard can name).
fn url_of(m: &ApacheModel, server: usize, s: &Section) -> Option<(usize, String, Option<PathBuf>)> {
    let arg = s.args.first().map(|a| a.value.as_str())?;
    let regex = s.args.len() > 1 && arg == "~";
    let pattern = if regex { s.args[1].value.as_str() } else { arg };
    match s.kind().as_str() {
        "location" if regex => Some((server, regex_sample(pattern)?, None)),
        "location" => Some((server, glob_sample(pattern), None)),
        "locationmatch" => Some((server, regex_sample(pattern)?, None)),
        "directory" if !regex => {
            let dir = m.resolve(&glob_sample(pattern));
            let server = if server == 0 {
                m.index.server_for_dir(&dir)
            } else {
                server
            };
            Some((server, url_for(m, server, &dir)?, Some(dir)))
        }
        "files" if !regex => Some((server, format!("/{}", glob_sample(pattern)), None)),
        _ => None,
    }
}
