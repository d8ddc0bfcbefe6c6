//! NX001 (and NX002 for an include nginx cannot open) point at the line `nginx -t`
//! names. Each case is a tiny configuration nginx refuses; the real
//! `nginx -t -p DIR/ -c DIR/nginx.conf -e DIR/error.log` says `... in FILE:LINE`, and
//! htguard's first finding must be in that file at that line. nginx names the line its
//! tokenizer is on when it judges a directive: the line of the `;` or `{` that ends it,
//! which is not the directive's first line when the directive spans lines.

mod common;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// What htguard is to say about a case.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    /// A finding at nginx's file and line.
    Found,
    /// A refusal htguard does not detect (it needs nginx's table of directives, their
    /// contexts and argument counts): no finding, or one at nginx's line.
    NotDetected,
}

struct Case {
    name: &'static str,
    /// Files under the temp dir (`nginx.conf` first); `{dir}` is the temp dir, `{long}`
    /// a word longer than nginx's 4 KiB read buffer.
    files: &'static [(&'static str, &'static str)],
    /// Words nginx's message holds.
    nginx_says: &'static str,
    expect: Expect,
}

const CASES: &[Case] = &[
    Case {
        name: "a missing ; before }",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    listen 127.0.0.1:8080\n  }\n}\n",
        )],
        nginx_says: "unexpected \"}\"",
        expect: Expect::Found,
    },
    Case {
        name: "one } too many",
        files: &[("nginx.conf", "events {}\nhttp {\n}\n}\n")],
        nginx_says: "unexpected \"}\"",
        expect: Expect::Found,
    },
    Case {
        name: "a block left open, blank lines after",
        files: &[("nginx.conf", "events {}\nhttp {\n  server {\n  }\n\n\n")],
        nginx_says: "unexpected end of file, expecting \"}\"",
        expect: Expect::Found,
    },
    Case {
        name: "a directive left open at the end of the file",
        files: &[("nginx.conf", "events {}\nhttp {\n  server {\n    listen 80")],
        nginx_says: "unexpected end of file",
        expect: Expect::Found,
    },
    Case {
        name: "a quote followed by a character",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    root \"a\"b;\n  }\n}\n",
        )],
        nginx_says: "unexpected \"b\"",
        expect: Expect::Found,
    },
    Case {
        name: "a lone ;",
        files: &[("nginx.conf", "events {}\nhttp {\n\n  ;\n}\n")],
        nginx_says: "unexpected \";\"",
        expect: Expect::Found,
    },
    Case {
        name: "a { with no directive",
        files: &[("nginx.conf", "events {}\nhttp {\n  {\n  }\n}\n")],
        nginx_says: "unexpected \"{\"",
        expect: Expect::Found,
    },
    Case {
        name: "a quote left open to the end of the file",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    root \"abc\n\ndef\n",
        )],
        nginx_says: "unexpected end of file, expecting \";\" or \"}\"",
        expect: Expect::Found,
    },
    Case {
        name: "a quote over two lines followed by a character",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    return 200 'a\n b'x;\n  }\n}\n",
        )],
        nginx_says: "unexpected \"x\"",
        expect: Expect::Found,
    },
    Case {
        name: "a parameter longer than nginx's buffer",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    root {long};\n  }\n}\n",
        )],
        nginx_says: "too long parameter",
        expect: Expect::Found,
    },
    Case {
        name: "a name no directive has, over two lines",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    Root\n      /srv;\n  }\n}\n",
        )],
        nginx_says: "unknown directive \"Root\"",
        expect: Expect::Found,
    },
    Case {
        name: "an unquoted regex brace",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    location ~ ^/a{2}$ {\n    }\n  }\n}\n",
        )],
        nginx_says: "unknown directive \"2}$\"",
        expect: Expect::Found,
    },
    Case {
        name: "an include of a missing file, over three lines",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  include\n    {dir}/missing.conf\n  ;\n}\n",
        )],
        nginx_says: "failed (2: No such file or directory)",
        expect: Expect::Found,
    },
    Case {
        name: "a syntax error in an included file",
        files: &[
            (
                "nginx.conf",
                "events {}\nhttp {\n  include {dir}/site.conf;\n}\n",
            ),
            (
                "site.conf",
                "server {\n  listen 127.0.0.1:8080;\n  root /srv\n}\n",
            ),
        ],
        nginx_says: "unexpected \"}\"",
        expect: Expect::Found,
    },
    Case {
        name: "a duplicate prefix location, { on its own line",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    listen 127.0.0.1:8080;\n    location /a {\n    }\n    location /a\n    {\n    }\n  }\n}\n",
        )],
        nginx_says: "duplicate location \"/a\"",
        expect: Expect::Found,
    },
    Case {
        name: "a duplicate exact location",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    listen 127.0.0.1:8080;\n    location = /a {\n    }\n\n    location = /a {\n    }\n  }\n}\n",
        )],
        nginx_says: "duplicate location \"/a\"",
        expect: Expect::Found,
    },
    Case {
        name: "a second default server, its flag on the next line",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    listen 127.0.0.1:8080 default_server;\n  }\n  server {\n    listen 127.0.0.1:8080\n      default_server;\n  }\n}\n",
        )],
        nginx_says: "a duplicate default server for 127.0.0.1:8080",
        expect: Expect::Found,
    },
    Case {
        name: "a location inside an exact one, { on its own line",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    location = /a {\n      location /a/b\n      {\n      }\n    }\n  }\n}\n",
        )],
        nginx_says: "cannot be inside the exact location",
        expect: Expect::Found,
    },
    Case {
        name: "a nested location outside its parent",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    location /a {\n      location /b {\n      }\n    }\n  }\n}\n",
        )],
        nginx_says: "is outside location \"/a\"",
        expect: Expect::Found,
    },
    Case {
        name: "a named location inside a location",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    location /a {\n      location @n {\n      }\n    }\n  }\n}\n",
        )],
        nginx_says: "can be on the server level only",
        expect: Expect::Found,
    },
    Case {
        name: "a location inside a named one",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    location @x {\n      location /y {\n      }\n    }\n  }\n}\n",
        )],
        nginx_says: "cannot be inside the named location",
        expect: Expect::Found,
    },
    Case {
        name: "a prefix and a ^~ location with one name, in the second server",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    location /a {\n    }\n  }\n  server {\n    location /a {\n    }\n    location ^~ /a {\n    }\n  }\n}\n",
        )],
        nginx_says: "duplicate location \"/a\"",
        expect: Expect::Found,
    },
    Case {
        name: "an unknown directive named like one",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    foo_bar\n      on;\n  }\n}\n",
        )],
        nginx_says: "unknown directive \"foo_bar\"",
        expect: Expect::NotDetected,
    },
    Case {
        name: "a directive where it is not allowed",
        files: &[("nginx.conf", "events {}\nhttp {\n  location / {\n  }\n}\n")],
        nginx_says: "directive is not allowed here",
        expect: Expect::NotDetected,
    },
    Case {
        name: "a missing ; between two directives",
        files: &[(
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    root /x\n    index a;\n  }\n}\n",
        )],
        nginx_says: "invalid number of arguments in \"root\" directive",
        expect: Expect::NotDetected,
    },
];

