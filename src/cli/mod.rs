//! Command-line definitions and thin handlers. Each subcommand lives in its own
//! file with its `Args` and `run`; this file only dispatches.

pub mod check;
pub mod completions;
pub mod explain;
pub mod group;
pub mod htpasswd;
pub mod man;
pub mod map;
pub mod map_apache;
pub mod output;
pub mod progress;
pub mod rules_cmd;
pub mod user;
pub mod why;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Exit codes shared by every command (DESIGN.md).
pub mod exit {
    /// Clean / match.
    pub const OK: i32 = 0;
    /// Findings at or above the failing severity / no match.
    pub const FINDINGS: i32 = 1;
    /// Usage or I/O error.
    pub const ERROR: i32 = 2;
}

/// Check Apache httpd and nginx auth configuration; manage password files safely.
#[derive(Debug, Parser)]
#[command(name = "htguard", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Predict 401s, 500s and open doors in Apache/nginx auth setups and password files.
    Check(check::CheckArgs),
    /// List every rule.
    Rules(rules_cmd::RulesArgs),
    /// Print a rule's documentation.
    Explain(explain::ExplainArgs),
    /// Show which URL spaces of an Apache or nginx configuration are protected, by which file.
    Map(map::MapArgs),
    /// What the configured servers answer one request (status and the chain of decisions).
    Why(Box<why::WhyArgs>),
    /// Create and edit password files: add, set, delete, verify, list, rotate, import.
    User(user::UserArgs),
    /// Edit group files (AuthGroupFile): add or remove members, delete or list groups.
    Group(group::GroupArgs),
    /// Print a ready `user:hash` line to stdout (like `htpasswd -n`).
    Hash(user::HashArgs),
    /// Apache's `htpasswd`, flag for flag (also when this binary is named `htpasswd`).
    #[command(disable_help_flag = true)]
    Htpasswd(htpasswd::HtpasswdArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
}

/// `htguard man --dir DIR` writes the man pages (for packagers). It is parsed apart from
/// [`Cli`] so that neither `--help`, the completions nor the pages themselves offer it.
#[derive(Debug, Parser)]
#[command(name = "htguard man", bin_name = "htguard man", version)]
struct ManCli {
    #[command(flatten)]
    args: man::ManArgs,
}

/// The whole command line, with each command's examples and exit status in its `--help`.
pub fn command() -> clap::Command {
    man::annotate(Cli::command())
}

/// Run the command line; returns the process exit code. `main` is the only caller.
pub fn run(args: Vec<std::ffi::OsString>) -> i32 {
    let invoked_as = args.first().and_then(|a| {
        std::path::Path::new(a)
            .file_stem()
            .map(|s| s.to_os_string())
    });
    if invoked_as.as_deref() == Some(std::ffi::OsStr::new("htpasswd")) {
        return htpasswd::run_argv(args.into_iter().skip(1).collect());
    }
    if args.get(1).is_some_and(|a| a == "man") {
        return match ManCli::try_parse_from(args.iter().skip(1)) {
            Ok(m) => man::run(m.args),
            Err(e) => report_usage(e),
        };
    }
    let parsed = command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return report_usage(e),
    };
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Rules(a) => rules_cmd::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Map(a) => map::run(a),
        Command::Why(a) => why::run(*a),
        Command::User(a) => user::run(a),
        Command::Group(a) => group::run(a),
        Command::Hash(a) => user::run_hash(a),
        Command::Htpasswd(a) => htpasswd::run(a),
        Command::Completions(a) => completions::run(a),
    }
}

/// Print clap's message (help and version too); exit 2 for a usage error, else 0.
fn report_usage(e: clap::Error) -> i32 {
    let _ = e.print();
    if e.use_stderr() {
        exit::ERROR
    } else {
        exit::OK
    }
}
