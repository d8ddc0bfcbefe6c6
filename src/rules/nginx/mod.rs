//! nginx rules: one file per rule (NX001…), each with its documentation.

pub mod common;

pub mod auth_basic_without_user_file;
pub mod auth_off_in_protected_tree;
pub mod auth_without_tls;
pub mod include_problem;
pub mod limit_except_auth;
pub mod location_bypasses_auth;
pub mod passwd_file_served;
pub mod protected_tree_reachable;
pub mod realm_switchable;
pub mod rewrite_escapes_auth;
pub mod satisfy_any_open;
pub mod snippet_context;
pub mod syntax_error;
pub mod upstream_authorization;
pub mod user_file_missing;
pub mod user_file_not_regular;
pub mod user_file_relative;
pub mod user_file_unreadable;
pub mod user_file_variable;
pub mod user_file_without_auth_basic;

use super::Rule;

/// Every rule of this family, in code order.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &include_problem::RULE,
    &user_file_missing::RULE,
    &user_file_unreadable::RULE,
    &user_file_not_regular::RULE,
    &user_file_relative::RULE,
    &user_file_variable::RULE,
    &auth_basic_without_user_file::RULE,
    &user_file_without_auth_basic::RULE,
    &auth_off_in_protected_tree::RULE,
    &location_bypasses_auth::RULE,
    &rewrite_escapes_auth::RULE,
    &satisfy_any_open::RULE,
    &limit_except_auth::RULE,
    &passwd_file_served::RULE,
    &realm_switchable::RULE,
    &auth_without_tls::RULE,
    &upstream_authorization::RULE,
    &snippet_context::RULE,
    &protected_tree_reachable::RULE,
];

#[cfg(test)]
mod tests;
