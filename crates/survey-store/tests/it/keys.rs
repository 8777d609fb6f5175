//! PIN, device secret, lockout, wipe, PIN change and custodian recovery.

use std::time::Duration;

use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

fn seeded(db: &TestDb) -> InterviewContent {
    let content = content_of(vec![("name".into(), Answer::Text("Aïcha".into()))]);
    let mut store = db.create();
    store
        .create_interview(&NewInterview::new(uuid(1), "migrants", "v3"), &content)
        .unwrap();
    store.close().unwrap();
    content
}

#[track_caller]
fn check_wrong_pin<T: std::fmt::Debug>(result: Result<T, StoreError>, failures: u32) {
    match result {
        Err(StoreError::WrongPin {
            failed_attempts, ..
        }) if failed_attempts == failures => {}
        other => panic!("expected WrongPin after {failures} failures, got {other:?}"),
    }
}

#[track_caller]
fn check_locked<T: std::fmt::Debug>(result: Result<T, StoreError>, retry_after: Duration) {
    match result {
        Err(StoreError::TooManyAttempts { retry_after: r, .. }) if r == retry_after => {}
        other => panic!("expected TooManyAttempts for {retry_after:?}, got {other:?}"),
    }
}

#[test]
fn wrong_pin_and_wrong_device_secret_are_refused() {
    let db = TestDb::new();
    let content = seeded(&db);
    check_wrong_pin(db.open_with("000000"), 1);
    let other_device = FixedKeyProvider([7; 32]);
    check_wrong_pin(
        Store::open(&db.path, ENUMERATOR, PIN, &other_device, db.clock.clone()),
        2,
    );
    let store = db.open().unwrap();
    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &content);
    drop(store);
    // A success resets the count.
    check_wrong_pin(db.open_with("000000"), 1);
    assert!(matches!(
        Store::open(&db.path, "nobody", PIN, &device(), db.clock.clone()),
        Err(StoreError::NoSuchProfile { .. })
    ));
}

#[test]
fn delays_grow_after_five_failures_and_are_persisted() {
    let db = TestDb::new();
    seeded(&db);
    for n in 1..=5 {
        check_wrong_pin(db.open_with("999999"), n);
    }
    // Five failures: the next attempt waits 30 s, even with the right PIN, and nothing is checked.
    check_locked(db.open(), Duration::from_secs(30));
    db.clock.advance_ms(10_000);
    check_locked(db.open(), Duration::from_secs(20));
    db.clock.advance_ms(20_000);
    check_wrong_pin(db.open_with("999999"), 6);
    check_locked(db.open(), Duration::from_secs(60));
    db.clock.advance_ms(60_000);
    check_wrong_pin(db.open_with("999999"), 7);
    check_locked(db.open(), Duration::from_secs(120));
    let summary = &Store::list_profiles(&db.path).unwrap()[0];
    assert_eq!(summary.failed_attempts, 7);
    // A clock set back does not extend the lock into the future forever.
    db.clock.advance_ms(-86_400_000);
    check_locked(db.open(), Duration::from_secs(120));
    db.clock.advance_ms(120_000);
    let store = db.open().unwrap();
    drop(store);
    assert_eq!(
        Store::list_profiles(&db.path).unwrap()[0].failed_attempts,
        0
    );
}

#[test]
fn wipe_after_the_configured_count_leaves_only_recovery() {
    let db = TestDb::new();
    let profile = NewProfile {
        lockout: LockoutPolicy {
            wipe_after: Some(3),
            ..LockoutPolicy::default()
        },
        ..db.profile()
    };
    let mut store = db.create_with(&profile);
    let content = content_of(vec![("name".into(), Answer::Text("Aïcha".into()))]);
    store
        .create_interview(&NewInterview::new(uuid(1), "migrants", "v3"), &content)
        .unwrap();
    drop(store);
    let old_wrapped: Vec<u8> = db
        .raw()
        .query_row("SELECT pin_wrapped_key FROM profiles", [], |row| row.get(0))
        .unwrap();
    check_wrong_pin(db.open_with("1"), 1);
    check_wrong_pin(db.open_with("2"), 2);
    assert!(matches!(db.open_with("3"), Err(StoreError::Wiped { .. })));
    assert!(
        matches!(db.open(), Err(StoreError::Wiped { .. })),
        "the right PIN no longer opens it"
    );
    let wrapped: Option<Vec<u8>> = db
        .raw()
        .query_row("SELECT pin_wrapped_key FROM profiles", [], |row| row.get(0))
        .unwrap();
    assert_eq!(wrapped, None, "the PIN-wrapped key is destroyed");
    for entry in std::fs::read_dir(db.dir()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(old_wrapped.len()).any(|w| w == old_wrapped),
            "the wiped key is still in {}",
            path.display()
        );
    }

    let mut recovered = Store::recover_with_custodian_key(
        &db.path,
        ENUMERATOR,
        &db.recovery.private,
        db.clock.clone(),
    )
    .unwrap();
    check_same_content(
        &recovered.load_interview(uuid(1)).unwrap().content,
        &content,
    );
    recovered.reset_pin("246810", &device()).unwrap();
    drop(recovered);
    let store = db.open_with("246810").unwrap();
    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &content);
}

