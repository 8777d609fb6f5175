//! Data keys, record sealing and key wrapping. The only module that touches key bytes.
//!
//! # Record sealing
//!
//! Every encrypted column holds `version (1 byte) || nonce (12 bytes) || AES-256-GCM ciphertext and tag`.
//! The associated data is `"daftar-store/v1" || table || record id || column || revision || context`, each
//! part length-prefixed, so a blob moved to another row, another column, another revision of the same row
//! or another enumerator's table fails to open, and the failure names the record it was read from.
//!
//! # Why a nonce never repeats under a data key
//!
//! A nonce is a 32-bit *session prefix* followed by a 64-bit *counter*.
//!
//! * The counter is the load-bearing part. Its high-water mark is stored in the profile row, and the store
//!   hands out counter values only from a block it has **already durably reserved**: before the first seal of
//!   a block, a transaction of its own advances the stored mark past the block and commits with
//!   `synchronous=FULL`. Values are taken from memory afterwards and are never given back, whatever happens
//!   to the write that used them. So a save that fails, rolls back or is cut by a crash or a kill burns its
//!   values; the next session starts above the stored mark. This is stronger than incrementing the counter
//!   in the same transaction as the ciphertext: SQLite may already have written frames of an uncommitted
//!   transaction into the `-wal` file when it fails (on a full disk, say), so the bytes of a ciphertext whose
//!   transaction rolled back can linger on the flash; reusing its counter for a different plaintext would
//!   then be a real nonce reuse for anyone who images the storage.
//! * Counters run per data key (per profile), and each profile's data key is independent and random.
//! * The prefix is drawn at random at every unlock. It only matters if the counter is rewound, which
//!   happens when an old copy of the database file is restored (a backup, a forensic copy put back): the
//!   restored copy reissues counter values it had already issued. With a fresh random prefix per session
//!   the same nonce then also needs a 32-bit prefix collision between two sessions (about one chance in
//!   four billion per pair of sessions), rather than a certainty. A restore is not a normal operation; the
//!   app should treat a database whose counter is below what the server last saw as suspect.
//!
//! # Keys
//!
//! The data key (256 random bits, per enumerator) is wrapped with AES-256-GCM under a key-encryption key
//! `KEK = HKDF-SHA256(salt = "daftar-store/v1/kek", ikm = PBKDF2-HMAC-SHA256(PIN, salt, iterations) ||
//! device_secret, info = enumerator id)`: both the PIN and the device secret are needed. It is also sealed
//! with HPKE (X25519-HKDF-SHA256, HKDF-SHA256, AES-256-GCM) to the survey's recovery public key.

use std::num::NonZeroU32;

use hpke::{Deserializable, Kem as _, Serializable};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hkdf, pbkdf2};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Result, StoreError};

/// Format byte of a sealed record blob.
const BLOB_V1: u8 = 1;
/// Bytes of a nonce.
const NONCE_LEN: usize = 12;
/// Counter values reserved durably at a time.
pub(crate) const NONCE_BLOCK: u64 = 4096;

type HpkeKem = hpke::kem::X25519HkdfSha256;
type HpkeKdf = hpke::kdf::HkdfSha256;
type HpkeAead = hpke::aead::AesGcm256;

/// Fills `out` from the operating system's generator.
pub(crate) fn random_fill(out: &mut [u8]) -> Result<()> {
    SystemRandom::new()
        .fill(out)
        .map_err(|_| StoreError::Random)
}

/// 32 random bytes.
pub(crate) fn random_32() -> Result<Zeroizing<[u8; 32]>> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random_fill(bytes.as_mut())?;
    Ok(bytes)
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, bytes).as_ref());
    out
}

/// An enumerator's data key. The raw bytes are zeroed on drop; ring's expanded key schedule inside
/// [`LessSafeKey`] is not under our control and is freed (not zeroed) with it.
pub(crate) struct DataKey {
    raw: Zeroizing<[u8; 32]>,
    key: LessSafeKey,
}

impl DataKey {
    pub(crate) fn generate() -> Result<Self> {
        Self::from_bytes(&random_32()?[..])
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut raw = Zeroizing::new([0u8; 32]);
        if bytes.len() != 32 {
            return Err(StoreError::InvalidArgument(
                "data key must be 32 bytes".to_owned(),
            ));
        }
        raw.copy_from_slice(bytes);
        let key = LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &raw[..]).map_err(|_| StoreError::Random)?,
        );
        Ok(DataKey { raw, key })
    }

    pub(crate) fn raw(&self) -> &[u8] {
        &self.raw[..]
    }
}

