//! AP018: a `.htaccess` directive its AllowOverride does not permit.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::directives::{self, Classes};
use crate::model::apache::{ApacheModel, DirectiveRef, HtaccessVerdict, ScopeKind};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;
use foldhash::{HashSet, HashSetExt};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP018",
        name: "htaccess-not-allowed",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "a `.htaccess` directive that `AllowOverride` does not allow, or that no loaded module defines: 500",
        doc: r#"## What it does
For every `.htaccess` httpd reads (AllowOverride is not `None`), looks up each directive
and section as httpd does, in httpd's own command tables: the module that defines it must
be loaded, and the class it belongs to (`AuthConfig`, `Limit`, `FileInfo`, `Indexes`,
`Options`) must be allowed by `AllowOverride` there (`Nonfatal=…` and `AllowOverrideList`
are honoured). A typo, a `//` "comment", or a directive of a module that is not loaded
(`ExpiresActive`, `Header`, `php_value`, …) is an unknown command.

## Why is this bad?
A directive outside the allowed classes ("Options not allowed here") or that no loaded
module defines ("Invalid command '//', perhaps misspelled or defined by a module not
included in the server configuration") makes httpd reject the whole file: **every request
to that directory and below answers 500**. Only an explicit `AllowOverride None` ignores a file silently: where no
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
        for (i, verdict) in m.htaccess_verdicts.iter().enumerate() {
            let Some(HtaccessVerdict::Broken {
                at,
                reason,
                allow_override,
            }) = verdict
            else {
                continue;
            };
            if !(reason.contains("not allowed here") || reason.starts_with("Invalid command")) {
                continue; // syntax and argument errors are AP001/AP008/AP009
            }
            if !seen.insert(*at) || m.scopes[i].kind != ScopeKind::Htaccess {
                continue;
            }
            out.push(finding(m, i, *at, reason, *allow_override));
        }
    }
}

fn finding(
    m: &ApacheModel,
    scope: usize,
    at: Span,
    reason: &str,
    allow_override: Option<DirectiveRef>,
) -> Diagnostic {
    let dir = &m.scopes[scope].pattern;
    let mut d = diag(
        &RULE.info,
        at,
        format!("{reason}: every request under {dir} answers 500"),
    )
    .label("httpd rejects the whole .htaccess here");
    match allow_override {
        Some(r) => d = d.with_secondary(m.dir(r).dir.span, "AllowOverride in effect"),
        None => d.message.push_str(
            " (no AllowOverride is set for this directory: httpd reads the file but allows \
             nothing; only an explicit `AllowOverride None` ignores it)",
        ),
    }
    d.help(help(refused_name(reason), reason, dir))
}

/// The directive httpd's message names ("Invalid command 'X', …", "X not allowed here").
fn refused_name(reason: &str) -> &str {
    match reason.strip_prefix("Invalid command '") {
        Some(rest) => rest.split('\'').next().unwrap_or(rest),
        None => reason.trim_end_matches(" not allowed here"),
    }
}

/// What to do about the refused directive `name`.
fn help(name: &str, reason: &str, dir: &str) -> String {
    if !reason.starts_with("Invalid command") {
        let classes = directives::commands(name)
            .iter()
            .map(|c| c.classes)
            .fold(Classes::NONE, Classes::union)
            .keywords();
        return match classes.first() {
            Some(class) => format!(
                "add the class to AllowOverride for {dir}, e.g. `AllowOverride {class}`, or \
                 remove the line"
            ),
            None => format!(
                "{name} is never allowed in a .htaccess: move it to the server configuration"
            ),
        };
    }
    if name.starts_with("//") || name.starts_with(';') {
        return "Apache comments start with `#` at the start of a line".into();
    }
    match directives::commands(name).first() {
        Some(c) => {
            let short = c.module.trim_end_matches("_module");
            format!(
                "{} is defined by mod_{short}: enable it (`a2enmod {short}`), or wrap the \
                 line in `<IfModule {}>`",
                c.name, c.module
            )
        }
        None => "no module htguard knows defines it: fix the spelling, or remove the line".into(),
    }
}
