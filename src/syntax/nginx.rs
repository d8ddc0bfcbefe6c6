//! nginx configuration syntax (lossless, with spans).
