//! NX002: an `include` nginx cannot follow.

use super::common::diag;
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::ProblemKind;
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX002",
        name: "nginx-include-problem",
        family: Family::Nginx,
        severity: Severity::Error,
        summary: "`include` of a file that does not exist, cannot be read, or includes itself",
        doc: r#"## What it does
Follows every `include` as nginx does: a relative path is resolved against the **conf
prefix** (the directory of nginx.conf, `/etc/nginx` on Debian), not against the file that
contains the `include`; a pattern with `*`, `?` or `[` is expanded like glob(3) (the
whole list sorted byte-wise, hidden files only when the pattern starts with a dot, no
match is not an error). It reports a plain path that does not exist or cannot be read, a
match nginx cannot read as a file (a directory, `.` and `..` from `.*`, a dangling link),
and an include that leads back to a file already being read.

## Why is this bad?
A missing include makes `nginx -t` fail and nginx refuse to start or reload. An include
cycle makes nginx recurse until it runs out of file descriptors. When the include holds
the `auth_basic` directives of a site, whatever htguard says about that site assumes
settings nginx never loaded.

## Example
```nginx
# /etc/nginx/sites-enabled/app
server {
    include snippets/auth.conf;   # looked up as /etc/nginx/snippets/auth.conf
}
```

## Use instead
Create the file at the resolved path, or write the path absolute:
```nginx
server {
    include /etc/nginx/snippets/auth.conf;
}
```

## References
- https://nginx.org/en/docs/ngx_core_module.html#include
- nginx source: `src/core/ngx_conf_file.c` (`ngx_conf_include`, `ngx_conf_full_name`)
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in ctx.nginx.iter().flat_map(|m| &m.problems) {
        let help = match p.kind {
            ProblemKind::Syntax | ProblemKind::Refused => continue,
            ProblemKind::IncludeNotOpened { relative: false } => {
                Some("create the file, or correct the path")
            }
            ProblemKind::IncludeNotOpened { relative: true } => Some(
                "relative include paths are resolved against the conf prefix (the directory of nginx.conf); pass --prefix if it differs",
            ),
            ProblemKind::IncludeCycle => Some(
                "nginx would recurse until it runs out of file descriptors; remove the include from the included file",
            ),
            ProblemKind::IncludeTooDeep => None,
        };
        let d = diag(&RULE.info, p.span, p.message.clone()).label("this include");
        out.push(match help {
            Some(h) => d.help(h),
            None => d,
        });
    }
}
