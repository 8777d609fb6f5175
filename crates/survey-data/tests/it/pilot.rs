//! The Morocco pilot's scripted interviews through export, batch validation, diff and 10.7.1 tables.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use survey_data::batch::{self, Problem};
use survey_data::export::{ExportInfo, export_zip, read_zip};
use survey_data::{Dataset, InterviewRecord, RowKey, script, sdg};
use survey_expr::DateTimeValue;
use survey_spec::{Questionnaire, SourceLoader, value_text};

struct Dir(PathBuf);

impl SourceLoader for Dir {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(relative_path)).map_err(|e| e.to_string())
    }
}

fn pilot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaire-specs/morocco-pilot")
}

fn pilot() -> (Arc<Questionnaire>, Vec<InterviewRecord>) {
    let dir = pilot_dir();
    let text = std::fs::read_to_string(dir.join("questionnaire.yaml")).unwrap();
    let (q, diagnostics) = survey_spec::load(&text, "questionnaire.yaml", &Dir(dir.clone()));
    let q = q.unwrap_or_else(|| panic!("{diagnostics:?}"));
    let (millis, offset_minutes) = value_text::parse_datetime("2026-10-15T10:00:00+01:00").unwrap();
    let now = DateTimeValue {
        millis,
        offset_minutes,
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir.join("scripts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().ends_with(".json") && !p.to_string_lossy().ends_with(".expect.json")
        })
        .collect();
    names.sort();
    let records = names
        .iter()
        .map(|path| {
            let id = path.file_stem().unwrap().to_string_lossy().to_string();
            let script: serde_json::Value =
                serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            script::play(&q, &id, &script, now).unwrap()
        })
        .collect();
    (q, records)
}

fn files(dataset: &Dataset) -> Vec<(String, Vec<u8>)> {
    dataset
        .tables
        .iter()
        .map(|t| (t.level.file_name(), t.to_csv()))
        .collect()
}

fn set_cell(dataset: &mut Dataset, level: &str, key: &RowKey, column: &str, value: &str) {
    let table = dataset
        .tables
        .iter_mut()
        .find(|t| t.level.name == level)
        .unwrap();
    let i = table.column(column).unwrap();
    table.rows.get_mut(key).unwrap()[i] = value.to_string();
}

fn key(interview: &str, index: &[u32]) -> RowKey {
    RowKey {
        interview: interview.into(),
        index: index.to_vec(),
    }
}

/// The CSV line of a row: 1 header line, then rows in key order.
fn line_of(dataset: &Dataset, level: &str, k: &RowKey) -> usize {
    dataset
        .table(level)
        .unwrap()
        .rows
        .keys()
        .position(|x| x == k)
        .unwrap()
        + 2
}

#[test]
fn export_has_one_table_per_level_with_join_keys() {
    let (q, records) = pilot();
    let data = Dataset::from_records(&q, &records);
    let names: Vec<&str> = data.tables.iter().map(|t| t.level.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "main",
            "hh_roster",
            "mig_episode",
            "cost_item",
            "loan",
            "bx_person"
        ]
    );
    assert_eq!(data.interviews().len(), 18);
    let episodes = data.table("mig_episode").unwrap();
    assert_eq!(
        episodes.level.key_columns(),
        ["interview_id", "hh_roster_row", "mig_episode_row"]
    );
    // Every episode joins a person of the same interview.
    let persons = data.table("hh_roster").unwrap();
    for k in episodes.rows.keys() {
        assert!(
            persons.rows.contains_key(&key(&k.interview, &k.index[..1])),
            "{k:?}"
        );
    }
    // Script 15 has twelve persons.
    let twelve = persons
        .rows
        .keys()
        .filter(|k| k.interview == "15-household-of-twelve")
        .count();
    assert_eq!(twelve, 12);
    let csv = String::from_utf8(data.table("main").unwrap().to_csv()).unwrap();
    assert!(csv.starts_with("interview_id,"), "{}", &csv[..80]);
}

#[test]
fn payload_json_round_trips() {
    let (q, records) = pilot();
    for record in &records {
        let back = InterviewRecord::from_payload(&record.id, &q, &record.to_payload()).unwrap();
        assert_eq!(&back, record);
    }
}

#[test]
fn the_raw_export_is_a_valid_batch_with_no_difference() {
    let (q, records) = pilot();
    let data = Dataset::from_records(&q, &records);
    let zip = export_zip(
        &q,
        &data,
        &records,
        &ExportInfo {
            version: "raw".into(),
            provenance: String::new(),
        },
    )
    .unwrap();
    let unzipped = read_zip(&zip).unwrap();
    let names: Vec<&str> = unzipped.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "data/main.csv",
        "data/hh_roster.csv",
        "labels.do",
        "labels.sps",
        "codebook.html",
        "paradata.csv",
        "sdg_10_7_1.csv",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let clean =
        batch::validate(&q, &records, &unzipped).unwrap_or_else(|r| panic!("{:#?}", r.problems));
    let diff = batch::diff(&data, &clean.dataset);
    assert_eq!(diff.cells, vec![], "no cell changes");
    assert!(diff.rows_added.is_empty() && diff.rows_deleted.is_empty());
}

