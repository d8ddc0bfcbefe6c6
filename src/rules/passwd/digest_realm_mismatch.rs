//! PW021 digest-realm-mismatch: no entry in the realm Digest auth asks for.

use super::common::{PwFile, show};
use crate::diag::{Diagnostic, Server, Severity};
use crate::model::PasswdRole;
use crate::model::passwd::{ApacheRead, apache_view};
use crate::rules::{Context, Family, Rule, RuleInfo};
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "PW021",
        name: "digest-realm-mismatch",
        family: Family::Passwd,
        severity: Severity::Error,
        summary: "Digest user file has no entry in the AuthName realm: everyone gets 401",
        doc: r#"## What it does
For a file used with `AuthType Digest`, checks that some entry's realm equals the `AuthName`
of the area that uses it.

## Why is this bad?
Apache Digest looks a user up by user *and* realm. The realm must equal `AuthName` exactly
(case and spaces included); otherwise every user gets **401** (AH01790 "user not found in
realm"). The digest itself is MD5(user:realm:password), so an entry cannot be moved to another
realm by editing the realm text: it must be re-created.

## Example
```apache
AuthType Digest
AuthName "Private"
AuthUserFile /etc/apache2/.htdigest   # entries are alice:private:…
```

## Use instead
Use the realm the file was written with (`AuthName "private"`), or re-create the users with
`htguard user set --realm Private FILE alice`.

## References
- Apache `mod_authn_file` `get_realm_hash`; spec: htdigest lines.
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for f in PwFile::all(ctx) {
        let wanted: BTreeSet<&str> = f
            .input
            .uses
            .iter()
            .filter(|u| u.role == PasswdRole::Digest && u.server == Server::Apache)
            .filter_map(|u| u.realm.as_deref())
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let mut realms: BTreeSet<Vec<u8>> = BTreeSet::new();
        for rec in apache_view(&f.input.parsed, f.src) {
            if let ApacheRead::Entry(e) = rec.read {
                realms.insert(e.second.text.into_owned());
            }
        }
        for realm in wanted {
            if realms.contains(realm.as_bytes()) {
                continue;
            }
            let Some(usage) = f
                .input
                .uses
                .iter()
                .find(|u| u.realm.as_deref() == Some(realm))
            else {
                continue;
            };
            let found: Vec<String> = realms
                .iter()
                .take(3)
                .map(|r| format!("`{}`", show(r)))
                .collect();
            let msg = if found.is_empty() {
                format!(
                    "Apache answers 401 to every user in realm `{realm}`: the file has no digest entries"
                )
            } else {
                format!(
                    "Apache answers 401 to every user in realm `{realm}`: the file's entries are in realm {} (AH01790)",
                    found.join(", ")
                )
            };
            let span = f.span(0..f.lines().first().map_or(0, |l| l.content().end));
            out.push(
                Diagnostic::new(&RULE.info, span, msg)
                    .label("no entry in this realm")
                    .with_secondary(usage.directive, format!("AuthName is `{realm}` here"))
                    .help(format!(
                        "set AuthName to the file's realm, or re-create the users: `htguard user set --realm \"{realm}\" FILE USER`"
                    ))
                    .servers(&[Server::Apache]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::run_with;
    use super::*;
    use crate::target::Profile;

    #[test]
    fn flags_a_realm_with_no_entries() {
        // The test helper's uses have realm `R`.
        let d = run_with(
            &RULE,
            b"u:other:0123456789abcdef0123456789abcdef\n",
            &[(Server::Apache, PasswdRole::Digest)],
            &Profile::default(),
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("realm `other`"), "{}", d[0].message);
    }

    #[test]
    fn passes_a_matching_realm() {
        let d = run_with(
            &RULE,
            b"u:R:0123456789abcdef0123456789abcdef\n",
            &[(Server::Apache, PasswdRole::Digest)],
            &Profile::default(),
        );
        assert!(d.is_empty());
    }
}
