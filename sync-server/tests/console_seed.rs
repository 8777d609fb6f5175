//! Seeds a real server process through its HTTP API, as the browser tests need it: accounts, a survey
//! with its key under a passphrase, a questionnaire with a quota, quota targets, an enrolled device and
//! interviews sealed with sync-proto and uploaded by the device. Then checks the quota fill the API
//! reports against the seeded interviews.
//!
//! With `DAFTAR_CONSOLE_URL` (and `DAFTAR_CONSOLE_ADMIN_PASSWORD`) it seeds that server and writes what
//! it seeded as JSON to `DAFTAR_CONSOLE_SEED_OUT` (`cargo xtask console` does this); without, it starts
//! its own server on a free loopback port and stops it at the end.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use survey_data::{InterviewRecord, ParadataEntry};
use survey_spec::Answer;
use sync_proto::b64::Base64Bytes;
use sync_proto::keys::{SigningKeyPair, SurveyKeyPair};
use sync_proto::wire::{MonitoringValue, QuestionnaireFormat, UploadEnvelope};
use uuid::Uuid;

const PASSWORD: &str = "console test password";
const PASSPHRASE: &str = "console survey passphrase";

const QUESTIONNAIRE: &str = r#"daftar: 1
id: pilot
version: "1"
title: {fr: Pilote console, ar: تجريبي}
languages: [fr, ar]
default_language: fr
choices:
  region:
    - {code: "01", label: {fr: Tanger-Tétouan-Al Hoceïma, ar: طنجة تطوان الحسيمة}}
    - {code: "04", label: {fr: Rabat-Salé-Kénitra, ar: الرباط سلا القنيطرة}}
    - {code: "06", label: {fr: Casablanca-Settat, ar: الدار البيضاء سطات}}
  sex:
    - {code: "1", label: {fr: Homme, ar: ذكر}}
    - {code: "2", label: {fr: Femme, ar: أنثى}}
monitoring: [a_region, m_sex]
quotas:
  - {name: region_sex, label: {fr: Région × sexe, ar: الجهة × الجنس}, by: [a_region, m_sex]}
items:
  - {name: a_region, type: single, choices: region, label: {fr: Région, ar: الجهة}}
  - {name: m_sex, type: single, choices: sex, label: {fr: Sexe, ar: الجنس}}
  - {name: age, type: integer, label: {fr: Âge, ar: العمر}, constraint: ". >= 15 and . < 100"}
  - {name: works, type: yes_no, label: {fr: Travaille-t-il ?, ar: هل يعمل؟}, relevant: "${age} >= 15"}
"#;

/// (region, sex, age, minutes the interview took)
const INTERVIEWS: [(&str, &str, i64, i64); 6] = [
    ("01", "1", 34, 25),
    ("01", "2", 41, 8),
    ("06", "1", 29, 31),
    ("06", "1", 52, 22),
    ("06", "2", 38, 40),
    ("04", "2", 23, 18),
];

/// (region, sex) of the interviews the tablet reports as started and not completed.
const DRAFTS: [(&str, &str); 2] = [("01", "1"), ("06", "2")];

struct Server {
    child: Option<Child>,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start_server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_sync-server");
    let status = Command::new(bin)
        .args(["admin", "--data-dir"])
        .arg(dir.path())
        .args(["create-admin", "--username", "admin"])
        .env("DAFTAR_ADMIN_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Server {
        child: Some(child),
        url,
        _dir: Some(dir),
    }
}

struct Api {
    client: reqwest::Client,
    url: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.url))
            .header("Daftar-Protocol", "1");
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (status, value) = self.call(method, path, auth, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {value}");
        value
    }
}

fn record(id: Uuid, region: &str, sex: &str, age: i64, minutes: i64, day: u32) -> InterviewRecord {
    let start = format!("2026-11-{day:02}T09:00:00+01:00");
    let end_minutes = 9 * 60 + minutes;
    let end = format!(
        "2026-11-{day:02}T{:02}:{:02}:00+01:00",
        end_minutes / 60,
        end_minutes % 60
    );
    let event = |at: &str, event: &str, path: Option<&str>| ParadataEntry {
        at: at.into(),
        event: event.into(),
        path: path.map(str::to_string),
        detail: None,
    };
    InterviewRecord {
        id: id.to_string(),
        answers: vec![
            ("a_region".into(), Answer::Choice(region.into())),
            ("m_sex".into(), Answer::Choice(sex.into())),
            ("age".into(), Answer::Integer(age)),
            ("works".into(), Answer::Choice("yes".into())),
        ],
        language: Some("fr".into()),
        events: vec![
            event(&start, "started", None),
            event(&start, "answer_set", Some("a_region")),
            event(&end, "answer_set", Some("age")),
            event(&end, "finished", None),
        ],
        ..Default::default()
    }
}

