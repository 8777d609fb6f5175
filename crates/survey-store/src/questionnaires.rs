//! Questionnaire versions as downloaded: the spec source in clear (it is not secret) with its SHA-256.

use rusqlite::{OptionalExtension, params};

use crate::Store;
use crate::crypto::sha256;
use crate::error::{Result, SqlContext, StoreError};

const TABLE: &str = "questionnaires";

/// One version of a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireVersion {
    /// The questionnaire id.
    pub questionnaire_id: String,
    /// The version label.
    pub version: String,
    /// SHA-256 of `source`.
    pub content_hash: [u8; 32],
    /// The spec file as downloaded.
    pub source: Vec<u8>,
}

impl QuestionnaireVersion {
    /// A version whose hash is computed from `source`.
    pub fn new(
        questionnaire_id: impl Into<String>,
        version: impl Into<String>,
        source: Vec<u8>,
    ) -> Self {
        QuestionnaireVersion {
            questionnaire_id: questionnaire_id.into(),
            version: version.into(),
            content_hash: sha256(&source),
            source,
        }
    }
}

impl Store {
    /// Stores a questionnaire version. Storing the same bytes again is a no-op; different bytes under an
    /// existing id and version are refused ([`StoreError::AlreadyExists`]), since a version never changes.
    pub fn put_questionnaire_version(&mut self, q: &QuestionnaireVersion) -> Result<()> {
        let id = format!("{}@{}", q.questionnaire_id, q.version);
        if sha256(&q.source) != q.content_hash {
            return Err(StoreError::InvalidArgument(format!(
                "questionnaire {id}: content hash does not match the source"
            )));
        }
        let context = || format!("storing questionnaire {id}");
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT content_hash FROM questionnaires WHERE questionnaire_id = ?1 AND version = ?2",
                params![q.questionnaire_id, q.version],
                |row| row.get(0),
            )
            .optional()
            .context(context)?;
        match existing {
            Some(hash) if hash == q.content_hash => Ok(()),
            Some(_) => Err(StoreError::AlreadyExists { table: TABLE, id }),
            None => {
                self.conn
                    .execute(
                        "INSERT INTO questionnaires (questionnaire_id, version, content_hash, source, added_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            q.questionnaire_id,
                            q.version,
                            &q.content_hash[..],
                            q.source,
                            self.clock.now_millis()
                        ],
                    )
                    .context(context)?;
                Ok(())
            }
        }
    }

    /// Loads a questionnaire version, checking the source against its stored hash.
    pub fn load_questionnaire_version(
        &self,
        questionnaire_id: &str,
        version: &str,
    ) -> Result<QuestionnaireVersion> {
        let id = format!("{questionnaire_id}@{version}");
        let (hash, source): (Vec<u8>, Vec<u8>) = self
            .conn
            .query_row(
                "SELECT content_hash, source FROM questionnaires WHERE questionnaire_id = ?1 AND version = ?2",
                params![questionnaire_id, version],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .context(|| format!("loading questionnaire {id}"))?
            .ok_or_else(|| StoreError::NotFound { table: TABLE, id: id.clone() })?;
        if hash.as_slice() != sha256(&source) {
            return Err(StoreError::Tampered {
                table: TABLE,
                id,
                column: "source",
            });
        }
        Ok(QuestionnaireVersion {
            questionnaire_id: questionnaire_id.to_owned(),
            version: version.to_owned(),
            content_hash: sha256(&source),
            source,
        })
    }

    /// The stored versions, as `(questionnaire id, version)` pairs.
    pub fn list_questionnaire_versions(&self) -> Result<Vec<(String, String)>> {
        let context = || "listing questionnaires".to_owned();
        let mut stmt = self
            .conn
            .prepare("SELECT questionnaire_id, version FROM questionnaires ORDER BY questionnaire_id, version")
            .context(context)?;
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .context(context)?
            .collect::<Result<Vec<_>, _>>()
            .context(context)
    }
}
