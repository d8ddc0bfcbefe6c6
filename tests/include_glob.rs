//! Include patterns against the real servers: which files nginx's `include` and httpd's
//! `Include`/`IncludeOptional` read, in which order, and when a pattern keeps the server
//! from starting. htguard's one implementation (src/source/glob.rs, two dialects) must
//! read the same files in the same order and report the same refusals.
//!
//! The file lists come from the servers themselves (`nginx -T`, `apache2 -t -D
//! DUMP_INCLUDES`); the order is also shown over HTTP, by the first of several included
//! answers that wins.

mod common;

use common::{Apache, Nginx, Site, require_tool};
use htguard::check::kind::InputKind;
use htguard::check::{CheckOptions, run};
use htguard::model::LoadOptions;
use htguard::model::nginx::{self, NginxStart, ProblemKind};
use htguard::source::Sources;
use htguard::source::glob::{self, Dialect};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

/// inc/{a,a-b,real,.h}/x.conf, inc/link -> real, inc/a/.dot, inc/a/sub/y.conf: comment
/// lines only, valid in both servers' configurations.
fn layout(site: &Site) {
    for f in [
        "inc/a/x.conf",
        "inc/a-b/x.conf",
        "inc/real/x.conf",
        "inc/.h/x.conf",
        "inc/a/.dot",
        "inc/a/sub/y.conf",
    ] {
        site.write(f, format!("# {f}\n"));
    }
    symlink("real", site.path("inc/link")).unwrap();
}

/// Paths relative to the site, for readable assertions.
fn relative(site: &Site, files: &[PathBuf]) -> Vec<String> {
    let prefix = format!("{}/", site.dir().display());
    files
        .iter()
        .map(|f| {
            let f = f.to_string_lossy();
            f.strip_prefix(&prefix).unwrap_or(&f).to_string()
        })
        .collect()
}

/// What `nginx -T` reads for `http { <http_body> }`: Ok(files after nginx.conf), or
/// Err(why nginx refuses the configuration).
fn nginx_reads(site: &Site, http_body: &str) -> Result<Vec<String>, String> {
    let conf = site.write(
        "nginx.conf",
        format!("events {{}}\nhttp {{\n{http_body}\n}}\n"),
    );
    let out = Command::new(require_tool("nginx"))
        .arg("-T")
        .args(["-p", &format!("{}/", site.dir().display())])
        .args(["-c", &conf.display().to_string()])
        .args(["-e", &site.path("error.log").display().to_string()])
        .args(["-g", &format!("pid {};", site.path("nginx.pid").display())])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(text);
    }
    let files: Vec<PathBuf> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# configuration file "))
        .filter_map(|l| l.strip_suffix(':'))
        .map(PathBuf::from)
        .skip(1)
        .collect();
    Ok(relative(site, &files))
}

/// What htguard's nginx model reads for the nginx.conf `nginx_reads` wrote: the files
/// after nginx.conf, and whether it found something nginx refuses.
fn htguard_nginx_reads(site: &Site) -> (Vec<String>, Vec<ProblemKind>) {
    let mut sources = Sources::new();
    let m = nginx::load(
        &site.path("nginx.conf"),
        NginxStart::MainConfig,
        &LoadOptions::default(),
        &mut sources,
    );
    let kinds = m.problems.iter().map(|p| p.kind).collect();
    (relative(site, &m.files[1..]), kinds)
}

#[test]
fn nginx_reads_what_glob3_returns() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = Site::new();
    layout(&site);
    for pattern in [
        "inc/*/x.conf",
        "inc/*/*.conf",
        "inc/[a]*/x.conf",
        "inc/?/x.conf",
        "inc/.h/*",
        "inc/*/sub/*.conf",
        "none/*.conf",
        "inc/*.none",
    ] {
        let nginx = nginx_reads(&site, &format!("include {pattern};"))
            .unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let (htguard, problems) = htguard_nginx_reads(&site);
        assert_eq!(htguard, nginx, "include {pattern};");
        assert!(problems.is_empty(), "include {pattern}: {problems:?}");
    }
    // The whole list sorted ('-' < '/'), links to directories followed, dotfiles only
    // for a pattern that starts with a dot.
    assert_eq!(
        nginx_reads(&site, "include inc/*/x.conf;").unwrap(),
        [
            "inc/a-b/x.conf",
            "inc/a/x.conf",
            "inc/link/x.conf",
            "inc/real/x.conf"
        ]
    );
}

#[test]
fn nginx_refuses_what_htguard_reports() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = Site::new();
    layout(&site);
    // A plain path must exist; a pattern may match nothing; a matched directory (even
    // `.` from `.*`) is read as a file and fails.
    for (include, starts) in [
        ("include missing.conf;", false),
        ("include none/*.conf;", true),
        ("include inc/[a];", false),
        ("include inc/.*;", false),
        ("include inc/a/*.conf;", true),
    ] {
        let nginx = nginx_reads(&site, include);
        assert_eq!(nginx.is_ok(), starts, "{include}: {nginx:?}");
        let (_, problems) = htguard_nginx_reads(&site);
        let refused = problems
            .iter()
            .any(|k| matches!(k, ProblemKind::IncludeNotOpened { .. }));
        assert_eq!(refused, !starts, "{include}: {problems:?}");
    }
}

