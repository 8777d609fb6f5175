//! The JSON wire types of protocol version 1, and the signed messages (upload envelope, receipt).
//!
//! Every type here is converted at the edges: the server's storage rows and the tablet's store
//! records are their own types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ProtoError;
use crate::b64::Base64Bytes;
use crate::canonical::CanonicalWriter;
use crate::keys::{SigningKeyPair, SurveyKeyPair, SurveyPublicKey, VerifyingKey};
use crate::seal::{self, SealedPayload};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The stable error shape of every non-2xx response: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A machine-readable code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// A stable snake_case code, e.g. `unsupported_protocol`, `forbidden`, `invalid_signature`.
    pub code: String,
    /// What went wrong and where, for a person.
    pub message: String,
}

/// A value of a monitoring field, travelling in clear. In JSON: `null`, a string, an integer, a
/// decimal number or an array of choice codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum MonitoringValue {
    /// No value (skipped or not answered).
    Null,
    /// An integer.
    Integer(i64),
    /// A decimal number.
    Decimal(f64),
    /// A text or a single choice code.
    Text(String),
    /// The codes of a multiple choice.
    Codes(Vec<String>),
}

impl MonitoringValue {
    fn encode(&self, writer: &mut CanonicalWriter) {
        match self {
            MonitoringValue::Null => {
                writer.u8(0);
            }
            MonitoringValue::Text(text) => {
                writer.u8(1).str(text);
            }
            MonitoringValue::Integer(value) => {
                writer.u8(2).i64(*value);
            }
            MonitoringValue::Decimal(value) => {
                writer.u8(3).f64(*value);
            }
            MonitoringValue::Codes(codes) => {
                writer.u8(4).count(codes.len());
                for code in codes {
                    writer.str(code);
                }
            }
        }
    }

    /// The value as the text of a quota cell coordinate (`None` for null).
    pub fn cell_text(&self) -> Option<String> {
        match self {
            MonitoringValue::Null => None,
            MonitoringValue::Text(text) => Some(text.clone()),
            MonitoringValue::Integer(value) => Some(value.to_string()),
            MonitoringValue::Decimal(value) => Some(value.to_string()),
            MonitoringValue::Codes(codes) => Some(codes.join(" ")),
        }
    }
}

/// One interview revision as uploaded by a device.
///
/// The signature is Ed25519 by the device key over [`UploadEnvelope::signed_bytes`], which encodes
/// every other field. Its content hash is SHA-256 of the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadEnvelope {
    /// The interview's UUID (v7), chosen by the tablet when the interview starts.
    pub interview_id: Uuid,
    /// The revision, 1 for the first submission and one more for each re-submission.
    pub revision: u32,
    /// The questionnaire (survey) id.
    pub questionnaire_id: String,
    /// The questionnaire version: the content hash (hex SHA-256) of the questionnaire file.
    pub questionnaire_version: String,
    /// The assignment this interview answers, if any.
    pub assignment_id: Option<i64>,
    /// The declared monitoring fields, in clear, by item name.
    pub monitoring: BTreeMap<String, MonitoringValue>,
    /// The answers and paradata, sealed to the survey key.
    pub sealed: SealedPayload,
    /// The device's Ed25519 signature (64 bytes), base64.
    pub signature: Base64Bytes,
}

/// The domain tag of [`UploadEnvelope::signed_bytes`].
pub const UPLOAD_DOMAIN: &str = "daftar-upload-v1";
/// The domain tag of [`UploadEnvelope::sealing_aad`].
pub const UPLOAD_AAD_DOMAIN: &str = "daftar-upload-aad-v1";
/// The domain tag of [`Receipt::signed_bytes`].
pub const RECEIPT_DOMAIN: &str = "daftar-receipt-v1";

fn encode_header(
    writer: &mut CanonicalWriter,
    interview_id: &Uuid,
    revision: u32,
    questionnaire_id: &str,
    questionnaire_version: &str,
    assignment_id: Option<i64>,
    monitoring: &BTreeMap<String, MonitoringValue>,
) {
    writer
        .uuid(interview_id)
        .u32(revision)
        .str(questionnaire_id)
        .str(questionnaire_version);
    match assignment_id {
        None => {
            writer.u8(0);
        }
        Some(id) => {
            writer.u8(1).i64(id);
        }
    }
    // A BTreeMap iterates in ascending key order, which for `String` is ascending byte order.
    writer.count(monitoring.len());
    for (name, value) in monitoring {
        writer.str(name);
        value.encode(writer);
    }
}

