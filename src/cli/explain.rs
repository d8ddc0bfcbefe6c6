//! `htguard explain CODE|NAME`: print a rule's documentation.

/// Arguments of `htguard explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule code (PW001) or name (utf8-bom).
    pub rule: String,
}

pub fn run(args: ExplainArgs) -> i32 {
    let Some(rule) = crate::rules::find(&args.rule) else {
        let hint = match crate::rules::meta::suggest(&args.rule) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => String::new(),
        };
        eprintln!(
            "htguard: error: no rule `{}`{hint} (`htguard rules` lists every rule)",
            args.rule
        );
        return super::exit::ERROR;
    };
    let i = &rule.info;
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
