//! The differential harness (issue 16, item 5): random configs and requests from a
//! grammar, the real servers as the oracle, `htguard why` as the prediction, shrinking
//! of every disagreement into a regression case. Entry points are in
//! tests/differential.rs; how to run it is in tests/differential/README.md.

pub mod apache_gen;
pub mod campaign;
pub mod cases;
pub mod coverage;
pub mod layout;
pub mod nginx_gen;
pub mod render;
pub mod requests;
pub mod rng;
pub mod runner;
pub mod shrink;
pub mod tree;
pub mod users;
pub mod why;
