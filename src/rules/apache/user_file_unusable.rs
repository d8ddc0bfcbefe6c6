//! AP004: an AuthUserFile the worker cannot open.

use super::area_requests::{METHODS, ask, join_methods, local_files, probe_credentials};
use super::common::{ReportedOnce, area_label, arg_span, diag, live_areas, value};
use crate::diag::{Diagnostic, Severity};
use crate::model::apache::DirectiveRef;
use crate::model::apache::access::{self, FileAccess};
use crate::model::apache::{ApacheModel, Area};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::access::Directories;
use foldhash::HashMap;
use std::path::{Path, PathBuf};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "AP004",
        name: "auth-user-file-unusable",
        family: Family::Apache,
        severity: Severity::Error,
        summary: "AuthUserFile is missing, not a regular file, or unreadable by the worker user",
        doc: r#"## What it does
Resolves every `AuthUserFile` as httpd does (relative to ServerRoot, `--root` applied) and
checks that the file exists, is a regular file, and can be read by the user httpd's workers
run as (`User`/`Group`, `www-data` on Debian, `--server-user`): the mode bits, owner and
group of the file and the search permission of every directory above it are compared with
that user's uid and groups from `/etc/passwd` and `/etc/group`. It reports the file where
a request reaches the login (asked of the request evaluator, method by method): under
`Require all granted` no login happens and httpd never opens the file.

## Why is this bad?
The browser shows the login prompt (401 without credentials), and then **every request that
sends credentials answers 500** — good password or bad. The error log says AH01620 "Could not
open password file" (or AH00554 "not a regular file"). Running `htpasswd` as root and
leaving the file `0600 root:root` is the usual cause.

## Example
```apache
<Directory "/var/www/private">
    AuthType Basic
    AuthName "Private"
    AuthUserFile /etc/apache2/.htpasswd   # -rw------- root root
    Require valid-user
</Directory>
```

## Use instead
```sh
chown root:www-data /etc/apache2/.htpasswd
chmod 0640 /etc/apache2/.htpasswd
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authn_file.html#authuserfile
- https://httpd.apache.org/docs/2.4/howto/auth.html
"#,
    },
    check,
};

/// What is wrong, for the worker user, with each file a directive names (shared with AP005).
/// Many directives name the same file: the file system is asked once per file.
#[derive(Default)]
pub struct FileChecks<'a> {
    seen: HashMap<PathBuf, FileAccess>,
    /// By model and argument as written: thousands of directives spell the same few
    /// files, and resolving and hashing a path costs more than hashing the text.
    by_arg: HashMap<(usize, &'a str), (PathBuf, FileAccess)>,
    /// The directories above the files, examined once each (1,000 files in one
    /// directory: 1,000 directory checks fewer per level).
    directories: Directories,
}

/// A file the worker user cannot use.
pub struct Problem {
    /// The path httpd opens (ServerRoot applied).
    pub server_path: PathBuf,
    pub access: FileAccess,
    /// What is wrong, as a sentence start: "/x does not exist".
    pub what: String,
}

impl<'a> FileChecks<'a> {
    /// What stops the worker reading the file directive `r` names, if anything.
    pub fn problem(&mut self, m: &'a ApacheModel, r: DirectiveRef) -> Option<Problem> {
        let key = (std::ptr::from_ref(m) as usize, value(m, r));
        if !self.by_arg.contains_key(&key) {
            let server_path = m.resolve(key.1);
            let access = self.access(m, &server_path);
            self.by_arg.insert(key, (server_path, access));
        }
        let (server_path, access) = &self.by_arg[&key];
        let what = describe(m, access, server_path)?;
        Some(Problem {
            server_path: server_path.clone(),
            access: access.clone(),
            what,
        })
    }

    /// What the worker gets opening `server_path`, checked once per path.
    fn access(&mut self, m: &'a ApacheModel, server_path: &Path) -> FileAccess {
        if let Some(known) = self.seen.get(server_path) {
            return known.clone();
        }
        let found = access::check(
            &m.local(server_path),
            m.opts.root.as_deref(),
            m.worker.as_ref(),
            &self.directories,
        );
        self.seen.insert(server_path.to_path_buf(), found.clone());
        found
    }
}

fn describe(m: &ApacheModel, acc: &FileAccess, shown: &Path) -> Option<String> {
    Some(match acc {
        FileAccess::Readable | FileAccess::UnknownUser => return None,
        FileAccess::Missing => format!("{} does not exist", shown.display()),
        FileAccess::NotRegular => format!("{} is not a regular file", shown.display()),
        FileAccess::Denied(why) => format!(
            "{} cannot be read by the worker user `{}` ({why})",
            shown.display(),
            m.user.0
        ),
    })
}

/// The methods whose requests with credentials reach authentication in the area, as the
/// request evaluator answers (None: the area has no URL to ask about). `Require all
/// granted`, for one, lets every request in without a login: the file is never opened.
fn methods_with_login(m: &ApacheModel, a: &Area) -> Option<Vec<&'static str>> {
    let url = a.place.url.as_deref()?;
    let files = local_files(m);
    let logs_in = |method| {
        ask(
            m,
            &files,
            (a.place.server, url),
            method,
            Some(probe_credentials()),
            true,
        )
    };
    let get = logs_in("GET")?;
    if !get.reads.method {
        return Some(if get.login.is_some() {
            METHODS.to_vec()
        } else {
            Vec::new()
        });
    }
    let mut methods: Vec<&str> = Vec::new();
    methods.extend(get.login.is_some().then_some("GET"));
    for &method in &METHODS[1..] {
        if logs_in(method)?.login.is_some() {
            methods.push(method);
        }
    }
    Some(methods)
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = ReportedOnce::default();
    let mut files = FileChecks::default();
    for (m, a) in live_areas(ctx) {
        let Some(r) = a.config.user_file else {
            continue;
        };
        if !a.uses_file_provider(m) || !a.has_auth_type() {
            continue;
        }
        let span = arg_span(m, r);
        if !once.first(span, "") {
            continue;
        }
        let Some(Problem {
            server_path,
            access: acc,
            what,
        }) = files.problem(m, r)
        else {
            continue;
        };
        let logins = match methods_with_login(m, a) {
            Some(methods) if methods.is_empty() => continue,
            Some(methods) if methods.len() < METHODS.len() => {
                format!("every {} login", join_methods(&methods))
            }
            _ => "every login".to_string(),
        };
        let mut d = diag(
            &RULE.info,
            span,
            format!("{what}: {logins} under {} answers 500", area_label(m, a)),
        )
        .label("httpd opens this file on every request with credentials");
        if let Some(u) = m.user.1 {
            d = d.with_secondary(u, "the worker user");
        }
        let help = match acc {
            FileAccess::Missing => format!(
                "create it: `htguard user add --create {} USER`, or point AuthUserFile at the existing file (relative paths start at ServerRoot {})",
                server_path.display(),
                m.server_root.display()
            ),
            FileAccess::NotRegular => {
                "point AuthUserFile at the password file itself, not a directory".into()
            }
            _ => format!(
                "chown root:{} {} && chmod 0640 {}",
                m.group.0,
                server_path.display(),
                server_path.display()
            ),
        };
        out.push(d.help(help));
    }
}
