//! The only code that writes password files: locked, atomic, mode- and owner-keeping.
