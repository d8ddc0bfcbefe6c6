//! NX007: a variable in the user-file path.

use super::common::{diag, file_uses};
use crate::diag::{Diagnostic, Severity};
use crate::model::nginx::{NginxModel, client_controlled};
use crate::rules::{Context, Family, Rule, RuleInfo};
use crate::source::glob::{self, Dialect};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "NX007",
        name: "nginx-user-file-variable",
        family: Family::Nginx,
        severity: Severity::Warning,
        summary: "auth_basic_user_file with variables: only checked per request, may name no file",
        doc: r#"## What it does
Reports an `auth_basic_user_file` whose path contains variables (`$host`,
`$http_x_tenant`, `${realm}`), lists the existing files the path can reach (each
variable read as "anything"), and says when a client chooses the value.

## Why is this bad?
nginx evaluates the path on every request; `nginx -t` cannot check it and htguard cannot
check the password files behind it. A value that names no file gives **403** to every
login (like a missing file). When the variable comes from the request (`$http_*`,
`$arg_*`, `$cookie_*`, `$host`), the client picks which file is opened: a header such as
`X-Tenant: ../other` can point the check at another site's users.

## Example
```nginx
auth_basic_user_file /etc/nginx/users/$http_x_tenant.htpasswd;
```

## Use instead
Map the client value to a fixed list of files, with a default that exists:
```nginx
map $host $user_file {
    default          /etc/nginx/users/default.htpasswd;
    a.example.com    /etc/nginx/users/a.htpasswd;
}
auth_basic_user_file $user_file;
```
or write one `server` per site with a literal path.

## References
- https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic_user_file
"#,
    },
    check,
};

/// Variable names in a value (`$a`, `${b}`).
pub fn variables(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (start, braced) = if b.get(i + 1) == Some(&b'{') {
                (i + 2, true)
            } else {
                (i + 1, false)
            };
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start {
                out.push(value[start..j].to_string());
            }
            i = if braced { j + 1 } else { j };
        } else {
            i += 1;
        }
    }
    out
}

/// The value with each variable replaced by `*`.
pub fn as_glob(value: &str) -> String {
    let mut s = value.to_string();
    for v in variables(value) {
        s = s
            .replacen(&format!("${{{v}}}"), "*", 1)
            .replacen(&format!("${v}"), "*", 1);
    }
    s
}

/// What the files matching `pattern` (a path with `*` for each variable) are: "no
/// existing file matches ..." or "it can reach N file(s): ...".
fn reach(m: &NginxModel, pattern: &str) -> String {
    let to_local = |p: &Path| m.local(p);
    let found: Vec<PathBuf> = glob::expand(Path::new(pattern), Dialect::Nginx, &to_local)
        .paths
        .iter()
        .map(|p| m.local(p))
        .collect();
    match found.len() {
        0 => format!("no existing file matches {pattern}: every login gets 403"),
        n => {
            let shown: Vec<String> = found
                .iter()
                .take(5)
                .map(|p| p.display().to_string())
                .collect();
            let more = if n > 5 {
                format!(" and {} more", n - 5)
            } else {
                String::new()
            };
            format!("it can reach {n} file(s): {}{more}", shown.join(", "))
        }
    }
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for m in ctx.nginx {
        // Many servers often share one pattern (`/etc/nginx/users/$host`): list it once.
        let mut reach_of: HashMap<String, String> = HashMap::new();
        for u in file_uses(m) {
            let f = &u.file.value;
            if !f.has_variable {
                continue;
            }
            let pattern = as_glob(&f.server_path.to_string_lossy());
            let reach = reach_of
                .entry(pattern.clone())
                .or_insert_with(|| reach(m, &pattern));
            let vars = variables(&f.raw);
            let mut d = diag(
                &RULE.info,
                u.file.arg,
                format!(
                    "user file path has variables (${}): nginx resolves it per request, nginx -t never checks it; {reach}",
                    vars.join(", $")
                ),
            )
            .label(format!("matches {pattern}"))
            .help("use a literal path per server, or a `map` onto a fixed set of files with a default that exists");
            let client: Vec<&str> = vars
                .iter()
                .filter(|v| client_controlled(v))
                .map(String::as_str)
                .collect();
            if !client.is_empty() {
                d = d.with_secondary(
                    u.file.arg,
                    format!(
                        "${} comes from the request: the client chooses the file",
                        client.join(", $")
                    ),
                );
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variables() {
        assert_eq!(variables("/a/$host.${x}y/$1"), ["host", "x", "1"]);
        assert_eq!(as_glob("/a/$host.${x}y"), "/a/*.*y");
    }
}
