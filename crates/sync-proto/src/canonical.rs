//! The canonical byte encoding that signatures cover.
//!
//! Signatures are computed over bytes built field by field, never over JSON, so that two
//! implementations (or two versions of `serde_json`) that format JSON differently still agree.
//!
//! The encoding of a message is a domain tag followed by its fields in a fixed order:
//!
//! | item | encoding |
//! | --- | --- |
//! | domain tag | the ASCII bytes of the tag followed by one `0x00` byte, e.g. `daftar-upload-v1\0` |
//! | `u8` | one byte |
//! | `u32`, `u64`, `i64` | 4 or 8 bytes, big-endian (two's complement for `i64`) |
//! | `f64` | the 8 bytes of its IEEE 754 bit pattern, big-endian |
//! | UUID | its 16 bytes in RFC 9562 order |
//! | byte string, UTF-8 string | `u32` length in bytes, then the bytes |
//! | optional value | `0x00` when absent; `0x01` then the value when present |
//! | map | `u32` entry count, then each key and value, keys in ascending byte order |
//! | list | `u32` element count, then each element |
//!
//! [`crate::wire::UploadEnvelope::signed_bytes`] and [`crate::wire::Receipt::signed_bytes`] give the
//! field order of each signed message.

use uuid::Uuid;

/// Builds a canonical encoding field by field.
#[derive(Debug, Default, Clone)]
pub struct CanonicalWriter {
    bytes: Vec<u8>,
}

impl CanonicalWriter {
    /// Starts a message with its domain tag.
    pub fn new(domain_tag: &str) -> Self {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(domain_tag.as_bytes());
        bytes.push(0);
        CanonicalWriter { bytes }
    }

    /// Appends one byte.
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.bytes.push(value);
        self
    }

    /// Appends a big-endian `u32`.
    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Appends a big-endian `u64`.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Appends a big-endian two's complement `i64`.
    pub fn i64(&mut self, value: i64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Appends the IEEE 754 bit pattern of an `f64`, big-endian.
    pub fn f64(&mut self, value: f64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_bits().to_be_bytes());
        self
    }

    /// Appends the 16 bytes of a UUID.
    pub fn uuid(&mut self, value: &Uuid) -> &mut Self {
        self.bytes.extend_from_slice(value.as_bytes());
        self
    }

    /// Appends a length-prefixed byte string.
    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        let length = u32::try_from(value.len()).expect("a signed field is shorter than 4 GiB");
        self.u32(length);
        self.bytes.extend_from_slice(value);
        self
    }

    /// Appends a length-prefixed UTF-8 string.
    pub fn str(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }

    /// Appends a count of map entries or list elements.
    pub fn count(&mut self, count: usize) -> &mut Self {
        let count = u32::try_from(count).expect("fewer than 2^32 entries");
        self.u32(count)
    }

    /// The encoded bytes.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}
