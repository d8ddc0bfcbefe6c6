//! `htguard why URL [PATHS...]`: what the configured servers answer one request, and why.

use super::check::{ColorChoice, parse_kind};
use super::exit;
use super::user::input::{CheckPasswordArgs, check_password};
use crate::check::CheckOptions;
use crate::check::kind::InputKind;
use crate::check::why::{self, WhyOptions};
use crate::model::LoadOptions;
use crate::model::request::Verdict;
use crate::model::request::{Credentials, Request, Scheme};
use crate::report::why::{self as view, Shown, render_human, render_json};
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Output format of `why`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The chain of decisions, with the deciding line drawn.
    Human,
    /// A stable, versioned JSON document.
    Json,
}

/// Arguments of `htguard why`.
#[derive(Debug, clap::Args)]
pub struct WhyArgs {
    /// The request's URL: http[s]://HOST[:PORT]/PATH[?QUERY]. HOST is sent as the Host
    /// header; the connection goes to PORT.
    pub url: String,

    /// Configurations to ask, as for `check` [default: /etc/apache2, /etc/httpd, /etc/nginx, those that exist].
    pub paths: Vec<PathBuf>,

    /// The request method.
    #[arg(long, default_value = "GET")]
    pub method: String,

    /// Log in as this user (the password comes from --password-stdin, --password-file or a prompt).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Read the password from the first line of standard input.
    #[arg(long, requires = "user", conflicts_with = "password_file")]
    pub password_stdin: bool,

    /// Read the password from the first line of FILE.
    #[arg(long, value_name = "FILE", requires = "user")]
    pub password_file: Option<PathBuf>,

    /// The client's address.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub from: IpAddr,

    /// Connect to ADDR for HOST:PORT (like curl --resolve) [default: HOST if it is an
    /// address, else 127.0.0.1].
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Treat every given path as this kind instead of detecting it.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<InputKind>,

    /// An Apache main config (httpd.conf / apache2.conf) to start from.
    #[arg(long, value_name = "FILE")]
    pub apache_config: Vec<PathBuf>,

    /// An nginx main config (nginx.conf) to start from.
    #[arg(long, value_name = "FILE")]
    pub nginx_config: Vec<PathBuf>,

    /// Look up every absolute path of a config under DIR (staging tree, image rootfs, checkout).
    #[arg(long, value_name = "DIR", help_heading = "Server")]
    pub root: Option<PathBuf>,

    /// Override Apache's ServerRoot.
    #[arg(long, value_name = "DIR", help_heading = "Server")]
    pub server_root: Option<PathBuf>,

    /// nginx's prefix (where relative paths of nginx.conf start).
    #[arg(long, value_name = "DIR", help_heading = "Server")]
    pub prefix: Option<PathBuf>,

    /// The server's worker user, for readability [default: from the config, else www-data].
    #[arg(long, value_name = "USER", help_heading = "Server")]
    pub server_user: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("htguard why: error: {message}");
    exit::ERROR
}

pub fn run(args: WhyArgs) -> i32 {
    let request = match request(&args) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let opts = WhyOptions {
        inputs: CheckOptions {
            paths: args.paths.clone(),
            kind: args.kind,
            apache_configs: args.apache_config.clone(),
            nginx_configs: args.nginx_config.clone(),
            load: LoadOptions {
                root: args.root.clone().filter(|r| r != Path::new("/")),
                server_root: args.server_root.clone(),
                nginx_prefix: args.prefix.clone(),
                server_user: args.server_user.clone(),
            },
            ..CheckOptions::default()
        },
        request,
    };
    let outcome = match why::run(&opts) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let shown: Vec<Shown<'_>> = outcome.answers.iter().map(shown).collect();
    let text = match args.format {
        Format::Json => render_json(&outcome.sources, &shown),
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            render_human(
                &outcome.sources,
                &describe(&opts.request),
                &shown,
                color,
                100,
            )
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    exit::OK
}

/// An answer as the renderers take it.
fn shown(a: &why::WhyAnswer) -> Shown<'_> {
    let verdict = match &a.answer.verdict {
        Verdict::Status(s) => view::Verdict::Status(*s),
        Verdict::DoesNotStart => view::Verdict::DoesNotStart,
        Verdict::NoListener => view::Verdict::NoListener,
        Verdict::Depends { on, status } => view::Verdict::Depends {
            on,
            status: *status,
        },
    };
    Shown {
        server: a.server,
        config: &a.config,
        verdict,
        steps: a
            .answer
            .steps
            .iter()
            .map(|s| view::Step {
                what: &s.what,
                span: s.span,
                line_in: s.line_in.as_ref().map(|l| (l.path.as_path(), l.line)),
            })
            .collect(),
        decided_by: a.answer.decided_by,
        advice: a.advice.as_deref(),
    }
}

