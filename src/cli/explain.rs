//! `htguard explain CODE|NAME`: print a rule's (or a probe diagnosis') documentation.

/// Arguments of `htguard explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule code (PW001) or name (utf8-bom).
    pub rule: String,
}

pub fn run(args: ExplainArgs) -> i32 {
    let Some(i) = super::catalog::find(&args.rule) else {
        let hint = match super::catalog::suggest(&args.rule) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => String::new(),
        };
        eprintln!(
            "htguard: error: no rule `{}`{hint} (`htguard rules` lists every rule)",
            args.rule
        );
        return super::exit::ERROR;
    };
    super::output::println(&format!(
        "# {} {}\n\nFamily: {} · default severity: {}\n\n{}\n\n{}",
        i.code,
        i.name,
        i.family.as_str(),
        i.severity,
        i.summary,
        i.doc.trim_end()
    ));
    super::exit::OK
}
