//! The nginx model: auth_basic coverage of every server and location.
//! (Filled in by the nginx issue; the engine calls only what is declared here.)

use crate::diag::Diagnostic;
use crate::model::{LoadOptions, PasswdUse};
use crate::source::Sources;
use std::path::Path;

/// Everything htguard predicts about one nginx configuration tree.
#[derive(Debug, Default)]
pub struct NginxModel {}

/// How the checked path enters nginx's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NginxStart {
    /// nginx.conf.
    MainConfig,
    /// A server/site file, assumed included from `http {}`.
    Snippet,
}

/// Parse the configuration starting at `path` and build the model. Problems found while
/// reading (syntax errors, missing includes) are pushed to `diags`.
pub fn load(
    _path: &Path,
    _start: NginxStart,
    _opts: &LoadOptions,
    _sources: &mut Sources,
    _diags: &mut Vec<Diagnostic>,
) -> NginxModel {
    NginxModel::default()
}

impl NginxModel {
    /// The password files this configuration makes Apache read.
    pub fn passwd_uses(&self) -> Vec<PasswdUse> {
        Vec::new()
    }
}