/// `GET http://h:80/x from 127.0.0.1 as alice` (never the password).
fn describe(r: &Request) -> String {
    let scheme = match r.scheme {
        Scheme::Http => "http",
        Scheme::Https => "https",
    };
    let who = match &r.credentials {
        Some(c) => format!("as {}", c.user),
        None => "without credentials".into(),
    };
    format!(
        "{} {scheme}://{}:{}{} from {} to {} {who}",
        r.method, r.host, r.port, r.target, r.client, r.local_addr
    )
}

/// The request the arguments describe.
fn request(args: &WhyArgs) -> Result<Request, String> {
    let url = parse_url(&args.url)?;
    let local_addr = connect_address(&url.host, url.port, &args.resolve)?;
    let credentials = match &args.user {
        Some(user) => {
            let source = CheckPasswordArgs {
                stdin: args.password_stdin,
                password_file: args.password_file.clone(),
            };
            Some(Credentials {
                user: user.clone(),
                password: check_password(&source, user)?,
            })
        }
        None => None,
    };
    Ok(Request {
        method: args.method.clone(),
        scheme: url.scheme,
        host: url.host,
        port: url.port,
        local_addr,
        target: url.target,
        client: args.from,
        credentials,
    })
}

/// The parts of a request URL.
#[derive(Debug, PartialEq, Eq)]
struct Url {
    scheme: Scheme,
    host: String,
    port: u16,
    target: String,
}

fn parse_url(url: &str) -> Result<Url, String> {
    let (scheme, rest) = if let Some(r) = url.strip_prefix("http://") {
        (Scheme::Http, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (Scheme::Https, r)
    } else {
        return Err(format!(
            "{url}: the URL must start with http:// or https://"
        ));
    };
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let target = target.split('#').next().unwrap_or("/").to_string();
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("{url}: unclosed [ in the host"))?;
        (format!("[{h}]"), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(format!("{url}: no host"));
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("{url}: {p} is not a port"))?,
        None => scheme.default_port(),
    };
    Ok(Url {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        target,
    })
}

/// Where the client connects: `--resolve` for this host and port, the host itself when
/// it is an address, else 127.0.0.1.
fn connect_address(host: &str, port: u16, resolve: &[String]) -> Result<IpAddr, String> {
    for r in resolve {
        let mut parts = r.splitn(3, ':');
        let (Some(h), Some(p), Some(a)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("--resolve {r}: expected HOST:PORT:ADDR"));
        };
        let addr: IpAddr = a
            .trim_matches(['[', ']'])
            .parse()
            .map_err(|_| format!("--resolve {r}: {a} is not an address"))?;
        if h.eq_ignore_ascii_case(host) && p.parse::<u16>().ok() == Some(port) {
            return Ok(addr);
        }
    }
    Ok(host
        .trim_matches(['[', ']'])
        .parse()
        .unwrap_or(IpAddr::from([127, 0, 0, 1])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        let u = parse_url("https://Shop.Example.com/admin/?x=1#frag").unwrap();
        assert_eq!(u.scheme, Scheme::Https);
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("shop.example.com", 443, "/admin/?x=1")
        );
        let u = parse_url("http://127.0.0.1:8080").unwrap();
        assert_eq!((u.port, u.target.as_str()), (8080, "/"));
        let u = parse_url("http://[::1]:81/x").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("[::1]", 81));
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("http://x:99999/").is_err());
    }

    #[test]
    fn resolve_picks_the_address() {
        let r = vec!["shop.example.com:443:10.0.0.5".to_string()];
        assert_eq!(
            connect_address("shop.example.com", 443, &r),
            Ok("10.0.0.5".parse().unwrap())
        );
        assert_eq!(
            connect_address("shop.example.com", 80, &r),
            Ok("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            connect_address("[::1]", 80, &[]),
            Ok("::1".parse().unwrap())
        );
    }
}
