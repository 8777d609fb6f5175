//! No plaintext on disk: unique canaries in every kind of answer, event and preload are searched for in
//! every file of the store's directory, raw and in the encodings a leak would likely take.

use std::path::Path;

use survey_spec::{Answer, GeoPoint};
use survey_store::*;

use crate::support::*;

const TEXT_CANARIES: &[&str] = &[
    "CANARYtextQ7x1",
    "CANARYchoiceK3v9",
    "CANARYmultiA8z2",
    "CANARYmultiB5w4",
    "CANARYcurrencyP6",
    "CANARYpathM2n8",
    "CANARYwarningJ4",
    "CANARYcursorH9q",
    "CANARYlangT3",
    "CANARYeventKindR5",
    "CANARYeventPathE1",
    "CANARYeventDetailD7",
    "CANARYpreloadNameN4",
    "CANARYpreloadPathB6",
    "كناري_عربي_فريد",
    "CANARYrosterRowsW2",
];
const INT_CANARY: i64 = 7_364_018_259_431;
const DECIMAL_CANARY: f64 = 4_821.937_261_55;
const MONEY_CANARY: f64 = 91_827.364_5;
const MILLIS_CANARY: i64 = 1_699_999_123_457;
const LAT_CANARY: f64 = 34.020_918_77;
const CONTROL: &str = "CONTROLclearSourceZ8";

fn standard_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The ways `bytes` could appear in a file: raw, UTF-16 (for strings), base64 at each of the 3 alignments
/// (only the characters that depend on the canary alone), hex lower and upper.
fn encodings(bytes: &[u8], is_text: bool) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("raw".to_owned(), bytes.to_vec())];
    if is_text {
        let s = std::str::from_utf8(bytes).unwrap();
        out.push((
            "utf16le".into(),
            s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ));
        out.push((
            "utf16be".into(),
            s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ));
    }
    for k in 0..3 {
        let mut input = vec![0u8; k];
        input.extend_from_slice(bytes);
        let encoded = standard_base64(&input);
        let first = (8 * k).div_ceil(6);
        let last = (8 * (k + bytes.len()) - 6) / 6;
        out.push((
            format!("base64+{k}"),
            encoded.as_bytes()[first..=last].to_vec(),
        ));
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    out.push(("hex".into(), hex.clone().into_bytes()));
    out.push(("HEX".into(), hex.to_uppercase().into_bytes()));
    out
}

