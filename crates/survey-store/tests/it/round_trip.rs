//! Interviews, events, assignments and questionnaires come back exactly as saved.

use expect_test::expect;
use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

#[test]
fn every_answer_variant_round_trips_through_a_reopened_store() {
    let db = TestDb::new();
    let content = content_of(every_answer());
    let mut store = db.create();
    let meta = store
        .create_interview(&NewInterview::new(uuid(1), "migrants", "v3"), &content)
        .unwrap();
    assert_eq!(meta.revision, 1);
    assert_eq!(meta.status, InterviewStatus::InProgress);
    store.close().unwrap();

    let store = db.open().unwrap();
    let loaded = store.load_interview(uuid(1)).unwrap();
    check_same_content(&loaded.content, &content);
    assert_eq!(loaded.meta, meta);

    let empty = InterviewContent::default();
    let mut store = store;
    store
        .create_interview(&NewInterview::new(uuid(2), "migrants", "v3"), &empty)
        .unwrap();
    check_same_content(&store.load_interview(uuid(2)).unwrap().content, &empty);
}

#[test]
fn saves_advance_the_revision_and_refuse_stale_revisions_and_bad_transitions() {
    let db = TestDb::new();
    let mut store = db.create();
    let id = uuid(1);
    let mut content = content_of(vec![("age".into(), Answer::Integer(30))]);
    store
        .create_interview(&NewInterview::new(id, "migrants", "v3"), &content)
        .unwrap();
    db.clock.advance_ms(1000);
    content
        .answers
        .push(("name".into(), Answer::Text("Youssef".into())));
    let meta = store
        .save_interview(id, 1, InterviewStatus::InProgress, &content, &[])
        .unwrap();
    assert_eq!(
        (meta.revision, meta.updated_at - meta.created_at),
        (2, 1000)
    );

    let stale = store.save_interview(id, 1, InterviewStatus::InProgress, &content, &[]);
    expect![[r#"
        Err(
            RevisionConflict {
                id: "01900000-0000-7000-8000-000000000001",
                expected: 1,
                actual: 2,
            },
        )
    "#]]
    .assert_debug_eq(&stale);

    let bad = store.save_interview(id, 2, InterviewStatus::Approved, &content, &[]);
    expect![[r#"
        Err(
            InvalidTransition {
                id: "01900000-0000-7000-8000-000000000001",
                from: InProgress,
                to: Approved,
            },
        )
    "#]]
    .assert_debug_eq(&bad);
    check_same_content(&store.load_interview(id).unwrap().content, &content);

    let duplicate = store.create_interview(&NewInterview::new(id, "migrants", "v3"), &content);
    assert!(
        matches!(duplicate, Err(StoreError::AlreadyExists { .. })),
        "{duplicate:?}"
    );
}

#[test]
fn listing_filters_by_status_and_assignment() {
    let db = TestDb::new();
    let mut store = db.create();
    let content = InterviewContent::default();
    for n in 1..=6 {
        let mut new = NewInterview::new(uuid(n), "migrants", "v3");
        if n % 2 == 0 {
            new = new.with_assignment("A-17");
        }
        db.clock.advance_ms(10);
        store.create_interview(&new, &content).unwrap();
        if n % 3 == 0 {
            store
                .save_interview(uuid(n), 1, InterviewStatus::Completed, &content, &[])
                .unwrap();
        }
    }
    let ids = |filter: InterviewFilter| -> Vec<u128> {
        store
            .list_interviews(&filter)
            .unwrap()
            .iter()
            .map(|m| m.id.as_u128() & 0xff)
            .collect()
    };
    assert_eq!(ids(InterviewFilter::default()), vec![6, 5, 4, 3, 2, 1]);
    assert_eq!(
        ids(InterviewFilter {
            status: Some(InterviewStatus::Completed),
            ..Default::default()
        }),
        vec![6, 3]
    );
    assert_eq!(
        ids(InterviewFilter {
            assignment_id: Some("A-17".into()),
            ..Default::default()
        }),
        vec![6, 4, 2]
    );
    assert_eq!(
        ids(InterviewFilter {
            status: Some(InterviewStatus::InProgress),
            assignment_id: Some("A-17".into())
        }),
        vec![4, 2]
    );
}

#[test]
fn events_assignments_and_questionnaires_round_trip() {
    let db = TestDb::new();
    let mut store = db.create();
    let id = uuid(9);
    store
        .create_interview(
            &NewInterview::new(id, "migrants", "v3"),
            &InterviewContent::default(),
        )
        .unwrap();
    let events: Vec<ParadataEvent> = every_answer()
        .into_iter()
        .enumerate()
        .map(|(i, (path, answer))| ParadataEvent {
            at_millis: 1_750_000_000_000 + i as i64,
            kind: "answer_set".into(),
            path: Some(path),
            answer: Some(answer),
            detail: if i == 0 { Some("ar".into()) } else { None },
        })
        .collect();
    store.append_events(id, &events[..5]).unwrap();
    store
        .save_interview(
            id,
            1,
            InterviewStatus::InProgress,
            &InterviewContent::default(),
            &events[5..],
        )
        .unwrap();
    store.close().unwrap();
    let mut store = db.open().unwrap();
    assert_eq!(
        format!("{:?}", store.load_events(id).unwrap()),
        format!("{events:?}")
    );

    let assignment = Assignment {
        assignment_id: "A-17".into(),
        questionnaire_id: "migrants".into(),
        questionnaire_version: "v3".into(),
        preload: every_answer(),
    };
    assert_eq!(store.put_assignment(&assignment).unwrap().revision, 1);
    assert_eq!(store.put_assignment(&assignment).unwrap().revision, 2);
    assert_eq!(
        format!("{:?}", store.load_assignment("A-17").unwrap()),
        format!("{assignment:?}")
    );
    assert_eq!(store.list_assignments().unwrap().len(), 1);

    let q = QuestionnaireVersion::new("migrants", "v3", b"daftar: 1\n".to_vec());
    store.put_questionnaire_version(&q).unwrap();
    store.put_questionnaire_version(&q).unwrap();
    let changed = QuestionnaireVersion::new("migrants", "v3", b"daftar: 1\n# changed\n".to_vec());
    assert!(matches!(
        store.put_questionnaire_version(&changed),
        Err(StoreError::AlreadyExists { .. })
    ));
    assert_eq!(
        store.load_questionnaire_version("migrants", "v3").unwrap(),
        q
    );
    assert_eq!(
        store.list_questionnaire_versions().unwrap(),
        vec![("migrants".into(), "v3".into())]
    );
    // A checkpoint moves the log into the database; everything still reads back.
    store.checkpoint().unwrap();
    let reloaded = store.load_assignment("A-17").unwrap();
    assert_eq!(format!("{reloaded:?}"), format!("{assignment:?}"));
    assert_eq!(store.load_events(id).unwrap().len(), events.len());
}

#[test]
fn enumerators_on_one_device_do_not_see_each_other() {
    let db = TestDb::new();
    let mut amina = db.create();
    amina
        .create_interview(
            &NewInterview::new(uuid(1), "migrants", "v3"),
            &InterviewContent::default(),
        )
        .unwrap();
    let other = NewProfile {
        kdf_iterations: TEST_ITERATIONS,
        ..NewProfile::new("enum-08", "Karim", "111111", db.recovery.public.clone())
    };
    let karim = Store::create_profile(&db.path, &other, &device(), db.clock.clone()).unwrap();
    assert!(
        karim
            .list_interviews(&InterviewFilter::default())
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        karim.load_interview(uuid(1)),
        Err(StoreError::NotFound { .. })
    ));
    let names: Vec<_> = Store::list_profiles(&db.path)
        .unwrap()
        .into_iter()
        .map(|p| p.display_name)
        .collect();
    assert_eq!(names, vec!["Amina", "Karim"]);
}
