//! Integration tests of the sync protocol crate.

mod envelope;
mod hpke_vectors;
mod keys;
