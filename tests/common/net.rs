//! Requests from a chosen client address to a chosen server address and port with any
//! Host header: what reaching IP- and name-based virtual hosts, and testing `Require ip`
//! or `allow` against another loopback address (127.0.0.2), needs. A login answers a
//! Digest challenge as a browser does, so one call covers Basic and Digest areas.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Socket, Type};

use super::Response;
use super::http::{
    basic_authorization, md5_hex, parse_auth_params, parse_response, strip_prefix_ci,
};

const IO_TIMEOUT: Duration = Duration::from_secs(15);

/// One request as a client sends it.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The client's (source) address, e.g. 127.0.0.2.
    pub from: IpAddr,
    /// Where the connection goes.
    pub to: SocketAddr,
    pub method: &'a str,
    /// The Host header, sent as is.
    pub host: &'a str,
    /// The request target, sent as is (no normalisation: `..` and `%2e` stay).
    pub path: &'a str,
    /// User and password: sent as Basic, and again as Digest when the server asks for it.
    pub login: Option<(&'a str, &'a str)>,
}

/// Why no HTTP answer came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnswer {
    /// Nothing listens on that address and port.
    Refused,
    /// Anything else (reset, timeout, unparsable answer), with the cause.
    Failed(String),
}

/// A port nobody listens on right now, never handed out before in this process (for a
/// second `Listen`/`listen` beside the harness's `{port}`).
pub fn spare_port() -> u16 {
    super::process::free_port()
}

/// Sends `ex` (HTTP/1.1, `Connection: close`) and reads the answer; a 401 with a Digest
/// challenge is answered once with Digest credentials (RFC 2617, MD5, qop=auth).
pub fn send_exchange(ex: &Exchange<'_>) -> Result<Response, NoAnswer> {
    let first_auth = ex
        .login
        .map(|(user, password)| basic_authorization(user, password));
    let first = send_once(ex, first_auth.as_deref())?;
    let Some((user, password)) = ex.login else {
        return Ok(first);
    };
    if first.status != 401 {
        return Ok(first);
    }
    let Some(challenge) = first
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
        .find_map(|(_, v)| strip_prefix_ci(v.trim(), "Digest "))
    else {
        return Ok(first);
    };
    let auth = digest_authorization(ex.method, ex.path, user, password, challenge);
    send_once(ex, Some(&auth))
}

fn send_once(ex: &Exchange<'_>, authorization: Option<&str>) -> Result<Response, NoAnswer> {
    let mut stream = connect(ex.from, ex.to)?;
    let mut req = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: htguard-tests\r\n",
        ex.method, ex.path, ex.host
    );
    if !matches!(ex.method, "GET" | "HEAD") {
        req.push_str("Content-Length: 0\r\n");
    }
    if let Some(auth) = authorization {
        req.push_str(&format!("Authorization: {auth}\r\n"));
    }
    req.push_str("\r\n");
    let failed = |what: &str, e: io::Error| NoAnswer::Failed(format!("{what} {}: {e}", ex.to));
    stream
        .write_all(req.as_bytes())
        .map_err(|e| failed("send to", e))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| failed("read from", e))?;
    parse_response(&raw).map_err(|e| {
        NoAnswer::Failed(format!(
            "unparsable answer from {} ({e}): {:?}",
            ex.to,
            String::from_utf8_lossy(&raw)
        ))
    })
}

/// A TCP connection from `from` (any free source port) to `to`.
fn connect(from: IpAddr, to: SocketAddr) -> Result<TcpStream, NoAnswer> {
    let failed = |what: &str, e: io::Error| NoAnswer::Failed(format!("{what}: {e}"));
    let socket = Socket::new(Domain::for_address(to), Type::STREAM, None)
        .map_err(|e| failed("socket", e))?;
    socket
        .bind(&SocketAddr::new(from, 0).into())
        .map_err(|e| failed(&format!("bind {from}"), e))?;
    match socket.connect_timeout(&to.into(), IO_TIMEOUT) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Err(NoAnswer::Refused),
        Err(e) => return Err(failed(&format!("connect {to}"), e)),
    }
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
        .map_err(|e| failed("set timeouts", e))?;
    Ok(stream)
}

/// The `Authorization: Digest ...` value answering `challenge` (the text after `Digest `).
fn digest_authorization(
    method: &str,
    uri: &str,
    user: &str,
    password: &str,
    challenge: &str,
) -> String {
    let params = parse_auth_params(challenge);
    let param = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    };
    let realm = param("realm").unwrap_or("");
    let nonce = param("nonce").unwrap_or("");
    let qop_auth = param("qop").is_some_and(|q| q.split(',').any(|q| q.trim() == "auth"));
    let ha1 = md5_hex(format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(format!("{method}:{uri}"));
    let cnonce = &md5_hex(format!("{nonce}{user}{}", std::process::id()))[..16];
    let nc = "00000001";
    let mut auth = format!(
        "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5"
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
    auth
}
