//! Sealing an interview to the survey's public key.
//!
//! HPKE (RFC 9180) in base mode with the suite DHKEM(X25519, HKDF-SHA256) (KEM `0x0020`),
//! HKDF-SHA256 (KDF `0x0001`) and AES-256-GCM (AEAD `0x0002`), `info` = [`HPKE_INFO`], one message per
//! encryption context (single-shot). The AAD is the canonical encoding of the envelope header
//! ([`crate::wire::UploadEnvelope::sealing_aad`]), so a ciphertext cannot be moved to another interview,
//! revision or questionnaire without failing to open.

use hpke::aead::AesGcm256;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};

use crate::ProtoError;
use crate::b64::Base64Bytes;
use crate::keys::{SurveyKeyPair, SurveyPublicKey};

/// The HPKE `info` string of Daftar interview payloads, protocol version 1.
pub const HPKE_INFO: &[u8] = b"daftar interview v1";

/// The HPKE KEM identifier: DHKEM(X25519, HKDF-SHA256).
pub const KEM_ID: u16 = 0x0020;
/// The HPKE KDF identifier: HKDF-SHA256.
pub const KDF_ID: u16 = 0x0001;
/// The HPKE AEAD identifier: AES-256-GCM.
pub const AEAD_ID: u16 = 0x0002;

/// A sealed payload: the HPKE encapsulated key and the AEAD ciphertext (with its tag).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedPayload {
    /// The 32-byte encapsulated key (`enc`), base64.
    pub enc: Base64Bytes,
    /// The ciphertext followed by the 16-byte tag, base64.
    pub ciphertext: Base64Bytes,
}

/// Seals `plaintext` to the survey key with the operating system's randomness.
pub fn seal(
    public: &SurveyPublicKey,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<SealedPayload, ProtoError> {
    let (enc, ciphertext) = hpke::single_shot_seal::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
        &OpModeS::Base,
        &public.hpke()?,
        HPKE_INFO,
        plaintext,
        aad,
    )
    .map_err(|_| ProtoError::Seal)?;
    Ok(SealedPayload {
        enc: Base64Bytes(enc.to_bytes().to_vec()),
        ciphertext: Base64Bytes(ciphertext),
    })
}

/// Seals with a caller-supplied random source for the ephemeral key. Only for known-answer tests:
/// real seals use [`seal`].
pub fn seal_with_rng(
    public: &SurveyPublicKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut impl hpke::rand_core::CryptoRng,
) -> Result<SealedPayload, ProtoError> {
    let (enc, ciphertext) = hpke::single_shot_seal_with_rng::<
        AesGcm256,
        HkdfSha256,
        X25519HkdfSha256,
    >(&OpModeS::Base, &public.hpke()?, info, plaintext, aad, rng)
    .map_err(|_| ProtoError::Seal)?;
    Ok(SealedPayload {
        enc: Base64Bytes(enc.to_bytes().to_vec()),
        ciphertext: Base64Bytes(ciphertext),
    })
}

/// Opens a payload sealed by [`seal`] with the survey's key pair and the same AAD.
pub fn open(
    pair: &SurveyKeyPair,
    aad: &[u8],
    sealed: &SealedPayload,
) -> Result<Vec<u8>, ProtoError> {
    open_with_info(pair, HPKE_INFO, aad, sealed)
}

/// Opens with an explicit `info` string (known-answer tests use the RFC's).
pub fn open_with_info(
    pair: &SurveyKeyPair,
    info: &[u8],
    aad: &[u8],
    sealed: &SealedPayload,
) -> Result<Vec<u8>, ProtoError> {
    let enc = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&sealed.enc.0)
        .map_err(|_| ProtoError::Open)?;
    hpke::single_shot_open::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &pair.hpke_secret()?,
        &enc,
        info,
        &sealed.ciphertext.0,
        aad,
    )
    .map_err(|_| ProtoError::Open)
}
