//! Interviews: create, save, load, list.
//!
//! In clear: id, enumerator, questionnaire id and version, assignment, status, timestamps and revision —
//! what the app needs to list interviews and sync them. The answers, confirmed warnings, cursor and
//! language are one sealed blob, re-sealed at every save with the new revision in its associated data.
//! The blob lives in its own table (`interview_content`, since schema version 2) so that listing reads
//! only small rows; its associated data still names the logical table `interviews`.

use std::fmt;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use survey_spec::Answer;
use uuid::Uuid;

use crate::Store;
use crate::codec;
use crate::crypto::{self, BlobPlace};
use crate::error::{Result, SqlContext, StoreError};
use crate::events::{self, ParadataEvent};

pub(crate) const TABLE: &str = "interviews";
const COLUMN: &str = "content";

/// Where an interview is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterviewStatus {
    /// Being filled in (or reopened).
    InProgress,
    /// Finished by the enumerator, waiting to be sent.
    Completed,
    /// Received by the server (a matching receipt arrived).
    Submitted,
    /// Approved by a supervisor.
    Approved,
    /// Sent back by a supervisor for correction.
    Rejected,
}

impl InterviewStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [InterviewStatus; 5] = [
        InterviewStatus::InProgress,
        InterviewStatus::Completed,
        InterviewStatus::Submitted,
        InterviewStatus::Approved,
        InterviewStatus::Rejected,
    ];

    /// The stored name (`in_progress`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::InProgress => "in_progress",
            InterviewStatus::Completed => "completed",
            InterviewStatus::Submitted => "submitted",
            InterviewStatus::Approved => "approved",
            InterviewStatus::Rejected => "rejected",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Whether the enumerator may save content in status `self` ending in status `to`.
    fn save_allowed(self, to: InterviewStatus) -> bool {
        use InterviewStatus::*;
        matches!(
            (self, to),
            (InProgress | Completed | Rejected, InProgress | Completed)
        )
    }
}

impl fmt::Display for InterviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an interview holds: the answers and where the enumerator was.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InterviewContent {
    /// Answers by path (`name`, `hh_roster[2].age`, `hh_roster[2].episodes[1].country`), in the engine's
    /// order.
    pub answers: Vec<(String, Answer)>,
    /// Paths of soft warnings the enumerator confirmed.
    pub confirmed_warnings: Vec<String>,
    /// Where to resume (a path), if anywhere.
    pub cursor: Option<String>,
    /// The interview language (`fr`, `ar`, `en`), if chosen.
    pub language: Option<String>,
    /// Row counts of rosters (`(roster path, rows)`), so that a row added but not answered yet is still
    /// there when the interview is reopened.
    pub rows: Vec<(String, u32)>,
}

/// The clear part of an interview: enough to list and sync it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewMeta {
    /// The interview id (UUID v7, made by the caller).
    pub id: Uuid,
    /// The enumerator it belongs to.
    pub enumerator_id: String,
    /// The questionnaire id.
    pub questionnaire_id: String,
    /// The questionnaire version.
    pub questionnaire_version: String,
    /// The assignment it was started from, if any.
    pub assignment_id: Option<String>,
    /// Its status.
    pub status: InterviewStatus,
    /// Created, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Last saved, milliseconds since the Unix epoch.
    pub updated_at: i64,
    /// Starts at 1; every save adds 1.
    pub revision: u64,
}

/// A loaded interview.
#[derive(Debug, Clone, PartialEq)]
pub struct Interview {
    /// The clear part.
    pub meta: InterviewMeta,
    /// The decrypted content.
    pub content: InterviewContent,
}

/// What is needed to start an interview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInterview {
    /// A fresh UUID v7 from the caller.
    pub id: Uuid,
    /// The questionnaire id.
    pub questionnaire_id: String,
    /// The questionnaire version.
    pub questionnaire_version: String,
    /// The assignment, if the interview is started from one.
    pub assignment_id: Option<String>,
}

impl NewInterview {
    /// An interview without an assignment.
    pub fn new(
        id: Uuid,
        questionnaire_id: impl Into<String>,
        questionnaire_version: impl Into<String>,
    ) -> Self {
        NewInterview {
            id,
            questionnaire_id: questionnaire_id.into(),
            questionnaire_version: questionnaire_version.into(),
            assignment_id: None,
        }
    }

    /// The same, started from `assignment_id`.
    pub fn with_assignment(mut self, assignment_id: impl Into<String>) -> Self {
        self.assignment_id = Some(assignment_id.into());
        self
    }
}

