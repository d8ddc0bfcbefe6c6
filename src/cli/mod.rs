//! Command-line definitions and thin handlers. Each subcommand lives in its own
//! file with its `Args` and `run`; this file only dispatches.

pub mod check;
pub mod explain;
pub mod htpasswd;
pub mod map;
pub mod rules_cmd;
pub mod user;
pub mod why;

use clap::{Parser, Subcommand};

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
    /// Show which nginx/Apache URL spaces are protected, by which file.
    Map(map::MapArgs),
    /// What the configured servers answer one request (status and the chain of decisions).
    Why(Box<why::WhyArgs>),
    /// Create and edit password files: add, set, delete, verify, list, rotate, import.
    User(user::UserArgs),
    /// Print a ready `user:hash` line to stdout (like `htpasswd -n`).
    Hash(user::HashArgs),
    /// Apache's `htpasswd`, flag for flag (also when this binary is named `htpasswd`).
    #[command(disable_help_flag = true)]
    Htpasswd(htpasswd::HtpasswdArgs),
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
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Rules(a) => rules_cmd::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Map(a) => map::run(a),
        Command::Why(a) => why::run(*a),
        Command::User(a) => user::run(a),
        Command::Hash(a) => user::run_hash(a),
        Command::Htpasswd(a) => htpasswd::run(a),
    }
}
