//! The questionnaire model of Daftar.
//!
//! This crate owns the native questionnaire format (`daftar: 1`, YAML or JSON), compiles it into an
//! immutable [`Questionnaire`](crate) ready for the engine, and reports every problem it finds.
#![deny(missing_docs)]

pub mod answer;

pub use answer::{Answer, GeoPoint};