impl UploadEnvelope {
    /// Seals the plaintext to the survey key (with the header as AAD) and signs the result.
    #[allow(clippy::too_many_arguments)]
    pub fn seal_and_sign(
        interview_id: Uuid,
        revision: u32,
        questionnaire_id: &str,
        questionnaire_version: &str,
        assignment_id: Option<i64>,
        monitoring: BTreeMap<String, MonitoringValue>,
        plaintext: &[u8],
        survey_key: &SurveyPublicKey,
        device_key: &SigningKeyPair,
    ) -> Result<UploadEnvelope, ProtoError> {
        let mut envelope = UploadEnvelope {
            interview_id,
            revision,
            questionnaire_id: questionnaire_id.to_string(),
            questionnaire_version: questionnaire_version.to_string(),
            assignment_id,
            monitoring,
            sealed: SealedPayload {
                enc: Base64Bytes::default(),
                ciphertext: Base64Bytes::default(),
            },
            signature: Base64Bytes::default(),
        };
        let encoded = crate::payload::encode(plaintext);
        envelope.sealed = seal::seal(survey_key, &envelope.sealing_aad(), &encoded)?;
        envelope.sign(device_key);
        Ok(envelope)
    }

    /// (Re)computes the signature over the current fields.
    pub fn sign(&mut self, device_key: &SigningKeyPair) {
        self.signature = Base64Bytes(device_key.sign(&self.signed_bytes()).to_vec());
    }

    /// The AAD of the sealed payload: domain tag `daftar-upload-aad-v1`, then interview id (UUID),
    /// revision (`u32`), questionnaire id (string), questionnaire version (string), assignment id
    /// (optional `i64`), monitoring fields (map of string → value, where a value is a tag byte
    /// `0` null, `1` text (string), `2` integer (`i64`), `3` decimal (`f64`), `4` codes (list of strings)).
    pub fn sealing_aad(&self) -> Vec<u8> {
        let mut writer = CanonicalWriter::new(UPLOAD_AAD_DOMAIN);
        encode_header(
            &mut writer,
            &self.interview_id,
            self.revision,
            &self.questionnaire_id,
            &self.questionnaire_version,
            self.assignment_id,
            &self.monitoring,
        );
        writer.finish()
    }

    /// The bytes the device signs: domain tag `daftar-upload-v1`, the same header fields as
    /// [`UploadEnvelope::sealing_aad`] in the same order, then `enc` (bytes) and the ciphertext (bytes).
    /// The encoding rules are in [`crate::canonical`].
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut writer = CanonicalWriter::new(UPLOAD_DOMAIN);
        encode_header(
            &mut writer,
            &self.interview_id,
            self.revision,
            &self.questionnaire_id,
            &self.questionnaire_version,
            self.assignment_id,
            &self.monitoring,
        );
        writer
            .bytes(&self.sealed.enc.0)
            .bytes(&self.sealed.ciphertext.0);
        writer.finish()
    }

    /// SHA-256 of [`UploadEnvelope::signed_bytes`], lower-case hex: the identity of this content.
    pub fn content_hash(&self) -> String {
        crate::hex(&crate::sha256(&self.signed_bytes()))
    }

    /// Checks the device signature.
    pub fn verify(&self, device_key: &VerifyingKey) -> Result<(), ProtoError> {
        device_key.verify(&self.signed_bytes(), &self.signature.0, "device envelope")
    }

    /// Opens the sealed payload with the survey key pair and undoes its compression.
    pub fn open(&self, survey_key: &SurveyKeyPair) -> Result<Vec<u8>, ProtoError> {
        let encoded = seal::open(survey_key, &self.sealing_aad(), &self.sealed)?;
        crate::payload::decode(&encoded)
    }

    /// Builds the server's signed receipt for this exact content.
    pub fn receipt(
        &self,
        outcome: ReceiptOutcome,
        server_sequence: u64,
        received_at: &str,
        server_key: &SigningKeyPair,
    ) -> Receipt {
        let mut receipt = Receipt {
            interview_id: self.interview_id,
            revision: self.revision,
            content_hash: self.content_hash(),
            outcome,
            server_sequence,
            received_at: received_at.to_string(),
            signature: Base64Bytes::default(),
            warnings: Vec::new(),
        };
        receipt.signature = Base64Bytes(server_key.sign(&receipt.signed_bytes()).to_vec());
        receipt
    }
}

