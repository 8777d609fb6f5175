//! The storage seam: every database access of the server goes through [`Storage`].
//!
//! The embedded default is [`sqlite::SqliteStorage`] (one file in the data directory, WAL,
//! `synchronous=FULL`). A PostgreSQL backend would implement the same trait. Methods are blocking;
//! the HTTP layer calls them from `tokio::task::spawn_blocking`.

pub mod sqlite;

use std::collections::BTreeMap;
use std::sync::Arc;

use sync_proto::keys::SigningKeyPair;
use sync_proto::wire::{
    Assignment, AuditEntry, DraftReport, InterviewDetail, InterviewSummary, MonitoringValue,
    QuestionnaireFormat, QuestionnaireVersionInfo, Receipt, Rejection, ReviewDecision, Role,
    UploadEnvelope, ValidationReport,
};
use uuid::Uuid;

/// A storage failure. Messages never contain secrets.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The thing does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with stored state (code, message).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// The request is invalid against stored state (code, message).
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
    /// The writer thread has stopped (the server is shutting down).
    #[error("the storage writer has stopped")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

/// The result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: Option<String>,
    /// Active.
    pub active: bool,
}

impl UserRow {
    /// The wire form (without the password hash).
    pub fn info(&self) -> sync_proto::wire::UserInfo {
        sync_proto::wire::UserInfo {
            id: self.id,
            username: self.username.clone(),
            role: self.role,
            team: self.team.clone(),
            active: self.active,
        }
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Name.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: Option<String>,
}

/// A device as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Id.
    pub id: Uuid,
    /// The enumerator.
    pub enumerator_id: i64,
    /// The enumerator's team.
    pub team: Option<String>,
    /// Label.
    pub label: String,
    /// Ed25519 public key.
    pub public_key: [u8; 32],
    /// Enrolled at (RFC 3339).
    pub enrolled_at: String,
    /// Revoked at (RFC 3339).
    pub revoked_at: Option<String>,
}

/// A survey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Public key, base64.
    pub public_key: Option<String>,
    /// Wrapped private key (JSON).
    pub wrapped_private_key: Option<String>,
}

/// A questionnaire version with its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireVersionRow {
    /// Its description.
    pub info: QuestionnaireVersionInfo,
    /// The file.
    pub content: Vec<u8>,
}

/// A new questionnaire version.
#[derive(Debug, Clone)]
pub struct NewQuestionnaireVersion {
    /// Survey.
    pub survey_id: String,
    /// Label.
    pub label: Option<String>,
    /// Format.
    pub format: QuestionnaireFormat,
    /// The file.
    pub content: Vec<u8>,
    /// Declared monitoring fields.
    pub monitoring: Vec<String>,
    /// Now (RFC 3339).
    pub created_at: String,
}

/// A new assignment.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    /// Survey.
    pub survey_id: String,
    /// Enumerator.
    pub enumerator_id: i64,
    /// Quantity.
    pub quantity: Option<u32>,
    /// Preloaded values.
    pub preload: BTreeMap<String, String>,
    /// Creator.
    pub created_by: i64,
}

/// An upload to store.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// The verified envelope.
    pub envelope: UploadEnvelope,
    /// Its content hash.
    pub content_hash: String,
    /// The sending device.
    pub device_id: Uuid,
    /// Its enumerator.
    pub enumerator_id: i64,
    /// Now (RFC 3339).
    pub received_at: String,
    /// The re-validation report when the survey key was unlocked for validation; `None` stores it
    /// unchecked.
    pub validation: Option<ValidationReport>,
}

/// A review to record.
#[derive(Debug, Clone)]
pub struct NewReview {
    /// Interview.
    pub interview_id: Uuid,
    /// Revision reviewed.
    pub revision: u32,
    /// Decision.
    pub decision: ReviewDecision,
    /// Comments by path.
    pub comments: BTreeMap<String, String>,
    /// Overall note.
    pub note: Option<String>,
    /// Reviewer's name.
    pub reviewer: String,
    /// Now (RFC 3339).
    pub reviewed_at: String,
}

/// An interview's stored state, for authorization checks.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewRow {
    /// The summary.
    pub summary: InterviewSummary,
    /// The enumerator's team.
    pub team: Option<String>,
}

