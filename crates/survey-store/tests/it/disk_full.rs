//! A full disk or an I/O error during a save gives a clear error, and what was saved before stays intact.

use std::path::Path;

use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

const FSIZE_CHILD_ENV: &str = "DAFTAR_STORE_FSIZE_CHILD_DB";

fn big_content(marker: u64) -> InterviewContent {
    let answers = (0..400)
        .map(|i| {
            (
                format!("hh_roster[{i}].occupation"),
                Answer::Text(format!("{marker}: ouvrier agricole saisonnier {i}")),
            )
        })
        .collect();
    InterviewContent {
        answers,
        ..InterviewContent::default()
    }
}

#[test]
fn a_full_database_refuses_the_save_and_keeps_earlier_data() {
    let db = TestDb::new();
    let mut store = db.create();
    for n in 1..=3 {
        store
            .create_interview(
                &NewInterview::new(uuid(n), "migrants", "v3"),
                &big_content(n),
            )
            .unwrap();
    }
    let pages = store.debug_page_count().unwrap();
    store.debug_limit_database_pages(pages + 8).unwrap();
    let mut failure = None;
    for n in 4..100 {
        match store.create_interview(
            &NewInterview::new(uuid(n), "migrants", "v3"),
            &big_content(n),
        ) {
            Ok(_) => continue,
            Err(e) => {
                failure = Some((n, e));
                break;
            }
        }
    }
    let (failed, error) = failure.expect("the size limit was never hit");
    assert!(matches!(error, StoreError::DiskFull { .. }), "{error:?}");
    assert!(error.to_string().contains("disk full while"), "{error}");
    // An update of an existing interview fails the same way and leaves it at its old revision.
    let update = store.save_interview(
        uuid(1),
        1,
        InterviewStatus::Completed,
        &big_content(99),
        &[],
    );
    assert!(
        matches!(update, Err(StoreError::DiskFull { .. })),
        "{update:?}"
    );

    for n in 1..failed {
        let interview = store.load_interview(uuid(n)).unwrap();
        assert_eq!(interview.content, big_content(n));
        assert_eq!(interview.meta.revision, 1);
    }
    assert!(matches!(
        store.load_interview(uuid(failed)),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());

    // Space comes back: saving works again, and the store reopens.
    store.debug_limit_database_pages(1_000_000).unwrap();
    store
        .save_interview(uuid(1), 1, InterviewStatus::Completed, &big_content(1), &[])
        .unwrap();
    store.close().unwrap();
    let store = db.open().unwrap();
    assert_eq!(store.load_interview(uuid(1)).unwrap().meta.revision, 2);
}

/// The child of the file-size-limit test: saves until the limit stops it, acknowledging each save.
#[test]
fn file_size_limit_child() {
    let Some(path) = std::env::var_os(FSIZE_CHILD_ENV) else {
        // Not the child: check that this loop reports success when nothing limits it.
        let db = TestDb::new();
        drop(db.create());
        assert_eq!(fill(&db.path, 5), None);
        return;
    };
    match fill(Path::new(&path), u64::MAX) {
        Some(error) => println!("error {error}"),
        None => println!("no error"),
    }
}

/// Saves interviews until an error or `max` saves; prints an ack after each save.
fn fill(path: &Path, max: u64) -> Option<String> {
    let mut store = match Store::open(path, ENUMERATOR, PIN, &device(), TestClock::new(0)) {
        Ok(store) => store,
        Err(e) => return Some(format!("{e:?}")),
    };
    for n in 100..100u64.saturating_add(max) {
        let result = store.create_interview(
            &NewInterview::new(uuid(n), "migrants", "v3"),
            &big_content(n),
        );
        match result {
            Ok(_) => println!("ack {n}"),
            Err(e) => return Some(format!("{e:?} / {e}")),
        }
    }
    None
}

#[test]
fn an_io_error_from_a_file_size_limit_is_reported_and_earlier_data_survives() {
    let db = TestDb::new();
    let mut store = db.create();
    store
        .create_interview(
            &NewInterview::new(uuid(1), "migrants", "v3"),
            &big_content(1),
        )
        .unwrap();
    store.close().unwrap();
    // RLIMIT_FSIZE in the child, through the shell's ulimit (in 512-byte blocks), with SIGXFSZ ignored so
    // that writes past the limit fail with EFBIG instead of killing the process.
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1024; exec \"$0\" \"$@\"")
        .arg(exe)
        .args([
            "disk_full::file_size_limit_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(FSIZE_CHILD_ENV, &db.path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let acked: Vec<u64> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ack "))
        .map(|n| n.parse().unwrap())
        .collect();
    let error = stdout
        .lines()
        .find(|l| l.starts_with("error "))
        .unwrap_or_else(|| {
            panic!(
                "no error line: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    assert!(!acked.is_empty(), "the limit hit before any save: {stdout}");
    // EFBIG from the file-size limit comes back from SQLite as an I/O error (a short write as a full disk).
    assert!(
        error.contains("StorageIo") || error.contains("DiskFull"),
        "{error}"
    );
    assert!(
        error.contains("storage I/O error while") || error.contains("disk full while"),
        "{error}"
    );
    assert!(
        error.contains("interview") || error.contains("nonces"),
        "the error names the operation: {error}"
    );
    eprintln!(
        "file size limit: {} saves acknowledged, then {error}",
        acked.len()
    );

    let store = db.open().unwrap();
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    assert_eq!(
        store.load_interview(uuid(1)).unwrap().content,
        big_content(1)
    );
    for &n in &acked {
        assert_eq!(
            store.load_interview(uuid(n)).unwrap().content,
            big_content(n)
        );
    }
    // The save that failed is absent or whole, never half.
    let failed = acked.last().map_or(100, |n| n + 1);
    match store.load_interview(uuid(failed)) {
        Err(StoreError::NotFound { .. }) => {}
        Ok(interview) => assert_eq!(interview.content, big_content(failed)),
        Err(other) => panic!("the failed save left a broken record: {other:?}"),
    }
}