/// What the server did with an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReceiptOutcome {
    /// Stored as the revision of the interview.
    Accepted,
    /// Another content was already stored under this interview id and revision; this content was
    /// kept too, as a conflict for a supervisor to resolve. Nothing was overwritten.
    Conflict,
}

impl ReceiptOutcome {
    fn code(self) -> u8 {
        match self {
            ReceiptOutcome::Accepted => 1,
            ReceiptOutcome::Conflict => 2,
        }
    }
}

/// The server's signed acknowledgement of one exact upload, given only after a durable commit.
/// Re-sending the same content returns the same receipt, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Receipt {
    /// The interview.
    pub interview_id: Uuid,
    /// The revision.
    pub revision: u32,
    /// The content hash of the envelope acknowledged (hex SHA-256 of its signed bytes).
    pub content_hash: String,
    /// Accepted or kept as a conflict.
    pub outcome: ReceiptOutcome,
    /// The server's change sequence number of the stored upload.
    pub server_sequence: u64,
    /// When the server stored it (RFC 3339, UTC).
    pub received_at: String,
    /// The server's Ed25519 signature over [`Receipt::signed_bytes`], base64.
    pub signature: Base64Bytes,
    /// Advisory codes about the stored upload, outside the signature (absent when none):
    /// `over_quantity` when a new interview came for an assignment whose quantity was already used up
    /// (it is stored all the same, and flagged for the supervisor).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The receipt warning of a new interview beyond its assignment's quantity.
pub const WARNING_OVER_QUANTITY: &str = "over_quantity";

impl Receipt {
    /// The bytes the server signs: domain tag `daftar-receipt-v1`, interview id (UUID), revision
    /// (`u32`), content hash (bytes, the 32 raw bytes when the hex is valid, else the hex text),
    /// outcome (`u8`: 1 accepted, 2 conflict), server sequence (`u64`), received at (string).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut writer = CanonicalWriter::new(RECEIPT_DOMAIN);
        writer.uuid(&self.interview_id).u32(self.revision);
        match crate::unhex(&self.content_hash) {
            Some(raw) => writer.bytes(&raw),
            None => writer.bytes(self.content_hash.as_bytes()),
        };
        writer
            .u8(self.outcome.code())
            .u64(self.server_sequence)
            .str(&self.received_at);
        writer.finish()
    }

    /// Checks the server's signature.
    pub fn verify(&self, server_key: &VerifyingKey) -> Result<(), ProtoError> {
        server_key.verify(&self.signed_bytes(), &self.signature.0, "server receipt")
    }
}

/// The roles of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts; can do everything a supervisor can, in every team.
    Admin,
    /// Supervises one team: enrolment, assignments, review, quotas.
    Supervisor,
    /// Uploads questionnaires and keys, reads interviews for export.
    DataManager,
    /// Interviews on a tablet; uses the device endpoints.
    Enumerator,
}

impl Role {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::DataManager => "data_manager",
            Role::Enumerator => "enumerator",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "supervisor" => Some(Role::Supervisor),
            "data_manager" => Some(Role::DataManager),
            "enumerator" => Some(Role::Enumerator),
            _ => None,
        }
    }
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    /// The account name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// A bearer session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginResponse {
    /// The session token, sent as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session expires (RFC 3339).
    pub expires_at: String,
    /// The account.
    pub user: UserInfo,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserInfo {
    /// The account id.
    pub id: i64,
    /// The account name.
    pub username: String,
    /// The role.
    pub role: Role,
    /// The team (supervisors and enumerators).
    pub team: Option<String>,
    /// False once deactivated.
    pub active: bool,
}

/// `POST /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateUserRequest {
    /// The account name.
    pub username: String,
    /// The initial password (at least 10 characters).
    pub password: String,
    /// The role.
    pub role: Role,
    /// The team; required for supervisors and enumerators.
    pub team: Option<String>,
}

/// `POST /api/v1/enrolment-codes`: a one-time code for an enumerator's tablet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateEnrolmentCodeRequest {
    /// The enumerator whose tablet will be enrolled.
    pub enumerator_id: i64,
}

/// A one-time enrolment code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnrolmentCode {
    /// The id of the code (for the QR endpoint); not the code itself.
    pub id: i64,
    /// The code to type or scan: 10 characters from an unambiguous alphabet, in groups (`ABCD-EFGH-JK`).
    pub code: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    /// The enumerator.
    pub enumerator_id: i64,
    /// The code as a QR code, SVG text.
    pub qr_svg: String,
}

