//! PW009 empty-field: an entry with no user name or no hash, as a server reads it.

use super::common::{PwFile, server_names};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::model::passwd::{ApacheRead, NginxRead, apache_view, nginx_view};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{Facts, Line, LineKind};
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW009",
        name: "empty-field",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Entry with an empty user name or an empty hash",
        doc: r#"## What it does
Finds entries whose user name or hash is empty as Apache or nginx reads them: `:hash`,
`alice:`, and `alice::hash`, whose hash nginx reads as empty (Apache skips the doubled colon).
In digest files it also finds an empty realm or digest.

## Why is this bad?
An empty hash never verifies: the user gets **401** with any password, including an empty
one (observed on both servers). An entry without a user name is dead weight that usually
means a broken edit.

## Example
```text
alice:
bob::$2y$10$…
```

## Use instead
```text
alice:$2y$10$…
bob:$2y$10$…
```
`htguard check --fix` removes a doubled colon.

## References
- Apache `ap_getword` skips consecutive colons; nginx ends the user name at the first colon.
"#,
    },
    check,
};

#[derive(Default)]
struct Finding {
    servers: Vec<Server>,
    empty_user: bool,
    empty_hash: bool,
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        if !may_have_empty_field(&f) {
            continue;
        }
        for (i, x) in empty_fields(&f) {
            if let Some(line) = f.lines().get(i) {
                out.push(finding(&f, line, &x));
            }
        }
    }
}

fn is_digest(f: &PwFile<'_>) -> bool {
    f.has_role(PasswdRole::Digest) && !f.has_role(PasswdRole::Basic)
}

/// The entries each server reads with an empty user, hash or realm, by first line.
fn empty_fields(f: &PwFile<'_>) -> BTreeMap<usize, Finding> {
    let digest = is_digest(f);
    let mut found: BTreeMap<usize, Finding> = BTreeMap::new();
    if f.user_file_servers().contains(&Server::Apache) {
        for rec in apache_view(&f.input.parsed, f.src) {
            let ApacheRead::Entry(e) = rec.read else {
                continue;
            };
            let Some(line) = f.lines().get(rec.first_line) else {
                continue;
            };
            if line.kind() == LineKind::NoColon {
                continue; // PW008
            }
            let hash = if digest { &e.third } else { &e.second };
            let realm_empty = digest && e.second.is_empty();
            if e.user.is_empty() || hash.is_empty() || realm_empty {
                let x = found.entry(rec.first_line).or_default();
                x.servers.push(Server::Apache);
                x.empty_user |= e.user.is_empty();
                x.empty_hash |= hash.is_empty() || realm_empty;
            }
        }
    }
    if f.basic_servers().contains(&Server::Nginx) {
        for rec in nginx_view(&f.input.parsed, f.src) {
            let NginxRead::Entry { user, hash } = rec.read else {
                continue;
            };
            if user.is_empty() || hash.is_empty() {
                let x = found.entry(rec.line).or_default();
                x.servers.push(Server::Nginx);
                x.empty_user |= user.is_empty();
                x.empty_hash |= hash.is_empty();
            }
        }
    }
    found
}

fn finding(f: &PwFile<'_>, line: &Line, x: &Finding) -> Diagnostic {
    let digest = is_digest(f);
    let n = x.servers.len();
    let who = server_names(&x.servers);
    let s = if n == 1 { "s" } else { "" };
    let doubled = line.has(Facts::DOUBLED_COLON) && !digest;
    let msg = if x.empty_user {
        format!("entry without a user name: {who} can never match it")
    } else if doubled && x.servers == [Server::Nginx] {
        format!(
            "nginx answer{s} 401 for `{}`: after `::` the hash is empty (Apache skips the extra colon)",
            f.user_of(line)
        )
    } else if digest {
        format!(
            "{who} answer{s} 401 for `{}`: the realm or digest is empty",
            f.user_of(line)
        )
    } else {
        format!(
            "{who} answer{s} 401 for `{}`: the hash is empty",
            f.user_of(line)
        )
    };
    let mut d = Diagnostic::new(&RULE.info, f.line_span(line), msg)
        .label(if x.empty_user {
            "no user name"
        } else {
            "empty field"
        })
        .help(if x.empty_user {
            "add the user name before the `:` or remove the line"
        } else {
            "set a password: `htguard user set FILE USER`"
        })
        .servers(&x.servers);
    if doubled && let Some(c) = line.colon1() {
        let extra = f
            .bytes(c + 1..line.content().end)
            .iter()
            .take_while(|b| **b == b':')
            .count();
        d = d.fix(f.fix(
            "remove the doubled colon",
            vec![(c + 1..c + 1 + extra, &b""[..])],
        ));
    }
    d
}

/// Cheap pre-check: only these lines can read as an empty field on either server.
fn may_have_empty_field(f: &PwFile<'_>) -> bool {
    let joins = Facts::TRAILING_BACKSLASH | Facts::NUL | Facts::INNER_CR | Facts::DOUBLED_COLON;
    f.lines().iter().any(|l| {
        l.facts().intersects(joins)
            || (l.kind().is_entry()
                && (l.user().is_none_or(|r| f.bytes(r).trim_ascii().is_empty())
                    || l.field2()
                        .is_none_or(|r| f.bytes(r).trim_ascii().is_empty())
                    || l.field3()
                        .is_some_and(|r| f.bytes(r).trim_ascii().is_empty())))
    })
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{apply_fix, run};
    use super::*;

    #[test]
    fn flags_empty_hash_and_user() {
        let d = run(&RULE, b"alice:\n:$apr1$a$b\n");
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message
                .contains("Apache and nginx answer 401 for `alice`: the hash is empty")
        );
        assert!(d[1].message.contains("without a user name"));
    }

    #[test]
    fn doubled_colon_is_nginx_only_and_fixable() {
        let src = b"bob::$apr1$a$b\n";
        let d = run(&RULE, src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Nginx]);
        assert_eq!(apply_fix(src, &d[0]), b"bob:$apr1$a$b\n");
    }

    #[test]
    fn passes_full_entries() {
        assert!(run(&RULE, b"alice:$apr1$a$b\n# c\n\n").is_empty());
    }
}
