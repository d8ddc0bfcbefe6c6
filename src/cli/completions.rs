//! `htguard completions SHELL`: print the shell's completion script, generated from the
//! same clap definitions that parse the command line.

use clap_complete::Shell;
use std::io::Write;

/// Arguments of `htguard completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Load it for this bash session: source <(htguard completions bash)\n\
    Install it (bash):  htguard completions bash > ~/.local/share/bash-completion/completions/htguard\n\
    zsh: write _htguard into a directory of $fpath; fish: ~/.config/fish/completions/htguard.fish"
)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = super::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "htguard", &mut out);
    out
}

pub fn run(args: CompletionsArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(&script(args.shell))
        .and_then(|()| out.flush())
    {
        Ok(()) => super::exit::OK,
        // A closed pipe is not worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => super::exit::OK,
        Err(e) => {
            eprintln!("htguard: error: cannot write the completion script: {e}");
            super::exit::ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_subcommands() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::Elvish,
            Shell::PowerShell,
        ] {
            let text = String::from_utf8(script(shell)).expect("UTF-8");
            for sub in ["check", "explain", "user", "group", "completions"] {
                assert!(text.contains(sub), "{shell}: no `{sub}`");
            }
            assert!(
                !text.contains("htguard man"),
                "{shell}: hidden command completed"
            );
        }
    }
}
