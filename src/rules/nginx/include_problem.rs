//! NX002: an `include` nginx cannot follow.

use crate::diag::{Diagnostic, Severity};
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
contains the `include`; a pattern with `*`, `?` or `[` is expanded like glob(3) (sorted,
hidden files only when the pattern starts with a dot, no match is not an error). It
reports a plain path that does not exist or cannot be read, and an include that leads
back to a file already being read.

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

/// Emitted by the loader while following includes (`model::nginx::load`).
fn check(_ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
