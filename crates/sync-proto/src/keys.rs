//! Keys: the survey's X25519 key pair (HPKE recipient), its passphrase-wrapped form, and Ed25519
//! signing keys for devices and the server.
//!
//! Text encodings, all base64 inside:
//!
//! - a survey public key: plain base64 of its 32 bytes, or armoured between
//!   `-----BEGIN DAFTAR SURVEY PUBLIC KEY-----` lines ([`SurveyPublicKey::to_pem`]);
//! - a survey private key: armoured between `-----BEGIN DAFTAR SURVEY PRIVATE KEY-----` lines, holding
//!   the 32-byte secret followed by the 32-byte public key ([`SurveyKeyPair::to_pem`]);
//! - a passphrase-wrapped survey key: JSON ([`WrappedSurveyKey`]), Argon2id-derived key + AES-256-GCM;
//! - an Ed25519 verifying key: base64 of its 32 bytes ([`VerifyingKey`]).

use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, Serializable};
use ring::aead;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, Ed25519KeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::ProtoError;
use crate::b64::{self, Base64Bytes};

const SURVEY_PUBLIC_LABEL: &str = "DAFTAR SURVEY PUBLIC KEY";
const SURVEY_PRIVATE_LABEL: &str = "DAFTAR SURVEY PRIVATE KEY";

/// The public half of a survey key: devices seal interviews to it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SurveyPublicKey(pub [u8; 32]);

impl std::fmt::Debug for SurveyPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SurveyPublicKey({})", self.to_base64())
    }
}

impl SurveyPublicKey {
    /// Base64 of the 32 key bytes.
    pub fn to_base64(&self) -> String {
        b64::encode(&self.0)
    }

    /// Decodes [`SurveyPublicKey::to_base64`] text, or the armoured form of [`SurveyPublicKey::to_pem`].
    pub fn from_base64(text: &str) -> Result<Self, ProtoError> {
        let body = if text.contains("-----BEGIN") {
            dearmour(text, SURVEY_PUBLIC_LABEL)?
        } else {
            b64::decode(text).ok_or_else(|| malformed("survey public key", "not base64"))?
        };
        let bytes: [u8; 32] = body
            .try_into()
            .map_err(|_| malformed("survey public key", "not 32 bytes"))?;
        // Reject bytes that hpke would not accept, so a bad key fails at upload, not at sealing.
        <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(&bytes)
            .map_err(|_| malformed("survey public key", "not an X25519 public key"))?;
        Ok(SurveyPublicKey(bytes))
    }

    /// The armoured text form, one key per file.
    pub fn to_pem(&self) -> String {
        armour(SURVEY_PUBLIC_LABEL, &self.0)
    }

    /// Decodes the armoured text form.
    pub fn from_pem(text: &str) -> Result<Self, ProtoError> {
        Self::from_base64(text)
    }

    pub(crate) fn hpke(&self) -> Result<<X25519HkdfSha256 as hpke::Kem>::PublicKey, ProtoError> {
        <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(&self.0)
            .map_err(|_| malformed("survey public key", "not an X25519 public key"))
    }
}

/// A survey's X25519 key pair. The secret never leaves the data manager's machine unless wrapped
/// under a passphrase ([`SurveyKeyPair::wrap`]).
pub struct SurveyKeyPair {
    secret: Zeroizing<[u8; 32]>,
    public: SurveyPublicKey,
}

impl std::fmt::Debug for SurveyKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SurveyKeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl SurveyKeyPair {
    /// Generates a fresh key pair from the operating system's random source.
    pub fn generate() -> Self {
        let (secret, public) = X25519HkdfSha256::gen_keypair();
        Self::from_hpke(&secret, &public)
    }

    /// Derives the key pair deterministically from input keying material (RFC 9180 `DeriveKeyPair`).
    /// For tests and test vectors; use [`SurveyKeyPair::generate`] for real keys.
    pub fn derive(ikm: &[u8]) -> Self {
        let (secret, public) = X25519HkdfSha256::derive_keypair(ikm);
        Self::from_hpke(&secret, &public)
    }

    fn from_hpke(
        secret: &<X25519HkdfSha256 as hpke::Kem>::PrivateKey,
        public: &<X25519HkdfSha256 as hpke::Kem>::PublicKey,
    ) -> Self {
        let mut secret_bytes = Zeroizing::new([0u8; 32]);
        secret_bytes.copy_from_slice(&secret.to_bytes());
        let mut public_bytes = [0u8; 32];
        public_bytes.copy_from_slice(&public.to_bytes());
        SurveyKeyPair {
            secret: secret_bytes,
            public: SurveyPublicKey(public_bytes),
        }
    }

