//! Altered, swapped and replayed ciphertext is rejected with the record named; the others still load.

use rusqlite::params;
use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

const FLIPS_PER_BLOB: usize = 300;

struct Fixture {
    db: TestDb,
    store: Store,
    a: InterviewContent,
    b: InterviewContent,
}

fn event(n: i64) -> ParadataEvent {
    ParadataEvent {
        at_millis: n,
        kind: "answer_set".into(),
        path: Some(format!("q{n}")),
        answer: Some(Answer::Integer(n)),
        detail: None,
    }
}

fn fixture() -> Fixture {
    let db = TestDb::new();
    let mut store = db.create();
    let a = content_of(every_answer());
    let b = content_of(vec![("name".into(), Answer::Text("B".into()))]);
    store
        .create_interview(&NewInterview::new(uuid(1), "migrants", "v3"), &a)
        .unwrap();
    store
        .create_interview(&NewInterview::new(uuid(2), "migrants", "v3"), &b)
        .unwrap();
    store
        .append_events(uuid(1), &[event(1), event(2), event(3)])
        .unwrap();
    store.append_events(uuid(2), &[event(1)]).unwrap();
    for id in ["A-1", "A-2"] {
        store
            .put_assignment(&Assignment {
                assignment_id: id.into(),
                questionnaire_id: "migrants".into(),
                questionnaire_version: "v3".into(),
                preload: vec![("address".into(), Answer::Text(format!("Derb {id}")))],
            })
            .unwrap();
    }
    Fixture { db, store, a, b }
}

fn id(n: u64) -> String {
    uuid(n).to_string()
}

/// Reads and writes one blob cell through a second, raw connection.
struct Cell<'a> {
    conn: &'a rusqlite::Connection,
    table: &'static str,
    column: &'static str,
    key: Vec<(&'static str, rusqlite::types::Value)>,
}

impl Cell<'_> {
    fn where_clause(&self, first: usize) -> String {
        let parts: Vec<String> = self
            .key
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ?{}", first + i))
            .collect();
        parts.join(" AND ")
    }
    fn get(&self) -> Vec<u8> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {}",
            self.column,
            self.table,
            self.where_clause(1)
        );
        let values = self.key.iter().map(|(_, v)| v.clone());
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(values), |row| row.get(0))
            .unwrap()
    }
    fn set(&self, value: &[u8]) {
        let sql = format!(
            "UPDATE {} SET {} = ?1 WHERE {}",
            self.table,
            self.column,
            self.where_clause(2)
        );
        let values = std::iter::once(rusqlite::types::Value::from(value.to_vec()))
            .chain(self.key.iter().map(|(_, v)| v.clone()));
        let changed = self
            .conn
            .execute(&sql, rusqlite::params_from_iter(values))
            .unwrap();
        assert_eq!(changed, 1, "{sql}");
    }
}

fn interview_cell(conn: &rusqlite::Connection, n: u64) -> Cell<'_> {
    Cell {
        conn,
        table: "interview_content",
        column: "content",
        key: vec![("interview_id", id(n).into())],
    }
}

fn event_cell(conn: &rusqlite::Connection, n: u64, seq: i64) -> Cell<'_> {
    Cell {
        conn,
        table: "events",
        column: "payload",
        key: vec![("interview_id", id(n).into()), ("seq", seq.into())],
    }
}

fn assignment_cell<'a>(conn: &'a rusqlite::Connection, assignment: &str) -> Cell<'a> {
    Cell {
        conn,
        table: "assignments",
        column: "preload",
        key: vec![("assignment_id", assignment.to_owned().into())],
    }
}

