//! Engine unit tests with a fixture rule.
