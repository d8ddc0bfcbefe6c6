//! The engine of `htguard check`: find the inputs, load configs through the models,
//! load every password file they name once, run the enabled rules, apply settings and
//! inline suppressions. It decides; `report` renders; `cli` prints and exits.

pub mod discover;
pub mod fix;
pub mod kind;
pub mod progress;
pub mod select;
mod suppress;

use crate::diag::{Diagnostic, Severity};
use crate::model::apache::{self, ApacheModel, ApacheStart};
use crate::model::nginx::{self, NginxModel, NginxStart};
use crate::model::{LoadOptions, PasswdRole, PasswdUse};
use crate::rules::meta::unreadable_file;
use crate::rules::{self, Context, PasswdInput, Rule};
use crate::source::{Content, FileId, Sources, read_file};
use crate::syntax::passwd::{self, FileKind, KindHint};
use crate::target::Profile;
use discover::Candidate;
use foldhash::{HashMap as FastMap, HashMapExt, HashSet as FastSet, HashSetExt};
use kind::InputKind;
use rayon::prelude::*;
pub use select::Settings;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What to check and how. Built by the CLI from flags and `htguard.toml`.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Files or directories; empty means the system locations that exist
    /// ([`discover::DEFAULT_LOCATIONS`]).
    pub paths: Vec<PathBuf>,
    /// `--kind`: every given path is this kind.
    pub kind: Option<InputKind>,
    /// `--apache-config`: Apache main configs to start from.
    pub apache_configs: Vec<PathBuf>,
    /// `--nginx-config`: nginx main configs to start from.
    pub nginx_configs: Vec<PathBuf>,
    pub load: LoadOptions,
    pub profile: Profile,
    pub settings: Settings,
    /// Told the stage the run enters (a progress bar on a terminal).
    pub progress: progress::ProgressHook,
}

/// Why a check could not run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cannot read {}: {}", path.display(), unreadable_file::describe(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot tell what kind of file {} is; name it with --kind \
         (apache, apache-snippet, htaccess, nginx, nginx-snippet, htpasswd, htdigest, htgroup)",
        .0.display()
    )]
    UnknownKind(PathBuf),
    #[error("{} is not a regular file or directory", .0.display())]
    NotAFile(PathBuf),
    #[error(
        "nothing to check: no path given and none of {} exists",
        discover::DEFAULT_LOCATIONS.join(", ")
    )]
    NothingToCheck,
}

impl CheckError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        CheckError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The result of a run: every file read, and the findings that survived
/// `--select/--ignore` and inline suppressions, sorted by file and position.
#[derive(Debug)]
pub struct CheckOutcome {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// Password files among `sources`, with their detected kind (renderers redact them).
    pub passwd_files: HashMap<FileId, FileKind>,
    /// Findings silenced by inline suppressions.
    pub suppressed: usize,
    pub fail_on: Severity,
}

impl CheckOutcome {
    /// Whether any finding is at or above `--fail-on`.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= self.fail_on)
    }

    /// Findings per severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.diagnostics.iter().filter(|d| d.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    }
}

/// Run the check with every registered rule.
pub fn run(opts: &CheckOptions) -> Result<CheckOutcome, CheckError> {
    run_with_rules(opts, &rules::all())
}

