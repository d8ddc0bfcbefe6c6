//! nginx rules.

use super::Rule;

/// Every rule of this family.
pub static RULES: &[&Rule] = &[];
