//! Workbooks → native YAML.

use expect_test::expect;

use crate::{Files, check, render, workbook};

#[test]
fn bilingual_household_form_with_roster_and_selects() {
    check(
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
                        "required",
                        "constraint",
                        "constraint_message::Français (fr)",
                        "constraint_message::العربية (ar)",
                        "repeat_count",
                        "appearance",
                        "calculation",
                    ],
                    &["start", "started"],
                    &[
                        "begin group",
                        "hh",
                        "Ménage",
                        "الأسرة",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "field-list",
                    ],
                    &[
                        "integer",
                        "hh_size",
                        "Taille du ménage",
                        "حجم الأسرة",
                        "",
                        "yes",
                        ". >= 1 and . <= 30",
                        "Entre 1 et 30",
                        "بين 1 و 30",
                    ],
                    &[
                        "select_one region",
                        "region",
                        "Région",
                        "الجهة",
                        "",
                        "true()",
                        "",
                        "",
                        "",
                        "",
                        "minimal autocomplete",
                    ],
                    &[
                        "begin repeat",
                        "members",
                        "Membres",
                        "الأفراد",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "${hh_size}",
                    ],
                    &["text", "first_name", "Prénom", "الاسم"],
                    &["integer", "age", "Âge", "العمر", "", "yes"],
                    &[
                        "select_multiple reasons",
                        "reasons",
                        "Raisons",
                        "الأسباب",
                        "${age} >= 15",
                    ],
                    &["end repeat"],
                    &["end group"],
                    &[
                        "calculate",
                        "n_adults",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "count(${age})",
                    ],
                    &["dateTime", "visit_at", "Visite", "الزيارة"],
                    &["geopoint", "gps", "Position", "الموقع"],
                ],
            ),
            (
                "choices",
                &[
                    &[
                        "list_name",
                        "name",
                        "label::Français (fr)",
                        "label::العربية (ar)",
                    ],
                    &["region", "1", "Casablanca-Settat", "الدار البيضاء سطات"],
                    &["region", "2", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"],
                    &["reasons", "work", "Travail", "العمل"],
                    &["reasons", "family", "Famille", "الأسرة"],
                ],
            ),
            (
                "settings",
                &[
                    &[
                        "form_id",
                        "form_title",
                        "version",
                        "default_language",
                        "instance_name",
                    ],
                    &[
                        "hh_survey",
                        "Enquête ménage",
                        "2026.1",
                        "Français (fr)",
                        "concat(${region}, '-', ${hh_size})",
                    ],
                ],
            ),
        ],
        expect![[r#"
            daftar: 1
            id: hh_survey
            version: "2026.1"
            title: {fr: "Enquête ménage", ar: "Enquête ménage"}
            languages: [fr, ar]
            default_language: fr
            instance_name: "concat(${region}, '-', ${hh_size})"
            choices:
              region:
                - {code: "1", label: {fr: "Casablanca-Settat", ar: "الدار البيضاء سطات"}}
                - {code: "2", label: {fr: "Rabat-Salé-Kénitra", ar: "الرباط سلا القنيطرة"}}
              reasons:
                - {code: "work", label: {fr: "Travail", ar: "العمل"}}
                - {code: "family", label: {fr: "Famille", ar: "الأسرة"}}
            items:
              - name: started
                type: start
              - name: hh
                type: section
                label: {fr: "Ménage", ar: "الأسرة"}
                appearance: "field-list"
                items:
                  - name: hh_size
                    type: integer
                    label: {fr: "Taille du ménage", ar: "حجم الأسرة"}
                    required: true
                    constraint: ". >= 1 and . <= 30"
                    constraint_message: {fr: "Entre 1 et 30", ar: "بين 1 و 30"}
                  - name: region
                    type: single
                    label: {fr: "Région", ar: "الجهة"}
                    required: true
                    choices: region
                    appearance: "minimal search"
                  - name: members
                    type: roster
                    label: {fr: "Membres", ar: "الأفراد"}
                    repeat_count: "${hh_size}"
                    items:
                      - name: first_name
                        type: text
                        label: {fr: "Prénom", ar: "الاسم"}
                      - name: age
                        type: integer
                        label: {fr: "Âge", ar: "العمر"}
                        required: true
                      - name: reasons
                        type: multiple
                        label: {fr: "Raisons", ar: "الأسباب"}
                        relevant: "${age} >= 15"
                        choices: reasons
              - name: n_adults
                type: calculate
                calculation: "count(${age})"
              - name: visit_at
                type: datetime
                label: {fr: "Visite", ar: "الزيارة"}
              - name: gps
                type: geopoint
                label: {fr: "Position", ar: "الموقع"}
        "#]],
    );
}