async fn seed(url: &str, admin_password: &str) -> Value {
    let api = Api {
        client: reqwest::Client::new(),
        url: url.to_string(),
    };
    let login = api
        .ok(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "admin", "password": admin_password})),
        )
        .await;
    let admin = format!("Bearer {}", login["token"].as_str().unwrap());
    let mut ids = BTreeMap::new();
    for (name, role, team) in [
        ("sup", "supervisor", Some("a")),
        ("dm", "data_manager", None),
        ("enum", "enumerator", Some("a")),
    ] {
        let user = api
            .ok(
                reqwest::Method::POST,
                "/users",
                Some(&admin),
                Some(json!({"username": name, "password": PASSWORD, "role": role, "team": team})),
            )
            .await;
        ids.insert(name, user["id"].as_i64().unwrap());
    }
    api.ok(
        reqwest::Method::POST,
        "/surveys",
        Some(&admin),
        Some(json!({"id": "pilot", "title": "Pilote console"})),
    )
    .await;
    let key = SurveyKeyPair::generate();
    let wrapped = key.wrap(PASSPHRASE).unwrap();
    api.ok(
        reqwest::Method::PUT,
        "/surveys/pilot/key",
        Some(&admin),
        Some(json!({"public_key": key.public_key().to_base64(), "wrapped_private_key": wrapped})),
    )
    .await;
    let version = api
        .ok(
            reqwest::Method::POST,
            "/surveys/pilot/versions",
            Some(&admin),
            Some(json!({"format": QuestionnaireFormat::Yaml, "content": Base64Bytes(QUESTIONNAIRE.as_bytes().to_vec())})),
        )
        .await;
    let hash = version["content_hash"].as_str().unwrap().to_string();
    let mut targets = Vec::new();
    for (region, sex, target) in [
        ("01", "1", 3),
        ("01", "2", 3),
        ("06", "1", 2),
        ("06", "2", 4),
        ("04", "2", 2),
    ] {
        api.ok(
            reqwest::Method::PUT,
            "/surveys/pilot/quotas",
            Some(&admin),
            Some(json!({"quota": "region_sex", "cell": {"a_region": region, "m_sex": sex}, "target": target})),
        )
        .await;
        let fill = INTERVIEWS
            .iter()
            .filter(|(r, s, _, _)| *r == region && *s == sex)
            .count();
        targets.push(json!({"a_region": region, "m_sex": sex, "target": target, "fill": fill}));
    }
    // Two assignments: the first three interviews come for one of 10, the last three for one of 2 (over).
    let mut assignments = Vec::new();
    for quantity in [10, 2] {
        let created = api
            .ok(
                reqwest::Method::POST,
                "/assignments",
                Some(&admin),
                Some(json!({"survey_id": "pilot", "enumerator_id": ids["enum"], "quantity": quantity, "preload": {}})),
            )
            .await;
        assignments.push(created["id"].as_i64().unwrap());
    }
    let code = api
        .ok(
            reqwest::Method::POST,
            "/enrolment-codes",
            Some(&admin),
            Some(json!({"enumerator_id": ids["enum"]})),
        )
        .await;
    let device_key = SigningKeyPair::generate();
    let enrolled = api
        .ok(
            reqwest::Method::POST,
            "/devices/enrol",
            None,
            Some(json!({"code": code["code"], "device_public_key": Base64Bytes(device_key.public_key().0.to_vec()), "label": "tablette 1"})),
        )
        .await;
    let device = format!("Device {}", enrolled["device_token"].as_str().unwrap());
    let mut interviews = Vec::new();
    for (i, (region, sex, age, minutes)) in INTERVIEWS.iter().enumerate() {
        let id = Uuid::now_v7();
        let rec = record(id, region, sex, *age, *minutes, 20 + (i as u32 % 3));
        let envelope = UploadEnvelope::seal_and_sign(
            id,
            1,
            "pilot",
            &hash,
            Some(assignments[i / 3]),
            BTreeMap::from([
                (
                    "a_region".to_string(),
                    MonitoringValue::Text(region.to_string()),
                ),
                ("m_sex".to_string(), MonitoringValue::Text(sex.to_string())),
            ]),
            &rec.to_payload(),
            &key.public_key(),
            &device_key,
        )
        .unwrap();
        api.ok(
            reqwest::Method::POST,
            "/sync/uploads",
            Some(&device),
            Some(serde_json::to_value(&envelope).unwrap()),
        )
        .await;
        interviews.push(json!({"id": id.to_string(), "a_region": region, "m_sex": sex, "age": age, "minutes": minutes}));
    }
    // The tablet reports two interviews started and not completed (clear fields only).
    let drafts: Vec<Value> = DRAFTS
        .iter()
        .map(|(region, sex)| {
            json!({
                "interview_id": Uuid::now_v7(),
                "questionnaire_id": "pilot",
                "questionnaire_version": hash,
                "assignment_id": assignments[0],
                "monitoring": {"a_region": region, "m_sex": sex},
            })
        })
        .collect();
    api.ok(
        reqwest::Method::PUT,
        "/sync/progress",
        Some(&device),
        Some(json!({ "drafts": drafts })),
    )
    .await;
    for t in &mut targets {
        let in_progress = DRAFTS
            .iter()
            .filter(|(r, s)| t["a_region"] == *r && t["m_sex"] == *s)
            .count();
        t["in_progress"] = json!(in_progress);
    }
    // The quota fill the API reports is the seeded interviews' and drafts'.
    let quotas = api
        .ok(
            reqwest::Method::GET,
            "/surveys/pilot/quotas",
            Some(&admin),
            None,
        )
        .await;
    for t in &targets {
        let cell = quotas["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cell"]["a_region"] == t["a_region"] && c["cell"]["m_sex"] == t["m_sex"])
            .unwrap_or_else(|| panic!("no cell {t} in {quotas}"));
        assert_eq!(
            (
                cell["target"].clone(),
                cell["fill"].clone(),
                cell["in_progress"].clone()
            ),
            (
                t["target"].clone(),
                t["fill"].clone(),
                t["in_progress"].clone()
            ),
            "{t}"
        );
    }
    // The quantity used the API reports is the seeded interviews'.
    let listed = api
        .ok(
            reqwest::Method::GET,
            "/assignments?survey_id=pilot",
            Some(&admin),
            None,
        )
        .await;
    let mut assignment_use = Vec::new();
    for (i, (id, quantity)) in assignments.iter().zip([10, 2]).enumerate() {
        let used = INTERVIEWS.len() / 2;
        let row = listed["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == *id)
            .unwrap_or_else(|| panic!("assignment {id} not in {listed}"));
        assert_eq!(row["used"], used, "assignment {i}: {row}");
        assignment_use.push(json!({"id": id, "quantity": quantity, "used": used}));
    }
    let morocco = seed_pilot(&api, &admin, &device, &device_key).await;
    json!({
        "morocco": morocco,
        "url": url,
        "password": PASSWORD,
        "admin_password": admin_password,
        "passphrase": PASSPHRASE,
        "interviews": interviews,
        "quotas": targets,
        "assignments": assignment_use,
        "enumerator_id": ids["enum"],
    })
}

