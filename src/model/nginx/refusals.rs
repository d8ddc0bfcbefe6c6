//! What nginx refuses after reading the directives (`nginx -t` fails, the server does
//! not start): a location inside an exact or named one, a named location below the
//! server level, a nested prefix location outside its parent
//! (`ngx_http_core_location`), two exact or two prefix locations with one name at one
//! level (`ngx_http_join_exact_locations`: "duplicate location"), two
//! `default_server` listens on one address (`ngx_http_add_addresses`).

use super::request::select::listen_socket;
use super::{Location, LocationKind, Problem, ProblemKind, VirtualServer};
use crate::source::{Sources, Span};
use crate::syntax::nginx::on_line_of;
use std::collections::{HashMap, HashSet};

/// Every refusal of the built servers, in configuration order.
pub fn refusals(servers: &[VirtualServer], sources: &Sources) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in servers {
        nesting(s, sources, &mut out);
        duplicates(s, sources, &mut out);
    }
    default_servers(servers, sources, &mut out);
    out
}

/// Where nginx reports a location: the line of its `{` (from `location` when that is
/// on the same line).
fn location_at(l: &Location, sources: &Sources) -> Span {
    on_line_of(l.span, l.open, &sources.get(l.span.file).bytes)
}

fn refused(span: crate::source::Span, message: String) -> Problem {
    Problem {
        kind: ProblemKind::Refused,
        span,
        message,
    }
}

fn nesting(s: &VirtualServer, sources: &Sources, out: &mut Vec<Problem>) {
    for l in &s.locations {
        let Some(p) = l.parent else { continue };
        let parent = &s.locations[p];
        let message = match (parent.kind, l.kind) {
            (LocationKind::Exact, _) => format!(
                "location \"{}\" cannot be inside the exact location \"{}\"",
                l.pattern, parent.pattern
            ),
            (LocationKind::Named, _) => format!(
                "location \"{}\" cannot be inside the named location \"{}\"",
                l.pattern, parent.pattern
            ),
            (_, LocationKind::Named) => {
                format!(
                    "named location \"{}\" can be on the server level only",
                    l.pattern
                )
            }
            (
                LocationKind::Prefix | LocationKind::NoRegexPrefix,
                LocationKind::Prefix | LocationKind::NoRegexPrefix | LocationKind::Exact,
            ) if !l.pattern.starts_with(parent.pattern.as_str()) => {
                format!(
                    "location \"{}\" is outside location \"{}\"",
                    l.pattern, parent.pattern
                )
            }
            _ => continue,
        };
        out.push(refused(location_at(l, sources), message));
    }
}

fn duplicates(s: &VirtualServer, sources: &Sources, out: &mut Vec<Problem>) {
    let levels = std::iter::once(&s.top_level).chain(s.locations.iter().map(|l| &l.children));
    for level in levels {
        let mut seen: HashSet<(bool, &str)> = HashSet::new();
        for &i in &level.in_file_order {
            let l = &s.locations[i];
            let exact = match l.kind {
                LocationKind::Exact => true,
                LocationKind::Prefix | LocationKind::NoRegexPrefix => false,
                _ => continue,
            };
            if !seen.insert((exact, l.pattern.as_str())) {
                out.push(refused(
                    location_at(l, sources),
                    format!("duplicate location \"{}\"", l.pattern),
                ));
            }
        }
    }
}

fn default_servers(servers: &[VirtualServer], sources: &Sources, out: &mut Vec<Problem>) {
    let mut seen: HashMap<(u16, Option<std::net::IpAddr>, bool), ()> = HashMap::new();
    for s in servers {
        for l in s.listens.iter().filter(|l| l.default_server) {
            let Some((addr, v6, port)) = listen_socket(l) else {
                continue;
            };
            if seen.insert((port, addr, v6), ()).is_some() {
                // nginx names the line of the listen's `;`.
                let at = l.span.map_or(s.span, |span| {
                    let end = Span::new(span.file, span.end.saturating_sub(1), span.end);
                    on_line_of(span, end, &sources.get(span.file).bytes)
                });
                out.push(refused(
                    at,
                    format!("a duplicate default server for {}", l.address),
                ));
            }
        }
    }
}
