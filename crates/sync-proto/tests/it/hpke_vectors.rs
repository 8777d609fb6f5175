//! RFC 9180 known-answer tests.
//!
//! Sources:
//! - RFC 9180 Appendix A.1.1 ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM", Base Setup
//!   Information, encryptions with sequence numbers 0, 1, 2 and the first exported value), as printed in
//!   `draft-irtf-cfrg-hpke.md` of the repository cfrg/draft-irtf-cfrg-hpke (commit b1f7cb0).
//! - For Daftar's own suite, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (KEM 0x0020, KDF
//!   0x0001, AEAD 0x0002), which the RFC's appendix does not print: the entry of the RFC's
//!   `test-vectors.json` for mode 0 and that suite, as carried in BoringSSL's
//!   `crypto/hpke/hpke_test_vectors.txt` (the same file ships in ring and aws-lc). Its AES-128-GCM entry
//!   is byte for byte Appendix A.1.1 above (`skRm`, `skEm`, `pkRm`, `pkEm` and every ciphertext), which
//!   ties the file to the RFC. That file gives the ephemeral secret key `skEm` but not `ikmE`, so the
//!   sender side of the AES-256-GCM suite is checked through the KEM's public-key derivation (`skEm` →
//!   `pkEm` = `enc`) and the receiver side in full: key schedule, ten consecutive sequence numbers and
//!   three exported values.

use hpke::aead::{AesGcm128, AesGcm256};
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use sync_proto::b64::Base64Bytes;
use sync_proto::keys::SurveyKeyPair;
use sync_proto::seal::{self, SealedPayload};
use sync_proto::{ProtoError, hex, unhex};

const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
const IKM_E: &str = "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234";
const PK_EM: &str = "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431";
const SK_EM: &str = "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736";
const IKM_R: &str = "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037";
const PK_RM: &str = "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d";
const SK_RM: &str = "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8";
const ENC: &str = "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431";
const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
/// (sequence number, aad, ct)
const ENCRYPTIONS: [(u64, &str, &str); 3] = [
    (
        0,
        "436f756e742d30",
        "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    ),
    (
        1,
        "436f756e742d31",
        "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84",
    ),
    (
        2,
        "436f756e742d32",
        "498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb72516491588d96a19ad4a683518973dcc180",
    ),
];
const EXPORT_EMPTY_CONTEXT_32: &str =
    "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee";

/// A random source that returns the given bytes, so that the ephemeral key is the RFC's.
struct FixedIkm {
    bytes: Vec<u8>,
    position: usize,
}

impl FixedIkm {
    fn new(hex_text: &str) -> Self {
        FixedIkm {
            bytes: h(hex_text),
            position: 0,
        }
    }
}

impl hpke::rand_core::TryRng for FixedIkm {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut buffer = [0u8; 4];
        self.try_fill_bytes(&mut buffer)?;
        Ok(u32::from_le_bytes(buffer))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut buffer = [0u8; 8];
        self.try_fill_bytes(&mut buffer)?;
        Ok(u64::from_le_bytes(buffer))
    }

    fn try_fill_bytes(&mut self, destination: &mut [u8]) -> Result<(), Self::Error> {
        let end = self.position + destination.len();
        assert!(
            end <= self.bytes.len(),
            "the known-answer test asked for more randomness than the ikm"
        );
        destination.copy_from_slice(&self.bytes[self.position..end]);
        self.position = end;
        Ok(())
    }
}

impl hpke::rand_core::TryCryptoRng for FixedIkm {}

/// The RFC prints X25519 private keys as derived; the crate stores them clamped (RFC 7748 §5), which
/// is the same scalar for the Diffie-Hellman function.
fn clamped(text: &str) -> String {
    let mut bytes = h(text);
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    hex(&bytes)
}

fn h(text: &str) -> Vec<u8> {
    unhex(text).expect("test vector hex")
}

#[test]
fn rfc9180_a1_base_x25519_sha256_aes128gcm_key_schedule_seal_open_export() {
    let (sk_r, pk_r) = X25519HkdfSha256::derive_keypair(&h(IKM_R));
    assert_eq!(hex(&sk_r.to_bytes()), clamped(SK_RM));
    assert_eq!(hex(&pk_r.to_bytes()), PK_RM);
    let (sk_e, pk_e) = X25519HkdfSha256::derive_keypair(&h(IKM_E));
    assert_eq!(hex(&sk_e.to_bytes()), clamped(SK_EM));
    assert_eq!(hex(&pk_e.to_bytes()), PK_EM);

    let (enc, mut sender) = hpke::setup_sender_with_rng::<AesGcm128, HkdfSha256, X25519HkdfSha256>(
        &OpModeS::Base,
        &pk_r,
        &h(INFO),
        &mut FixedIkm::new(IKM_E),
    )
    .unwrap();
    assert_eq!(hex(&enc.to_bytes()), ENC);

    let mut receiver = hpke::setup_receiver::<AesGcm128, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk_r,
        &<X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&h(ENC)).unwrap(),
        &h(INFO),
    )
    .unwrap();

    for (sequence, aad, ct) in ENCRYPTIONS {
        let sealed = sender.seal(&h(PT), &h(aad)).unwrap();
        assert_eq!(hex(&sealed), ct, "ciphertext of sequence number {sequence}");
        let opened = receiver.open(&h(ct), &h(aad)).unwrap();
        assert_eq!(hex(&opened), PT, "plaintext of sequence number {sequence}");
    }

    let mut exported = [0u8; 32];
    receiver.export(b"", &mut exported).unwrap();
    assert_eq!(hex(&exported), EXPORT_EMPTY_CONTEXT_32);
    sender.export(b"", &mut exported).unwrap();
    assert_eq!(hex(&exported), EXPORT_EMPTY_CONTEXT_32);
}

