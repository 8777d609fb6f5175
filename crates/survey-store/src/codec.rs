//! The store's private, versioned encoding of what it encrypts.
//!
//! Plaintext is encoded with a small binary format before sealing, never with a general serializer: the
//! format is ours to keep stable across app versions, and every [`Answer`] must come back bit for bit
//! (a `-0.0`, a NaN payload, an empty string and Arabic text included).
//!
//! Layout: one format byte ([`FORMAT_V1`]) then the record. Integers are little-endian fixed width;
//! a string is a `u32` byte length then UTF-8; an optional value is a `0`/`1` byte then the value; a list is
//! a `u32` count then its items. An answer is a tag byte then its payload:
//!
//! | tag | variant | payload |
//! | --- | --- | --- |
//! | 0 | `Text` | string |
//! | 1 | `Integer` | i64 |
//! | 2 | `Decimal` | f64 bits as u64 |
//! | 3 | `Choice` | string |
//! | 4 | `Choices` | list of strings |
//! | 5 | `Date` | i32 |
//! | 6 | `Time` | u32 |
//! | 7 | `DateTime` | i64 millis, i32 offset |
//! | 8 | `Geo` | 4 × f64 bits (lat, lon, alt, acc) |
//! | 9 | `Money` | f64 bits, string currency |
//! | 10 | `Acknowledged` | nothing |
//!
//! Interview content is written with format byte [`FORMAT_V2`]: the version 1 record followed by the roster
//! row counts (a list of roster path, `u32` rows), so that a row added and not yet answered survives a
//! reopen. Content written with format 1 still reads, with no row counts.
//!
//! Decoding rejects unknown format bytes, unknown tags, truncation and trailing bytes.

use survey_spec::{Answer, GeoPoint};
use zeroize::Zeroizing;

use crate::{InterviewContent, ParadataEvent};

/// The format version of every record but interview content.
pub(crate) const FORMAT_V1: u8 = 1;
/// The format version of interview content (version 1 plus roster row counts).
pub(crate) const FORMAT_V2: u8 = 2;

/// A reason a buffer did not decode.
#[derive(Debug)]
pub(crate) struct DecodeError(pub(crate) String);

type DecodeResult<T> = Result<T, DecodeError>;

/// Appends values to a buffer that is zeroed when dropped.
pub(crate) struct Writer {
    buf: Zeroizing<Vec<u8>>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self::with_format(FORMAT_V1)
    }

    fn with_format(format: u8) -> Self {
        let mut buf = Zeroizing::new(Vec::with_capacity(256));
        buf.push(format);
        Writer { buf }
    }

    pub(crate) fn finish(self) -> Zeroizing<Vec<u8>> {
        self.buf
    }

    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        // Lengths above 4 GiB cannot occur in a record that fits a tablet's memory; saturating keeps the
        // writer total, and the decoder would then reject the record rather than misread it.
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    fn answer(&mut self, answer: &Answer) {
        match answer {
            Answer::Text(s) => {
                self.u8(0);
                self.str(s);
            }
            Answer::Integer(v) => {
                self.u8(1);
                self.i64(*v);
            }
            Answer::Decimal(v) => {
                self.u8(2);
                self.f64(*v);
            }
            Answer::Choice(s) => {
                self.u8(3);
                self.str(s);
            }
            Answer::Choices(codes) => {
                self.u8(4);
                self.len(codes.len());
                for code in codes {
                    self.str(code);
                }
            }
            Answer::Date(days) => {
                self.u8(5);
                self.i32(*days);
            }
            Answer::Time(seconds) => {
                self.u8(6);
                self.u32(*seconds);
            }
            Answer::DateTime {
                millis,
                offset_minutes,
            } => {
                self.u8(7);
                self.i64(*millis);
                self.i32(*offset_minutes);
            }
            Answer::Geo(point) => {
                self.u8(8);
                self.f64(point.lat);
                self.f64(point.lon);
                self.f64(point.alt);
                self.f64(point.acc);
            }
            Answer::Money { amount, currency } => {
                self.u8(9);
                self.f64(*amount);
                self.str(currency);
            }
            Answer::Acknowledged => self.u8(10),
        }
    }

    fn answers(&mut self, answers: &[(String, Answer)]) {
        self.len(answers.len());
        for (path, answer) in answers {
            self.str(path);
            self.answer(answer);
        }
    }
}

