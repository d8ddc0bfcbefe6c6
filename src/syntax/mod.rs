//! Lossless parsers, one per language. They know no server semantics and no rules.

pub mod apache;
pub mod nginx;
pub mod passwd;
