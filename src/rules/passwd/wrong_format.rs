//! PW011 wrong-format: digest lines read by Basic auth, basic lines read by Digest, or both in one file.

use super::common::{PwFile, server_names, show};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::{FileKind, LineKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW011",
        name: "wrong-format",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "htdigest lines in a Basic user file, htpasswd lines in a Digest one, or both mixed",
        doc: r#"## What it does
Finds `user:realm:md5` (htdigest) lines in a file used for Basic auth, `user:hash` (htpasswd)
lines in a file used with `AuthType Digest`, and files that mix both formats.

## Why is this bad?
Basic auth reads `alice:realm:…` as user `alice` with the *realm* as her hash: **401**
(Apache logs AH01617). Digest auth looks a user up by user *and* realm, so a `user:hash` line
never matches: **401** (AH01790). Apache's documentation says the two formats cannot be mixed
in one file; whichever way a mixed file is used, part of it is dead.

## Example
```apache
AuthType Basic
AuthUserFile /etc/apache2/.htdigest
```

## Use instead
Keep Basic users in a file written by `htpasswd` / `htguard user`, and Digest users in a file
written by `htdigest` / `htguard user --realm`, and point each `AuthType` at its own file.

## References
- Apache docs, mod_auth_digest and mod_authn_file; spec: htdigest lines.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let count = |k: LineKind| f.lines().iter().filter(|l| l.kind() == k).count();
        let first = |k: LineKind| f.lines().iter().find(|l| l.kind() == k);
        let (basic, digest) = (count(LineKind::Basic), count(LineKind::Digest));
        let basic_servers = f.basic_servers();
        let used = !f.input.uses.is_empty();
        if used && !basic_servers.is_empty() && digest > 0 {
            let Some(line) = first(LineKind::Digest) else {
                continue;
            };
            let n = basic_servers.len();
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.line_span(line),
                    format!(
                        "this file is used for Basic auth but has {digest} htdigest line{}: {} answer{} 401 for `{}` (the realm is read as the hash)",
                        plural(digest),
                        server_names(&basic_servers),
                        if n == 1 { "s" } else { "" },
                        f.user_of(line)
                    ),
                )
                .label("`user:realm:digest`")
                .help("create the Basic users with `htguard user add FILE USER`, or point the config at an htpasswd file")
                .servers(&basic_servers),
            );
        }
        if used && f.has_role(PasswdRole::Digest) && f.reads(Server::Apache) && basic > 0 {
            let Some(line) = first(LineKind::Basic) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.line_span(line),
                    format!(
                        "this file is used with AuthType Digest but has {basic} htpasswd line{}: Apache answers 401 for `{}` (no realm, AH01790)",
                        plural(basic),
                        f.user_of(line)
                    ),
                )
                .label("`user:hash`")
                .help("create Digest users with `htguard user add --realm REALM FILE USER`")
                .servers(&[Server::Apache]),
            );
        }
        if !used && f.kind() == FileKind::Mixed {
            let minority = if basic <= digest {
                LineKind::Basic
            } else {
                LineKind::Digest
            };
            let Some(line) = first(minority) else {
                continue;
            };
            let servers = f.user_file_servers();
            out.push(
                Diagnostic::new(
                    &RULE.info,
                    f.line_span(line),
                    format!(
                        "the file mixes {basic} htpasswd and {digest} htdigest lines: used for Basic auth the digest users get 401, used for Digest the others do (first: `{}`)",
                        show(f.user_of(line).as_bytes())
                    ),
                )
                .label("the other format")
                .help("split the file: one htpasswd file for Basic, one htdigest file for Digest")
                .servers(&servers),
            );
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{run, run_with};
    use super::*;
    use crate::target::Profile;

    const D: &[u8] = b"u:R:0123456789abcdef0123456789abcdef\n";

    #[test]
    fn digest_file_used_for_basic() {
        let d = run_with(
            &RULE,
            D,
            &[(Server::Nginx, PasswdRole::Basic)],
            &Profile::default(),
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("nginx answers 401 for `u`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn basic_file_used_for_digest() {
        let d = run_with(
            &RULE,
            b"u:$apr1$a$b\n",
            &[(Server::Apache, PasswdRole::Digest)],
            &Profile::default(),
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("AH01790"));
    }

    #[test]
    fn mixed_file_on_its_own() {
        let src = [D, b"v:$apr1$a$b\n"].concat();
        assert_eq!(run(&RULE, &src).len(), 1);
    }

    #[test]
    fn passes_matching_uses() {
        assert!(
            run_with(
                &RULE,
                D,
                &[(Server::Apache, PasswdRole::Digest)],
                &Profile::default()
            )
            .is_empty()
        );
        assert!(run(&RULE, D).is_empty());
        assert!(run(&RULE, b"u:$apr1$a$b\n").is_empty());
    }
}
