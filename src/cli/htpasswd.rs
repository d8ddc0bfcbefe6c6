//! PLACEHOLDER — replaced by the helper that owns the htpasswd compatibility mode.

/// Arguments of `htguard htpasswd` (Apache's flags).
#[derive(Debug, clap::Args)]
pub struct HtpasswdArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

pub fn run(args: HtpasswdArgs) -> i32 {
    run_argv(args.args)
}

/// Entry when the binary is invoked as `htpasswd`: `args` excludes argv[0].
pub fn run_argv(_args: Vec<std::ffi::OsString>) -> i32 {
    eprintln!("htguard: not implemented yet");
    super::exit::ERROR
}
