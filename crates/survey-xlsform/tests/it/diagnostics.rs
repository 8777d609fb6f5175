//! One input per diagnostic code (the codes are listed in `src/codes.rs` and the README).

use expect_test::{Expect, expect};

use crate::{Files, workbook};

#[track_caller]
fn diagnostics(bytes: &[u8], expect: Expect) {
    let (_, diagnostics) = survey_xlsform::import(bytes, "form.xlsx", &Files::default());
    let text: String = diagnostics
        .iter()
        .map(|diagnostic| format!("{diagnostic}\n"))
        .collect();
    expect.assert_eq(&text);
}

#[track_caller]
fn check(sheets: &[(&str, &[&[&str]])], expect: Expect) {
    diagnostics(&workbook(sheets), expect);
}

#[test]
fn xls001_unreadable_workbook() {
    diagnostics(
        b"type,name\ninteger,a\n",
        expect![[r#"
            form.xlsx:1:1: error[XLS001]: cannot read the workbook: not a readable .xlsx, .xls or .ods workbook (Cannot detect file format)
        "#]],
    );
}

#[test]
fn xls002_no_survey_sheet() {
    check(
        &[
            ("questions", &[&["type", "name"]]),
            ("choices", &[&["list_name", "name"]]),
        ],
        expect![[r#"
            form.xlsx:1:1: error[XLS002]: the workbook has no `survey` sheet (sheets: questions, choices)
        "#]],
    );
}

#[test]
fn xls003_missing_columns() {
    check(
        &[
            ("survey", &[&["name", "label"], &["a", "A"]]),
            ("choices", &[&["list", "label"], &["x", "X"]]),
        ],
        expect![[r#"
            form.xlsx:choices!A1: error[XLS003]: the `choices` sheet needs the columns `list_name` and `name`
            form.xlsx:survey!A1: error[XLS003]: the `survey` sheet needs a `type` column
        "#]],
    );
}

#[test]
fn xls004_duplicate_and_aliased_columns() {
    check(
        &[(
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label",
                    "label",
                    "relevant",
                    "bind::relevant",
                ],
                &["text", "a", "A"],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!D1: error[XLS004]: duplicate column header `label`
            form.xlsx:survey!F1: error[XLS004]: `relevant` and `bind::relevant` are two names for the same column; keep one
        "#]],
    );
}

#[test]
fn xls005_unknown_type_and_xls006_missing_type() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label"],
                &["integr", "a", "A"],
                &["", "b", "B"],
                &["select_one", "c", "C"],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!A2: error[XLS005]: unknown question type `integr`
            form.xlsx:survey!A3: error[XLS006]: this row has a name or label but no `type`
            form.xlsx:survey!A4: error[XLS005]: unknown question type `select_one`
        "#]],
    );
}

#[test]
fn xls007_unmatched_end_and_xls008_unclosed_begin() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label"],
                &["end group"],
                &["begin repeat", "r", "R"],
                &["text", "a", "A"],
                &["end group"],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!A2: error[XLS007]: `end group` does not close an open `begin group`
            form.xlsx:survey!A5: error[XLS007]: `end group` does not close an open `begin group`
            form.xlsx:survey!A3: error[XLS008]: `begin repeat` is never closed by `end repeat`
        "#]],
    );
}

#[test]
fn xls009_calculate_without_calculation() {
    check(
        &[(
            "survey",
            &[&["type", "name", "calculation"], &["calculate", "c", ""]],
        )],
        expect![[r#"
            form.xlsx:survey!A2: error[XLS009]: a `calculate` row needs a `calculation`
        "#]],
    );
}

#[test]
fn xls010_choice_without_name() {
    check(
        &[
            (
                "survey",
                &[&["type", "name", "label"], &["select_one yn", "q", "Q"]],
            ),
            (
                "choices",
                &[&["list_name", "name", "label"], &["yn", "", "Yes"]],
            ),
        ],
        expect![[r#"
            form.xlsx:choices!B2: error[XLS010]: a choice of list `yn` has no `name`
        "#]],
    );
}

#[test]
fn xls011_bad_parameters_and_checks() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label", "parameters", "daftar_checks"],
                &["range", "r", "R", "start=1 end"],
                &["integer", "i", "I", "", "must: . > 1"],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!D2: error[XLS011]: parameter `end` is not of the form `key=value`
            form.xlsx:survey!E3: error[XLS011]: `daftar_checks` line `must: . > 1` must start with `constraint:` or `warning:`
        "#]],
    );
}

#[test]
fn xls101_unsupported_types() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label"],
                &["image", "photo", "Photo"],
                &["rank fruits", "ranked", "Rank"],
                &["select_one_external towns", "town", "Town"],
                &["select_one_from_file towns.geojson", "town2", "Town"],
                &["begin loop over fruits", "l", "L"],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!A2: error[XLS101]: question type `image` is not supported by Daftar: photos are not collected
            form.xlsx:survey!A3: error[XLS101]: question type `rank fruits` is not supported by Daftar: ranking has no native type
            form.xlsx:survey!A4: error[XLS101]: question type `select_one_external towns` is not supported by Daftar: external choices (`select_one_external`) need an external data source
            form.xlsx:survey!A5: error[XLS101]: `select_one_from_file towns.geojson`: only CSV choice files are supported (not `towns.geojson`)
            form.xlsx:survey!A6: error[XLS101]: question type `begin loop over fruits` is not supported by Daftar: `begin loop` (a repeat over a choice list) has no native form; write a roster
        "#]],
    );
}

#[test]
fn xls102_dynamic_default() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label", "default"],
                &["date", "d", "D", "today()"],
                &["date", "e", "E", "2026-01-31"],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!D2: error[XLS102]: `today()` is a dynamic default (an expression); Daftar defaults are literal values; use a `calculation` with a `trigger`, or a literal
        "#]],
    );
}

#[test]
fn xls201_ignored_columns_types_and_sheets() {
    check(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label", "media::image", "colour"],
                    &["phonenumber", "phone"],
                    &["text", "t", "T"],
                ],
            ),
            (
                "external_choices",
                &[&["list_name", "name"], &["towns", "a"]],
            ),
        ],
        expect![[r#"
            form.xlsx:external_choices!A1: warning[XLS201]: the `external_choices` sheet is ignored: `select_one_external` is not supported
            form.xlsx:survey!D1: warning[XLS201]: column `media::image` has no effect in Daftar and is ignored
            form.xlsx:survey!E1: warning[XLS201]: unknown column `colour` is ignored
            form.xlsx:survey!A2: warning[XLS201]: `phonenumber` is not collected by Daftar (device metadata that modern devices no longer give); it is kept as an always-empty value so that references to it still work
        "#]],
    );
}