/// Which interviews to list. The default lists all of the enumerator's interviews.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterviewFilter {
    /// Only this status.
    pub status: Option<InterviewStatus>,
    /// Only interviews of this assignment.
    pub assignment_id: Option<String>,
}

const META_COLUMNS: &str = "interview_id, enumerator_id, questionnaire_id, questionnaire_version, \
     assignment_id, status, created_at, updated_at, revision";

pub(crate) fn meta_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<InterviewMeta> {
    let id: String = row.get(0)?;
    let status: String = row.get(5)?;
    let bad = |column: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("{what} in interview {id}").into(),
        )
    };
    Ok(InterviewMeta {
        id: Uuid::parse_str(&id).map_err(|_| bad(0, "malformed interview id"))?,
        enumerator_id: row.get(1)?,
        questionnaire_id: row.get(2)?,
        questionnaire_version: row.get(3)?,
        assignment_id: row.get(4)?,
        status: InterviewStatus::parse(&status).ok_or_else(|| bad(5, "unknown status"))?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        revision: row.get::<_, i64>(8)? as u64,
    })
}

/// The associated-data place of an interview's content at `revision`.
pub(crate) fn content_place<'a>(
    id: &'a str,
    revision: u64,
    context: &'a [&'a str],
) -> BlobPlace<'a> {
    BlobPlace {
        table: TABLE,
        id,
        column: COLUMN,
        revision,
        context,
    }
}

