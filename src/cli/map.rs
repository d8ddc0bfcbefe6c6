//! `htguard map`: the coverage table — which URL spaces of an nginx configuration are
//! protected, by which file. Apache configurations are mapped by [`super::map_apache`].

use crate::check::kind::InputKind;
use crate::model::LoadOptions;
use crate::model::nginx::{
    self, NginxModel, NginxStart, ProblemKind, Protection, Served, Settings, VirtualServer,
};
use crate::rules;
use crate::source::Sources;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Arguments of `htguard map`.
#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// nginx.conf or a site file, apache2.conf/httpd.conf, or a directory holding one.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Only show who can reach this URI (on every server).
    #[arg(long, value_name = "URI")]
    pub uri: Option<String>,
    /// nginx's conf prefix (default: the directory of nginx.conf).
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,
    /// Override Apache's ServerRoot.
    #[arg(long, value_name = "DIR")]
    pub server_root: Option<PathBuf>,
    /// Look every absolute path up under DIR (a staging tree or image rootfs).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The worker user that reads password files (default: the `user` directive, else www-data).
    #[arg(long, value_name = "USER")]
    pub server_user: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// One row of the table.
#[derive(Debug, Serialize)]
pub struct Row {
    pub location: String,
    /// `protected`, `open`, `switchable`, `open (satisfy any)`, `denied`, `return 301`.
    pub access: String,
    pub realm: Option<String>,
    pub user_file: Option<String>,
    /// Users nginx would find in the file (`None`: no file, a variable path, or unreadable).
    pub users: Option<usize>,
    /// `file:line` of the location (or server).
    pub defined_at: String,
    /// With `--uri`: what the request evaluator answers `GET URI` from any address
    /// without credentials (`200 without a password`, `401 (asks for a password)`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ServerMap {
    pub server: String,
    pub names: Vec<String>,
    pub listen: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct ConfigMap {
    pub config: String,
    pub start: &'static str,
    pub prefix: String,
    pub worker_user: String,
    pub servers: Vec<ServerMap>,
    /// Problems met while reading (syntax errors, missing includes).
    pub problems: Vec<String>,
}

/// The JSON document: `{"nginx": [ConfigMap...], "apache": [ApacheMap...]}`.
#[derive(Debug, Serialize)]
struct MapOutput<'a> {
    nginx: &'a [ConfigMap],
    apache: &'a [super::map_apache::ApacheMap],
}

/// Where a root filesystem keeps nginx's main config.
const ROOTFS_NGINX_CONF: &str = "etc/nginx/nginx.conf";

pub fn run(args: MapArgs) -> i32 {
    let mut root = args.root.clone();
    // `htguard map image-rootfs/`: absolute paths in its nginx.conf mean that tree.
    if root.is_none()
        && let [only] = args.paths.as_slice()
        && (only.join(ROOTFS_NGINX_CONF).is_file()
            || only.join(super::map_apache::ROOTFS_APACHE_CONF).is_file())
    {
        eprintln!(
            "note: reading {} as a root filesystem (as with --root {0})",
            only.display()
        );
        root = Some(only.clone());
    }
    let opts = LoadOptions {
        root: root.filter(|r| r != Path::new("/")),
        server_root: args.server_root.clone(),
        nginx_prefix: args.prefix.clone(),
        server_user: args.server_user.clone(),
    };
    let mut maps = Vec::new();
    let mut apache_maps = Vec::new();
    for path in &args.paths {
        match super::map_apache::entry_point(path) {
            Ok(Some((file, start))) => {
                apache_maps.push(super::map_apache::map(
                    &file,
                    start,
                    &opts,
                    args.uri.as_deref(),
                ));
                continue;
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("htguard map: {}: {e}", path.display());
                return super::exit::ERROR;
            }
        }
        let (file, start) = match entry_point(path) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("htguard map: {}: {e}", path.display());
                return super::exit::ERROR;
            }
        };
        let mut sources = Sources::new();
        let model = nginx::load(&file, start, &opts, &mut sources);
        let problems = model
            .problems
            .iter()
            .map(|p| {
                let f = sources.get(p.span.file);
                let (line, col) = f.line_col(p.span.start);
                format!(
                    "{}:{line}:{col}: {} {}",
                    f.path.display(),
                    problem_code(p.kind),
                    p.message
                )
            })
            .collect();
        maps.push(config_map(&model, &sources, problems, args.uri.as_deref()));
    }
    match args.format {
        Format::Json => match serde_json::to_string_pretty(&MapOutput {
            nginx: &maps,
            apache: &apache_maps,
        }) {
            Ok(s) => super::output::println(&s),
            Err(e) => {
                eprintln!("htguard map: {e}");
                return super::exit::ERROR;
            }
        },
        Format::Text => super::output::print(&format!(
            "{}{}",
            super::map_apache::render_text(&apache_maps),
            render_text(&maps)
        )),
    }
    super::exit::OK
}