/// Run the check with `all_rules` as the registry (tests add fixture rules here).
pub fn run_with_rules(
    opts: &CheckOptions,
    all_rules: &[&'static Rule],
) -> Result<CheckOutcome, CheckError> {
    run_with_overlay(opts, all_rules, &Overlay::new())
}

/// Password-file contents to use instead of what is on disk (by canonical path):
/// `--diff` previews several fix passes without writing.
pub(crate) type Overlay = HashMap<PathBuf, Vec<u8>>;

pub(crate) fn run_with_overlay(
    opts: &CheckOptions,
    all_rules: &[&'static Rule],
    overlay: &Overlay,
) -> Result<CheckOutcome, CheckError> {
    opts.progress.stage(progress::Stage::Configs);
    let candidates = starting_points(opts)?;
    crate::phase::mark("starting_points");
    let mut sources = Sources::new();
    let mut diags = Vec::new();
    let (apache_models, nginx_models) = load_configs(&candidates, opts, &mut sources, &mut diags);
    crate::phase::mark("load_configs");
    opts.progress.stage(progress::Stage::PasswdFiles);

    let apache_uses = || apache_models.iter().flat_map(ApacheModel::passwd_uses);
    let standalone: Vec<(&Candidate, KindHint)> = candidates
        .iter()
        .filter(|c| c.kind.is_passwd())
        .map(|c| (c, passwd_hint(c, opts.kind)))
        .collect();
    let enabled = opts.settings.enabled_rules(all_rules);
    let (passwd, found) = if nginx_models.is_empty() {
        // Rules only read the models: run them side by side, keeping their findings in
        // rule order. Those that do not look at password files run while the files are
        // read. (The nginx model is not shareable between threads: `Rc`.)
        let (late, early): (Vec<usize>, Vec<usize>) =
            (0..enabled.len()).partition(|&i| enabled[i].reads_passwd());
        let pick = |idx: &[usize]| idx.iter().map(|&i| enabled[i]).collect::<Vec<_>>();
        let (early_rules, late_rules) = (pick(&early), pick(&late));
        let (prepared, early_found) = rayon::join(
            || prepare_passwd_files(apache_uses().collect(), standalone, overlay, &sources),
            || run_side_by_side(&early_rules, &sources, &[], &opts.profile, &apache_models),
        );
        let passwd = prepared?.commit(&mut sources, &mut diags);
        crate::phase::mark("passwd");
        opts.progress.stage(progress::Stage::Rules);
        let late_found = run_side_by_side(
            &late_rules,
            &sources,
            &passwd,
            &opts.profile,
            &apache_models,
        );
        let mut found: Vec<(usize, Vec<Diagnostic>)> = early
            .into_iter()
            .zip(early_found)
            .chain(late.into_iter().zip(late_found))
            .collect();
        found.sort_unstable_by_key(|(i, _)| *i);
        (passwd, found.into_iter().map(|(_, d)| d).collect())
    } else {
        let uses = apache_uses()
            .chain(nginx_models.iter().flat_map(NginxModel::passwd_uses))
            .collect();
        let passwd = prepare_passwd_files(uses, standalone, overlay, &sources)?
            .commit(&mut sources, &mut diags);
        crate::phase::mark("passwd");
        opts.progress.stage(progress::Stage::Rules);
        let ctx = Context {
            sources: &sources,
            profile: &opts.profile,
            passwd: &passwd,
            apache: &apache_models,
            nginx: &nginx_models,
        };
        let found: Vec<Vec<Diagnostic>> = enabled.iter().map(|rule| run_rule(rule, &ctx)).collect();
        (passwd, found)
    };
    diags.extend(found.into_iter().flatten());
    crate::phase::mark("rules");
    opts.progress.stage(progress::Stage::Findings);

    // Model loaders and the engine emit findings too; the same settings apply to them.
    let is_registered = |code: &str| all_rules.iter().any(|r| r.info.code == code);
    diags.retain(|d| !is_registered(d.code) || opts.settings.is_enabled(d.code));
    opts.settings.apply_severity(&mut diags);
    let suppressed = suppress::apply(&sources, &mut diags, &opts.settings, all_rules);
    diags.sort_by(|a, b| {
        (a.primary.span, a.code, &a.message).cmp(&(b.primary.span, b.code, &b.message))
    });
    diags.dedup();
    crate::phase::mark("suppress/sort");

    let passwd_files = passwd.iter().map(|p| (p.file, p.parsed.kind())).collect();
    // A big tree's models are millions of small allocations: free them beside the caller
    // instead of in its way (a CLI run exits before this thread is done, which is fine).
    drop_in_background((apache_models, passwd));
    Ok(CheckOutcome {
        sources,
        diagnostics: diags,
        passwd_files,
        suppressed,
        fail_on: opts.settings.fail_on,
    })
}

/// The findings of `rules`, side by side, in rule order (Apache models only).
fn run_side_by_side(
    rules: &[&Rule],
    sources: &Sources,
    passwd: &[PasswdInput],
    profile: &Profile,
    apache: &[ApacheModel],
) -> Vec<Vec<Diagnostic>> {
    rules
        .par_iter()
        .map(|rule| {
            let ctx = Context {
                sources,
                profile,
                passwd,
                apache,
                nginx: &[],
            };
            run_rule(rule, &ctx)
        })
        .collect()
}

/// One rule's findings.
fn run_rule(rule: &Rule, ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    #[cfg(feature = "phases")]
    let t = std::time::Instant::now();
    (rule.check)(ctx, &mut out);
    #[cfg(feature = "phases")]
    if std::env::var_os("HTG_PHASES").is_some() {
        let ms = t.elapsed().as_secs_f64() * 1e3;
        eprintln!("rule {} {ms:.3} ms", rule.info.code);
    }
    out
}

/// Drop `value` on a short-lived thread (if none can be started, the refused closure
/// drops it here).
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("htguard-drop".into())
        .spawn(move || drop(value));
}

/// The files to start from, main configs first.
fn starting_points(opts: &CheckOptions) -> Result<Vec<Candidate>, CheckError> {
    let named_mains = !opts.apache_configs.is_empty() || !opts.nginx_configs.is_empty();
    let paths: Vec<PathBuf> = if opts.paths.is_empty() && !named_mains {
        let found: Vec<PathBuf> = discover::DEFAULT_LOCATIONS
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .collect();
        if found.is_empty() {
            return Err(CheckError::NothingToCheck);
        }
        found
    } else {
        opts.paths.clone()
    };
    let mut candidates = discover::collect(&paths, opts.kind)?;
    for (configs, kind) in [
        (&opts.apache_configs, InputKind::ApacheMain),
        (&opts.nginx_configs, InputKind::NginxMain),
    ] {
        for path in configs {
            for mut c in discover::collect(std::slice::from_ref(path), Some(kind))? {
                c.kind = kind;
                candidates.push(c);
            }
        }
    }
    // A named main config decides which snippets its server reads.
    let apache_main = !opts.apache_configs.is_empty();
    let nginx_main = !opts.nginx_configs.is_empty();
    candidates.retain(|c| {
        c.explicit
            || !(apache_main && c.kind == InputKind::ApacheSnippet
                || nginx_main && c.kind == InputKind::NginxSnippet)
    });
    let mut seen = FastSet::new();
    candidates.retain(|c| seen.insert(canonical(&c.path)));
    // Main configs first, so that files they include are not loaded again as snippets.
    candidates.sort_by_key(|c| !matches!(c.kind, InputKind::ApacheMain | InputKind::NginxMain));
    Ok(candidates)
}

pub(crate) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn load_configs(
    candidates: &[Candidate],
    opts: &CheckOptions,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<ApacheModel>, Vec<NginxModel>) {
    let mut apache_models = Vec::new();
    let mut nginx_models = Vec::new();
    let mut loaded: FastSet<PathBuf> = FastSet::new();
    let mut known = 0;
    for c in candidates {
        // Files a main config already read are part of it, not separate starting points.
        for (_, f) in sources.iter().skip(known) {
            loaded.insert(canonical(&f.path));
        }
        known = sources.len();
        if loaded.contains(&canonical(&c.path)) {
            continue;
        }
        let apache_start = match c.kind {
            InputKind::ApacheMain => Some(ApacheStart::MainConfig),
            InputKind::ApacheSnippet => Some(ApacheStart::Snippet),
            InputKind::Htaccess => Some(ApacheStart::Htaccess),
            _ => None,
        };
        let nginx_start = match c.kind {
            InputKind::NginxMain => Some(NginxStart::MainConfig),
            InputKind::NginxSnippet => Some(NginxStart::Snippet),
            _ => None,
        };
        if let Some(start) = apache_start {
            apache_models.push(apache::load(&c.path, start, &opts.load, sources, diags));
        } else if let Some(start) = nginx_start {
            nginx_models.push(nginx::load(&c.path, start, &opts.load, sources, diags));
        }
    }
    (apache_models, nginx_models)
}

/// One password file and everything that names it.
struct PasswdGroup {
    path: PathBuf,
    /// The file's metadata when its path is no link (known from resolving it).
    meta: Option<std::fs::Metadata>,
    explicit: bool,
    uses: Vec<PasswdUse>,
    /// What the file's name or `--kind` says it is.
    named: KindHint,
}

/// What a standalone password file is for, when its name or `--kind` says so. Content
/// alone cannot tell `alice: bob` (a group) from a password with a stray space.
fn passwd_hint(c: &Candidate, forced: Option<InputKind>) -> KindHint {
    match forced.or_else(|| kind::by_name(&c.path)) {
        Some(InputKind::Htpasswd) => KindHint::Basic,
        Some(InputKind::Htdigest) => KindHint::Digest,
        Some(InputKind::Htgroup) => KindHint::Group,
        _ => KindHint::Auto,
    }
}

impl PasswdGroup {
    /// The directives that use the file decide; if they disagree, content does.
    fn hint(&self) -> KindHint {
        let mut roles = self.uses.iter().map(|u| u.role);
        let Some(first) = roles.next() else {
            return self.named;
        };
        if roles.any(|r| r != first) {
            return KindHint::Auto;
        }
        match first {
            PasswdRole::Basic => KindHint::Basic,
            PasswdRole::Digest => KindHint::Digest,
            PasswdRole::Group => KindHint::Group,
        }
    }
}

/// The password files of a run, read and parsed but not yet in the source set: rules
/// that do not need them run meanwhile, reading the sources.
struct PreparedPasswd {
    /// Files to add to the sources, in order; the first gets the id `first_id`.
    new_files: Vec<(PathBuf, Content)>,
    first_id: FileId,
    inputs: Vec<PasswdInput>,
    diags: Vec<Diagnostic>,
}

impl PreparedPasswd {
    /// Add the files read to `sources` (with the ids the inputs already name) and the
    /// findings to `diags`.
    fn commit(self, sources: &mut Sources, diags: &mut Vec<Diagnostic>) -> Vec<PasswdInput> {
        assert_eq!(
            sources.len(),
            self.first_id,
            "sources changed while reading"
        );
        sources.reserve(self.new_files.len());
        for (path, bytes) in self.new_files {
            sources.add(path, bytes);
        }
        diags.extend(self.diags);
        self.inputs
    }
}

/// Load each password file once, however many directives name it. Reads `sources`
/// only, so that rules can run meanwhile; `commit` adds the files.
fn prepare_passwd_files(
    uses: Vec<PasswdUse>,
    standalone: Vec<(&Candidate, KindHint)>,
    overlay: &Overlay,
    sources: &Sources,
) -> Result<PreparedPasswd, CheckError> {
    crate::phase::mark("pw uses");
    let spellings = uses
        .iter()
        .map(|u| u.local_path.as_path())
        .chain(standalone.iter().map(|(c, _)| c.path.as_path()));
    let canon = canonical_paths(spellings);
    crate::phase::mark("pw canon");
    // Groups by canonical path, as bytes (`Path`'s own hash walks the components).
    let mut groups: Vec<PasswdGroup> = Vec::new();
    let mut index: FastMap<std::ffi::OsString, usize> = FastMap::new();
    let mut group_for = |path: &Path| -> usize {
        let (canonical, meta) = &canon[path.as_os_str()];
        // A path that did not resolve keeps its spelling: `/a//b` and `/a/b` are one file.
        let key = crate::model::path_key(canonical);
        if let Some(&i) = index.get::<std::ffi::OsStr>(&key) {
            return i;
        }
        groups.push(PasswdGroup {
            path: path.to_path_buf(),
            meta: meta.clone(),
            explicit: false,
            uses: Vec::new(),
            named: KindHint::Auto,
        });
        index.insert(key.into_owned(), groups.len() - 1);
        groups.len() - 1
    };
    let use_group: Vec<usize> = uses.iter().map(|u| group_for(&u.local_path)).collect();
    let standalone_group: Vec<usize> = standalone.iter().map(|(c, _)| group_for(&c.path)).collect();
    drop(canon);
    for (u, i) in uses.into_iter().zip(use_group) {
        groups[i].uses.push(u);
    }
    for ((c, hint), i) in standalone.into_iter().zip(standalone_group) {
        groups[i].explicit |= c.explicit;
        groups[i].named = hint;
    }

    crate::phase::mark("pw groups");
    // Read side by side, then number in group order (file ids and findings as if one by one).
    let fetched: Vec<Fetched> = groups
        .par_iter()
        .map(|g| read_passwd(g, g.meta.as_ref(), overlay, sources))
        .collect();
    let first_id = sources.len();
    let mut new_files = Vec::new();
    let mut diags = Vec::new();
    let mut loaded = Vec::with_capacity(groups.len());
    for (g, f) in groups.into_iter().zip(fetched) {
        let id = match f {
            Fetched::Known(id) => id,
            Fetched::Read(bytes) => {
                new_files.push((g.path.clone(), bytes));
                first_id + new_files.len() - 1
            }
            Fetched::Absent => continue,
            Fetched::Failed(e) if g.explicit => return Err(CheckError::io(&g.path, e)),
            Fetched::Failed(e) => {
                diags.push(unreadable(&g, &e));
                continue;
            }
        };
        loaded.push((id, g.hint(), g.uses));
    }
    crate::phase::mark("pw read");
    let bytes_of = |id: FileId| -> &[u8] {
        match id.checked_sub(first_id) {
            Some(i) => &new_files[i].1,
            None => &sources.get(id).bytes,
        }
    };
    let inputs = loaded
        .into_par_iter()
        .map(|(file, hint, uses)| {
            let bytes = bytes_of(file);
            let input = PasswdInput::new(file, passwd::parse_with(bytes, hint), uses);
            // Identify every hash now, side by side, rather than in the first hash rule.
            input.hashes(bytes);
            input
        })
        .collect();
    Ok(PreparedPasswd {
        new_files,
        first_id,
        inputs,
        diags,
    })
}

/// The canonical path of each distinct spelling, and what it is when that is known
/// without following a link. Thousands of directives name the same few files, and
/// `canonical` is a readlink per path component: resolve each spelling once, and each
/// directory once (password files share a few directories).
fn canonical_paths<'p>(
    spellings: impl Iterator<Item = &'p Path>,
) -> FastMap<&'p std::ffi::OsStr, (PathBuf, Option<std::fs::Metadata>)> {
    // Spellings as bytes: two spellings of one path resolve to the same canonical path.
    let mut seen = FastSet::new();
    let distinct: Vec<&Path> = spellings.filter(|p| seen.insert(p.as_os_str())).collect();
    let mut dirs: Vec<&Path> = distinct.iter().filter_map(|p| plain_parent(p)).collect();
    dirs.sort_unstable();
    dirs.dedup();
    let canon_dirs: FastMap<&Path, Option<PathBuf>> = dirs
        .par_iter()
        .map(|d| (*d, std::fs::canonicalize(d).ok()))
        .collect();
    distinct
        .par_iter()
        .map(|p| {
            let canon = match plain_parent(p).map(|d| &canon_dirs[d]) {
                Some(dir) => canonical_in(p, dir.as_deref()),
                None => (canonical(p), None),
            };
            (p.as_os_str(), canon)
        })
        .collect()
}

