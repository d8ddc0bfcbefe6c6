//! The only code that writes password files: locked, atomic, mode- and owner-keeping.
//! PLACEHOLDER CONTRACT — the passwd/store helper replaces this file; keep these names.

use std::path::Path;

/// How a write may treat the target.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// Create the file if it does not exist (with `create_mode`).
    pub create: bool,
    /// Mode of a newly created file (default 0o640).
    pub create_mode: u32,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            create: false,
            create_mode: 0o640,
        }
    }
}

/// Why a write did not happen. The original file is intact in every case.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Other(String),
}

/// Lock `path`, read it under the lock (`None` if it does not exist and `create` is set),
/// let `edit` compute the new content (returning `Ok(None)` means "no change"), and
/// replace the file atomically. Returns whether the file was written.
pub fn update<E>(
    _path: &Path,
    _opts: &WriteOptions,
    _edit: impl FnOnce(Option<&[u8]>) -> Result<Option<Vec<u8>>, E>,
) -> Result<bool, UpdateError<E>> {
    Err(UpdateError::Store(StoreError::Other(
        "store not implemented yet".into(),
    )))
}

/// An error from the edit closure or from the store itself.
#[derive(Debug)]
pub enum UpdateError<E> {
    Edit(E),
    Store(StoreError),
}
