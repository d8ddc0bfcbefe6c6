//! A minimal HTTP/1.0 client over std's TcpStream: enough to read status codes,
//! headers and bodies, with Basic and RFC 2617 Digest (MD5, qop=auth) credentials.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine;

use super::Server;

const IO_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names as sent by the server, in order (a name may repeat).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// First header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port(), path)
    }

    /// Status of `GET path`, with Basic credentials when given.
    pub fn get(&self, path: &str, creds: Option<(&str, &str)>) -> u16 {
        self.request("GET", path, creds).status
    }

    /// `method path` with Basic credentials when given.
    pub fn request(&self, method: &str, path: &str, creds: Option<(&str, &str)>) -> Response {
        match creds {
            Some((user, password)) => {
                let auth = basic_authorization(user, password);
                self.request_with_headers(method, path, &[("Authorization", &auth)])
            }
            None => self.request_with_headers(method, path, &[]),
        }
    }

    /// `method path` with extra request headers. A `Host` header given here
    /// replaces the default `127.0.0.1:PORT` (for name-based virtual hosts).
    pub fn request_with_headers(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = format!("{method} {path} HTTP/1.0\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            req.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port()));
        }
        req.push_str("Connection: close\r\nUser-Agent: htguard-tests\r\n");
        if !matches!(method, "GET" | "HEAD")
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        {
            req.push_str("Content-Length: 0\r\n");
        }
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        req.push_str("\r\n");
        let raw = self.exchange(req.as_bytes());
        parse_response(&raw).unwrap_or_else(|e| {
            panic!(
                "{}: unparsable response to {method} {path} ({e}): {:?}",
                self.name,
                String::from_utf8_lossy(&raw)
            )
        })
    }

    /// Status of `GET path` answered with RFC 2617 Digest credentials (MD5,
    /// qop=auth when offered), computed for `realm` exactly as given (so a
    /// realm that differs from the server's AuthName can be tested). Returns the
    /// first response's status when the server does not challenge with Digest.
    pub fn digest_get(&self, path: &str, user: &str, realm: &str, password: &str) -> u16 {
        let first = self.request("GET", path, None);
        if first.status != 401 {
            return first.status;
        }
        let Some(challenge) = first
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
            .find_map(|(_, v)| strip_prefix_ci(v.trim(), "Digest "))
        else {
            return first.status;
        };
        let params = parse_auth_params(challenge);
        let param = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        };
        let nonce = param("nonce").unwrap_or("");
        let qop_auth = param("qop").is_some_and(|q| q.split(',').any(|q| q.trim() == "auth"));
        let ha1 = md5_hex(format!("{user}:{realm}:{password}"));
        let ha2 = md5_hex(format!("GET:{path}"));
        let cnonce = md5_hex(format!(
            "{:?}{}",
            std::time::SystemTime::now(),
            std::process::id()
        ));
        let cnonce = &cnonce[..16];
        let nc = "00000001";
        let mut auth = format!(
            "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{path}\", algorithm=MD5"
        );
        let response = if qop_auth {
            auth.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
            md5_hex(format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
        } else {
            md5_hex(format!("{ha1}:{nonce}:{ha2}"))
        };
        auth.push_str(&format!(", response=\"{response}\""));
        if let Some(opaque) = param("opaque") {
            auth.push_str(&format!(", opaque=\"{opaque}\""));
        }
        self.request_with_headers("GET", path, &[("Authorization", &auth)])
            .status
    }

    fn exchange(&self, request: &[u8]) -> Vec<u8> {
        let what = format!("{} on port {}", self.name, self.port());
        let mut stream = TcpStream::connect(("127.0.0.1", self.port()))
            .unwrap_or_else(|e| panic!("connect to {what}: {e}"));
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .expect("set read timeout");
        stream
            .set_write_timeout(Some(IO_TIMEOUT))
            .expect("set write timeout");
        stream
            .write_all(request)
            .unwrap_or_else(|e| panic!("send request to {what}: {e}"));
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .unwrap_or_else(|e| panic!("read response from {what}: {e}"));
        raw
    }
}

pub(crate) fn basic_authorization(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

pub(super) fn md5_hex(data: impl AsRef<[u8]>) -> String {
    format!("{:x}", md5::compute(data))
}

pub(super) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `k=v, k="v, with comma"` → pairs (quotes removed, `\x` unescaped).
pub(super) fn parse_auth_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',')).collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            if chars.next_if_eq(&'"').is_some() {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => value.extend(chars.next()),
                        c => value.push(c),
                    }
                }
            } else {
                value = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect();
            }
        }
        out.push((key.trim().to_owned(), value.trim().to_owned()));
    }
    out
}

pub(super) fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|e| e.to_string())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("empty response")?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size_text = std::str::from_utf8(&data[..eol]).map_err(|e| e.to_string())?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|e| e.to_string())?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = data.get(..size).ok_or("short chunk")?;
        out.extend_from_slice(chunk);
        data = data.get(size + 2..).ok_or("short chunk")?;
    }
}
