//! nginx rules: one file per rule (NX001…), each with its documentation.

pub mod include_problem;
pub mod snippet_context;
pub mod syntax_error;

use super::Rule;

/// Every rule of this family.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &include_problem::RULE,
    &snippet_context::RULE,
];
