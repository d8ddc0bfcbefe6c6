//! nginx's location selection (`ngx_http_core_find_location` and
//! `ngx_http_core_find_static_location` in src/http/ngx_http_core_module.c):
//! at each level an exact `=` match wins outright; otherwise the longest prefix is
//! remembered and its nested locations are searched; then, unless that prefix was
//! `^~`, the level's regex locations are tried in file order and the first match wins
//! (its nested locations searched in turn); else the longest prefix stands.

use super::{LocationKind, LocationLevel, Served, VirtualServer};

pub fn find(server: &VirtualServer, uri: &str) -> Served {
    level(server, &server.top_level, uri, Served::Server).0
}

/// Returns the chosen configuration and whether the search is final (nginx's NGX_OK).
fn level(
    s: &VirtualServer,
    children: &LocationLevel,
    uri: &str,
    current: Served,
) -> (Served, bool) {
    let locs = &s.locations;
    if let Some(i) = children.exact(locs, uri) {
        return (Served::Location(i), true);
    }
    let mut chosen = current;
    let mut noregex = false;
    if let Some(p) = children.longest_prefix(locs, uri) {
        noregex = locs[p].kind == LocationKind::NoRegexPrefix;
        let (inner, done) = level(s, &locs[p].children, uri, Served::Location(p));
        if done {
            return (inner, true);
        }
        chosen = inner;
    }
    if !noregex {
        for &i in &children.regexes {
            if locs[i].regex.as_ref().is_some_and(|r| r.is_match(uri)) {
                let (inner, _) = level(s, &locs[i].children, uri, Served::Location(i));
                return (inner, true);
            }
        }
    }
    (chosen, false)
}