/// Where a blob lives; bound into its associated data.
#[derive(Clone, Copy)]
pub(crate) struct BlobPlace<'a> {
    pub(crate) table: &'static str,
    pub(crate) id: &'a str,
    pub(crate) column: &'static str,
    pub(crate) revision: u64,
    /// Further clear fields the blob belongs with (enumerator, questionnaire), so that editing them in the
    /// clear columns also breaks authentication.
    pub(crate) context: &'a [&'a str],
}

impl BlobPlace<'_> {
    fn aad(&self) -> Vec<u8> {
        let mut aad = Vec::with_capacity(96);
        let mut part = |bytes: &[u8]| {
            aad.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            aad.extend_from_slice(bytes);
        };
        part(b"daftar-store/v1");
        part(self.table.as_bytes());
        part(self.id.as_bytes());
        part(self.column.as_bytes());
        part(&self.revision.to_le_bytes());
        for c in self.context {
            part(c.as_bytes());
        }
        aad
    }

    pub(crate) fn tampered(&self) -> StoreError {
        StoreError::Tampered {
            table: self.table,
            id: self.id.to_owned(),
            column: self.column,
        }
    }
}

/// Hands out nonces: a per-session random prefix and counter values from a durably reserved block.
pub(crate) struct NonceSource {
    prefix: [u8; 4],
    next: u64,
    /// Exclusive end of the reserved block; `next == limit` means a new block must be reserved first.
    limit: u64,
}

impl NonceSource {
    pub(crate) fn new() -> Result<Self> {
        let mut prefix = [0; 4];
        random_fill(&mut prefix)?;
        Ok(NonceSource {
            prefix,
            next: 0,
            limit: 0,
        })
    }

    /// How many counter values are left in the reserved block.
    pub(crate) fn available(&self) -> u64 {
        self.limit - self.next
    }

    /// Records that `[start, end)` has been durably reserved.
    pub(crate) fn add_block(&mut self, start: u64, end: u64) {
        self.next = start;
        self.limit = end;
    }

    fn take(&mut self) -> Option<[u8; NONCE_LEN]> {
        if self.next >= self.limit {
            return None;
        }
        let mut nonce = [0; NONCE_LEN];
        nonce[..4].copy_from_slice(&self.prefix);
        nonce[4..].copy_from_slice(&self.next.to_be_bytes());
        self.next += 1;
        Some(nonce)
    }
}

/// Seals `plaintext` for `place`. The caller must have made sure a nonce is available.
pub(crate) fn seal(
    key: &DataKey,
    nonces: &mut NonceSource,
    place: &BlobPlace<'_>,
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let nonce = nonces
        .take()
        .ok_or_else(|| StoreError::InvalidArgument("no reserved nonce (store bug)".to_owned()))?;
    let mut blob = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    blob.push(BLOB_V1);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(plaintext);
    let tag = key
        .key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(place.aad()),
            &mut blob[1 + NONCE_LEN..],
        )
        .map_err(|_| StoreError::InvalidArgument("record too large to seal".to_owned()))?;
    blob.extend_from_slice(tag.as_ref());
    Ok(blob)
}

/// Opens a blob sealed for `place`, or names the record as tampered.
pub(crate) fn open(
    key: &DataKey,
    place: &BlobPlace<'_>,
    blob: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if blob.len() < 1 + NONCE_LEN + AES_256_GCM.tag_len() || blob[0] != BLOB_V1 {
        return Err(place.tampered());
    }
    let mut nonce = [0; NONCE_LEN];
    nonce.copy_from_slice(&blob[1..1 + NONCE_LEN]);
    let mut buf = Zeroizing::new(blob[1 + NONCE_LEN..].to_vec());
    let len = key
        .key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(place.aad()),
            &mut buf[..],
        )
        .map_err(|_| place.tampered())?
        .len();
    buf.truncate(len);
    Ok(buf)
}

/// PBKDF2 parameters stored with a profile.
pub(crate) struct PinKdf {
    pub(crate) salt: [u8; 16],
    pub(crate) iterations: NonZeroU32,
}

/// Derives the key-encryption key from the PIN and the device secret.
fn kek(pin: &str, kdf: &PinKdf, device_secret: &[u8], enumerator_id: &str) -> LessSafeKey {
    let mut ikm = Zeroizing::new([0u8; 64]);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        kdf.iterations,
        &kdf.salt,
        pin.as_bytes(),
        &mut ikm[..32],
    );
    let n = device_secret.len().min(32);
    ikm[32..32 + n].copy_from_slice(&device_secret[..n]);
    let info = [enumerator_id.as_bytes()];
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"daftar-store/v1/kek").extract(&ikm[..]);
    let okm = prk
        .expand(&info, &AES_256_GCM)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    LessSafeKey::new(UnboundKey::from(okm))
}