#[test]
fn daftar_suite_aes256gcm_reproduces_the_rfc_kem_and_opens_what_it_seals() {
    let recipient = SurveyKeyPair::derive(&h(IKM_R));
    assert_eq!(hex(&recipient.public_key().0), PK_RM);
    assert_eq!(hex(recipient.secret_bytes()), clamped(SK_RM));

    let aad = h(ENCRYPTIONS[0].1);
    let sealed = seal::seal_with_rng(
        &recipient.public_key(),
        &h(INFO),
        &aad,
        &h(PT),
        &mut FixedIkm::new(IKM_E),
    )
    .unwrap();
    assert_eq!(
        hex(&sealed.enc.0),
        ENC,
        "the encapsulated key is the RFC's for the RFC's ikmE"
    );
    // AES-256-GCM adds a 16-byte tag and no padding.
    assert_eq!(sealed.ciphertext.0.len(), h(PT).len() + 16);
    // The AES-128-GCM ciphertext of the RFC must differ: the key schedule binds the AEAD id.
    assert_ne!(hex(&sealed.ciphertext.0), ENCRYPTIONS[0].2);

    let opened = seal::open_with_info(&recipient, &h(INFO), &aad, &sealed).unwrap();
    assert_eq!(hex(&opened), PT);

    // Deterministic with the same ephemeral randomness.
    let again = seal::seal_with_rng(
        &recipient.public_key(),
        &h(INFO),
        &aad,
        &h(PT),
        &mut FixedIkm::new(IKM_E),
    )
    .unwrap();
    assert_eq!(again, sealed);

    // Any altered byte, another AAD, another info or another recipient refuses to open.
    for index in 0..sealed.ciphertext.0.len() {
        let mut altered = sealed.clone();
        altered.ciphertext.0[index] ^= 0x01;
        assert_eq!(
            seal::open_with_info(&recipient, &h(INFO), &aad, &altered),
            Err(ProtoError::Open)
        );
    }
    let mut altered_enc: SealedPayload = sealed.clone();
    altered_enc.enc.0[0] ^= 0x01;
    assert_eq!(
        seal::open_with_info(&recipient, &h(INFO), &aad, &altered_enc),
        Err(ProtoError::Open)
    );
    assert_eq!(
        seal::open_with_info(&recipient, &h(INFO), b"Count-1", &sealed),
        Err(ProtoError::Open)
    );
    assert_eq!(
        seal::open_with_info(&recipient, b"other info", &aad, &sealed),
        Err(ProtoError::Open)
    );
    let stranger = SurveyKeyPair::generate();
    assert_eq!(
        seal::open_with_info(&stranger, &h(INFO), &aad, &sealed),
        Err(ProtoError::Open)
    );
}