/// The code `check` reports a loading problem under.
fn problem_code(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Syntax | ProblemKind::Refused => rules::nginx::syntax_error::RULE.info.code,
        _ => rules::nginx::include_problem::RULE.info.code,
    }
}

/// The file to read and how it enters nginx's configuration.
fn entry_point(path: &Path) -> Result<(PathBuf, NginxStart), String> {
    if path.is_dir() {
        for main in [path.join("nginx.conf"), path.join(ROOTFS_NGINX_CONF)] {
            if main.is_file() {
                return Ok((main, NginxStart::MainConfig));
            }
        }
        return Err(format!(
            "directory without nginx.conf (nor {ROOTFS_NGINX_CONF}), apache2.conf or httpd.conf: name the config file"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if crate::check::kind::detect(path, &bytes).is_some_and(InputKind::is_apache) {
        return Err(
            "an Apache configuration map cannot start from (name apache2.conf or httpd.conf)"
                .into(),
        );
    }
    let parsed = crate::syntax::nginx::parse(0, &bytes);
    let main = path.file_name().is_some_and(|n| n == "nginx.conf")
        || parsed
            .items
            .iter()
            .any(|d| d.is("http") || d.is("events") || d.is("worker_processes"));
    Ok((
        path.to_path_buf(),
        if main {
            NginxStart::MainConfig
        } else {
            NginxStart::Snippet
        },
    ))
}

fn access(settings: &Settings) -> String {
    if let Some(r) = settings.returns.iter().find(|r| !r.conditional) {
        // The rewrite phase answers before any access check.
        return r
            .code
            .map_or_else(|| "return".to_string(), |c| format!("return {c}"));
    }
    if settings.denies_all() {
        return "denied".into();
    }
    match settings.protection() {
        Protection::Protected => "protected",
        Protection::Switchable => "switchable",
        Protection::SatisfiedByAddress => "open (satisfy any)",
        Protection::Open => "open",
    }
    .into()
}

/// Distinct user names in the file (the passwd model's entries; the first entry of a
/// duplicated name is the one both servers use).
pub(super) fn count_users(path: &Path) -> Option<usize> {
    let bytes = std::fs::read(path).ok()?;
    let parsed = crate::syntax::passwd::parse(&bytes);
    let mut names: Vec<&[u8]> = parsed
        .entries()
        .filter_map(|(_, l)| l.user().map(|r| &bytes[r]))
        .collect();
    names.sort();
    names.dedup();
    Some(names.len())
}

/// User counts by file, read once per file: thousands of locations usually share a few files.
#[derive(Default)]
struct UserCounts(HashMap<PathBuf, Option<usize>>);

impl UserCounts {
    fn of(&mut self, path: &Path) -> Option<usize> {
        if let Some(&n) = self.0.get(path) {
            return n;
        }
        let n = count_users(path);
        self.0.insert(path.to_path_buf(), n);
        n
    }
}

/// What every row needs besides its location.
struct RowContext<'a> {
    sources: &'a Sources,
    users: UserCounts,
}

fn row(location: String, settings: &Settings, at: crate::source::Span, cx: &mut RowContext) -> Row {
    let sources = cx.sources;
    let asks = settings.asks_password();
    let uf = settings.user_file.as_ref().filter(|_| asks);
    let f = sources.get(at.file);
    let (line, _) = f.line_col(at.start);
    Row {
        location,
        access: access(settings),
        realm: settings.realm_text().filter(|_| asks),
        user_file: uf.map(|u| u.value.server_path.display().to_string()),
        users: uf
            .filter(|u| !u.value.has_variable)
            .and_then(|u| cx.users.of(&u.value.local_path)),
        defined_at: format!("{}:{line}", f.path.display()),
        answer: None,
    }
}

fn server_rows(s: &VirtualServer, cx: &mut RowContext, uri: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    if let Some(uri) = uri {
        let served = s.find_location(uri);
        let (name, at) = match served {
            Served::Server => ("(server level: no location matches)".to_string(), s.span),
            Served::Location(i) => (s.location_path(i), s.locations[i].span),
        };
        rows.push(row(
            format!("GET {uri} → {name}"),
            s.settings_for(served, "GET"),
            at,
            cx,
        ));
        if let Served::Location(i) = served
            && let Some(le) = &s.locations[i].limit_except
        {
            rows.push(row(
                format!("other methods than {} → limit_except", le.methods.join(" ")),
                &le.settings,
                le.span,
                cx,
            ));
        }
        return rows;
    }
    rows.push(row("(server level)".into(), &s.settings, s.span, cx));
    fn walk(
        s: &VirtualServer,
        ids: &[usize],
        depth: usize,
        cx: &mut RowContext,
        rows: &mut Vec<Row>,
    ) {
        for &i in ids {
            let l = &s.locations[i];
            rows.push(row(
                format!("{}{}", "  ".repeat(depth), l.describe()),
                &l.settings,
                l.span,
                cx,
            ));
            if let Some(le) = &l.limit_except {
                rows.push(row(
                    format!(
                        "{}  limit_except {} (other methods)",
                        "  ".repeat(depth),
                        le.methods.join(" ")
                    ),
                    &le.settings,
                    le.span,
                    cx,
                ));
            }
            walk(s, &l.children.in_file_order, depth + 1, cx, rows);
        }
    }
    walk(s, &s.top_level.in_file_order, 0, cx, &mut rows);
    rows
}

fn config_map(
    m: &NginxModel,
    sources: &Sources,
    problems: Vec<String>,
    uri: Option<&str>,
) -> ConfigMap {
    let mut cx = RowContext {
        sources,
        users: UserCounts::default(),
    };
    let mut map = ConfigMap {
        config: m.conf_path.display().to_string(),
        start: match m.start {
            NginxStart::Snippet => "site file (read as included from http {})",
            NginxStart::MainConfig => "nginx.conf",
        },
        prefix: m.prefix.display().to_string(),
        worker_user: m.user.clone(),
        servers: m
            .servers
            .iter()
            .map(|s| ServerMap {
                server: s.describe(),
                names: s.names.clone(),
                listen: s
                    .listens
                    .iter()
                    .map(|l| {
                        let mut t = l.address.clone();
                        if l.ssl {
                            t.push_str(" ssl");
                        }
                        if l.default_server {
                            t.push_str(" default_server");
                        }
                        t
                    })
                    .collect(),
                rows: server_rows(s, &mut cx, uri),
            })
            .collect(),
        problems,
    };
    if let Some(uri) = uri {
        answer_rows(m, &mut map, uri);
    }
    map
}

/// The evaluator's answer to `GET uri` on each server, on the first row of each.
fn answer_rows(m: &NginxModel, map: &mut ConfigMap, uri: &str) {
    let mut files = crate::model::request::LocalFiles::default();
    files.root.clone_from(&m.opts.root);
    let profile = crate::target::Profile::default();
    for (i, server) in map.servers.iter_mut().enumerate() {
        let Some(row) = server.rows.first_mut() else {
            continue;
        };
        let Some(request) = nginx::reach::request_for(m, i, uri) else {
            continue;
        };
        let e = nginx::request::evaluate_with(m, &request, &files, &profile);
        let stops = e.answer.verdict == crate::model::request::Verdict::DoesNotStart;
        if e.server != Some(i) && !stops {
            continue;
        }
        row.answer = Some(answer_text(&e));
    }
}

fn answer_text(e: &nginx::request::Evaluation) -> String {
    use crate::model::request::Verdict;
    match &e.answer.verdict {
        Verdict::Status(200) if !e.password_checked => "200 without a password".into(),
        Verdict::Status(401) => "401 (asks for a password)".into(),
        Verdict::Status(s) => s.to_string(),
        Verdict::Depends { on, .. } => format!("depends on {on}"),
        Verdict::DoesNotStart => "nginx does not start".into(),
        Verdict::NoListener => "no listener".into(),
    }
}

/// The human table.
pub fn render_text(maps: &[ConfigMap]) -> String {
    let mut out = String::new();
    for m in maps {
        out.push_str(&format!(
            "nginx {} — {}, conf prefix {}, worker user {}\n",
            m.config, m.start, m.prefix, m.worker_user
        ));
        for p in &m.problems {
            out.push_str(&format!("  problem: {p}\n"));
        }
        for s in &m.servers {
            server_table(&mut out, s);
        }
        out.push('\n');
    }
    out
}

/// One server's table (nginx and Apache share it).
pub(super) fn server_table(out: &mut String, s: &ServerMap) {
    out.push_str(&format!("\n{}  listen {}\n", s.server, s.listen.join(", ")));
    let header = [
        "LOCATION",
        "ACCESS",
        "REALM",
        "USER FILE",
        "USERS",
        "DEFINED AT",
    ];
    let cells: Vec<[String; 6]> = s
        .rows
        .iter()
        .map(|r| {
            let location = match &r.answer {
                Some(a) => format!("{} = {a}", r.location),
                None => r.location.clone(),
            };
            [
                location,
                r.access.clone(),
                r.realm.clone().unwrap_or_else(|| "-".into()),
                r.user_file.clone().unwrap_or_else(|| "-".into()),
                r.users.map_or_else(|| "-".into(), |n| n.to_string()),
                r.defined_at.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for c in &cells {
        for (w, v) in widths.iter_mut().zip(c.iter()) {
            *w = (*w).max(v.chars().count());
        }
    }
    let line = |vals: [&str; 6]| {
        let mut l = String::from("  ");
        for (i, v) in vals.iter().enumerate() {
            if i + 1 == vals.len() {
                l.push_str(v);
            } else {
                l.push_str(&format!("{v:<w$}  ", w = widths[i]));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    out.push_str(&line(header));
    for c in &cells {
        out.push_str(&line([&c[0], &c[1], &c[2], &c[3], &c[4], &c[5]]));
    }
}
