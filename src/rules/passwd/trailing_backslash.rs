//! PW017 trailing-backslash: `\` at the end of an entry.

use super::common::PwFile;
use crate::diag::{Diagnostic, Server, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Ending, Facts, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW017",
        name: "trailing-backslash",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Entry ending in `\\`: Apache joins it with the next line",
        doc: r#"## What it does
Finds entries whose line ends with a backslash.

## Why is this bad?
Apache treats `\` before the newline as a line continuation: it removes the backslash and the
newline and reads this line and the next as one. Both users then get **401** (the first one's
hash now ends with the next line's text; the second user is gone). nginx keeps the `\` as the
last character of the hash: **401** for that user.

## Example
```text
alice:$apr1$…\
bob:$2y$10$…
```

## Use instead
```text
alice:$apr1$…
bob:$2y$10$…
```

## References
- Apache `ap_cfg_getline` line continuation; nginx reads the hash up to the newline.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let servers = f.user_file_servers();
        if servers.is_empty() {
            continue;
        }
        let lines = f.lines();
        for (i, line) in lines.iter().enumerate() {
            if !matches!(
                line.kind(),
                LineKind::Basic | LineKind::Digest | LineKind::NoColon
            ) || !line.has(Facts::TRAILING_BACKSLASH)
            {
                continue;
            }
            let name = f.user_of(line);
            let joins = matches!(line.ending(), Ending::Lf | Ending::CrLf);
            let mut parts = Vec::new();
            if servers.contains(&Server::Apache) {
                match lines.get(i + 1).filter(|_| joins) {
                    Some(next) if next.kind().is_entry() => parts.push(format!(
                        "Apache joins it with line {}, so `{name}` and `{}` get 401",
                        i + 2,
                        f.user_of(next)
                    )),
                    Some(_) => parts.push(format!(
                        "Apache joins it with line {}, so `{name}` gets 401",
                        i + 2
                    )),
                    None => parts.push(format!(
                        "Apache answers 401 for `{name}`: the `\\` is part of the hash"
                    )),
                }
            }
            if servers.contains(&Server::Nginx) && line.kind() == LineKind::Basic {
                parts.push(format!(
                    "nginx answers 401 for `{name}`: the `\\` is part of the hash"
                ));
            }
            if parts.is_empty() {
                continue;
            }
            let end = line.content().end;
            let mut affected = servers.to_vec();
            if line.kind() != LineKind::Basic {
                affected.retain(|s| *s == Server::Apache);
            }
            out.push(
                Diagnostic::new(&RULE.info, f.span(end - 1..end), parts.join("; "))
                    .label("line continuation")
                    .help("remove the backslash at the end of the line")
                    .servers(&affected),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run;
    use super::*;

    #[test]
    fn flags_a_trailing_backslash() {
        let d = run(&RULE, b"alice:$apr1$a$b\\\nbob:$apr1$a$b\n");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("`alice` and `bob` get 401"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("nginx answers 401 for `alice`"));
    }

    #[test]
    fn passes_backslashes_inside_a_hash() {
        assert!(run(&RULE, b"alice:{PLAIN}a\\b\n").is_empty());
    }
}
