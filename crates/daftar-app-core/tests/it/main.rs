//! The app core end to end without a window: training profile, the pilot interview answer by answer,
//! persistence and resume, PIN lock, languages and bidi isolation, review and completion.

use daftar_app_core::{AppCore, AppError, Nav};
use serde_json::Value;

const PIN: &str = "482913";
const PILOT: &str = "morocco-pilot@builtin";

fn script(name: &str) -> Vec<(String, Value)> {
    let path = format!(
        "{}/../../questionnaire-specs/morocco-pilot/scripts/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let steps: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    steps
        .into_iter()
        .map(|s| (s["set"].as_str().unwrap().to_string(), s["value"].clone()))
        .collect()
}

fn training(dir: &std::path::Path) -> AppCore {
    let mut app = AppCore::open(dir).unwrap();
    app.create_local_profile("enum-1", "Amina", PIN, 1_000)
        .unwrap();
    app
}

#[test]
fn return_migrant_interview_is_saved_answer_by_answer_and_completes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = training(dir.path());
    let first = app.start_interview(None, Some(PILOT)).unwrap();
    assert_eq!(first.position, 1);
    assert!(first.screen_count > 5);
    let id = first.interview_id.clone();
    let steps = script("01-return-spain-agency");
    for (i, (path, value)) in steps.iter().enumerate() {
        app.answer(path, value.clone())
            .unwrap_or_else(|e| panic!("step {i} {path}: {e}"));
        // Half-way: lock, unlock with the PIN, reopen: the interview resumes with every answer.
        if i == steps.len() / 2 {
            app.lock();
            assert!(matches!(app.unlock("000000"), Err(AppError::WrongPin)));
            app.unlock(PIN).unwrap();
            app.open_interview(&id).unwrap();
        }
    }
    let review = app.review().unwrap();
    assert!(review.can_complete, "{:#?}", review.lines);
    app.complete().unwrap();
    let home = app.home().unwrap();
    let entry = home.entries.iter().find(|e| e.id == id).unwrap();
    assert_eq!(entry.status, "completed");
}

#[test]
fn reopening_resumes_on_the_page_where_the_enumerator_left() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = training(dir.path());
    let screen = app.start_interview(None, Some(PILOT)).unwrap();
    let id = screen.interview_id.clone();
    app.go(Nav::Next).unwrap();
    let third = app.go(Nav::Next).unwrap();
    assert_eq!(third.position, 3);
    app.close_interview().unwrap();
    app.lock();
    drop(app);
    let mut app = AppCore::open(dir.path()).unwrap();
    assert!(!app.status().unwrap().unlocked);
    assert!(matches!(app.home(), Err(AppError::Locked)));
    app.unlock(PIN).unwrap();
    let again = app.open_interview(&id).unwrap();
    assert_eq!(again.anchor, third.anchor);
    assert_eq!(again.position, 3);
}

#[test]
fn arabic_labels_isolate_piped_values_and_show_french_beside_arabic() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = training(dir.path());
    app.start_interview(None, Some(PILOT)).unwrap();
    for (path, value) in script("01-return-spain-agency").into_iter().take(18) {
        app.answer(&path, value).unwrap();
    }
    let screen = app.set_language("ar").unwrap();
    assert_eq!(screen.language, "ar");
    let screen = app.go(Nav::Path("hh_roster[1].m_age".into())).unwrap();
    let age = screen
        .items
        .iter()
        .find(|i| i.path == "hh_roster[1].m_age")
        .unwrap();
    assert!(
        age.label.contains("\u{2068}Youssef\u{2069}"),
        "{}",
        age.label
    );
    assert!(
        age.label
            .chars()
            .any(|c| ('\u{0600}'..='\u{06ff}').contains(&c))
    );
    let sex = app
        .go(Nav::Path("hh_roster[1].m_sex".into()))
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.path == "hh_roster[1].m_sex")
        .unwrap();
    assert_eq!(sex.choices[0].label, "ذكر");
    assert_eq!(sex.choices[0].alt_label.as_deref(), Some("Masculin"));
    assert!(
        screen.roster.is_some(),
        "a row page shows its roster overview"
    );
}

#[test]
fn hard_errors_block_completion_and_bad_values_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = training(dir.path());
    app.start_interview(None, Some(PILOT)).unwrap();
    let steps = script("01-return-spain-agency");
    for (path, value) in steps.iter().take(18) {
        app.answer(path, value.clone()).unwrap();
    }
    let bad = app.answer("hh_roster[1].m_age", Value::String("old".into()));
    assert!(matches!(bad, Err(AppError::Rejected { .. })));
    app.go(Nav::Path("hh_roster[1].m_age".into())).unwrap();
    let screen = app.answer("hh_roster[1].m_age", Value::from(250)).unwrap();
    let age = screen
        .items
        .iter()
        .find(|i| i.path == "hh_roster[1].m_age")
        .unwrap();
    assert!(age.issues.iter().any(|i| !i.soft), "{:?}", age.issues);
    let review = app.review().unwrap();
    assert!(!review.can_complete);
    assert!(review.lines.iter().any(|l| l.kind == "error"));
    assert!(matches!(app.complete(), Err(AppError::Incomplete(_))));
}

#[test]
fn a_pin_must_be_digits() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = AppCore::open(dir.path()).unwrap();
    assert!(matches!(
        app.create_local_profile("e", "E", "12a4", 1_000),
        Err(AppError::BadPin)
    ));
    assert!(matches!(
        app.create_local_profile("e", "E", "123", 1_000),
        Err(AppError::BadPin)
    ));
    assert!(!app.status().unwrap().has_profile);
}

#[test]
fn no_answer_is_written_in_clear_to_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = training(dir.path());
    app.start_interview(None, Some(PILOT)).unwrap();
    for (path, value) in script("01-return-spain-agency").into_iter().take(18) {
        app.answer(&path, value).unwrap();
    }
    app.close_interview().unwrap();
    app.lock();
    let canary = "Youssef";
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{} holds an answer in clear",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
