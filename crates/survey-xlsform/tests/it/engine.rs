//! Imported workbooks compile and run: `${name}` inside a repeat is the current row's value (pyxform's
//! relative paths), `or_other` shows its text question, a range keeps its bounds, a `select_one_from_file`
//! list comes from the CSV next to the form.

use std::sync::Arc;

use survey_engine::{FixedEnvironment, Session, Step};
use survey_spec::{Answer, Severity};

use crate::{Files, workbook};

fn session(sheets: &[(&str, &[&[&str]])], files: &Files) -> Session {
    let bytes = workbook(sheets);
    let (doc, diagnostics) = survey_xlsform::import(&bytes, "form.xlsx", files);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let (questionnaire, diagnostics) =
        survey_spec::compile(&doc.expect("a document"), "form.xlsx", files);
    let questionnaire: Arc<_> = questionnaire.unwrap_or_else(|| {
        panic!(
            "{:#?}",
            diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        )
    });
    let env = FixedEnvironment::new(survey_expr::DateTimeValue {
        millis: 1_779_000_000_000,
        offset_minutes: 60,
    });
    Session::new(questionnaire, Box::new(env))
}

fn set(session: &mut Session, path: &str, value: Answer) {
    session
        .apply(&Step::Set {
            path: path.into(),
            value,
        })
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

fn relevant(session: &Session, path: &str) -> bool {
    session.is_relevant(
        session
            .resolve(path)
            .unwrap_or_else(|e| panic!("{path}: {e}")),
    )
}

#[test]
fn references_inside_a_repeat_are_to_the_current_row() {
    let mut s = session(
        &[
            (
                "survey",
                &[
                    &[
                        "type",
                        "name",
                        "label::Français (fr)",
                        "label::العربية (ar)",
                        "relevant",
                        "repeat_count",
                        "calculation",
                    ],
                    &["integer", "n", "Combien ?", "كم؟"],
                    &["begin repeat", "members", "Membres", "الأفراد", "", "${n}"],
                    &["integer", "age", "Âge", "العمر"],
                    &["text", "job", "Métier", "المهنة", "${age} >= 15"],
                    &["end repeat"],
                    &[
                        "calculate",
                        "adults",
                        "",
                        "",
                        "",
                        "",
                        "count-non-empty(${job})",
                    ],
                ],
            ),
            (
                "settings",
                &[
                    &["form_id", "version", "default_language"],
                    &["hh", "1", "Français (fr)"],
                ],
            ),
        ],
        &Files::default(),
    );
    set(&mut s, "n", Answer::Integer(2));
    set(&mut s, "members[1].age", Answer::Integer(10));
    set(&mut s, "members[2].age", Answer::Integer(30));
    assert!(!relevant(&s, "members[1].job"));
    assert!(relevant(&s, "members[2].job"));
    set(&mut s, "members[1].age", Answer::Integer(40));
    assert!(relevant(&s, "members[1].job"));
    set(&mut s, "members[2].age", Answer::Integer(3));
    assert!(!relevant(&s, "members[2].job"));
}

#[test]
fn or_other_range_and_choices_from_a_csv_file_work_in_an_interview() {
    let mut files = Files::default();
    files.0.insert(
        "cities.csv".into(),
        b"name,label\nrabat,Rabat\ncasa,Casablanca\n".to_vec(),
    );
    let mut s = session(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label", "parameters"],
                    &["select_one transport or_other", "transport", "How?"],
                    &["range", "score", "Score", "start=0 end=5 step=1"],
                    &["select_one_from_file cities.csv", "city", "City"],
                    &["hidden", "source"],
                ],
            ),
            (
                "choices",
                &[
                    &["list_name", "name", "label"],
                    &["transport", "bus", "Bus"],
                    &["transport", "car", "Car"],
                ],
            ),
        ],
        &files,
    );
    assert!(!relevant(&s, "transport_other"));
    set(&mut s, "transport", Answer::Choice("other".into()));
    assert!(relevant(&s, "transport_other"));
    set(&mut s, "city", Answer::Choice("casa".into()));
    let rejected = s.apply(&Step::Set {
        path: "city".into(),
        value: Answer::Choice("paris".into()),
    });
    assert!(rejected.is_err(), "a code outside the CSV list is refused");
    set(&mut s, "score", Answer::Integer(4));
    let score = s.resolve("score").expect("score");
    assert_eq!(s.value(score), Some(&Answer::Integer(4)));
}