#[test]
fn xls202_to_xls205_warnings() {
    check(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label::Français", "label::English (en)"],
                    &["text", "a", "A", ""],
                    &["select_one_from_file towns.csv", "town", "Ville", "Town"],
                ],
            ),
            ("settings", &[&["form_id"], &["Form.One"]]),
        ],
        expect![[r#"
            form.xlsx:survey!C1: warning[XLS202]: language `Français` has no code; it is read as `fr`; write it as `Français (fr)`
            form.xlsx:settings!A2: warning[XLS204]: form_id `Form.One` is read as `form_one` (ids are lowercase letters, digits, `-` and `_`)
            form.xlsx:survey!A3: warning[XLS205]: the choice file `towns.csv` is not next to the form
            form.xlsx:survey!C2: warning[XLS203]: `label`: 1 row has no `en` text (first here); the text of another language is used
        "#]],
    );
}

#[test]
fn xls012_no_label_and_xls207_labels_filled_in() {
    check(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label", "hint", "calculation"],
                    &["integer", "bare", "", "", ""],
                    &["integer", "hinted", "", "How many?", ""],
                    &["integer", "computed", "", "", "1 + 1"],
                    &["select_one colours", "colour", "Colour"],
                ],
            ),
            (
                "choices",
                &[
                    &["list_name", "name", "label"],
                    &["colours", "red", ""],
                    &["colours", "blue", "Blue"],
                ],
            ),
        ],
        expect![[r#"
            form.xlsx:survey!A2: error[XLS012]: `bare` has no label and no hint
            form.xlsx:survey!A3: warning[XLS207]: 2 question(s) have no label (first here); each is labelled with its hint or name
            form.xlsx:choices!B2: warning[XLS207]: 1 choice(s) have no label (first here); each is labelled with its name
        "#]],
    );
}

