//! Devices' progress reports: interviews started and not completed on tablets count as "in progress"
//! in quota cells, with rejected interviews not yet re-sent; a later upload or report replaces them.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sync_proto::wire::{DraftReport, MonitoringValue};
use uuid::Uuid;

use crate::support::{Caller, World, error_code};

fn draft(world: &World, interview_id: Uuid, region: &str) -> DraftReport {
    DraftReport {
        interview_id,
        questionnaire_id: "pilot".into(),
        questionnaire_version: world.version_hash.clone(),
        assignment_id: Some(world.assignment_id),
        monitoring: BTreeMap::from([(
            "a_region".to_string(),
            MonitoringValue::Text(region.into()),
        )]),
    }
}

async fn report(world: &World, drafts: &[DraftReport]) -> (StatusCode, Value) {
    world
        .json(
            Caller::Device,
            Method::PUT,
            "/api/v1/sync/progress",
            json!({ "drafts": drafts }),
        )
        .await
}

/// (fill, in progress) of the cells of regions 01 and 02, as a supervisor reads them.
async fn cells(world: &World) -> [(u64, u64); 2] {
    let (status, quotas) = world
        .call(
            Caller::SupervisorA,
            Method::GET,
            "/api/v1/surveys/pilot/quotas",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{quotas}");
    let cell = |region: &str| {
        let cell = quotas["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cell"]["a_region"] == region)
            .unwrap();
        (
            cell["fill"].as_u64().unwrap(),
            cell["in_progress"].as_u64().unwrap(),
        )
    };
    [cell("01"), cell("02")]
}

#[tokio::test]
async fn drafts_reported_by_devices_and_rejected_interviews_are_in_progress() {
    let world = World::new();
    for region in ["01", "02"] {
        let (status, body) = world
            .json(
                Caller::SupervisorA,
                Method::PUT,
                "/api/v1/surveys/pilot/quotas",
                json!({"quota": "region", "cell": {"a_region": region}, "target": 5}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    // The world's interview (region 01) is submitted; no device has reported anything.
    assert_eq!(cells(&world).await, [(1, 0), (0, 0)]);

    let (d1, d2, d3) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let (status, body) = report(
        &world,
        &[
            draft(&world, d1, "01"),
            draft(&world, d2, "02"),
            draft(&world, d3, "02"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(cells(&world).await, [(1, 1), (0, 2)]);

    // A new report replaces the previous one.
    let (status, _) = report(&world, &[draft(&world, d2, "02"), draft(&world, d3, "02")]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cells(&world).await, [(1, 0), (0, 2)]);

    // Once uploaded, a reported draft is completed, not in progress.
    let (status, receipt) = world
        .json(
            Caller::Device,
            Method::POST,
            "/api/v1/sync/uploads",
            serde_json::to_value(world.envelope(d2, 1, "02", b"answers")).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(cells(&world).await, [(1, 0), (1, 1)]);

    // A rejected interview is in progress until it is sent again; reported as a draft it counts once,
    // in the cell of its newer fields.
    let (status, body) = world
        .json(
            Caller::SupervisorA,
            Method::POST,
            &format!("/api/v1/interviews/{}/review", world.interview_id),
            json!({"revision": 1, "decision": "reject", "note": "check the region"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cells(&world).await, [(0, 1), (1, 1)]);
    let (status, _) = report(
        &world,
        &[
            draft(&world, d3, "02"),
            draft(&world, world.interview_id, "02"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cells(&world).await, [(0, 0), (1, 2)]);

    // Drafts are checked as an upload's clear fields are; a refused report changes nothing.
    let mut undeclared = draft(&world, Uuid::now_v7(), "01");
    undeclared
        .monitoring
        .insert("q_income".into(), MonitoringValue::Integer(1200));
    let mut unknown_code = draft(&world, Uuid::now_v7(), "01");
    unknown_code
        .monitoring
        .insert("a_region".into(), MonitoringValue::Text("99".into()));
    let mut unknown_version = draft(&world, Uuid::now_v7(), "01");
    unknown_version.questionnaire_version = "0".repeat(64);
    let mut foreign_assignment = draft(&world, Uuid::now_v7(), "01");
    foreign_assignment.assignment_id = Some(999_999);
    let twice = draft(&world, d3, "02");
    for (bad, status, code) in [
        (
            undeclared,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_monitoring",
        ),
        (
            unknown_code,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_monitoring",
        ),
        (
            unknown_version,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_questionnaire",
        ),
        (
            foreign_assignment,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_assignment",
        ),
        (twice, StatusCode::UNPROCESSABLE_ENTITY, "duplicate_draft"),
    ] {
        let interview = bad.interview_id;
        let (actual, body) = report(&world, &[draft(&world, d3, "02"), bad]).await;
        assert_eq!(
            (actual, error_code(&body).as_str()),
            (status, code),
            "{body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&interview.to_string()),
            "{body}"
        );
    }
    assert_eq!(cells(&world).await, [(0, 0), (1, 2)]);

    // An empty report clears the device's drafts; the rejected interview stays in progress.
    let (status, _) = report(&world, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cells(&world).await, [(0, 1), (1, 0)]);
}
