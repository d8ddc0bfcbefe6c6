//! Hash schemes: detect, validate, verify, generate. Pure functions over bytes.
