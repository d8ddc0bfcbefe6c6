//! AP006: a relative AuthUserFile/AuthGroupFile, resolved against ServerRoot.

use super::common::{diag, htaccess_dir};
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};
use std::path::Path;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP006",
        name: "relative-auth-file",
        family: Family::Apache,
        severity: Severity::Warning,
        summary: "a relative AuthUserFile/AuthGroupFile path, which httpd resolves against ServerRoot",
        doc: r#"## What it does
Reports `AuthUserFile` and `AuthGroupFile` paths that are not absolute, and shows where
httpd will look: relative to **ServerRoot** (`ap_server_root_relative`) — also inside a
`.htaccess`, where people expect the `.htaccess` directory. It says so explicitly when a file
of that name sits beside the `.htaccess` but not under ServerRoot.

## Why is this bad?
`AuthUserFile .htpasswd` in `/srv/www/.htaccess` opens `/etc/apache2/.htpasswd`: the browser
shows the login prompt, then every login answers **500** (AH01620 "Could not open password
file: /etc/apache2/.htpasswd"). Moving ServerRoot or the file silently changes which file
is used.

## Example
```apache
# /srv/www/private/.htaccess
AuthUserFile .htpasswd
```

## Use instead
```apache
AuthUserFile /srv/www/private/.htpasswd
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_file.html#authuserfile
- https://httpd.apache.org/docs/2.4/mod/core.html#serverroot
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.apache {
        for s in &m.scopes {
            for d in &s.directives {
                if !(d.dir.is("AuthUserFile") || d.dir.is("AuthGroupFile")) {
                    continue;
                }
                let Some(v) = d.dir.arg(0) else { continue };
                if Path::new(v).is_absolute() || v.is_empty() {
                    continue;
                }
                let resolved = m.resolve(v);
                let span = d.dir.args_span();
                let mut msg = format!(
                    "`{v}` is resolved against ServerRoot: httpd opens {}",
                    resolved.display()
                );
                let mut help = format!(
                    "write the absolute path: `{} {}`",
                    d.dir.name,
                    resolved.display()
                );
                if let Some(dir) = htaccess_dir(m, span) {
                    let beside = Path::new(dir).join(v);
                    let beside_exists = m.local(&beside).is_file();
                    let resolved_exists = m.local(&resolved).is_file();
                    if beside_exists && !resolved_exists {
                        msg.push_str(&format!(
                            ", not {} beside this .htaccess (that file is never read)",
                            beside.display()
                        ));
                        help = format!(
                            "write the absolute path: `{} {}`",
                            d.dir.name,
                            beside.display()
                        );
                    } else {
                        msg.push_str(", not a path relative to this .htaccess");
                    }
                }
                let mut dg = diag(&RULE.info, span, msg)
                    .label("relative path")
                    .help(help);
                if let Some(sr) = m.server_root_span {
                    dg = dg.with_secondary(sr, "ServerRoot");
                }
                out.push(dg);
            }
        }
    }
}