/// The incremental part of a device download.
#[derive(Debug, Clone, Default)]
pub struct ChangeBatch {
    /// Last change sequence included.
    pub next_cursor: u64,
    /// More waiting.
    pub has_more: bool,
    /// Questionnaire versions (survey public key, version).
    pub questionnaires: Vec<(Option<String>, QuestionnaireVersionRow)>,
    /// Assignments.
    pub assignments: Vec<Assignment>,
    /// Reviews.
    pub reviews: Vec<Rejection>,
}

/// A quota cell's target, with the survey's interviews to count fill from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaTargetRow {
    /// Quota name.
    pub quota: String,
    /// Cell coordinates.
    pub cell: BTreeMap<String, String>,
    /// Target.
    pub target: u32,
}

/// One line to append to the audit log.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: &'static str,
    /// On what.
    pub subject: String,
    /// Detail (no secrets).
    pub detail: String,
}

/// What the server stores. Every method is blocking and atomic.
pub trait Storage: Send + Sync + 'static {
    /// Creates an account; `Conflict("username_taken")` if the name exists.
    fn create_user(&self, user: NewUser, audit: NewAudit) -> StoreResult<UserRow>;
    /// An account by name.
    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRow>>;
    /// An account by id.
    fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>>;
    /// Accounts, of one team or all.
    fn list_users(&self, team: Option<&str>) -> StoreResult<Vec<UserRow>>;
    /// Activates or deactivates an account; deactivation ends its sessions.
    fn set_user_active(&self, id: i64, active: bool, audit: NewAudit) -> StoreResult<()>;
    /// Replaces an account's password hash and ends its sessions; `NotFound` if there is no such account.
    fn set_user_password(&self, id: i64, password_hash: String, audit: NewAudit)
    -> StoreResult<()>;

    /// Stores a session (token hashed).
    fn create_session(
        &self,
        token_hash: [u8; 32],
        user_id: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The active account of an unexpired session.
    fn session_user(&self, token_hash: [u8; 32], now: i64) -> StoreResult<Option<UserRow>>;
    /// Ends a session.
    fn delete_session(&self, token_hash: [u8; 32]) -> StoreResult<()>;

    /// Stores an enrolment code (hashed) for an enumerator; returns its id.
    fn create_enrolment_code(
        &self,
        code_hash: [u8; 32],
        enumerator_id: i64,
        expires_at: i64,
        audit: NewAudit,
    ) -> StoreResult<i64>;
    /// Consumes an unused, unexpired code and registers the device, atomically. `Ok(None)` when the
    /// code is unknown, used or expired.
    #[allow(clippy::too_many_arguments)]
    fn enrol_device(
        &self,
        code_hash: [u8; 32],
        now: i64,
        device_id: Uuid,
        label: &str,
        public_key: [u8; 32],
        token_hash: [u8; 32],
        enrolled_at: &str,
    ) -> StoreResult<Option<DeviceRow>>;
    /// The device of a token hash (revoked ones included, the caller checks).
    fn device_by_token(&self, token_hash: [u8; 32]) -> StoreResult<Option<DeviceRow>>;
    /// A device by id.
    fn device_by_id(&self, id: Uuid) -> StoreResult<Option<DeviceRow>>;
    /// Devices, of one team or all.
    fn list_devices(&self, team: Option<&str>) -> StoreResult<Vec<DeviceRow>>;
    /// Revokes a device at once.
    fn revoke_device(&self, id: Uuid, revoked_at: &str, audit: NewAudit) -> StoreResult<()>;

    /// Creates a survey.
    fn create_survey(&self, id: &str, title: &str, created_at: &str) -> StoreResult<()>;
    /// A survey.
    fn survey(&self, id: &str) -> StoreResult<Option<SurveyRow>>;
    /// All surveys.
    fn list_surveys(&self) -> StoreResult<Vec<SurveyRow>>;
    /// Sets the survey's public key and optionally its wrapped private key.
    fn set_survey_key(
        &self,
        id: &str,
        public_key: &str,
        wrapped: Option<String>,
        audit: NewAudit,
    ) -> StoreResult<()>;
    /// Adds a questionnaire version (a re-upload of identical bytes returns the existing version).
    fn add_questionnaire_version(
        &self,
        version: NewQuestionnaireVersion,
    ) -> StoreResult<QuestionnaireVersionInfo>;
    /// A questionnaire version by its content hash.
    fn questionnaire_version(
        &self,
        survey_id: &str,
        content_hash: &str,
    ) -> StoreResult<Option<QuestionnaireVersionRow>>;
    /// The versions of a survey, oldest first.
    fn list_versions(&self, survey_id: &str) -> StoreResult<Vec<QuestionnaireVersionInfo>>;

    /// Creates assignments, all or none.
    fn create_assignments(
        &self,
        assignments: Vec<NewAssignment>,
        audit: NewAudit,
    ) -> StoreResult<Vec<Assignment>>;
    /// An assignment.
    fn assignment(&self, id: i64) -> StoreResult<Option<Assignment>>;
    /// Moves an assignment to another enumerator; both tablets learn of it at their next sync.
    fn reassign(&self, id: i64, enumerator_id: i64, audit: NewAudit) -> StoreResult<Assignment>;
    /// Assignments of a survey, optionally only those of a team's enumerators.
    fn list_assignments(
        &self,
        survey_id: Option<&str>,
        team: Option<&str>,
    ) -> StoreResult<Vec<Assignment>>;

    /// Stores an upload idempotently and returns its signed receipt, only after a durable commit.
    fn store_upload(
        &self,
        upload: NewUpload,
        server_key: Arc<SigningKeyPair>,
    ) -> StoreResult<Receipt>;
    /// An interview's state.
    fn interview(&self, id: Uuid) -> StoreResult<Option<InterviewRow>>;
    /// An interview with every stored envelope and review.
    fn interview_detail(&self, id: Uuid) -> StoreResult<Option<InterviewDetail>>;
    /// Interviews, of one survey and/or one team.
    fn list_interviews(
        &self,
        survey_id: Option<&str>,
        team: Option<&str>,
    ) -> StoreResult<Vec<InterviewSummary>>;
    /// Stores the re-validation report of one stored upload (by interview and content hash).
    fn record_validation(
        &self,
        interview_id: Uuid,
        content_hash: &str,
        report: ValidationReport,
    ) -> StoreResult<()>;
    /// Stored uploads (accepted or conflicts) of a survey not yet re-validated, oldest first.
    fn unchecked_uploads(&self, survey_id: &str, limit: u32) -> StoreResult<Vec<UploadEnvelope>>;
    /// Records a review of the latest revision and returns it to the tablet when rejected.
    fn record_review(&self, review: NewReview, audit: NewAudit) -> StoreResult<Rejection>;

    /// Replaces a device's report of its interviews in progress.
    fn replace_progress(
        &self,
        device_id: Uuid,
        drafts: Vec<DraftReport>,
        reported_at: &str,
    ) -> StoreResult<()>;
    /// The interviews of a survey still in progress, by id with their monitoring fields: reported as
    /// drafts by an active device and not uploaded since, or rejected and not yet re-sent.
    fn in_progress(
        &self,
        survey_id: &str,
        team: Option<&str>,
    ) -> StoreResult<Vec<(Uuid, BTreeMap<String, MonitoringValue>)>>;
    /// Changes for an enumerator's device after `cursor`, at most `limit`.
    fn changes_for(&self, enumerator_id: i64, cursor: u64, limit: u32) -> StoreResult<ChangeBatch>;
    /// The surveys an enumerator has assignments in.
    fn surveys_of_enumerator(&self, enumerator_id: i64) -> StoreResult<Vec<String>>;

    /// Sets a quota cell's target.
    fn set_quota_target(
        &self,
        survey_id: &str,
        target: QuotaTargetRow,
        audit: NewAudit,
    ) -> StoreResult<()>;
    /// A survey's quota targets.
    fn quota_targets(&self, survey_id: &str) -> StoreResult<Vec<QuotaTargetRow>>;

    /// Appends to the audit log.
    fn audit(&self, entry: NewAudit) -> StoreResult<()>;
    /// The last `limit` audit entries, oldest first.
    fn audit_entries(&self, limit: u32) -> StoreResult<Vec<AuditEntry>>;

    /// Writes a consistent copy of the database to a new file.
    fn backup_to(&self, path: &std::path::Path) -> StoreResult<()>;
}
