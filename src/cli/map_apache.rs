//! `htguard map` for Apache: every URL space of every server with its access (open, a
//! login via which file, denied, 500, depending on the client's address or the method),
//! asked of the request evaluator.

use super::map::{Row, ServerMap, count_users, server_table};
use crate::check::kind::{self, InputKind};
use crate::model::LoadOptions;
use crate::model::apache::request::map::{self as amap, Access};
use crate::model::apache::{self, ApacheModel, ApacheStart};
use crate::model::request::LocalFiles;
use crate::source::Sources;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a root filesystem keeps Debian's Apache main config.
pub const ROOTFS_APACHE_CONF: &str = "etc/apache2/apache2.conf";

/// One Apache configuration's map.
#[derive(Debug, Serialize)]
pub struct ApacheMap {
    pub config: String,
    pub start: &'static str,
    pub server_root: String,
    pub worker_user: String,
    /// Why no row is answered (httpd does not start with this configuration).
    pub does_not_start: Option<String>,
    pub servers: Vec<ServerMap>,
    /// Problems met while reading (syntax errors, missing includes).
    pub problems: Vec<String>,
}

/// The Apache config to map for `path`, if it is one (`Ok(None)`: not Apache).
pub fn entry_point(path: &Path) -> Result<Option<(PathBuf, ApacheStart)>, String> {
    if path.is_dir() {
        let mains = [
            "apache2.conf",
            "httpd.conf",
            "conf/httpd.conf",
            ROOTFS_APACHE_CONF,
        ];
        return Ok(mains
            .iter()
            .map(|m| path.join(m))
            .find(|m| m.is_file())
            .map(|m| (m, ApacheStart::MainConfig)));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(match kind::detect(path, &bytes) {
        Some(InputKind::ApacheMain) => Some((path.to_path_buf(), ApacheStart::MainConfig)),
        Some(InputKind::ApacheSnippet) => Some((path.to_path_buf(), ApacheStart::Snippet)),
        Some(InputKind::Htaccess) => Some((path.to_path_buf(), ApacheStart::Htaccess)),
        _ => None,
    })
}

/// Load and map one configuration.
pub fn map(file: &Path, start: ApacheStart, opts: &LoadOptions, uri: Option<&str>) -> ApacheMap {
    let mut sources = Sources::new();
    let m = apache::load(file, start, opts, &mut sources);
    let files = LocalFiles {
        root: opts.root.clone(),
        worker: m.worker.clone(),
    };
    let problems = m
        .problems
        .iter()
        .map(|p| {
            let f = sources.get(p.span.file);
            let (line, col) = f.line_col(p.span.start);
            format!("{}:{line}:{col}: {}", f.path.display(), p.message)
        })
        .collect();
    let does_not_start = apache::request::checks::start_failure(&m).map(|f| {
        let at = f
            .span
            .map(|s| {
                let src = sources.get(s.file);
                format!("{}:{}: ", src.path.display(), src.line_col(s.start).0)
            })
            .unwrap_or_default();
        format!("{at}{}", f.message)
    });
    let mut users = HashMap::new();
    let servers = if does_not_start.is_some() {
        Vec::new()
    } else {
        amap::map(&m, &files, uri)
            .into_iter()
            .map(|s| server_map(&m, &sources, s, &mut users))
            .collect()
    };
    ApacheMap {
        config: file.display().to_string(),
        start: match start {
            ApacheStart::MainConfig => "main config",
            ApacheStart::Snippet => "snippet (read as included from a stock apache2.conf)",
            ApacheStart::Htaccess => ".htaccess (read under stock defaults)",
        },
        server_root: m.server_root.display().to_string(),
        worker_user: m.user.0.clone(),
        does_not_start,
        servers,
        problems,
    }
}

fn server_map(
    m: &ApacheModel,
    sources: &Sources,
    s: amap::ServerRows,
    users: &mut HashMap<PathBuf, Option<usize>>,
) -> ServerMap {
    let vs = &m.servers[s.server];
    let scope = &m.scopes[vs.defaults];
    let mut names: Vec<String> = vs.name.iter().cloned().collect();
    for (_, d) in scope.find("ServerAlias") {
        names.extend(d.dir.args.iter().map(|a| a.value.clone()));
    }
    let listen = if s.server == 0 {
        apache::request::vhost::listeners(m)
            .iter()
            .map(|l| match l.addr {
                Some(a) => format!("{a}:{}", l.port),
                None => l.port.to_string(),
            })
            .collect()
    } else {
        vs.addrs.clone()
    };
    ServerMap {
        server: vs.describe(),
        names,
        listen,
        rows: s
            .rows
            .into_iter()
            .map(|r| row(m, sources, r, users))
            .collect(),
    }
}

fn row(
    m: &ApacheModel,
    sources: &Sources,
    r: amap::Row,
    users: &mut HashMap<PathBuf, Option<usize>>,
) -> Row {
    let login = [&r.summary.local]
        .into_iter()
        .chain(r.summary.remote.iter().map(|(_, a)| a))
        .find_map(|a| match a {
            Access::Login(l) => Some(l.clone()),
            _ => None,
        });
    let user_file = login.as_ref().and_then(|l| l.user_file.clone());
    let count = user_file.as_ref().and_then(|f| {
        *users
            .entry(f.clone())
            .or_insert_with(|| count_users(&m.local(f)))
    });
    let defined_at = r
        .space
        .defined_at
        .map(|span| {
            let f = sources.get(span.file);
            format!("{}:{}", f.path.display(), f.line_col(span.start).0)
        })
        .unwrap_or_else(|| "-".into());
    Row {
        location: r.space.url,
        access: r.summary.describe(false),
        realm: login.as_ref().and_then(|l| l.realm.clone()),
        user_file: user_file.map(|f| f.display().to_string()),
        users: count,
        defined_at,
        answer: None,
    }
}

/// The human tables.
pub fn render_text(maps: &[ApacheMap]) -> String {
    let mut out = String::new();
    for m in maps {
        out.push_str(&format!(
            "apache {} — {}, ServerRoot {}, worker user {}\n",
            m.config, m.start, m.server_root, m.worker_user
        ));
        for p in &m.problems {
            out.push_str(&format!("  problem: {p}\n"));
        }
        if let Some(why) = &m.does_not_start {
            out.push_str(&format!("  httpd does not start: {why}\n"));
        }
        for s in &m.servers {
            server_table(&mut out, s);
        }
        out.push('\n');
    }
    out
}
