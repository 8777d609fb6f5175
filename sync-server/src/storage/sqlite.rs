//! The embedded SQLite backend.
//!
//! One writer thread owns the write connection and commits in groups: it takes every job waiting
//! in its queue, runs each inside its own savepoint of one transaction, commits once with
//! `synchronous=FULL`, and only then answers each job. A job's answer (an upload's receipt) is
//! therefore never sent before its row is durable, and concurrent uploads share one fsync.
//! Reads use a small pool of read-only connections (WAL lets them run beside the writer).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sync_proto::keys::SigningKeyPair;
use sync_proto::wire::{
    Assignment, AuditEntry, InterviewDetail, InterviewStatus, InterviewSummary,
    QuestionnaireFormat, QuestionnaireVersionInfo, Receipt, ReceiptOutcome, Rejection,
    ReviewDecision, Role, StoredEnvelope, UploadEnvelope, ValidationReport,
};
use sync_proto::wire::{DraftReport, MonitoringValue};
use uuid::Uuid;

use super::*;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    team TEXT,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment_codes (
    id INTEGER PRIMARY KEY,
    code_hash BLOB NOT NULL UNIQUE,
    enumerator_id INTEGER NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    enumerator_id INTEGER NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    public_key BLOB NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS surveys (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    public_key TEXT,
    wrapped_private_key TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS questionnaire_versions (
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    number INTEGER NOT NULL,
    label TEXT,
    content_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    content BLOB NOT NULL,
    monitoring TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (survey_id, number),
    UNIQUE (survey_id, content_hash)
);
CREATE TABLE IF NOT EXISTS assignments (
    id INTEGER PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    enumerator_id INTEGER NOT NULL REFERENCES users(id),
    quantity INTEGER,
    preload TEXT NOT NULL,
    created_by INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    interview_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    device_id TEXT NOT NULL,
    enumerator_id INTEGER NOT NULL,
    envelope TEXT NOT NULL,
    receipt TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (interview_id, revision, content_hash)
);
CREATE TABLE IF NOT EXISTS interviews (
    interview_id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    enumerator_id INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    monitoring TEXT NOT NULL,
    conflicts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS interviews_survey ON interviews(survey_id);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    interview_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    decision TEXT NOT NULL,
    comments TEXT NOT NULL,
    note TEXT,
    reviewer TEXT NOT NULL,
    reviewed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    enumerator_id INTEGER
);
CREATE INDEX IF NOT EXISTS changes_enumerator ON changes(enumerator_id, seq);
CREATE TABLE IF NOT EXISTS quota_targets (
    survey_id TEXT NOT NULL,
    quota TEXT NOT NULL,
    cell TEXT NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (survey_id, quota, cell)
);
CREATE TABLE IF NOT EXISTS device_progress (
    device_id TEXT NOT NULL,
    interview_id TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    assignment_id INTEGER,
    monitoring TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (device_id, interview_id)
);
CREATE INDEX IF NOT EXISTS device_progress_survey ON device_progress(survey_id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

type Reply = Box<dyn FnOnce(Option<StoreError>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> Reply + Send>;

/// The SQLite storage of one data directory.
pub struct SqliteStorage {
    path: PathBuf,
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    readers: Mutex<Vec<Connection>>,
}

/// The largest number of jobs committed together.
const MAX_GROUP: usize = 512;

fn open_connection(path: &Path, read_only: bool) -> StoreResult<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(std::time::Duration::from_secs(10))?;
    connection.execute_batch("PRAGMA foreign_keys = ON;")?;
    if !read_only {
        let mode: String =
            connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "could not enable WAL (journal mode is {mode})"
            )));
        }
        // FULL: a commit that acknowledges an upload survives power loss, not only a crash.
        connection.execute_batch("PRAGMA synchronous = FULL;")?;
    }
    Ok(connection)
}

/// Columns added after the first release: a database of an older server gains them at start.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    // The re-validation report (`ValidationReport` JSON) of each stored upload; NULL while unchecked.
    ("uploads", "validation", "TEXT"),
    // The assignment of the latest revision, for the quantity used.
    ("interviews", "assignment_id", "INTEGER"),
    // 1 when it arrived as a new interview beyond its assignment's quantity.
    ("interviews", "over_quantity", "INTEGER NOT NULL DEFAULT 0"),
];

fn migrate(connection: &Connection) -> StoreResult<()> {
    for (table, column, declaration) in ADDED_COLUMNS {
        let present: bool = connection.query_row(
            &format!("SELECT EXISTS(SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1)"),
            [column],
            |row| row.get(0),
        )?;
        if !present {
            connection.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {declaration}"
            ))?;
            if (*table, *column) == ("interviews", "assignment_id") {
                // Interviews stored before the column: their assignment is in the stored envelope.
                connection.execute_batch(
                    "UPDATE interviews SET assignment_id = (SELECT json_extract(p.envelope, '$.assignment_id') \
                     FROM uploads p WHERE p.interview_id = interviews.interview_id \
                     AND p.content_hash = interviews.content_hash LIMIT 1)",
                )?;
            }
        }
    }
    connection.execute_batch(
        "CREATE INDEX IF NOT EXISTS interviews_assignment ON interviews(assignment_id)",
    )?;
    Ok(())
}

