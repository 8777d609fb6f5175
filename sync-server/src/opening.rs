//! Opening stored interviews with a survey's private key: the one place the console (review, export)
//! and upload validation turn a sealed envelope into an `InterviewRecord`.
//!
//! No IO here: callers fetch the envelopes and the questionnaire, and hold the unlocked key.

use survey_data::InterviewRecord;
use survey_spec::Questionnaire;
use sync_proto::keys::SurveyKeyPair;
use sync_proto::wire::{InterviewDetail, ReceiptOutcome, UploadEnvelope};

use crate::error::AppError;

/// Why a stored envelope could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The payload does not open with this survey key (another key, or damaged ciphertext).
    #[error(
        "interview {interview}: the sealed payload does not open with this survey's key: {reason}"
    )]
    CannotOpen {
        /// The interview id.
        interview: String,
        /// Why.
        reason: String,
    },
    /// It opened, but is not a `daftar-interview/1` record of this questionnaire.
    #[error("{0}")]
    BadPayload(String),
}

impl OpenError {
    /// A stable snake_case code: `cannot_open` or `bad_payload`.
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::CannotOpen { .. } => "cannot_open",
            OpenError::BadPayload(_) => "bad_payload",
        }
    }
}

impl From<OpenError> for AppError {
    fn from(error: OpenError) -> AppError {
        AppError::invalid(error.code(), error.to_string())
    }
}

/// The latest accepted revision of an interview (conflicts are kept but never current).
pub fn latest_accepted(detail: &InterviewDetail) -> Option<&UploadEnvelope> {
    detail
        .envelopes
        .iter()
        .filter(|stored| stored.outcome == ReceiptOutcome::Accepted)
        .max_by_key(|stored| stored.envelope.revision)
        .map(|stored| &stored.envelope)
}

/// Opens an envelope with the survey key and reads its record, typing each value with the questionnaire.
pub fn open_record(
    envelope: &UploadEnvelope,
    key: &SurveyKeyPair,
    questionnaire: &Questionnaire,
) -> Result<InterviewRecord, OpenError> {
    let interview = envelope.interview_id.to_string();
    let plaintext = envelope.open(key).map_err(|error| OpenError::CannotOpen {
        interview: interview.clone(),
        reason: error.to_string(),
    })?;
    InterviewRecord::from_payload(&interview, questionnaire, &plaintext)
        .map_err(|error| OpenError::BadPayload(error.to_string()))
}
