//! Whole-interview re-validation of uploads while a survey key is unlocked for validation on the
//! server: the report persisted with each upload, the backlog validated after unlocking, locking again.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sync_proto::keys::SurveyKeyPair;
use sync_proto::wire::{MonitoringValue, UploadEnvelope};
use uuid::Uuid;

use crate::support::{Caller, SURVEY_PASSPHRASE, World, error_code};

/// A version of the pilot with a skip, a range constraint, a soft warning, a choice item and required
/// answers.
const CHECKED: &str = r#"daftar: 1
id: pilot
version: "2026.11.9"
title: {en: Pilot}
languages: [en]
default_language: en
choices:
  region:
    - {code: "01", label: {en: Rabat}}
    - {code: "02", label: {en: Casablanca}}
  sex:
    - {code: "1", label: {en: Male}}
    - {code: "2", label: {en: Female}}
  status:
    - {code: "1", label: {en: Employed}}
    - {code: "2", label: {en: Not employed}}
monitoring: [a_region, m_sex]
items:
  - {name: a_region, type: single, choices: region, label: {en: Region}, required: true}
  - {name: m_sex, type: single, choices: sex, label: {en: Sex}, required: true}
  - {name: q_age, type: integer, label: {en: Age}, required: true, warning: ". < 90"}
  - {name: q_status, type: single, choices: status, label: {en: Status}}
  - {name: worked, type: yes_no, label: {en: Worked abroad?}, required: true}
  - name: q_cost
    type: integer
    label: {en: Cost}
    required: true
    relevant: "${worked} = 'yes'"
    constraint: ". >= 0 and . <= 100000"
"#;

struct Checked<'w> {
    world: &'w World,
    version: String,
}

fn payload(answers: &[(&str, Value)], confirmed: &[&str]) -> Vec<u8> {
    let answers: Vec<Value> = answers
        .iter()
        .map(|(path, value)| json!({"path": path, "value": value}))
        .collect();
    serde_json::to_vec(&json!({
        "format": "daftar-interview/1",
        "rows": [],
        "answers": answers,
        "confirmed": confirmed,
        "language": "en",
        "events": [{"at": "2026-11-23T10:00:00+01:00", "event": "answer_set", "path": "a_region"}],
    }))
    .unwrap()
}