fn validation_from_text(text: Option<String>) -> ValidationReport {
    text.and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

impl SqliteStorage {
    /// Opens (creating if needed) `daftar.sqlite3` in the data directory.
    pub fn open(data_dir: &Path) -> StoreResult<SqliteStorage> {
        std::fs::create_dir_all(data_dir).map_err(|error| {
            StoreError::Database(format!("cannot create {}: {error}", data_dir.display()))
        })?;
        let path = data_dir.join("daftar.sqlite3");
        let connection = open_connection(&path, false)?;
        connection.execute_batch(SCHEMA)?;
        migrate(&connection)?;
        let (sender, receiver) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(connection, receiver))
            .map_err(|error| {
                StoreError::Database(format!("cannot start the writer thread: {error}"))
            })?;
        Ok(SqliteStorage {
            path,
            writer: Mutex::new(Some(sender)),
            writer_thread: Mutex::new(Some(thread)),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Stops accepting writes and waits until every queued write is committed.
    pub fn close(&self) {
        self.writer.lock().expect("writer lock").take();
        if let Some(thread) = self.writer_thread.lock().expect("thread lock").take() {
            let _ = thread.join();
        }
    }

    fn read<R>(&self, f: impl FnOnce(&Connection) -> StoreResult<R>) -> StoreResult<R> {
        let pooled = self.readers.lock().expect("reader pool lock").pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => open_connection(&self.path, true)?,
        };
        let result = f(&connection);
        let mut pool = self.readers.lock().expect("reader pool lock");
        if pool.len() < 16 {
            pool.push(connection);
        }
        result
    }

    fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
    ) -> StoreResult<R> {
        let (reply_sender, reply_receiver) = mpsc::sync_channel::<StoreResult<R>>(1);
        let job: Job = Box::new(move |connection: &Connection| {
            let result = run_in_savepoint(connection, f);
            Box::new(move |commit_error: Option<StoreError>| {
                let answer = match commit_error {
                    Some(error) => Err(error),
                    None => result,
                };
                let _ = reply_sender.send(answer);
            })
        });
        {
            let writer = self.writer.lock().expect("writer lock");
            let sender = writer.as_ref().ok_or(StoreError::Closed)?;
            sender.send(job).map_err(|_| StoreError::Closed)?;
        }
        reply_receiver.recv().map_err(|_| StoreError::Closed)?
    }
}

impl Drop for SqliteStorage {
    fn drop(&mut self) {
        self.close();
    }
}

fn run_in_savepoint<R>(
    connection: &Connection,
    f: impl FnOnce(&Connection) -> StoreResult<R>,
) -> StoreResult<R> {
    connection.prepare_cached("SAVEPOINT job")?.execute([])?;
    let result = f(connection);
    match &result {
        Ok(_) => {
            connection.prepare_cached("RELEASE job")?.execute([])?;
        }
        Err(_) => connection.execute_batch("ROLLBACK TO job; RELEASE job")?,
    }
    result
}

fn writer_loop(connection: Connection, receiver: mpsc::Receiver<Job>) {
    while let Ok(first) = receiver.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if let Err(error) = connection.execute_batch("BEGIN IMMEDIATE") {
            let error = StoreError::from(error);
            for job in jobs {
                // The job never ran; answer it with the failure.
                let reply = job_reply_without_running(job, &connection);
                reply(Some(error.clone()));
            }
            continue;
        }
        let replies: Vec<Reply> = jobs.into_iter().map(|job| job(&connection)).collect();
        let commit_error = connection
            .execute_batch("COMMIT")
            .err()
            .map(StoreError::from);
        if commit_error.is_some() {
            let _ = connection.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(commit_error.clone());
        }
    }
}

/// Runs a job whose transaction could not start: its savepoint opens an implicit transaction, which
/// is rolled back right away, so nothing it wrote stays.
fn job_reply_without_running(job: Job, connection: &Connection) -> Reply {
    let reply = job(connection);
    let _ = connection.execute_batch("ROLLBACK");
    reply
}

fn role_text(role: Role) -> &'static str {
    role.as_str()
}

fn parse_role(text: String) -> rusqlite::Result<Role> {
    Role::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            "unknown role".into(),
        )
    })
}

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: row.get(0)?,
        username: row.get(1)?,
        password_hash: row.get(2)?,
        role: parse_role(row.get(3)?)?,
        team: row.get(4)?,
        active: row.get(5)?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, role, team, active";

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Database(format!("stored JSON is invalid: {error}"))
}

fn device_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    let id: String = row.get(0)?;
    let key: Vec<u8> = row.get(4)?;
    let mut public_key = [0u8; 32];
    if key.len() == 32 {
        public_key.copy_from_slice(&key);
    }
    Ok(DeviceRow {
        id: Uuid::parse_str(&id).unwrap_or_default(),
        enumerator_id: row.get(1)?,
        team: row.get(2)?,
        label: row.get(3)?,
        public_key,
        enrolled_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

const DEVICE_SELECT: &str = "SELECT d.id, d.enumerator_id, u.team, d.label, d.public_key, d.enrolled_at, d.revoked_at \
     FROM devices d JOIN users u ON u.id = d.enumerator_id";

fn format_text(format: QuestionnaireFormat) -> &'static str {
    match format {
        QuestionnaireFormat::Yaml => "yaml",
        QuestionnaireFormat::Xlsx => "xlsx",
        QuestionnaireFormat::Bundle => "bundle",
    }
}

fn version_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(QuestionnaireVersionInfo, Vec<u8>)> {
    let format: String = row.get(4)?;
    let monitoring: String = row.get(6)?;
    Ok((
        QuestionnaireVersionInfo {
            survey_id: row.get(0)?,
            number: row.get(1)?,
            label: row.get(2)?,
            content_hash: row.get(3)?,
            format: match format.as_str() {
                "xlsx" => QuestionnaireFormat::Xlsx,
                "bundle" => QuestionnaireFormat::Bundle,
                _ => QuestionnaireFormat::Yaml,
            },
            monitoring: serde_json::from_str(&monitoring).unwrap_or_default(),
            created_at: row.get(7)?,
        },
        row.get(5)?,
    ))
}

const VERSION_COLUMNS: &str =
    "survey_id, number, label, content_hash, format, content, monitoring, created_at";

fn assignment_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Assignment> {
    let preload: String = row.get(4)?;
    Ok(Assignment {
        id: row.get(0)?,
        survey_id: row.get(1)?,
        enumerator_id: row.get(2)?,
        quantity: row.get(3)?,
        preload: serde_json::from_str(&preload).unwrap_or_default(),
        active: true,
        used: row.get(5)?,
    })
}

const ASSIGNMENT_COLUMNS: &str = "a.id, a.survey_id, a.enumerator_id, a.quantity, a.preload, \
     (SELECT COUNT(*) FROM interviews x WHERE x.assignment_id = a.id)";

fn status_text(status: InterviewStatus) -> &'static str {
    match status {
        InterviewStatus::Submitted => "submitted",
        InterviewStatus::Approved => "approved",
        InterviewStatus::Rejected => "rejected",
    }
}