/// Reads values back, checking every length against what is left.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> DecodeResult<Self> {
        Ok(Self::with_formats(buf, &[FORMAT_V1])?.0)
    }

    /// A reader of a record that may be in any of `formats`, and the format it is in.
    fn with_formats(buf: &'a [u8], formats: &[u8]) -> DecodeResult<(Self, u8)> {
        let mut reader = Reader { rest: buf };
        let format = reader.u8()?;
        if !formats.contains(&format) {
            return Err(DecodeError(format!("unknown format version {format}")));
        }
        Ok((reader, format))
    }

    pub(crate) fn finish(self) -> DecodeResult<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError(format!("{} trailing bytes", self.rest.len())))
        }
    }

    fn take(&mut self, n: usize) -> DecodeResult<&'a [u8]> {
        if self.rest.len() < n {
            return Err(DecodeError("truncated".to_owned()));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> DecodeResult<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> DecodeResult<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> DecodeResult<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> DecodeResult<i32> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> DecodeResult<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    fn f64(&mut self) -> DecodeResult<f64> {
        Ok(f64::from_bits(u64::from_le_bytes(self.array()?)))
    }

    fn len(&mut self) -> DecodeResult<usize> {
        let n = self.u32()? as usize;
        // Every item takes at least one byte, so a count larger than what is left is corrupt; checking
        // here keeps a corrupt count from reserving gigabytes.
        if n > self.rest.len() {
            return Err(DecodeError("length beyond end of record".to_owned()));
        }
        Ok(n)
    }

    fn string(&mut self) -> DecodeResult<String> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError("invalid UTF-8".to_owned()))
    }

    fn opt_string(&mut self) -> DecodeResult<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.string()?)),
            other => Err(DecodeError(format!("bad option byte {other}"))),
        }
    }

    fn answer(&mut self) -> DecodeResult<Answer> {
        Ok(match self.u8()? {
            0 => Answer::Text(self.string()?),
            1 => Answer::Integer(self.i64()?),
            2 => Answer::Decimal(self.f64()?),
            3 => Answer::Choice(self.string()?),
            4 => {
                let n = self.len()?;
                let mut codes = Vec::with_capacity(n);
                for _ in 0..n {
                    codes.push(self.string()?);
                }
                Answer::Choices(codes)
            }
            5 => Answer::Date(self.i32()?),
            6 => Answer::Time(self.u32()?),
            7 => Answer::DateTime {
                millis: self.i64()?,
                offset_minutes: self.i32()?,
            },
            8 => Answer::Geo(GeoPoint {
                lat: self.f64()?,
                lon: self.f64()?,
                alt: self.f64()?,
                acc: self.f64()?,
            }),
            9 => Answer::Money {
                amount: self.f64()?,
                currency: self.string()?,
            },
            10 => Answer::Acknowledged,
            tag => return Err(DecodeError(format!("unknown answer tag {tag}"))),
        })
    }

    fn answers(&mut self) -> DecodeResult<Vec<(String, Answer)>> {
        let n = self.len()?;
        let mut answers = Vec::with_capacity(n);
        for _ in 0..n {
            let path = self.string()?;
            answers.push((path, self.answer()?));
        }
        Ok(answers)
    }
}

