//! Databases written by every released schema version open, migrate and read back intact.
//!
//! `tests/fixtures/schema-vN.db` was written by the store at schema version N with [`write_fixture`] (the
//! same data at every version). A released fixture is never rewritten: version 1's was written by the
//! version 1 code, and no later code can write version 1 any more. To write the fixture of a new version
//! before it is released, run `DAFTAR_WRITE_FIXTURES=1 cargo test -p survey-store --test it fixtures`.

use std::path::{Path, PathBuf};

use expect_test::expect;
use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

/// The custodian key of the fixtures (test data only).
fn custodian() -> SealingKeyPair {
    SealingKeyPair::from_private(SealingPrivateKey::from_bytes(&[0x42; 32]).unwrap())
}

fn fixture_path(version: i64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}.db"))
}

fn interview_content(n: u64) -> InterviewContent {
    let mut answers = every_answer();
    answers.push(("interview_number".into(), Answer::Integer(n as i64)));
    // Written by releases whose content format had no roster row counts (format 1).
    InterviewContent {
        rows: Vec::new(),
        ..content_of(answers)
    }
}

fn fixture_event(i: i64) -> ParadataEvent {
    ParadataEvent {
        at_millis: 1_700_000_000_000 + i,
        kind: "answer_set".into(),
        path: Some(format!("q{i}")),
        answer: Some(Answer::Text(format!("قيمة {i}"))),
        detail: None,
    }
}

fn fixture_assignment() -> Assignment {
    Assignment {
        assignment_id: "A-1".into(),
        questionnaire_id: "migrants".into(),
        questionnaire_version: "v3".into(),
        preload: vec![(
            "address".into(),
            Answer::Text("12 Derb Sidi Bouloukat, Fès".into()),
        )],
    }
}

/// Writes the fixture of the current schema version at `path`.
fn write_fixture(path: &Path) {
    let clock = TestClock::new(1_700_000_000_000);
    let profile = NewProfile {
        kdf_iterations: TEST_ITERATIONS,
        ..NewProfile::new(ENUMERATOR, "Amina", PIN, custodian().public)
    };
    let mut store = Store::create_profile(path, &profile, &device(), clock.clone()).unwrap();
    store
        .put_questionnaire_version(&QuestionnaireVersion::new(
            "migrants",
            "v3",
            b"daftar: 1\n".to_vec(),
        ))
        .unwrap();
    store.put_assignment(&fixture_assignment()).unwrap();
    for n in 1..=3 {
        clock.advance_ms(1000);
        let mut new = NewInterview::new(uuid(n), "migrants", "v3");
        if n == 2 {
            new = new.with_assignment("A-1");
        }
        store.create_interview(&new, &interview_content(n)).unwrap();
        store
            .append_events(uuid(n), &[fixture_event(1), fixture_event(2)])
            .unwrap();
    }
    store
        .save_interview(
            uuid(3),
            1,
            InterviewStatus::Completed,
            &interview_content(3),
            &[fixture_event(3)],
        )
        .unwrap();
    let export = store.export_for_sync(uuid(3), &custodian().public).unwrap();
    store
        .mark_sent(&SyncReceipt {
            interview_id: uuid(3),
            revision: 2,
            content_hash: export.content_hash,
            receipt: b"server receipt".to_vec(),
        })
        .unwrap();
    store.close().unwrap();
}

fn schema_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap()
}

/// Opens a copy of a fixture and checks everything in it.
fn check_fixture(original: &Path, written_by: i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    std::fs::copy(original, &path).unwrap();
    assert_eq!(schema_version(&path), written_by);

    let store = Store::open(
        &path,
        ENUMERATOR,
        PIN,
        &device(),
        TestClock::new(1_800_000_000_000),
    )
    .unwrap();
    assert_eq!(
        schema_version(&path),
        schema::SCHEMA_VERSION,
        "migrated on open"
    );
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    let listing: Vec<String> = store
        .list_interviews(&InterviewFilter::default())
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} {} rev {} {:?}",
                m.id, m.status, m.questionnaire_version, m.revision, m.assignment_id
            )
        })
        .collect();
    expect![[r#"
        [
            "01900000-0000-7000-8000-000000000003 submitted v3 rev 2 None",
            "01900000-0000-7000-8000-000000000002 in_progress v3 rev 1 Some(\"A-1\")",
            "01900000-0000-7000-8000-000000000001 in_progress v3 rev 1 None",
        ]
    "#]]
    .assert_debug_eq(&listing);
    for n in 1..=3 {
        check_same_content(
            &store.load_interview(uuid(n)).unwrap().content,
            &interview_content(n),
        );
        let mut events = vec![fixture_event(1), fixture_event(2)];
        if n == 3 {
            events.push(fixture_event(3));
        }
        assert_eq!(store.load_events(uuid(n)).unwrap(), events);
    }
    assert_eq!(store.load_assignment("A-1").unwrap(), fixture_assignment());
    assert_eq!(
        store
            .load_questionnaire_version("migrants", "v3")
            .unwrap()
            .source,
        b"daftar: 1\n"
    );
    let journal = store.journal(uuid(3)).unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].receipt.as_deref(), Some(&b"server receipt"[..]));
    drop(store);

    let recovered = Store::recover_with_custodian_key(
        &path,
        ENUMERATOR,
        &custodian().private,
        TestClock::new(0),
    )
    .unwrap();
    check_same_content(
        &recovered.load_interview(uuid(1)).unwrap().content,
        &interview_content(1),
    );
}

#[test]
fn every_released_schema_fixture_opens_migrates_and_reads_back() {
    for version in 1..=schema::SCHEMA_VERSION {
        let path = fixture_path(version);
        assert!(
            path.exists(),
            "no fixture for schema version {version}: {}",
            path.display()
        );
        check_fixture(&path, version);
    }
}

#[test]
fn fixture_generator_writes_what_the_check_expects() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.db");
    write_fixture(&path);
    check_fixture(&path, schema::SCHEMA_VERSION);
    if std::env::var_os("DAFTAR_WRITE_FIXTURES").is_some() {
        std::fs::copy(&path, fixture_path(schema::SCHEMA_VERSION)).unwrap();
    }
}

#[test]
fn a_database_from_a_newer_app_is_refused_not_written() {
    let db = TestDb::new();
    drop(db.create());
    db.raw().execute_batch("PRAGMA user_version = 99").unwrap();
    let refused = db.open();
    assert!(
        matches!(
            refused,
            Err(StoreError::SchemaTooNew {
                found: 99,
                supported: schema::SCHEMA_VERSION
            })
        ),
        "{refused:?}"
    );
}