fn parse_status(text: &str) -> InterviewStatus {
    match text {
        "approved" => InterviewStatus::Approved,
        "rejected" => InterviewStatus::Rejected,
        _ => InterviewStatus::Submitted,
    }
}

fn decision_text(decision: ReviewDecision) -> &'static str {
    match decision {
        ReviewDecision::Approve => "approve",
        ReviewDecision::Reject => "reject",
    }
}

fn interview_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(InterviewSummary, Option<String>)> {
    let interview_id: String = row.get(0)?;
    let device_id: String = row.get(3)?;
    let status: String = row.get(6)?;
    let monitoring: String = row.get(7)?;
    Ok((
        InterviewSummary {
            interview_id: Uuid::parse_str(&interview_id).unwrap_or_default(),
            survey_id: row.get(1)?,
            enumerator_id: row.get(2)?,
            device_id: Uuid::parse_str(&device_id).unwrap_or_default(),
            revision: row.get(4)?,
            content_hash: row.get(5)?,
            status: parse_status(&status),
            monitoring: serde_json::from_str(&monitoring).unwrap_or_default(),
            conflicts: row.get(8)?,
            validation: validation_from_text(row.get(10)?).status,
            assignment_id: row.get(11)?,
            over_quantity: row.get(12)?,
        },
        row.get(9)?,
    ))
}

const INTERVIEW_SELECT: &str = "SELECT i.interview_id, i.survey_id, i.enumerator_id, i.device_id, i.revision, \
     i.content_hash, i.status, i.monitoring, i.conflicts, u.team, \
     (SELECT p.validation FROM uploads p WHERE p.interview_id = i.interview_id AND p.content_hash = i.content_hash LIMIT 1), \
     i.assignment_id, i.over_quantity FROM interviews i JOIN users u ON u.id = i.enumerator_id";

fn review_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Rejection> {
    let interview_id: String = row.get(0)?;
    let decision: String = row.get(2)?;
    let comments: String = row.get(3)?;
    Ok(Rejection {
        interview_id: Uuid::parse_str(&interview_id).unwrap_or_default(),
        revision: row.get(1)?,
        decision: if decision == "approve" {
            ReviewDecision::Approve
        } else {
            ReviewDecision::Reject
        },
        comments: serde_json::from_str(&comments).unwrap_or_default(),
        note: row.get(4)?,
        reviewer: row.get(5)?,
        reviewed_at: row.get(6)?,
    })
}

const REVIEW_COLUMNS: &str =
    "interview_id, revision, decision, comments, note, reviewer, reviewed_at";

fn insert_audit(connection: &Connection, entry: &NewAudit) -> StoreResult<()> {
    connection
        .prepare_cached(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            entry.at,
            entry.actor,
            entry.action,
            entry.subject,
            entry.detail
        ])?;
    Ok(())
}

fn insert_change(
    connection: &Connection,
    kind: &str,
    reference: &str,
    enumerator_id: Option<i64>,
) -> StoreResult<()> {
    connection.execute(
        "INSERT INTO changes (kind, ref, enumerator_id) VALUES (?1, ?2, ?3)",
        params![kind, reference, enumerator_id],
    )?;
    Ok(())
}

