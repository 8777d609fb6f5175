//! XLSForm in and out for Daftar.
//!
//! [`import`] reads an ODK XLSForm workbook (`.xlsx`, also `.xls`) into the same located
//! [`survey_spec::Document`] the native YAML reader produces, with every value located by sheet and cell
//! (`form.xlsx:survey!C12`), so the compiler's diagnostics point into the workbook. [`export`] writes a
//! document as an XLSForm that pyxform converts, and [`to_native_yaml`] writes a document in the native
//! format (`docs/spec-format.md`), which is how `daftar spec import form.xlsx -o form.yaml` works.
//!
//! ```
//! use survey_spec::NoFiles;
//!
//! # fn workbook() -> Vec<u8> {
//! #     let mut doc = survey_spec::Document::default();
//! #     doc.languages.push(survey_spec::document::Located::new("en".into(), Default::default()));
//! #     survey_xlsform::export(&doc).unwrap()
//! # }
//! let bytes: Vec<u8> = workbook(); // the bytes of `form.xlsx`
//! let (doc, diagnostics) = survey_xlsform::import(&bytes, "form.xlsx", &NoFiles);
//! for diagnostic in &diagnostics {
//!     eprintln!("{diagnostic}"); // form.xlsx:survey!A7: error[XLS005]: unknown question type `integr`
//! }
//! let yaml = survey_xlsform::to_native_yaml(&doc.expect("a readable workbook gives a document"));
//! assert!(yaml.starts_with("daftar: 1\n"));
//! ```
//!
//! The mapping (XLSForm → native) is documented type by type in the crate's `README.md`, with the list of
//! XLSForm features that are not supported and why.
#![deny(missing_docs)]

mod codes;
mod export;
mod import;
mod languages;
mod workbook;
mod yaml;

pub use codes::*;

use survey_spec::{Diagnostic, Document, SourceLoader};

/// Why a document could not be written as a workbook.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The spreadsheet writer refused the content (for example a cell longer than 32,767 characters).
    #[error("cannot write the workbook: {0}")]
    Workbook(String),
    /// The questionnaire has more rows or columns than a worksheet can hold.
    #[error("the questionnaire is too large for a worksheet")]
    TooLarge,
}

/// Imports an XLSForm workbook.
///
/// `file_name` names the workbook in diagnostics; `files` reads the attachments next to it
/// (`select_one_from_file` CSVs; a missing one is a warning, the compiler reads them). Returns the
/// document, or `None` when the bytes are not a workbook with a survey sheet, together with every
/// diagnostic. Never panics, whatever the bytes.
pub fn import(
    bytes: &[u8],
    file_name: &str,
    files: &dyn SourceLoader,
) -> (Option<Document>, Vec<Diagnostic>) {
    import::import(bytes, file_name, files)
}

/// Writes a document as an XLSForm workbook (`.xlsx` bytes) that pyxform converts.
pub fn export(doc: &Document) -> Result<Vec<u8>, ExportError> {
    export::export(doc)
}

/// Writes a document in the native YAML format, keys in a stable order, every free text safely quoted.
pub fn to_native_yaml(doc: &Document) -> String {
    yaml::to_native_yaml(doc)
}

/// Whether a file name is a workbook this crate reads (by its extension).
pub fn is_workbook(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    [".xlsx", ".xls", ".xlsm", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Reads a questionnaire file as written, whatever its format: an XLSForm workbook (by extension) or the
/// native YAML/JSON format.
pub fn read_document(
    file_name: &str,
    bytes: &[u8],
    files: &dyn SourceLoader,
) -> (Option<Document>, Vec<Diagnostic>) {
    if is_workbook(file_name) {
        return import(bytes, file_name, files);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => survey_spec::native::read(text, file_name),
        Err(e) => {
            let diagnostic = Diagnostic {
                file: file_name.into(),
                loc: survey_spec::Loc::Unknown,
                severity: survey_spec::Severity::Error,
                code: "F001",
                message: format!("the file is not UTF-8 text (byte {})", e.valid_up_to()),
            };
            (None, vec![diagnostic])
        }
    }
}

/// Reads and compiles a questionnaire file of any format (see [`read_document`]). The questionnaire is
/// returned only when there is no error.
pub fn load(
    file_name: &str,
    bytes: &[u8],
    files: &dyn SourceLoader,
) -> (
    Option<std::sync::Arc<survey_spec::Questionnaire>>,
    Vec<Diagnostic>,
) {
    let (document, mut diagnostics) = read_document(file_name, bytes, files);
    let Some(document) = document else {
        return (None, diagnostics);
    };
    let had_errors = diagnostics
        .iter()
        .any(|d| d.severity == survey_spec::Severity::Error);
    let (questionnaire, more) = survey_spec::compile(&document, file_name, files);
    diagnostics.extend(more);
    if had_errors {
        (None, diagnostics)
    } else {
        (questionnaire, diagnostics)
    }
}

/// Reads and compiles a questionnaire bundle (a zip of the questionnaire and its CSV files, see
/// [`survey_spec::Bundle`]).
pub fn load_bundle(
    bytes: &[u8],
) -> (
    Option<std::sync::Arc<survey_spec::Questionnaire>>,
    Vec<Diagnostic>,
) {
    match survey_spec::Bundle::from_zip(bytes) {
        Ok(bundle) => {
            let (name, main) = bundle.main();
            load(name, main, &bundle)
        }
        Err(message) => {
            let diagnostic = Diagnostic {
                file: "bundle.zip".into(),
                loc: survey_spec::Loc::Unknown,
                severity: survey_spec::Severity::Error,
                code: "F002",
                message,
            };
            (None, vec![diagnostic])
        }
    }
}
