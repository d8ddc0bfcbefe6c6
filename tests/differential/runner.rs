//! The oracle: start the real server once for a setup, send every request, record
//! what came back. A config that does not start is an observation too.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use regex::Regex;

use super::render::{build_site, config_name, config_text, fill_site};
use super::tree::{PortSlot, Request, ServerKind, Setup};
use crate::common::{Apache, Exchange, Nginx, NoAnswer, Site, send_exchange, spare_port};

/// What a real server (or `why`) says about one request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Status(u16),
    /// The config stops the server from starting.
    DoesNotStart,
    /// Nothing listens on the request's address and port.
    NoListener,
    /// The request failed otherwise (the harness's problem, not an answer).
    Failed(String),
}

impl Outcome {
    pub fn status(&self) -> Option<u16> {
        match self {
            Outcome::Status(s) => Some(*s),
            _ => None,
        }
    }

    /// `401`, `does-not-start`, `no-listener`, `failed`.
    pub fn label(&self) -> String {
        match self {
            Outcome::Status(s) => s.to_string(),
            Outcome::DoesNotStart => "does-not-start".into(),
            Outcome::NoListener => "no-listener".into(),
            Outcome::Failed(_) => "failed".into(),
        }
    }

    /// The inverse of [`Outcome::label`] (a failure's cause is not kept).
    pub fn from_label(label: &str) -> Option<Outcome> {
        match label {
            "does-not-start" => Some(Outcome::DoesNotStart),
            "no-listener" => Some(Outcome::NoListener),
            "failed" => Some(Outcome::Failed(String::new())),
            n => n.parse().ok().map(Outcome::Status),
        }
    }
}

/// The two ports of a run.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    pub port: u16,
    pub port2: u16,
}

impl Ports {
    pub fn of(&self, slot: PortSlot) -> u16 {
        match slot {
            PortSlot::Port => self.port,
            PortSlot::Port2 => self.port2,
        }
    }

    /// `{port}`, `{port2}` and `{site}` filled in.
    pub fn fill(&self, text: &str, site: &Site) -> String {
        fill_site(text, site)
            .replace("{port2}", &self.port2.to_string())
            .replace("{port}", &self.port.to_string())
    }
}

/// One setup's site (kept for `why`), its config file, ports, and every outcome.
pub struct Observed {
    pub site: Site,
    pub config: PathBuf,
    pub ports: Ports,
    pub outcomes: Vec<Outcome>,
    /// The error-log lines each request added (empty when the server did not start).
    pub logs: Vec<String>,
    /// Why the server did not start (its logs), when it did not.
    pub start_failure: Option<String>,
}

/// Builds the site, starts the server, sends `requests` in order, stops the server.
pub fn observe(setup: &Setup, requests: &[Request]) -> Observed {
    let site = Site::new();
    build_site(setup, &site);
    observe_in(site, setup.server, &config_text(setup), requests)
}

/// Starts `server` with the config `text` (placeholders kept) in a site whose files
/// are written, sends `requests` in order, stops the server.
pub fn observe_in(site: Site, server: ServerKind, text: &str, requests: &[Request]) -> Observed {
    let config = site.path(config_name(server));
    let mut attempt = 0;
    let started = loop {
        attempt += 1;
        let port2 = spare_port();
        let conf = text.replace("{port2}", &port2.to_string());
        let result = match server {
            ServerKind::Apache => Apache::try_start_raw(&site, &conf),
            ServerKind::Nginx => Nginx::try_start_raw(&site, &conf),
        };
        match result {
            Err(e) if e.contains("Address already in use") && attempt < 4 => continue,
            other => break other.map(|server| (server, port2)),
        }
    };
    match started {
        Ok((server, port2)) => {
            let ports = Ports {
                port: server.port(),
                port2,
            };
            let error_log = site.path("error.log");
            let mut outcomes = Vec::new();
            let mut logs = Vec::new();
            for request in requests {
                let before = std::fs::metadata(&error_log).map_or(0, |m| m.len());
                outcomes.push(ask(ports, request));
                logs.push(log_since(&error_log, before));
            }
            drop(server);
            Observed {
                site,
                config,
                ports,
                outcomes,
                logs,
                start_failure: None,
            }
        }
        Err(failure) => {
            // `why` reads the config as written; give it ports of its own.
            let ports = Ports {
                port: spare_port(),
                port2: spare_port(),
            };
            std::fs::write(&config, ports.fill(text, &site))
                .unwrap_or_else(|e| panic!("write {}: {e}", config.display()));
            Observed {
                site,
                config,
                ports,
                outcomes: vec![Outcome::DoesNotStart; requests.len()],
                logs: vec![String::new(); requests.len()],
                start_failure: Some(failure),
            }
        }
    }
}

fn ask(ports: Ports, request: &Request) -> Outcome {
    let addr = |text: &str| -> IpAddr {
        text.parse()
            .unwrap_or_else(|e| panic!("bad address {text:?}: {e}"))
    };
    let port = ports.of(request.port);
    let host = format!("{}:{port}", request.host);
    let exchange = Exchange {
        from: addr(&request.from),
        to: SocketAddr::new(addr(&request.to), port),
        method: &request.method,
        host: &host,
        path: &request.path,
        login: request.login(),
    };
    match send_exchange(&exchange) {
        Ok(response) => Outcome::Status(response.status),
        Err(NoAnswer::Refused) => Outcome::NoListener,
        Err(NoAnswer::Failed(cause)) => Outcome::Failed(cause),
    }
}

/// The server's reason in a start failure, without paths and numbers.
pub fn start_cause(failure: &str) -> String {
    let lines: Vec<&str> = failure.lines().collect();
    let cause = lines
        .iter()
        .position(|l| l.contains("Syntax error on line"))
        .and_then(|i| lines.get(i + 1))
        .or_else(|| lines.iter().find(|l| l.contains("[emerg]")))
        .or_else(|| lines.iter().find(|l| l.contains("AH0")))
        .or_else(|| lines.iter().rev().find(|l| !l.trim().is_empty()))
        .copied()
        .unwrap_or("(no message)");
    let cause = cause.split("[emerg]").last().unwrap_or(cause);
    let cause = Regex::new(r"/tmp/htguard-site-[^/ ]*|\d+").map_or(cause.to_owned(), |re| {
        re.replace_all(cause, "#").into_owned()
    });
    cause.trim().chars().take(140).collect()
}

/// What the file at `path` gained after its first `from` bytes.
fn log_since(path: &std::path::Path, from: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path)
        && file.seek(SeekFrom::Start(from)).is_ok()
    {
        let _ = file.read_to_string(&mut text);
    }
    text
}

/// The kinds of messages in a request's error-log lines, without paths, addresses and
/// numbers: Apache's AH codes, nginx's messages. Shrinking keeps them, so that a smaller
/// config that fails for another reason does not pass for the original failure.
pub fn log_signature(log: &str) -> Vec<String> {
    let mut kinds: Vec<String> = log
        .lines()
        // Start-up notices may land in the first request's share of the log.
        .filter(|line| !line.contains(":notice]") && !line.contains("[notice]"))
        .filter_map(|line| {
            if let Some(i) = line.find(" AH") {
                return Some(line[i + 1..].split(':').next().unwrap_or("").to_owned());
            }
            let (_, message) = line.split_once(" *")?;
            let message = message.split_once(' ').map_or(message, |(_, m)| m);
            let message = message.split(", client:").next().unwrap_or(message);
            Regex::new(r#""[^"]*"|\d+"#)
                .ok()
                .map(|re| re.replace_all(message, "#").into_owned())
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}
