//! The engine of `htguard check`: find the inputs, load configs through the models,
//! load every password file they name once, run the enabled rules, apply settings and
//! inline suppressions. It decides; `report` renders; `cli` prints and exits.

pub mod discover;
pub mod fix;
pub mod kind;
mod passwd_files;
pub mod progress;
mod provenance;
pub mod select;
mod suppress;
pub mod why;

use crate::diag::{Diagnostic, Severity};
use crate::model::LoadOptions;
use crate::model::apache::{self, ApacheModel, ApacheStart};
use crate::model::nginx::{self, NginxModel, NginxStart};
use crate::rules::meta::unreadable_file;
use crate::rules::{self, Context, Rule};
use crate::source::{FileId, Provenance, Sources};
use crate::syntax::passwd::FileKind;
use crate::target::Profile;
use discover::Candidate;
pub(crate) use discover::starting_points;
use kind::InputKind;
use rayon::prelude::*;
pub use select::Settings;
use std::collections::{HashMap, HashSet};
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
    /// Leave [`CheckOutcome::inputs`] empty: nothing will show why each file was read
    /// (human output without `--verbose`; 13,000 files on the Apache bench tree).
    pub skip_provenance: bool,
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
    /// Directories that hold no file to check: a gate pointed at the wrong path.
    #[error(
        "nothing to check in {}: no server main config (apache2.conf, httpd.conf, \
         nginx.conf) and none of the {files} file(s) there is a server config, .htaccess or \
         password file by its name or content{}",
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        match unreadable {
            0 => String::new(),
            n => format!(" ({n} of them could not be read)"),
        }
    )]
    NothingFound {
        paths: Vec<PathBuf>,
        files: usize,
        /// Files that could not be read, whose kind their name does not tell.
        unreadable: usize,
    },
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
    /// Every file in `sources` with why it was read (empty with
    /// [`CheckOptions::skip_provenance`]).
    pub inputs: Vec<Provenance>,
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

/// The pipeline: load the configs, load the password files they name, freeze what was
/// loaded, run every enabled rule over it side by side, then apply settings and
/// suppressions.
pub(crate) fn run_with_overlay(
    opts: &CheckOptions,
    all_rules: &[&'static Rule],
    overlay: &Overlay,
) -> Result<CheckOutcome, CheckError> {
    opts.progress.stage(progress::Stage::Configs);
    let discover::Discovered {
        candidates,
        unreadable,
    } = discover::discover(opts)?;
    let mut sources = Sources::new();
    let (apache, nginx) = load_configs(&candidates, opts, &mut sources);
    let uses = apache
        .iter()
        .flat_map(ApacheModel::passwd_uses)
        .chain(nginx.iter().flat_map(NginxModel::passwd_uses))
        .collect();
    opts.progress.stage(progress::Stage::PasswdFiles);
    // A file another module reads (mod_auth_plain, a DBM file) is not an htpasswd file:
    // it is not judged by htpasswd rules, whatever its name (AP027 says it is not checked).
    let other_readers: HashSet<PathBuf> = apache
        .iter()
        .flat_map(ApacheModel::other_stores)
        .filter_map(|s| s.local_path.map(|p| canonical(&p)))
        .collect();
    let standalone: Vec<Candidate> = candidates
        .iter()
        .filter(|c| opts.kind.is_some() || !other_readers.contains(&canonical(&c.path)))
        .cloned()
        .collect();
    let mut passwd = passwd_files::load(uses, &standalone, opts.kind, overlay, &mut sources)?;
    passwd.add_unread(&unreadable, &mut sources);
    let ctx = Context {
        sources: &sources,
        profile: &opts.profile,
        passwd: &passwd.inputs,
        unreadable: &passwd.unreadable,
        apache: &apache,
        nginx: &nginx,
    };
    opts.progress.stage(progress::Stage::Rules);
    let enabled = opts.settings.enabled_rules(all_rules);
    let mut diags: Vec<Diagnostic> = run_rules(&enabled, &ctx).into_iter().flatten().collect();
    let passwd_files = passwd
        .inputs
        .iter()
        .map(|p| (p.file, p.parsed.kind()))
        .collect();
    opts.progress.stage(progress::Stage::Findings);
    let suppressed = settle(&mut diags, &sources, opts, all_rules);
    let inputs = if opts.skip_provenance {
        Vec::new()
    } else {
        provenance::explain(
            &candidates,
            &apache,
            &nginx,
            &passwd.inputs,
            &passwd.unreadable,
            &sources,
        )
    };
    Ok(CheckOutcome {
        sources,
        diagnostics: diags,
        passwd_files,
        inputs,
        suppressed,
        fail_on: opts.settings.fail_on,
    })
}

/// Every rule's findings, in rule order (the rules run side by side: the context is
/// frozen and shared).
fn run_rules(rules: &[&Rule], ctx: &Context<'_>) -> Vec<Vec<Diagnostic>> {
    rules
        .par_iter()
        .map(|rule| {
            let mut out = Vec::new();
            (rule.check)(ctx, &mut out);
            out
        })
        .collect()
}

/// Settings and inline suppressions applied, in report order: returns how many findings
/// suppressions silenced.
fn settle(
    diags: &mut Vec<Diagnostic>,
    sources: &Sources,
    opts: &CheckOptions,
    all_rules: &[&'static Rule],
) -> usize {
    // Loaders emit findings too; the same settings apply to them.
    let is_registered = |code: &str| all_rules.iter().any(|r| r.info.code == code);
    diags.retain(|d| !is_registered(d.code) || opts.settings.is_enabled(d.code));
    opts.settings.apply_severity(diags);
    let suppressed = suppress::apply(sources, diags, &opts.settings, all_rules);
    diags.sort_by(|a, b| {
        (a.primary.span, a.code, &a.message).cmp(&(b.primary.span, b.code, &b.message))
    });
    diags.dedup();
    suppressed
}

pub(crate) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

pub(crate) fn load_configs(
    candidates: &[Candidate],
    opts: &CheckOptions,
    sources: &mut Sources,
) -> (Vec<ApacheModel>, Vec<NginxModel>) {
    load_configs_with(candidates, opts, sources, apache::load)
}

/// [`load_configs`] with Apache configurations loaded by `load_apache` (`why` reads only
/// the `.htaccess` files a request meets).
pub(crate) fn load_configs_with(
    candidates: &[Candidate],
    opts: &CheckOptions,
    sources: &mut Sources,
    load_apache: impl Fn(&Path, ApacheStart, &crate::model::LoadOptions, &mut Sources) -> ApacheModel,
) -> (Vec<ApacheModel>, Vec<NginxModel>) {
    let mut apache_models = Vec::new();
    let mut nginx_models = Vec::new();
    let mut loaded: HashSet<PathBuf> = HashSet::new();
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
            apache_models.push(load_apache(&c.path, start, &opts.load, sources));
        } else if let Some(start) = nginx_start {
            nginx_models.push(nginx::load(&c.path, start, &opts.load, sources));
        }
    }
    (apache_models, nginx_models)
}

#[cfg(test)]
mod tests;
