//! PW002 unsupported-scheme: a hash the target server cannot verify.

use super::census::LISTED;
use super::common::{PwFile, clean_basic_hash, display, each_line, hash_label};
use crate::diag::{Diagnostic, Severity};
use crate::hash::{self, Kind, Support};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW002",
        name: "unsupported-scheme",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Hash scheme the target server cannot verify (401 or 500 for that user)",
        doc: r#"## What it does
Checks each entry's hash scheme against what the servers that read the file can verify on
the target platform (`--target`).

## Why is this bad?
- `{SSHA}` and `{PLAIN}` work on nginx only: Apache answers **401**.
- Bare plaintext works only on Apache for Windows: Apache on Unix and nginx answer **401**.
- bcrypt and yescrypt need the platform `crypt()`: nginx built against a classic glibc
  (`--target nginx-glibc-legacy`) answers **500** ("crypt_r() failed").
A file that works on one server breaks when the other reads it.

## Example
```text
alice:{SSHA}…   (used by Apache)
bob:secret      (plaintext)
```

## Use instead
Re-hash with a scheme both servers verify: `htguard user set FILE alice` (bcrypt), or
`--scheme sha512` for a legacy-glibc nginx.

## References
- Apache: "Password Formats" in the httpd documentation (misc/password_encryptions) and
  `apr_password_validate` in apr-util (crypto/apr_passwd.c): no `{SSHA}`, no `{PLAIN}`.
- nginx: `ngx_crypt` (src/core/ngx_crypt.c): `$apr1$`, `{PLAIN}`, `{SHA}`, `{SSHA}`; anything
  else goes to the platform crypt(3).
- `htguard check --help`: `--target` names the servers and platforms that read the files.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let profile = ctx.profile;
    for f in PwFile::all(ctx) {
        let basic = f.basic_servers();
        if basic.is_empty() {
            continue;
        }
        // Whether some server cannot verify a kind: decided once per kind, not per line.
        let fails = |kind: &Kind| {
            !matches!(kind, Kind::Empty | Kind::CryptFailureToken)
                && basic.iter().any(|s| {
                    !matches!(
                        hash::support(kind, *s, profile),
                        Support::Works | Support::Truncates { .. }
                    )
                })
        };
        let census = f.input.hashes(f.src);
        let listed: Vec<bool> = LISTED.iter().map(fails).collect();
        each_line(f.lines(), out, |i, line, out| {
            let Some(j) = census.judged(i, line, f.src) else {
                return;
            };
            if !j.index.map_or_else(|| fails(&j.kind), |k| listed[k]) {
                return;
            }
            let Some((range, h)) = clean_basic_hash(line, f.src) else {
                return;
            };
            let kind = hash::kind_of(h);
            if kind == Kind::Empty || kind == Kind::CryptFailureToken {
                return; // PW009 / PW001
            }
            let mut parts = Vec::new();
            let mut servers = Vec::new();
            let mut status_500 = false;
            for server in basic.iter() {
                match hash::support(&kind, *server, profile) {
                    Support::Always401 { reason } => {
                        parts.push(format!(
                            "{} answers 401 for `{}`: {reason}",
                            display(*server),
                            f.user_of(line)
                        ));
                        servers.push(*server);
                    }
                    Support::Error500 { reason } => {
                        parts.push(format!(
                            "{} answers 500 for `{}`: {reason}",
                            display(*server),
                            f.user_of(line)
                        ));
                        servers.push(*server);
                        status_500 = true;
                    }
                    Support::Works | Support::Truncates { .. } | Support::AsciiOnly { .. } => {}
                }
            }
            if parts.is_empty() {
                return;
            }
            let works_on: Vec<&str> = basic
                .iter()
                .filter(|s| !servers.contains(s))
                .map(|s| display(*s))
                .collect();
            let mut msg = parts.join("; ");
            if !works_on.is_empty() {
                msg.push_str(&format!(" (it works on {})", works_on.join(" and ")));
            }
            let shown = hash_label(h);
            out.push(
                Diagnostic::new(&RULE.info, f.span(range), msg)
                    .label(shown)
                    .help(if status_500 {
                        format!(
                            "re-hash with a scheme this platform's crypt() has: `htguard user set --scheme sha512 FILE {}`",
                            f.user_of(line)
                        )
                    } else {
                        format!("re-hash with bcrypt: `htguard user set FILE {}`", f.user_of(line))
                    })
                    .servers(&servers),
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{run, run_with};
    use super::*;
    use crate::diag::Server;
    use crate::model::PasswdRole;
    use crate::target::Profile;

    #[test]
    fn ssha_fails_on_apache_only() {
        let d = run(&RULE, b"alice:{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g6MTIz\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Apache]);
        assert!(d[0].message.contains("Apache answers 401 for `alice`"));
        assert!(d[0].message.contains("works on nginx"));
    }

    #[test]
    fn bcrypt_on_legacy_nginx_is_500() {
        let profile = Profile::from_names(&["nginx-glibc-legacy"]).unwrap();
        let d = run_with(
            &RULE,
            b"a:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n",
            &[(Server::Nginx, PasswdRole::Basic)],
            &profile,
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("nginx answers 500"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn passes_portable_schemes() {
        assert!(run(&RULE, b"a:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n").is_empty());
    }
}
