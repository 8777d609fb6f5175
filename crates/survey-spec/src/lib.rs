//! The questionnaire model of Daftar.
//!
//! This crate owns the native questionnaire format (`daftar: 1`, YAML or JSON; see `docs/spec-format.md`),
//! the located [`Document`] that every front end produces, and the compiler that turns a document into a
//! checked, immutable questionnaire for the engine. It reports every problem it finds, never only the first.
#![deny(missing_docs)]

pub mod answer;
pub mod bundle;
pub mod canonical;
mod compile;
pub mod diagnostic;
pub mod document;
pub mod model;
pub mod native;
pub mod value_text;
mod yaml;

use std::sync::Arc;

pub use answer::{Answer, GeoPoint};
pub use bundle::Bundle;
pub use compile::{MAX_NAME_LEN, compile, compile_expression, value_type};
pub use diagnostic::{Diagnostic, Diagnostics, Loc, Severity};
pub use document::Document;
pub use model::{Kind, NodeId, Questionnaire};

/// Reads and compiles a native questionnaire in one step.
///
/// ```
/// let text = "daftar: 1\nid: demo\nversion: '1'\nitems:\n  - {name: age, type: integer, label: Age}\n";
/// let (questionnaire, diagnostics) = survey_spec::load(text, "demo.yaml", &survey_spec::NoFiles);
/// assert!(diagnostics.is_empty(), "{diagnostics:?}");
/// assert_eq!(questionnaire.unwrap().node_by_name("age").unwrap().kind, survey_spec::Kind::Integer);
/// ```
pub fn load(
    text: &str,
    file_name: &str,
    files: &dyn SourceLoader,
) -> (Option<Arc<Questionnaire>>, Vec<Diagnostic>) {
    let (document, mut diagnostics) = native::read(text, file_name);
    let Some(document) = document else {
        return (None, diagnostics);
    };
    let had_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let (questionnaire, more) = compile(&document, file_name, files);
    diagnostics.extend(more);
    if had_errors {
        (None, diagnostics)
    } else {
        (questionnaire, diagnostics)
    }
}

/// Reads the files a questionnaire refers to (CSV choice lists and tables), relative to the questionnaire.
///
/// The crate does no IO of its own: the CLI and the app pass a loader over the file system, tests an
/// in-memory map.
pub trait SourceLoader {
    /// The bytes of `relative_path`, or a message saying why it cannot be read.
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String>;
}

/// A loader that finds nothing: for questionnaires without side files.
pub struct NoFiles;

impl SourceLoader for NoFiles {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        Err(format!("no file `{relative_path}` is available here"))
    }
}