fn needles() -> Vec<(String, Vec<u8>, bool)> {
    let mut needles: Vec<(String, Vec<u8>, bool)> = TEXT_CANARIES
        .iter()
        .map(|c| (c.to_string(), c.as_bytes().to_vec(), true))
        .collect();
    needles.push(("PIN".into(), PIN.as_bytes().to_vec(), true));
    for (name, text, le, be) in [
        (
            "int",
            INT_CANARY.to_string(),
            INT_CANARY.to_le_bytes(),
            INT_CANARY.to_be_bytes(),
        ),
        (
            "millis",
            MILLIS_CANARY.to_string(),
            MILLIS_CANARY.to_le_bytes(),
            MILLIS_CANARY.to_be_bytes(),
        ),
        (
            "decimal",
            DECIMAL_CANARY.to_string(),
            DECIMAL_CANARY.to_le_bytes(),
            DECIMAL_CANARY.to_be_bytes(),
        ),
        (
            "money",
            MONEY_CANARY.to_string(),
            MONEY_CANARY.to_le_bytes(),
            MONEY_CANARY.to_be_bytes(),
        ),
        (
            "lat",
            LAT_CANARY.to_string(),
            LAT_CANARY.to_le_bytes(),
            LAT_CANARY.to_be_bytes(),
        ),
    ] {
        needles.push((format!("{name} text"), text.into_bytes(), true));
        needles.push((format!("{name} le"), le.to_vec(), false));
        needles.push((format!("{name} be"), be.to_vec(), false));
    }
    needles
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every (file, canary, encoding) found in the directory.
fn leaks(dir: &Path, needles: &[(String, Vec<u8>, bool)]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for (name, needle, is_text) in needles {
            for (encoding, pattern) in encodings(needle, *is_text) {
                if find(&bytes, &pattern) {
                    found.push(format!(
                        "{} in {} ({encoding})",
                        name,
                        path.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    found
}

fn canary_content() -> InterviewContent {
    InterviewContent {
        answers: vec![
            ("name".into(), Answer::Text(TEXT_CANARIES[0].into())),
            ("arabic".into(), Answer::Text(TEXT_CANARIES[14].into())),
            ("sex".into(), Answer::Choice(TEXT_CANARIES[1].into())),
            (
                "langs".into(),
                Answer::Choices(vec![TEXT_CANARIES[2].into(), TEXT_CANARIES[3].into()]),
            ),
            (
                "fee".into(),
                Answer::Money {
                    amount: MONEY_CANARY,
                    currency: TEXT_CANARIES[4].into(),
                },
            ),
            (
                format!("hh_roster[1].{}", TEXT_CANARIES[5]),
                Answer::Integer(INT_CANARY),
            ),
            ("share".into(), Answer::Decimal(DECIMAL_CANARY)),
            (
                "at".into(),
                Answer::DateTime {
                    millis: MILLIS_CANARY,
                    offset_minutes: 0,
                },
            ),
            (
                "gps".into(),
                Answer::Geo(GeoPoint {
                    lat: LAT_CANARY,
                    lon: -6.841_65,
                    alt: 50.0,
                    acc: 5.0,
                }),
            ),
            ("consent".into(), Answer::Acknowledged),
        ],
        confirmed_warnings: vec![TEXT_CANARIES[6].into()],
        cursor: Some(TEXT_CANARIES[7].into()),
        language: Some(TEXT_CANARIES[8].into()),
        rows: vec![(TEXT_CANARIES[15].into(), 7)],
    }
}

#[test]
fn the_search_finds_every_encoding_it_looks_for() {
    // A control for the search itself: each encoding, embedded at every offset mod 3, is found.
    for (name, needle, is_text) in needles() {
        for (encoding, pattern) in encodings(&needle, is_text) {
            let full_encoding = match encoding.as_str() {
                e if e.starts_with("base64") => {
                    let k: usize = e[7..].parse().unwrap();
                    let mut input = vec![b'x'; k];
                    input.extend_from_slice(&needle);
                    input.extend_from_slice(b"yy");
                    standard_base64(&input).into_bytes()
                }
                _ => pattern.clone(),
            };
            let mut haystack = b"some file bytes ".to_vec();
            haystack.extend_from_slice(&full_encoding);
            haystack.extend_from_slice(b" more");
            assert!(find(&haystack, &pattern), "{name} {encoding} not found");
        }
    }
}

#[test]
fn no_canary_reaches_the_database_wal_shm_or_temp_files() {
    let db = TestDb::new();
    let needles = needles();
    let mut store = db.create();
    // The settings that keep plaintext-adjacent pages out of temp files and freed pages: SQLite unlinks its
    // temp files as soon as it opens them, so no directory scan could see them; checking the settings can.
    let settings: Vec<String> = ["journal_mode", "synchronous", "temp_store", "secure_delete"]
        .iter()
        .map(|p| format!("{p}={}", store.debug_pragma(p).unwrap()))
        .collect();
    assert_eq!(
        settings,
        [
            "journal_mode=wal",
            "synchronous=2",
            "temp_store=2",
            "secure_delete=1"
        ]
    );
    store
        .put_questionnaire_version(&QuestionnaireVersion::new(
            "migrants",
            "v3",
            CONTROL.as_bytes().to_vec(),
        ))
        .unwrap();
    store
        .put_assignment(&Assignment {
            assignment_id: "A-1".into(),
            questionnaire_id: "migrants".into(),
            questionnaire_version: "v3".into(),
            preload: vec![(
                TEXT_CANARIES[13].into(),
                Answer::Text(TEXT_CANARIES[12].into()),
            )],
        })
        .unwrap();
    let content = canary_content();
    let event = ParadataEvent {
        at_millis: MILLIS_CANARY,
        kind: TEXT_CANARIES[9].into(),
        path: Some(TEXT_CANARIES[10].into()),
        answer: Some(Answer::Integer(INT_CANARY)),
        detail: Some(TEXT_CANARIES[11].into()),
    };
    for n in 1..=20 {
        let id = uuid(n);
        store
            .create_interview(
                &NewInterview::new(id, "migrants", "v3").with_assignment("A-1"),
                &content,
            )
            .unwrap();
        store
            .save_interview(
                id,
                1,
                InterviewStatus::Completed,
                &content,
                std::slice::from_ref(&event),
            )
            .unwrap();
        store
            .append_events(id, std::slice::from_ref(&event))
            .unwrap();
    }
    // Exercise sorting and filtering, the operations that could use temporary storage.
    assert_eq!(
        store
            .list_interviews(&InterviewFilter::default())
            .unwrap()
            .len(),
        20
    );
    assert_eq!(store.outbox().unwrap().len(), 20);

    // While open: the WAL holds the recent writes.
    let files: Vec<_> = std::fs::read_dir(db.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "{files:?}"
    );
    let open_leaks = leaks(db.dir(), &needles);
    assert_eq!(open_leaks, Vec::<String>::new());

    store.close().unwrap();
    let closed_leaks = leaks(db.dir(), &needles);
    assert_eq!(closed_leaks, Vec::<String>::new());

    // The control: the clear questionnaire source is found, so the search does look into the files.
    let control = vec![("control".to_owned(), CONTROL.as_bytes().to_vec(), true)];
    assert!(
        !leaks(db.dir(), &control).is_empty(),
        "the search did not find the clear control"
    );

    // And the data is all there.
    let store = db.open().unwrap();
    check_same_content(&store.load_interview(uuid(7)).unwrap().content, &content);
}