impl Storage for SqliteStorage {
    fn create_user(&self, user: NewUser, audit: NewAudit) -> StoreResult<UserRow> {
        self.write(move |connection| {
            let exists: bool = connection.query_row(
                "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
                [&user.username],
                |row| row.get(0),
            )?;
            if exists {
                return Err(StoreError::Conflict(
                    "username_taken",
                    format!("the username {} is taken", user.username),
                ));
            }
            connection.execute(
                "INSERT INTO users (username, password_hash, role, team) VALUES (?1, ?2, ?3, ?4)",
                params![
                    user.username,
                    user.password_hash,
                    role_text(user.role),
                    user.team
                ],
            )?;
            let id = connection.last_insert_rowid();
            insert_audit(
                connection,
                &NewAudit {
                    subject: format!("user:{id}"),
                    ..audit
                },
            )?;
            Ok(UserRow {
                id,
                username: user.username,
                password_hash: user.password_hash,
                role: user.role,
                team: user.team,
                active: true,
            })
        })
    }

    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
                    [username],
                    user_from_row,
                )
                .optional()?)
        })
    }

    fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                    [id],
                    user_from_row,
                )
                .optional()?)
        })
    }

    fn list_users(&self, team: Option<&str>) -> StoreResult<Vec<UserRow>> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE ?1 IS NULL OR team = ?1 ORDER BY id"
            ))?;
            let rows = statement
                .query_map([team], user_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn set_user_active(&self, id: i64, active: bool, audit: NewAudit) -> StoreResult<()> {
        self.write(move |connection| {
            let changed = connection.execute(
                "UPDATE users SET active = ?2 WHERE id = ?1",
                params![id, active],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("no user {id}")));
            }
            if !active {
                connection.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            }
            insert_audit(connection, &audit)
        })
    }

    fn set_user_password(
        &self,
        id: i64,
        password_hash: String,
        audit: NewAudit,
    ) -> StoreResult<()> {
        self.write(move |connection| {
            let changed = connection.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![id, password_hash],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("no user {id}")));
            }
            connection.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            insert_audit(connection, &audit)
        })
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        user_id: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        self.write(move |connection| {
            connection.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash.to_vec(), user_id, expires_at],
            )?;
            Ok(())
        })
    }

    fn session_user(&self, token_hash: [u8; 32], now: i64) -> StoreResult<Option<UserRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!(
                        "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id \
                         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
                        USER_COLUMNS
                            .split(", ")
                            .map(|c| format!("u.{c}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    params![token_hash.to_vec(), now],
                    user_from_row,
                )
                .optional()?)
        })
    }

    fn delete_session(&self, token_hash: [u8; 32]) -> StoreResult<()> {
        self.write(move |connection| {
            connection.execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                [token_hash.to_vec()],
            )?;
            Ok(())
        })
    }

    fn create_enrolment_code(
        &self,
        code_hash: [u8; 32],
        enumerator_id: i64,
        expires_at: i64,
        audit: NewAudit,
    ) -> StoreResult<i64> {
        self.write(move |connection| {
            connection.execute(
                "INSERT INTO enrolment_codes (code_hash, enumerator_id, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash.to_vec(), enumerator_id, expires_at],
            )?;
            let id = connection.last_insert_rowid();
            insert_audit(connection, &NewAudit { subject: format!("enrolment_code:{id}"), ..audit })?;
            Ok(id)
        })
    }

    fn enrol_device(
        &self,
        code_hash: [u8; 32],
        now: i64,
        device_id: Uuid,
        label: &str,
        public_key: [u8; 32],
        token_hash: [u8; 32],
        enrolled_at: &str,
    ) -> StoreResult<Option<DeviceRow>> {
        let label = label.to_string();
        let enrolled_at = enrolled_at.to_string();
        self.write(move |connection| {
            let code: Option<(i64, i64)> = connection
                .query_row(
                    "SELECT id, enumerator_id FROM enrolment_codes \
                     WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                    params![code_hash.to_vec(), now],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((code_id, enumerator_id)) = code else {
                return Ok(None);
            };
            connection.execute("UPDATE enrolment_codes SET used_at = ?2 WHERE id = ?1", params![code_id, now])?;
            connection.execute(
                "INSERT INTO devices (id, enumerator_id, label, public_key, token_hash, enrolled_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    device_id.to_string(),
                    enumerator_id,
                    label,
                    public_key.to_vec(),
                    token_hash.to_vec(),
                    enrolled_at
                ],
            )?;
            insert_audit(
                connection,
                &NewAudit {
                    at: enrolled_at.clone(),
                    actor: format!("device:{device_id}"),
                    action: "enrol",
                    subject: format!("user:{enumerator_id}"),
                    detail: format!("enrolment_code:{code_id}"),
                },
            )?;
            Ok(connection
                .query_row(&format!("{DEVICE_SELECT} WHERE d.id = ?1"), [device_id.to_string()], device_from_row)
                .optional()?)
        })
    }

    fn device_by_token(&self, token_hash: [u8; 32]) -> StoreResult<Option<DeviceRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("{DEVICE_SELECT} WHERE d.token_hash = ?1"),
                    [token_hash.to_vec()],
                    device_from_row,
                )
                .optional()?)
        })
    }

    fn device_by_id(&self, id: Uuid) -> StoreResult<Option<DeviceRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("{DEVICE_SELECT} WHERE d.id = ?1"),
                    [id.to_string()],
                    device_from_row,
                )
                .optional()?)
        })
    }

    fn list_devices(&self, team: Option<&str>) -> StoreResult<Vec<DeviceRow>> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "{DEVICE_SELECT} WHERE ?1 IS NULL OR u.team = ?1 ORDER BY d.enrolled_at"
            ))?;
            let rows = statement
                .query_map([team], device_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn revoke_device(&self, id: Uuid, revoked_at: &str, audit: NewAudit) -> StoreResult<()> {
        let revoked_at = revoked_at.to_string();
        self.write(move |connection| {
            let changed = connection.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                params![id.to_string(), revoked_at],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("no device {id}")));
            }
            insert_audit(connection, &audit)
        })
    }

    fn create_survey(&self, id: &str, title: &str, created_at: &str) -> StoreResult<()> {
        let (id, title, created_at) = (id.to_string(), title.to_string(), created_at.to_string());
        self.write(move |connection| {
            let exists: bool = connection.query_row(
                "SELECT EXISTS(SELECT 1 FROM surveys WHERE id = ?1)",
                [&id],
                |row| row.get(0),
            )?;
            if exists {
                return Err(StoreError::Conflict(
                    "survey_exists",
                    format!("the survey {id} exists"),
                ));
            }
            connection.execute(
                "INSERT INTO surveys (id, title, created_at) VALUES (?1, ?2, ?3)",
                params![id, title, created_at],
            )?;
            Ok(())
        })
    }

    fn survey(&self, id: &str) -> StoreResult<Option<SurveyRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    "SELECT id, title, public_key, wrapped_private_key FROM surveys WHERE id = ?1",
                    [id],
                    |row| {
                        Ok(SurveyRow {
                            id: row.get(0)?,
                            title: row.get(1)?,
                            public_key: row.get(2)?,
                            wrapped_private_key: row.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn list_surveys(&self) -> StoreResult<Vec<SurveyRow>> {
        self.read(|connection| {
            let mut statement = connection.prepare(
                "SELECT id, title, public_key, wrapped_private_key FROM surveys ORDER BY id",
            )?;
            let rows = statement
                .query_map([], |row| {
                    Ok(SurveyRow {
                        id: row.get(0)?,
                        title: row.get(1)?,
                        public_key: row.get(2)?,
                        wrapped_private_key: row.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn set_survey_key(
        &self,
        id: &str,
        public_key: &str,
        wrapped: Option<String>,
        audit: NewAudit,
    ) -> StoreResult<()> {
        let (id, public_key) = (id.to_string(), public_key.to_string());
        self.write(move |connection| {
            let changed = connection.execute(
                "UPDATE surveys SET public_key = ?2, wrapped_private_key = ?3 WHERE id = ?1",
                params![id, public_key, wrapped],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("no survey {id}")));
            }
            // Devices re-download the versions to learn the new key.
            let mut statement = connection
                .prepare("SELECT number FROM questionnaire_versions WHERE survey_id = ?1")?;
            let numbers = statement
                .query_map([&id], |row| row.get::<_, u32>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            for number in numbers {
                insert_change(connection, "questionnaire", &format!("{id}/{number}"), None)?;
            }
            insert_audit(connection, &audit)
        })
    }

    fn add_questionnaire_version(
        &self,
        version: NewQuestionnaireVersion,
    ) -> StoreResult<QuestionnaireVersionInfo> {
        self.write(move |connection| {
            let content_hash = sync_proto::hex(&sync_proto::sha256(&version.content));
            let existing = connection
                .query_row(
                    &format!("SELECT {VERSION_COLUMNS} FROM questionnaire_versions WHERE survey_id = ?1 AND content_hash = ?2"),
                    params![version.survey_id, content_hash],
                    version_from_row,
                )
                .optional()?;
            if let Some((info, _)) = existing {
                return Ok(info);
            }
            let survey_exists: bool = connection.query_row(
                "SELECT EXISTS(SELECT 1 FROM surveys WHERE id = ?1)",
                [&version.survey_id],
                |row| row.get(0),
            )?;
            if !survey_exists {
                return Err(StoreError::NotFound(format!("no survey {}", version.survey_id)));
            }
            let number: u32 = connection.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM questionnaire_versions WHERE survey_id = ?1",
                [&version.survey_id],
                |row| row.get(0),
            )?;
            let monitoring = serde_json::to_string(&version.monitoring).map_err(json_error)?;
            connection.execute(
                &format!("INSERT INTO questionnaire_versions ({VERSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    version.survey_id,
                    number,
                    version.label,
                    content_hash,
                    format_text(version.format),
                    version.content,
                    monitoring,
                    version.created_at
                ],
            )?;
            insert_change(connection, "questionnaire", &format!("{}/{number}", version.survey_id), None)?;
            Ok(QuestionnaireVersionInfo {
                survey_id: version.survey_id,
                number,
                label: version.label,
                content_hash,
                format: version.format,
                monitoring: version.monitoring,
                created_at: version.created_at,
            })
        })
    }

    fn questionnaire_version(
        &self,
        survey_id: &str,
        content_hash: &str,
    ) -> StoreResult<Option<QuestionnaireVersionRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("SELECT {VERSION_COLUMNS} FROM questionnaire_versions WHERE survey_id = ?1 AND content_hash = ?2"),
                    params![survey_id, content_hash],
                    version_from_row,
                )
                .optional()?
                .map(|(info, content)| QuestionnaireVersionRow { info, content }))
        })
    }

    fn list_versions(&self, survey_id: &str) -> StoreResult<Vec<QuestionnaireVersionInfo>> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {VERSION_COLUMNS} FROM questionnaire_versions WHERE survey_id = ?1 ORDER BY number"
            ))?;
            let rows = statement
                .query_map([survey_id], version_from_row)?
                .map(|row| row.map(|(info, _)| info))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn create_assignments(
        &self,
        assignments: Vec<NewAssignment>,
        audit: NewAudit,
    ) -> StoreResult<Vec<Assignment>> {
        self.write(move |connection| {
            let mut created = Vec::with_capacity(assignments.len());
            for assignment in assignments {
                let preload = serde_json::to_string(&assignment.preload).map_err(json_error)?;
                connection.execute(
                    "INSERT INTO assignments (survey_id, enumerator_id, quantity, preload, created_by) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        assignment.survey_id,
                        assignment.enumerator_id,
                        assignment.quantity,
                        preload,
                        assignment.created_by
                    ],
                )?;
                let id = connection.last_insert_rowid();
                insert_change(connection, "assignment", &id.to_string(), Some(assignment.enumerator_id))?;
                created.push(Assignment {
                    id,
                    survey_id: assignment.survey_id,
                    enumerator_id: assignment.enumerator_id,
                    quantity: assignment.quantity,
                    preload: assignment.preload,
                    active: true,
                    used: 0,
                });
            }
            insert_audit(
                connection,
                &NewAudit { detail: format!("{} assignment(s)", created.len()), ..audit },
            )?;
            Ok(created)
        })
    }

    fn assignment(&self, id: i64) -> StoreResult<Option<Assignment>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignments a WHERE a.id = ?1"),
                    [id],
                    assignment_from_row,
                )
                .optional()?)
        })
    }

    fn reassign(&self, id: i64, enumerator_id: i64, audit: NewAudit) -> StoreResult<Assignment> {
        self.write(move |connection| {
            let previous: Option<i64> = connection
                .query_row(
                    "SELECT enumerator_id FROM assignments WHERE id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(previous) = previous else {
                return Err(StoreError::NotFound(format!("no assignment {id}")));
            };
            connection.execute(
                "UPDATE assignments SET enumerator_id = ?2 WHERE id = ?1",
                params![id, enumerator_id],
            )?;
            insert_change(connection, "assignment", &id.to_string(), Some(previous))?;
            insert_change(
                connection,
                "assignment",
                &id.to_string(),
                Some(enumerator_id),
            )?;
            insert_audit(connection, &audit)?;
            Ok(connection.query_row(
                &format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignments a WHERE a.id = ?1"),
                [id],
                assignment_from_row,
            )?)
        })
    }

    fn list_assignments(
        &self,
        survey_id: Option<&str>,
        team: Option<&str>,
    ) -> StoreResult<Vec<Assignment>> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {ASSIGNMENT_COLUMNS} FROM assignments a JOIN users u ON u.id = a.enumerator_id \
                 WHERE (?1 IS NULL OR a.survey_id = ?1) AND (?2 IS NULL OR u.team = ?2) ORDER BY a.id"
            ))?;
            let rows = statement.query_map(params![survey_id, team], assignment_from_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn store_upload(
        &self,
        upload: NewUpload,
        server_key: Arc<SigningKeyPair>,
    ) -> StoreResult<Receipt> {
        self.write(move |connection| {
            let envelope = &upload.envelope;
            let interview_id = envelope.interview_id.to_string();
            // The same content again: the same receipt, nothing stored twice.
            let existing: Option<String> = connection
                .query_row(
                    "SELECT receipt FROM uploads WHERE interview_id = ?1 AND revision = ?2 AND content_hash = ?3",
                    params![interview_id, envelope.revision, upload.content_hash],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(receipt) = existing {
                return serde_json::from_str(&receipt).map_err(json_error);
            }
            let same_revision_other_content: bool = connection.prepare_cached("SELECT EXISTS(SELECT 1 FROM uploads WHERE interview_id = ?1 AND revision = ?2 AND outcome = 'accepted')")?.query_row(
                params![interview_id, envelope.revision],
                |row| row.get(0),
            )?;
            let current: Option<(u32, i64)> = connection
                .query_row(
                    "SELECT revision, enumerator_id FROM interviews WHERE interview_id = ?1",
                    [&interview_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            // Another enumerator's interview id is never taken over: kept as a conflict.
            let foreign = matches!(current, Some((_, owner)) if owner != upload.enumerator_id);
            let outcome = if same_revision_other_content || foreign {
                ReceiptOutcome::Conflict
            } else {
                ReceiptOutcome::Accepted
            };
            let envelope_json = serde_json::to_string(envelope).map_err(json_error)?;
            let validation = upload
                .validation
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(json_error)?;
            connection.prepare_cached("INSERT INTO uploads (interview_id, revision, content_hash, outcome, device_id, enumerator_id, \
                 envelope, receipt, received_at, validation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', ?8, ?9)")?.execute(
                params![
                    interview_id,
                    envelope.revision,
                    upload.content_hash,
                    match outcome {
                        ReceiptOutcome::Accepted => "accepted",
                        ReceiptOutcome::Conflict => "conflict",
                    },
                    upload.device_id.to_string(),
                    upload.enumerator_id,
                    envelope_json,
                    upload.received_at,
                    validation
                ],
            )?;
            let sequence = connection.last_insert_rowid() as u64;
            // A new interview for an assignment whose quantity is used up is stored all the same, flagged.
            let counted_assignment = match (outcome, current, envelope.assignment_id) {
                (ReceiptOutcome::Accepted, None, Some(assignment)) => connection
                    .query_row(
                        "SELECT a.quantity, a.enumerator_id, (SELECT COUNT(*) FROM interviews x WHERE x.assignment_id = a.id) \
                         FROM assignments a WHERE a.id = ?1",
                        [assignment],
                        |row| Ok((row.get::<_, Option<u32>>(0)?, row.get::<_, i64>(1)?, row.get::<_, u32>(2)?)),
                    )
                    .optional()?
                    .map(|(quantity, holder, used)| (assignment, holder, quantity.is_some_and(|q| used >= q))),
                _ => None,
            };
            let over_quantity = counted_assignment.is_some_and(|(_, _, over)| over);
            let mut receipt = envelope.receipt(outcome, sequence, &upload.received_at, &server_key);
            if over_quantity {
                receipt.warnings.push(sync_proto::wire::WARNING_OVER_QUANTITY.to_string());
            }
            let receipt_json = serde_json::to_string(&receipt).map_err(json_error)?;
            connection.prepare_cached("UPDATE uploads SET receipt = ?2 WHERE seq = ?1")?.execute( params![sequence as i64, receipt_json])?;
            let monitoring = serde_json::to_string(&envelope.monitoring).map_err(json_error)?;
            match (outcome, current) {
                (ReceiptOutcome::Conflict, _) => {
                    connection.prepare_cached("UPDATE interviews SET conflicts = conflicts + 1 WHERE interview_id = ?1")?.execute(
                        [&interview_id],
                    )?;
                }
                (ReceiptOutcome::Accepted, None) => {
                    connection.prepare_cached("INSERT INTO interviews (interview_id, survey_id, enumerator_id, device_id, revision, \
                         content_hash, status, monitoring, assignment_id, over_quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'submitted', ?7, ?8, ?9)")?.execute(
                        params![
                            interview_id,
                            envelope.questionnaire_id,
                            upload.enumerator_id,
                            upload.device_id.to_string(),
                            envelope.revision,
                            upload.content_hash,
                            monitoring,
                            envelope.assignment_id,
                            over_quantity
                        ],
                    )?;
                    // The assignment's `used` changed: its holder's tablet downloads it again.
                    if let Some((assignment, holder, _)) = counted_assignment {
                        insert_change(connection, "assignment", &assignment.to_string(), Some(holder))?;
                    }
                }
                (ReceiptOutcome::Accepted, Some((revision, _))) if envelope.revision > revision => {
                    connection.prepare_cached("UPDATE interviews SET revision = ?2, content_hash = ?3, status = 'submitted', monitoring = ?4, \
                         device_id = ?5, assignment_id = COALESCE(?6, assignment_id) WHERE interview_id = ?1")?.execute(
                        params![
                            interview_id,
                            envelope.revision,
                            upload.content_hash,
                            monitoring,
                            upload.device_id.to_string(),
                            envelope.assignment_id
                        ],
                    )?;
                }
                // An older revision that arrived late is kept, but does not replace the newer one.
                (ReceiptOutcome::Accepted, Some(_)) => {}
            }
            insert_audit(
                connection,
                &NewAudit {
                    at: upload.received_at.clone(),
                    actor: format!("device:{}", upload.device_id),
                    action: "upload",
                    subject: format!("interview:{interview_id}"),
                    detail: format!(
                        "revision {} {} {}",
                        envelope.revision,
                        match outcome {
                            ReceiptOutcome::Accepted => "accepted",
                            ReceiptOutcome::Conflict => "conflict",
                        },
                        upload.content_hash
                    ),
                },
            )?;
            Ok(receipt)
        })
    }

    fn interview(&self, id: Uuid) -> StoreResult<Option<InterviewRow>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    &format!("{INTERVIEW_SELECT} WHERE i.interview_id = ?1"),
                    [id.to_string()],
                    interview_from_row,
                )
                .optional()?
                .map(|(summary, team)| InterviewRow { summary, team }))
        })
    }

    fn interview_detail(&self, id: Uuid) -> StoreResult<Option<InterviewDetail>> {
        self.read(|connection| {
            let Some((summary, _)) = connection
                .query_row(
                    &format!("{INTERVIEW_SELECT} WHERE i.interview_id = ?1"),
                    [id.to_string()],
                    interview_from_row,
                )
                .optional()?
            else {
                return Ok(None);
            };
            let mut statement = connection.prepare(
                "SELECT outcome, envelope FROM uploads WHERE interview_id = ?1 ORDER BY seq",
            )?;
            let envelopes = statement
                .query_map([id.to_string()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(|(outcome, envelope)| {
                    let envelope: UploadEnvelope =
                        serde_json::from_str(&envelope).map_err(json_error)?;
                    let outcome = if outcome == "conflict" {
                        ReceiptOutcome::Conflict
                    } else {
                        ReceiptOutcome::Accepted
                    };
                    Ok(StoredEnvelope { outcome, envelope })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let mut statement = connection.prepare(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE interview_id = ?1 ORDER BY id"
            ))?;
            let reviews = statement
                .query_map([id.to_string()], review_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let validation: Option<String> = connection
                .query_row(
                    "SELECT validation FROM uploads WHERE interview_id = ?1 AND content_hash = ?2 LIMIT 1",
                    params![id.to_string(), summary.content_hash],
                    |row| row.get(0),
                )
                .optional()?
                .flatten();
            Ok(Some(InterviewDetail {
                summary,
                envelopes,
                reviews,
                validation: validation_from_text(validation),
            }))
        })
    }

    fn list_interviews(
        &self,
        survey_id: Option<&str>,
        team: Option<&str>,
    ) -> StoreResult<Vec<InterviewSummary>> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "{INTERVIEW_SELECT} WHERE (?1 IS NULL OR i.survey_id = ?1) AND (?2 IS NULL OR u.team = ?2) \
                 ORDER BY i.interview_id"
            ))?;
            let rows = statement
                .query_map(params![survey_id, team], interview_from_row)?
                .map(|row| row.map(|(summary, _)| summary))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn record_review(&self, review: NewReview, audit: NewAudit) -> StoreResult<Rejection> {
        self.write(move |connection| {
            let interview_id = review.interview_id.to_string();
            let current: Option<(u32, String, i64)> = connection
                .query_row(
                    "SELECT revision, status, enumerator_id FROM interviews WHERE interview_id = ?1",
                    [&interview_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((revision, status, enumerator_id)) = current else {
                return Err(StoreError::NotFound(format!("no interview {interview_id}")));
            };
            if review.revision != revision {
                return Err(StoreError::Conflict(
                    "stale_revision",
                    format!("interview {interview_id} is at revision {revision}, not {}", review.revision),
                ));
            }
            if parse_status(&status) != InterviewStatus::Submitted {
                return Err(StoreError::Conflict(
                    "not_awaiting_review",
                    format!("interview {interview_id} revision {revision} was already reviewed ({status})"),
                ));
            }
            let new_status = match review.decision {
                ReviewDecision::Approve => InterviewStatus::Approved,
                ReviewDecision::Reject => InterviewStatus::Rejected,
            };
            connection.execute(
                "UPDATE interviews SET status = ?2 WHERE interview_id = ?1",
                params![interview_id, status_text(new_status)],
            )?;
            let comments = serde_json::to_string(&review.comments).map_err(json_error)?;
            connection.execute(
                &format!("INSERT INTO reviews ({REVIEW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![
                    interview_id,
                    review.revision,
                    decision_text(review.decision),
                    comments,
                    review.note,
                    review.reviewer,
                    review.reviewed_at
                ],
            )?;
            let review_id = connection.last_insert_rowid();
            insert_change(connection, "review", &review_id.to_string(), Some(enumerator_id))?;
            insert_audit(
                connection,
                &NewAudit {
                    detail: format!("revision {} {}", review.revision, decision_text(review.decision)),
                    ..audit
                },
            )?;
            Ok(Rejection {
                interview_id: review.interview_id,
                revision: review.revision,
                decision: review.decision,
                comments: review.comments,
                note: review.note,
                reviewer: review.reviewer,
                reviewed_at: review.reviewed_at,
            })
        })
    }

    fn changes_for(&self, enumerator_id: i64, cursor: u64, limit: u32) -> StoreResult<ChangeBatch> {
        self.read(|connection| {
            let mut statement = connection.prepare(
                "SELECT seq, kind, ref FROM changes WHERE seq > ?1 AND (enumerator_id IS NULL OR enumerator_id = ?2) \
                 ORDER BY seq LIMIT ?3",
            )?;
            let rows = statement
                .query_map(params![cursor as i64, enumerator_id, limit], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut batch = ChangeBatch {
                next_cursor: rows.last().map(|row| row.0 as u64).unwrap_or(cursor),
                has_more: rows.len() as u32 == limit,
                ..ChangeBatch::default()
            };
            // Several changes may name the same thing; send its current state once.
            let mut seen = std::collections::HashSet::new();
            for (_, kind, reference) in rows {
                if !seen.insert((kind.clone(), reference.clone())) {
                    continue;
                }
                match kind.as_str() {
                    "questionnaire" => {
                        let Some((survey_id, number)) = reference.split_once('/') else { continue };
                        let version = connection
                            .query_row(
                                &format!(
                                    "SELECT {VERSION_COLUMNS} FROM questionnaire_versions WHERE survey_id = ?1 AND number = ?2"
                                ),
                                params![survey_id, number],
                                version_from_row,
                            )
                            .optional()?;
                        let public_key: Option<String> = connection
                            .query_row("SELECT public_key FROM surveys WHERE id = ?1", [survey_id], |row| row.get(0))
                            .optional()?
                            .flatten();
                        if let Some((info, content)) = version {
                            batch.questionnaires.push((public_key, QuestionnaireVersionRow { info, content }));
                        }
                    }
                    "assignment" => {
                        let assignment = connection
                            .query_row(
                                &format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignments a WHERE a.id = ?1"),
                                [&reference],
                                assignment_from_row,
                            )
                            .optional()?;
                        if let Some(mut assignment) = assignment {
                            // Taken away from this enumerator: tell the tablet to drop it.
                            assignment.active = assignment.enumerator_id == enumerator_id;
                            batch.assignments.push(assignment);
                        }
                    }
                    "review" => {
                        let review = connection
                            .query_row(
                                &format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?1"),
                                [&reference],
                                review_from_row,
                            )
                            .optional()?;
                        batch.reviews.extend(review);
                    }
                    _ => {}
                }
            }
            Ok(batch)
        })
    }

    fn record_validation(
        &self,
        interview_id: Uuid,
        content_hash: &str,
        report: ValidationReport,
    ) -> StoreResult<()> {
        let content_hash = content_hash.to_string();
        self.write(move |connection| {
            let report = serde_json::to_string(&report).map_err(json_error)?;
            connection.execute(
                "UPDATE uploads SET validation = ?3 WHERE interview_id = ?1 AND content_hash = ?2",
                params![interview_id.to_string(), content_hash, report],
            )?;
            Ok(())
        })
    }

    fn unchecked_uploads(&self, survey_id: &str, limit: u32) -> StoreResult<Vec<UploadEnvelope>> {
        self.read(|connection| {
            let mut statement = connection.prepare(
                "SELECT p.envelope FROM uploads p JOIN interviews i ON i.interview_id = p.interview_id \
                 WHERE i.survey_id = ?1 AND p.validation IS NULL ORDER BY p.seq LIMIT ?2",
            )?;
            let rows = statement
                .query_map(params![survey_id, limit], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            rows.iter()
                .map(|text| serde_json::from_str(text).map_err(json_error))
                .collect()
        })
    }

    fn replace_progress(
        &self,
        device_id: Uuid,
        drafts: Vec<DraftReport>,
        reported_at: &str,
    ) -> StoreResult<()> {
        let reported_at = reported_at.to_string();
        self.write(move |connection| {
            connection.execute(
                "DELETE FROM device_progress WHERE device_id = ?1",
                [device_id.to_string()],
            )?;
            let mut insert = connection.prepare_cached(
                "INSERT OR REPLACE INTO device_progress (device_id, interview_id, survey_id, questionnaire_version, \
                 assignment_id, monitoring, reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for draft in drafts {
                let monitoring = serde_json::to_string(&draft.monitoring).map_err(json_error)?;
                insert.execute(params![
                    device_id.to_string(),
                    draft.interview_id.to_string(),
                    draft.questionnaire_id,
                    draft.questionnaire_version,
                    draft.assignment_id,
                    monitoring,
                    reported_at
                ])?;
            }
            Ok(())
        })
    }

    fn in_progress(
        &self,
        survey_id: &str,
        team: Option<&str>,
    ) -> StoreResult<Vec<(Uuid, BTreeMap<String, MonitoringValue>)>> {
        self.read(|connection| {
            // Rejected interviews not yet re-sent, then drafts reported by active devices, the newer
            // report of an interview winning; a draft whose interview has since been uploaded (and not
            // rejected back) no longer counts.
            let mut statement = connection.prepare(
                "SELECT i.interview_id, i.monitoring, '' FROM interviews i JOIN users u ON u.id = i.enumerator_id \
                 WHERE i.survey_id = ?1 AND i.status = 'rejected' AND (?2 IS NULL OR u.team = ?2) \
                 UNION ALL \
                 SELECT p.interview_id, p.monitoring, p.reported_at FROM device_progress p \
                 JOIN devices d ON d.id = p.device_id JOIN users u ON u.id = d.enumerator_id \
                 WHERE p.survey_id = ?1 AND d.revoked_at IS NULL AND u.active = 1 AND (?2 IS NULL OR u.team = ?2) \
                 AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.interview_id = p.interview_id AND i.status != 'rejected') \
                 ORDER BY 3",
            )?;
            let rows = statement
                .query_map(params![survey_id, team], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut by_interview: BTreeMap<Uuid, BTreeMap<String, MonitoringValue>> = BTreeMap::new();
            for (interview, monitoring) in rows {
                let Ok(interview) = Uuid::parse_str(&interview) else { continue };
                by_interview.insert(interview, serde_json::from_str(&monitoring).map_err(json_error)?);
            }
            Ok(by_interview.into_iter().collect())
        })
    }

    fn surveys_of_enumerator(&self, enumerator_id: i64) -> StoreResult<Vec<String>> {
        self.read(|connection| {
            let mut statement = connection
                .prepare("SELECT DISTINCT survey_id FROM assignments WHERE enumerator_id = ?1 ORDER BY survey_id")?;
            let rows = statement.query_map([enumerator_id], |row| row.get(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn set_quota_target(
        &self,
        survey_id: &str,
        target: QuotaTargetRow,
        audit: NewAudit,
    ) -> StoreResult<()> {
        let survey_id = survey_id.to_string();
        self.write(move |connection| {
            let cell = serde_json::to_string(&target.cell).map_err(json_error)?;
            connection.execute(
                "INSERT INTO quota_targets (survey_id, quota, cell, target) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (survey_id, quota, cell) DO UPDATE SET target = excluded.target",
                params![survey_id, target.quota, cell, target.target],
            )?;
            insert_audit(connection, &audit)
        })
    }

    fn quota_targets(&self, survey_id: &str) -> StoreResult<Vec<QuotaTargetRow>> {
        self.read(|connection| {
            let mut statement = connection
                .prepare("SELECT quota, cell, target FROM quota_targets WHERE survey_id = ?1 ORDER BY quota, cell")?;
            let rows = statement
                .query_map([survey_id], |row| {
                    let cell: String = row.get(1)?;
                    Ok(QuotaTargetRow {
                        quota: row.get(0)?,
                        cell: serde_json::from_str::<BTreeMap<String, String>>(&cell).unwrap_or_default(),
                        target: row.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn audit(&self, entry: NewAudit) -> StoreResult<()> {
        self.write(move |connection| insert_audit(connection, &entry))
    }

    fn audit_entries(&self, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        self.read(|connection| {
            let mut statement = connection.prepare(
                "SELECT id, at, actor, action, subject, detail FROM \
                 (SELECT * FROM audit ORDER BY id DESC LIMIT ?1) ORDER BY id",
            )?;
            let rows = statement
                .query_map([limit], |row| {
                    Ok(AuditEntry {
                        id: row.get(0)?,
                        at: row.get(1)?,
                        actor: row.get(2)?,
                        action: row.get(3)?,
                        subject: row.get(4)?,
                        detail: row.get(5)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    fn backup_to(&self, path: &Path) -> StoreResult<()> {
        if path.exists() {
            return Err(StoreError::Invalid(
                "backup_exists",
                format!("{} exists already", path.display()),
            ));
        }
        let target = path.to_string_lossy().to_string();
        // VACUUM INTO writes a consistent snapshot while the server keeps running.
        self.read(|connection| {
            connection.execute("VACUUM INTO ?1", [target])?;
            Ok(())
        })
    }
}