fn wrap_aad(enumerator_id: &str) -> Vec<u8> {
    let mut aad = b"daftar-store/v1/pin-wrapped-data-key/".to_vec();
    aad.extend_from_slice(enumerator_id.as_bytes());
    aad
}

/// Wraps the data key under the PIN and device secret: `nonce || ciphertext || tag`.
pub(crate) fn wrap_data_key(
    key: &DataKey,
    pin: &str,
    kdf: &PinKdf,
    device_secret: &[u8],
    enumerator_id: &str,
) -> Result<Vec<u8>> {
    let kek = kek(pin, kdf, device_secret, enumerator_id);
    let mut nonce = [0; NONCE_LEN];
    random_fill(&mut nonce)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(key.raw());
    let tag = kek
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(wrap_aad(enumerator_id)),
            &mut out[NONCE_LEN..],
        )
        .map_err(|_| StoreError::Random)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Unwraps the data key; `None` when the PIN or the device secret is wrong (or the blob altered).
pub(crate) fn unwrap_data_key(
    wrapped: &[u8],
    pin: &str,
    kdf: &PinKdf,
    device_secret: &[u8],
    enumerator_id: &str,
) -> Option<DataKey> {
    if wrapped.len() != NONCE_LEN + 32 + AES_256_GCM.tag_len() {
        return None;
    }
    let kek = kek(pin, kdf, device_secret, enumerator_id);
    let mut nonce = [0; NONCE_LEN];
    nonce.copy_from_slice(&wrapped[..NONCE_LEN]);
    let mut buf = Zeroizing::new(wrapped[NONCE_LEN..].to_vec());
    let plain = kek
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(wrap_aad(enumerator_id)),
            &mut buf[..],
        )
        .ok()?;
    DataKey::from_bytes(plain).ok()
}

/// An X25519 public key that data can be sealed to with HPKE (the survey's recovery or submission key).
#[derive(Clone, PartialEq, Eq)]
pub struct SealingPublicKey([u8; 32]);

impl SealingPublicKey {
    /// Reads the 32-byte X25519 encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let _ = <HpkeKem as hpke::Kem>::PublicKey::from_bytes(bytes)
            .map_err(|_| StoreError::InvalidArgument("not an X25519 public key".to_owned()))?;
        let mut out = [0; 32];
        out.copy_from_slice(bytes);
        Ok(SealingPublicKey(out))
    }

    /// The 32-byte X25519 encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
}

impl std::fmt::Debug for SealingPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "SealingPublicKey({hex})")
    }
}

/// The private half of a [`SealingPublicKey`]. Zeroed on drop; its `Debug` shows nothing.
pub struct SealingPrivateKey(Zeroizing<[u8; 32]>);

impl SealingPrivateKey {
    /// Reads the 32-byte X25519 encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let _ = <HpkeKem as hpke::Kem>::PrivateKey::from_bytes(bytes)
            .map_err(|_| StoreError::InvalidArgument("not an X25519 private key".to_owned()))?;
        let mut out = Zeroizing::new([0; 32]);
        out.copy_from_slice(bytes);
        Ok(SealingPrivateKey(out))
    }

    /// The 32-byte X25519 encoding. Handle with care.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.0.clone()
    }

    /// The matching public key.
    pub fn public_key(&self) -> SealingPublicKey {
        let sk = <HpkeKem as hpke::Kem>::PrivateKey::from_bytes(&self.0[..])
            .expect("checked when the key was made");
        let mut out = [0u8; 32];
        out.copy_from_slice(&HpkeKem::sk_to_pk(&sk).to_bytes());
        SealingPublicKey(out)
    }
}

impl std::fmt::Debug for SealingPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingPrivateKey(..)")
    }
}

/// An HPKE key pair. The survey's recovery key is one ([`RecoveryKeyPair`]); so is its submission key.
#[derive(Debug)]
pub struct SealingKeyPair {
    /// Goes to every tablet.
    pub public: SealingPublicKey,
    /// Stays with the data custodian.
    pub private: SealingPrivateKey,
}

/// The survey's recovery key pair: the public half is on every tablet, the private half with the custodian.
pub type RecoveryKeyPair = SealingKeyPair;

impl SealingKeyPair {
    /// A fresh random key pair, for tests and the CLI's key generation.
    pub fn generate() -> Result<Self> {
        let ikm = random_32()?;
        let (private, public) = HpkeKem::derive_keypair(&ikm[..]);
        let mut private_bytes = Zeroizing::new([0u8; 32]);
        private_bytes.copy_from_slice(&private.to_bytes());
        let mut public_bytes = [0u8; 32];
        public_bytes.copy_from_slice(&public.to_bytes());
        Ok(SealingKeyPair {
            public: SealingPublicKey(public_bytes),
            private: SealingPrivateKey(private_bytes),
        })
    }

