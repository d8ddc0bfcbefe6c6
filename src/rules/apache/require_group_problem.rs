//! AP011: `Require group G` that can never be satisfied.

use super::common::{
    ReportedOnce, area_label, diag, live_areas, passwd_at, rejected_consequence, value,
};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::RequireNode;
use crate::model::passwd::apache_groups;
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP011",
        name: "require-group-problem",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Require group G` without mod_authz_groupfile, without AuthGroupFile, or with G absent or empty",
        doc: r#"## What it does
For each `Require group` it checks that mod_authz_groupfile is loaded (Debian does not
enable it by default: `a2enmod authz_groupfile`), that an `AuthGroupFile` is in effect, and
that every named group is in that file with at least one member.

## Why is this bad?
- module not loaded: "Unknown Authz provider: group" — the main configuration will not
  start; in a `.htaccess` every request answers 500;
- no AuthGroupFile, or the group is absent or empty: nobody is ever a member, so every
  login answers **401** and the prompt returns forever.

## Example
```apache
AuthGroupFile /etc/apache2/groups   # has `admin: alice`
Require group admins
```

## Use instead
```apache
Require group admin
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authz_groupfile.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        for n in a.config.requires() {
            let RequireNode::Req {
                directive: r,
                provider,
                args,
                ..
            } = n
            else {
                continue;
            };
            if provider != "group" {
                continue;
            }
            let req = &m.dir(*r).dir;
            if !m.has_module("authz_groupfile_module") {
                if once.first(req.span, "module") {
                    out.push(
                        diag(&RULE.info, req.args_span(), "`Require group` needs mod_authz_groupfile, which is not loaded: \"Unknown Authz provider: group\"")
                            .label(rejected_consequence(m, req.span))
                            .help("enable it: `a2enmod authz_groupfile` (or `LoadModule authz_groupfile_module modules/mod_authz_groupfile.so`)"),
                    );
                }
                continue;
            }
            let Some(gf) = a.config.group_file else {
                if once.first(req.span, "nofile") {
                    out.push(
                        diag(&RULE.info, req.args_span(), format!("`Require group` with no AuthGroupFile in effect: nobody is in any group, every login under {} answers 401", area_label(m, a)))
                            .label("no group file")
                            .help("add `AuthGroupFile /etc/apache2/groups` with lines like `admins: alice bob`"),
                    );
                }
                continue;
            };
            let shown = m.resolve(value(m, gf));
            let local = m.local(&shown);
            let Some(input) = passwd_at(ctx, &local) else {
                continue;
            };
            let src = &ctx.sources.get(input.file).bytes;
            let groups: Vec<_> = apache_groups(&input.parsed, src).collect();
            for (i, g) in args.iter().enumerate() {
                let arg_span = req.args.get(i + 1).map(|a| a.span).unwrap_or(req.span);
                let rec = groups
                    .iter()
                    .find(|rec| rec.name.as_bytes() == g.as_bytes());
                let problem = match rec {
                    None => format!("group `{g}` is not in {}", shown.display()),
                    Some(rec) if rec.members.is_empty() => {
                        format!("group `{g}` in {} has no members", shown.display())
                    }
                    Some(_) => continue,
                };
                if !once.first(arg_span, &local.to_string_lossy()) {
                    continue;
                }
                let mut d = diag(
                    &RULE.info,
                    arg_span,
                    format!(
                        "{problem}: nobody gets in through it under {}",
                        area_label(m, a)
                    ),
                )
                .label("never satisfied")
                .with_secondary(m.dir(gf).dir.args_span(), "the group file in effect");
                if let Some(rec) = rec
                    && let Some(l) = input.parsed.line(rec.first_line)
                {
                    d = d.with_secondary(
                        Span::new(input.file, l.start(), l.content().end),
                        "this group line",
                    );
                }
                out.push(d.help(format!(
                    "add a line `{g}: user1 user2` to {}",
                    shown.display()
                )));
            }
        }
    }
}
