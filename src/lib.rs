//! htguard: predicts what Apache httpd 2.4 and nginx will do with their auth
//! configuration and password files, and edits those files safely.
//!
//! # Layers
//!
//! Data flows one way (DESIGN.md); each module uses only those below it:
//!
//! ```text
//! cli        clap definitions and thin handlers; the only code that prints or exits
//! config     htguard.toml
//! check      the pipeline: load configs, load the password files they name, one
//!            frozen model, every rule in parallel over it, settings, suppressions
//! report     renderers (human, json, sarif, github): they decide nothing
//! probe      a live server's answers to a few requests, diagnosed (PB…); the HTTP client
//! user       password-file operations, through syntax::passwd, hash and store
//! rules      one file per rule: queries over the model that emit diagnostics
//! model      what the servers do (Apache, nginx, password-file views); no rules
//! diag       findings and rule metadata, as data
//! store      the only writer of password files (locked, atomic)
//! syntax     lossless parsers; no server behaviour
//! hash       hash schemes: pure functions over bytes
//! source     files and spans; target: which servers and platforms
//! ```
//!
//! `layering_tests` fails on a `crate::…` path that goes up, and on any import cycle
//! between these modules.

pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod hash;
pub mod model;
pub mod probe;
pub mod report;
pub mod rules;
pub mod source;
pub mod store;
pub mod syntax;
pub mod target;
pub mod user;

#[cfg(test)]
mod layering_tests;