/// The Morocco pilot (uploaded as a bundle with its CSV lists) and its eighteen scripted interviews,
/// played through the engine and uploaded sealed. Returns the SDG 10.7.1 core total computed here, which
/// the console must show.
async fn seed_pilot(api: &Api, admin: &str, device: &str, device_key: &SigningKeyPair) -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../questionnaire-specs/morocco-pilot");
    let main = std::fs::read(dir.join("questionnaire.yaml")).unwrap();
    let mut bundle = survey_spec::Bundle::new("questionnaire.yaml", main).unwrap();
    for entry in std::fs::read_dir(dir.join("lists")).unwrap() {
        let path = entry.unwrap().path();
        let name = format!("lists/{}", path.file_name().unwrap().to_string_lossy());
        bundle.add(&name, std::fs::read(&path).unwrap()).unwrap();
    }
    let (q, diagnostics) = survey_xlsform::load_bundle(&bundle.to_zip());
    let q = q.unwrap_or_else(|| panic!("{diagnostics:?}"));
    api.ok(
        reqwest::Method::POST,
        "/surveys",
        Some(admin),
        Some(json!({"id": "morocco-pilot", "title": "Morocco pilot"})),
    )
    .await;
    let key = SurveyKeyPair::generate();
    api.ok(
        reqwest::Method::PUT,
        "/surveys/morocco-pilot/key",
        Some(admin),
        Some(json!({"public_key": key.public_key().to_base64(), "wrapped_private_key": key.wrap(PASSPHRASE).unwrap()})),
    )
    .await;
    let version = api
        .ok(
            reqwest::Method::POST,
            "/surveys/morocco-pilot/versions",
            Some(admin),
            Some(json!({"format": QuestionnaireFormat::Bundle, "content": Base64Bytes(bundle.to_zip())})),
        )
        .await;
    let hash = version["content_hash"].as_str().unwrap().to_string();
    let mut scripts: Vec<_> = std::fs::read_dir(dir.join("scripts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".expect.json"))
        .collect();
    scripts.sort();
    let mut records = Vec::new();
    let mut located = Vec::new();
    for script in scripts {
        let id = Uuid::now_v7();
        let mut steps: Value = serde_json::from_slice(&std::fs::read(&script).unwrap()).unwrap();
        let with_location = locate(&mut steps, &script);
        let record =
            survey_data::script::play_at(&q, &id.to_string(), &steps, "2026-10-15T10:00:00+01:00")
                .unwrap();
        let region = record
            .answers
            .iter()
            .find(|(p, _)| p == "a_region")
            .map(|(_, a)| survey_spec::value_text::to_text(a));
        let monitoring = region
            .map(|r| BTreeMap::from([("a_region".to_string(), MonitoringValue::Text(r))]))
            .unwrap_or_default();
        let envelope = UploadEnvelope::seal_and_sign(
            id,
            1,
            "morocco-pilot",
            &hash,
            None,
            monitoring,
            &record.to_payload(),
            &key.public_key(),
            device_key,
        )
        .unwrap();
        api.ok(
            reqwest::Method::POST,
            "/sync/uploads",
            Some(device),
            Some(serde_json::to_value(&envelope).unwrap()),
        )
        .await;
        if with_location {
            located.push(json!({"id": id.to_string(), "a_region": region_of(&record)}));
        }
        records.push(record);
    }
    let dataset = survey_data::Dataset::from_records(&q, &records);
    let rows = survey_data::sdg::tables_of(&dataset);
    let core = rows
        .iter()
        .find(|r| r.variant == "core" && r.breakdown == "total")
        .unwrap();
    assert!(core.summary.n >= 3, "{core:?}");
    json!({
        "interviews": records.len(),
        "located": located,
        "core_n": core.summary.n,
        "core_mean": core.summary.mean.map(|m| format!("{m:.3}")),
        "core_median": core.summary.median.map(|m| format!("{m:.3}")),
        "core_p80": core.summary.p80.map(|m| format!("{m:.3}")),
    })
}

/// A town inside each region (code, latitude, longitude): the interview location given to scripted
/// interviews that have none, so the console's map has a point per interview in every region it covers.
const TOWNS: [(&str, f64, f64); 12] = [
    ("01", 35.76, -5.83),  // Tanger
    ("02", 34.68, -1.91),  // Oujda
    ("03", 34.03, -5.00),  // Fès
    ("04", 34.02, -6.84),  // Rabat
    ("05", 32.34, -6.36),  // Béni Mellal
    ("06", 33.57, -7.59),  // Casablanca
    ("07", 31.63, -8.01),  // Marrakech
    ("08", 31.93, -4.43),  // Errachidia
    ("09", 30.42, -9.60),  // Agadir
    ("10", 28.99, -10.06), // Guelmim
    ("11", 27.15, -13.20), // Laâyoune
    ("12", 22.55, -14.33), // Aousserd
];

/// The script that stays without a location, so the map shows only located interviews.
const WITHOUT_LOCATION: &str = "06-refusal-at-door.json";

fn region_of(record: &InterviewRecord) -> String {
    record
        .answers
        .iter()
        .find(|(p, _)| p == "a_region")
        .map(|(_, a)| survey_spec::value_text::to_text(a))
        .unwrap_or_default()
}

/// Gives a script a `gps` answer in its region's town if it has none (but for `WITHOUT_LOCATION`);
/// returns whether the interview has a location.
fn locate(steps: &mut Value, script: &std::path::Path) -> bool {
    let list = steps.as_array_mut().unwrap();
    if list.iter().any(|s| s["set"] == "gps") {
        return true;
    }
    if script.ends_with(WITHOUT_LOCATION) {
        return false;
    }
    let at = list.iter().position(|s| s["set"] == "a_region").unwrap();
    let region = list[at]["value"].as_str().unwrap().to_string();
    let (_, lat, lon) = TOWNS.iter().find(|(code, _, _)| *code == region).unwrap();
    list.insert(at + 1, json!({"set": "gps", "value": [lat, lon, 0.0, 6.0]}));
    true
}

#[tokio::test]
async fn seeds_a_running_server_through_the_api() {
    let external = std::env::var("DAFTAR_CONSOLE_URL").ok();
    let server = match &external {
        Some(url) => Server {
            child: None,
            url: url.clone(),
            _dir: None,
        },
        None => start_server(),
    };
    let admin_password =
        std::env::var("DAFTAR_CONSOLE_ADMIN_PASSWORD").unwrap_or_else(|_| PASSWORD.into());
    let seeded = seed(&server.url, &admin_password).await;
    assert_eq!(
        seeded["interviews"].as_array().unwrap().len(),
        INTERVIEWS.len()
    );
    if let Ok(out) = std::env::var("DAFTAR_CONSOLE_SEED_OUT") {
        std::fs::write(out, serde_json::to_vec_pretty(&seeded).unwrap()).unwrap();
    }
}