/// Encodes interview content.
pub(crate) fn encode_content(content: &InterviewContent) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::with_format(FORMAT_V2);
    w.answers(&content.answers);
    w.len(content.confirmed_warnings.len());
    for warning in &content.confirmed_warnings {
        w.str(warning);
    }
    w.opt_str(content.cursor.as_deref());
    w.opt_str(content.language.as_deref());
    w.len(content.rows.len());
    for (roster, rows) in &content.rows {
        w.str(roster);
        w.u32(*rows);
    }
    w.finish()
}

/// Decodes interview content (format 2, or format 1 without row counts).
pub(crate) fn decode_content(buf: &[u8]) -> DecodeResult<InterviewContent> {
    let (mut r, format) = Reader::with_formats(buf, &[FORMAT_V1, FORMAT_V2])?;
    let answers = r.answers()?;
    let n = r.len()?;
    let mut confirmed_warnings = Vec::with_capacity(n);
    for _ in 0..n {
        confirmed_warnings.push(r.string()?);
    }
    let cursor = r.opt_string()?;
    let language = r.opt_string()?;
    let mut rows = Vec::new();
    if format == FORMAT_V2 {
        let n = r.len()?;
        rows.reserve(n);
        for _ in 0..n {
            let roster = r.string()?;
            rows.push((roster, r.u32()?));
        }
    }
    r.finish()?;
    Ok(InterviewContent {
        answers,
        confirmed_warnings,
        cursor,
        language,
        rows,
    })
}

/// Encodes an interview for sync: its clear identification, then its content.
pub(crate) fn encode_export(
    meta: &crate::InterviewMeta,
    content: &InterviewContent,
) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::new();
    w.str(&meta.id.to_string());
    w.i64(meta.revision as i64);
    w.str(&meta.enumerator_id);
    w.str(&meta.questionnaire_id);
    w.str(&meta.questionnaire_version);
    w.opt_str(meta.assignment_id.as_deref());
    w.i64(meta.created_at);
    w.i64(meta.updated_at);
    let inner = encode_content(content);
    w.len(inner.len());
    w.buf.extend_from_slice(&inner);
    w.finish()
}

/// Decodes what [`encode_export`] wrote.
pub(crate) fn decode_export(buf: &[u8]) -> DecodeResult<crate::ExportedInterview> {
    let mut r = Reader::new(buf)?;
    let id = r.string()?;
    let interview_id =
        uuid::Uuid::parse_str(&id).map_err(|_| DecodeError("malformed interview id".to_owned()))?;
    let revision = r.i64()? as u64;
    let enumerator_id = r.string()?;
    let questionnaire_id = r.string()?;
    let questionnaire_version = r.string()?;
    let assignment_id = r.opt_string()?;
    let created_at = r.i64()?;
    let updated_at = r.i64()?;
    let n = r.len()?;
    let content = decode_content(r.take(n)?)?;
    r.finish()?;
    Ok(crate::ExportedInterview {
        interview_id,
        revision,
        enumerator_id,
        questionnaire_id,
        questionnaire_version,
        assignment_id,
        created_at,
        updated_at,
        content,
    })
}

/// Encodes assignment preloads.
pub(crate) fn encode_preload(preload: &[(String, Answer)]) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::new();
    w.answers(preload);
    w.finish()
}

/// Decodes assignment preloads.
pub(crate) fn decode_preload(buf: &[u8]) -> DecodeResult<Vec<(String, Answer)>> {
    let mut r = Reader::new(buf)?;
    let preload = r.answers()?;
    r.finish()?;
    Ok(preload)
}

/// Encodes one paradata event.
pub(crate) fn encode_event(event: &ParadataEvent) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::new();
    w.i64(event.at_millis);
    w.str(&event.kind);
    w.opt_str(event.path.as_deref());
    match &event.answer {
        None => w.u8(0),
        Some(answer) => {
            w.u8(1);
            w.answer(answer);
        }
    }
    w.opt_str(event.detail.as_deref());
    w.finish()
}