impl<'w> Checked<'w> {
    async fn new(world: &'w World) -> Checked<'w> {
        let (status, version) = world
            .json(
                Caller::DataManager,
                Method::POST,
                "/api/v1/surveys/pilot/versions",
                json!({"format": "yaml", "content": sync_proto::b64::encode(CHECKED.as_bytes())}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{version}");
        Checked {
            world,
            version: version["content_hash"].as_str().unwrap().to_string(),
        }
    }

    /// An envelope whose clear monitoring fields are `region`/`sex`, sealing `plaintext` to `key`.
    fn envelope(
        &self,
        region: &str,
        sex: &str,
        plaintext: &[u8],
        key: &SurveyKeyPair,
    ) -> UploadEnvelope {
        UploadEnvelope::seal_and_sign(
            Uuid::now_v7(),
            1,
            "pilot",
            &self.version,
            None,
            BTreeMap::from([
                ("a_region".to_string(), MonitoringValue::Text(region.into())),
                ("m_sex".to_string(), MonitoringValue::Text(sex.into())),
            ]),
            plaintext,
            &key.public_key(),
            &self.world.device_key,
        )
        .unwrap()
    }

    /// Uploads and returns the interview id; every upload is stored, valid or not.
    async fn upload(&self, envelope: &UploadEnvelope) -> Uuid {
        let (status, receipt) = self
            .world
            .json(
                Caller::Device,
                Method::POST,
                "/api/v1/sync/uploads",
                serde_json::to_value(envelope).unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{receipt}");
        assert_eq!(receipt["outcome"], "accepted");
        envelope.interview_id
    }

    async fn status_in_list(&self, interview: Uuid) -> String {
        let (status, list) = self
            .world
            .call(
                Caller::SupervisorA,
                Method::GET,
                "/api/v1/interviews?survey_id=pilot",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        list.as_array()
            .unwrap()
            .iter()
            .find(|i| i["interview_id"] == interview.to_string())
            .unwrap_or_else(|| panic!("{interview} not listed: {list}"))["validation"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The report of the interview's latest revision, as a data manager reads it.
    async fn report(&self, interview: Uuid) -> Value {
        let (status, detail) = self
            .world
            .call(
                Caller::DataManager,
                Method::GET,
                &format!("/api/v1/interviews/{interview}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            detail["summary"]["validation"], detail["validation"]["status"],
            "list and detail agree"
        );
        detail["validation"].clone()
    }

    /// (path, code) of every problem of the report.
    async fn problems(&self, interview: Uuid) -> Problems {
        let report = self.report(interview).await;
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
                (
                    e["path"].as_str().unwrap().to_string(),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    async fn unlock(&self, caller: Caller, passphrase: &str) -> (StatusCode, Value) {
        self.world
            .json(
                caller,
                Method::POST,
                "/api/v1/surveys/pilot/validation-key",
                json!({"passphrase": passphrase}),
            )
            .await
    }

    /// Waits until the background validation has given the interview a status other than unchecked.
    async fn settled(&self, interview: Uuid) -> String {
        for _ in 0..400 {
            let status = self.status_in_list(interview).await;
            if status != "unchecked" {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("interview {interview} was never validated");
    }
}

/// (path, code) pairs of a report.
type Problems = BTreeSet<(String, String)>;

fn pairs(items: &[(&str, &str)]) -> Problems {
    items
        .iter()
        .map(|(path, code)| (path.to_string(), code.to_string()))
        .collect()
}

#[tokio::test]
async fn uploads_are_replayed_while_the_key_is_unlocked_and_the_backlog_after_unlocking() {
    let world = World::new();
    let checked = Checked::new(&world).await;
    let key = &world.survey_key;
    let complete = |cost: Value| {
        payload(
            &[
                ("a_region", json!("01")),
                ("m_sex", json!("2")),
                ("q_age", json!(41)),
                ("worked", json!("yes")),
                ("q_cost", cost),
            ],
            &[],
        )
    };

    // Locked: stored, receipted, unchecked.
    let early_valid = checked
        .upload(&checked.envelope("01", "2", &complete(json!(2500)), key))
        .await;
    let early_invalid = checked
        .upload(&checked.envelope("01", "2", &complete(json!(-5)), key))
        .await;
    assert_eq!(checked.status_in_list(early_valid).await, "unchecked");
    assert_eq!(checked.report(early_valid).await["errors"], json!([]));

    // Only an admin or a data manager unlocks, with the right passphrase.
    let (status, body) = checked.unlock(Caller::SupervisorA, SURVEY_PASSPHRASE).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = checked
        .unlock(Caller::DataManager, "not the passphrase")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "wrong_passphrase");
    let (status, body) = checked.unlock(Caller::DataManager, SURVEY_PASSPHRASE).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["unlocked"], true);
    // The world's own interview (not an interview record) and the two above.
    assert_eq!(body["backlog"], 3);

    // The backlog is validated in the background.
    assert_eq!(checked.settled(early_valid).await, "valid");
    assert_eq!(checked.settled(early_invalid).await, "invalid");
    assert_eq!(
        checked.problems(early_invalid).await,
        pairs(&[("q_cost", "constraint")])
    );
    assert_eq!(checked.settled(world.interview_id).await, "invalid");
    assert_eq!(
        checked.problems(world.interview_id).await,
        pairs(&[("", "bad_payload")])
    );

    // Unlocked: each upload is replayed before it is stored, and flagged, never refused.
    let cases: Vec<(&str, UploadEnvelope, Problems)> = vec![
        (
            "complete",
            checked.envelope("01", "2", &complete(json!(0)), key),
            pairs(&[]),
        ),
        (
            "a skipped item keeps its answer without a problem",
            checked.envelope(
                "02",
                "1",
                &payload(
                    &[
                        ("a_region", json!("02")),
                        ("m_sex", json!("1")),
                        ("q_age", json!(30)),
                        ("worked", json!("no")),
                        ("q_cost", json!(-1)),
                    ],
                    &[],
                ),
                key,
            ),
            pairs(&[]),
        ),
        (
            "required answers of relevant items",
            checked.envelope(
                "01",
                "2",
                &payload(
                    &[
                        ("a_region", json!("01")),
                        ("m_sex", json!("2")),
                        ("worked", json!("yes")),
                    ],
                    &[],
                ),
                key,
            ),
            pairs(&[("q_age", "required"), ("q_cost", "required")]),
        ),
        (
            "unknown code, unconfirmed warning, clear field unlike the sealed answer",
            checked.envelope(
                "01",
                "1",
                &payload(
                    &[
                        ("a_region", json!("01")),
                        ("m_sex", json!("2")),
                        ("q_age", json!(97)),
                        ("q_status", json!("9")),
                        ("worked", json!("no")),
                    ],
                    &[],
                ),
                key,
            ),
            pairs(&[
                ("q_age", "warning_unconfirmed"),
                ("q_status", "unknown_code"),
                ("m_sex", "monitoring_mismatch"),
            ]),
        ),
        (
            "a confirmed warning is fine; a path outside the questionnaire is not",
            checked.envelope(
                "01",
                "2",
                &payload(
                    &[
                        ("a_region", json!("01")),
                        ("m_sex", json!("2")),
                        ("q_age", json!(97)),
                        ("worked", json!("no")),
                        ("q_age[2].q_status", json!("1")),
                    ],
                    &["q_age"],
                ),
                key,
            ),
            pairs(&[("q_age[2].q_status", "bad-path")]),
        ),
        (
            "sealed to another key",
            checked.envelope("01", "2", &complete(json!(1)), &SurveyKeyPair::generate()),
            pairs(&[("", "cannot_open")]),
        ),
    ];
    for (what, envelope, expected) in cases {
        let interview = checked.upload(&envelope).await;
        let report = checked.report(interview).await;
        assert_eq!(
            report["status"],
            if expected.is_empty() {
                "valid"
            } else {
                "invalid"
            },
            "{what}: {report}"
        );
        assert_eq!(report["revision"], 1, "{what}");
        assert!(report["checked_at"].is_string(), "{what}");
        assert_eq!(
            checked.problems(interview).await,
            expected,
            "{what}: {report}"
        );
        // The report is stored in clear: it names items and rules, never a sealed answer. The
        // interview's own (random) id may appear in a message, so it is taken out before looking.
        let errors = report["errors"]
            .to_string()
            .replace(&interview.to_string(), "<interview>");
        for sealed_value in ["-1", "97", "\"9\"", "2500"] {
            assert!(!errors.contains(sealed_value), "{what}: {report}");
        }
    }

    // The survey list says the key is unlocked; locking forgets it and later uploads stay unchecked.
    let (_, surveys) = world
        .call(Caller::DataManager, Method::GET, "/api/v1/surveys", None)
        .await;
    assert_eq!(surveys[0]["validation_key_unlocked"], true);
    let (status, _) = world
        .call(
            Caller::SupervisorA,
            Method::DELETE,
            "/api/v1/surveys/pilot/validation-key",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world
        .call(
            Caller::Admin,
            Method::DELETE,
            "/api/v1/surveys/pilot/validation-key",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, surveys) = world
        .call(Caller::DataManager, Method::GET, "/api/v1/surveys", None)
        .await;
    assert_eq!(surveys[0]["validation_key_unlocked"], false);
    let late = checked
        .upload(&checked.envelope("01", "2", &complete(json!(-5)), key))
        .await;
    assert_eq!(checked.status_in_list(late).await, "unchecked");

    // Every unlock, failed unlock and lock is audited, without the passphrase.
    let (_, audit) = world
        .call(Caller::Admin, Method::GET, "/api/v1/audit", None)
        .await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| a.contains("validation"))
        .collect();
    assert_eq!(
        actions,
        [
            "validation_unlock_failed",
            "unlock_validation_key",
            "lock_validation_key"
        ]
    );
    assert!(!audit.to_string().contains(SURVEY_PASSPHRASE));
}

#[tokio::test]
async fn a_survey_without_a_server_kept_key_cannot_be_unlocked() {
    let world = World::new();
    let (status, _) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys",
            json!({"id": "second", "title": "Second"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/second/validation-key",
            json!({"passphrase": SURVEY_PASSPHRASE}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "no_server_key");
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/nope/validation-key",
            json!({"passphrase": SURVEY_PASSPHRASE}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
}

#[test]
fn a_database_of_an_older_server_gains_the_validation_column() {
    let dir = tempfile::tempdir().unwrap();
    {
        let old = rusqlite::Connection::open(dir.path().join("daftar.sqlite3")).unwrap();
        old.execute_batch(
            "CREATE TABLE uploads (seq INTEGER PRIMARY KEY AUTOINCREMENT, interview_id TEXT NOT NULL, \
             revision INTEGER NOT NULL, content_hash TEXT NOT NULL, outcome TEXT NOT NULL, device_id TEXT NOT NULL, \
             enumerator_id INTEGER NOT NULL, envelope TEXT NOT NULL, receipt TEXT NOT NULL, received_at TEXT NOT NULL, \
             UNIQUE (interview_id, revision, content_hash));",
        )
        .unwrap();
    }
    let storage = sync_server::storage::sqlite::SqliteStorage::open(dir.path()).unwrap();
    storage.close();
    let reopened = rusqlite::Connection::open(dir.path().join("daftar.sqlite3")).unwrap();
    let columns: Vec<String> = reopened
        .prepare("SELECT name FROM pragma_table_info('uploads')")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(columns.iter().any(|c| c == "validation"), "{columns:?}");
    // Opening again does not add it twice.
    drop(reopened);
    sync_server::storage::sqlite::SqliteStorage::open(dir.path())
        .unwrap()
        .close();
}