/// The directory of an absolute path with no `.`, `..`, empty or trailing component:
/// its canonical form is that of the directory plus the name, unless the name is a link.
fn plain_parent(path: &Path) -> Option<&Path> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let rest = bytes.strip_prefix(b"/")?;
    let plain = rest
        .split(|&b| b == b'/')
        .all(|c| !c.is_empty() && c != b"." && c != b"..");
    if plain { path.parent() } else { None }
}

/// `canonical(path)` given the canonical form of its plain parent (`None`: it does not
/// resolve, so neither does the path), with the file's metadata when it is not a link.
fn canonical_in(path: &Path, canon_dir: Option<&Path>) -> (PathBuf, Option<std::fs::Metadata>) {
    let (Some(dir), Some(name)) = (canon_dir, path.file_name()) else {
        return (path.to_path_buf(), None);
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => (canonical(path), None),
        Ok(m) => (dir.join(name), Some(m)),
        Err(_) => (path.to_path_buf(), None),
    }
}

/// A password file's contents, or why there are none.
enum Fetched {
    /// Already read (as a config file or a starting point).
    Known(FileId),
    Read(Content),
    /// Missing or not a regular file: the server rules' finding.
    Absent,
    Failed(std::io::Error),
}

/// Read one password file. A file that is missing or not a regular file is the
/// server rules' finding (they know what the server answers), not an I/O error here.
/// `known` is the file's metadata when the path is no link (no need to ask again).
fn read_passwd(
    g: &PasswdGroup,
    known: Option<&std::fs::Metadata>,
    overlay: &Overlay,
    sources: &Sources,
) -> Fetched {
    if let Some(id) = sources.find(&g.path) {
        return Fetched::Known(id);
    }
    // No overlay (every run but a `--diff` preview): no need to resolve the path.
    if !overlay.is_empty()
        && let Some(bytes) = overlay.get(&canonical(&g.path))
    {
        return Fetched::Read(bytes.clone().into());
    }
    let referenced = !g.uses.is_empty();
    let read = if referenced && !g.explicit {
        let meta = match known {
            Some(m) => Ok(m.clone()),
            None => std::fs::metadata(&g.path),
        };
        match meta {
            Ok(m) if m.is_file() => read_file(&g.path, Some(m.len())),
            _ => return Fetched::Absent,
        }
    } else {
        read_file(&g.path, None)
    };
    match read {
        Ok(bytes) => Fetched::Read(bytes),
        Err(e) => Fetched::Failed(e),
    }
}

/// The finding for a referenced file that could not be read, at every directive naming it.
fn unreadable(g: &PasswdGroup, e: &std::io::Error) -> Diagnostic {
    let first = &g.uses[0];
    let mut d = unreadable_file::diagnostic(&g.path, first.directive, e);
    for u in &g.uses[1..] {
        d = d.with_secondary(u.directive, "also named here");
    }
    d
}

#[cfg(test)]
mod tests;
