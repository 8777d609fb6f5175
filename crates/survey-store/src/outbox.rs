//! The outbox and the sync journal.
//!
//! An interview is in the outbox while it is `completed` and no receipt for its current revision has
//! arrived. [`Store::export_for_sync`] seals it to the survey's public key with HPKE and records in the
//! journal exactly what was sealed (its SHA-256); asking again for the same revision returns the same bytes,
//! so a retry is byte-identical and the server's idempotency by (id, revision, hash) holds.
//! [`Store::mark_sent`] accepts only a receipt for a revision and content hash that were sent; then the
//! interview becomes `submitted`. The device keeps its encrypted copy regardless.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use crate::Store;
use crate::codec;
use crate::crypto::{self, SealingPrivateKey, SealingPublicKey, sha256};
use crate::error::{Result, SqlContext, StoreError};
use crate::interviews::{InterviewContent, InterviewFilter, InterviewMeta, InterviewStatus};

const EXPORT_INFO: &[u8] = b"daftar-store/v1/interview-export";

fn export_aad(id: &Uuid, revision: u64) -> Vec<u8> {
    let mut aad = id.as_bytes().to_vec();
    aad.extend_from_slice(&revision.to_le_bytes());
    aad
}

/// An interview sealed to the survey's public key, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedExport {
    /// The interview.
    pub interview_id: Uuid,
    /// The revision sealed.
    pub revision: u64,
    /// SHA-256 of `sealed`: what the server's receipt must name.
    pub content_hash: [u8; 32],
    /// HPKE (X25519-HKDF-SHA256, HKDF-SHA256, AES-256-GCM): encapsulated key (32 bytes) then ciphertext.
    pub sealed: Vec<u8>,
}

/// An interview as opened from a [`SealedExport`] by the holder of the survey's private key.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedInterview {
    /// The interview.
    pub interview_id: Uuid,
    /// Its revision.
    pub revision: u64,
    /// Its enumerator.
    pub enumerator_id: String,
    /// Its questionnaire.
    pub questionnaire_id: String,
    /// The questionnaire version.
    pub questionnaire_version: String,
    /// Its assignment, if any.
    pub assignment_id: Option<String>,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// Last saved, ms since the epoch.
    pub updated_at: i64,
    /// The answers.
    pub content: InterviewContent,
}

impl SealedExport {
    /// Opens an export with the survey's private key (server and CLI side).
    pub fn open(&self, private_key: &SealingPrivateKey) -> Result<ExportedInterview> {
        let id = self.interview_id.to_string();
        let tampered = || StoreError::Tampered {
            table: "export",
            id: id.clone(),
            column: "sealed",
        };
        if sha256(&self.sealed) != self.content_hash {
            return Err(tampered());
        }
        let plaintext = crypto::hpke_open(
            private_key,
            EXPORT_INFO,
            &export_aad(&self.interview_id, self.revision),
            &self.sealed,
        )
        .ok_or_else(tampered)?;
        let exported = codec::decode_export(&plaintext).map_err(|e| StoreError::Undecodable {
            table: "export",
            id: id.clone(),
            reason: e.0,
        })?;
        if exported.interview_id != self.interview_id || exported.revision != self.revision {
            return Err(tampered());
        }
        Ok(exported)
    }
}

/// The server's receipt for one upload, as far as the store checks it. Verifying the server's signature
/// is the sync client's job; the store checks that it names what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReceipt {
    /// The interview.
    pub interview_id: Uuid,
    /// The revision received.
    pub revision: u64,
    /// SHA-256 of the sealed bytes the server stored.
    pub content_hash: [u8; 32],
    /// The signed receipt as the server sent it, kept in the journal.
    pub receipt: Vec<u8>,
}

/// A supervisor's decision on a submitted interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// Approved: the interview is final.
    Approved,
    /// Rejected: back to the enumerator for correction.
    Rejected,
}

/// One line of the sync journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The interview.
    pub interview_id: Uuid,
    /// The revision sent.
    pub revision: u64,
    /// SHA-256 of what was sent.
    pub content_hash: [u8; 32],
    /// When it was first exported.
    pub sent_at: i64,
    /// The server's receipt, once it arrived.
    pub receipt: Option<Vec<u8>>,
    /// When the receipt arrived.
    pub acknowledged_at: Option<i64>,
}

impl Store {
    /// Interviews waiting to be sent: `completed`, without a receipt for their current revision.
    pub fn outbox(&self) -> Result<Vec<InterviewMeta>> {
        self.list_interviews(&InterviewFilter {
            status: Some(InterviewStatus::Completed),
            assignment_id: None,
        })
    }

