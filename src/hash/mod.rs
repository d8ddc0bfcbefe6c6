//! Hash schemes: detect, validate, verify, generate. Pure functions over bytes.
//! PLACEHOLDER CONTRACT — the hash helper replaces this; keep these names.

/// A scheme htguard can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Bcrypt,
    Apr1,
    Sha256Crypt,
    Sha512Crypt,
    Md5Crypt,
    DesCrypt,
    Sha1,
    Plain,
}
