//! `htguard check`: flags and `htguard.toml` → [`CheckOptions`], run the engine,
//! render, apply fixes, exit.

use super::exit;
use crate::check::kind::InputKind;
use crate::check::progress::ProgressHook;
use crate::check::select::{self, Selector, Settings};
use crate::check::{self, CheckOptions, CheckOutcome, fix};
use crate::config::{self, FileConfig};
use crate::diag::Severity;
use crate::model::LoadOptions;
use crate::report::{self, Findings, human::HumanOptions};
use crate::target::Profile;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help (miette).
    Human,
    /// A stable, versioned JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// GitLab Code Quality report (`artifacts: reports: codequality:`).
    Gitlab,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    Always,
    Never,
}

/// Arguments of `htguard check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check [default: /etc/apache2, /etc/httpd, /etc/nginx, those that exist].
    pub paths: Vec<PathBuf>,

    /// Treat every given path as this kind instead of detecting it.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<InputKind>,

    /// An Apache main config (httpd.conf / apache2.conf) to start from.
    #[arg(long, value_name = "FILE")]
    pub apache_config: Vec<PathBuf>,

    /// An nginx main config (nginx.conf) to start from.
    #[arg(long, value_name = "FILE")]
    pub nginx_config: Vec<PathBuf>,

    #[command(flatten)]
    pub server: Box<ServerArgs>,

    #[command(flatten)]
    pub rules: Box<RuleArgs>,

    /// Output format [default: `format` in htguard.toml, else human].
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<Format>,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,

    /// Apply the safe fixes, then report what remains.
    #[arg(long, conflicts_with = "diff", help_heading = "Fixes")]
    pub fix: bool,

    /// Print the fixes as a unified diff without writing anything (exit 1 if there are any).
    #[arg(long, help_heading = "Fixes")]
    pub diff: bool,

    /// Say on stderr which files were read and why (the JSON report always lists them).
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,
}

/// How the servers will read the files.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Server")]
pub struct ServerArgs {
    /// Which servers/platforms read the files: apache, apache-windows, nginx,
    /// nginx-glibc-legacy, all [default: all]; and for password files checked on their
    /// own, the other programs that read them: lighttpd, docker-registry, verdaccio.
    /// Comma-separated or repeated.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub target: Vec<String>,

    /// Look up every absolute path of a config under DIR (staging tree, image rootfs, checkout).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Override Apache's ServerRoot.
    #[arg(long, value_name = "DIR")]
    pub server_root: Option<PathBuf>,

    /// nginx's prefix (where relative paths of nginx.conf start).
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,

    /// The server's worker user, for readability checks [default: from the config, else www-data].
    #[arg(long, value_name = "USER")]
    pub server_user: Option<String>,
}

/// Which rules run, and what fails the run.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Rules")]
pub struct RuleArgs {
    /// Run only these rules: codes, names, prefixes (PW), families (passwd) or ALL.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules (same forms as --select).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Change a rule's severity, e.g. --severity PW010=error.
    #[arg(long, value_name = "CODE=LEVEL")]
    pub severity: Vec<String>,

    /// Exit 1 when a finding is at or above this severity [default: error].
    #[arg(long, value_name = "LEVEL", value_parser = ["error", "warning", "info"])]
    pub fail_on: Option<String>,

    /// Read settings from this file instead of the nearest htguard.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore every htguard.toml.
    #[arg(long)]
    pub no_config: bool,
}