    /// Seals a completed interview for upload and records it in the journal. The same revision always
    /// yields the same bytes.
    pub fn export_for_sync(
        &mut self,
        id: Uuid,
        survey_key: &SealingPublicKey,
    ) -> Result<SealedExport> {
        let interview = self.load_interview(id)?;
        let meta = &interview.meta;
        if meta.status != InterviewStatus::Completed {
            return Err(StoreError::InvalidTransition {
                id: id.to_string(),
                from: meta.status,
                to: InterviewStatus::Submitted,
            });
        }
        let id_text = id.to_string();
        let context = || format!("recording the export of interview {id_text}");
        let existing: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT content_hash, sealed FROM sync_journal WHERE interview_id = ?1 AND revision = ?2",
                params![id_text, meta.revision as i64],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .context(context)?;
        if let Some((hash, sealed)) = existing {
            let content_hash: [u8; 32] =
                hash.as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Tampered {
                        table: "sync_journal",
                        id: id_text.clone(),
                        column: "content_hash",
                    })?;
            if sha256(&sealed) != content_hash {
                return Err(StoreError::Tampered {
                    table: "sync_journal",
                    id: id_text,
                    column: "sealed",
                });
            }
            return Ok(SealedExport {
                interview_id: id,
                revision: meta.revision,
                content_hash,
                sealed,
            });
        }
        let plaintext = codec::encode_export(meta, &interview.content);
        let sealed = crypto::hpke_seal(
            survey_key,
            EXPORT_INFO,
            &export_aad(&id, meta.revision),
            &plaintext,
        )?;
        let content_hash = sha256(&sealed);
        self.conn
            .execute(
                "INSERT INTO sync_journal (interview_id, revision, content_hash, sealed, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id_text,
                    meta.revision as i64,
                    &content_hash[..],
                    sealed,
                    self.clock.now_millis()
                ],
            )
            .context(context)?;
        Ok(SealedExport {
            interview_id: id,
            revision: meta.revision,
            content_hash,
            sealed,
        })
    }

    /// Records the server's receipt. Accepted only if it names a revision that was exported and the same
    /// content hash; then the interview becomes `submitted` (if it is still at that revision).
    pub fn mark_sent(&mut self, receipt: &SyncReceipt) -> Result<InterviewMeta> {
        let id_text = receipt.interview_id.to_string();
        let context = || format!("recording the receipt of interview {id_text}");
        let now = self.clock.now_millis();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        let sent: Option<Vec<u8>> = tx
            .query_row(
                "SELECT content_hash FROM sync_journal WHERE interview_id = ?1 AND revision = ?2",
                params![id_text, receipt.revision as i64],
                |row| row.get(0),
            )
            .optional()
            .context(context)?;
        let Some(sent_hash) = sent else {
            return Err(StoreError::ReceiptMismatch {
                id: id_text,
                reason: format!("revision {} was never sent", receipt.revision),
            });
        };
        if sent_hash.as_slice() != receipt.content_hash {
            return Err(StoreError::ReceiptMismatch {
                id: id_text,
                reason: format!(
                    "content hash differs from what was sent for revision {}",
                    receipt.revision
                ),
            });
        }
        tx.execute(
            "UPDATE sync_journal SET receipt = ?1, acknowledged_at = ?2 WHERE interview_id = ?3 AND revision = ?4",
            params![receipt.receipt, now, id_text, receipt.revision as i64],
        )
        .context(context)?;
        tx.execute(
            "UPDATE interviews SET status = 'submitted'
             WHERE interview_id = ?1 AND enumerator_id = ?2 AND revision = ?3 AND status = 'completed'",
            params![id_text, self.enumerator_id, receipt.revision as i64],
        )
        .context(context)?;
        tx.commit().context(context)?;
        self.interview_meta(receipt.interview_id)
    }

    /// Applies a supervisor's decision to a submitted interview. A rejected interview can be saved
    /// (reopened) again by the enumerator.
    pub fn record_review(&mut self, id: Uuid, review: Review) -> Result<InterviewMeta> {
        let meta = self.interview_meta(id)?;
        let to = match review {
            Review::Approved => InterviewStatus::Approved,
            Review::Rejected => InterviewStatus::Rejected,
        };
        if meta.status != InterviewStatus::Submitted {
            return Err(StoreError::InvalidTransition {
                id: id.to_string(),
                from: meta.status,
                to,
            });
        }
        let id_text = id.to_string();
        self.conn
            .execute(
                "UPDATE interviews SET status = ?1, updated_at = ?2 WHERE interview_id = ?3",
                params![to.as_str(), self.clock.now_millis(), id_text],
            )
            .context(|| format!("recording the review of interview {id_text}"))?;
        self.interview_meta(id)
    }

    /// The journal lines of one interview, oldest first.
    pub fn journal(&self, id: Uuid) -> Result<Vec<JournalEntry>> {
        let id_text = id.to_string();
        let context = || format!("reading the journal of interview {id_text}");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT revision, content_hash, sent_at, receipt, acknowledged_at FROM sync_journal
                 WHERE interview_id = ?1 ORDER BY revision",
            )
            .context(context)?;
        stmt.query_map([&id_text], |row| {
            let hash: Vec<u8> = row.get(1)?;
            Ok(JournalEntry {
                interview_id: id,
                revision: row.get::<_, i64>(0)? as u64,
                content_hash: hash.as_slice().try_into().unwrap_or([0; 32]),
                sent_at: row.get(2)?,
                receipt: row.get(3)?,
                acknowledged_at: row.get(4)?,
            })
        })
        .context(context)?
        .collect::<Result<Vec<_>, _>>()
        .context(context)
    }
}
