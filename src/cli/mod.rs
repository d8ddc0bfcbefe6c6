//! Command-line definitions and thin handlers.
