//! Crash safety: a child process saves in a loop and prints an acknowledgement after each save returns;
//! it is killed with SIGKILL at random instants. After every kill the database passes `integrity_check`,
//! every acknowledged save is there at its revision or later, and no interview is half-written.
//!
//! `DAFTAR_CRASH_KILLS` sets the number of kills (200 by default; the benchmark runs 10,000). Every
//! `ROUNDS_PER_DATABASE` kills the test starts over on a fresh database, so that the verification (which
//! decrypts every event) stays bounded however many kills are asked for.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use survey_spec::Answer;
use survey_store::*;

use crate::support::*;

const CHILD_ENV: &str = "DAFTAR_STORE_CRASH_CHILD_DB";
const INTERVIEWS: u64 = 8;
const EVENTS_PER_SAVE: usize = 2;
const ROUNDS_PER_DATABASE: usize = 100;

/// The content of save number `marker` of an interview at `revision`: every answer is derived from the
/// marker and the revision, so a mix of two saves is detectable.
fn content(marker: u64, revision: u64) -> InterviewContent {
    let mut answers = vec![
        ("marker".to_owned(), Answer::Integer(marker as i64)),
        ("revision".to_owned(), Answer::Integer(revision as i64)),
    ];
    // Sizes vary so saves touch different numbers of pages.
    for i in 0..(20 + marker % 200) {
        answers.push((
            format!("roster[{i}].name"),
            Answer::Text(format!("m{marker} r{revision} #{i} نص")),
        ));
    }
    InterviewContent {
        answers,
        ..InterviewContent::default()
    }
}

/// Checks that `interview` is exactly one save, and its events are exactly the ones of its saves.
#[track_caller]
fn check_whole(store: &Store, interview: &Interview) -> u64 {
    let answers = &interview.content.answers;
    let (Answer::Integer(marker), Answer::Integer(revision)) = (&answers[0].1, &answers[1].1)
    else {
        panic!(
            "interview {} has no marker: {:?}",
            interview.meta.id,
            &answers[..2]
        );
    };
    let (marker, revision) = (*marker as u64, *revision as u64);
    assert_eq!(
        revision, interview.meta.revision,
        "content of another revision in {}",
        interview.meta.id
    );
    assert_eq!(
        interview.content,
        content(marker, revision),
        "half-written interview {}",
        interview.meta.id
    );
    let events = store.load_events(interview.meta.id).unwrap();
    assert_eq!(
        events.len() as u64,
        (revision - 1) * EVENTS_PER_SAVE as u64,
        "events out of step"
    );
    marker
}

fn setup(path: &Path) {
    let db = TestDb::new();
    let profile = db.profile();
    let mut store = Store::create_profile(path, &profile, &device(), db.clock.clone()).unwrap();
    for n in 0..INTERVIEWS {
        store
            .create_interview(
                &NewInterview::new(uuid(n), "migrants", "v3"),
                &content(0, 1),
            )
            .unwrap();
    }
    store.close().unwrap();
}

/// The child's loop: save, then acknowledge on stdout. Stops after `max_saves` or 60 s (in case the
/// parent died and nobody kills it).
fn save_loop(
    path: &Path,
    max_saves: u64,
    ready: impl FnOnce(),
    mut ack: impl FnMut(u64, u64, u64),
) {
    let clock = TestClock::new(1_750_000_000_000);
    let mut store = Store::open(path, ENUMERATOR, PIN, &device(), clock.clone()).unwrap();
    let mut revisions: HashMap<u64, u64> = (0..INTERVIEWS)
        .map(|n| (n, store.interview_meta(uuid(n)).unwrap().revision))
        .collect();
    ready();
    let start = Instant::now();
    let mut marker: u64 = (u64::from(std::process::id()) << 20) | 1;
    let events: Vec<ParadataEvent> = (0..EVENTS_PER_SAVE)
        .map(|i| ParadataEvent {
            at_millis: i as i64,
            kind: "answer_changed".into(),
            path: Some("roster[1].name".into()),
            answer: None,
            detail: None,
        })
        .collect();
    for k in 0..max_saves {
        if start.elapsed() > Duration::from_secs(60) {
            break;
        }
        let n = k % INTERVIEWS;
        let revision = revisions[&n];
        marker += 1;
        clock.advance_ms(1);
        let meta = store
            .save_interview(
                uuid(n),
                revision,
                InterviewStatus::InProgress,
                &content(marker, revision + 1),
                &events,
            )
            .unwrap();
        revisions.insert(n, meta.revision);
        ack(n, meta.revision, marker);
    }
}

