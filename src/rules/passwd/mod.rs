//! Password-file rules (PW…): what can be said about an htpasswd, htdigest or
//! group file on its own and from how the configs use it. Each rule reads the
//! servers' views from `model::passwd`, so a message says what the server does.

mod common;

pub mod census;

pub mod bcrypt_cost;
pub mod crlf_line_endings;
pub mod digest_realm_mismatch;
pub mod duplicate_user;
pub mod empty_field;
pub mod group_member_unknown;
pub mod indented_comment;
pub mod inline_comment;
pub mod leading_whitespace;
pub mod line_too_long;
pub mod malformed_hash;
pub mod missing_colon;
pub mod no_final_newline;
pub mod no_usable_entry;
pub mod password_in_plain_sight;
pub mod reader_reads_differently;
pub mod space_around_colon;
pub mod trailing_backslash;
pub mod trailing_whitespace;
pub mod unsupported_scheme;
pub mod utf8_bom;
pub mod weak_scheme;
pub mod wrong_format;

use super::Rule;

/// Every rule of this family.
pub static RULES: &[&Rule] = &[
    &malformed_hash::RULE,
    &unsupported_scheme::RULE,
    &utf8_bom::RULE,
    &space_around_colon::RULE,
    &leading_whitespace::RULE,
    &trailing_whitespace::RULE,
    &duplicate_user::RULE,
    &missing_colon::RULE,
    &empty_field::RULE,
    &no_usable_entry::RULE,
    &wrong_format::RULE,
    &weak_scheme::RULE,
    &bcrypt_cost::RULE,
    &no_final_newline::RULE,
    &crlf_line_endings::RULE,
    &line_too_long::RULE,
    &trailing_backslash::RULE,
    &inline_comment::RULE,
    &group_member_unknown::RULE,
    &indented_comment::RULE,
    &digest_realm_mismatch::RULE,
    &reader_reads_differently::RULE,
    &password_in_plain_sight::RULE,
];
