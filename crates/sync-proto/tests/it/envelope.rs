//! The upload envelope and the receipt: canonical bytes, signatures, tampering.

use std::collections::BTreeMap;

use expect_test::expect;
use sync_proto::ProtoError;
use sync_proto::keys::{SigningKeyPair, SurveyKeyPair};
use sync_proto::wire::{MonitoringValue, ReceiptOutcome, UploadEnvelope};
use uuid::Uuid;

fn monitoring() -> BTreeMap<String, MonitoringValue> {
    [
        ("a_region".to_string(), MonitoringValue::Text("01".into())),
        ("m_age".to_string(), MonitoringValue::Integer(34)),
        (
            "m_corridors".to_string(),
            MonitoringValue::Codes(vec!["fr".into(), "es".into()]),
        ),
        ("m_share".to_string(), MonitoringValue::Decimal(0.5)),
        ("m_skipped".to_string(), MonitoringValue::Null),
    ]
    .into()
}

fn envelope(device: &SigningKeyPair, survey: &SurveyKeyPair) -> UploadEnvelope {
    UploadEnvelope::seal_and_sign(
        Uuid::parse_str("01936b2e-0000-7000-8000-000000000001").unwrap(),
        2,
        "morocco-pilot",
        "ab12",
        Some(7),
        monitoring(),
        b"{\"answers\":{}}",
        &survey.public_key(),
        device,
    )
    .unwrap()
}

#[test]
fn canonical_header_encoding_is_pinned() {
    let device = SigningKeyPair::generate();
    let survey = SurveyKeyPair::generate();
    let envelope = envelope(&device, &survey);
    // The AAD is the header; its bytes are part of the protocol and must never change silently.
    expect!["6461667461722d75706c6f61642d6161642d76310001936b2e000070008000000000000001000000020000000d6d6f726f63636f2d70696c6f7400000004616231320100000000000000070000000500000008615f726567696f6e01000000023031000000056d5f6167650200000000000000220000000b6d5f636f727269646f72730400000002000000026672000000026573000000076d5f7368617265033fe0000000000000000000096d5f736b697070656400"]
    .assert_eq(&sync_proto::hex(&envelope.sealing_aad()));
    let signed = envelope.signed_bytes();
    assert!(signed.starts_with(b"daftar-upload-v1\0"));
    assert!(signed.ends_with(&envelope.sealed.ciphertext.0));
}

#[test]
fn json_round_trip_keeps_the_signature_valid() {
    let device = SigningKeyPair::generate();
    let survey = SurveyKeyPair::generate();
    let envelope = envelope(&device, &survey);
    let json = serde_json::to_string_pretty(&envelope).unwrap();
    let back: UploadEnvelope = serde_json::from_str(&json).unwrap();
    assert_eq!(back, envelope);
    back.verify(&device.public_key()).unwrap();
    assert_eq!(back.content_hash(), envelope.content_hash());
    assert_eq!(back.open(&survey).unwrap(), b"{\"answers\":{}}");
}

#[test]
fn every_tampered_field_breaks_the_signature_or_the_seal() {
    let device = SigningKeyPair::generate();
    let survey = SurveyKeyPair::generate();
    let original = envelope(&device, &survey);
    let bad_signature = Err(ProtoError::BadSignature {
        what: "device envelope",
    });

    let mut tampered: Vec<(&str, UploadEnvelope)> = Vec::new();
    let mut e = original.clone();
    e.interview_id = Uuid::nil();
    tampered.push(("interview_id", e));
    let mut e = original.clone();
    e.revision += 1;
    tampered.push(("revision", e));
    let mut e = original.clone();
    e.questionnaire_id.push('x');
    tampered.push(("questionnaire_id", e));
    let mut e = original.clone();
    e.questionnaire_version = "cd34".into();
    tampered.push(("questionnaire_version", e));
    let mut e = original.clone();
    e.assignment_id = None;
    tampered.push(("assignment_id", e));
    let mut e = original.clone();
    e.monitoring
        .insert("a_region".into(), MonitoringValue::Text("02".into()));
    tampered.push(("monitoring value", e));
    let mut e = original.clone();
    e.monitoring.remove("m_skipped");
    tampered.push(("monitoring entry", e));
    let mut e = original.clone();
    e.sealed.enc.0[5] ^= 1;
    tampered.push(("enc", e));
    let mut e = original.clone();
    e.sealed.ciphertext.0[0] ^= 1;
    tampered.push(("ciphertext", e));
    let mut e = original.clone();
    e.signature.0[10] ^= 1;
    tampered.push(("signature", e));

    for (field, envelope) in &tampered {
        assert_eq!(
            envelope.verify(&device.public_key()),
            bad_signature,
            "tampered {field}"
        );
    }
    // Another device's key does not verify the original.
    assert_eq!(
        original.verify(&SigningKeyPair::generate().public_key()),
        bad_signature
    );

    // Re-signing a moved ciphertext (a device trying to re-home another interview's payload)
    // still fails to open: the header is the AAD.
    let mut moved = original.clone();
    moved.interview_id = Uuid::now_v7();
    moved.sign(&device);
    moved.verify(&device.public_key()).unwrap();
    assert_eq!(moved.open(&survey), Err(ProtoError::Open));
}

#[test]
fn receipts_are_deterministic_and_bound_to_the_content() {
    let device = SigningKeyPair::generate();
    let survey = SurveyKeyPair::generate();
    let server = SigningKeyPair::generate();
    let envelope = envelope(&device, &survey);
    let receipt = envelope.receipt(
        ReceiptOutcome::Accepted,
        42,
        "2026-11-23T10:00:00Z",
        &server,
    );
    assert_eq!(
        receipt,
        envelope.receipt(
            ReceiptOutcome::Accepted,
            42,
            "2026-11-23T10:00:00Z",
            &server
        )
    );
    receipt.verify(&server.public_key()).unwrap();
    assert_eq!(receipt.content_hash, envelope.content_hash());

    let bad = Err(ProtoError::BadSignature {
        what: "server receipt",
    });
    let mut forged = receipt.clone();
    forged.outcome = ReceiptOutcome::Conflict;
    assert_eq!(forged.verify(&server.public_key()), bad);
    let mut forged = receipt.clone();
    forged.content_hash = sync_proto::hex(&[0u8; 32]);
    assert_eq!(forged.verify(&server.public_key()), bad);
    assert_eq!(receipt.verify(&device.public_key()), bad);
}
