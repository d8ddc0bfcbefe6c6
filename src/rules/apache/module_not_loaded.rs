//! AP022: an auth directive or AuthType whose module is not loaded.

use super::common::{
    ReportedOnce, area_label, arg_span, diag, htaccess_ignored, live_areas, rejected_consequence,
    value,
};
use super::skipped_block;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::Outcome;
use crate::model::apache::{ApacheModel, Area, directive_module};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP022",
        name: "auth-module-not-loaded",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`AuthType Basic`/`Digest` or an auth directive whose module is not loaded",
        doc: r#"## What it does
Follows `LoadModule` (and `<IfModule>`) as httpd does and reports:
- `AuthType Basic` without mod_auth_basic, `AuthType Digest` without mod_auth_digest;
- an auth directive (`AuthUserFile`, `AuthGroupFile`, `AuthBasicProvider`, `Order`, …)
  whose module is not loaded;
- an `<IfModule mod_auth_basic.c>` (or any `<IfModule>`) holding auth directives whose
  module is not loaded: httpd skips the whole block.

## Why is this bad?
- AuthType without its module: **every request answers 500** (AH01796 "AuthType Basic
  configured without corresponding module").
- A directive from a missing module is an "Invalid command": the main configuration
  **will not start**; in a `.htaccess` every request to that directory answers **500**.
- Wrapping the block in `<IfModule mod_auth_basic.c>` instead silently drops it: the area is
  then **open (200)** where an enclosing section grants access. The request evaluator is
  asked what a GET to each URL the block restricted gets without it: only a 200 is
  reported (a block that also held the handler serving its URLs leaves a 404; one that
  only grants access exposes nothing).

## Example
```apache
# mod_auth_digest is not enabled
AuthType Digest
```

## Use instead
```sh
a2enmod auth_digest && systemctl reload apache2
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_auth_basic.html
- https://httpd.apache.org/docs/2.4/mod/mod_auth_digest.html
"#,
    },
    check,
};

/// The module defining directive `name` (any case), lower-cased on the stack: this runs
/// for every directive of every scope.
fn module_of(name: &str) -> Option<&'static str> {
    // Longer than any auth directive's name.
    const LONGEST: usize = 32;
    if name.len() > LONGEST {
        return None;
    }
    let mut buf = [0u8; LONGEST];
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    directive_module(std::str::from_utf8(lower).ok()?)
}

/// Whether the module for the area's AuthType (Basic or Digest) is loaded, or it has none:
/// then its outcome cannot be AH01796, and computing that is most of this rule's time.
fn module_loaded_for(m: &ApacheModel, a: &Area) -> bool {
    let Some(t) = a.config.auth_type else {
        return true;
    };
    let ty = value(m, t);
    let module = if ty.eq_ignore_ascii_case("basic") {
        "auth_basic_module"
    } else if ty.eq_ignore_ascii_case("digest") {
        "auth_digest_module"
    } else {
        return true;
    };
    m.has_module(module)
}

/// The finding for an `<IfModule>` block httpd skips, if it exposes something: a URL
/// its access rules covered answers 200 without them (asked of the request evaluator).
fn skipped_block_finding(
    ctx: &Context<'_>,
    m: &ApacheModel,
    span: Span,
    module: &str,
) -> Option<Diagnostic> {
    let short = module
        .trim_end_matches(".c")
        .trim_end_matches("_module")
        .trim_start_matches("mod_");
    let consequence = match skipped_block::exposed(m, ctx.sources, span) {
        Ok(None) => return None,
        Ok(Some(e)) => format!("GET {} answers {} without them", e.url, e.status),
        Err(()) => "whatever they were meant to protect is served without them".to_string(),
    };
    Some(
        diag(
            &RULE.info,
            span,
            format!("{module} is not loaded, so httpd skips this block and its auth directives: {consequence}"),
        )
        .label("skipped entirely")
        .help(format!("enable the module (`a2enmod {short}`) and drop the `<IfModule>` wrapper, so a missing module fails loudly")),
    )
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        if module_loaded_for(m, a) {
            continue;
        }
        if let Outcome::Error500(w) = a.outcome(m, "GET")
            && w.contains("AH01796")
            && let Some(t) = a.config.auth_type
        {
            let span = arg_span(m, t);
            if once.first(span, "") {
                let ty = a.config.auth_type(m).unwrap_or_default();
                out.push(
                    diag(&RULE.info, span, format!("AuthType {ty} but mod_auth_{ty} is not loaded: every request under {} answers 500 (AH01796)", area_label(m, a)))
                        .label("no module handles this AuthType")
                        .help(format!("enable it: `a2enmod auth_{ty}` (or `LoadModule auth_{ty}_module modules/mod_auth_{ty}.so`)")),
                );
            }
        }
    }
    for m in ctx.apache {
        for (span, module) in &m.skipped_auth {
            if !module.starts_with('!')
                && let Some(d) = skipped_block_finding(ctx, m, *span, module)
            {
                out.push(d);
            }
        }
        for (si, s) in m.scopes.iter().enumerate() {
            // In a `.htaccess` the same mistake is AP018's finding (500 for the directory).
            if htaccess_ignored(m, si) || s.kind == crate::model::apache::ScopeKind::Htaccess {
                continue;
            }
            for d in &s.directives {
                let Some(module) = module_of(&d.dir.name) else {
                    continue;
                };
                if m.has_module(module) || !once.first(d.dir.name_span, "") {
                    continue;
                }
                let short = module.trim_end_matches("_module");
                out.push(
                    diag(
                        &RULE.info,
                        d.dir.name_span,
                        format!("Invalid command '{}': it is defined by mod_{short}, which is not loaded", d.dir.name),
                    )
                    .label(rejected_consequence(m, d.dir.name_span))
                    .help(format!("enable it: `a2enmod {short}`")),
                );
            }
        }
    }
}