/// `POST /api/v1/devices/enrol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnrolRequest {
    /// The one-time code.
    pub code: String,
    /// The device's Ed25519 public key (32 bytes), base64.
    pub device_public_key: Base64Bytes,
    /// A label for the device (model, asset tag).
    pub label: String,
}

/// What a device learns at enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnrolResponse {
    /// The device id.
    pub device_id: Uuid,
    /// The 128-bit device token, hex; sent as `Authorization: Device <token>`. Shown once.
    pub device_token: String,
    /// The server's Ed25519 receipt key (32 bytes), base64.
    pub server_public_key: Base64Bytes,
    /// The enumerator the device belongs to.
    pub enumerator: UserInfo,
    /// The protocol version of the server.
    pub protocol_version: u32,
}

/// A device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceInfo {
    /// The device id.
    pub id: Uuid,
    /// Its label.
    pub label: String,
    /// The enumerator.
    pub enumerator_id: i64,
    /// When it was enrolled.
    pub enrolled_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// `POST /api/v1/surveys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateSurveyRequest {
    /// The questionnaire id (`[a-z0-9_-]+`).
    pub id: String,
    /// A title for the console.
    pub title: String,
}

/// A survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SurveyInfo {
    /// The questionnaire id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The survey's X25519 public key, base64, once set.
    pub public_key: Option<String>,
    /// Whether the server holds the private key wrapped under a passphrase.
    pub has_wrapped_private_key: bool,
    /// Whether that key is unlocked in the server's memory for upload validation.
    #[serde(default)]
    pub validation_key_unlocked: bool,
    /// The questionnaire versions, oldest first.
    pub versions: Vec<QuestionnaireVersionInfo>,
}

/// The format of an uploaded questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionnaireFormat {
    /// The native format (`daftar: 1`), YAML or JSON text.
    Yaml,
    /// An XLSForm workbook.
    Xlsx,
    /// A zip of the questionnaire (native or XLSForm) and the CSV files it refers to
    /// (`daftar spec bundle`).
    Bundle,
}

/// `POST /api/v1/surveys/{survey_id}/versions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadQuestionnaireRequest {
    /// The file's format.
    pub format: QuestionnaireFormat,
    /// The file's bytes, base64.
    pub content: Base64Bytes,
}

/// A stored questionnaire version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuestionnaireVersionInfo {
    /// The survey.
    pub survey_id: String,
    /// 1, 2, … in upload order.
    pub number: u32,
    /// The designer's version label (`version:` of the native file), if found.
    pub label: Option<String>,
    /// Hex SHA-256 of the file: the `questionnaire_version` of envelopes.
    pub content_hash: String,
    /// The format.
    pub format: QuestionnaireFormat,
    /// The monitoring fields the questionnaire declares.
    pub monitoring: Vec<String>,
    /// When it was uploaded.
    pub created_at: String,
}

/// `PUT /api/v1/surveys/{survey_id}/key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetSurveyKeyRequest {
    /// The X25519 public key, base64 or armoured.
    pub public_key: String,
    /// Optionally, the private key wrapped under a passphrase, for review on the server.
    pub wrapped_private_key: Option<crate::keys::WrappedSurveyKey>,
}

/// `POST /api/v1/assignments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateAssignmentRequest {
    /// The survey.
    pub survey_id: String,
    /// The target enumerator.
    pub enumerator_id: i64,
    /// How many interviews; `None` for unlimited.
    pub quantity: Option<u32>,
    /// Preloaded values by key (`preload:` of items).
    #[serde(default)]
    pub preload: BTreeMap<String, String>,
}

/// `POST /api/v1/assignments/{id}/reassign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReassignRequest {
    /// The new enumerator.
    pub enumerator_id: i64,
}

/// An assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Assignment {
    /// The id.
    pub id: i64,
    /// The survey.
    pub survey_id: String,
    /// The enumerator it is assigned to.
    pub enumerator_id: i64,
    /// How many interviews; `None` for unlimited.
    pub quantity: Option<u32>,
    /// Preloaded values.
    pub preload: BTreeMap<String, String>,
    /// False when it was taken from this enumerator (reassigned): the tablet drops it.
    pub active: bool,
    /// Distinct interviews received for it so far (may exceed `quantity`: nothing is refused).
    #[serde(default)]
    pub used: u32,
}

/// A list of assignments created at once (CSV import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssignmentList {
    /// The assignments.
    pub assignments: Vec<Assignment>,
}

