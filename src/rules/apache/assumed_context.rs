//! AP025: what htguard assumed about configuration it could not see.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP025",
        name: "apache-assumed-context",
        family: Family::Apache,
        severity: Severity::Info,
        summary: "a vhost snippet or lone `.htaccess` was checked against an assumed stock Debian main config",
        doc: r#"## What it does
When the checked file is a vhost or conf snippet, or a `.htaccess` on its own, htguard
cannot see the main configuration around it. It assumes a stock Debian `apache2.conf`
(ServerRoot `/etc/apache2`, worker user `www-data`, the modules Debian enables by default,
`<Directory />` and `AllowOverride None`, `<FilesMatch "^\.ht">` denied) — and for a lone
`.htaccess`, `AllowOverride All` for its directory so that its own directives are checked.
This finding says so, so that no prediction is taken for more than it is.

## Why is this bad?
It is not; it is a note. If your main config differs, check it instead (`--apache-config
/etc/apache2/apache2.conf`), and the predictions follow your real settings.

## Example
```sh
htguard check sites-available/app.conf
```

## Use instead
```sh
htguard check --apache-config /etc/apache2/apache2.conf
```

## References
- https://httpd.apache.org/docs/2.4/configuring.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for a in &m.assumptions {
            out.push(
                diag(&RULE.info, a.span, a.message.clone())
                    .label("checked against an assumed context")
                    .help("check the whole tree with `--apache-config /etc/apache2/apache2.conf` for exact predictions"),
            );
        }
    }
}
