//! AP005: an AuthGroupFile the worker cannot open.

use super::area_requests::{
    METHODS, ValidLogin, ask, join_methods, local_files, probe_credentials,
};
use super::common::{ReportedOnce, area_label, arg_span, diag, live_areas, value};
use super::user_file_unusable::FileChecks;
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{ApacheModel, Area};
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
Which requests it stops is asked of the request evaluator, method by method, for a user
whose password is right: a `Require group` inside `<Limit POST>` stops POST only.

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
        let place = area_label(m, a);
        let message = match denied_methods(m, a) {
            Some(Denied { methods, .. }) if methods.is_empty() => continue,
            Some(Denied { methods, others }) if methods.len() < METHODS.len() => format!(
                "{what}: {} requests under {place} answer 401, even with the right password; with a valid login, {} get {others}",
                join_methods(&methods),
                join_methods(&not_in(&methods)),
            ),
            _ => format!(
                "{what}: every request under {place} answers 401, even with the right password"
            ),
        };
        out.push(
            diag(&RULE.info, span, message)
            .label("mod_authz_groupfile cannot open this file")
            .help(format!(
                "create it with lines like `admins: alice bob`, readable by `{}` (chmod 0640, group {})",
                m.user.0, m.group.0
            )),
        );
    }
}

/// What requests with a valid login get in an area whose group file cannot be opened.
struct Denied {
    /// The methods answered 401 (they need the group).
    methods: Vec<&'static str>,
    /// What the other methods get (`200`, `403`…).
    others: String,
}

/// Asks the request evaluator what each method gets with a valid login (the user file
/// taken as holding the user): None when the area has no URL to ask about, or its
/// users are not in a file htguard reads.
fn denied_methods(m: &ApacheModel, a: &Area) -> Option<Denied> {
    let url = a.place.url.as_deref()?;
    let user_file = a.config.user_file.filter(|_| a.uses_file_provider(m))?;
    let local = local_files(m);
    let files = ValidLogin {
        inner: &local,
        user_file: m.resolve(value(m, user_file)),
    };
    let status = |method| {
        let e = ask(
            m,
            &files,
            (a.place.server, url),
            method,
            Some(probe_credentials()),
            true,
        )?;
        Some((e.answer.status(), e.reads.method))
    };
    let (get, by_method) = status("GET")?;
    let mut answers = vec![("GET", get)];
    for &method in &METHODS[1..] {
        let answer = if by_method { status(method)?.0 } else { get };
        answers.push((method, answer));
    }
    let methods = answers
        .iter()
        .filter(|(_, s)| *s == Some(401))
        .map(|(meth, _)| *meth)
        .collect();
    let mut others: Vec<String> = answers
        .iter()
        .filter(|(_, s)| *s != Some(401))
        .map(|(_, s)| match s {
            Some(200) => "200 (access granted)".to_string(),
            Some(code) => code.to_string(),
            None => "an answer decided elsewhere".to_string(),
        })
        .collect();
    others.dedup();
    Some(Denied {
        methods,
        others: others.join(" or "),
    })
}

/// The methods of [`METHODS`] not in `methods`.
fn not_in(methods: &[&str]) -> Vec<&'static str> {
    METHODS
        .iter()
        .copied()
        .filter(|x| !methods.contains(x))
        .collect()
}
