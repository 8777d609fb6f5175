//! Key encodings and the passphrase wrapping of survey keys.

use sync_proto::ProtoError;
use sync_proto::keys::{SigningKeyPair, SurveyKeyPair, SurveyPublicKey, VerifyingKey};

#[test]
fn survey_key_pem_round_trips_and_checks_its_halves() {
    let pair = SurveyKeyPair::generate();
    let pem = pair.to_pem();
    assert!(pem.starts_with("-----BEGIN DAFTAR SURVEY PRIVATE KEY-----\n"));
    let back = SurveyKeyPair::from_pem(&pem).unwrap();
    assert_eq!(back.public_key(), pair.public_key());
    assert_eq!(back.secret_bytes(), pair.secret_bytes());

    let public_pem = pair.public_key().to_pem();
    assert_eq!(
        SurveyPublicKey::from_pem(&public_pem).unwrap(),
        pair.public_key()
    );
    assert_eq!(
        SurveyPublicKey::from_base64(&pair.public_key().to_base64()).unwrap(),
        pair.public_key()
    );

    // A private key file whose public half was swapped is refused.
    let other = SurveyKeyPair::generate();
    let mut body = pair.secret_bytes().to_vec();
    body.extend_from_slice(&other.public_key().0);
    let forged = format!(
        "-----BEGIN DAFTAR SURVEY PRIVATE KEY-----\n{}\n-----END DAFTAR SURVEY PRIVATE KEY-----\n",
        sync_proto::b64::encode(&body)
    );
    assert!(matches!(
        SurveyKeyPair::from_pem(&forged),
        Err(ProtoError::MalformedKey { .. })
    ));
    assert!(matches!(
        SurveyPublicKey::from_base64("AAAA"),
        Err(ProtoError::MalformedKey { .. })
    ));
    assert!(matches!(
        SurveyKeyPair::from_pem("no key here"),
        Err(ProtoError::MalformedKey { .. })
    ));
}

#[test]
fn wrapped_survey_key_opens_only_with_its_passphrase() {
    let pair = SurveyKeyPair::generate();
    let wrapped = pair.wrap("correct horse battery staple").unwrap();
    let json = serde_json::to_string(&wrapped).unwrap();
    assert!(!json.contains(&sync_proto::b64::encode(pair.secret_bytes())));
    let wrapped: sync_proto::keys::WrappedSurveyKey = serde_json::from_str(&json).unwrap();

    let back = wrapped.unwrap_key("correct horse battery staple").unwrap();
    assert_eq!(back.secret_bytes(), pair.secret_bytes());
    assert_eq!(
        wrapped.unwrap_key("wrong passphrase").unwrap_err(),
        ProtoError::Unwrap
    );

    // Swapping in another public key (the AAD) breaks the seal.
    let mut swapped = wrapped.clone();
    swapped.public_key.0 = SurveyKeyPair::generate().public_key().0.to_vec();
    assert_eq!(
        swapped
            .unwrap_key("correct horse battery staple")
            .unwrap_err(),
        ProtoError::Unwrap
    );
    let mut flipped = wrapped;
    flipped.ciphertext.0[3] ^= 0x80;
    assert_eq!(
        flipped
            .unwrap_key("correct horse battery staple")
            .unwrap_err(),
        ProtoError::Unwrap
    );
}

#[test]
fn signing_keys_persist_and_verify() {
    let key = SigningKeyPair::generate();
    let again = SigningKeyPair::from_pkcs8(key.to_pkcs8()).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    let signature = key.sign(b"message");
    assert_eq!(
        again.sign(b"message"),
        signature,
        "Ed25519 is deterministic"
    );
    let public = VerifyingKey::from_base64(&key.public_key().to_base64()).unwrap();
    public.verify(b"message", &signature, "test").unwrap();
    assert_eq!(
        public.verify(b"messagE", &signature, "test"),
        Err(ProtoError::BadSignature { what: "test" })
    );
    assert!(SigningKeyPair::from_pkcs8(b"not a key").is_err());
}