    /// The pair of a known private key (for example one unlocked from the custodian's key file).
    pub fn from_private(private: SealingPrivateKey) -> Self {
        SealingKeyPair {
            public: private.public_key(),
            private,
        }
    }
}

/// The HPKE ephemeral key's randomness, from ring's `SystemRandom` like every other random value of the
/// store. HPKE asks for an infallible generator, so the bytes are drawn (fallibly) up front: an X25519
/// encapsulation takes exactly 32 bytes, and the 64 drawn leave a margin.
struct RingRng {
    bytes: Zeroizing<[u8; 64]>,
    used: usize,
}

impl RingRng {
    fn new() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 64]);
        random_fill(bytes.as_mut())?;
        Ok(RingRng { bytes, used: 0 })
    }
}

impl hpke::rand_core::TryRng for RingRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut out = [0; 4];
        self.try_fill_bytes(&mut out)?;
        Ok(u32::from_le_bytes(out))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut out = [0; 8];
        self.try_fill_bytes(&mut out)?;
        Ok(u64::from_le_bytes(out))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let end = self.used + dst.len();
        // Never reached with X25519 (32 bytes per seal); if a future suite needed more, failing loudly is
        // the only safe choice for an infallible generator: repeating bytes would be a broken key.
        assert!(
            end <= self.bytes.len(),
            "HPKE asked for more randomness than drawn"
        );
        dst.copy_from_slice(&self.bytes[self.used..end]);
        self.used = end;
        Ok(())
    }
}

impl hpke::rand_core::TryCryptoRng for RingRng {}

/// Seals `plaintext` to `recipient` with HPKE base mode: `encapsulated key (32) || ciphertext || tag`.
pub(crate) fn hpke_seal(
    recipient: &SealingPublicKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let pk = <HpkeKem as hpke::Kem>::PublicKey::from_bytes(&recipient.0)
        .map_err(|_| StoreError::InvalidArgument("not an X25519 public key".to_owned()))?;
    let (encapped, ciphertext) = hpke::single_shot_seal_with_rng::<HpkeAead, HpkeKdf, HpkeKem>(
        &hpke::OpModeS::Base,
        &pk,
        info,
        plaintext,
        aad,
        &mut RingRng::new()?,
    )
    .map_err(|_| StoreError::Random)?;
    let mut out = encapped.to_bytes().to_vec();
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens what [`hpke_seal`] sealed; `None` if the key is wrong or the bytes were altered.
pub(crate) fn hpke_open(
    private: &SealingPrivateKey,
    info: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 32 {
        return None;
    }
    let sk = <HpkeKem as hpke::Kem>::PrivateKey::from_bytes(&private.0[..]).ok()?;
    let encapped = <HpkeKem as hpke::Kem>::EncappedKey::from_bytes(&sealed[..32]).ok()?;
    let mut plain = hpke::single_shot_open::<HpkeAead, HpkeKdf, HpkeKem>(
        &hpke::OpModeR::Base,
        &sk,
        &encapped,
        info,
        &sealed[32..],
        aad,
    )
    .ok()?;
    let out = Zeroizing::new(plain.clone());
    plain.zeroize();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_come_only_from_reserved_blocks_and_never_repeat() {
        let mut nonces = NonceSource::new().unwrap();
        assert!(nonces.take().is_none(), "no block reserved yet");
        nonces.add_block(10, 13);
        let taken: Vec<_> = std::iter::from_fn(|| nonces.take()).collect();
        assert_eq!(taken.len(), 3);
        assert_eq!(&taken[0][4..], &10u64.to_be_bytes());
        assert_eq!(&taken[2][4..], &12u64.to_be_bytes());
    }

    #[test]
    fn hpke_round_trip_and_wrong_key() {
        let pair = SealingKeyPair::generate().unwrap();
        let other = SealingKeyPair::generate().unwrap();
        let sealed = hpke_seal(&pair.public, b"info", b"aad", b"secret").unwrap();
        assert_eq!(
            &hpke_open(&pair.private, b"info", b"aad", &sealed).unwrap()[..],
            b"secret"
        );
        assert!(hpke_open(&other.private, b"info", b"aad", &sealed).is_none());
        assert!(hpke_open(&pair.private, b"info", b"other aad", &sealed).is_none());
        // Fresh ephemeral randomness every time.
        let again = hpke_seal(&pair.public, b"info", b"aad", b"secret").unwrap();
        assert_ne!(sealed[..32], again[..32]);
    }
}