/// RFC 9180 test vectors, mode 0 (base), KEM 0x0020, KDF 0x0001, AEAD 0x0002 (AES-256-GCM).
mod aes256gcm {
    pub const SK_RM: &str = "497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d";
    pub const PK_RM: &str = "430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c";
    pub const SK_EM: &str = "179d4b53b6365c45b600c4163b61d95cbc2f4d9e36f1695558dce265ab8bab11";
    /// `pkEm`, which is also `enc`.
    pub const ENC: &str = "6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256";
    /// (sequence number, aad, ct) for the first ten encryptions; the plaintext is the module's `PT`.
    pub const ENCRYPTIONS: [(u64, &str, &str); 10] = [
        (
            0,
            "436f756e742d30",
            "e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a",
        ),
        (
            1,
            "436f756e742d31",
            "2c43aff25343fdbff864506f0818b9d87df84ea01b1a2144d23b4d40c26bf655fdf197fe40297a8aebeed5cc2d",
        ),
        (
            2,
            "436f756e742d32",
            "e0a8f2cf92ff61215edbb8c55dc31fe9e2eb42a5685867bb6854211542099f9e940c4b41c192bc390835b1a5f7",
        ),
        (
            3,
            "436f756e742d33",
            "a8ea1deafbe4935d0d484a026301a339d4668c43c37f5e289bf758c7aeb3e2812d0321c12b71978855883420c0",
        ),
        (
            4,
            "436f756e742d34",
            "448a8892f261cbb6bf5b7b64a4fae8a2c86492494b069c10525895d871c27c2f12cd17e0588fedaba9f7b0cd4c",
        ),
        (
            5,
            "436f756e742d35",
            "97c746402aa3728594f8c4f217d1e4059dae56c5fb401025ff601a61da903f2706355685954b2fdd518b81ef79",
        ),
        (
            6,
            "436f756e742d36",
            "91fe133508fe3fa6905ce19e6c8aba53994c168664088a2cd4300238236dcc90b5d2510d4315dfa8dc34bca821",
        ),
        (
            7,
            "436f756e742d37",
            "641346e222a57bd4cf1f0e6a6039c77c1684e6d01c8983b568552d338f080f1bf22d022a5ae863e12191aebc7f",
        ),
        (
            8,
            "436f756e742d38",
            "fc8446f5867c639c4c3f64079b2bee8987180b88e789a64297b91107886d739ec8f492e252bcdfb008cd6e061a",
        ),
        (
            9,
            "436f756e742d39",
            "c21ce89d9947297e1de30d9a59c0815ff1508a8930f63a91d29ed89bf2a20029830728045cd54d8a00b06f3520",
        ),
    ];
    /// (exporter context, exported value of length 32).
    pub const EXPORTS: [(&str, &str); 3] = [
        (
            "",
            "ded6cffafaea6b812cbf3e241e88332adbc077aca81512914213810ee291770a",
        ),
        (
            "00",
            "04d3cb6cc116b28ffd22ad5bc276c60d31fec71ceb87ae24db811c64b7507339",
        ),
        (
            "54657374436f6e74657874",
            "7c5ded445732c14fe09727d29b4251c0fd38455fe8440571e687f0886aac94d2",
        ),
    ];
}

#[test]
fn rfc9180_base_x25519_sha256_aes256gcm_vectors_open_with_daftars_suite() {
    use aes256gcm::*;

    // The X25519 key derivation Daftar's survey keys use gives the vectors' public keys.
    let recipient = SurveyKeyPair::from_secret_bytes(&h(SK_RM)).unwrap();
    assert_eq!(hex(&recipient.public_key().0), PK_RM);
    let ephemeral = SurveyKeyPair::from_secret_bytes(&h(SK_EM)).unwrap();
    assert_eq!(
        hex(&ephemeral.public_key().0),
        ENC,
        "the encapsulated key is the ephemeral public key"
    );

    // Daftar's single-shot open is the context's first message (sequence number 0).
    let (_, aad, ct) = ENCRYPTIONS[0];
    let sealed = SealedPayload {
        enc: Base64Bytes(h(ENC)),
        ciphertext: Base64Bytes(h(ct)),
    };
    assert_eq!(
        hex(&seal::open_with_info(&recipient, &h(INFO), &h(aad), &sealed).unwrap()),
        PT
    );
    // The same bytes do not open under Daftar's own `info`, nor with the next message's AAD.
    assert_eq!(
        seal::open(&recipient, &h(aad), &sealed),
        Err(ProtoError::Open)
    );
    assert_eq!(
        seal::open_with_info(&recipient, &h(INFO), &h(ENCRYPTIONS[1].1), &sealed),
        Err(ProtoError::Open)
    );

    // The whole receiver context: key schedule, nonces of ten consecutive sequence numbers, exports.
    let secret = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(&h(SK_RM)).unwrap();
    let mut receiver = hpke::setup_receiver::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &secret,
        &<X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&h(ENC)).unwrap(),
        &h(INFO),
    )
    .unwrap();
    for (sequence, aad, ct) in ENCRYPTIONS {
        let opened = receiver
            .open(&h(ct), &h(aad))
            .unwrap_or_else(|_| panic!("sequence number {sequence} must open"));
        assert_eq!(hex(&opened), PT, "plaintext of sequence number {sequence}");
    }
    for (context, value) in EXPORTS {
        let mut exported = [0u8; 32];
        receiver.export(&h(context), &mut exported).unwrap();
        assert_eq!(
            hex(&exported),
            value,
            "exported value for context `{context}`"
        );
    }

    // The AEAD id is bound into the key schedule: the AES-128-GCM suite cannot open these bytes.
    assert!(
        hpke::single_shot_open::<AesGcm128, HkdfSha256, X25519HkdfSha256>(
            &OpModeR::Base,
            &secret,
            &<X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&h(ENC)).unwrap(),
            &h(INFO),
            &h(ENCRYPTIONS[0].2),
            &h(ENCRYPTIONS[0].1),
        )
        .is_err()
    );
}
