//! The plaintext inside a sealed envelope: one encoding byte, then the interview bytes.
//!
//! | first byte | rest |
//! | --- | --- |
//! | `0x00` | the interview bytes as they are |
//! | `0x01` | the interview bytes compressed with raw DEFLATE (RFC 1951) |
//!
//! Ciphertext does not compress, so compression has to happen before sealing; it is what keeps a
//! 300-answer interview to a couple of kilobytes on a 2G link. [`encode`] keeps whichever form is
//! smaller. The compressed text holds only the enumerator's answers (no attacker-chosen text is
//! mixed with secrets), so the length of the ciphertext reveals nothing a CRIME-style attack could use.

use std::io::{Read as _, Write as _};

use crate::ProtoError;

const RAW: u8 = 0x00;
const DEFLATE: u8 = 0x01;

/// The largest interview [`decode`] will inflate to (64 MiB), against decompression bombs.
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

/// Encodes interview bytes for sealing: compressed when that is smaller.
pub fn encode(plaintext: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(plaintext.len() / 2 + 16),
        flate2::Compression::new(9),
    );
    let compressed = encoder.write_all(plaintext).and_then(|()| encoder.finish());
    match compressed {
        Ok(compressed) if compressed.len() < plaintext.len() => {
            let mut out = Vec::with_capacity(compressed.len() + 1);
            out.push(DEFLATE);
            out.extend_from_slice(&compressed);
            out
        }
        _ => {
            let mut out = Vec::with_capacity(plaintext.len() + 1);
            out.push(RAW);
            out.extend_from_slice(plaintext);
            out
        }
    }
}

/// Decodes what [`encode`] produced.
pub fn decode(encoded: &[u8]) -> Result<Vec<u8>, ProtoError> {
    match encoded.split_first() {
        Some((&RAW, rest)) => Ok(rest.to_vec()),
        Some((&DEFLATE, rest)) => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(rest)
                .take(MAX_DECODED_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|error| ProtoError::Payload(error.to_string()))?;
            if out.len() as u64 > MAX_DECODED_BYTES {
                return Err(ProtoError::Payload(
                    "larger than 64 MiB once inflated".into(),
                ));
            }
            Ok(out)
        }
        Some((other, _)) => Err(ProtoError::Payload(format!(
            "unknown encoding byte {other:#04x}"
        ))),
        None => Err(ProtoError::Payload("empty".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_the_smaller_form() {
        let repetitive =
            br#"{"q001": "yes", "q002": "yes", "q003": "yes", "q004": "yes"}"#.repeat(20);
        let encoded = encode(&repetitive);
        assert_eq!(encoded[0], DEFLATE);
        assert!(encoded.len() < repetitive.len() / 4);
        assert_eq!(decode(&encoded).unwrap(), repetitive);

        let tiny = b"{}";
        let encoded = encode(tiny);
        assert_eq!(encoded, [RAW, b'{', b'}']);
        assert_eq!(decode(&encoded).unwrap(), tiny);

        assert!(matches!(decode(&[7, 1, 2]), Err(ProtoError::Payload(_))));
        assert!(matches!(decode(&[]), Err(ProtoError::Payload(_))));
        assert!(matches!(
            decode(&[DEFLATE, 0xff, 0xff]),
            Err(ProtoError::Payload(_))
        ));
    }
}
