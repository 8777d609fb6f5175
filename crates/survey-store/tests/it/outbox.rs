//! The outbox, sealed exports, receipts and the review cycle.

use expect_test::expect;
use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

#[test]
fn completed_interviews_wait_in_the_outbox_until_a_matching_receipt() {
    let db = TestDb::new();
    let survey = SealingKeyPair::generate().unwrap();
    let mut store = db.create();
    let content = content_of(every_answer());
    for n in 1..=3 {
        store
            .create_interview(&NewInterview::new(uuid(n), "migrants", "v3"), &content)
            .unwrap();
    }
    store
        .save_interview(uuid(1), 1, InterviewStatus::Completed, &content, &[])
        .unwrap();
    store
        .save_interview(uuid(2), 1, InterviewStatus::Completed, &content, &[])
        .unwrap();
    let outbox: Vec<_> = store.outbox().unwrap().iter().map(|m| m.id).collect();
    assert_eq!(outbox.len(), 2);
    assert!(outbox.contains(&uuid(1)) && outbox.contains(&uuid(2)));

    // An in-progress interview cannot be exported.
    let refused = store.export_for_sync(uuid(3), &survey.public);
    assert!(
        matches!(refused, Err(StoreError::InvalidTransition { .. })),
        "{refused:?}"
    );

    let export = store.export_for_sync(uuid(1), &survey.public).unwrap();
    assert_eq!(export.revision, 2);
    // A retry sends the very same bytes, so the server's idempotency by (id, revision, hash) holds.
    assert_eq!(
        store.export_for_sync(uuid(1), &survey.public).unwrap(),
        export
    );
    let opened = export.open(&survey.private).unwrap();
    check_same_content(&opened.content, &content);
    assert_eq!(
        (
            opened.interview_id,
            opened.revision,
            opened.enumerator_id.as_str()
        ),
        (uuid(1), 2, ENUMERATOR)
    );
    let stranger = SealingKeyPair::generate().unwrap();
    assert!(matches!(
        export.open(&stranger.private),
        Err(StoreError::Tampered { .. })
    ));

    let receipt = |revision, content_hash| SyncReceipt {
        interview_id: uuid(1),
        revision,
        content_hash,
        receipt: b"signed receipt".to_vec(),
    };
    let mut wrong_hash = export.content_hash;
    wrong_hash[0] ^= 1;
    let mismatch = store.mark_sent(&receipt(2, wrong_hash));
    expect![[r#"
        Err(
            ReceiptMismatch {
                id: "01900000-0000-7000-8000-000000000001",
                reason: "content hash differs from what was sent for revision 2",
            },
        )
    "#]]
    .assert_debug_eq(&mismatch);
    let unsent = store.mark_sent(&receipt(1, export.content_hash));
    assert!(
        matches!(unsent, Err(StoreError::ReceiptMismatch { .. })),
        "{unsent:?}"
    );
    assert_eq!(
        store.interview_meta(uuid(1)).unwrap().status,
        InterviewStatus::Completed
    );

    let meta = store.mark_sent(&receipt(2, export.content_hash)).unwrap();
    assert_eq!(meta.status, InterviewStatus::Submitted);
    assert_eq!(
        store
            .outbox()
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![uuid(2)]
    );
    let journal = store.journal(uuid(1)).unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].content_hash, export.content_hash);
    assert_eq!(journal[0].receipt.as_deref(), Some(&b"signed receipt"[..]));
    // The device keeps its copy.
    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &content);
    // A submitted interview cannot be edited.
    let locked = store.save_interview(uuid(1), 2, InterviewStatus::InProgress, &content, &[]);
    assert!(
        matches!(locked, Err(StoreError::InvalidTransition { .. })),
        "{locked:?}"
    );
}

#[test]
fn a_rejected_interview_goes_back_to_the_enumerator_and_round_trips_again() {
    let db = TestDb::new();
    let survey = SealingKeyPair::generate().unwrap();
    let mut store = db.create();
    let mut content = content_of(vec![("age".into(), Answer::Integer(17))]);
    store
        .create_interview(&NewInterview::new(uuid(1), "migrants", "v3"), &content)
        .unwrap();
    store
        .save_interview(uuid(1), 1, InterviewStatus::Completed, &content, &[])
        .unwrap();
    assert!(matches!(
        store.record_review(uuid(1), Review::Approved),
        Err(StoreError::InvalidTransition { .. })
    ));
    let export = store.export_for_sync(uuid(1), &survey.public).unwrap();
    store
        .mark_sent(&SyncReceipt {
            interview_id: uuid(1),
            revision: 2,
            content_hash: export.content_hash,
            receipt: vec![],
        })
        .unwrap();
    assert_eq!(
        store
            .record_review(uuid(1), Review::Rejected)
            .unwrap()
            .status,
        InterviewStatus::Rejected
    );
    content.answers[0].1 = Answer::Integer(18);
    store
        .save_interview(uuid(1), 2, InterviewStatus::Completed, &content, &[])
        .unwrap();
    let second = store.export_for_sync(uuid(1), &survey.public).unwrap();
    assert_eq!(second.revision, 3);
    assert_ne!(second.content_hash, export.content_hash);
    assert_eq!(second.open(&survey.private).unwrap().content, content);
    assert_eq!(store.journal(uuid(1)).unwrap().len(), 2);
}