#[test]
fn changing_the_pin_rewraps_without_touching_data() {
    let db = TestDb::new();
    let content = seeded(&db);
    let blob_before: Vec<u8> = db
        .raw()
        .query_row("SELECT content FROM interview_content", [], |row| {
            row.get(0)
        })
        .unwrap();
    let mut store = db.open().unwrap();
    check_wrong_pin(store.change_pin("000000", "135790", &device()), 0);
    store.change_pin(PIN, "135790", &device()).unwrap();
    store
        .set_kdf_iterations("135790", 2_000, &device())
        .unwrap();
    assert_eq!(store.kdf_iterations().unwrap(), 2_000);
    drop(store);
    check_wrong_pin(db.open(), 1);
    let store = db.open_with("135790").unwrap();
    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &content);
    let blob_after: Vec<u8> = db
        .raw()
        .query_row("SELECT content FROM interview_content", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(blob_before, blob_after, "no data was re-encrypted");
    // `reset_pin` (no old PIN asked) is only for a store opened with the custodian key.
    let mut store = store;
    assert!(matches!(
        store.reset_pin("000000", &device()),
        Err(StoreError::InvalidArgument(_))
    ));
}

#[test]
fn recovery_needs_the_right_custodian_key() {
    let db = TestDb::new();
    let content = seeded(&db);
    let stranger = RecoveryKeyPair::generate().unwrap();
    let wrong = Store::recover_with_custodian_key(
        &db.path,
        ENUMERATOR,
        &stranger.private,
        db.clock.clone(),
    );
    assert!(
        matches!(wrong, Err(StoreError::WrongCustodianKey { .. })),
        "{wrong:?}"
    );
    let mut store = Store::recover_with_custodian_key(
        &db.path,
        ENUMERATOR,
        &db.recovery.private,
        db.clock.clone(),
    )
    .unwrap();
    assert!(store.is_recovered());
    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &content);
    // The custodian's store can also export the unsent interview for sync.
    store
        .save_interview(uuid(1), 1, InterviewStatus::Completed, &content, &[])
        .unwrap();
    let survey = SealingKeyPair::generate().unwrap();
    let export = store.export_for_sync(uuid(1), &survey.public).unwrap();
    check_same_content(&export.open(&survey.private).unwrap().content, &content);
}

#[test]
fn file_key_provider_creates_a_private_secret_and_refuses_a_readable_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let provider = FileKeyProvider::in_dir(dir.path());
    let first = provider.device_secret().unwrap();
    let second = provider.device_secret().unwrap();
    assert_eq!(first[..], second[..]);
    assert_ne!(first[..], [0; 32]);
    let path = dir.path().join("device.key");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = provider.device_secret();
    assert!(
        matches!(refused, Err(StoreError::DeviceSecret { .. })),
        "{refused:?}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&path, b"short").unwrap();
    assert!(matches!(
        provider.device_secret(),
        Err(StoreError::DeviceSecret { .. })
    ));
}

#[test]
fn error_messages_carry_no_secret() {
    let db = TestDb::new();
    seeded(&db);
    let message = db.open_with("777555").unwrap_err().to_string();
    assert!(!message.contains("777555"), "{message}");
    expect_test::expect!["wrong PIN for enumerator enum-07 (1 failed attempts in a row)"]
        .assert_eq(&message);
}

struct BrokenKeyProvider;

impl KeyProvider for BrokenKeyProvider {
    fn device_secret(&self) -> Result<DeviceSecret, StoreError> {
        Err(StoreError::DeviceSecret {
            reason: "keystore unavailable".into(),
        })
    }
}

#[test]
fn a_device_that_cannot_give_its_secret_is_not_counted_as_a_wrong_pin() {
    let db = TestDb::new();
    seeded(&db);
    let refused = Store::open(
        &db.path,
        ENUMERATOR,
        PIN,
        &BrokenKeyProvider,
        db.clock.clone(),
    );
    assert!(
        matches!(refused, Err(StoreError::DeviceSecret { .. })),
        "{refused:?}"
    );
    assert_eq!(
        Store::list_profiles(&db.path).unwrap()[0].failed_attempts,
        0
    );
}