impl Store {
    /// Starts an interview at revision 1, status `in_progress`, in one durable transaction.
    pub fn create_interview(
        &mut self,
        new: &NewInterview,
        content: &InterviewContent,
    ) -> Result<InterviewMeta> {
        self.reserve_nonces(1)?;
        let id = new.id.to_string();
        let now = self.clock.now_millis();
        let assignment = new.assignment_id.as_deref().unwrap_or("");
        let context_fields = [
            self.enumerator_id.as_str(),
            new.questionnaire_id.as_str(),
            new.questionnaire_version.as_str(),
            assignment,
        ];
        let plaintext = codec::encode_content(content);
        let blob = crypto::seal(
            &self.key,
            &mut self.nonces,
            &content_place(&id, 1, &context_fields),
            &plaintext,
        )?;
        let context = || format!("creating interview {id}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM interviews WHERE interview_id = ?1)",
                [&id],
                |row| row.get(0),
            )
            .context(context)?;
        if exists {
            return Err(StoreError::AlreadyExists { table: TABLE, id });
        }
        tx.execute(
            "INSERT INTO interviews (interview_id, enumerator_id, questionnaire_id, questionnaire_version,
                 assignment_id, status, created_at, updated_at, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, 'in_progress', ?6, ?6, 1)",
            params![
                id,
                self.enumerator_id,
                new.questionnaire_id,
                new.questionnaire_version,
                new.assignment_id,
                now,
            ],
        )
        .context(context)?;
        tx.execute(
            "INSERT INTO interview_content (interview_id, content) VALUES (?1, ?2)",
            params![id, blob],
        )
        .context(context)?;
        tx.commit().context(context)?;
        Ok(InterviewMeta {
            id: new.id,
            enumerator_id: self.enumerator_id.clone(),
            questionnaire_id: new.questionnaire_id.clone(),
            questionnaire_version: new.questionnaire_version.clone(),
            assignment_id: new.assignment_id.clone(),
            status: InterviewStatus::InProgress,
            created_at: now,
            updated_at: now,
            revision: 1,
        })
    }

    /// Saves new content (and appends `new_events`) as revision `expected_revision + 1`, in one
    /// transaction that has reached the disk when this returns. Fails with
    /// [`StoreError::RevisionConflict`] if the stored revision is not `expected_revision`, and with
    /// [`StoreError::InvalidTransition`] for a submitted or approved interview or a status the enumerator
    /// cannot set (`in_progress` and `completed` are the ones a save can set).
    pub fn save_interview(
        &mut self,
        id: Uuid,
        expected_revision: u64,
        status: InterviewStatus,
        content: &InterviewContent,
        new_events: &[ParadataEvent],
    ) -> Result<InterviewMeta> {
        self.reserve_nonces(1 + new_events.len() as u64)?;
        let id_text = id.to_string();
        let plaintext = codec::encode_content(content);
        let now = self.clock.now_millis();
        let context = || format!("saving interview {id_text}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        let mut meta = tx
            .query_row(
                &format!(
                    "SELECT {META_COLUMNS} FROM interviews WHERE interview_id = ?1 AND enumerator_id = ?2"
                ),
                params![id_text, self.enumerator_id],
                meta_from_row,
            )
            .optional()
            .context(context)?
            .ok_or_else(|| StoreError::NotFound {
                table: TABLE,
                id: id_text.clone(),
            })?;
        if meta.revision != expected_revision {
            return Err(StoreError::RevisionConflict {
                id: id_text,
                expected: expected_revision,
                actual: meta.revision,
            });
        }
        if !meta.status.save_allowed(status) {
            return Err(StoreError::InvalidTransition {
                id: id_text,
                from: meta.status,
                to: status,
            });
        }
        let revision = meta.revision + 1;
        let context_fields = [
            self.enumerator_id.as_str(),
            meta.questionnaire_id.as_str(),
            meta.questionnaire_version.as_str(),
            meta.assignment_id.as_deref().unwrap_or(""),
        ];
        let blob = crypto::seal(
            &self.key,
            &mut self.nonces,
            &content_place(&id_text, revision, &context_fields),
            &plaintext,
        )?;
        tx.execute(
            "UPDATE interviews SET status = ?1, updated_at = ?2, revision = ?3 WHERE interview_id = ?4",
            params![status.as_str(), now, revision as i64, id_text],
        )
        .context(context)?;
        tx.execute(
            "UPDATE interview_content SET content = ?1 WHERE interview_id = ?2",
            params![blob, id_text],
        )
        .context(context)?;
        events::append_in(
            &tx,
            &self.key,
            &mut self.nonces,
            &self.enumerator_id,
            &id_text,
            new_events,
        )?;
        tx.commit().context(context)?;
        meta.status = status;
        meta.updated_at = now;
        meta.revision = revision;
        Ok(meta)
    }

    /// The clear part of one interview.
    pub fn interview_meta(&self, id: Uuid) -> Result<InterviewMeta> {
        let id_text = id.to_string();
        self.conn
            .query_row(
                &format!(
                    "SELECT {META_COLUMNS} FROM interviews WHERE interview_id = ?1 AND enumerator_id = ?2"
                ),
                params![id_text, self.enumerator_id],
                meta_from_row,
            )
            .optional()
            .context(|| format!("reading interview {id_text}"))?
            .ok_or(StoreError::NotFound {
                table: TABLE,
                id: id_text,
            })
    }

    /// Loads and decrypts one interview. A record that fails authentication is reported as
    /// [`StoreError::Tampered`] naming it; other interviews are unaffected.
    pub fn load_interview(&self, id: Uuid) -> Result<Interview> {
        let id_text = id.to_string();
        let (meta, blob) = self
            .conn
            .query_row(
                &format!(
                    "SELECT {META_COLUMNS}, content
                     FROM interviews JOIN interview_content USING (interview_id)
                     WHERE interview_id = ?1 AND enumerator_id = ?2"
                ),
                params![id_text, self.enumerator_id],
                |row| Ok((meta_from_row(row)?, row.get::<_, Vec<u8>>(9)?)),
            )
            .optional()
            .context(|| format!("loading interview {id_text}"))?
            .ok_or_else(|| StoreError::NotFound {
                table: TABLE,
                id: id_text.clone(),
            })?;
        let content = self.open_content(&meta, &blob)?;
        Ok(Interview { meta, content })
    }

    pub(crate) fn open_content(
        &self,
        meta: &InterviewMeta,
        blob: &[u8],
    ) -> Result<InterviewContent> {
        let id_text = meta.id.to_string();
        let context_fields = [
            self.enumerator_id.as_str(),
            meta.questionnaire_id.as_str(),
            meta.questionnaire_version.as_str(),
            meta.assignment_id.as_deref().unwrap_or(""),
        ];
        let plaintext = crypto::open(
            &self.key,
            &content_place(&id_text, meta.revision, &context_fields),
            blob,
        )?;
        codec::decode_content(&plaintext).map_err(|e| StoreError::Undecodable {
            table: TABLE,
            id: id_text,
            reason: e.0,
        })
    }

    /// Lists the enumerator's interviews (clear part only, nothing is decrypted), most recently saved
    /// first.
    pub fn list_interviews(&self, filter: &InterviewFilter) -> Result<Vec<InterviewMeta>> {
        let context = || "listing interviews".to_owned();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM interviews
                 WHERE enumerator_id = ?1
                   AND (?2 IS NULL OR status = ?2)
                   AND (?3 IS NULL OR assignment_id = ?3)
                 ORDER BY updated_at DESC, interview_id"
            ))
            .context(context)?;
        stmt.query_map(
            params![
                self.enumerator_id,
                filter.status.map(InterviewStatus::as_str),
                filter.assignment_id
            ],
            meta_from_row,
        )
        .context(context)?
        .collect::<Result<Vec<_>, _>>()
        .context(context)
    }
}
