//! `htguard rules`: list every rule, and the probe's diagnoses.

use crate::report::rules_list;

/// Output format of `rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

/// Arguments of `htguard rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

pub fn run(args: RulesArgs) -> i32 {
    let rules = super::catalog::all_info();
    let text = match args.format {
        RulesFormat::Text => rules_list::text(&rules),
        RulesFormat::Json => rules_list::json(&rules),
    };
    super::output::print(&text);
    super::exit::OK
}
