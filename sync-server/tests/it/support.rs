//! A test world: a server state on a temporary data directory with accounts, a survey, devices and
//! an interview, built directly through the storage so that no test pays for password hashing.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use sync_proto::keys::{SigningKeyPair, SurveyKeyPair};
use sync_proto::wire::{MonitoringValue, QuestionnaireFormat, Role, UploadEnvelope};
use sync_server::clock::ManualClock;
use sync_server::config::Config;
use sync_server::storage::sqlite::SqliteStorage;
use sync_server::storage::{
    NewAssignment, NewAudit, NewQuestionnaireVersion, NewUpload, NewUser, Storage,
};
use sync_server::validation::SpecValidator;
use sync_server::{AppState, app};
use tower::ServiceExt as _;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";
pub const START: i64 = 1_795_000_000;

pub const QUESTIONNAIRE: &str = r#"daftar: 1
id: pilot
version: "2026.11.1"
title: {en: Pilot}
languages: [en]
default_language: en
choices:
  region:
    - {code: "01", label: {en: Rabat}}
    - {code: "02", label: {en: Casablanca}}
    - {code: "03", label: {en: Fes}}
  sex:
    - {code: "1", label: {en: Male}}
    - {code: "2", label: {en: Female}}
monitoring: [a_region, m_sex]
items:
  - {name: a_region, type: single, choices: region, label: {en: Region}}
  - {name: m_sex, type: single, choices: sex, label: {en: Sex}}
  - {name: q_income, type: integer, label: {en: Income}}
"#;

pub const SURVEY_PASSPHRASE: &str = "survey passphrase";

/// One survey key for every world, wrapped once: Argon2id is slow on purpose.
fn survey_key_material() -> &'static (String, String) {
    static MATERIAL: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    MATERIAL.get_or_init(|| {
        let key = SurveyKeyPair::generate();
        let wrapped = serde_json::to_string(&key.wrap(SURVEY_PASSPHRASE).unwrap()).unwrap();
        (key.to_pem().to_string(), wrapped)
    })
}

pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| sync_server::auth::hash_password(PASSWORD).unwrap())
        .clone()
}

fn audit() -> NewAudit {
    NewAudit {
        at: "2026-11-23T00:00:00Z".into(),
        actor: "test".into(),
        action: "setup",
        subject: String::new(),
        detail: String::new(),
    }
}

/// A caller of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Admin,
    SupervisorA,
    SupervisorB,
    DataManager,
    Enumerator,
    Device,
}

pub const CALLERS: [Caller; 7] = [
    Caller::Anonymous,
    Caller::Admin,
    Caller::SupervisorA,
    Caller::SupervisorB,
    Caller::DataManager,
    Caller::Enumerator,
    Caller::Device,
];

pub struct Account {
    pub id: i64,
    pub token: String,
}

pub struct World {
    pub _dir: tempfile::TempDir,
    pub storage: Arc<SqliteStorage>,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub admin: Account,
    pub supervisor_a: Account,
    pub supervisor_b: Account,
    pub data_manager: Account,
    pub enumerator_a: Account,
    pub enumerator_a2: Account,
    pub enumerator_b: Account,
    pub survey_key: SurveyKeyPair,
    pub version_hash: String,
    pub assignment_id: i64,
    pub device_key: SigningKeyPair,
    pub device_id: Uuid,
    pub device_token: String,
    pub interview_id: Uuid,
    pub enrolment_code: String,
}

impl World {
    pub fn new() -> World {
        Self::with_config(|_| {})
    }

