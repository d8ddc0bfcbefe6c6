//! Where a password comes from: a no-echo prompt (asked twice for a new password),
//! `--stdin`, `--password-file`, or `--generate`. Never from argv.

use crate::user::secret::{self, Secret};
use std::io::IsTerminal;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Password source options shared by the commands that take one password.
#[derive(Debug, Clone, clap::Args)]
#[group(multiple = false)]
pub struct PasswordArgs {
    /// Read the password from the first line of standard input (trailing CR/LF removed).
    #[arg(long)]
    pub stdin: bool,
    /// Read the password from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Generate a random password of LEN letters and digits (default 20) and print it once.
    #[arg(long, value_name = "LEN", num_args = 0..=1, require_equals = true,
          default_missing_value = "20")]
    pub generate: Option<usize>,
}

/// Options for commands that only check a password (no `--generate`).
#[derive(Debug, Clone, clap::Args)]
#[group(multiple = false)]
pub struct CheckPasswordArgs {
    /// Read the password from the first line of standard input (trailing CR/LF removed).
    #[arg(long)]
    pub stdin: bool,
    /// Read the password from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// A password and whether it was generated (then it must be shown to the user once).
pub struct Obtained {
    pub password: Secret,
    pub generated: bool,
}

/// Get a new password (asked twice on a terminal).
pub fn new_password(args: &PasswordArgs, user: &str) -> Result<Obtained, String> {
    if let Some(len) = args.generate {
        if len < 8 {
            return Err(format!(
                "--generate={len} is too short to be safe; use at least 8"
            ));
        }
        let password = secret::generate(len).map_err(|e| format!("no random numbers: {e}"))?;
        return Ok(Obtained {
            password,
            generated: true,
        });
    }
    let password = from_sources(args.stdin, args.password_file.as_ref())?;
    let password = match password {
        Some(p) => p,
        None => {
            let first = prompt(&format!("New password for {user}: "))?;
            let again = prompt("Re-type new password: ")?;
            if !secret::same(&first, &again) {
                return Err("the two passwords differ; nothing was changed".into());
            }
            first
        }
    };
    if password.is_empty() {
        return Err("empty password refused".into());
    }
    Ok(Obtained {
        password,
        generated: false,
    })
}

/// Get the password to check (asked once on a terminal).
pub fn check_password(args: &CheckPasswordArgs, user: &str) -> Result<Secret, String> {
    match from_sources(args.stdin, args.password_file.as_ref())? {
        Some(p) => Ok(p),
        None => prompt(&format!("Password for {user}: ")),
    }
}

fn from_sources(stdin: bool, file: Option<&PathBuf>) -> Result<Option<Secret>, String> {
    if stdin {
        let mut lock = std::io::stdin().lock();
        return secret::read_line(&mut lock)
            .map(Some)
            .map_err(|e| format!("cannot read the password from standard input: {e}"));
    }
    if let Some(path) = file {
        let mut f = std::fs::File::open(path)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
        return secret::read_line(&mut f)
            .map(Some)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()));
    }
    Ok(None)
}

/// A no-echo prompt on the controlling terminal.
pub fn prompt(text: &str) -> Result<Secret, String> {
    if !std::io::stdin().is_terminal() && std::fs::File::open("/dev/tty").is_err() {
        return Err(
            "no terminal to ask for the password; use --stdin, --password-file FILE or --generate"
                .into(),
        );
    }
    let s = rpassword::prompt_password(text)
        .map_err(|e| format!("cannot read the password from the terminal: {e}"))?;
    let s = Zeroizing::new(s);
    Ok(Zeroizing::new(s.as_bytes().to_vec()))
}