    /// Rebuilds a key pair from its 32 secret bytes.
    pub fn from_secret_bytes(secret: &[u8]) -> Result<Self, ProtoError> {
        let private = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(secret)
            .map_err(|_| malformed("survey private key", "not an X25519 private key"))?;
        let public = X25519HkdfSha256::sk_to_pk(&private);
        Ok(Self::from_hpke(&private, &public))
    }

    /// The public half, given to the server and to devices.
    pub fn public_key(&self) -> SurveyPublicKey {
        self.public
    }

    /// The 32 secret bytes. Handle with care: never log them.
    pub fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    pub(crate) fn hpke_secret(
        &self,
    ) -> Result<<X25519HkdfSha256 as hpke::Kem>::PrivateKey, ProtoError> {
        <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(&self.secret[..])
            .map_err(|_| malformed("survey private key", "not an X25519 private key"))
    }

    /// The armoured text form of the private key (secret then public bytes).
    pub fn to_pem(&self) -> Zeroizing<String> {
        let mut body = Zeroizing::new(Vec::with_capacity(64));
        body.extend_from_slice(&self.secret[..]);
        body.extend_from_slice(&self.public.0);
        Zeroizing::new(armour(SURVEY_PRIVATE_LABEL, &body))
    }

    /// Decodes [`SurveyKeyPair::to_pem`], checking that the public half matches the secret.
    pub fn from_pem(text: &str) -> Result<Self, ProtoError> {
        let body = Zeroizing::new(dearmour(text, SURVEY_PRIVATE_LABEL)?);
        if body.len() != 64 {
            return Err(malformed("survey private key", "not 64 bytes"));
        }
        let pair = Self::from_secret_bytes(&body[..32])?;
        if pair.public.0[..] != body[32..] {
            return Err(malformed(
                "survey private key",
                "public half does not match the secret",
            ));
        }
        Ok(pair)
    }

    /// Wraps the secret under a passphrase: Argon2id derives a 256-bit key that seals the secret
    /// with AES-256-GCM; the public key is the AAD, so a wrapped key cannot be swapped for another.
    pub fn wrap(&self, passphrase: &str) -> Result<WrappedSurveyKey, ProtoError> {
        let rng = SystemRandom::new();
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        rng.fill(&mut salt).map_err(|_| ProtoError::Seal)?;
        rng.fill(&mut nonce).map_err(|_| ProtoError::Seal)?;
        let params = Argon2Params::DEFAULT;
        let key = params.derive(passphrase, &salt)?;
        let key = aead::LessSafeKey::new(
            aead::UnboundKey::new(&aead::AES_256_GCM, &key[..]).map_err(|_| ProtoError::Seal)?,
        );
        let mut in_out = self.secret.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(wrap_aad(&self.public)),
            &mut in_out,
        )
        .map_err(|_| ProtoError::Seal)?;
        Ok(WrappedSurveyKey {
            format: WRAPPED_FORMAT.to_string(),
            public_key: Base64Bytes(self.public.0.to_vec()),
            argon2: params,
            salt: Base64Bytes(salt.to_vec()),
            nonce: Base64Bytes(nonce.to_vec()),
            ciphertext: Base64Bytes(in_out),
        })
    }
}

const WRAPPED_FORMAT: &str = "daftar-wrapped-survey-key-v1";

fn wrap_aad(public: &SurveyPublicKey) -> Vec<u8> {
    let mut aad = WRAPPED_FORMAT.as_bytes().to_vec();
    aad.push(0);
    aad.extend_from_slice(&public.0);
    aad
}

/// Argon2id cost parameters, stored with each wrapped key so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Argon2Params {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Argon2Params {
    /// The OWASP-recommended minimum for Argon2id (19 MiB, 2 passes, 1 lane).
    pub const DEFAULT: Argon2Params = Argon2Params {
        m_cost: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };

    fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, ProtoError> {
        let params = argon2::Params::new(self.m_cost, self.t_cost, self.p_cost, Some(32))
            .map_err(|error| ProtoError::Kdf(error.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
            .map_err(|error| ProtoError::Kdf(error.to_string()))?;
        Ok(key)
    }
}

/// A survey's private key sealed under a passphrase, as kept on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WrappedSurveyKey {
    /// Always `daftar-wrapped-survey-key-v1`.
    pub format: String,
    /// The survey public key this secret belongs to (also the AES-GCM AAD).
    pub public_key: Base64Bytes,
    /// The Argon2id parameters used to derive the wrapping key.
    pub argon2: Argon2Params,
    /// The 16-byte Argon2id salt.
    pub salt: Base64Bytes,
    /// The 12-byte AES-GCM nonce.
    pub nonce: Base64Bytes,
    /// The sealed 32-byte secret followed by the 16-byte tag.
    pub ciphertext: Base64Bytes,
}

