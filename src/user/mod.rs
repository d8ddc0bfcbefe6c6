//! Password-file operations (add, set, rotate, delete, verify, list, import).
