//! The `daftar` command as users and other tools run it: real binary, real files, exact outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use expect_test::expect;

fn daftar(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_daftar"))
        .args(args)
        .output()
        .expect("run daftar");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const SPEC: &str = r#"daftar: 1
id: cli-test
version: "1"
choices:
  country: [{code: MAR, label: Morocco}, {code: ESP, label: Spain}]
items:
  - {name: age, type: integer, label: Age, constraint: ". < 120", constraint_message: "Too old"}
  - {name: worked_abroad, type: yes_no, label: "Worked abroad?", relevant: "${age} >= 15"}
  - name: stays
    type: roster
    label: Stays
    relevant: "${worked_abroad} = 'yes'"
    items:
      - {name: country, type: single, choices: country, label: Country}
      - {name: months, type: integer, label: Months, warning: ". <= 120", warning_message: "More than ten years?"}
  - {name: total_months, type: calculate, calculation: "sum(${months})"}
  - {name: visited, type: calculate, calculation: "join(' ', ${country})"}
"#;

#[test]
fn spec_check_prints_one_line_per_problem_and_exits_1_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.yaml", SPEC);
    let bad = write(
        &dir,
        "bad.yaml",
        "daftar: 1\nid: t\nversion: \"1\"\nitems:\n  - {name: a, type: integr, label: A}\n  - {name: b, type: integer, label: B, relevant: \"${c} > 1\"}\n",
    );
    assert_eq!(
        daftar(&["spec", "check", &good]),
        (0, String::new(), String::new())
    );
    let (code, out, _) = daftar(&["spec", "check", &good, &bad]);
    assert_eq!(code, 1);
    let out = out.replace(&format!("{}/", dir.path().display()), "");
    expect![[r#"
        bad.yaml:5:21: error[Q023]: item `a` has unknown type `integr`; did you mean `integer`?
        bad.yaml:6:51: error[expr-unknown-ref]: `${c}` is not a question in this questionnaire
    "#]]
    .assert_eq(&out);
    let (code, out, _) = daftar(&["spec", "check", "--json", &bad]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["line"], 5);
    assert_eq!(json[0]["col"], 21);
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["code"], "Q023");
    assert!(json[0]["file"].as_str().unwrap().ends_with("bad.yaml"));
}

#[test]
fn play_prints_the_state_after_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(&dir, "spec.yaml", SPEC);
    let script = write(
        &dir,
        "script.json",
        r#"[
  {"set": "age", "value": 34},
  {"set": "worked_abroad", "value": "yes"},
  {"add": "stays"}, {"add": "stays"},
  {"set": "stays[1].country", "value": "ESP"},
  {"set": "stays[1].months", "value": 130},
  {"set": "stays[2].country", "value": "FRA"},
  {"set": "stays[2].months", "value": 6},
  {"remove": "stays[2]"},
  {"set": "age", "value": 200}
]"#,
    );
    let (code, out, err) = daftar(&[
        "play",
        "--spec",
        &spec,
        "--answers",
        &script,
        "--now",
        "2026-10-15T10:00:00+01:00",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    expect![[r#"
        {
          "values": {
            "age": 200,
            "worked_abroad": "yes",
            "stays[1].country": "ESP",
            "stays[1].months": 130,
            "total_months": 130,
            "visited": "ESP"
          },
          "relevant": [
            "age",
            "worked_abroad",
            "stays",
            "stays[1].country",
            "stays[1].months",
            "total_months",
            "visited"
          ],
          "errors": [
            {
              "path": "age",
              "code": "constraint",
              "message": "Too old"
            }
          ],
          "warnings": [
            {
              "path": "stays[1].months",
              "code": "warning",
              "message": "More than ten years?",
              "confirmed": false
            }
          ],
          "rejected": [
            {
              "step": 7,
              "reason": "`FRA` is not a choice of `stays[2].country` (list `country`)"
            }
          ],
          "complete": false
        }
    "#]]
    .assert_eq(&out);
}

#[test]
fn play_refuses_bad_input_with_exit_2_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(&dir, "spec.yaml", SPEC);
    let broken = write(
        &dir,
        "broken.json",
        "[{\"set\": \"age\", \"value\": 3},\n {\"sett\": 1}]",
    );
    let (code, out, err) = daftar(&["play", "--spec", &spec, "--answers", &broken]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("broken.json: step 2: unknown step {\"sett\":1}"),
        "{err}"
    );
    let not_json = write(&dir, "not.json", "[{\"set\": \"age\",");
    let (code, _, err) = daftar(&["play", "--spec", &spec, "--answers", &not_json]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not.json:1:15: the script is not valid JSON"),
        "{err}"
    );
    let bad_spec = write(&dir, "bad.yaml", "daftar: 1\n");
    let (code, _, err) = daftar(&["play", "--spec", &bad_spec, "--answers", &broken]);
    assert_eq!(code, 2);
    assert!(err.contains("the questionnaire has errors"), "{err}");
    let (code, _, err) = daftar(&[
        "play",
        "--spec",
        &spec,
        "--answers",
        &broken,
        "--now",
        "yesterday",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--now `yesterday` is not an RFC 3339 date-time"),
        "{err}"
    );
}

#[test]
fn eval_prints_typed_values() {
    let cases = [
        ("1 + 2 * 3", r#"{"type":"number","value":7}"#),
        ("7 div 2", r#"{"type":"number","value":3.5}"#),
        ("'' + 1", r#"{"type":"number","value":"NaN"}"#),
        ("'10' = 10.0", r#"{"type":"boolean","value":true}"#),
        ("boolean('false')", r#"{"type":"boolean","value":true}"#),
        (
            "concat('a', 1, true())",
            r#"{"type":"string","value":"a1true"}"#,
        ),
        (
            "date('2024-02-28') + 1",
            r#"{"type":"number","value":19782}"#,
        ),
        (
            "format-date(date('2024-02-28') + 1, '%Y-%m-%d')",
            r#"{"type":"string","value":"2024-02-29"}"#,
        ),
        ("today()", r#"{"type":"date","value":"2026-10-15"}"#),
        (
            "now()",
            r#"{"type":"datetime","value":"2026-10-15T00:30:00+01:00"}"#,
        ),
    ];
    for (expr, expected) in cases {
        let (code, out, err) = daftar(&[
            "eval",
            expr,
            "--now",
            "2026-10-14T23:30:00Z",
            "--tz",
            "Africa/Casablanca",
        ]);
        assert_eq!(
            (code, out.trim(), err.as_str()),
            (0, expected, ""),
            "{expr}"
        );
    }
    let (code, _, err) = daftar(&["eval", "${age} + 1"]);
    assert_eq!(code, 2);
    assert!(err.contains("expr-unknown-ref"), "{err}");
}

#[test]
fn eval_reads_answers_against_a_questionnaire() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(&dir, "spec.yaml", SPEC);
    let script = write(
        &dir,
        "s.json",
        r#"[{"set": "age", "value": 30}, {"set": "worked_abroad", "value": "yes"}, {"add": "stays"}, {"set": "stays[1].months", "value": 14}]"#,
    );
    let (code, out, err) = daftar(&[
        "eval",
        "${total_months} div 12 + count(${stays})",
        "--spec",
        &spec,
        "--answers",
        &script,
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["type"], "number");
    assert!((value["value"].as_f64().unwrap() - (14.0 / 12.0 + 1.0)).abs() < 1e-12);
}

#[test]
fn every_pilot_script_ends_as_its_expectation_says() {
    let folder = repo().join("questionnaire-specs/morocco-pilot");
    let spec = folder.join("questionnaire.yaml");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(folder.join("scripts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".expect.json")
        })
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 15,
        "the pilot needs at least 15 scripted interviews, found {}",
        scripts.len()
    );
    let mut failures = Vec::new();
    for script in &scripts {
        let expectation = script.with_extension("expect.json");
        assert!(
            expectation.exists(),
            "{} has no expectation file",
            script.display()
        );
        let (code, out, err) = daftar(&[
            "play",
            "--spec",
            &spec.to_string_lossy(),
            "--answers",
            &script.to_string_lossy(),
            "--expect",
            &expectation.to_string_lossy(),
        ]);
        if code != 0 {
            failures.push(format!("{}: exit {code}\n{out}{err}", script.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_pilot_questionnaire_checks_without_errors_and_the_demo_passes() {
    let spec = repo().join("questionnaire-specs/morocco-pilot/questionnaire.yaml");
    let (code, out, _) = daftar(&["spec", "check", &spec.to_string_lossy()]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains(": error["), "{out}");
    let (code, out, err) = daftar(&[
        "demo",
        "--dir",
        &repo().join("questionnaire-specs").to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("every scripted interview ends as expected"),
        "{out}"
    );
}

#[test]
fn the_pilot_goes_through_xlsform_and_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let folder = repo().join("questionnaire-specs/morocco-pilot");
    let spec = folder
        .join("questionnaire.yaml")
        .to_string_lossy()
        .into_owned();
    let workbook = dir.path().join("pilot.xlsx").to_string_lossy().into_owned();
    let back = dir.path().join("back.yaml").to_string_lossy().into_owned();
    assert_eq!(daftar(&["spec", "export", &spec, "-o", &workbook]).0, 0);
    assert!(
        dir.path().join("lists/countries.csv").exists(),
        "side files travel with the workbook"
    );
    let (code, out, _) = daftar(&["spec", "check", &workbook]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(daftar(&["spec", "import", &workbook, "-o", &back]).0, 0);
    let hash = |file: &str| {
        let (code, out, err) = daftar(&["spec", "stats", "--json", file]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["content_hash"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(hash(&spec), hash(&workbook));
    assert_eq!(hash(&spec), hash(&back));
    // The workbook plays like the native file.
    let script = folder
        .join("scripts/01-return-spain-agency.json")
        .to_string_lossy()
        .into_owned();
    let expectation = folder
        .join("scripts/01-return-spain-agency.expect.json")
        .to_string_lossy()
        .into_owned();
    let (code, out, err) = daftar(&[
        "play",
        "--spec",
        &workbook,
        "--answers",
        &script,
        "--expect",
        &expectation,
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_workbook_with_errors_is_not_converted() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        &dir,
        "bad.yaml",
        "daftar: 1\nid: t\nversion: \"1\"\nitems:\n  - {name: a, type: integer}\n",
    );
    let out = dir.path().join("bad.xlsx");
    let (code, _, err) = daftar(&["spec", "export", &bad, "-o", &out.to_string_lossy()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[Q043]") && err.contains("nothing was written"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn keys_new_writes_a_private_key_only_its_owner_can_read_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("survey.pem");
    let (code, out, err) = daftar(&["keys", "new", "--out", &private.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let public = std::fs::read_to_string(dir.path().join("survey.pub.pem")).unwrap();
    assert_eq!(out.trim(), public.trim());
    let pair =
        sync_proto::keys::SurveyKeyPair::from_pem(&std::fs::read_to_string(&private).unwrap())
            .unwrap();
    assert_eq!(pair.public_key().to_pem().trim(), public.trim());
    assert!(
        !out.contains(
            &std::fs::read_to_string(&private)
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .to_string()
        ),
        "the private key is never printed"
    );
    let (code, _, err) = daftar(&["keys", "new", "--out", &private.to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn a_questionnaire_of_metadata_only_loads_plays_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        &dir,
        "meta.yaml",
        "daftar: 1\nid: meta\nversion: \"1\"\nparadata: true\nitems: []\n",
    );
    let (code, out, _) = daftar(&["spec", "check", &spec]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[Q020]"), "{out}");
    let script = write(&dir, "s.json", "[]");
    let (code, out, err) = daftar(&["play", "--spec", &spec, "--answers", &script]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"complete\": true"), "{out}");
    let (code, out, err) = daftar(&["eval", "1 + 1", "--spec", &spec]);
    assert_eq!(
        (code, out.trim(), err.as_str()),
        (0, r#"{"type":"number","value":2}"#, "")
    );
}
