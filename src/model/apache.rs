//! The Apache httpd 2.4 model: protected areas built from parsed configuration.
//! (Filled in by the Apache issue; the engine calls only what is declared here.)

use crate::diag::Diagnostic;
use crate::model::{LoadOptions, PasswdUse};
use crate::source::Sources;
use std::path::Path;

/// Everything htguard predicts about one Apache configuration tree.
#[derive(Debug, Default)]
pub struct ApacheModel {}

/// How the checked path enters Apache's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApacheStart {
    /// apache2.conf / httpd.conf.
    MainConfig,
    /// A vhost or conf snippet, assumed included from a stock main config.
    Snippet,
    /// A lone `.htaccess`, assumed under stock defaults.
    Htaccess,
}

/// Parse the configuration starting at `path` and build the model. Problems found while
/// reading (syntax errors, missing includes) are pushed to `diags`.
pub fn load(
    _path: &Path,
    _start: ApacheStart,
    _opts: &LoadOptions,
    _sources: &mut Sources,
    _diags: &mut Vec<Diagnostic>,
) -> ApacheModel {
    ApacheModel::default()
}

impl ApacheModel {
    /// The password files this configuration makes Apache read.
    pub fn passwd_uses(&self) -> Vec<PasswdUse> {
        Vec::new()
    }
}