impl WrappedSurveyKey {
    /// Unwraps the survey key with the passphrase.
    pub fn unwrap_key(&self, passphrase: &str) -> Result<SurveyKeyPair, ProtoError> {
        if self.format != WRAPPED_FORMAT {
            return Err(malformed("wrapped survey key", "unknown format"));
        }
        let public_bytes: [u8; 32] = self
            .public_key
            .0
            .clone()
            .try_into()
            .map_err(|_| malformed("wrapped survey key", "public key is not 32 bytes"))?;
        let nonce: [u8; 12] = self
            .nonce
            .0
            .clone()
            .try_into()
            .map_err(|_| malformed("wrapped survey key", "nonce is not 12 bytes"))?;
        let key = self.argon2.derive(passphrase, &self.salt.0)?;
        let key = aead::LessSafeKey::new(
            aead::UnboundKey::new(&aead::AES_256_GCM, &key[..]).map_err(|_| ProtoError::Unwrap)?,
        );
        let mut in_out = Zeroizing::new(self.ciphertext.0.clone());
        let public = SurveyPublicKey(public_bytes);
        let secret = key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(wrap_aad(&public)),
                &mut in_out,
            )
            .map_err(|_| ProtoError::Unwrap)?;
        let pair = SurveyKeyPair::from_secret_bytes(secret)?;
        if pair.public != public {
            return Err(ProtoError::Unwrap);
        }
        Ok(pair)
    }
}

/// An Ed25519 signing key: a device's (registered at enrolment) or the server's (signs receipts).
pub struct SigningKeyPair {
    pkcs8: Zeroizing<Vec<u8>>,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyPair")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl SigningKeyPair {
    /// Generates a fresh key from the operating system's random source.
    pub fn generate() -> Self {
        let rng = SystemRandom::new();
        let document =
            Ed25519KeyPair::generate_pkcs8(&rng).expect("the system random source works");
        Self::from_pkcs8(document.as_ref()).expect("ring parses the key it generated")
    }

    /// Loads a key from its PKCS#8 v2 document (as given by [`SigningKeyPair::to_pkcs8`]).
    pub fn from_pkcs8(document: &[u8]) -> Result<Self, ProtoError> {
        let pair = Ed25519KeyPair::from_pkcs8(document)
            .map_err(|error| malformed("Ed25519 key", &error.to_string()))?;
        Ok(SigningKeyPair {
            pkcs8: Zeroizing::new(document.to_vec()),
            pair,
        })
    }

    /// The PKCS#8 v2 document of this key, to persist it. Never log it.
    pub fn to_pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public half.
    pub fn public_key(&self) -> VerifyingKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        VerifyingKey(bytes)
    }

    /// Signs a message (Ed25519 is deterministic: the same message gives the same signature).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        out
    }
}

/// An Ed25519 public key; in JSON, base64 of its 32 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifyingKey(pub [u8; 32]);

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({})", self.to_base64())
    }
}

impl VerifyingKey {
    /// Base64 of the 32 key bytes.
    pub fn to_base64(&self) -> String {
        b64::encode(&self.0)
    }

    /// Decodes [`VerifyingKey::to_base64`] text.
    pub fn from_base64(text: &str) -> Result<Self, ProtoError> {
        let bytes =
            b64::decode(text).ok_or_else(|| malformed("Ed25519 public key", "not base64"))?;
        Self::from_bytes(&bytes)
    }

    /// From the 32 key bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProtoError> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| malformed("Ed25519 public key", "not 32 bytes"))?;
        Ok(VerifyingKey(bytes))
    }

    /// Verifies a signature over a message; `what` names the signature in the error.
    pub fn verify(
        &self,
        message: &[u8],
        signature: &[u8],
        what: &'static str,
    ) -> Result<(), ProtoError> {
        signature::UnparsedPublicKey::new(&signature::ED25519, &self.0)
            .verify(message, signature)
            .map_err(|_| ProtoError::BadSignature { what })
    }
}

fn malformed(what: &'static str, reason: &str) -> ProtoError {
    ProtoError::MalformedKey {
        what,
        reason: reason.to_string(),
    }
}

fn armour(label: &str, body: &[u8]) -> String {
    let text = b64::encode(body);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn dearmour(text: &str, label: &'static str) -> Result<Vec<u8>, ProtoError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .ok_or_else(|| malformed(label_kind(label), "missing BEGIN line"))?;
    let rest = &text[start + begin.len()..];
    let stop = rest
        .find(&end)
        .ok_or_else(|| malformed(label_kind(label), "missing END line"))?;
    let body: String = rest[..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    b64::decode(&body).ok_or_else(|| malformed(label_kind(label), "not base64"))
}

fn label_kind(label: &str) -> &'static str {
    if label == SURVEY_PRIVATE_LABEL {
        "survey private key"
    } else {
        "survey public key"
    }
}
