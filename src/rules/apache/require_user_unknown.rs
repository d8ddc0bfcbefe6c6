//! AP010: `Require user X` where X is not in the user file.

use super::common::{ReportedOnce, area_label, diag, live_areas, passwd_at, value};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{ApacheModel, Area, DirectiveRef, RequireNode};
use crate::model::passwd::{
    ApacheRead, Lookup, apache_find_basic, apache_find_digest, apache_view,
};
use crate::rules::{Context, Family, PasswdInput, Rule, RuleInfo};
use crate::source::Span;
use std::path::Path;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP010",
        name: "require-user-unknown",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "`Require user X` where X is not in the AuthUserFile (or differs only in case)",
        doc: r#"## What it does
Looks every name of `Require user` up in the user file in effect, the way httpd reads it
(first entry wins; for Digest, the user must be in the AuthName realm). User names are
case-sensitive; a name that matches only when case is ignored is called out.

## Why is this bad?
That user can never log in: the password check fails for a name that is not in the file
(AH01618 "user not found"), so the login prompt returns forever. When it is the only name,
**nobody** gets in.

## Example
```apache
Require user Alice      # the file has `alice:$apr1$…`
```

## Use instead
```apache
Require user alice
```
or add the user: `htpasswd /etc/apache2/.htpasswd Alice`.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authz_user.html
"#,
    },
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    for (m, a) in live_areas(ctx) {
        let Some(uf) = a.config.user_file else {
            continue;
        };
        let required = required_users(a);
        if !a.uses_file_provider(m) || required.is_empty() {
            continue;
        }
        let shown = m.resolve(value(m, uf));
        let local = m.local(&shown);
        let Some(input) = passwd_at(ctx, &local) else {
            continue;
        };
        let file = UserFile {
            input,
            src: &ctx.sources.get(input.file).bytes,
            shown: &shown,
            directive: uf,
            digest: a.is_digest(),
            realm: a.config.auth_name.map(|r| value(m, r)).unwrap_or(""),
        };
        for r in required {
            for arg in m.dir(r).dir.args.iter().skip(1) {
                let user = arg.value.as_str();
                let stopped = match file.find(user) {
                    Lookup::Found(_) => continue,
                    Lookup::NotFound { stopped_at } => stopped_at,
                };
                if once.first(arg.span, &local.to_string_lossy()) {
                    out.push(unknown_user(m, a, &file, user, arg.span, stopped));
                }
            }
        }
    }
}

/// The `Require user` lines (not negated) in effect at an area.
fn required_users(a: &Area) -> Vec<DirectiveRef> {
    a.config
        .requires()
        .into_iter()
        .filter_map(|n| match n {
            RequireNode::Req {
                directive,
                provider,
                negate: false,
                ..
            } if provider == "user" => Some(*directive),
            _ => None,
        })
        .collect()
}

/// The user file in effect at an area, as httpd reads it there.
struct UserFile<'a> {
    input: &'a PasswdInput,
    src: &'a [u8],
    /// Its path as httpd opens it.
    shown: &'a Path,
    directive: DirectiveRef,
    digest: bool,
    realm: &'a str,
}

impl UserFile<'_> {
    /// Whether httpd finds `user` (and where it stopped reading when not).
    fn find(&self, user: &str) -> Lookup<()> {
        let parsed = &self.input.parsed;
        let (user, realm) = (user.as_bytes(), self.realm.as_bytes());
        let lookup = if self.digest {
            apache_find_digest(parsed, self.src, user, realm).found()
        } else {
            apache_find_basic(parsed, self.src, user).found()
        };
        match lookup {
            Some(_) => Lookup::Found(()),
            // Not found: the read may have stopped at an over-long line.
            None => Lookup::NotFound {
                stopped_at: apache_view(parsed, self.src)
                    .find(|r| r.read == ApacheRead::StopsReading)
                    .map(|r| r.first_line),
            },
        }
    }

    /// An entry whose name differs from `user` only in case (in the realm, for Digest).
    fn near(&self, user: &str) -> Option<(String, std::ops::Range<usize>)> {
        apache_view(&self.input.parsed, self.src).find_map(|rec| match &rec.read {
            ApacheRead::Entry(e)
                if e.user.lossy().eq_ignore_ascii_case(user)
                    && (!self.digest || e.digest_realm().as_bytes() == self.realm.as_bytes()) =>
            {
                Some((e.user.lossy().into_owned(), e.user.span.clone()))
            }
            _ => None,
        })
    }
}

/// The finding for `user`, named at `at`, missing from `file`.
fn unknown_user(
    m: &ApacheModel,
    a: &Area,
    file: &UserFile<'_>,
    user: &str,
    at: Span,
    stopped: Option<usize>,
) -> Diagnostic {
    let near = file.near(user);
    let realm_note = if file.digest {
        format!(" in realm \"{}\"", file.realm)
    } else {
        String::new()
    };
    let shown = file.shown.display();
    let message = match &near {
        Some((name, _)) => format!(
            "user `{user}` is not in {shown}{realm_note}; `{name}` differs only in case (names are case-sensitive): `{user}` can never log in under {}",
            area_label(m, a)
        ),
        None => format!(
            "user `{user}` is not in {shown}{realm_note}: `{user}` can never log in under {}",
            area_label(m, a)
        ),
    };
    let mut d = diag(&RULE.info, at, message)
        .label("not in the user file")
        .with_secondary(
            m.dir(file.directive).dir.args_span(),
            "the user file in effect",
        );
    let id = file.input.file;
    if let Some(l) = stopped.and_then(|line| file.input.parsed.line(line)) {
        d = d.with_secondary(
            Span::new(id, l.start(), l.content().end),
            "httpd stops reading the file at this over-long line",
        );
    }
    let help = match &near {
        Some((name, span)) => {
            d = d.with_secondary(Span::new(id, span.start, span.end), "this entry");
            format!("write `Require user {name}`")
        }
        None if file.digest => format!("add it: `htdigest {shown} \"{}\" {user}`", file.realm),
        None => format!("add it: `htpasswd {shown} {user}`"),
    };
    d.help(help)
}
