//! AP005: an AuthGroupFile the worker cannot open.

use super::common::{ReportedOnce, area_label, arg_span, diag, live_areas};
use super::user_file_unusable::FileChecks;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Family, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP005",
        name: "auth-group-file-unusable",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "AuthGroupFile is missing, not a regular file, or unreadable by the worker user",
        doc: r#"## What it does
Resolves every `AuthGroupFile` that a `Require group` depends on (relative to ServerRoot,
`--root` applied) and checks that the worker user (`User`, `www-data` on Debian) can open it.

## Why is this bad?
mod_authz_groupfile logs AH01665 "Could not open group file" and denies: **every request
answers 401**, even with a correct password, so the login prompt keeps coming back. (Unlike a
missing AuthUserFile, which gives 500.)

## Example
```apache
AuthGroupFile /etc/apache2/groups     # does not exist
Require group admins
```

## Use instead
```sh
printf 'admins: alice bob\n' > /etc/apache2/groups
chown root:www-data /etc/apache2/groups && chmod 0640 /etc/apache2/groups
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authz_groupfile.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    let mut files = FileChecks::default();
    for (m, a) in live_areas(ctx) {
        let Some(r) = a.config.group_file else {
            continue;
        };
        let uses_group = a.config.requires().iter().any(|n| {
            matches!(n, crate::model::apache::RequireNode::Req { provider, .. } if provider == "group")
        });
        if !uses_group {
            continue;
        }
        let span = arg_span(m, r);
        if !once.first(span, "") {
            continue;
        }
        let Some(problem) = files.problem(m, r) else {
            continue;
        };
        let what = problem.what;
        out.push(
            diag(
                &RULE.info,
                span,
                format!("{what}: every request under {} answers 401, even with the right password", area_label(m, a)),
            )
            .label("mod_authz_groupfile cannot open this file")
            .help(format!(
                "create it with lines like `admins: alice bob`, readable by `{}` (chmod 0640, group {})",
                m.user.0, m.group.0
            )),
        );
    }
}