#[test]
fn xls103_last_saved_and_xls206_renamed_lists() {
    check(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label", "default"],
                    &["select_one yes_no", "q", "Q"],
                    &["select_one my-list", "r", "R"],
                    &["text", "s", "S", "${last-saved#s}"],
                ],
            ),
            (
                "choices",
                &[
                    &["list_name", "name", "label"],
                    &["yes_no", "yes", "Yes"],
                    &["yes_no", "no", "No"],
                    &["my-list", "a", "A"],
                ],
            ),
        ],
        expect![[r#"
            form.xlsx:choices!A2: warning[XLS206]: choice list `yes_no` is read as `yes_no_choices` (`yes_no` is Daftar's built-in yes/no list)
            form.xlsx:choices!A4: warning[XLS206]: choice list `my-list` is read as `my_list` (list names are letters, digits and `_`)
            form.xlsx:survey!D4: error[XLS103]: `${last-saved#…}` (the value in the previous interview on this device) is not supported: interviews do not read each other; use a preload from the assignment
            form.xlsx:survey!D4: error[XLS102]: `${last-saved#s}` is a dynamic default (an expression); Daftar defaults are literal values; use a `calculation` with a `trigger`, or a literal
        "#]],
    );
}

#[test]
fn xls101_search_appearance() {
    check(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label", "appearance"],
                    &["select_one towns", "town", "Town", "search('towns')"],
                ],
            ),
            (
                "choices",
                &[
                    &["list_name", "name", "label"],
                    &["towns", "name_key", "name"],
                ],
            ),
        ],
        expect![[r#"
            form.xlsx:survey!D2: error[XLS101]: the `search()` appearance (choices looked up in an attached CSV at run time) is not supported; use `select_one_from_file`
        "#]],
    );
}

#[test]
fn xls208_typographic_quotes_in_expressions() {
    check(
        &[
            (
                "survey",
                &[
                    &["type", "name", "label", "relevant"],
                    &["select_one m", "m", "M"],
                    &["text", "other", "Other", "selected(${m}, ‘other’)"],
                ],
            ),
            (
                "choices",
                &[&["list_name", "name", "label"], &["m", "other", "Other"]],
            ),
        ],
        expect![[r#"
            form.xlsx:survey!D3: warning[XLS208]: typographic quotes in `relevant` are read as straight quotes: `selected(${m}, 'other')`
        "#]],
    );
}

#[test]
fn xls013_audit_rows_follow_pyxform_rules() {
    check(
        &[(
            "survey",
            &[
                &["type", "name", "label", "parameters"],
                &["integer", "age", "Age", ""],
                &["audit", "bobby", "", ""],
                &[
                    "audit",
                    "audit",
                    "",
                    "location-max-age=3, location-min-interval=1",
                ],
                &[
                    "audit",
                    "",
                    "",
                    "location-priority=balanced location-min-interval=2 location-max-age=1",
                ],
                &[
                    "audit",
                    "audit",
                    "",
                    "track-changes=foo identify-user=true track-changes-reasons=always",
                ],
                &[
                    "audit",
                    "audit",
                    "",
                    "location-priority=high-accuracy location-min-interval=1 location-max-age=5 track-changes=true",
                ],
            ],
        )],
        expect![[r#"
            form.xlsx:survey!B3: error[XLS013]: an audit row is named `audit` (or left unnamed), not `bobby`
            form.xlsx:survey!D4: error[XLS013]: audit: location-priority, location-min-interval and location-max-age go together
            form.xlsx:survey!D5: error[XLS013]: audit: location-max-age must be at least location-min-interval
            form.xlsx:survey!D6: error[XLS013]: audit: track-changes must be set to true or false, not `foo`
            form.xlsx:survey!D6: error[XLS013]: audit: track-changes-reasons must be on-form-edit, not `always`
        "#]],
    );
}