#[test]
fn a_batch_with_bad_types_and_codes_is_refused_with_file_row_and_column() {
    let (q, records) = pilot();
    let data = Dataset::from_records(&q, &records);
    let mut bad = data.clone();
    let person = key("01-return-spain-agency", &[1]);
    set_cell(&mut bad, "hh_roster", &person, "m_sex", "7");
    set_cell(&mut bad, "hh_roster", &person, "m_age", "thirty");
    let report = batch::validate(&q, &records, &files(&bad)).unwrap_err();
    let line = line_of(&data, "hh_roster", &person);
    let columns: Vec<(&str, usize, &str, &str)> = report
        .problems
        .iter()
        .map(|p: &Problem| (p.file.as_str(), p.row, p.column.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("hh_roster.csv", line, "m_age", "thirty"),
            ("hh_roster.csv", line, "m_sex", "7")
        ]
    );
    assert!(
        report.problems[1]
            .problem
            .contains("not a code of the list"),
        "{:?}",
        report.problems[1]
    );
    let csv = String::from_utf8(report.to_csv()).unwrap();
    assert!(
        csv.starts_with("file,row,column,value,problem\nhh_roster.csv,"),
        "{csv}"
    );
}

#[test]
fn a_batch_breaking_skip_logic_or_constraints_is_refused() {
    let (q, records) = pilot();
    let data = Dataset::from_records(&q, &records);
    let mut bad = data.clone();
    let refusal = key("06-refusal-at-door", &[]);
    // The household refused: the number of persons is not asked.
    set_cell(&mut bad, "main", &refusal, "hh_n_persons", "3");
    // An age above the constraint's limit.
    let person = key("01-return-spain-agency", &[1]);
    set_cell(&mut bad, "hh_roster", &person, "m_age", "250");
    let report = batch::validate(&q, &records, &files(&bad)).unwrap_err();
    let skip = report
        .problems
        .iter()
        .find(|p| p.column == "hh_n_persons")
        .expect("skip logic problem");
    assert_eq!(
        (skip.file.as_str(), skip.row),
        ("main.csv", line_of(&data, "main", &refusal))
    );
    assert!(skip.problem.contains("not relevant"), "{skip:?}");
    let age = report
        .problems
        .iter()
        .find(|p| p.column == "m_age")
        .expect("constraint problem");
    assert_eq!(
        (age.file.as_str(), age.row, age.value.as_str()),
        ("hh_roster.csv", line_of(&data, "hh_roster", &person), "250")
    );
}

#[test]
fn a_valid_batch_is_diffed_per_variable() {
    let (q, records) = pilot();
    let data = Dataset::from_records(&q, &records);
    let mut cleaned = data.clone();
    let main = key("05-no-migrant-household", &[]);
    let column = "f_phone";
    let before = data.table("main").unwrap().rows[&main]
        [data.table("main").unwrap().column(column).unwrap()]
    .clone();
    assert!(!before.is_empty(), "script 05 gives a phone number");
    set_cell(&mut cleaned, "main", &main, column, "0698765432");
    let clean = batch::validate(&q, &records, &files(&cleaned))
        .unwrap_or_else(|r| panic!("{:#?}", r.problems));
    let diff = batch::diff(&data, &clean.dataset);
    let phone = diff
        .variables
        .iter()
        .find(|v| v.variable == column)
        .unwrap();
    assert_eq!((phone.changed, phone.added, phone.deleted), (1, 0, 0));
    assert_eq!(
        diff.cells.iter().filter(|c| c.variable == column).count(),
        1
    );
}

#[test]
fn pilot_tables_use_the_persons_in_scope_and_agree_with_the_rounded_ratio() {
    let (q, records) = pilot();
    let data = Dataset::from_records(&q, &records);
    let table = sdg::person_table(&data).unwrap();
    let in_sdg = table
        .rows
        .values()
        .filter(|r| r[table.column("rc_in_sdg").unwrap()] == "1")
        .count();
    assert!(in_sdg >= 3, "the pilot scripts have several core cases");
    let rows = sdg::tables_of(&data);
    let core = rows
        .iter()
        .find(|r| r.variant == "core" && r.breakdown == "total")
        .unwrap();
    assert_eq!(core.summary.n, in_sdg);
    for row in table.rows.values() {
        let get = |c: &str| row[table.column(c).unwrap()].clone();
        if get("rci_status") == "ok" {
            let ratio: f64 = get("rc_C_core_mad").parse::<f64>().unwrap()
                / get("rc_E_mad").parse::<f64>().unwrap();
            let rounded: f64 = get("rc_rci").parse().unwrap();
            assert!(
                (ratio - rounded).abs() <= 0.0005 + 1e-12,
                "{ratio} vs {rounded}"
            );
        }
    }
    let zero = rows
        .iter()
        .find(|r| r.variant == "core" && r.breakdown == "total")
        .unwrap();
    assert!(
        zero.zero_income + zero.no_income >= 1,
        "script 10 has a zero or missing income: {zero:?}"
    );
}
