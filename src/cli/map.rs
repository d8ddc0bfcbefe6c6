//! PLACEHOLDER — replaced by the helper that owns this command.

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct MapArgs {}

pub fn run(_args: MapArgs) -> i32 {
    eprintln!("htguard: not implemented yet");
    super::exit::ERROR
}
