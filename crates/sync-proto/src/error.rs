use thiserror::Error;

/// Everything that can go wrong in this crate. Messages name what failed, never a key or an answer.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ProtoError {
    /// A key's text or bytes could not be decoded.
    #[error("malformed {what}: {reason}")]
    MalformedKey {
        /// Which kind of key.
        what: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A signature did not verify against the expected public key.
    #[error("the {what} signature does not verify")]
    BadSignature {
        /// Which signature (device envelope, server receipt).
        what: &'static str,
    },
    /// Sealing to the survey key failed.
    #[error("could not seal the interview payload")]
    Seal,
    /// Opening a sealed payload failed: wrong key, or the ciphertext or its header was altered.
    #[error("could not open the sealed payload: wrong survey key or altered envelope")]
    Open,
    /// A passphrase-wrapped key could not be unwrapped: wrong passphrase or altered file.
    #[error("could not unwrap the survey key: wrong passphrase or altered key file")]
    Unwrap,
    /// An opened payload is not a valid payload encoding.
    #[error("the opened payload is malformed: {0}")]
    Payload(String),
    /// Key derivation from a passphrase failed.
    #[error("passphrase key derivation failed: {0}")]
    Kdf(String),
}
