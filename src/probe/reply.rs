//! One answer as the probe reads it: status, the challenges, and the headers that tell
//! who answered and where it points.

use super::challenge::{self, Challenge};

/// Headers a proxy, cache or CDN adds on the way (a hop between client and server).
pub const PROXY_HEADERS: &[&str] = &[
    "via",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-cache",
    "x-cache-status",
    "x-proxy-cache",
    "x-served-by",
    "x-varnish",
    "cf-ray",
    "x-amz-cf-id",
    "x-azure-ref",
    "x-envoy-upstream-service-time",
    "x-kong-proxy-latency",
    "age",
];

/// The headers the transcript shows, besides the proxy headers: what decides a login.
/// Others (cookies above all) are never shown.
pub const SHOWN_HEADERS: &[&str] = &[
    "www-authenticate",
    "server",
    "location",
    "content-length",
    "content-type",
    "allow",
    "x-powered-by",
];

/// What the server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// `HTTP/1.1`, `HTTP/1.0`.
    pub version: String,
    pub status: u16,
    /// The reason phrase the status usually has (the client does not keep the sent one).
    pub reason: String,
    /// Every header, names lowercase, in the order received per name.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// Every value of header `name` (lowercase).
    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    /// Every `WWW-Authenticate` challenge, over all its header lines.
    pub fn challenges(&self) -> Vec<Challenge> {
        challenge::parse_all(self.all("www-authenticate"))
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    pub fn server(&self) -> Option<&str> {
        self.header("server")
    }

    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }

    /// The proxy headers present, as (name, value).
    pub fn proxy_headers(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .filter(|(n, _)| PROXY_HEADERS.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308) && self.location().is_some()
    }

    /// The headers the transcript shows, in a fixed order.
    pub fn shown_headers(&self) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        for name in SHOWN_HEADERS.iter().chain(PROXY_HEADERS) {
            for v in self.all(name) {
                out.push((*name, v));
            }
        }
        out
    }
}