/// A supervisor's decision on an interview revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Approved.
    Approve,
    /// Rejected back to the tablet with comments.
    Reject,
}

/// `POST /api/v1/interviews/{interview_id}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewRequest {
    /// The revision reviewed (must be the latest).
    pub revision: u32,
    /// Approve or reject.
    pub decision: ReviewDecision,
    /// Comments by question path (`hh_roster[2].age` → comment).
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
    /// A comment on the whole interview.
    #[serde(default)]
    pub note: Option<String>,
}

/// The status of an interview on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    /// Submitted, awaiting review.
    Submitted,
    /// Approved.
    Approved,
    /// Rejected back to the tablet.
    Rejected,
}

/// An interview as the console lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InterviewSummary {
    /// The interview.
    pub interview_id: Uuid,
    /// The survey.
    pub survey_id: String,
    /// Its latest revision.
    pub revision: u32,
    /// Its status.
    pub status: InterviewStatus,
    /// The enumerator.
    pub enumerator_id: i64,
    /// The device.
    pub device_id: Uuid,
    /// The monitoring fields of the latest revision.
    pub monitoring: BTreeMap<String, MonitoringValue>,
    /// The content hash of the latest revision.
    pub content_hash: String,
    /// How many conflicting contents were kept for this interview.
    pub conflicts: u32,
    /// Whether the server re-validated the latest revision against its questionnaire, and the outcome.
    #[serde(default)]
    pub validation: ValidationStatus,
    /// The assignment the latest revision answers, if any.
    #[serde(default)]
    pub assignment_id: Option<i64>,
    /// True when it arrived as a new interview for an assignment whose quantity was already used up.
    #[serde(default)]
    pub over_quantity: bool,
}

/// Whether the server re-validated an interview revision (answers opened with the survey key and
/// replayed through the engine), and the outcome. Every upload is stored whatever the outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ValidationStatus {
    /// Not checked: it arrived while the survey key was locked on the server.
    #[default]
    Unchecked,
    /// Opened and replayed without a problem.
    Valid,
    /// Opened and replayed with problems (or it does not open with the survey key): see the report.
    Invalid,
}

/// One problem found by re-validation. The message never holds an answer value: it names the item,
/// the rule (a questionnaire expression) or the code of the problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ValidationIssue {
    /// The item path (`hh_roster[2].m_age`); empty for the whole interview.
    pub path: String,
    /// A stable code: `required`, `constraint`, `warning_unconfirmed`, `unknown_code`,
    /// `monitoring_mismatch`, `cannot_open`, `bad_payload`…
    pub code: String,
    /// What is wrong, for a reviewer.
    pub message: String,
}

/// The persisted outcome of re-validating one stored revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ValidationReport {
    /// The outcome.
    pub status: ValidationStatus,
    /// The revision checked.
    #[serde(default)]
    pub revision: u32,
    /// When it was checked (RFC 3339); absent while unchecked.
    #[serde(default)]
    pub checked_at: Option<String>,
    /// The problems (empty when valid or unchecked).
    #[serde(default)]
    pub errors: Vec<ValidationIssue>,
}

/// `POST /api/v1/surveys/{survey_id}/validation-key`: unlock the survey key kept on the server for
/// upload validation, in memory, until locked again or the server restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnlockValidationKeyRequest {
    /// The passphrase the survey key was wrapped under.
    pub passphrase: String,
}

/// Whether a survey's uploads are re-validated now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ValidationKeyState {
    /// The survey.
    pub survey_id: String,
    /// True while the key is unlocked for validation.
    pub unlocked: bool,
    /// Stored revisions still unchecked when the answer was made (validated in the background).
    pub backlog: u32,
}

/// An interview with its stored envelopes (the reviewer opens them with the survey key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InterviewDetail {
    /// The summary.
    pub summary: InterviewSummary,
    /// Every stored envelope, accepted revisions and conflicts, oldest first.
    pub envelopes: Vec<StoredEnvelope>,
    /// The reviews, oldest first.
    pub reviews: Vec<Rejection>,
    /// The re-validation report of the latest revision.
    #[serde(default)]
    pub validation: ValidationReport,
}

/// A stored envelope with how the server took it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StoredEnvelope {
    /// Accepted or conflict.
    pub outcome: ReceiptOutcome,
    /// The envelope as uploaded.
    pub envelope: UploadEnvelope,
}

