//! AP027: a credential store htguard cannot check (another provider or module).

use super::common::{diag, htaccess_ignored};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP027",
        name: "auth-store-not-checked",
        family: Family::Apache,
        severity: Severity::Info,
        summary: "users and passwords kept where htguard does not look: a DBM file, SQL, LDAP, a cache, anonymous logins, mod_auth_plain",
        doc: r#"## What it does
Names every credential store that a loaded module reads other than an `AuthUserFile`
(`AuthBasicProvider file`): `AuthDBMUserFile`/`AuthDBMGroupFile` (DBM databases),
`AuthDBDUserPWQuery` (SQL), `AuthLDAPURL` (LDAP), `Anonymous` (mod_authn_anon),
`AuthnCacheProvideFor` (mod_authn_socache), and mod_auth_plain's `AuthPlainUserFile`
(plain-text passwords compared as text). htguard reads none of them, and never judges such
a file by htpasswd rules (a `user:password` line is right for mod_auth_plain).

## Why is this bad?
It is not bad in itself: it says where htguard's verdict stops. Which users exist there and
whether their passwords work is not checked; the rest of the area (AuthType, Require, which
methods and paths are protected) is.

## Example
```apache
AuthBasicProvider dbm
AuthDBMUserFile /etc/apache2/users.dbm
```

## Use instead
Check the store with its own tools (`htdbm -l`, an LDAP search, an SQL query), or keep the
users in an `AuthUserFile` that htguard checks.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_dbm.html
- https://httpd.apache.org/docs/2.4/mod/mod_authnz_ldap.html
- https://httpd.apache.org/docs/2.4/mod/mod_authn_dbd.html
- https://httpd.apache.org/docs/2.4/mod/mod_authn_anon.html
- https://httpd.apache.org/docs/2.4/mod/mod_authn_socache.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for s in m.other_stores() {
            // A directive of a module that is not loaded is AP018's or AP022's finding.
            if htaccess_ignored(m, s.scope) || !m.has_module(s.kind.module) {
                continue;
            }
            let what = s.kind.what;
            let message = format!(
                "{} names {what}: htguard does not read it, so its users and passwords are not checked",
                s.kind.directive
            );
            out.push(
                diag(&RULE.info, s.span, message)
                    .label("not checked by htguard")
                    .help(
                        "check the store with its own tools, or keep the users in an AuthUserFile",
                    ),
            );
        }
    }
}
