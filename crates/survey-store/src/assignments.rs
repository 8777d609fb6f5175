//! Assignments: the dwellings or people an enumerator is to interview, with preloaded values (names,
//! addresses) sealed like answers.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use survey_spec::Answer;

use crate::Store;
use crate::codec;
use crate::crypto::{self, BlobPlace};
use crate::error::{Result, SqlContext, StoreError};

const TABLE: &str = "assignments";
const COLUMN: &str = "preload";

/// An assignment as downloaded from the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The server's assignment id.
    pub assignment_id: String,
    /// The questionnaire to use.
    pub questionnaire_id: String,
    /// Its version.
    pub questionnaire_version: String,
    /// Preloaded values by path. Sealed at rest.
    pub preload: Vec<(String, Answer)>,
}

/// The clear part of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentMeta {
    /// The server's assignment id.
    pub assignment_id: String,
    /// The questionnaire to use.
    pub questionnaire_id: String,
    /// Its version.
    pub questionnaire_version: String,
    /// Starts at 1; every update from the server adds 1.
    pub revision: u64,
    /// When it was last received, milliseconds since the Unix epoch.
    pub received_at: i64,
}

fn place<'a>(id: &'a str, revision: u64, context: &'a [&'a str]) -> BlobPlace<'a> {
    BlobPlace {
        table: TABLE,
        id,
        column: COLUMN,
        revision,
        context,
    }
}

impl Store {
    /// Stores an assignment, or replaces it (next revision) if the server sent it again.
    pub fn put_assignment(&mut self, assignment: &Assignment) -> Result<AssignmentMeta> {
        self.reserve_nonces(1)?;
        let id = assignment.assignment_id.as_str();
        let context = || format!("storing assignment {id}");
        let plaintext = codec::encode_preload(&assignment.preload);
        let now = self.clock.now_millis();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        let current: Option<(String, i64)> = tx
            .query_row(
                "SELECT enumerator_id, revision FROM assignments WHERE assignment_id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .context(context)?;
        if let Some((owner, _)) = &current
            && owner != &self.enumerator_id
        {
            return Err(StoreError::AlreadyExists {
                table: TABLE,
                id: id.to_owned(),
            });
        }
        let revision = current.map_or(1, |(_, r)| r as u64 + 1);
        let fields = [
            self.enumerator_id.as_str(),
            assignment.questionnaire_id.as_str(),
            assignment.questionnaire_version.as_str(),
        ];
        let blob = crypto::seal(
            &self.key,
            &mut self.nonces,
            &place(id, revision, &fields),
            &plaintext,
        )?;
        tx.execute(
            "INSERT INTO assignments (assignment_id, enumerator_id, questionnaire_id, questionnaire_version,
                 revision, received_at, preload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (assignment_id) DO UPDATE SET questionnaire_id = excluded.questionnaire_id,
                 questionnaire_version = excluded.questionnaire_version, revision = excluded.revision,
                 received_at = excluded.received_at, preload = excluded.preload",
            params![
                id,
                self.enumerator_id,
                assignment.questionnaire_id,
                assignment.questionnaire_version,
                revision as i64,
                now,
                blob
            ],
        )
        .context(context)?;
        tx.commit().context(context)?;
        Ok(AssignmentMeta {
            assignment_id: id.to_owned(),
            questionnaire_id: assignment.questionnaire_id.clone(),
            questionnaire_version: assignment.questionnaire_version.clone(),
            revision,
            received_at: now,
        })
    }

    /// Loads and decrypts an assignment.
    pub fn load_assignment(&self, assignment_id: &str) -> Result<Assignment> {
        let (meta, blob) = self
            .conn
            .query_row(
                "SELECT assignment_id, questionnaire_id, questionnaire_version, revision, received_at, preload
                 FROM assignments WHERE assignment_id = ?1 AND enumerator_id = ?2",
                params![assignment_id, self.enumerator_id],
                |row| Ok((meta_from_row(row)?, row.get::<_, Vec<u8>>(5)?)),
            )
            .optional()
            .context(|| format!("loading assignment {assignment_id}"))?
            .ok_or_else(|| StoreError::NotFound { table: TABLE, id: assignment_id.to_owned() })?;
        let fields = [
            self.enumerator_id.as_str(),
            meta.questionnaire_id.as_str(),
            meta.questionnaire_version.as_str(),
        ];
        let plaintext = crypto::open(
            &self.key,
            &place(assignment_id, meta.revision, &fields),
            &blob,
        )?;
        let preload = codec::decode_preload(&plaintext).map_err(|e| StoreError::Undecodable {
            table: TABLE,
            id: assignment_id.to_owned(),
            reason: e.0,
        })?;
        Ok(Assignment {
            assignment_id: meta.assignment_id,
            questionnaire_id: meta.questionnaire_id,
            questionnaire_version: meta.questionnaire_version,
            preload,
        })
    }

    /// The enumerator's assignments (clear part), by id.
    pub fn list_assignments(&self) -> Result<Vec<AssignmentMeta>> {
        let context = || "listing assignments".to_owned();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT assignment_id, questionnaire_id, questionnaire_version, revision, received_at
                 FROM assignments WHERE enumerator_id = ?1 ORDER BY assignment_id",
            )
            .context(context)?;
        stmt.query_map([&self.enumerator_id], meta_from_row)
            .context(context)?
            .collect::<Result<Vec<_>, _>>()
            .context(context)
    }
}

fn meta_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AssignmentMeta> {
    Ok(AssignmentMeta {
        assignment_id: row.get(0)?,
        questionnaire_id: row.get(1)?,
        questionnaire_version: row.get(2)?,
        revision: row.get::<_, i64>(3)? as u64,
        received_at: row.get(4)?,
    })
}
