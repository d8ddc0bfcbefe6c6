//! AP018: a `.htaccess` directive its AllowOverride does not permit.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::HtaccessVerdict;
use crate::model::apache::ScopeKind;
use crate::rules::{Context, Family, Rule, RuleInfo};
use foldhash::{HashSet, HashSetExt};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP018",
        name: "htaccess-not-allowed",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "a `.htaccess` directive that `AllowOverride` does not allow, or whose module is not loaded: 500",
        doc: r#"## What it does
For every `.htaccess` httpd reads (AllowOverride is not `None`), checks each directive
against the override classes allowed there (`AuthConfig` for auth directives, `Limit` for
Order/Allow/Deny, `FileInfo`, `Indexes`, `Options`) and against the loaded modules.

## Why is this bad?
A directive outside the allowed classes ("AuthType not allowed here") or from a module that
is not loaded ("Invalid command") makes httpd reject the whole file: **every request to that
directory and below answers 500**. Only an explicit `AllowOverride None` ignores a file silently: where no
`AllowOverride` is set at all (a main config without the stock `<Directory />` block),
httpd reads the `.htaccess` and refuses every auth directive in it (observed: 500).

## Example
```apache
<Directory /var/www/html>
    AllowOverride FileInfo
</Directory>
# /var/www/html/.htaccess: AuthType Basic …
```

## Use instead
```apache
<Directory /var/www/html>
    AllowOverride FileInfo AuthConfig
</Directory>
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#allowoverride
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        let mut seen = HashSet::new();
        for a in &m.areas {
            for (i, st) in &a.config.htaccess {
                let HtaccessVerdict::Broken {
                    at,
                    reason,
                    allow_override,
                } = st
                else {
                    continue;
                };
                if !(reason.contains("not allowed here") || reason.starts_with("Invalid command")) {
                    continue; // syntax and argument errors are AP001/AP008/AP009
                }
                if !seen.insert(*at) || m.scopes[*i].kind != ScopeKind::Htaccess {
                    continue;
                }
                let dir = &m.scopes[*i].pattern;
                let mut d = diag(
                    &RULE.info,
                    *at,
                    format!("{reason}: every request under {dir} answers 500"),
                )
                .label("httpd rejects the whole .htaccess here");
                let mut reason_note = String::new();
                match allow_override {
                    Some(r) => d = d.with_secondary(m.dir(*r).dir.span, "AllowOverride in effect"),
                    None => {
                        reason_note = " (no AllowOverride is set for this directory: httpd reads the file but allows nothing; only an explicit `AllowOverride None` ignores it)".into()
                    }
                }
                d.message.push_str(&reason_note);
                let help = if reason.starts_with("Invalid command") {
                    "enable the module that provides it (`a2enmod …`), or remove the line"
                        .to_string()
                } else {
                    format!(
                        "add the class to AllowOverride for {dir}, e.g. `AllowOverride AuthConfig`"
                    )
                };
                out.push(d.help(help));
            }
        }
    }
}
