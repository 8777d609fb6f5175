//! The paradata event log: append-only, one sealed blob per event.
//!
//! Only the interview id and a sequence number are in clear; the event's time, kind, path and value are
//! sealed, so the log does not even reveal when the enumerator was working.

use rusqlite::{Transaction, TransactionBehavior, params};
use survey_spec::Answer;
use uuid::Uuid;

use crate::Store;
use crate::codec;
use crate::crypto::{self, BlobPlace, DataKey, NonceSource};
use crate::error::{Result, SqlContext, StoreError};

const TABLE: &str = "events";
const COLUMN: &str = "payload";

/// One paradata event, as the engine and the app record them.
#[derive(Debug, Clone, PartialEq)]
pub struct ParadataEvent {
    /// When it happened, milliseconds since the Unix epoch (from the caller's clock).
    pub at_millis: i64,
    /// What happened: `answer_set`, `answer_changed`, `navigate`, `language`, `gps`, …
    pub kind: String,
    /// The item concerned, if any.
    pub path: Option<String>,
    /// The value concerned, if any (the new answer, a GPS fix).
    pub answer: Option<Answer>,
    /// Anything else the app wants to keep (a language tag, a section name).
    pub detail: Option<String>,
}

fn record_id(interview_id: &str, seq: u64) -> String {
    format!("{interview_id}#{seq}")
}

/// Appends `events` to an interview's log inside the caller's transaction. The caller has reserved one
/// nonce per event.
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    key: &DataKey,
    nonces: &mut NonceSource,
    enumerator_id: &str,
    interview_id: &str,
    events: &[ParadataEvent],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let context = || format!("appending events to interview {interview_id}");
    let last: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE interview_id = ?1",
            [interview_id],
            |row| row.get(0),
        )
        .context(context)?;
    let mut stmt = tx
        .prepare_cached("INSERT INTO events (interview_id, seq, payload) VALUES (?1, ?2, ?3)")
        .context(context)?;
    for (i, event) in events.iter().enumerate() {
        let seq = last as u64 + 1 + i as u64;
        let id = record_id(interview_id, seq);
        let plaintext = codec::encode_event(event);
        let blob = crypto::seal(key, nonces, &place(&id, seq, &[enumerator_id]), &plaintext)?;
        stmt.execute(params![interview_id, seq as i64, blob])
            .context(context)?;
    }
    Ok(())
}

fn place<'a>(id: &'a str, seq: u64, context: &'a [&'a str]) -> BlobPlace<'a> {
    BlobPlace {
        table: TABLE,
        id,
        column: COLUMN,
        revision: seq,
        context,
    }
}

impl Store {
    /// Appends events to an interview's log in one durable transaction.
    pub fn append_events(&mut self, interview_id: Uuid, events: &[ParadataEvent]) -> Result<()> {
        // Checks that the interview exists and is this enumerator's.
        self.interview_meta(interview_id)?;
        self.reserve_nonces(events.len() as u64)?;
        let id = interview_id.to_string();
        let context = || format!("appending events to interview {id}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        append_in(
            &tx,
            &self.key,
            &mut self.nonces,
            &self.enumerator_id,
            &id,
            events,
        )?;
        tx.commit().context(context)
    }

    /// The whole event log of an interview, in order. Any event that fails authentication fails the call
    /// with [`StoreError::Tampered`] naming it (`<interview id>#<seq>`).
    pub fn load_events(&self, interview_id: Uuid) -> Result<Vec<ParadataEvent>> {
        self.interview_meta(interview_id)?;
        let id = interview_id.to_string();
        let context = || format!("loading events of interview {id}");
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, payload FROM events WHERE interview_id = ?1 ORDER BY seq")
            .context(context)?;
        let rows = stmt
            .query_map([&id], |row| {
                Ok((row.get::<_, i64>(0)? as u64, row.get::<_, Vec<u8>>(1)?))
            })
            .context(context)?
            .collect::<Result<Vec<_>, _>>()
            .context(context)?;
        let mut events = Vec::with_capacity(rows.len());
        for (expected_seq, (seq, blob)) in (1..).zip(rows) {
            let record = record_id(&id, seq);
            // A gap means an event was deleted: the log is append-only, so that is tampering too.
            if seq != expected_seq {
                return Err(StoreError::Tampered {
                    table: TABLE,
                    id: record_id(&id, expected_seq),
                    column: COLUMN,
                });
            }
            let plaintext = crypto::open(
                &self.key,
                &place(&record, seq, &[&self.enumerator_id]),
                &blob,
            )?;
            events.push(
                codec::decode_event(&plaintext).map_err(|e| StoreError::Undecodable {
                    table: TABLE,
                    id: record.clone(),
                    reason: e.0,
                })?,
            );
        }
        Ok(events)
    }
}