/// Flips one random bit of the cell `FLIPS_PER_BLOB` times (restoring it each time) and checks that
/// every flip is caught by `load`, naming `record`, while `other` still loads.
fn flip_bits(
    cell: &Cell<'_>,
    rng: &mut Rng,
    load: impl Fn() -> Result<(), StoreError>,
    table: &str,
    record: &str,
    other: impl Fn(),
) {
    let original = cell.get();
    for _ in 0..FLIPS_PER_BLOB {
        let mut altered = original.clone();
        let bit = rng.below(altered.len() as u64 * 8) as usize;
        altered[bit / 8] ^= 1 << (bit % 8);
        cell.set(&altered);
        check_tampered(load(), table, record);
        other();
    }
    // Truncated and extended blobs too.
    for cut in [0, 1, 12, 13, original.len() - 1] {
        cell.set(&original[..cut]);
        check_tampered(load(), table, record);
    }
    let mut longer = original.clone();
    longer.push(0);
    cell.set(&longer);
    check_tampered(load(), table, record);
    cell.set(&original);
    load().unwrap();
}

#[test]
fn random_bit_flips_in_every_encrypted_column_are_caught_and_named() {
    let f = fixture();
    let conn = f.db.raw();
    let mut rng = Rng(0x5eed_0001);
    let other_interview =
        || check_same_content(&f.store.load_interview(uuid(2)).unwrap().content, &f.b);
    flip_bits(
        &interview_cell(&conn, 1),
        &mut rng,
        || f.store.load_interview(uuid(1)).map(|_| ()),
        "interviews",
        &id(1),
        other_interview,
    );
    flip_bits(
        &event_cell(&conn, 1, 2),
        &mut rng,
        || f.store.load_events(uuid(1)).map(|_| ()),
        "events",
        &format!("{}#2", id(1)),
        || assert_eq!(f.store.load_events(uuid(2)).unwrap().len(), 1),
    );
    flip_bits(
        &assignment_cell(&conn, "A-1"),
        &mut rng,
        || f.store.load_assignment("A-1").map(|_| ()),
        "assignments",
        "A-1",
        || drop(f.store.load_assignment("A-2").unwrap()),
    );
    check_same_content(&f.store.load_interview(uuid(1)).unwrap().content, &f.a);
}

#[test]
fn swapped_rows_and_columns_are_caught_and_named() {
    let f = fixture();
    let conn = f.db.raw();
    let (a, b) = (interview_cell(&conn, 1), interview_cell(&conn, 2));
    let (blob_a, blob_b) = (a.get(), b.get());
    a.set(&blob_b);
    b.set(&blob_a);
    check_tampered(f.store.load_interview(uuid(1)), "interviews", &id(1));
    check_tampered(f.store.load_interview(uuid(2)), "interviews", &id(2));
    a.set(&blob_a);
    b.set(&blob_b);

    // Events swapped within a log, and moved from one interview's log to another's.
    let (e1, e2, other) = (
        event_cell(&conn, 1, 1),
        event_cell(&conn, 1, 2),
        event_cell(&conn, 2, 1),
    );
    let (p1, p2, p_other) = (e1.get(), e2.get(), other.get());
    e1.set(&p2);
    e2.set(&p1);
    check_tampered(
        f.store.load_events(uuid(1)),
        "events",
        &format!("{}#1", id(1)),
    );
    e1.set(&p1);
    e2.set(&p2);
    other.set(&p1);
    check_tampered(
        f.store.load_events(uuid(2)),
        "events",
        &format!("{}#1", id(2)),
    );
    other.set(&p_other);

    // A blob from another column (an assignment's preload) put in an interview's content.
    let preload = assignment_cell(&conn, "A-1").get();
    a.set(&preload);
    check_tampered(f.store.load_interview(uuid(1)), "interviews", &id(1));
    a.set(&blob_a);

    // Editing the clear columns that the associated data binds.
    conn.execute(
        "UPDATE interviews SET questionnaire_version = 'v4' WHERE interview_id = ?1",
        [id(1)],
    )
    .unwrap();
    check_tampered(f.store.load_interview(uuid(1)), "interviews", &id(1));
    conn.execute(
        "UPDATE interviews SET questionnaire_version = 'v3' WHERE interview_id = ?1",
        [id(1)],
    )
    .unwrap();

    // A revision number bumped (or rewound) in clear no longer matches the sealed content.
    for delta in [1, -1] {
        conn.execute(
            "UPDATE interviews SET revision = revision + ?1 WHERE interview_id = ?2",
            rusqlite::params![delta, id(2)],
        )
        .unwrap();
        if delta == 1 {
            check_tampered(f.store.load_interview(uuid(2)), "interviews", &id(2));
        }
    }
    check_same_content(&f.store.load_interview(uuid(2)).unwrap().content, &f.b);

    // A deleted event leaves a gap in the append-only log.
    conn.execute(
        "DELETE FROM events WHERE interview_id = ?1 AND seq = 2",
        [id(1)],
    )
    .unwrap();
    check_tampered(
        f.store.load_events(uuid(1)),
        "events",
        &format!("{}#2", id(1)),
    );

    // A questionnaire source edited in place no longer matches its hash.
    let mut store = f.store;
    store
        .put_questionnaire_version(&QuestionnaireVersion::new(
            "migrants",
            "v3",
            b"daftar: 1".to_vec(),
        ))
        .unwrap();
    conn.execute("UPDATE questionnaires SET source = X'00'", [])
        .unwrap();
    check_tampered(
        store.load_questionnaire_version("migrants", "v3"),
        "questionnaires",
        "migrants@v3",
    );

    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &f.a);
    check_same_content(&store.load_interview(uuid(2)).unwrap().content, &f.b);
}

