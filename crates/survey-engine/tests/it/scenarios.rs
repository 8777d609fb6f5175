//! Behaviour of the engine on small hand-written questionnaires.

use survey_engine::Step;
use survey_spec::Answer;

use crate::{questionnaire, session};

fn set(path: &str, value: Answer) -> Step {
    Step::Set {
        path: path.into(),
        value,
    }
}

const HOUSEHOLD: &str = r#"
daftar: 1
id: household
version: "1"
items:
  - {name: hh_size, type: integer, label: Size, constraint: ". >= 1 and . <= 30", constraint_message: "1 to 30"}
  - name: members
    type: roster
    label: Members
    repeat_count: "${hh_size}"
    items:
      - {name: age, type: integer, label: Age, required: true, warning: ". < 100", warning_message: "Over 100?"}
      - {name: works, type: yes_no, label: Works, relevant: "${age} >= 15"}
      - {name: row_no, type: calculate, calculation: "position(..)"}
  - {name: adults, type: calculate, calculation: "count-non-empty(${works})"}
  - {name: total_age, type: calculate, calculation: "sum(${age})"}
  - {name: oldest, type: calculate, calculation: "max(${age})"}
"#;

#[test]
fn repeat_count_creates_and_removes_rows_and_aggregates_follow() {
    let q = questionnaire(HOUSEHOLD);
    let mut s = session(&q);
    s.apply(&set("hh_size", Answer::Integer(3))).unwrap();
    for (i, age) in [40, 12, 101].into_iter().enumerate() {
        s.apply(&set(
            &format!("members[{}].age", i + 1),
            Answer::Integer(age),
        ))
        .unwrap();
    }
    let value = |s: &survey_engine::Session, p: &str| s.value(s.resolve(p).unwrap()).cloned();
    assert_eq!(value(&s, "total_age"), Some(Answer::Decimal(153.0)));
    assert_eq!(value(&s, "oldest"), Some(Answer::Decimal(101.0)));
    assert_eq!(value(&s, "members[3].row_no"), Some(Answer::Decimal(3.0)));
    assert!(!s.is_relevant(s.resolve("members[2].works").unwrap()));
    assert!(
        !s.is_complete(),
        "the warning on members[3].age is not confirmed yet"
    );
    s.apply(&Step::Confirm {
        path: "members[3].age".into(),
    })
    .unwrap();
    assert!(s.is_complete());
    s.apply(&set("hh_size", Answer::Integer(1))).unwrap();
    assert_eq!(value(&s, "total_age"), Some(Answer::Decimal(40.0)));
    assert!(s.resolve("members[2].age").is_err(), "row 2 is gone");
}

#[test]
fn rejected_steps_change_nothing_and_say_why() {
    let q = questionnaire(HOUSEHOLD);
    let mut s = session(&q);
    let before = s.state_image();
    let cases = [
        (
            set("members[1].age", Answer::Integer(3)),
            "`members` has 0 row(s); there is no row 1 in `members[1].age`",
        ),
        (
            set("hh_size", Answer::Text("x".into())),
            "`hh_size` is an integer question and cannot take a text",
        ),
        (
            set("adults", Answer::Integer(1)),
            "`adults` is a calculate and is not answered",
        ),
        (
            Step::Add {
                roster: "members".into(),
            },
            "the rows of `members` follow its row count; they cannot be added by hand",
        ),
        (
            Step::Confirm {
                path: "hh_size".into(),
            },
            "`hh_size` has no warning to confirm",
        ),
        (
            set("nope", Answer::Integer(1)),
            "`nope` in `nope` is not an item of this questionnaire",
        ),
    ];
    for (step, expected) in cases {
        assert_eq!(s.apply(&step).unwrap_err().message, expected);
    }
    assert_eq!(s.state_image(), before);
}

