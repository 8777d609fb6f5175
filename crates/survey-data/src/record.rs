//! One interview as the data side sees it, and the JSON it travels as inside a sealed upload.
//!
//! The plaintext of a sealed envelope (before `sync_proto::payload::encode`) is a JSON document:
//!
//! ```json
//! {"format": "daftar-interview/1",
//!  "rows": [["hh_roster", 2]],
//!  "answers": [{"path": "hh_roster[1].m_sex", "value": "1"}],
//!  "confirmed": ["hh_roster[1].e_dep_year"],
//!  "language": "fr",
//!  "events": [{"at": "2026-10-15T10:00:00+01:00", "event": "answer_set", "path": "hh_n_persons"}]}
//! ```
//!
//! Values use the `daftar play` JSON encoding (`survey_spec::value_text`); the kind of each value comes from
//! the questionnaire, so decoding needs it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use survey_engine::{Event, EventKind, FixedEnvironment, Rejection, Session};
use survey_expr::DateTimeValue;
use survey_spec::{Answer, Questionnaire, value_text};

use crate::DataError;

/// The `format` tag of the interview JSON.
pub const PAYLOAD_FORMAT: &str = "daftar-interview/1";

/// One paradata event, in the external form of the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParadataEntry {
    /// RFC 3339 time.
    pub at: String,
    /// `answer_set`, `navigated`, `language_changed`…
    pub event: String,
    /// The path the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The language of a language change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ParadataEntry {
    /// Converts an engine event.
    pub fn from_event(event: &Event) -> ParadataEntry {
        let detail = match &event.kind {
            EventKind::LanguageChanged { language } => Some(language.clone()),
            _ => None,
        };
        ParadataEntry {
            at: value_text::format_datetime(event.at.millis, event.at.offset_minutes),
            event: event.kind.name().to_string(),
            path: event.kind.path().map(str::to_string),
            detail,
        }
    }

    /// Milliseconds since the epoch, if the time parses.
    pub fn millis(&self) -> Option<i64> {
        value_text::parse_datetime(&self.at).ok().map(|(m, _)| m)
    }
}

/// A saved interview: answers by path, roster row counts, confirmed warnings and paradata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InterviewRecord {
    /// The interview id (UUID text).
    pub id: String,
    /// Row counts of rosters by roster path (outer before inner).
    pub rows: Vec<(String, u32)>,
    /// Answers by path (calculations are left out: they are recomputed).
    pub answers: Vec<(String, Answer)>,
    /// Paths whose soft warnings the enumerator confirmed.
    pub confirmed: Vec<String>,
    /// The interview language.
    pub language: Option<String>,
    /// The paradata.
    pub events: Vec<ParadataEntry>,
}

#[derive(Serialize, Deserialize)]
struct PayloadJson {
    format: String,
    #[serde(default)]
    rows: Vec<(String, u32)>,
    #[serde(default)]
    answers: Vec<PathValue>,
    #[serde(default)]
    confirmed: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(default)]
    events: Vec<ParadataEntry>,
}

#[derive(Serialize, Deserialize)]
struct PathValue {
    path: String,
    value: Json,
}

/// The node name a path ends with: `hh_roster[2].m_age` → `m_age`.
pub fn path_leaf(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

impl InterviewRecord {
    /// Takes the state of a session (answers, rows, confirmations) and the paradata given.
    pub fn from_session(id: &str, session: &Session, events: &[Event]) -> InterviewRecord {
        let language = session
            .questionnaire()
            .languages
            .get(session.language())
            .cloned();
        InterviewRecord {
            id: id.to_string(),
            rows: session.roster_rows(),
            answers: session.answers(),
            confirmed: session.confirmed_warnings(),
            language,
            events: events.iter().map(ParadataEntry::from_event).collect(),
        }
    }

    /// The interview JSON (see the module documentation).
    pub fn to_payload(&self) -> Vec<u8> {
        let payload = PayloadJson {
            format: PAYLOAD_FORMAT.to_string(),
            rows: self.rows.clone(),
            answers: self
                .answers
                .iter()
                .map(|(path, value)| PathValue {
                    path: path.clone(),
                    value: value_text::to_json(value),
                })
                .collect(),
            confirmed: self.confirmed.clone(),
            language: self.language.clone(),
            events: self.events.clone(),
        };
        serde_json::to_vec(&payload).unwrap_or_default()
    }

    /// Reads the interview JSON, typing each value with the questionnaire.
    pub fn from_payload(
        id: &str,
        q: &Questionnaire,
        bytes: &[u8],
    ) -> Result<InterviewRecord, DataError> {
        let bad = |message: String| DataError::Payload {
            interview: id.to_string(),
            message,
        };
        let payload: PayloadJson =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not interview JSON: {e}")))?;
        if payload.format != PAYLOAD_FORMAT {
            return Err(bad(format!(
                "format `{}`, expected `{PAYLOAD_FORMAT}`",
                payload.format
            )));
        }
        let mut answers = Vec::with_capacity(payload.answers.len());
        for PathValue { path, value } in payload.answers {
            let node = q
                .node_by_name(path_leaf(&path))
                .ok_or_else(|| bad(format!("`{path}` is not in the questionnaire")))?;
            let answer = value_text::from_json(node.kind, &value)
                .map_err(|e| bad(format!("`{path}`: {e}")))?;
            answers.push((path, answer));
        }
        Ok(InterviewRecord {
            id: id.to_string(),
            rows: payload.rows,
            answers,
            confirmed: payload.confirmed,
            language: payload.language,
            events: payload.events,
        })
    }

    /// The instant the interview was last worked on (its last event), for `now()` when restoring.
    pub fn last_instant(&self) -> DateTimeValue {
        self.events
            .iter()
            .rev()
            .find_map(|e| value_text::parse_datetime(&e.at).ok())
            .map(|(millis, offset_minutes)| DateTimeValue {
                millis,
                offset_minutes,
            })
            .unwrap_or(DateTimeValue {
                millis: 0,
                offset_minutes: 0,
            })
    }

    /// Rebuilds the interview with the engine; entries that no longer fit are returned.
    pub fn restore(&self, q: &Arc<Questionnaire>) -> (Session, Vec<Rejection>) {
        let mut session = Session::restore(
            q.clone(),
            Box::new(FixedEnvironment::new(self.last_instant())),
            &self.rows,
            &self.answers,
            &self.confirmed,
        );
        if let Some(language) = &self.language {
            // A language the questionnaire does not declare leaves the default: labels only.
            let _ = session.0.set_language(language);
        }
        session.0.take_events();
        session
    }
}
