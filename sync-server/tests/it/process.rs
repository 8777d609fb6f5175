//! Scenarios against the real binary.