#[test]
fn hard_errors_and_required_block_completion() {
    let q = questionnaire(HOUSEHOLD);
    let mut s = session(&q);
    assert!(!s.is_complete() || s.resolve("hh_size").is_ok());
    s.apply(&set("hh_size", Answer::Integer(40))).unwrap();
    let issues = s.issues(s.resolve("hh_size").unwrap());
    assert_eq!(issues.len(), 1);
    assert_eq!(
        (
            issues[0].code.as_str(),
            issues[0].message.as_str(),
            issues[0].soft
        ),
        ("constraint", "1 to 30", false)
    );
    assert!(!s.is_complete());
    s.apply(&set("hh_size", Answer::Integer(1))).unwrap();
    assert!(!s.is_complete(), "members[1].age is required");
    let issues = s.issues(s.resolve("members[1].age").unwrap());
    assert_eq!(issues[0].code, "required");
    s.apply(&set("members[1].age", Answer::Integer(30)))
        .unwrap();
    assert!(s.is_complete());
}

#[test]
fn user_rosters_nest_and_rows_renumber_after_removal() {
    let q = questionnaire(
        r#"
daftar: 1
id: nested
version: "1"
items:
  - name: people
    type: roster
    label: People
    items:
      - {name: pname, type: text, label: Name}
      - name: trips
        type: roster
        label: Trips
        max_rows: 5
        items:
          - {name: cost, type: decimal, label: "Cost for ${pname}"}
          - {name: trip_no, type: calculate, calculation: "position(..)"}
      - {name: person_cost, type: calculate, calculation: "sum(${cost})"}
  - {name: all_cost, type: calculate, calculation: "sum(${cost})"}
"#,
    );
    let mut s = session(&q);
    for step in [
        Step::Add {
            roster: "people".into(),
        },
        Step::Add {
            roster: "people".into(),
        },
        set("people[1].pname", Answer::Text("Amina".into())),
        Step::Add {
            roster: "people[1].trips".into(),
        },
        Step::Add {
            roster: "people[1].trips".into(),
        },
        Step::Add {
            roster: "people[2].trips".into(),
        },
        set("people[1].trips[1].cost", Answer::Decimal(100.0)),
        set("people[1].trips[2].cost", Answer::Decimal(50.5)),
        set("people[2].trips[1].cost", Answer::Decimal(7.0)),
    ] {
        s.apply(&step).unwrap();
    }
    let value = |s: &survey_engine::Session, p: &str| s.value(s.resolve(p).unwrap()).cloned();
    assert_eq!(
        value(&s, "people[1].person_cost"),
        Some(Answer::Decimal(150.5))
    );
    assert_eq!(value(&s, "all_cost"), Some(Answer::Decimal(157.5)));
    let label = q.node_by_name("cost").unwrap().label.clone().unwrap();
    assert_eq!(
        s.render(&label, s.resolve("people[1].trips[2].cost").unwrap()),
        "Cost for Amina"
    );
    s.apply(&Step::Remove {
        row: "people[1].trips[1]".into(),
    })
    .unwrap();
    assert_eq!(
        value(&s, "people[1].trips[1].cost"),
        Some(Answer::Decimal(50.5))
    );
    assert_eq!(
        value(&s, "people[1].trips[1].trip_no"),
        Some(Answer::Decimal(1.0))
    );
    assert_eq!(value(&s, "all_cost"), Some(Answer::Decimal(57.5)));
    let events: Vec<&str> = s.take_events().iter().map(|e| e.kind.name()).collect();
    assert_eq!(events.iter().filter(|e| **e == "row_removed").count(), 1);
}

#[test]
fn choice_filters_flag_answers_that_no_longer_fit() {
    let q = questionnaire(
        r#"
daftar: 1
id: cascade
version: "1"
choices:
  region: [{code: "01", label: North}, {code: "02", label: South}]
  province:
    - {code: "101", label: Tanger, data: {region: "01"}}
    - {code: "201", label: Agadir, data: {region: "02"}}
items:
  - {name: region, type: single, choices: region, label: Region}
  - {name: province, type: single, choices: province, choice_filter: "region = ${region}", label: Province}
"#,
    );
    let mut s = session(&q);
    s.apply(&set("region", Answer::Choice("01".into())))
        .unwrap();
    s.apply(&set("province", Answer::Choice("101".into())))
        .unwrap();
    assert!(s.is_complete());
    s.apply(&set("region", Answer::Choice("02".into())))
        .unwrap();
    let issues = s.issues(s.resolve("province").unwrap());
    assert_eq!(
        issues.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
        ["choice"]
    );
    assert!(!s.is_complete());
}