pub(crate) fn parse_kind(s: &str) -> Result<InputKind, String> {
    InputKind::from_name(s).ok_or_else(|| {
        let names: Vec<_> = InputKind::NAMES.iter().map(|(n, _)| *n).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("htguard: error: {message}");
    exit::ERROR
}

pub fn run(args: CheckArgs) -> i32 {
    run_here(args)
}

fn run_here(args: CheckArgs) -> i32 {
    let (opts, format) = match options(&args) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    // Only the first run shows progress: --fix and --diff run the check again per pass.
    let bar = std::sync::Arc::new(super::progress::CheckBar::on_stderr());
    let first = CheckOptions {
        progress: ProgressHook::new(bar.clone()),
        ..opts.clone()
    };
    let outcome = check::run(&first);
    bar.clear();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    if args.verbose {
        print_inputs(&outcome);
    }
    if args.diff {
        let plans = match fix::preview(&opts, outcome, &crate::rules::all()) {
            Ok((plans, _)) => plans,
            Err(e) => return fail(e),
        };
        let text = report::diff::render(&plans);
        super::output::print(&text);
        let n: usize = plans.iter().map(|p| p.fixes).sum();
        eprintln!(
            "{n} fix(es) in {} file(s) would be applied by --fix.",
            plans.len()
        );
        return if plans.is_empty() {
            exit::OK
        } else {
            exit::FINDINGS
        };
    }
    let outcome = if args.fix {
        match fix::fix_all(&opts, outcome, &crate::rules::all()) {
            Ok((remaining, applied)) => {
                if applied.fixes > 0 {
                    eprintln!(
                        "Fixed {} finding(s) in {} file(s).",
                        applied.fixes,
                        applied.files.len()
                    );
                }
                warn_unreadable_passwd_files(&remaining, &applied.files);
                remaining
            }
            Err(e) => return fail(format!("cannot apply fixes: {e}")),
        }
    } else {
        outcome
    };
    super::output::print(&render(&args, format, &outcome));
    if outcome.failed() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// `--verbose`: each file read, its kind, and why.
fn print_inputs(outcome: &CheckOutcome) {
    let mut err = std::io::stderr().lock();
    for p in &outcome.inputs {
        let path = outcome.sources.get(p.file).path.display();
        let _ = writeln!(err, "read {path} ({}): {}", p.kind, p.why);
    }
}

fn render(args: &CheckArgs, format: Format, outcome: &CheckOutcome) -> String {
    let findings = Findings {
        sources: &outcome.sources,
        diagnostics: &outcome.diagnostics,
        passwd_files: &outcome.passwd_files,
        suppressed: outcome.suppressed,
        inputs: &outcome.inputs,
    };
    match format {
        Format::Human => report::human::render(
            &findings,
            HumanOptions {
                color: use_color(args.color),
                width: terminal_width().unwrap_or(100),
            },
        ),
        Format::Json => report::json::render(&findings),
        Format::Sarif => report::sarif::render(&findings, &crate::rules::all_info()),
        Format::Github => report::github::render(&findings),
        Format::Gitlab => {
            let base = std::env::current_dir().unwrap_or_default();
            report::gitlab::render(&findings, &base)
        }
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

fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let (terminal_size::Width(w), _) = terminal_size::terminal_size()?;
    (w > 20).then_some(usize::from(w))
}

/// Merge flags over `htguard.toml` (flags win; `--ignore` adds to the file's list).
fn options(args: &CheckArgs) -> Result<(CheckOptions, Format), String> {
    let file = load_config(args)?.unwrap_or_default();
    let format = match (args.format, &file.format) {
        (Some(f), _) => f,
        (None, Some(name)) => Format::from_str(name, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| Some(f.to_possible_value()?.get_name().to_string()))
                .collect();
            format!(
                "{}: [check] format: `{name}` is not one of {}",
                file.path.display(),
                names.join(", ")
            )
        })?,
        (None, None) => Format::Human,
    };
    let parse_all = |v: &[String]| -> Result<Vec<Selector>, String> {
        v.iter().map(|s| Selector::parse(s)).collect()
    };
    let select = if args.rules.select.is_empty() {
        file.select.clone().unwrap_or_default()
    } else {
        parse_all(&args.rules.select)?
    };
    let mut ignore = file.ignore.clone();
    ignore.extend(parse_all(&args.rules.ignore)?);
    let mut severity = file.severity.clone();
    for s in &args.rules.severity {
        severity.push(select::parse_severity_override(s)?);
    }
    let fail_on = match &args.rules.fail_on {
        Some(s) => select::parse_level(s)?,
        None => file.fail_on.unwrap_or(Severity::Error),
    };
    let target = if args.server.target.is_empty() {
        file.target.clone().unwrap_or_default()
    } else {
        args.server.target.clone()
    };
    let mut root = args.server.root.clone().or(file.root);
    // `htguard check image-rootfs/`: absolute paths in its configs mean that tree.
    if root.is_none()
        && let [only] = args.paths.as_slice()
        && only != Path::new("/")
        && check::discover::looks_like_rootfs(only)
    {
        eprintln!(
            "note: {} holds a server's main config under etc/: reading it as a root filesystem \
             (as with --root {0}; pass --root / to check it in place)",
            only.display()
        );
        root = Some(only.clone());
    }
    let opts = CheckOptions {
        paths: args.paths.clone(),
        kind: args.kind,
        apache_configs: args.apache_config.clone(),
        nginx_configs: args.nginx_config.clone(),
        load: LoadOptions {
            root: root.filter(|r| r != Path::new("/")),
            server_root: args.server.server_root.clone().or(file.server_root),
            nginx_prefix: args.server.prefix.clone().or(file.prefix),
            server_user: args.server.server_user.clone().or(file.server_user),
        },
        profile: Profile::from_names(&target)?,
        settings: Settings {
            select,
            ignore,
            severity,
            fail_on,
        },
        progress: ProgressHook::default(),
        // Only `--verbose` and the JSON report say why each file was read.
        skip_provenance: !args.verbose && format != Format::Json,
    };
    Ok((opts, format))
}

fn load_config(args: &CheckArgs) -> Result<Option<FileConfig>, String> {
    if args.rules.no_config {
        return Ok(None);
    }
    let path = match &args.rules.config {
        Some(p) => p.clone(),
        None => {
            let start = args
                .paths
                .first()
                .or(args.apache_config.first())
                .or(args.nginx_config.first())
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            match config::find(&start) {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    config::load(&path).map(Some).map_err(|e| e.to_string())
}

/// After --fix: a written password file the web server's user cannot read (the store decides).
fn warn_unreadable_passwd_files(outcome: &CheckOutcome, written: &[PathBuf]) {
    for path in written {
        let is_passwd = outcome
            .sources
            .find(path)
            .is_some_and(|id| outcome.passwd_files.contains_key(&id));
        if let Some(w) = is_passwd
            .then(|| crate::store::server_cannot_read(path))
            .flatten()
        {
            eprintln!("htguard: warning: {w}");
        }
    }
}
