//! The tablet's encrypted interview store.
//!
//! One SQLite file (WAL, `synchronous=FULL`) per device holds enumerator profiles, questionnaire versions,
//! assignments, interviews, their paradata events and the sync journal. Everything a respondent said is
//! sealed with AES-256-GCM under the enumerator's data key before it reaches SQLite; the clear columns are
//! only what the app needs to list and sync interviews (ids, status, questionnaire, timestamps, revision).
//! This crate is the only one that sees SQL or key material.
//!
//! * Keys: see [`crypto`] (nonces, wrapping, recovery) and [`keys`] (device secret, clock).
//! * Schema and migrations: [`schema`].
//! * The persisted encoding of what is encrypted is the store's own, versioned (module `codec`).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use survey_spec::Answer;
//! use survey_store::*;
//!
//! # fn main() -> Result<(), StoreError> {
//! # let dir = tempfile::tempdir().unwrap();
//! let db = dir.path().join("daftar.db");
//! let device = FileKeyProvider::in_dir(dir.path());
//! let clock: Arc<dyn Clock> = Arc::new(SystemClock);
//! let recovery = RecoveryKeyPair::generate()?; // the survey's; only the public half is on the tablet
//!
//! // First start: create the enumerator's profile (and the database).
//! let profile = NewProfile {
//!     kdf_iterations: 1_000, // the app uses DEFAULT_PBKDF2_ITERATIONS
//!     ..NewProfile::new("enum-07", "Amina", "482913", recovery.public.clone())
//! };
//! Store::create_profile(&db, &profile, &device, clock.clone())?.close()?;
//!
//! // Every start: unlock with the PIN.
//! let mut store = Store::open(&db, "enum-07", "482913", &device, clock)?;
//! let id = uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
//! let content = InterviewContent {
//!     answers: vec![("hh_roster[1].name".into(), Answer::Text("Fatima".into()))],
//!     language: Some("ar".into()),
//!     ..InterviewContent::default()
//! };
//! let meta = store.create_interview(&NewInterview::new(id, "migrants", "v3"), &content)?;
//! let meta = store.save_interview(id, meta.revision, InterviewStatus::Completed, &content, &[])?;
//! assert_eq!(meta.revision, 2);
//!
//! let loaded = store.load_interview(id)?;
//! assert_eq!(loaded.content, content);
//! assert_eq!(store.outbox()?.len(), 1);
//! store.close()?;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod assignments;
mod codec;
pub mod crypto;
mod error;
mod events;
mod interviews;
pub mod keys;
mod outbox;
mod profiles;
mod questionnaires;
pub mod schema;
mod sealed_file;

use std::sync::Arc;

use rusqlite::Connection;

pub use crate::assignments::{Assignment, AssignmentMeta};
pub use crate::crypto::{RecoveryKeyPair, SealingKeyPair, SealingPrivateKey, SealingPublicKey};
pub use crate::error::{Result, StoreError};
pub use crate::events::ParadataEvent;
pub use crate::interviews::{
    Interview, InterviewContent, InterviewFilter, InterviewMeta, InterviewStatus, NewInterview,
};
#[cfg(target_os = "android")]
pub use crate::keys::AndroidKeystoreProvider;
pub use crate::keys::{Clock, DeviceSecret, FileKeyProvider, KeyProvider, SystemClock};
pub use crate::outbox::{ExportedInterview, JournalEntry, Review, SealedExport, SyncReceipt};
pub use crate::profiles::{DEFAULT_PBKDF2_ITERATIONS, LockoutPolicy, NewProfile, ProfileSummary};
pub use crate::questionnaires::QuestionnaireVersion;
pub use crate::sealed_file::SealedFile;

/// An unlocked store: one enumerator's view of the device database, holding that enumerator's data key.
///
/// Dropping it closes the database; [`Store::close`] does the same and reports errors.
pub struct Store {
    conn: Connection,
    enumerator_id: String,
    key: crypto::DataKey,
    nonces: crypto::NonceSource,
    clock: Arc<dyn Clock>,
    /// Opened with the custodian key rather than a PIN.
    recovered: bool,
}

// The app keeps the store in shared state behind a mutex, so it must move between threads.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Store>();
};

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("enumerator_id", &self.enumerator_id)
            .field("recovered", &self.recovered)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The enumerator whose data this store reads and writes.
    pub fn enumerator_id(&self) -> &str {
        &self.enumerator_id
    }

    /// Whether this store was opened with the custodian's recovery key.
    pub fn is_recovered(&self) -> bool {
        self.recovered
    }

    /// Checkpoints the write-ahead log into the database and closes it.
    pub fn close(self) -> Result<()> {
        use error::SqlContext;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .context(|| "checkpointing the log at close".to_owned())?;
        self.conn
            .close()
            .map_err(|(_, source)| error::sql_error(source, "closing the database".to_owned()))
    }

    /// Copies the write-ahead log into the database file without blocking. The app calls this when the
    /// enumerator is idle (leaving an interview, screen off), so that saves rarely pay for a checkpoint.
    pub fn checkpoint(&self) -> Result<()> {
        use error::SqlContext;
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .context(|| "checkpointing the log".to_owned())
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(())` when it answers `ok`, else the problems it lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        use error::SqlContext;
        let context = || "checking database integrity".to_owned();
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .context(context)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .context(context)?
            .collect::<Result<Vec<_>, _>>()
            .context(context)?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Limits the database to `pages` pages, to provoke a full disk in tests. Not for the app.
    #[doc(hidden)]
    pub fn debug_limit_database_pages(&self, pages: u32) -> Result<u32> {
        use error::SqlContext;
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |row| {
                row.get(0)
            })
            .context(|| "setting max_page_count".to_owned())
    }

    /// The value of a connection setting (`PRAGMA name`), for tests that check the store's settings.
    #[doc(hidden)]
    pub fn debug_pragma(&self, name: &str) -> Result<String> {
        use error::SqlContext;
        if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(StoreError::InvalidArgument(format!(
                "not a pragma name: {name}"
            )));
        }
        let value: rusqlite::types::Value = self
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
            .context(|| format!("reading PRAGMA {name}"))?;
        Ok(match value {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
    }

    /// The page count of the database file, for size-limit tests.
    #[doc(hidden)]
    pub fn debug_page_count(&self) -> Result<u32> {
        use error::SqlContext;
        self.conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .context(|| "reading page_count".to_owned())
    }

    /// Makes sure at least `needed` nonces are durably reserved, reserving a block in its own transaction if
    /// not. Must run outside any other transaction (see the `crypto` module docs for why).
    fn reserve_nonces(&mut self, needed: u64) -> Result<()> {
        use error::SqlContext;
        if self.nonces.available() >= needed {
            return Ok(());
        }
        let block = needed.max(crypto::NONCE_BLOCK);
        let context = || format!("reserving nonces for enumerator {}", self.enumerator_id);
        let block_i64 = i64::try_from(block)
            .map_err(|_| StoreError::InvalidArgument("too many records in one write".to_owned()))?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context(context)?;
        let end: i64 = tx
            .query_row(
                "UPDATE profiles SET nonce_reserved = nonce_reserved + ?1
                 WHERE enumerator_id = ?2 RETURNING nonce_reserved",
                rusqlite::params![block_i64, self.enumerator_id],
                |row| row.get(0),
            )
            .context(context)?;
        // An explicit commit so that a failure to make the reservation durable is reported, not lost in
        // a statement finalizer; with synchronous=FULL it returns only once the reservation is on disk.
        tx.commit().context(context)?;
        let end = end as u64;
        self.nonces.add_block(end - block, end);
        Ok(())
    }
}
