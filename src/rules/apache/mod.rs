//! Apache httpd 2.4 rules: one file per rule (AP001…), each with its documentation.

mod area_requests;
mod common;
mod skipped_block;

pub mod allowoverride_in_regex;
pub mod assumed_context;
pub mod auth_name_missing;
pub mod auth_name_unquoted;
pub mod auth_store_not_checked;
pub mod auth_without_require;
pub mod authmerging_replaces;
pub mod basic_auth_cleartext;
pub mod group_file_unusable;
pub mod htaccess_ignored;
pub mod htaccess_not_allowed;
pub mod include_optional_missing;
pub mod include_problem;
pub mod limit_methods_open;
pub mod module_not_loaded;
pub mod passwd_file_served;
pub mod relative_auth_file;
pub mod require_all_granted_mix;
pub mod require_group_problem;
pub mod require_user_unknown;
pub mod require_without_auth_type;
pub mod satisfy_any_open;
pub mod syntax_error;
pub mod trailing_comment;
pub mod undefined_variable;
pub mod unknown_authn_provider;
pub mod user_file_unusable;

use super::Rule;

/// Every rule of this family, in code order.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &include_problem::RULE,
    &undefined_variable::RULE,
    &user_file_unusable::RULE,
    &group_file_unusable::RULE,
    &relative_auth_file::RULE,
    &auth_name_missing::RULE,
    &auth_name_unquoted::RULE,
    &trailing_comment::RULE,
    &require_user_unknown::RULE,
    &require_group_problem::RULE,
    &auth_without_require::RULE,
    &require_without_auth_type::RULE,
    &require_all_granted_mix::RULE,
    &limit_methods_open::RULE,
    &satisfy_any_open::RULE,
    &htaccess_ignored::RULE,
    &htaccess_not_allowed::RULE,
    &allowoverride_in_regex::RULE,
    &passwd_file_served::RULE,
    &basic_auth_cleartext::RULE,
    &module_not_loaded::RULE,
    &unknown_authn_provider::RULE,
    &authmerging_replaces::RULE,
    &assumed_context::RULE,
    &include_optional_missing::RULE,
    &auth_store_not_checked::RULE,
];