/// Decodes one paradata event.
pub(crate) fn decode_event(buf: &[u8]) -> DecodeResult<ParadataEvent> {
    let mut r = Reader::new(buf)?;
    let at_millis = r.i64()?;
    let kind = r.string()?;
    let path = r.opt_string()?;
    let answer = match r.u8()? {
        0 => None,
        1 => Some(r.answer()?),
        other => return Err(DecodeError(format!("bad option byte {other}"))),
    };
    let detail = r.opt_string()?;
    r.finish()?;
    Ok(ParadataEvent {
        at_millis,
        kind,
        path,
        answer,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_round_trips_bit_for_bit() {
        let answers = vec![
            ("t".to_owned(), Answer::Text(String::new())),
            ("ar".to_owned(), Answer::Text("دفتر العامل".to_owned())),
            ("i".to_owned(), Answer::Integer(i64::MIN)),
            ("d".to_owned(), Answer::Decimal(-0.0)),
            (
                "nan".to_owned(),
                Answer::Decimal(f64::from_bits(0x7ff8_0000_dead_beef)),
            ),
            ("c".to_owned(), Answer::Choice("yes".to_owned())),
            ("cs".to_owned(), Answer::Choices(vec![])),
            ("date".to_owned(), Answer::Date(-1)),
            ("time".to_owned(), Answer::Time(86_399)),
            (
                "dt".to_owned(),
                Answer::DateTime {
                    millis: -5,
                    offset_minutes: 60,
                },
            ),
            (
                "g".to_owned(),
                Answer::Geo(GeoPoint {
                    lat: 33.5,
                    lon: -7.6,
                    alt: f64::INFINITY,
                    acc: 3.0,
                }),
            ),
            (
                "m".to_owned(),
                Answer::Money {
                    amount: 1e300,
                    currency: "MAD".to_owned(),
                },
            ),
            ("a".to_owned(), Answer::Acknowledged),
        ];
        let encoded = encode_preload(&answers);
        let decoded = decode_preload(&encoded).unwrap();
        assert_eq!(format!("{answers:?}"), format!("{decoded:?}"));
        // Bit patterns, which `==` on f64 would not check (NaN != NaN, -0.0 == 0.0).
        let bits = |a: &Answer| match a {
            Answer::Decimal(v) => Some(v.to_bits()),
            _ => None,
        };
        for ((_, a), (_, b)) in answers.iter().zip(&decoded) {
            assert_eq!(bits(a), bits(b));
        }
    }

    /// SplitMix64, so a failure reproduces from its seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn string(&mut self) -> String {
            const PIECES: &[&str] = &[
                "", "a", "é", "ع", "ب", "🇲🇦", "\u{0}", " ", "\u{200f}", "Z", "١",
            ];
            (0..self.next() % 12)
                .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
                .collect()
        }

        fn answer(&mut self) -> Answer {
            let f = |r: &mut Rng| f64::from_bits(r.next());
            match self.next() % 11 {
                0 => Answer::Text(self.string()),
                1 => Answer::Integer(self.next() as i64),
                2 => Answer::Decimal(f(self)),
                3 => Answer::Choice(self.string()),
                4 => Answer::Choices((0..self.next() % 4).map(|_| self.string()).collect()),
                5 => Answer::Date(self.next() as i32),
                6 => Answer::Time(self.next() as u32),
                7 => Answer::DateTime {
                    millis: self.next() as i64,
                    offset_minutes: self.next() as i32,
                },
                8 => Answer::Geo(GeoPoint {
                    lat: f(self),
                    lon: f(self),
                    alt: f(self),
                    acc: f(self),
                }),
                9 => Answer::Money {
                    amount: f(self),
                    currency: self.string(),
                },
                _ => Answer::Acknowledged,
            }
        }
    }

    /// The encoding of an answer list with floats as bit patterns, to compare exactly.
    fn exact(answers: &[(String, Answer)]) -> String {
        let bits = |v: &f64| format!("{:016x}", v.to_bits());
        answers
            .iter()
            .map(|(path, answer)| match answer {
                Answer::Decimal(v) => format!("{path:?}=D{}", bits(v)),
                Answer::Geo(g) => format!(
                    "{path:?}=G{}{}{}{}",
                    bits(&g.lat),
                    bits(&g.lon),
                    bits(&g.alt),
                    bits(&g.acc)
                ),
                Answer::Money { amount, currency } => {
                    format!("{path:?}=M{}{currency:?}", bits(amount))
                }
                other => format!("{path:?}={other:?}"),
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    #[test]
    fn random_contents_round_trip_exactly() {
        let mut rng = Rng(0xc0de_c0de);
        for _ in 0..2_000 {
            let content = InterviewContent {
                answers: (0..rng.next() % 20)
                    .map(|_| (rng.string(), rng.answer()))
                    .collect(),
                confirmed_warnings: (0..rng.next() % 3).map(|_| rng.string()).collect(),
                cursor: rng.next().is_multiple_of(2).then(|| rng.string()),
                language: rng.next().is_multiple_of(2).then(|| rng.string()),
                rows: (0..rng.next() % 4)
                    .map(|_| (rng.string(), rng.next() as u32))
                    .collect(),
            };
            let decoded = decode_content(&encode_content(&content)).unwrap();
            assert_eq!(decoded.rows, content.rows);
            assert_eq!(exact(&decoded.answers), exact(&content.answers));
            assert_eq!(
                (
                    &decoded.confirmed_warnings,
                    &decoded.cursor,
                    &decoded.language
                ),
                (
                    &content.confirmed_warnings,
                    &content.cursor,
                    &content.language
                )
            );
        }
    }

    #[test]
    fn corrupt_buffers_are_rejected_not_misread() {
        let encoded = encode_preload(&[("x".to_owned(), Answer::Text("abc".to_owned()))]);
        for cut in 0..encoded.len() {
            assert!(
                decode_preload(&encoded[..cut]).is_err(),
                "prefix of {cut} bytes decoded"
            );
        }
        let mut trailing = encoded.to_vec();
        trailing.push(0);
        assert!(decode_preload(&trailing).is_err());
        let mut bad_tag = encoded.to_vec();
        let tag_at = 1 + 4 + 4 + 1;
        bad_tag[tag_at] = 99;
        assert!(decode_preload(&bad_tag).is_err());
    }

    #[test]
    fn content_of_format_1_reads_without_row_counts_and_format_2_checks_its_rows() {
        let content = InterviewContent {
            answers: vec![("name".to_owned(), Answer::Text("x".to_owned()))],
            confirmed_warnings: vec!["w".to_owned()],
            cursor: Some("name".to_owned()),
            language: Some("ar".to_owned()),
            rows: vec![
                ("members".to_owned(), 3),
                ("members[2].stays".to_owned(), 1),
            ],
        };
        let v2 = encode_content(&content);
        assert_eq!(v2[0], FORMAT_V2);
        assert_eq!(decode_content(&v2).unwrap(), content);

        // The same record as an earlier version wrote it: format byte 1, no row counts.
        let mut w = Writer::new();
        w.answers(&content.answers);
        w.len(1);
        w.str("w");
        w.opt_str(Some("name"));
        w.opt_str(Some("ar"));
        let v1 = w.finish();
        let old = decode_content(&v1).unwrap();
        assert_eq!(old.rows, Vec::<(String, u32)>::new());
        assert_eq!(old.answers, content.answers);

        // A format 1 record must not carry rows; a format 2 record must.
        let mut v1_with_rows = v2.to_vec();
        v1_with_rows[0] = FORMAT_V1;
        assert!(decode_content(&v1_with_rows).is_err());
        let mut v2_without_rows = v1.to_vec();
        v2_without_rows[0] = FORMAT_V2;
        assert!(decode_content(&v2_without_rows).is_err());
        for cut in 0..v2.len() {
            assert!(decode_content(&v2[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }
}
