//! apache configuration syntax (lossless, with spans).
