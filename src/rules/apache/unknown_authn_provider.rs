//! AP023: an AuthBasicProvider/AuthDigestProvider httpd does not have.

use super::common::{diag, htaccess_ignored, rejected_consequence};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP023",
        name: "unknown-authn-provider",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`AuthBasicProvider`/`AuthDigestProvider` naming a provider whose module is not loaded",
        doc: r#"## What it does
Checks each provider named by `AuthBasicProvider` / `AuthDigestProvider` against the loaded
modules (`file` → mod_authn_file, `dbm` → mod_authn_dbm, `anon` → mod_authn_anon,
`dbd` → mod_authn_dbd, `socache` → mod_authn_socache, `ldap` → mod_authnz_ldap) and the
names defined with `<AuthnProviderAlias>`. Stores of non-file providers are not checked.

## Why is this bad?
httpd reports "Unknown Authn provider": in the main configuration it **will not start**; in a
`.htaccess` every request to that directory answers **500**.

## Example
```apache
AuthBasicProvider dbm      # mod_authn_dbm is not enabled
```

## Use instead
```sh
a2enmod authn_dbm
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_auth_basic.html#authbasicprovider
- https://httpd.apache.org/docs/2.4/mod/mod_authn_core.html#authnprovideralias
"#,
    },
    check,
};

fn provider_module(p: &str) -> Option<&'static str> {
    Some(match p {
        "file" => "authn_file_module",
        "dbm" => "authn_dbm_module",
        "anon" => "authn_anon_module",
        "dbd" => "authn_dbd_module",
        "socache" => "authn_socache_module",
        "ldap" => "authnz_ldap_module",
        _ => return None,
    })
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for (si, s) in m.scopes.iter().enumerate() {
            if htaccess_ignored(m, si) {
                continue;
            }
            for d in &s.directives {
                if !(d.dir.is("AuthBasicProvider") || d.dir.is("AuthDigestProvider")) {
                    continue;
                }
                for a in &d.dir.args {
                    if m.provider_aliases.iter().any(|x| x == &a.value) {
                        continue;
                    }
                    let (msg, help) = match provider_module(&a.value) {
                        Some(module) if m.has_module(module) => continue,
                        Some(module) => {
                            let short = module.trim_end_matches("_module");
                            (
                                format!("Unknown Authn provider: {} (mod_{short} is not loaded)", a.value),
                                format!("enable it: `a2enmod {short}`"),
                            )
                        }
                        None => (
                            format!("Unknown Authn provider: {}", a.value),
                            "use `file`, `dbm`, `anon`, `dbd`, `socache`, `ldap`, or a name defined by `<AuthnProviderAlias>`".into(),
                        ),
                    };
                    out.push(
                        diag(&RULE.info, a.span, msg)
                            .label(rejected_consequence(m, a.span))
                            .help(help),
                    );
                }
            }
        }
    }
}