/// Run as the child when the parent sets `CHILD_ENV`; otherwise run the same loop in-process and check it,
/// so this is a real test either way.
#[test]
fn save_loop_child() {
    if let Some(path) = std::env::var_os(CHILD_ENV) {
        let stdout = std::io::stdout();
        save_loop(
            Path::new(&path),
            u64::MAX,
            || println!("ready"),
            |n, revision, marker| {
                let mut out = stdout.lock();
                writeln!(out, "ack {n} {revision} {marker}").unwrap();
                out.flush().unwrap();
            },
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daftar.db");
    setup(&path);
    let mut acked = HashMap::new();
    save_loop(
        &path,
        40,
        || {},
        |n, revision, marker| {
            acked.insert(n, (revision, marker));
        },
    );
    verify(&path, &acked);
}

/// Everything that must hold after a kill.
fn verify(path: &Path, acked: &HashMap<u64, (u64, u64)>) {
    let store = Store::open(path, ENUMERATOR, PIN, &device(), TestClock::new(0)).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    for n in 0..INTERVIEWS {
        let interview = store.load_interview(uuid(n)).unwrap();
        let marker = check_whole(&store, &interview);
        if let Some(&(revision, acked_marker)) = acked.get(&n) {
            assert!(
                interview.meta.revision >= revision,
                "interview {n}: acknowledged revision {revision} lost (found {})",
                interview.meta.revision
            );
            if interview.meta.revision == revision {
                assert_eq!(
                    marker, acked_marker,
                    "interview {n}: acknowledged content replaced"
                );
            }
        }
    }
}

fn kills() -> usize {
    std::env::var("DAFTAR_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

#[test]
fn acknowledged_saves_survive_sigkill_at_random_instants() {
    let dir = tempfile::tempdir().unwrap();
    let mut path = PathBuf::new();
    let mut rng = Rng(0xc4a5_0001);
    let mut acked: HashMap<u64, (u64, u64)> = HashMap::new();
    let total = kills();
    let started = Instant::now();
    let (mut total_acks, mut mid_save_kills) = (0usize, 0usize);
    for round in 0..total {
        if round % ROUNDS_PER_DATABASE == 0 {
            path = dir.path().join(format!("daftar-{round}.db"));
            setup(&path);
            acked.clear();
            if round > 0 && total > 1_000 {
                eprintln!("crash test: {round} kills, {total_acks} acknowledged saves so far");
            }
        }
        let mut child = rerun_test("crash::save_loop_child")
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                // Only whole lines count: a kill can cut the last one.
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line.ends_with('\n') => {
                        if lines_tx.send(line).is_err() {
                            break;
                        }
                    }
                    Ok(_) => break,
                }
            }
        });
        // Most kills land while saving (after the child has unlocked the store); one in ten lands during
        // start-up (opening, migrating, unlocking).
        if round % 10 != 0 {
            // libtest prints its own lines first.
            let ready = lines_rx.iter().find(|l| l.starts_with("ready"));
            assert!(ready.is_some(), "child did not start");
            std::thread::sleep(Duration::from_micros(rng.below(40_000)));
        } else {
            std::thread::sleep(Duration::from_micros(rng.below(5_000)));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        let mut acks_this_round = 0;
        for line in lines_rx.try_iter() {
            let parts: Vec<u64> = match line.strip_prefix("ack ") {
                Some(rest) => rest
                    .split_whitespace()
                    .map(|p| p.parse().unwrap())
                    .collect(),
                None => continue,
            };
            acked.insert(parts[0], (parts[1], parts[2]));
            acks_this_round += 1;
        }
        total_acks += acks_this_round;
        if acks_this_round > 0 {
            mid_save_kills += 1;
        }
        verify(&path, &acked);
    }
    eprintln!(
        "crash test: {total} kills, {total_acks} acknowledged saves, {mid_save_kills} kills after saves began, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The test must have exercised something: most rounds got saves going before the kill.
    assert!(
        mid_save_kills * 2 > total,
        "only {mid_save_kills} of {total} kills came after a save"
    );
}