#[test]
fn nginx_answers_from_the_first_file_in_glob3_order() {
    if !common::need(&["nginx"]) {
        return;
    }
    let site = Site::new();
    for dir in ["a", "a-b"] {
        site.write(
            format!("inc/{dir}/order.conf"),
            format!("if ($uri = /order) {{ return 200 \"{dir}\"; }}\n"),
        );
    }
    let server = Nginx::start(&site, "    include inc/*/order.conf;");
    let answer = server.request("GET", "/order", None);
    assert_eq!(String::from_utf8_lossy(&answer.body), "a-b");
    let (htguard, _) = htguard_nginx_reads(&site);
    assert_eq!(htguard, ["inc/a-b/order.conf", "inc/a/order.conf"]);
}

/// What `apache2 -t -D DUMP_INCLUDES` reads after the test's own lines: Ok(files
/// included), or Err(why httpd refuses the configuration).
fn apache_reads(site: &Site, include: &str) -> Result<Vec<String>, String> {
    site.mkdir("run");
    let conf = Apache::base_conf().replace("{port}", "8") + include + "\n";
    let conf = site.write(
        "httpd.conf",
        conf.replace("{site}", &site.dir().display().to_string()),
    );
    let out = Command::new(require_tool("apache2"))
        .args([
            "-t",
            "-D",
            "DUMP_INCLUDES",
            "-f",
            &conf.display().to_string(),
        ])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(text);
    }
    let files: Vec<PathBuf> = text
        .lines()
        .filter_map(|l| l.trim_start().split_once(") "))
        .map(|(_, path)| PathBuf::from(path))
        .filter(|p| p != &conf)
        .collect();
    Ok(relative(site, &files))
}

/// The files htguard's Apache dialect expands `pattern` (relative to the site) to.
fn htguard_apache_expands(site: &Site, pattern: &str) -> Vec<String> {
    let found = glob::expand(&site.path(pattern), Dialect::Apache, &|p: &Path| {
        p.to_path_buf()
    });
    relative(site, &found.paths)
}

/// htguard's AP002 findings on the configuration `apache_reads` wrote.
fn htguard_apache_include_findings(site: &Site) -> usize {
    let opts = CheckOptions {
        paths: vec![site.path("httpd.conf")],
        kind: Some(InputKind::ApacheMain),
        ..CheckOptions::default()
    };
    let outcome = run(&opts).expect("check runs");
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == "AP002")
        .count()
}

#[test]
fn apache_reads_each_level_sorted_and_whole_directories() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    layout(&site);
    for include in [
        "Include inc/*/x.conf",
        "Include inc/*/*.conf",
        "Include inc/[a]",
        "Include inc/.*",
        "Include inc/?/x.conf",
        "IncludeOptional inc/*/sub/*.conf",
    ] {
        let apache = apache_reads(&site, include).unwrap_or_else(|e| panic!("{include}: {e}"));
        let pattern = include.split_once(' ').unwrap().1;
        assert_eq!(htguard_apache_expands(&site, pattern), apache, "{include}");
    }
    // Each level sorted on its own, no link to a directory before the last component.
    assert_eq!(
        apache_reads(&site, "Include inc/*/x.conf").unwrap(),
        ["inc/a/x.conf", "inc/a-b/x.conf", "inc/real/x.conf"]
    );
    // A matched directory comes in whole, its dotfiles too.
    assert_eq!(
        apache_reads(&site, "Include inc/[a]").unwrap(),
        ["inc/a/.dot", "inc/a/sub/y.conf", "inc/a/x.conf"]
    );
}

#[test]
fn apache_refuses_what_htguard_reports() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    layout(&site);
    // `Include` needs a match (a link to a directory is none) in every directory the
    // pattern passes through; `IncludeOptional` does not.
    for (include, starts) in [
        ("Include inc/*.none", false),
        ("IncludeOptional inc/*.none", true),
        ("Include inc/l*/x.conf", false),
        ("IncludeOptional inc/l*/x.conf", true),
        ("Include missing.conf", false),
        ("IncludeOptional missing.conf", true),
        ("Include inc/?-b/x.conf", true),
        ("Include inc/*/sub/*.conf", false),
        ("Include inc/*/sub/y.conf", false),
        ("IncludeOptional inc/*/sub/y.conf", true),
    ] {
        let apache = apache_reads(&site, include);
        assert_eq!(apache.is_ok(), starts, "{include}: {apache:?}");
        assert_eq!(
            htguard_apache_include_findings(&site),
            usize::from(!starts),
            "{include}"
        );
    }
}

#[test]
fn apache_answers_from_the_first_file_in_its_order() {
    if !common::need(&["apache2"]) {
        return;
    }
    let site = Site::new();
    for dir in ["a", "a-b"] {
        site.write(format!("htdocs/{dir}.txt"), dir);
        site.write(
            format!("inc/{dir}/order.conf"),
            format!("Alias /order \"{{site}}/htdocs/{dir}.txt\"\n")
                .replace("{site}", &site.dir().display().to_string()),
        );
    }
    let server = Apache::start(&site, "Include inc/*/order.conf");
    let answer = server.request("GET", "/order", None);
    assert_eq!(String::from_utf8_lossy(&answer.body), "a");
    assert_eq!(
        htguard_apache_expands(&site, "inc/*/order.conf"),
        ["inc/a/order.conf", "inc/a-b/order.conf"]
    );
}
