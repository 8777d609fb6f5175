//! In-process scenarios: protocol versions, malformed bodies, enrolment, revocation, tampering,
//! idempotency and conflicts, review, quotas, the audit log.

use std::io::Write as _;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use sync_proto::keys::SigningKeyPair;
use sync_proto::wire::{ChangesResponse, Receipt, ReceiptOutcome, UploadEnvelope};
use sync_server::storage::Storage as _;
use uuid::Uuid;

use crate::support::{Caller, World, error_code, send};

async fn upload(world: &World, envelope: &UploadEnvelope) -> (StatusCode, serde_json::Value) {
    world
        .json(
            Caller::Device,
            Method::POST,
            "/api/v1/sync/uploads",
            serde_json::to_value(envelope).unwrap(),
        )
        .await
}

#[tokio::test]
async fn protocol_version_is_required_and_old_versions_get_a_clear_error() {
    let world = World::new();
    for (header, status, code) in [
        (None, StatusCode::BAD_REQUEST, "missing_protocol_version"),
        (
            Some("0"),
            StatusCode::UPGRADE_REQUIRED,
            "unsupported_protocol",
        ),
        (
            Some("2"),
            StatusCode::UPGRADE_REQUIRED,
            "unsupported_protocol",
        ),
        (
            Some("banana"),
            StatusCode::UPGRADE_REQUIRED,
            "unsupported_protocol",
        ),
    ] {
        let mut request = Request::get("/api/v1/me")
            .header("Authorization", format!("Bearer {}", world.admin.token));
        if let Some(header) = header {
            request = request.header("Daftar-Protocol", header);
        }
        let (actual, body) = send(&world.state, request.body(Body::empty()).unwrap()).await;
        assert_eq!(actual, status, "{header:?}");
        assert_eq!(error_code(&body), code);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("protocol 1")
                || code == "missing_protocol_version"
        );
    }
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_the_error_shape() {
    let world = World::with_config(|config| config.max_body_bytes = 4096);
    let (status, body) = world
        .call(
            Caller::Admin,
            Method::POST,
            "/api/v1/surveys",
            Some(Body::from("{\"id\": ")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "malformed_json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column")
    );

    let (status, body) = world
        .json(
            Caller::Admin,
            Method::POST,
            "/api/v1/surveys",
            json!({"id": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "malformed_json");

    let big = json!({"id": "x".repeat(10_000), "title": "t"});
    let (status, body) = world
        .json(Caller::Admin, Method::POST, "/api/v1/surveys", big)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), "body_too_large");

    // A small gzip body that inflates past the limit is refused too.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(
            json!({"id": "y".repeat(100_000), "title": "t"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    let compressed = encoder.finish().unwrap();
    assert!(compressed.len() < 4096);
    let request = Request::post("/api/v1/surveys")
        .header("Daftar-Protocol", "1")
        .header("Authorization", format!("Bearer {}", world.admin.token))
        .header("Content-Encoding", "gzip")
        .body(Body::from(compressed))
        .unwrap();
    let (status, body) = send(&world.state, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    let (status, body) = world
        .call(Caller::Admin, Method::GET, "/api/v1/nothing-here", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
}

#[tokio::test]
async fn gzip_upload_is_accepted() {
    let world = World::new();
    let envelope = world.envelope(Uuid::now_v7(), 1, "03", b"gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&serde_json::to_vec(&envelope).unwrap())
        .unwrap();
    let request = Request::post("/api/v1/sync/uploads")
        .header("Daftar-Protocol", "1")
        .header("Authorization", format!("Device {}", world.device_token))
        .header("Content-Encoding", "gzip")
        .body(Body::from(encoder.finish().unwrap()))
        .unwrap();
    let (status, body) = send(&world.state, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let receipt: Receipt = serde_json::from_value(body).unwrap();
    assert_eq!(receipt.content_hash, envelope.content_hash());
}

#[tokio::test]
async fn enrolment_codes_work_once_and_expire() {
    let world = World::new();
    let key = SigningKeyPair::generate();
    let enrol = |code: String| json!({"code": code, "device_public_key": key.public_key().to_base64(), "label": "t"});
    // Typed in lower case with spaces: still the same code.
    let typed = world.enrolment_code.to_lowercase().replace('-', " ");
    let (status, body) = world
        .json(
            Caller::Anonymous,
            Method::POST,
            "/api/v1/devices/enrol",
            enrol(typed),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["device_token"].as_str().unwrap().len(),
        32,
        "128-bit token, hex"
    );
    assert_eq!(
        body["server_public_key"],
        world.state.server_key.public_key().to_base64()
    );

    let (status, body) = world
        .json(
            Caller::Anonymous,
            Method::POST,
            "/api/v1/devices/enrol",
            enrol(world.enrolment_code.clone()),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_enrolment_code")
    );

    let (status, body) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            "/api/v1/enrolment-codes",
            json!({"enumerator_id": world.enumerator_a.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    let code = body["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 12);
    world.clock.advance(16 * 60);
    let (status, body) = world
        .json(
            Caller::Anonymous,
            Method::POST,
            "/api/v1/devices/enrol",
            enrol(code),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_enrolment_code")
    );
}

#[tokio::test]
async fn enrolment_and_login_are_rate_limited() {
    let world = World::with_config(|config| {
        config.enrol_rate_per_minute = 3;
        config.login_rate_per_minute = 2;
    });
    let body = json!({"code": "WRONG-CODE", "device_public_key": SigningKeyPair::generate().public_key().to_base64(), "label": "t"});
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            world
                .json(
                    Caller::Anonymous,
                    Method::POST,
                    "/api/v1/devices/enrol",
                    body.clone(),
                )
                .await
                .0
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let login = json!({"username": "admin", "password": "wrong password"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            world
                .json(
                    Caller::Anonymous,
                    Method::POST,
                    "/api/v1/auth/login",
                    login.clone(),
                )
                .await
                .0
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 429]);
}

#[tokio::test]
async fn revoked_devices_and_replayed_or_forged_tokens_are_refused() {
    let world = World::new();
    let envelope = world.envelope(Uuid::now_v7(), 1, "01", b"before");
    assert_eq!(upload(&world, &envelope).await.0, StatusCode::OK);

    let (status, _) = world
        .call(
            Caller::SupervisorA,
            Method::POST,
            &format!("/api/v1/devices/{}/revoke", world.device_id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The same token, replayed after revocation, with an upload already accepted once.
    let (status, body) = upload(&world, &envelope).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "device_revoked")
    );
    let (status, _) = world
        .call(Caller::Device, Method::GET, "/api/v1/sync/changes", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A forged token and a session token in the device scheme.
    for authorization in [
        "Device ffffffffffffffffffffffffffffffff".to_string(),
        format!("Device {}", world.admin.token),
    ] {
        let request = Request::get("/api/v1/sync/changes")
            .header("Daftar-Protocol", "1")
            .header("Authorization", authorization)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&world.state, request).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // A logged-out session token replayed.
    let (status, _) = world
        .call(Caller::Admin, Method::POST, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        world
            .call(Caller::Admin, Method::GET, "/api/v1/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // An expired session.
    world.clock.advance(2 * 3600);
    assert_eq!(
        world
            .call(Caller::DataManager, Method::GET, "/api/v1/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn tampered_envelopes_are_refused_and_nothing_is_stored() {
    let world = World::new();
    let good = world.envelope(Uuid::now_v7(), 1, "01", b"answers");
    let mut cases: Vec<(&str, UploadEnvelope, &str)> = Vec::new();
    let mut e = good.clone();
    e.monitoring.insert(
        "a_region".into(),
        sync_proto::wire::MonitoringValue::Text("99".into()),
    );
    cases.push(("monitoring value", e, "invalid_signature"));
    let mut e = good.clone();
    e.sealed.ciphertext.0[3] ^= 1;
    cases.push(("ciphertext", e, "invalid_signature"));
    let mut e = good.clone();
    e.revision = 2;
    cases.push(("revision", e, "invalid_signature"));
    let mut e = good.clone();
    e.signature.0[0] ^= 1;
    cases.push(("signature", e, "invalid_signature"));
    // Signed by another device's key.
    let mut e = good.clone();
    e.sign(&SigningKeyPair::generate());
    cases.push(("foreign key", e, "invalid_signature"));
    // Properly signed but naming an undeclared monitoring field.
    let mut e = good.clone();
    e.monitoring.insert(
        "q_income".into(),
        sync_proto::wire::MonitoringValue::Integer(5000),
    );
    e.sign(&world.device_key);
    cases.push(("undeclared monitoring field", e, "invalid_monitoring"));
    // Properly signed but with a value of the wrong type, or a code not in the item's list.
    let mut e = good.clone();
    e.monitoring.insert(
        "m_sex".into(),
        sync_proto::wire::MonitoringValue::Integer(2),
    );
    e.sign(&world.device_key);
    cases.push(("wrong monitoring type", e, "invalid_monitoring"));
    let mut e = good.clone();
    e.monitoring.insert(
        "a_region".into(),
        sync_proto::wire::MonitoringValue::Text("99".into()),
    );
    e.sign(&world.device_key);
    cases.push(("unknown choice code", e, "invalid_monitoring"));
    // Properly signed but for an unknown questionnaire version.
    let mut e = good.clone();
    e.questionnaire_version = "00".repeat(32);
    e.sign(&world.device_key);
    cases.push(("unknown version", e, "unknown_questionnaire"));

    for (what, envelope, code) in cases {
        let (status, body) = upload(&world, &envelope).await;
        assert_eq!(error_code(&body), code, "{what}");
        assert!(status.is_client_error(), "{what}: {status}");
    }
    // Another enumerator's assignment.
    let foreign = world
        .storage
        .create_assignments(
            vec![sync_server::storage::NewAssignment {
                survey_id: "pilot".into(),
                enumerator_id: world.enumerator_b.id,
                quantity: None,
                preload: Default::default(),
                created_by: world.admin.id,
            }],
            sync_server::storage::NewAudit {
                at: String::new(),
                actor: "t".into(),
                action: "t",
                subject: String::new(),
                detail: String::new(),
            },
        )
        .unwrap()[0]
        .id;
    let mut e = good.clone();
    e.assignment_id = Some(foreign);
    e.sign(&world.device_key);
    let (status, _) = upload(&world, &e).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    assert!(
        world
            .storage
            .interview(good.interview_id)
            .unwrap()
            .is_none(),
        "no refused upload was stored"
    );
}

#[tokio::test]
async fn resends_get_the_same_receipt_and_other_content_is_kept_as_a_conflict() {
    let world = World::new();
    let interview = Uuid::now_v7();
    let first = world.envelope(interview, 1, "01", b"first");
    let (status, body) = upload(&world, &first).await;
    assert_eq!(status, StatusCode::OK);
    let receipt: Receipt = serde_json::from_value(body.clone()).unwrap();
    receipt
        .verify(&world.state.server_key.public_key())
        .unwrap();
    assert_eq!(receipt.outcome, ReceiptOutcome::Accepted);
    for _ in 0..3 {
        let (_, again) = upload(&world, &first).await;
        assert_eq!(again, body, "the same receipt, byte for byte");
    }

    let other = world.envelope(interview, 1, "02", b"other content, same revision");
    let (status, body) = upload(&world, &other).await;
    assert_eq!(status, StatusCode::OK);
    let conflict: Receipt = serde_json::from_value(body).unwrap();
    assert_eq!(conflict.outcome, ReceiptOutcome::Conflict);
    assert_eq!(conflict.content_hash, other.content_hash());

    let detail = world.storage.interview_detail(interview).unwrap().unwrap();
    assert_eq!(detail.envelopes.len(), 2, "both contents kept, once each");
    assert_eq!(
        detail.summary.content_hash,
        first.content_hash(),
        "the accepted one was not overwritten"
    );
    assert_eq!(detail.summary.conflicts, 1);
    assert_eq!(detail.envelopes[1].envelope, other);
}

#[tokio::test]
async fn rejection_returns_to_the_tablet_and_a_new_revision_can_be_approved() {
    let world = World::new();
    let path = format!("/api/v1/interviews/{}/review", world.interview_id);
    let (status, body) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"revision": 1, "decision": "reject"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "comment_required")
    );
    let comments = json!({"revision": 1, "decision": "reject", "comments": {"hh_roster[2].age": "age does not match the birth date"}});
    let (status, body) = world
        .json(Caller::SupervisorA, Method::POST, &path, comments)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = world
        .call(
            Caller::Device,
            Method::GET,
            "/api/v1/sync/changes?cursor=0",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let changes: ChangesResponse = serde_json::from_value(body).unwrap();
    let review = changes
        .reviews
        .iter()
        .find(|r| r.interview_id == world.interview_id)
        .unwrap();
    assert_eq!(
        review.comments["hh_roster[2].age"],
        "age does not match the birth date"
    );
    assert_eq!(changes.assignments.len(), 1);
    assert_eq!(changes.assignments[0].preload["hh_id"], "0042");
    assert_eq!(changes.questionnaires.len(), 1);
    assert_eq!(
        changes.questionnaires[0].survey_public_key.as_deref(),
        Some(world.survey_key.public_key().to_base64().as_str())
    );

    // Approving the rejected revision is refused; the new revision is reviewed.
    let (status, body) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"revision": 1, "decision": "approve"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::CONFLICT, "not_awaiting_review")
    );
    let revised = world.envelope(world.interview_id, 2, "01", b"fixed");
    assert_eq!(upload(&world, &revised).await.0, StatusCode::OK);
    let (status, body) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"revision": 1, "decision": "approve"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::CONFLICT, "stale_revision")
    );
    let (status, _) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"revision": 2, "decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let summary = world
        .storage
        .interview(world.interview_id)
        .unwrap()
        .unwrap()
        .summary;
    assert_eq!(
        (summary.revision, summary.status),
        (2, sync_proto::wire::InterviewStatus::Approved)
    );

    // The cursor moves on: nothing new after the last page.
    let cursor = changes.next_cursor;
    let (_, body) = world
        .call(
            Caller::Device,
            Method::GET,
            &format!("/api/v1/sync/changes?cursor={cursor}"),
            None,
        )
        .await;
    let later: ChangesResponse = serde_json::from_value(body).unwrap();
    assert_eq!(later.reviews.len(), 1, "only the approval is new");
    assert!(later.assignments.is_empty() && later.questionnaires.is_empty());
}

#[tokio::test]
async fn quota_fill_counts_monitoring_fields_and_reassignment_moves_work() {
    let world = World::new();
    let cell =
        json!({"quota": "region_sex", "cell": {"a_region": "01", "m_sex": "2"}, "target": 2});
    assert_eq!(
        world
            .json(
                Caller::SupervisorA,
                Method::PUT,
                "/api/v1/surveys/pilot/quotas",
                cell
            )
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let other =
        json!({"quota": "region_sex", "cell": {"a_region": "02", "m_sex": "2"}, "target": 5});
    assert_eq!(
        world
            .json(
                Caller::SupervisorA,
                Method::PUT,
                "/api/v1/surveys/pilot/quotas",
                other
            )
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        upload(&world, &world.envelope(Uuid::now_v7(), 1, "01", b"x"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        upload(&world, &world.envelope(Uuid::now_v7(), 1, "03", b"y"))
            .await
            .0,
        StatusCode::OK
    );
    let (_, body) = world
        .call(
            Caller::DataManager,
            Method::GET,
            "/api/v1/surveys/pilot/quotas",
            None,
        )
        .await;
    let fills: Vec<(String, u64, u64)> = body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cell"]["a_region"].as_str().unwrap().to_string(),
                c["target"].as_u64().unwrap(),
                c["fill"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(fills, [("01".to_string(), 2, 2), ("02".to_string(), 5, 0)]);

    let (_, body) = world
        .call(Caller::Device, Method::GET, "/api/v1/sync/changes", None)
        .await;
    let changes: ChangesResponse = serde_json::from_value(body).unwrap();
    assert_eq!(
        changes.quota_fill.len(),
        2,
        "the device sees its survey's quota cells"
    );
    assert_eq!(changes.quota_fill[0].fill, 2);

    // Reassign the assignment: the old tablet is told to drop it, the new one receives it.
    let path = format!("/api/v1/assignments/{}/reassign", world.assignment_id);
    let (status, _) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"enumerator_id": world.enumerator_a2.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let cursor = changes.next_cursor;
    let (_, body) = world
        .call(
            Caller::Device,
            Method::GET,
            &format!("/api/v1/sync/changes?cursor={cursor}"),
            None,
        )
        .await;
    let changes: ChangesResponse = serde_json::from_value(body).unwrap();
    assert_eq!(changes.assignments.len(), 1);
    assert!(!changes.assignments[0].active);
    // Reassigning to another team's enumerator is refused.
    let (status, _) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"enumerator_id": world.enumerator_b.id}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn questionnaire_uploads_are_checked() {
    let world = World::new();
    let post = |content: &[u8], format: &str| json!({"format": format, "content": sync_proto::b64::encode(content)});
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/pilot/versions",
            post(b"PK\x03\x04...", "xlsx"),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_questionnaire")
    );
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/pilot/versions",
            post(b"id: pilot\n", "yaml"),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_questionnaire")
    );
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/pilot/versions",
            post(
                crate::support::QUESTIONNAIRE
                    .replace("id: pilot", "id: other")
                    .as_bytes(),
                "yaml",
            ),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "questionnaire_id_mismatch"
        )
    );
    // The same bytes again: the same version, not a new one.
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/pilot/versions",
            post(crate::support::QUESTIONNAIRE.as_bytes(), "yaml"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["number"], 1);
    assert_eq!(body["content_hash"], world.version_hash);
}

#[tokio::test]
async fn the_audit_log_records_actions_and_cannot_be_changed() {
    let world = World::new();
    let (status, _) = world
        .call(
            Caller::SupervisorA,
            Method::POST,
            &format!("/api/v1/devices/{}/revoke", world.device_id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = world
        .json(
            Caller::Anonymous,
            Method::POST,
            "/api/v1/auth/login",
            json!({"username": "admin", "password": "nope nope nope"}),
        )
        .await;
    error_code(&body);
    let (status, body) = world
        .call(Caller::Admin, Method::GET, "/api/v1/audit", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in ["enrol", "upload", "revoke", "login_failed"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let text = body.to_string();
    assert!(
        !text.contains(&world.device_token) && !text.contains(&world.admin.token),
        "no token in the audit log"
    );

    let connection =
        rusqlite::Connection::open(world.state.config.data_dir.join("daftar.sqlite3")).unwrap();
    let update = connection
        .execute("UPDATE audit SET detail = 'x'", [])
        .unwrap_err()
        .to_string();
    assert!(update.contains("append-only"), "{update}");
    let delete = connection
        .execute("DELETE FROM audit", [])
        .unwrap_err()
        .to_string();
    assert!(delete.contains("append-only"), "{delete}");
}

#[tokio::test]
async fn a_reviewer_opens_answers_with_the_passphrase_of_the_server_kept_key() {
    let world = World::new();
    let path = format!("/api/v1/interviews/{}/open", world.interview_id);
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            &path,
            json!({"passphrase": "not it"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "wrong_passphrase")
    );
    let (status, body) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"passphrase": crate::support::SURVEY_PASSPHRASE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sync_proto::b64::decode(body["plaintext"].as_str().unwrap()).unwrap(),
        b"answers v1"
    );
    let (status, _) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &path,
            json!({"passphrase": crate::support::SURVEY_PASSPHRASE, "revision": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, audit) = world
        .call(Caller::Admin, Method::GET, "/api/v1/audit", None)
        .await;
    let text = audit.to_string();
    assert!(text.contains("open_interview") && text.contains("open_failed"));
    assert!(
        !text.contains("answers v1") && !text.contains(crate::support::SURVEY_PASSPHRASE),
        "no answer or passphrase in the audit log"
    );
}

#[tokio::test]
async fn an_xlsform_workbook_is_imported_checked_and_stored_as_uploaded() {
    let world = World::new();
    let (document, diagnostics) =
        survey_spec::native::read(crate::support::QUESTIONNAIRE, "pilot.yaml");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let workbook = survey_xlsform::export(&document.unwrap()).unwrap();
    let body = json!({"format": "xlsx", "content": sync_proto::b64::encode(&workbook)});
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/pilot/versions",
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["format"], "xlsx");
    assert_eq!(body["monitoring"], json!(["a_region", "m_sex"]));
    assert_eq!(
        body["content_hash"].as_str().unwrap(),
        sync_proto::hex(&sync_proto::sha256(&workbook))
    );
}

/// The pilot questionnaire keeps its lists in CSV files: alone it cannot compile on the server, as a bundle
/// (questionnaire + CSV files in one zip) it uploads, and its content hash is the one `daftar` computes.
#[tokio::test]
async fn a_questionnaire_with_csv_lists_uploads_as_a_bundle() {
    let world = World::new();
    let (status, _) = world
        .json(
            Caller::Admin,
            Method::POST,
            "/api/v1/surveys",
            json!({"id": "morocco-pilot", "title": "Morocco pilot"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../questionnaire-specs/morocco-pilot");
    let yaml = std::fs::read(folder.join("questionnaire.yaml")).unwrap();
    let post = |content: &[u8], format: &str| json!({"format": format, "content": sync_proto::b64::encode(content)});
    let path = "/api/v1/surveys/morocco-pilot/versions";
    let (status, body) = world
        .json(Caller::DataManager, Method::POST, path, post(&yaml, "yaml"))
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_questionnaire")
    );
    assert!(body.to_string().contains("cannot read `lists/"), "{body}");

    let mut bundle = survey_spec::Bundle::new("questionnaire.yaml", yaml.clone()).unwrap();
    for entry in std::fs::read_dir(folder.join("lists")).unwrap() {
        let entry = entry.unwrap();
        let name = format!("lists/{}", entry.file_name().to_string_lossy());
        bundle
            .add(&name, std::fs::read(entry.path()).unwrap())
            .unwrap();
    }
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            path,
            post(&bundle.to_zip(), "bundle"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["format"], "bundle");
    let expected = survey_xlsform::load_bundle(&bundle.to_zip()).0.unwrap();
    assert!(
        body["monitoring"].as_array().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(
        expected.monitoring.len(),
        body["monitoring"].as_array().unwrap().len()
    );

    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            path,
            post(b"PK\x03\x04 not a zip", "bundle"),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_questionnaire")
    );
    assert!(
        body.to_string().contains("not a questionnaire bundle"),
        "{body}"
    );
}

/// A quota whose fields live in the household roster counts one unit per member row whose `when` holds,
/// from the monitoring fields the tablet sends with their row paths; nothing else is needed in clear.
#[tokio::test]
async fn quota_units_are_counted_per_roster_row() {
    use std::collections::BTreeMap;
    use sync_proto::wire::MonitoringValue;
    let world = World::new();
    let yaml = r#"daftar: 1
id: pilot
version: "2026.11.2"
languages: [en]
choices:
  region: [{code: "01", label: {en: Rabat}}, {code: "02", label: {en: Casablanca}}]
  sex: [{code: "1", label: {en: Male}}, {code: "2", label: {en: Female}}]
monitoring: [a_region, m_sex, m_adult]
quotas:
  - {name: region_sex, by: [a_region, m_sex], when: "${m_adult} = 1"}
items:
  - {name: a_region, type: single, choices: region, label: {en: Region}}
  - name: members
    type: roster
    label: {en: Members}
    items:
      - {name: m_sex, type: single, choices: sex, label: {en: Sex}}
      - {name: m_age, type: integer, label: {en: Age}}
      - {name: m_adult, type: calculate, calculation: "if(${m_age} >= 15, 1, 0)"}
"#;
    let (status, body) = world
        .json(
            Caller::DataManager,
            Method::POST,
            "/api/v1/surveys/pilot/versions",
            json!({"format": "yaml", "content": sync_proto::b64::encode(yaml.as_bytes())}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let version_hash = body["content_hash"].as_str().unwrap().to_string();
    for (sex, target) in [("1", 3), ("2", 3)] {
        let cell = json!({"quota": "region_sex", "cell": {"a_region": "01", "m_sex": sex}, "target": target});
        let (status, _) = world
            .json(
                Caller::SupervisorA,
                Method::PUT,
                "/api/v1/surveys/pilot/quotas",
                cell,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    // A household of three: a woman, a boy (not an adult: not counted) and a man.
    let text = |s: &str| MonitoringValue::Text(s.into());
    let monitoring = BTreeMap::from([
        ("a_region".to_string(), text("01")),
        ("members[1].m_sex".to_string(), text("2")),
        (
            "members[1].m_adult".to_string(),
            MonitoringValue::Integer(1),
        ),
        ("members[2].m_sex".to_string(), text("1")),
        (
            "members[2].m_adult".to_string(),
            MonitoringValue::Integer(0),
        ),
        ("members[3].m_sex".to_string(), text("1")),
        (
            "members[3].m_adult".to_string(),
            MonitoringValue::Integer(1),
        ),
    ]);
    let seal = |monitoring: BTreeMap<String, MonitoringValue>| {
        UploadEnvelope::seal_and_sign(
            Uuid::now_v7(),
            1,
            "pilot",
            &version_hash,
            Some(world.assignment_id),
            monitoring,
            b"answers",
            &world.survey_key.public_key(),
            &world.device_key,
        )
        .unwrap()
    };
    let (status, body) = upload(&world, &seal(monitoring)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A roster field sent without its row, or through the wrong roster, is refused.
    let (status, body) = upload(
        &world,
        &seal(BTreeMap::from([("m_sex".to_string(), text("1"))])),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, body) = world
        .call(
            Caller::DataManager,
            Method::GET,
            "/api/v1/surveys/pilot/quotas",
            None,
        )
        .await;
    let fills: Vec<(String, u64)> = body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cell"]["m_sex"].as_str().unwrap().to_string(),
                c["fill"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(fills, [("1".to_string(), 1), ("2".to_string(), 1)]);
}
