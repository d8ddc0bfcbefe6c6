//! htpasswd, htdigest and group files, lossless.

/// A parsed password file.
#[derive(Debug, Clone, Default)]
pub struct PasswdFile {}