#[test]
fn single_language_form_uses_plain_strings_and_maps_metadata_range_hidden_and_or_other() {
    check(
        &[
            (
                "SURVEY",
                &[
                    &[
                        "TYPE",
                        "NAME",
                        "LABEL",
                        "Hint",
                        "parameters",
                        "default",
                        "read_only",
                        "trigger",
                    ],
                    &["today", "day"],
                    &["deviceid", "device"],
                    &["username", "user"],
                    &["end", "ended"],
                    &["audit", ""],
                    &[
                        "range",
                        "score",
                        "Score",
                        "Slide",
                        "start=0 end=5 step=0.5",
                        "2.5",
                    ],
                    &["range", "level", "Level"],
                    &["hidden", "source", "", "", "", "web"],
                    &["select_one yn or_other", "works", "Works?"],
                    &["note", "", "Thank you"],
                    &["acknowledge", "ok", "Understood", "", "", "", "yes"],
                    &["calculate", "stamp", "", "", "", "", "", "${works}"],
                    &["time", "at", "At"],
                    &["decimal", "amount", "Amount"],
                ],
            ),
            (
                "choices",
                &[
                    &["list name", "value", "label"],
                    &["yn", "yes", "Yes"],
                    &["yn", "no", "No"],
                ],
            ),
        ],
        expect![[r#"
            form.xlsx:SURVEY!A13: error[XLS009]: a `calculate` row needs a `calculation`
            ---
            daftar: 1
            id: form
            version: "1"
            paradata: true
            choices:
              yn:
                - {code: "yes", label: "Yes"}
                - {code: "no", label: "No"}
                - {code: "other", label: "Other"}
            items:
              - name: day
                type: today
              - name: device
                type: deviceid
              - name: user
                type: username
              - name: ended
                type: end
              - name: score
                type: decimal
                label: "Score"
                hint: "Slide"
                default: "2.5"
                parameters: {start: 0, end: 5, step: 0.5}
              - name: level
                type: integer
                label: "Level"
                parameters: {start: 1, end: 10, step: 1}
              - name: source
                type: calculate
                calculation: "'web'"
              - name: works
                type: single
                label: "Works?"
                choices: yn
              - name: works_other
                type: text
                label: "Specify other."
                relevant: "selected(${works}, 'other')"
              - name: generated_note_name_11
                type: note
                label: "Thank you"
              - name: ok
                type: acknowledge
                label: "Understood"
                read_only: true
              - name: stamp
                type: calculate
                trigger: "${works}"
              - name: at
                type: time
                label: "At"
              - name: amount
                type: decimal
                label: "Amount"
        "#]],
    );
}

#[test]
fn select_from_file_makes_a_file_backed_list_and_pulldata_declares_a_table() {
    let bytes = workbook(&[(
        "survey",
        &[
            &["type", "name", "label", "calculation"],
            &["select_one_from_file cities.csv", "city", "City"],
            &["select_multiple_from_file cities.csv", "visited", "Visited"],
            &[
                "calculate",
                "rate",
                "",
                "pulldata('fx_rates', 'rate', 'code', ${city})",
            ],
        ],
    )]);
    let mut files = Files::default();
    files
        .0
        .insert("cities.csv".into(), b"name,label\nrabat,Rabat\n".to_vec());
    expect![[r#"
        daftar: 1
        id: form
        version: "1"
        choices:
          cities:
            file: "cities.csv"
        tables:
          fx_rates: "fx_rates.csv"
        items:
          - name: city
            type: single
            label: "City"
            choices: cities
          - name: visited
            type: multiple
            label: "Visited"
            choices: cities
          - name: rate
            type: calculate
            calculation: "pulldata('fx_rates', 'rate', 'code', ${city})"
    "#]]
    .assert_eq(&render(&bytes, &files));
}

#[test]
fn languages_without_codes_are_guessed_with_a_warning_and_missing_translations_are_filled() {
    check(
        &[
            (
                "survey",
                &[
                    &[
                        "type",
                        "name",
                        "label::English",
                        "label::Local language",
                        "hint::English",
                    ],
                    &["text", "a", "Name", "Jina", "First name"],
                    &["text", "b", "Village", ""],
                ],
            ),
            (
                "settings",
                &[&["form_id", "style"], &["My Form 2", "pages"]],
            ),
        ],
        expect![[r#"
            form.xlsx:survey!C1: warning[XLS202]: language `English` has no code; it is read as `en`; write it as `English (en)`
            form.xlsx:survey!D1: warning[XLS202]: language `Local language` has no code; it is read as `local_language`; write it as `Local language (local_language)`
            form.xlsx:settings!B1: warning[XLS201]: setting `style` has no effect in Daftar and is ignored
            form.xlsx:settings!A2: warning[XLS204]: form_id `My Form 2` is read as `my_form_2` (ids are lowercase letters, digits, `-` and `_`)
            form.xlsx:survey!E2: warning[XLS203]: `hint`: 1 row has no `local_language` text (first here); the text of another language is used
            form.xlsx:survey!C3: warning[XLS203]: `label`: 1 row has no `local_language` text (first here); the text of another language is used
            ---
            daftar: 1
            id: my_form_2
            version: "1"
            languages: [en, local_language]
            default_language: en
            items:
              - name: a
                type: text
                label: {en: "Name", local_language: "Jina"}
                hint: {en: "First name", local_language: "First name"}
              - name: b
                type: text
                label: {en: "Village", local_language: "Village"}
        "#]],
    );
}

#[test]
fn nested_groups_stay_groups_and_names_are_kept_for_the_compiler_to_judge() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label", "relevant"],
                &["begin_group", "outer", "Outer", "${x} = 1"],
                &["begin_group", "inner", "Inner"],
                &["integer", "x", "X"],
                &["end_group"],
                &["end_group"],
                &["text", "bad-name", "Bad", "FALSE"],
            ],
        )],
        expect![[r#"
            daftar: 1
            id: form
            version: "1"
            items:
              - name: outer
                type: section
                label: "Outer"
                relevant: "${x} = 1"
                items:
                  - name: inner
                    type: group
                    label: "Inner"
                    items:
                      - name: x
                        type: integer
                        label: "X"
              - name: bad-name
                type: text
                label: "Bad"
                relevant: "false()"
        "#]],
    );
}
