//! Opening stored interviews with a survey's private key and re-validating them: the one place the
//! console (review, export) and upload validation turn a sealed envelope into an `InterviewRecord`.
//!
//! Only [`unlock`] reads storage (the wrapped key); the rest does no IO: callers fetch the envelopes and
//! the questionnaire, and hold the unlocked key.

use std::collections::BTreeMap;
use std::sync::Arc;

use survey_data::InterviewRecord;
use survey_spec::{Answer, Kind, Questionnaire};
use sync_proto::keys::SurveyKeyPair;
use sync_proto::wire::{
    InterviewDetail, MonitoringValue, ReceiptOutcome, UploadEnvelope, ValidationIssue,
};

use crate::error::AppError;
use crate::state::AppState;

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

/// The wrapped private key of a survey, unwrapped with a passphrase.
pub async fn unlock(
    state: &AppState,
    survey: &str,
    passphrase: String,
) -> Result<SurveyKeyPair, AppError> {
    let storage = state.storage.clone();
    let survey_id = survey.to_string();
    let row = state
        .blocking(move || storage.survey(&survey_id))
        .await?
        .ok_or_else(|| AppError::not_found("no such survey"))?;
    let wrapped: sync_proto::keys::WrappedSurveyKey =
        serde_json::from_str(row.wrapped_private_key.as_deref().ok_or_else(|| {
            AppError::invalid(
                "no_server_key",
                "this survey's private key is not kept on the server",
            )
        })?)
        .map_err(|e| AppError::internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || wrapped.unwrap_key(&passphrase))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(|_| {
            AppError::invalid(
                "wrong_passphrase",
                "the passphrase does not unlock this survey's key",
            )
        })
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

/// Replays an opened interview through the engine on its questionnaire, as a completed interview, and
/// compares the monitoring fields sent in clear with the values inside the sealed payload. Returns
/// every problem; none means valid.
///
/// Checked: every path leads to an item or a roster row of the questionnaire (`not-found`, `path`…,
/// from `Session::restore`); choice codes and currencies are in their lists (`unknown_code`); among
/// relevant items (skip logic), required answers are present (`required`), hard constraints hold
/// (their code, e.g. `constraint`), soft warnings are confirmed (`warning_unconfirmed`) and choice
/// filters offer the chosen codes (`choice`). An answer kept on a skipped item is not a problem: the
/// engine keeps it by design (it reads as empty), so toggling a filter loses nothing.
///
/// Messages are persisted in clear, so they name items, codes and questionnaire expressions, never
/// an answer (a rendered questionnaire message could pipe one in, so it is not used).
pub fn validate_record(
    questionnaire: &Arc<Questionnaire>,
    record: &InterviewRecord,
    monitoring: &BTreeMap<String, MonitoringValue>,
) -> Vec<ValidationIssue> {
    let issue = |path: &str, code: &str, message: String| ValidationIssue {
        path: path.to_string(),
        code: code.to_string(),
        message,
    };
    let mut issues = Vec::new();
    let (session, rejections) = record.restore(questionnaire);
    // Restore names the path in its message; report it as the issue's path, with a message of
    // the rejection's code alone (the engine's message may quote a value).
    let known_paths: Vec<&str> = record
        .rows
        .iter()
        .map(|(path, _)| path.as_str())
        .chain(record.answers.iter().map(|(path, _)| path.as_str()))
        .collect();
    for rejection in rejections {
        // The longest path the message names: `a[2].b` rather than the `a` it also mentions.
        let path = known_paths
            .iter()
            .filter(|path| rejection.message.contains(&format!("`{path}`")))
            .max_by_key(|path| path.len())
            .copied()
            .unwrap_or("");
        issues.push(issue(
            path,
            rejection.code,
            format!(
                "`{path}` does not fit the questionnaire ({}): no such item or roster row",
                rejection.code
            ),
        ));
    }
    for (path, answer) in &record.answers {
        let Ok(instance) = session.resolve(path) else {
            continue;
        };
        let node = questionnaire.node(instance.node);
        let codes: Vec<&str> = match answer {
            Answer::Choice(code) => vec![code.as_str()],
            Answer::Choices(codes) => codes.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if let Some(list) = questionnaire.choice_list_of(node.id) {
            if codes.iter().any(|code| list.get(code).is_none()) {
                issues.push(issue(
                    path,
                    "unknown_code",
                    format!(
                        "`{path}` holds a code that is not in choice list `{}`",
                        list.name
                    ),
                ));
            }
        } else if node.kind == Kind::YesNo && codes.iter().any(|c| *c != "yes" && *c != "no") {
            issues.push(issue(
                path,
                "unknown_code",
                format!("`{path}` holds a code other than yes and no"),
            ));
        }
        if let (Some(list), Answer::Money { currency, .. }) = (
            node.currencies
                .map(|index| &questionnaire.choice_lists[index as usize]),
            answer,
        ) && list.get(currency).is_none()
        {
            issues.push(issue(
                path,
                "unknown_code",
                format!(
                    "`{path}` holds a currency that is not in list `{}`",
                    list.name
                ),
            ));
        }
    }
    for instance in session.walk() {
        let node = questionnaire.node(instance.node);
        let path = session.path(instance);
        for found in session.issues(instance) {
            if found.soft && found.confirmed {
                continue;
            }
            let rule = node
                .checks
                .iter()
                .find(|check| check.code == found.code)
                .map(|check| check.expr.to_string());
            let (code, message) = match (found.code.as_str(), found.soft, rule) {
                ("required", _, _) => (
                    "required".to_string(),
                    format!("`{path}` is required and not answered"),
                ),
                ("choice", _, _) => (
                    "choice".to_string(),
                    format!("`{path}` holds a code its choice filter does not offer"),
                ),
                (_, true, rule) => (
                    "warning_unconfirmed".to_string(),
                    format!(
                        "`{path}`: the warning `{}` was not confirmed",
                        rule.unwrap_or_else(|| found.code.clone())
                    ),
                ),
                (code, false, rule) => (
                    code.to_string(),
                    format!(
                        "`{path}` breaks its constraint `{}`",
                        rule.unwrap_or_else(|| code.to_string())
                    ),
                ),
            };
            issues.push(issue(&path, &code, message));
        }
    }
    // The clear monitoring fields must be exactly those the sealed answers give.
    let sealed: BTreeMap<String, String> = session
        .monitoring()
        .into_iter()
        .map(|(path, answer)| (path, answer_cell_text(&answer)))
        .collect();
    let clear: BTreeMap<&String, Option<String>> = monitoring
        .iter()
        .map(|(path, value)| (path, value.cell_text()))
        .collect();
    for (path, value) in &clear {
        if value.as_ref() != sealed.get(*path) {
            let shown = value.as_deref().unwrap_or("null");
            issues.push(issue(
                path,
                "monitoring_mismatch",
                format!(
                    "monitoring field `{path}` was sent in clear as `{shown}`, which is not the answer inside the sealed interview"
                ),
            ));
        }
    }
    for path in sealed.keys() {
        if !clear.contains_key(path) {
            issues.push(issue(
                path,
                "monitoring_mismatch",
                format!(
                    "monitoring field `{path}` is answered inside the sealed interview but was not sent in clear"
                ),
            ));
        }
    }
    issues
}

/// An answer as the text of a monitoring value (`MonitoringValue::cell_text` of what the tablet sends).
fn answer_cell_text(answer: &Answer) -> String {
    match answer {
        Answer::Integer(value) => value.to_string(),
        Answer::Decimal(value) => value.to_string(),
        Answer::Text(text) | Answer::Choice(text) => text.clone(),
        Answer::Choices(codes) => codes.join(" "),
        other => survey_spec::value_text::to_text(other),
    }
}
