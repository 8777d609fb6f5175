//! The role matrix: every endpoint × every role × anonymous, with the status each must get.
//! Each cell runs against a fresh world so that one caller's success cannot change another's answer.

use axum::body::Body;
use axum::http::Method;
use serde_json::json;
use sync_proto::keys::SigningKeyPair;

use crate::support::{CALLERS, Caller, QUESTIONNAIRE, World};

type PathFn = fn(&World) -> String;
type BodyFn = fn(&World) -> Option<Body>;

struct Row {
    method: Method,
    /// The OpenAPI path template.
    template: &'static str,
    path: PathFn,
    body: BodyFn,
    /// Anonymous, admin, supervisor of team a, supervisor of team b, data manager, enumerator
    /// (bearer session), device (device token).
    expect: [u16; 7],
}

fn json_body(value: serde_json::Value) -> Option<Body> {
    Some(Body::from(value.to_string()))
}

fn none(_: &World) -> Option<Body> {
    None
}

fn table() -> Vec<Row> {
    vec![
        Row {
            method: Method::GET,
            template: "/api/health",
            path: |_| "/api/health".into(),
            body: none,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            method: Method::GET,
            template: "/api/openapi.json",
            path: |_| "/api/openapi.json".into(),
            body: none,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/auth/login",
            path: |_| "/api/v1/auth/login".into(),
            body: |_| json_body(json!({"username": "dm", "password": crate::support::PASSWORD})),
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/auth/logout",
            path: |_| "/api/v1/auth/logout".into(),
            body: none,
            expect: [401, 204, 204, 204, 204, 204, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/me",
            path: |_| "/api/v1/me".into(),
            body: none,
            expect: [401, 200, 200, 200, 200, 200, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/users",
            path: |_| "/api/v1/users".into(),
            body: |_| {
                json_body(
                    json!({"username": "new_enum", "password": "long enough pw", "role": "enumerator", "team": "a"}),
                )
            },
            expect: [401, 201, 403, 403, 403, 403, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/users",
            path: |_| "/api/v1/users".into(),
            body: none,
            expect: [401, 200, 200, 200, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/users/{user_id}/deactivate",
            path: |w| format!("/api/v1/users/{}/deactivate", w.enumerator_b.id),
            body: none,
            expect: [401, 204, 403, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/users/{user_id}/activate",
            path: |w| format!("/api/v1/users/{}/activate", w.enumerator_b.id),
            body: none,
            expect: [401, 204, 403, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/users/{user_id}/password",
            path: |w| format!("/api/v1/users/{}/password", w.enumerator_b.id),
            body: |_| json_body(json!({"password": "a new long password"})),
            expect: [401, 204, 403, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/surveys",
            path: |_| "/api/v1/surveys".into(),
            body: |_| json_body(json!({"id": "second", "title": "Second"})),
            expect: [401, 201, 403, 403, 201, 403, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/surveys",
            path: |_| "/api/v1/surveys".into(),
            body: none,
            expect: [401, 200, 200, 200, 200, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/surveys/{survey_id}/versions",
            path: |_| "/api/v1/surveys/pilot/versions".into(),
            body: |_| {
                let v2 = QUESTIONNAIRE.replace("2026.11.1", "2026.11.2");
                json_body(
                    json!({"format": "yaml", "content": sync_proto::b64::encode(v2.as_bytes())}),
                )
            },
            expect: [401, 201, 403, 403, 201, 403, 401],
        },
        Row {
            method: Method::PUT,
            template: "/api/v1/surveys/{survey_id}/key",
            path: |_| "/api/v1/surveys/pilot/key".into(),
            body: |w| json_body(json!({"public_key": w.survey_key.public_key().to_base64()})),
            expect: [401, 204, 403, 403, 204, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/surveys/{survey_id}/validation-key",
            path: |_| "/api/v1/surveys/pilot/validation-key".into(),
            body: |_| json_body(json!({"passphrase": crate::support::SURVEY_PASSPHRASE})),
            expect: [401, 200, 403, 403, 200, 403, 401],
        },
        Row {
            method: Method::DELETE,
            template: "/api/v1/surveys/{survey_id}/validation-key",
            path: |_| "/api/v1/surveys/pilot/validation-key".into(),
            body: none,
            expect: [401, 204, 403, 403, 204, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/surveys/{survey_id}/assignments/csv",
            path: |_| "/api/v1/surveys/pilot/assignments/csv".into(),
            body: |_| {
                Some(Body::from(
                    "enumerator,quantity,hh_id\nenum_a,1,0043\nenum_a2,,0044\n",
                ))
            },
            expect: [401, 201, 201, 422, 403, 403, 401],
        },
        Row {
            method: Method::PUT,
            template: "/api/v1/surveys/{survey_id}/quotas",
            path: |_| "/api/v1/surveys/pilot/quotas".into(),
            body: |_| {
                json_body(
                    json!({"quota": "region_sex", "cell": {"a_region": "01", "m_sex": "2"}, "target": 40}),
                )
            },
            expect: [401, 204, 204, 204, 403, 403, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/surveys/{survey_id}/quotas",
            path: |_| "/api/v1/surveys/pilot/quotas".into(),
            body: none,
            expect: [401, 200, 200, 200, 200, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/enrolment-codes",
            path: |_| "/api/v1/enrolment-codes".into(),
            body: |w| json_body(json!({"enumerator_id": w.enumerator_a.id})),
            expect: [401, 201, 201, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/enrolment-codes/qr",
            path: |_| "/api/v1/enrolment-codes/qr".into(),
            body: |w| json_body(json!({"code": w.enrolment_code})),
            expect: [401, 200, 200, 200, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/devices/enrol",
            path: |_| "/api/v1/devices/enrol".into(),
            body: |w| {
                let key = SigningKeyPair::generate();
                json_body(
                    json!({"code": w.enrolment_code, "device_public_key": key.public_key().to_base64(), "label": "new tablet"}),
                )
            },
            // Enrolment is by code alone; whatever else the caller sends does not matter.
            expect: [201, 201, 201, 201, 201, 201, 201],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/devices",
            path: |_| "/api/v1/devices".into(),
            body: none,
            expect: [401, 200, 200, 200, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/devices/{device_id}/revoke",
            path: |w| format!("/api/v1/devices/{}/revoke", w.device_id),
            body: none,
            expect: [401, 204, 204, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/assignments",
            path: |_| "/api/v1/assignments".into(),
            body: |w| {
                json_body(
                    json!({"survey_id": "pilot", "enumerator_id": w.enumerator_a.id, "quantity": null, "preload": {"hh_id": "7"}}),
                )
            },
            expect: [401, 201, 201, 403, 403, 403, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/assignments",
            path: |_| "/api/v1/assignments".into(),
            body: none,
            expect: [401, 200, 200, 200, 200, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/assignments/{assignment_id}/reassign",
            path: |w| format!("/api/v1/assignments/{}/reassign", w.assignment_id),
            body: |w| json_body(json!({"enumerator_id": w.enumerator_a2.id})),
            expect: [401, 200, 200, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/sync/uploads",
            path: |_| "/api/v1/sync/uploads".into(),
            body: |w| {
                json_body(
                    serde_json::to_value(w.envelope(uuid::Uuid::now_v7(), 1, "02", b"new"))
                        .unwrap(),
                )
            },
            expect: [401, 401, 401, 401, 401, 401, 200],
        },
        Row {
            method: Method::PUT,
            template: "/api/v1/sync/progress",
            path: |_| "/api/v1/sync/progress".into(),
            body: |_| json_body(json!({"drafts": []})),
            expect: [401, 401, 401, 401, 401, 401, 204],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/sync/changes",
            path: |_| "/api/v1/sync/changes".into(),
            body: none,
            expect: [401, 401, 401, 401, 401, 401, 200],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/interviews",
            path: |_| "/api/v1/interviews".into(),
            body: none,
            expect: [401, 200, 200, 200, 200, 403, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/interviews/{interview_id}",
            path: |w| format!("/api/v1/interviews/{}", w.interview_id),
            body: none,
            expect: [401, 200, 200, 403, 200, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/interviews/{interview_id}/review",
            path: |w| format!("/api/v1/interviews/{}/review", w.interview_id),
            body: |_| json_body(json!({"revision": 1, "decision": "approve"})),
            expect: [401, 200, 200, 403, 403, 403, 401],
        },
        Row {
            method: Method::POST,
            template: "/api/v1/interviews/{interview_id}/open",
            path: |w| format!("/api/v1/interviews/{}/open", w.interview_id),
            body: |_| json_body(json!({"passphrase": crate::support::SURVEY_PASSPHRASE})),
            expect: [401, 200, 200, 403, 200, 403, 401],
        },
        Row {
            method: Method::GET,
            template: "/api/v1/audit",
            path: |_| "/api/v1/audit".into(),
            body: none,
            expect: [401, 200, 403, 403, 403, 403, 401],
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_every_role_as_the_table_says() {
    let mut failures = Vec::new();
    for row in table() {
        for (caller, expected) in CALLERS.iter().zip(row.expect) {
            let world = World::new();
            let path = (row.path)(&world);
            let body = (row.body)(&world);
            let (status, response) = world.call(*caller, row.method.clone(), &path, body).await;
            if status.as_u16() != expected {
                failures.push(format!(
                    "{} {} as {caller:?}: expected {expected}, got {status} {response}",
                    row.method, path
                ));
            }
            if status.is_client_error() {
                crate::support::error_code(&response);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "role matrix mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_openapi_document_covers_exactly_the_table() {
    let world = World::new();
    let (status, document) = world
        .call(Caller::Anonymous, Method::GET, "/api/openapi.json", None)
        .await;
    assert_eq!(status, 200);
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut tabled: Vec<(String, String)> = table()
        .iter()
        .map(|row| (row.method.to_string(), row.template.to_string()))
        .collect();
    tabled.sort();
    assert_eq!(
        documented, tabled,
        "every route is in the OpenAPI document and in the role matrix"
    );
}
