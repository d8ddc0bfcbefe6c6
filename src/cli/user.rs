//! PLACEHOLDER — replaced by the helper that owns the user commands.

/// Arguments of `htguard user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {}

/// Arguments of `htguard hash`.
#[derive(Debug, clap::Args)]
pub struct HashArgs {}

pub fn run(_args: UserArgs) -> i32 {
    eprintln!("htguard: not implemented yet");
    super::exit::ERROR
}

pub fn run_hash(_args: HashArgs) -> i32 {
    eprintln!("htguard: not implemented yet");
    super::exit::ERROR
}
