//! Variables nginx evaluates per request: `map` and `set`, and which variables the
//! client controls. Rules use them to tell whether `auth_basic $var` can become `off`.

use crate::source::Span;

/// `map $source $target { ... }`.
#[derive(Clone, Debug)]
pub struct VariableMap {
    pub span: Span,
    pub source: String,
    pub target: String,
    /// Values the map can produce (default included), as written.
    pub values: Vec<(String, Span)>,
    /// The map has a `default` (otherwise unmatched requests get an empty value).
    pub has_default: bool,
    /// Every `key value` line but `default`, in order (`include`s expanded).
    pub entries: Vec<MapEntry>,
    /// The `default` value, if written.
    pub default: Option<MapEntry>,
    /// `hostnames`: keys may be wildcard host names (a trailing dot of the source is dropped).
    pub hostnames: bool,
}

/// One `key value;` line of a `map`.
#[derive(Clone, Debug)]
pub struct MapEntry {
    pub key: String,
    pub value: String,
    pub span: Span,
}

/// `set $var value;`
#[derive(Clone, Debug)]
pub struct SetVariable {
    pub span: Span,
    pub var: String,
    pub value: String,
}

/// Whether a client can set this variable's value directly (headers, query, cookies,
/// the URI, the Host).
pub fn client_controlled(var: &str) -> bool {
    let v = var
        .trim_start_matches('$')
        .trim_start_matches('{')
        .trim_end_matches('}');
    ["http_", "arg_", "cookie_", "sent_http_"]
        .iter()
        .any(|p| v.starts_with(p))
        || matches!(
            v,
            "args"
                | "query_string"
                | "request_uri"
                | "uri"
                | "document_uri"
                | "request_method"
                | "host"
                | "request"
                | "request_body"
                | "content_type"
                | "content_length"
                | "remote_user"
                | "is_args"
        )
}