#[test]
fn screens_follow_relevance_and_field_lists() {
    let q = questionnaire(
        r#"
daftar: 1
id: nav
version: "1"
items:
  - name: a
    type: section
    label: A
    items:
      - {name: q1, type: integer, label: Q1}
      - name: page
        type: group
        appearance: field-list
        items:
          - {name: q2, type: text, label: Q2}
          - {name: q3, type: text, label: Q3, relevant: "${q1} > 1"}
      - {name: q4, type: integer, label: Q4, relevant: "${q1} > 5"}
"#,
    );
    let mut s = session(&q);
    let names = |s: &survey_engine::Session| {
        s.screens()
            .iter()
            .map(|sc| {
                sc.items
                    .iter()
                    .map(|&i| s.path(i))
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&s), ["q1", "q2"]);
    s.apply(&set("q1", Answer::Integer(9))).unwrap();
    assert_eq!(names(&s), ["q1", "q2+q3", "q4"]);
    let next = s.next_screen(Some("q1")).unwrap();
    assert_eq!(s.path(next.anchor), "page");
    assert_eq!(s.path(s.previous_screen("q4").unwrap().anchor), "page");
    let sections = s.sections();
    assert_eq!((sections[0].questions, sections[0].answered), (4, 1));
}

#[test]
fn quota_units_are_counted_per_row_from_the_monitoring_fields_alone() {
    let q = questionnaire(
        r#"
daftar: 1
id: quotas
version: "1"
choices:
  sex: [{code: "1", label: Man}, {code: "2", label: Woman}]
monitoring: [region, sex, adult]
quotas:
  - {name: region_sex, by: [region, sex], when: "${adult} = 1"}
  - {name: region, by: [region]}
items:
  - {name: region, type: text, label: Region}
  - {name: secret, type: text, label: "Not for supervisors"}
  - name: members
    type: roster
    label: Members
    items:
      - {name: sex, type: single, choices: sex, label: Sex}
      - {name: age, type: integer, label: Age}
      - {name: adult, type: calculate, calculation: "if(${age} >= 15, 1, 0)"}
"#,
    );
    let mut s = session(&q);
    for step in [
        set("region", Answer::Text("MA-04".into())),
        set("secret", Answer::Text("canary".into())),
        Step::Add {
            roster: "members".into(),
        },
        Step::Add {
            roster: "members".into(),
        },
        Step::Add {
            roster: "members".into(),
        },
        set("members[1].sex", Answer::Choice("2".into())),
        set("members[1].age", Answer::Integer(34)),
        set("members[2].sex", Answer::Choice("1".into())),
        set("members[2].age", Answer::Integer(9)),
        set("members[3].sex", Answer::Choice("1".into())),
        set("members[3].age", Answer::Integer(51)),
    ] {
        s.apply(&step).unwrap();
    }
    let monitoring = s.monitoring();
    let paths: Vec<&str> = monitoring.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "region",
            "members[1].sex",
            "members[1].adult",
            "members[2].sex",
            "members[2].adult",
            "members[3].sex",
            "members[3].adult"
        ],
        "only monitoring fields, never `secret` or `age`"
    );
    // The server sees text; it reads it back by the items' kinds and counts.
    let received: std::collections::BTreeMap<String, Answer> = monitoring
        .iter()
        .map(|(path, answer)| {
            let text = survey_spec::value_text::to_text(answer);
            (
                path.clone(),
                survey_engine::monitoring_answer(&q, path, &text).unwrap(),
            )
        })
        .collect();
    assert!(survey_engine::monitoring_answer(&q, "secret", "x").is_none());
    let units: Vec<String> = survey_engine::quota_units(&q, &received)
        .into_iter()
        .map(|u| format!("{} {:?}", u.quota, u.cell))
        .collect();
    assert_eq!(
        units,
        [
            r#"region_sex {"region": "MA-04", "sex": "2"}"#,
            r#"region_sex {"region": "MA-04", "sex": "1"}"#,
            r#"region {"region": "MA-04"}"#,
        ],
        "one unit per adult member, the child is not counted; one unit per interview for the top-level quota"
    );
}
