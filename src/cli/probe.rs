//! `htguard probe URL`: send a live server a few listed requests, say which cause of a
//! 401/403/500 the answers show, print, exit (0 clean, 1 findings, 2 could not probe).

use super::check::ColorChoice;
use super::exit;
use super::user::input::{CheckPasswordArgs, check_password};
use crate::check::CheckOptions;
use crate::check::select::parse_level;
use crate::diag::Severity;
use crate::model::LoadOptions;
use crate::model::request::Credentials;
use crate::probe::client::{ClientOptions, Resolve};
use crate::probe::url::Url;
use crate::probe::{self, ConfigOptions, ProbeOptions};
use crate::report::human::HumanOptions;
use crate::report::probe as render;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Output format of `probe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The requests and answers, then each finding drawn over them.
    Human,
    /// A stable, versioned JSON document with every request and answer.
    Json,
    /// SARIF 2.1.0 (the transcript of answers embedded).
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Arguments of `htguard probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The URL to probe: http[s]://HOST[:PORT]/PATH[?QUERY].
    pub url: String,

    /// Log in as this user (the password comes from --password-stdin, --password-file or a
    /// prompt; never from the command line).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Read the password from the first line of standard input.
    #[arg(long, requires = "user", conflicts_with = "password_file")]
    pub password_stdin: bool,

    /// Read the password from the first line of FILE.
    #[arg(long, value_name = "FILE", requires = "user")]
    pub password_file: Option<PathBuf>,

    /// The request method.
    #[arg(long, default_value = "GET")]
    pub method: String,

    /// Connect to ADDR for HOST:PORT, keeping HOST in the request (like curl --resolve).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Accept any TLS certificate (self-signed, expired, another name).
    #[arg(long)]
    pub insecure: bool,

    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,

    /// Hold the answers against these server configurations (files or directories, as for
    /// `check`): each request also goes through the request evaluator, and the findings
    /// name the deciding line (PB002, PB009, PB010).
    #[arg(long, value_name = "PATH", num_args = 1.., help_heading = "Configuration")]
    pub config: Vec<PathBuf>,

    /// With --config: look up every absolute path of the configuration under DIR.
    #[arg(
        long,
        value_name = "DIR",
        requires = "config",
        help_heading = "Configuration"
    )]
    pub root: Option<PathBuf>,

    /// With --config: override Apache's ServerRoot.
    #[arg(
        long,
        value_name = "DIR",
        requires = "config",
        help_heading = "Configuration"
    )]
    pub server_root: Option<PathBuf>,

    /// With --config: nginx's prefix (where relative paths of nginx.conf start).
    #[arg(
        long,
        value_name = "DIR",
        requires = "config",
        help_heading = "Configuration"
    )]
    pub prefix: Option<PathBuf>,

    /// With --config: the server's worker user, for readability [default: from the
    /// config, else www-data].
    #[arg(
        long,
        value_name = "USER",
        requires = "config",
        help_heading = "Configuration"
    )]
    pub server_user: Option<String>,

    /// With --config: the client's address as the server sees it [default: this machine's
    /// address on the route to the server].
    #[arg(
        long,
        value_name = "IP",
        requires = "config",
        help_heading = "Configuration"
    )]
    pub from: Option<std::net::IpAddr>,

    /// The URL must ask for a login: a 2xx without credentials is a finding (PB010).
    #[arg(long)]
    pub expect_login: bool,

    /// Print each request and its answer as it is sent (to standard error).
    #[arg(long, short)]
    pub verbose: bool,

    /// Exit 1 when a finding is at or above this severity [default: error].
    #[arg(long, value_name = "LEVEL", value_parser = ["error", "warning", "info"])]
    pub fail_on: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("htguard probe: error: {message}");
    exit::ERROR
}

pub fn run(args: ProbeArgs) -> i32 {
    let (opts, fail_on) = match options(&args) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let verbose = args.verbose;
    let mut seen = |e: &probe::plan::Exchange| {
        if verbose {
            eprintln!("{}", render::request_line(e));
        }
    };
    let outcome = match probe::run(&opts, &mut seen) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let text = match args.format {
        Format::Human => render::render_human(
            &outcome,
            HumanOptions {
                color: use_color(args.color),
                width: 100,
            },
        ),
        Format::Json => render::render_json(&outcome),
        Format::Sarif => render::render_sarif(&outcome),
        Format::Github => render::render_github(&outcome),
    };
    super::output::print(&text);
    if outcome.diagnostics.iter().any(|d| d.severity >= fail_on) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn options(args: &ProbeArgs) -> Result<(ProbeOptions, Severity), String> {
    let url = Url::parse(&args.url)?;
    let resolve = args
        .resolve
        .iter()
        .map(|r| Resolve::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    if args.timeout == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    if args.method.is_empty()
        || !args
            .method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    {
        return Err(format!("--method {:?} is not an HTTP method", args.method));
    }
    let fail_on = match &args.fail_on {
        Some(s) => parse_level(s)?,
        None => Severity::Error,
    };
    let credentials = match &args.user {
        Some(user) => {
            if user.contains(':') {
                return Err("a user name with `:` cannot log in with Basic auth".into());
            }
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
    Ok((
        ProbeOptions {
            url,
            method: args.method.to_ascii_uppercase(),
            credentials,
            client: ClientOptions {
                timeout: Duration::from_secs(args.timeout),
                insecure: args.insecure,
                resolve,
            },
            expect_login: args.expect_login,
            config: (!args.config.is_empty()).then(|| ConfigOptions {
                inputs: CheckOptions {
                    paths: args.config.clone(),
                    load: LoadOptions {
                        root: args.root.clone().filter(|r| r != Path::new("/")),
                        server_root: args.server_root.clone(),
                        nginx_prefix: args.prefix.clone(),
                        server_user: args.server_user.clone(),
                    },
                    ..CheckOptions::default()
                },
                client: args.from,
            }),
        },
        fail_on,
    ))
}