/// `(file, line)` of nginx's `[emerg] ... in FILE:LINE`.
fn nginx_refusal(dir: &Path) -> Result<(String, usize), String> {
    let out = Command::new(common::require_tool("nginx"))
        .arg("-t")
        .arg("-p")
        .arg(format!("{}/", dir.display()))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        return Err(format!("nginx -t accepted it:\n{text}"));
    }
    let emerg = text
        .lines()
        .find(|l| l.contains("[emerg]"))
        .ok_or_else(|| format!("no [emerg] line:\n{text}"))?;
    let (_, at) = emerg
        .rsplit_once(" in ")
        .ok_or_else(|| format!("no `in FILE:LINE`: {emerg}"))?;
    let (file, line) = at
        .rsplit_once(':')
        .ok_or_else(|| format!("no line: {emerg}"))?;
    let line = line.parse().map_err(|_| format!("bad line: {emerg}"))?;
    Ok((file.to_string(), line))
}

/// htguard's NX001/NX002 findings as `(file, line, message)`, in report order.
fn htguard_findings(dir: &Path) -> Vec<(String, usize, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args(["check", "--no-config", "--format", "json"])
        .args(["--select", "NX001,NX002"])
        .arg(dir.join("nginx.conf"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("htguard: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write_case(case: &Case, dir: &Path) {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (name, text) in case.files {
        let path = dir.join(name);
        let text = text
            .replace("{dir}", &dir.display().to_string())
            .replace("{long}", &"a".repeat(5000));
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// One case: `None` when htguard agrees with nginx, else what differs.
fn compare(case: &Case) -> Option<String> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_case(case, dir);
    let (file, line) = match nginx_refusal(dir) {
        Ok(at) => at,
        Err(e) => return Some(format!("{}: {e}", case.name)),
    };
    let findings = htguard_findings(dir);
    // nginx stops at the first error it meets: htguard's first finding in that file.
    let first = findings.iter().find(|(f, _, _)| *f == file);
    match (first, case.expect) {
        (Some((_, l, _)), _) if *l == line => None,
        (None, Expect::NotDetected) => None,
        (Some((_, l, m)), _) => Some(format!(
            "{}: nginx names {file}:{line}, htguard {file}:{l} ({m})",
            case.name
        )),
        (None, Expect::Found) => Some(format!(
            "{}: nginx names {file}:{line}, htguard has no finding there: {findings:?}",
            case.name
        )),
    }
}

#[test]
fn nx001_points_at_the_line_nginx_names() {
    if !common::need(&["nginx"]) {
        return;
    }
    let differences: Vec<String> = CASES.iter().filter_map(compare).collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn each_case_is_the_refusal_it_names() {
    if !common::need(&["nginx"]) {
        return;
    }
    for case in CASES {
        let tmp = tempfile::tempdir().unwrap();
        write_case(case, tmp.path());
        let out = Command::new(common::require_tool("nginx"))
            .arg("-t")
            .arg("-p")
            .arg(format!("{}/", tmp.path().display()))
            .arg("-c")
            .arg(tmp.path().join("nginx.conf"))
            .arg("-e")
            .arg(tmp.path().join("error.log"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains(case.nginx_says),
            "{}: nginx said {text}",
            case.name
        );
    }
}
