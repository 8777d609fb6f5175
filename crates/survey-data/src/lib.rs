//! Survey data out of interviews, for the survey firm: the export layout (one CSV per roster level with
//! join keys), the codebook and Stata/SPSS label files generated from the questionnaire, cleaned batches
//! validated with the engine and compared with the raw data, and the SDG 10.7.1 tables.
//!
//! No IO and no HTTP: the sync server's console and the `daftar export` command call it with bytes.
//!
//! ```
//! use std::sync::Arc;
//! use survey_data::{Dataset, InterviewRecord, batch, sdg};
//! use survey_spec::{Answer, NoFiles};
//!
//! let text = "daftar: 1\nid: demo\nversion: '1'\nitems:\n  - {name: age, type: integer, label: Age, constraint: '. < 120'}\n";
//! let q = survey_spec::load(text, "demo.yaml", &NoFiles).0.unwrap();
//! let raw = vec![InterviewRecord {
//!     id: "i1".into(),
//!     answers: vec![("age".into(), Answer::Integer(30))],
//!     ..Default::default()
//! }];
//! let data = Dataset::from_records(&q, &raw);
//! assert_eq!(data.table("main").unwrap().to_csv(), b"interview_id,age\ni1,30\n");
//!
//! // A cleaned batch with an impossible age is refused with its row and column.
//! let bad = vec![("main.csv".to_string(), b"interview_id,age\ni1,130\n".to_vec())];
//! let report = batch::validate(&q, &raw, &bad).unwrap_err();
//! assert_eq!((report.problems[0].row, report.problems[0].column.as_str()), (2, "age"));
//!
//! // A valid one becomes a dataset whose differences are counted per variable.
//! let good = vec![("main.csv".to_string(), b"interview_id,age\ni1,31\n".to_vec())];
//! let cleaned = batch::validate(&q, &raw, &good).unwrap();
//! assert_eq!(batch::diff(&data, &cleaned.dataset).variables[0].changed, 1);
//! assert!(sdg::tables_of(&data).is_empty());
//! ```
#![deny(missing_docs)]

pub mod batch;
pub mod codebook;
pub mod dataset;
pub mod export;
pub mod record;
pub mod script;
pub mod sdg;

pub use dataset::{Dataset, Level, RowKey, Table, levels};
pub use record::{InterviewRecord, ParadataEntry};

/// Why data could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// An interview's decrypted payload is not interview JSON of this questionnaire.
    #[error("interview {interview}: {message}")]
    Payload {
        /// The interview id.
        interview: String,
        /// What is wrong.
        message: String,
    },
    /// A zip could not be read or written.
    #[error("zip: {0}")]
    Zip(String),
}
