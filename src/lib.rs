//! htguard: predicts what Apache httpd 2.4 and nginx will do with their auth
//! configuration and password files, and edits those files safely.
//!
//! Data flows one way: `syntax` → `model` → `rules` → `diag` → `report`;
//! `user` edits through `hash` and `store`; `cli` wires it together.

pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod hash;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod store;
pub mod syntax;
pub mod target;
pub mod user;