#[test]
fn replaying_an_older_revision_is_caught() {
    let mut f = fixture();
    let conn = f.db.raw();
    let cell = interview_cell(&conn, 1);
    let revision_1 = cell.get();
    let newer = content_of(vec![("name".into(), Answer::Text("corrected".into()))]);
    f.store
        .save_interview(uuid(1), 1, InterviewStatus::InProgress, &newer, &[])
        .unwrap();
    let revision_2 = cell.get();
    f.store
        .save_interview(uuid(1), 2, InterviewStatus::InProgress, &newer, &[])
        .unwrap();
    for old in [&revision_1, &revision_2] {
        cell.set(old);
        check_tampered(f.store.load_interview(uuid(1)), "interviews", &id(1));
    }
    // The assignment too: an old preload replayed over a newer revision.
    let assignment = assignment_cell(&conn, "A-1");
    let preload_1 = assignment.get();
    f.store
        .put_assignment(&Assignment {
            assignment_id: "A-1".into(),
            questionnaire_id: "migrants".into(),
            questionnaire_version: "v3".into(),
            preload: vec![],
        })
        .unwrap();
    assignment.set(&preload_1);
    check_tampered(f.store.load_assignment("A-1"), "assignments", "A-1");
    check_same_content(&f.store.load_interview(uuid(2)).unwrap().content, &f.b);
}

#[test]
fn altered_key_blobs_open_nothing() {
    let f = fixture();
    drop(f.store);
    let conn = f.db.raw();
    let mut rng = Rng(0x5eed_0002);
    for column in ["pin_wrapped_key", "recovery_sealed_key", "kdf_salt"] {
        let original: Vec<u8> = conn
            .query_row(&format!("SELECT {column} FROM profiles"), [], |row| {
                row.get(0)
            })
            .unwrap();
        for _ in 0..20 {
            let mut altered = original.clone();
            let bit = rng.below(altered.len() as u64 * 8) as usize;
            altered[bit / 8] ^= 1 << (bit % 8);
            conn.execute(
                &format!("UPDATE profiles SET {column} = ?1"),
                params![altered],
            )
            .unwrap();
            if column == "recovery_sealed_key" {
                let r = Store::recover_with_custodian_key(
                    &f.db.path,
                    ENUMERATOR,
                    &f.db.recovery.private,
                    f.db.clock.clone(),
                );
                assert!(
                    matches!(r, Err(StoreError::WrongCustodianKey { .. })),
                    "{r:?}"
                );
            } else {
                assert!(matches!(f.db.open(), Err(StoreError::WrongPin { .. })));
                conn.execute(
                    "UPDATE profiles SET failed_attempts = 0, last_failure_at = NULL",
                    [],
                )
                .unwrap();
            }
        }
        conn.execute(
            &format!("UPDATE profiles SET {column} = ?1, failed_attempts = 0"),
            params![original],
        )
        .unwrap();
    }
    let store = f.db.open().unwrap();
    check_same_content(&store.load_interview(uuid(1)).unwrap().content, &f.a);
}
