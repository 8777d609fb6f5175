//! Connection settings and the versioned schema with forward-only migrations.
//!
//! The schema version is SQLite's `user_version`. `MIGRATIONS[i]` takes a database from version `i`
//! to `i + 1`, inside one transaction together with the `user_version` bump, so a crash mid-migration
//! leaves the previous version intact. Migrations are never edited once released and never run backwards;
//! a database newer than this build is refused ([`StoreError::SchemaTooNew`]) rather than written to.
//! Each released version has a fixture database in `tests/fixtures/schema-vN.db` that the tests open,
//! migrate and read back.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Result, SqlContext, StoreError};

/// Version 1: profiles, questionnaires, assignments, interviews, events, sync journal.
const V1: &str = "
CREATE TABLE profiles (
    enumerator_id        TEXT PRIMARY KEY NOT NULL,
    display_name         TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    kdf_salt             BLOB NOT NULL,
    kdf_iterations       INTEGER NOT NULL CHECK (kdf_iterations > 0),
    pin_wrapped_key      BLOB,
    recovery_public_key  BLOB NOT NULL,
    recovery_sealed_key  BLOB NOT NULL,
    nonce_reserved       INTEGER NOT NULL DEFAULT 0,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    last_failure_at      INTEGER,
    lockout_free_attempts INTEGER NOT NULL,
    lockout_base_delay_ms INTEGER NOT NULL,
    lockout_max_delay_ms INTEGER NOT NULL,
    wipe_after_failures  INTEGER,
    wiped_at             INTEGER
) STRICT;

CREATE TABLE questionnaires (
    questionnaire_id TEXT NOT NULL,
    version          TEXT NOT NULL,
    content_hash     BLOB NOT NULL,
    source           BLOB NOT NULL,
    added_at         INTEGER NOT NULL,
    PRIMARY KEY (questionnaire_id, version)
) STRICT;

CREATE TABLE assignments (
    assignment_id         TEXT PRIMARY KEY NOT NULL,
    enumerator_id         TEXT NOT NULL REFERENCES profiles(enumerator_id),
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    revision              INTEGER NOT NULL,
    received_at           INTEGER NOT NULL,
    preload               BLOB NOT NULL
) STRICT;

CREATE TABLE interviews (
    interview_id          TEXT PRIMARY KEY NOT NULL,
    enumerator_id         TEXT NOT NULL REFERENCES profiles(enumerator_id),
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    assignment_id         TEXT,
    status                TEXT NOT NULL CHECK (status IN
                              ('in_progress', 'completed', 'submitted', 'approved', 'rejected')),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    revision              INTEGER NOT NULL CHECK (revision > 0),
    content               BLOB NOT NULL
) STRICT;
CREATE INDEX interviews_by_status ON interviews (enumerator_id, status, updated_at);

CREATE TABLE events (
    interview_id TEXT NOT NULL REFERENCES interviews(interview_id),
    seq          INTEGER NOT NULL,
    payload      BLOB NOT NULL,
    PRIMARY KEY (interview_id, seq)
) STRICT;

CREATE TABLE sync_journal (
    interview_id         TEXT NOT NULL REFERENCES interviews(interview_id),
    revision             INTEGER NOT NULL,
    content_hash         BLOB NOT NULL,
    sealed               BLOB NOT NULL,
    sent_at              INTEGER NOT NULL,
    receipt              BLOB,
    acknowledged_at      INTEGER,
    PRIMARY KEY (interview_id, revision)
) STRICT;
";

/// Version 2: the sealed content moves to a table of its own, so that listing interviews reads only the
/// small clear rows (a pilot interview's content is ≈ 16 KiB, which spread the version 1 rows over
/// thousands of pages); and listing by assignment gets an index. The ciphertext is moved as is: its
/// associated data names the logical record (`interviews`, id, revision), not the physical table.
const V2: &str = "
CREATE TABLE interview_content (
    interview_id TEXT PRIMARY KEY NOT NULL REFERENCES interviews(interview_id),
    content      BLOB NOT NULL
) STRICT;
INSERT INTO interview_content (interview_id, content) SELECT interview_id, content FROM interviews;
ALTER TABLE interviews DROP COLUMN content;
CREATE INDEX interviews_by_assignment ON interviews (enumerator_id, assignment_id);
";

/// Every migration, in order; index `i` goes from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2];

/// The version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (creating if asked) a database file with the store's settings.
pub(crate) fn open_connection(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let context = || format!("opening database {}", path.display());
    let conn = Connection::open_with_flags(path, flags).context(context)?;
    conn.busy_timeout(Duration::from_secs(5)).context(context)?;
    // WAL: a commit is one append and one fsync, and readers never block the writer.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .context(context)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::InvalidArgument(format!(
            "database {} refused WAL mode (got {mode})",
            path.display()
        )));
    }
    // FULL: every commit (and so every save) is fsynced before it returns, in WAL mode too.
    // temp_store=MEMORY: sorts and temporary tables never spill (possibly plaintext-adjacent) pages into
    // temp files. secure_delete: freed pages are zeroed, so an old ciphertext or a deleted row does not
    // linger in the file. Nothing of ours is plaintext, but this removes whole classes of leaks.
    //
    // wal_autocheckpoint: a commit that crosses the threshold also copies the log into the database and
    // fsyncs it, which is the slowest kind of save; 4,000 pages (16 MiB) makes that one save in several
    // hundred pilot-sized saves, and the app checkpoints when idle with `Store::checkpoint`.
    // journal_size_limit caps what the log keeps on disk after a checkpoint.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA wal_autocheckpoint = 4000;
         PRAGMA journal_size_limit = 16777216;",
    )
    .context(context)?;
    Ok(conn)
}

/// The schema version of an open database.
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .context(|| "reading the schema version".to_owned())
}

/// Brings the database up to `target` (at most [`SCHEMA_VERSION`]), one version per transaction.
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for from in found..target.min(SCHEMA_VERSION) {
        let context = || format!("migrating the schema from version {from} to {}", from + 1);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context(context)?;
        // Re-read inside the write lock: another process may have migrated meanwhile.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .context(context)?;
        if now != from {
            continue;
        }
        tx.execute_batch(MIGRATIONS[from as usize])
            .context(context)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", from + 1))
            .context(context)?;
        tx.commit().context(context)?;
    }
    Ok(())
}
