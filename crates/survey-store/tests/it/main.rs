//! The store's integration tests: real SQLite files in temporary directories.

mod canary;
mod crash;
mod disk_full;
mod fixtures;
mod keys;
mod outbox;
mod round_trip;
mod support;
mod tamper;
