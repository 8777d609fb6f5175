//! The one error type of the store.
//!
//! Every variant names the record or the operation it concerns, and none carries plaintext: no answer, no
//! PIN, no key byte ever reaches a message. Database errors keep SQLite's own message, which holds SQL text
//! and never bound values (every value goes through a parameter).

use std::time::Duration;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The PIN (or the device secret it is combined with) did not unwrap the data key.
    #[error(
        "wrong PIN for enumerator {enumerator_id} ({failed_attempts} failed attempts in a row)"
    )]
    WrongPin {
        /// The profile that refused the PIN.
        enumerator_id: String,
        /// Failed attempts in a row, this one included.
        failed_attempts: u32,
    },
    /// Too many wrong PINs: no attempt is checked until `retry_after` has passed.
    #[error("too many wrong PINs for enumerator {enumerator_id}: try again in {} s", retry_after.as_secs())]
    TooManyAttempts {
        /// The locked profile.
        enumerator_id: String,
        /// How long until the next attempt will be checked.
        retry_after: Duration,
    },
    /// The PIN-wrapped key was destroyed after too many wrong PINs; only recovery can read the data.
    #[error(
        "the key of enumerator {enumerator_id} was wiped after too many wrong PINs; use custodian recovery"
    )]
    Wiped {
        /// The wiped profile.
        enumerator_id: String,
    },
    /// No enumerator profile with this id in this database.
    #[error("no enumerator profile {enumerator_id}")]
    NoSuchProfile {
        /// The id asked for.
        enumerator_id: String,
    },
    /// A profile with this id already exists.
    #[error("enumerator profile {enumerator_id} already exists")]
    ProfileExists {
        /// The id that is taken.
        enumerator_id: String,
    },
    /// A record that was asked for does not exist.
    #[error("no record {id} in {table}")]
    NotFound {
        /// The table searched.
        table: &'static str,
        /// The record id.
        id: String,
    },
    /// A record with this id already exists.
    #[error("record {id} already exists in {table}")]
    AlreadyExists {
        /// The table.
        table: &'static str,
        /// The record id.
        id: String,
    },
    /// An encrypted column failed authentication: it was altered, swapped with another record's, or
    /// replayed from another revision. The other records are unaffected.
    #[error(
        "record {id} in {table} failed authentication (column {column}): altered, swapped or replayed"
    )]
    Tampered {
        /// The table of the record.
        table: &'static str,
        /// The record id.
        id: String,
        /// The encrypted column.
        column: &'static str,
    },
    /// A record decrypted but its content did not decode: written by an unknown format version or a bug.
    #[error("record {id} in {table} decrypted but does not decode: {reason}")]
    Undecodable {
        /// The table of the record.
        table: &'static str,
        /// The record id.
        id: String,
        /// What the decoder found (never the content itself).
        reason: String,
    },
    /// A save was made against a revision that is no longer the current one.
    #[error("interview {id} is at revision {actual}, the save expected revision {expected}")]
    RevisionConflict {
        /// The interview.
        id: String,
        /// The revision the caller based the save on.
        expected: u64,
        /// The revision stored.
        actual: u64,
    },
    /// A status change that the interview life cycle does not allow.
    #[error("interview {id} cannot go from {from} to {to}")]
    InvalidTransition {
        /// The interview.
        id: String,
        /// The current status.
        from: crate::InterviewStatus,
        /// The status asked for.
        to: crate::InterviewStatus,
    },
    /// A receipt does not match what was sent (other revision or other content hash).
    #[error("the receipt for interview {id} does not match what was sent: {reason}")]
    ReceiptMismatch {
        /// The interview.
        id: String,
        /// Which field disagrees.
        reason: String,
    },
    /// The disk (or the database's size limit) is full; nothing of this operation was stored.
    #[error("disk full while {context}; nothing of it was stored")]
    DiskFull {
        /// What the store was doing.
        context: String,
    },
    /// The storage refused a read or a write (an I/O error, a file-size limit) while doing `context`. A
    /// save that fails this way either left nothing or, if the failure came after the commit reached the
    /// log, is complete; never half.
    #[error("storage I/O error while {context}")]
    StorageIo {
        /// What the store was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// An error from SQLite (corruption, locking, a bug) while doing `context`.
    #[error("database error while {context}")]
    Database {
        /// What the store was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// A file-system error outside SQLite, such as reading the device secret.
    #[error("I/O error while {context}")]
    Io {
        /// What the store was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The database was written by a newer version of the store than this one.
    #[error(
        "database schema version {found} is newer than this app supports ({supported}); update the app"
    )]
    SchemaTooNew {
        /// The version in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The device key provider could not give the device secret.
    #[error("device key provider failed: {reason}")]
    DeviceSecret {
        /// Why (never key bytes).
        reason: String,
    },
    /// The custodian key did not open the recovery copy of the data key.
    #[error("the custodian key does not open the recovery key of enumerator {enumerator_id}")]
    WrongCustodianKey {
        /// The profile.
        enumerator_id: String,
    },
    /// A caller-supplied value is not acceptable (for example an empty PIN).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The operating system's random generator failed.
    #[error("the system random generator failed")]
    Random,
}

/// Shorthand for results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Adds "while doing X" context to SQLite errors, mapping a full disk to [`StoreError::DiskFull`].
pub(crate) trait SqlContext<T> {
    /// Wraps the error with a description of the operation.
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| sql_error(source, context()))
    }
}

/// Classifies one SQLite error.
pub(crate) fn sql_error(source: rusqlite::Error, context: String) -> StoreError {
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull { context },
        Some(rusqlite::ErrorCode::SystemIoFailure) => StoreError::StorageIo { context, source },
        _ => StoreError::Database { context, source },
    }
}