/// A review sent back to a tablet (rejections carry per-question comments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Rejection {
    /// The interview.
    pub interview_id: Uuid,
    /// The revision reviewed.
    pub revision: u32,
    /// Approve or reject.
    pub decision: ReviewDecision,
    /// Comments by question path.
    pub comments: BTreeMap<String, String>,
    /// A comment on the whole interview.
    pub note: Option<String>,
    /// Who reviewed.
    pub reviewer: String,
    /// When (RFC 3339).
    pub reviewed_at: String,
}

/// `PUT /api/v1/surveys/{survey_id}/quotas`: a target for one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetQuotaRequest {
    /// The quota's name in the questionnaire.
    pub quota: String,
    /// The cell: a value for each `by` field.
    pub cell: BTreeMap<String, String>,
    /// The target count.
    pub target: u32,
}

/// A quota cell with its target and fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuotaCell {
    /// The survey.
    pub survey_id: String,
    /// The quota's name.
    pub quota: String,
    /// The cell coordinates.
    pub cell: BTreeMap<String, String>,
    /// The target.
    pub target: u32,
    /// Interviews counted in the cell (submitted or approved, latest revision).
    pub fill: u32,
    /// Interviews in the cell still being worked on: started and not completed on a tablet (from the
    /// devices' latest progress reports) or rejected back and not yet re-sent.
    #[serde(default)]
    pub in_progress: u32,
}

/// The quota cells of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuotaList {
    /// The cells.
    pub cells: Vec<QuotaCell>,
}

/// A questionnaire version as a device downloads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuestionnaireDownload {
    /// Its description.
    pub info: QuestionnaireVersionInfo,
    /// The survey public key to seal to, base64.
    pub survey_public_key: Option<String>,
    /// The file, base64.
    pub content: Base64Bytes,
}

/// `GET /api/v1/sync/changes?cursor=N`: everything that changed for this device since the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangesResponse {
    /// The cursor to send next time (the last change sequence included).
    pub next_cursor: u64,
    /// True when more changes wait: ask again with `next_cursor`.
    pub has_more: bool,
    /// New questionnaire versions of the device's surveys.
    pub questionnaires: Vec<QuestionnaireDownload>,
    /// New or changed assignments of the device's enumerator (inactive ones were taken away).
    pub assignments: Vec<Assignment>,
    /// Reviews of the enumerator's interviews (rejections return them to the tablet).
    pub reviews: Vec<Rejection>,
    /// Current quota fill of the surveys the enumerator works on (always complete, not incremental).
    pub quota_fill: Vec<QuotaCell>,
}

/// An interview started on a tablet and not yet completed, as the device reports it: the same clear
/// fields as an upload envelope's header, nothing sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DraftReport {
    /// The interview's UUID.
    pub interview_id: Uuid,
    /// The questionnaire (survey) id.
    pub questionnaire_id: String,
    /// The questionnaire version (content hash) it is answered on.
    pub questionnaire_version: String,
    /// The assignment it answers, if any.
    pub assignment_id: Option<i64>,
    /// The declared monitoring fields answered so far, in clear, by item path (row paths inside
    /// rosters), validated as an upload's are.
    pub monitoring: BTreeMap<String, MonitoringValue>,
}

/// `PUT /api/v1/sync/progress`: the device's interviews in progress. Each report replaces the
/// device's previous one (an empty list clears it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProgressReport {
    /// The interviews started and not completed on the device.
    pub drafts: Vec<DraftReport>,
}

/// An entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    /// Sequence.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who: `user:<name>`, `device:<uuid>`, `anonymous`.
    pub actor: String,
    /// What: `login`, `login_failed`, `enrol`, `upload`, `review`, `revoke`, …
    pub action: String,
    /// On what (an id), never a secret.
    pub subject: String,
    /// A short detail, never a token, answer or key.
    pub detail: String,
}

/// The audit log, newest last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditList {
    /// Entries.
    pub entries: Vec<AuditEntry>,
}

/// `POST /api/v1/interviews/{interview_id}/open`: unlock the survey key kept on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenInterviewRequest {
    /// The passphrase the survey key was wrapped under.
    pub passphrase: String,
    /// The revision to open; the latest accepted one when absent.
    #[serde(default)]
    pub revision: Option<u32>,
}

/// The answers of one revision, opened for a reviewer. Never logged, never stored in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenedInterview {
    /// The interview.
    pub interview_id: Uuid,
    /// The revision opened.
    pub revision: u32,
    /// Its content hash.
    pub content_hash: String,
    /// The interview bytes as the tablet sealed them, base64.
    pub plaintext: Base64Bytes,
}
