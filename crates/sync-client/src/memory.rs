//! An in-memory outbox and change sink, for tests and tools.

use std::collections::BTreeMap;

use sync_proto::wire::{
    Assignment, ChangesResponse, QuotaCell, Receipt, Rejection, UploadEnvelope,
};
use uuid::Uuid;

use crate::{ChangeSink, ClientError, Outbox, OutboxItem};

/// An outbox and change sink held in memory.
#[derive(Debug, Default, Clone)]
pub struct MemoryOutbox {
    /// Envelopes waiting for a receipt, in order.
    pub queue: Vec<UploadEnvelope>,
    /// Receipts of sent interviews by (interview, revision).
    pub sent: BTreeMap<(Uuid, u32), Receipt>,
    /// Receipts of contents the server kept as conflicts.
    pub conflicts: BTreeMap<(Uuid, u32), Receipt>,
    /// The saved download cursor.
    pub saved_cursor: u64,
    /// Questionnaire versions received, by (survey, content hash).
    pub questionnaires: BTreeMap<(String, String), Vec<u8>>,
    /// Assignments by id (inactive ones removed).
    pub assignments: BTreeMap<i64, Assignment>,
    /// Reviews received, in order.
    pub reviews: Vec<Rejection>,
    /// The latest quota fill.
    pub quota_fill: Vec<QuotaCell>,
}

impl MemoryOutbox {
    /// Queues an envelope.
    pub fn push(&mut self, envelope: UploadEnvelope) {
        self.queue.push(envelope);
    }
}

impl Outbox for MemoryOutbox {
    fn pending(&self) -> Result<Vec<OutboxItem>, ClientError> {
        Ok(self
            .queue
            .iter()
            .cloned()
            .map(|envelope| OutboxItem { envelope })
            .collect())
    }

    fn mark_sent(&mut self, item: &OutboxItem, receipt: &Receipt) -> Result<(), ClientError> {
        let hash = item.envelope.content_hash();
        self.queue.retain(|queued| queued.content_hash() != hash);
        self.sent
            .insert((receipt.interview_id, receipt.revision), receipt.clone());
        Ok(())
    }

    fn mark_conflict(&mut self, item: &OutboxItem, receipt: &Receipt) -> Result<(), ClientError> {
        let hash = item.envelope.content_hash();
        self.queue.retain(|queued| queued.content_hash() != hash);
        self.conflicts
            .insert((receipt.interview_id, receipt.revision), receipt.clone());
        Ok(())
    }
}

impl ChangeSink for MemoryOutbox {
    fn cursor(&self) -> Result<u64, ClientError> {
        Ok(self.saved_cursor)
    }

    fn apply(&mut self, changes: &ChangesResponse) -> Result<(), ClientError> {
        for questionnaire in &changes.questionnaires {
            self.questionnaires.insert(
                (
                    questionnaire.info.survey_id.clone(),
                    questionnaire.info.content_hash.clone(),
                ),
                questionnaire.content.0.clone(),
            );
        }
        for assignment in &changes.assignments {
            if assignment.active {
                self.assignments.insert(assignment.id, assignment.clone());
            } else {
                self.assignments.remove(&assignment.id);
            }
        }
        self.reviews.extend(changes.reviews.iter().cloned());
        self.quota_fill = changes.quota_fill.clone();
        self.saved_cursor = changes.next_cursor;
        Ok(())
    }
}
