//! Helpers shared by the tests: a controllable clock, a fixed device secret, sample content, a seeded RNG.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use survey_spec::{Answer, GeoPoint};
use survey_store::*;
use uuid::Uuid;

/// The PIN of every test profile.
pub const PIN: &str = "482913";
/// Low so the tests run fast; the app uses `DEFAULT_PBKDF2_ITERATIONS`.
pub const TEST_ITERATIONS: u32 = 1_000;
/// The enumerator of every test profile.
pub const ENUMERATOR: &str = "enum-07";

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct TestClock(pub AtomicI64);

impl TestClock {
    pub fn new(start: i64) -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(start)))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A device secret fixed in the test (so committed fixtures can be reopened).
pub struct FixedKeyProvider(pub [u8; 32]);

impl KeyProvider for FixedKeyProvider {
    fn device_secret(&self) -> Result<DeviceSecret, StoreError> {
        Ok(zeroize::Zeroizing::new(self.0))
    }
}

pub fn device() -> FixedKeyProvider {
    FixedKeyProvider(*b"daftar test device secret 32 by.")
}

/// A temp dir with a database path in it.
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub recovery: RecoveryKeyPair,
    pub clock: Arc<TestClock>,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daftar.db");
        TestDb {
            dir,
            path,
            recovery: RecoveryKeyPair::generate().unwrap(),
            clock: TestClock::new(1_750_000_000_000),
        }
    }

    pub fn profile(&self) -> NewProfile {
        NewProfile {
            kdf_iterations: TEST_ITERATIONS,
            ..NewProfile::new(ENUMERATOR, "Amina", PIN, self.recovery.public.clone())
        }
    }

    /// Creates the profile and returns the unlocked store.
    pub fn create(&self) -> Store {
        self.create_with(&self.profile())
    }

    pub fn create_with(&self, profile: &NewProfile) -> Store {
        Store::create_profile(&self.path, profile, &device(), self.clock.clone()).unwrap()
    }

    pub fn open(&self) -> Result<Store, StoreError> {
        self.open_with(PIN)
    }

    pub fn open_with(&self, pin: &str) -> Result<Store, StoreError> {
        Store::open(&self.path, ENUMERATOR, pin, &device(), self.clock.clone())
    }

    /// A raw SQLite connection to the same file, for tampering.
    pub fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A v7-shaped UUID from a number, stable across runs.
pub fn uuid(n: u64) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | u128::from(n))
}

/// One answer of every variant, with awkward values. The committed schema fixtures hold these values:
/// changing them means the fixture checks fail, by design.
pub fn every_answer() -> Vec<(String, Answer)> {
    vec![
        (
            "name".into(),
            Answer::Text("Fatima Zahra El Idrissi".into()),
        ),
        ("empty".into(), Answer::Text(String::new())),
        (
            "arabic".into(),
            Answer::Text("عاملة منزلية في الدار البيضاء — ١٢٣".into()),
        ),
        (
            "emoji".into(),
            Answer::Text("🇲🇦 \u{200f}rtl\u{0} nul".into()),
        ),
        ("age".into(), Answer::Integer(-42)),
        ("big".into(), Answer::Integer(i64::MAX)),
        ("share".into(), Answer::Decimal(0.1 + 0.2)),
        ("negzero".into(), Answer::Decimal(-0.0)),
        (
            "nan".into(),
            Answer::Decimal(f64::from_bits(0x7ff8_dead_beef_0001)),
        ),
        ("tiny".into(), Answer::Decimal(f64::from_bits(1))),
        ("sex".into(), Answer::Choice("f".into())),
        (
            "langs".into(),
            Answer::Choices(vec!["ar".into(), "fr".into(), "ber".into()]),
        ),
        ("none".into(), Answer::Choices(vec![])),
        ("dob".into(), Answer::Date(-3652)),
        ("start".into(), Answer::Time(86_399)),
        (
            "at".into(),
            Answer::DateTime {
                millis: 1_750_000_123_456,
                offset_minutes: 60,
            },
        ),
        (
            "gps".into(),
            Answer::Geo(GeoPoint {
                lat: 33.573_11,
                lon: -7.589_84,
                alt: 12.5,
                acc: 4.0,
            }),
        ),
        (
            "fee".into(),
            Answer::Money {
                amount: 12_500.75,
                currency: "MAD".into(),
            },
        ),
        ("consent".into(), Answer::Acknowledged),
        (
            "hh_roster[2].episodes[1].country".into(),
            Answer::Choice("ESP".into()),
        ),
    ]
}

pub fn content_of(answers: Vec<(String, Answer)>) -> InterviewContent {
    InterviewContent {
        answers,
        confirmed_warnings: vec!["hh_roster[1].age".into()],
        cursor: Some("hh_roster[2].episodes[1].country".into()),
        language: Some("ar".into()),
        rows: vec![("hh_roster".into(), 3), ("hh_roster[2].episodes".into(), 1)],
    }
}

/// Compares content including the bit patterns of floats (`==` says NaN != NaN and -0.0 == 0.0).
#[track_caller]
pub fn check_same_content(actual: &InterviewContent, expected: &InterviewContent) {
    assert_eq!(format!("{actual:?}"), format!("{expected:?}"));
    let bits = |c: &InterviewContent| -> Vec<u64> {
        c.answers
            .iter()
            .flat_map(|(_, a)| match a {
                Answer::Decimal(v) => vec![v.to_bits()],
                Answer::Money { amount, .. } => vec![amount.to_bits()],
                Answer::Geo(g) => vec![
                    g.lat.to_bits(),
                    g.lon.to_bits(),
                    g.alt.to_bits(),
                    g.acc.to_bits(),
                ],
                _ => vec![],
            })
            .collect()
    };
    assert_eq!(bits(actual), bits(expected));
}

/// Asserts that `result` is `Tampered` naming exactly this record.
#[track_caller]
pub fn check_tampered<T: std::fmt::Debug>(result: Result<T, StoreError>, table: &str, id: &str) {
    match result {
        Err(StoreError::Tampered {
            table: t, id: i, ..
        }) if t == table && i == id => {}
        other => panic!("expected Tampered {{ {table}, {id} }}, got {other:?}"),
    }
}

/// SplitMix64: a small seeded generator, so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A command that re-runs this test binary on one test only, for tests that need a separate process
/// (to kill it, or to give it resource limits). The child finds its instructions in environment variables.
pub fn rerun_test(test_name: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args([
        test_name,
        "--exact",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ]);
    command
}
