//! Where a check is, for a progress display. The engine only reports the stage it enters;
//! the CLI decides whether and how to draw it (a bar on a terminal, nothing otherwise).

use std::sync::Arc;

/// The steps of a run, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the configs, what they include and every `.htaccess` under them.
    Configs,
    /// Reading the password, digest and group files they name.
    PasswdFiles,
    /// Running the rules.
    Rules,
    /// Settings, inline suppressions, sorting.
    Findings,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Configs,
        Stage::PasswdFiles,
        Stage::Rules,
        Stage::Findings,
    ];

    /// 1-based position among [`Stage::ALL`].
    pub fn number(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Configs => "reading configs and .htaccess files",
            Stage::PasswdFiles => "reading password files",
            Stage::Rules => "running rules",
            Stage::Findings => "sorting findings",
        }
    }
}

/// Told each stage as the run enters it (from whichever thread runs it).
pub trait Progress: Send + Sync {
    fn stage(&self, stage: Stage);
}

/// An optional [`Progress`] in [`super::CheckOptions`]; the default reports to no one.
#[derive(Clone, Default)]
pub struct ProgressHook(Option<Arc<dyn Progress>>);

impl ProgressHook {
    pub fn new(progress: Arc<dyn Progress>) -> Self {
        ProgressHook(Some(progress))
    }

    pub(crate) fn stage(&self, stage: Stage) {
        if let Some(p) = &self.0 {
            p.stage(stage);
        }
    }
}

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressHook(set)"
        } else {
            "ProgressHook(none)"
        })
    }
}
