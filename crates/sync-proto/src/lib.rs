//! The Daftar sync protocol, shared by the tablet app, the sync server and the CLI.
//!
//! This crate holds what both ends of a sync must agree on byte for byte:
//!
//! - the versioned wire types ([`wire`]): requests and responses of every endpoint, as JSON;
//! - the sealing of interviews ([`seal`]): HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
//!   HKDF-SHA256, AES-256-GCM, to the survey's public key, with the envelope header as AAD;
//! - the keys ([`keys`]): the survey's X25519 key pair and its text encodings, its passphrase-wrapped
//!   form kept on the server, and the Ed25519 signing keys of devices and of the server;
//! - the canonical byte encoding ([`canonical`]) that the device signature and the server's receipt
//!   signature cover. Signatures are never computed over re-serialized JSON.
//!
//! The crate does no IO: randomness comes from the operating system through `ring` and `hpke`, and
//! the time of a receipt is given by the caller.
//!
//! # One interview, end to end
//!
//! ```
//! use sync_proto::keys::{SigningKeyPair, SurveyKeyPair};
//! use sync_proto::wire::{MonitoringValue, UploadEnvelope, ReceiptOutcome};
//! use uuid::Uuid;
//!
//! // The data manager creates the survey key (`daftar keys new`); the server learns the public half.
//! let survey = SurveyKeyPair::generate();
//! let survey_public = survey.public_key();
//! // The tablet holds a device key, registered at enrolment.
//! let device = SigningKeyPair::generate();
//!
//! // The tablet seals the answers and signs the envelope.
//! let envelope = UploadEnvelope::seal_and_sign(
//!     Uuid::now_v7(),
//!     1,
//!     "morocco-pilot",
//!     "2026.11.1",
//!     None,
//!     [("a_region".to_string(), MonitoringValue::Text("01".into()))].into(),
//!     br#"{"answers": {"a_region": "01"}}"#,
//!     &survey_public,
//!     &device,
//! )
//! .unwrap();
//!
//! // The server checks the signature with the device's registered public key ...
//! envelope.verify(&device.public_key()).unwrap();
//! // ... stores the ciphertext and answers with a signed receipt for exactly this content.
//! let server = SigningKeyPair::generate();
//! let receipt = envelope.receipt(ReceiptOutcome::Accepted, 7, "2026-11-23T10:00:00Z", &server);
//! receipt.verify(&server.public_key()).unwrap();
//! assert_eq!(receipt.content_hash, envelope.content_hash());
//!
//! // Only the holder of the survey's private key can read the answers.
//! let plaintext = envelope.open(&survey).unwrap();
//! assert_eq!(plaintext, br#"{"answers": {"a_region": "01"}}"#);
//! ```
#![deny(missing_docs)]

pub mod b64;
pub mod canonical;
mod error;
pub mod keys;
pub mod payload;
pub mod seal;
pub mod wire;

pub use error::ProtoError;

/// The protocol version this crate speaks. Every request carries it in [`PROTOCOL_HEADER`].
pub const PROTOCOL_VERSION: u32 = 1;

/// The name of the HTTP header that carries the protocol version of a request.
pub const PROTOCOL_HEADER: &str = "Daftar-Protocol";

/// The authorization scheme of a device token: `Authorization: Device <token>`.
pub const DEVICE_AUTH_SCHEME: &str = "Device";

/// Lower-case hexadecimal encoding, used for content hashes in JSON.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// Decodes lower- or upper-case hexadecimal; `None` when the text is not an even run of hex digits.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}
