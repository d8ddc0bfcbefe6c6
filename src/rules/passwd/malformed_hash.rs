//! PW001 malformed-hash: a hash no password can match.

use super::common::{PwFile, clean_basic_hash, each_line, hash_label, server_names};
use crate::diag::{Diagnostic, Server, Severity};
use crate::hash::{self, Kind};
use crate::model::PasswdRole;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::syntax::passwd::LineKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW001",
        name: "malformed-hash",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Hash that no password can match (bad length, alphabet, cost, rounds, base64, truncated)",
        doc: r#"## What it does
Checks each entry's hash against the format of its scheme and says exactly what is wrong:
a bcrypt hash of the wrong length or with a cost outside 4..31, `rounds=` outside
1000..999999999 for SHA-crypt, characters outside the crypt alphabet, `{SHA}` that is not
base64 of 20 bytes, a hash cut short by a copy-paste, crypt()'s failure tokens `*0` and `*1`
(Apache's `htpasswd -2`/`-5` writes `*0` for `-r` below 1000, and exits 0), or a digest that
is not 32 lowercase hex digits.

## Why is this bad?
The servers compare the text their crypt function computes with the stored text. When the
stored text is malformed no password produces it: the user gets **401** on every attempt
(Apache logs AH01617 "password mismatch", nginx "password mismatch"). For digest entries
Apache compares the hex text, so even uppercase hex fails.

## Example
```text
alice:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lh   (truncated)
bob:{SHA}not-base64
carol:*0
```

## Use instead
Set the password again: `htguard user set FILE alice`.

## References
- Apache: mod_authn_file hands the hash to `apr_password_validate`, which rejects a hash it
  cannot parse (AH01617 "password Mismatch" in the error log): 401.
- nginx: `ngx_crypt` fails or returns a value that does not match ("password mismatch"):
  401; 500 only where the platform crypt_r() returns NULL.
- `*0` and `*1`: crypt() returns them for a setting it rejects, so no password's result
  equals them; Apache and nginx answer 401 for that user (observed on both, with the password
  the user meant and with `*0` itself).
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let profile = ctx.profile;
    for f in PwFile::all(ctx) {
        let basic = f.basic_servers();
        let digest_role = f.has_role(PasswdRole::Digest) && f.reads(Server::Apache);
        let census = f.input.hashes(f.src);
        each_line(f.lines(), out, |i, line, out| {
            match line.kind() {
                LineKind::Basic if !basic.is_empty() => {
                    // The census says which hashes are malformed; only those are read again.
                    if !census.judged(i, line, f.src).is_some_and(|j| j.malformed) {
                        return;
                    }
                    let Some((range, h)) = clean_basic_hash(line, f.src) else {
                        return;
                    };
                    let info = hash::identify(h);
                    let Some(m) = &info.malformed else { return };
                    if info.kind == Kind::Empty {
                        return; // PW009
                    }
                    // Where the scheme itself is not supported, PW002 says what happens.
                    // crypt()'s failure token is no scheme: no server matches it (401).
                    let servers: Vec<Server> = basic
                        .iter()
                        .copied()
                        .filter(|s| {
                            info.kind == Kind::CryptFailureToken
                                || hash::support(&info.kind, *s, profile).works()
                        })
                        .collect();
                    if servers.is_empty() {
                        return;
                    }
                    let shown = hash_label(h);
                    out.push(
                        Diagnostic::new(
                            &RULE.info,
                            f.span(range),
                            format!(
                                "{} answer{} 401 for `{}`: {}{m}",
                                server_names(&servers),
                                if servers.len() == 1 { "s" } else { "" },
                                f.user_of(line),
                                match info.kind {
                                    // The reason says what the token is.
                                    Kind::CryptFailureToken => String::new(),
                                    _ => format!("malformed {} hash: ", info.kind.label()),
                                }
                            ),
                        )
                        .label(shown)
                        .help(format!(
                            "set the password again: `htguard user set FILE {}`",
                            f.user_of(line)
                        ))
                        .servers(&servers),
                    );
                }
                LineKind::Digest if digest_role => {
                    let Some(r) = line.field3() else { return };
                    let h = f.bytes(r.clone());
                    let trimmed = h.trim_ascii();
                    let Some(m) = hash::check_digest_hash(trimmed) else {
                        return;
                    };
                    let start = r.start + (h.len() - h.trim_ascii_start().len());
                    out.push(
                        Diagnostic::new(
                            &RULE.info,
                            f.span(start..start + trimmed.len()),
                            format!(
                                "Apache answers 401 for `{}`: malformed digest: {m}",
                                f.user_of(line)
                            ),
                        )
                        .label("not 32 lowercase hex digits")
                        .help(format!(
                            "set the password again: `htguard user set --realm REALM FILE {}`",
                            f.user_of(line)
                        ))
                        .servers(&[Server::Apache]),
                    );
                }
                _ => {}
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{run, run_with};
    use super::*;
    use crate::target::Profile;

    #[test]
    fn flags_a_truncated_bcrypt_hash_with_its_reason() {
        let d = run(
            &RULE,
            b"alice:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17l\n",
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .contains("401 for `alice`: malformed $2y$ hash"),
            "{}",
            d[0].message
        );
        assert!(
            !d[0].primary.message.contains("N9qo8uLOickgx2ZMRZo"),
            "hash shown in full"
        );
    }

    #[test]
    fn flags_the_crypt_failure_tokens_on_both_servers() {
        for token in ["*0", "*1"] {
            let d = run(
                &RULE,
                format!("alice:{token}\nbob:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n").as_bytes(),
            );
            assert_eq!(d.len(), 1, "{token}: {d:?}");
            assert_eq!(d[0].servers, [Server::Apache, Server::Nginx]);
            assert!(
                d[0].message.starts_with(&format!(
                    "Apache and nginx answer 401 for `alice`: `{token}` is the failure token"
                )),
                "{}",
                d[0].message
            );
            assert_eq!(d[0].primary.message, format!("`{token}`"));
        }
    }

    #[test]
    fn flags_an_uppercase_digest() {
        let d = run_with(
            &RULE,
            b"u:R:0123456789ABCDEF0123456789ABCDEF\n",
            &[(Server::Apache, PasswdRole::Digest)],
            &Profile::default(),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].servers, [Server::Apache]);
    }

    #[test]
    fn passes_well_formed_hashes() {
        let ok = b"a:$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\nb:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n";
        assert!(run(&RULE, ok).is_empty());
    }
}