    pub fn with_config(adjust: impl FnOnce(&mut Config)) -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            login_rate_per_minute: 1000,
            enrol_rate_per_minute: 1000,
            ..Config::default()
        };
        adjust(&mut config);
        let storage = Arc::new(SqliteStorage::open(dir.path()).unwrap());
        let clock = Arc::new(ManualClock::new(START));
        let server_key = sync_server::load_or_create_server_key(dir.path()).unwrap();
        let validator = Arc::new(SpecValidator::default());
        let state = AppState::new(
            config,
            storage.clone(),
            clock.clone(),
            server_key,
            validator.clone(),
            validator,
        );

        let account = |name: &str, role: Role, team: Option<&str>| {
            let user = storage
                .create_user(
                    NewUser {
                        username: name.into(),
                        password_hash: password_hash(),
                        role,
                        team: team.map(String::from),
                    },
                    audit(),
                )
                .unwrap();
            let token = format!("session-token-of-{name}");
            storage
                .create_session(sync_server::auth::token_hash(&token), user.id, START + 3600)
                .unwrap();
            Account { id: user.id, token }
        };
        let admin = account("admin", Role::Admin, None);
        let supervisor_a = account("sup_a", Role::Supervisor, Some("a"));
        let supervisor_b = account("sup_b", Role::Supervisor, Some("b"));
        let data_manager = account("dm", Role::DataManager, None);
        let enumerator_a = account("enum_a", Role::Enumerator, Some("a"));
        let enumerator_a2 = account("enum_a2", Role::Enumerator, Some("a"));
        let enumerator_b = account("enum_b", Role::Enumerator, Some("b"));

        let (survey_pem, wrapped_json) = survey_key_material();
        let survey_key = SurveyKeyPair::from_pem(survey_pem).unwrap();
        storage
            .create_survey("pilot", "Pilot", "2026-11-23T00:00:00Z")
            .unwrap();
        storage
            .set_survey_key(
                "pilot",
                &survey_key.public_key().to_base64(),
                Some(wrapped_json.clone()),
                audit(),
            )
            .unwrap();
        let version = storage
            .add_questionnaire_version(NewQuestionnaireVersion {
                survey_id: "pilot".into(),
                label: Some("2026.11.1".into()),
                format: QuestionnaireFormat::Yaml,
                content: QUESTIONNAIRE.as_bytes().to_vec(),
                monitoring: vec!["a_region".into(), "m_sex".into()],
                created_at: "2026-11-23T00:00:00Z".into(),
            })
            .unwrap();
        let assignment_id = storage
            .create_assignments(
                vec![NewAssignment {
                    survey_id: "pilot".into(),
                    enumerator_id: enumerator_a.id,
                    quantity: Some(3),
                    preload: BTreeMap::from([("hh_id".to_string(), "0042".to_string())]),
                    created_by: supervisor_a.id,
                }],
                audit(),
            )
            .unwrap()[0]
            .id;

        let device_key = SigningKeyPair::generate();
        let device_token = "00112233445566778899aabbccddeeff".to_string();
        storage
            .create_enrolment_code(
                sync_server::auth::token_hash("SETUPCODE1"),
                enumerator_a.id,
                START + 600,
                audit(),
            )
            .unwrap();
        let device = storage
            .enrol_device(
                sync_server::auth::token_hash("SETUPCODE1"),
                START,
                Uuid::now_v7(),
                "tablet A",
                device_key.public_key().0,
                sync_server::auth::token_hash(&device_token),
                "2026-11-23T00:00:00Z",
            )
            .unwrap()
            .unwrap();
        let enrolment_code = "ACDE-FGHJ-KM".to_string();
        storage
            .create_enrolment_code(
                sync_server::auth::token_hash(&sync_server::auth::normalize_enrolment_code(
                    &enrolment_code,
                )),
                enumerator_a.id,
                START + 600,
                audit(),
            )
            .unwrap();

        let world = World {
            _dir: dir,
            storage,
            state,
            clock,
            admin,
            supervisor_a,
            supervisor_b,
            data_manager,
            enumerator_a,
            enumerator_a2,
            enumerator_b,
            survey_key,
            version_hash: version.content_hash,
            assignment_id,
            device_key,
            device_id: device.id,
            device_token,
            interview_id: Uuid::now_v7(),
            enrolment_code,
        };
        let envelope = world.envelope(world.interview_id, 1, "01", b"answers v1");
        let content_hash = envelope.content_hash();
        world
            .storage
            .store_upload(
                NewUpload {
                    envelope,
                    content_hash,
                    device_id: world.device_id,
                    enumerator_id: world.enumerator_a.id,
                    received_at: "2026-11-23T00:00:00Z".into(),
                    validation: None,
                },
                world.state.server_key.clone(),
            )
            .unwrap();
        world
    }

    pub fn envelope(
        &self,
        interview_id: Uuid,
        revision: u32,
        region: &str,
        answers: &[u8],
    ) -> UploadEnvelope {
        UploadEnvelope::seal_and_sign(
            interview_id,
            revision,
            "pilot",
            &self.version_hash,
            Some(self.assignment_id),
            BTreeMap::from([
                ("a_region".to_string(), MonitoringValue::Text(region.into())),
                ("m_sex".to_string(), MonitoringValue::Text("2".into())),
            ]),
            answers,
            &self.survey_key.public_key(),
            &self.device_key,
        )
        .unwrap()
    }

    pub fn authorization(&self, caller: Caller) -> Option<String> {
        let bearer = |account: &Account| Some(format!("Bearer {}", account.token));
        match caller {
            Caller::Anonymous => None,
            Caller::Admin => bearer(&self.admin),
            Caller::SupervisorA => bearer(&self.supervisor_a),
            Caller::SupervisorB => bearer(&self.supervisor_b),
            Caller::DataManager => bearer(&self.data_manager),
            Caller::Enumerator => bearer(&self.enumerator_a),
            Caller::Device => Some(format!("Device {}", self.device_token)),
        }
    }

    pub async fn call(
        &self,
        caller: Caller,
        method: Method,
        path: &str,
        body: Option<Body>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("Daftar-Protocol", "1");
        if let Some(authorization) = self.authorization(caller) {
            request = request.header("Authorization", authorization);
        }
        let request = match body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body)
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        };
        send(&self.state, request).await
    }

    pub async fn json(
        &self,
        caller: Caller,
        method: Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(caller, method, path, Some(Body::from(body.to_string())))
            .await
    }
}

pub async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, Value) {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, value)
}

/// Asserts the stable error shape and returns the code.
#[track_caller]
pub fn error_code(body: &Value) -> String {
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not the error shape: {body}"));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no message: {body}"
    );
    code.to_string()
}
