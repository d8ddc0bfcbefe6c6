//! nginx's location selection (`ngx_http_core_find_location` and
//! `ngx_http_core_find_static_location` in src/http/ngx_http_core_module.c):
//! at each level an exact `=` match wins outright; otherwise the longest prefix is
//! remembered and its nested locations are searched; then, unless that prefix was
//! `^~`, the level's regex locations are tried in file order and the first match wins
//! (its nested locations searched in turn); else the longest prefix stands.

use super::{LocationKind, Served, VirtualServer};

pub fn find(server: &VirtualServer, uri: &str) -> Served {
    level(server, &server.top_level, uri, Served::Server).0
}

/// Returns the chosen configuration and whether the search is final (nginx's NGX_OK).
fn level(s: &VirtualServer, children: &[usize], uri: &str, current: Served) -> (Served, bool) {
    let locs = &s.locations;
    if let Some(&i) = children
        .iter()
        .find(|&&i| locs[i].kind == LocationKind::Exact && locs[i].pattern == uri)
    {
        return (Served::Location(i), true);
    }
    let mut chosen = current;
    let mut noregex = false;
    let longest = children
        .iter()
        .copied()
        .filter(|&i| locs[i].is_prefix() && uri.starts_with(locs[i].pattern.as_str()))
        .max_by_key(|&i| locs[i].pattern.len());
    if let Some(p) = longest {
        noregex = locs[p].kind == LocationKind::NoRegexPrefix;
        let (inner, done) = level(s, &locs[p].children, uri, Served::Location(p));
        if done {
            return (inner, true);
        }
        chosen = inner;
    }
    if !noregex {
        for &i in children {
            if !matches!(locs[i].kind, LocationKind::Regex { .. }) {
                continue;
            }
            if locs[i].regex.as_ref().is_some_and(|r| r.is_match(uri)) {
                let (inner, _) = level(s, &locs[i].children, uri, Served::Location(i));
                return (inner, true);
            }
        }
    }
    (chosen, false)
}
