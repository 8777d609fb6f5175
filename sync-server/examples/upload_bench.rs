//! Upload throughput and latency of the sync server, and bytes on the wire per interview.
//!
//! ```text
//! cargo run --release -p sync-server --example upload_bench            # 50 and 500 devices
//! cargo run --release -p sync-server --example upload_bench -- 20000  # uploads per run
//! ```
//!
//! The server runs in this process on a loopback port with its real stack (axum, SQLite in WAL mode
//! with `synchronous=FULL`, group commit, signed receipts); every simulated device has its own
//! enrolled device key and token, its own HTTP connection, and sends distinct sealed interviews of
//! 4 KB one after the other. Clients and server share the machine's cores.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::{Duration, Instant};

use sync_proto::keys::{SigningKeyPair, SurveyKeyPair};
use sync_proto::wire::{MonitoringValue, QuestionnaireFormat, Role, UploadEnvelope};
use sync_server::config::Config;
use sync_server::storage::{NewAudit, NewQuestionnaireVersion, NewUser, Storage as _};
use uuid::Uuid;

const QUESTIONNAIRE: &str = r#"daftar: 1
id: pilot
version: "1"
title: {en: Pilot}
languages: [en]
default_language: en
choices:
  region:
    - {code: "00", label: {en: R0}}
    - {code: "01", label: {en: R1}}
    - {code: "02", label: {en: R2}}
    - {code: "03", label: {en: R3}}
    - {code: "04", label: {en: R4}}
    - {code: "05", label: {en: R5}}
    - {code: "06", label: {en: R6}}
    - {code: "07", label: {en: R7}}
    - {code: "08", label: {en: R8}}
    - {code: "09", label: {en: R9}}
    - {code: "10", label: {en: R10}}
    - {code: "11", label: {en: R11}}
  sex:
    - {code: "1", label: {en: Male}}
    - {code: "2", label: {en: Female}}
monitoring: [a_region, m_sex]
items:
  - {name: a_region, type: single, choices: region, label: {en: Region}}
  - {name: m_sex, type: single, choices: sex, label: {en: Sex}}
"#;

fn audit() -> NewAudit {
    NewAudit {
        at: "2026-11-23T00:00:00Z".into(),
        actor: "bench".into(),
        action: "setup",
        subject: String::new(),
        detail: String::new(),
    }
}

struct Device {
    token: String,
    bodies: Vec<Vec<u8>>,
}

async fn run(devices: usize, uploads: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let (state, storage) = sync_server::open_state(config)?;
    let enumerator = storage.create_user(
        NewUser {
            username: "enum".into(),
            password_hash: "x".into(),
            role: Role::Enumerator,
            team: Some("a".into()),
        },
        audit(),
    )?;
    let survey_key = SurveyKeyPair::generate();
    storage.create_survey("pilot", "Pilot", "2026-11-23T00:00:00Z")?;
    storage.set_survey_key("pilot", &survey_key.public_key().to_base64(), None, audit())?;
    let version = storage.add_questionnaire_version(NewQuestionnaireVersion {
        survey_id: "pilot".into(),
        label: None,
        format: QuestionnaireFormat::Yaml,
        content: QUESTIONNAIRE.as_bytes().to_vec(),
        monitoring: vec!["a_region".into(), "m_sex".into()],
        created_at: "2026-11-23T00:00:00Z".into(),
    })?;

    // Enrol the devices and seal their interviews before the clock starts.
    let per_device = uploads.div_ceil(devices);
    let mut fleet = Vec::with_capacity(devices);
    let setup = Instant::now();
    for index in 0..devices {
        let key = SigningKeyPair::generate();
        let code = format!("BENCH{index}");
        let token = format!("{:032x}", index + 1);
        storage.create_enrolment_code(
            sync_server::auth::token_hash(&code),
            enumerator.id,
            i64::MAX,
            audit(),
        )?;
        storage
            .enrol_device(
                sync_server::auth::token_hash(&code),
                0,
                Uuid::now_v7(),
                "bench",
                key.public_key().0,
                sync_server::auth::token_hash(&token),
                "2026-11-23T00:00:00Z",
            )?
            .ok_or_else(|| anyhow::anyhow!("enrolment failed"))?;
        let mut bodies = Vec::with_capacity(per_device);
        for n in 0..per_device {
            // 4 KB of incompressible interview bytes: the sealed payload is 4 KB whatever the encoding.
            let plaintext: Vec<u8> = (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> (n % 13 + index % 7)) as u8)
                .collect();
            let envelope = UploadEnvelope::seal_and_sign(
                Uuid::now_v7(),
                1,
                "pilot",
                &version.content_hash,
                None,
                BTreeMap::from([
                    (
                        "a_region".to_string(),
                        MonitoringValue::Text(format!("{:02}", n % 12)),
                    ),
                    ("m_sex".to_string(), MonitoringValue::Text("1".into())),
                ]),
                &plaintext,
                &survey_key.public_key(),
                &key,
            )?;
            bodies.push(serde_json::to_vec(&envelope)?);
        }
        fleet.push(Device { token, bodies });
    }
    let setup_time = setup.elapsed();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = sync_server::app(state);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let cpu_before = process_cpu_seconds();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(devices);
    for device in fleet {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let mut latencies = Vec::with_capacity(device.bodies.len());
            for body in device.bodies {
                let sent = Instant::now();
                let response = http
                    .post(format!("{url}/api/v1/sync/uploads"))
                    .header("Daftar-Protocol", "1")
                    .header("Authorization", format!("Device {}", device.token))
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("upload sent");
                let status = response.status();
                let bytes = response.bytes().await.expect("receipt read");
                assert!(
                    status.is_success(),
                    "{status}: {}",
                    String::from_utf8_lossy(&bytes)
                );
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(uploads);
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = start.elapsed();
    let cpu = process_cpu_seconds() - cpu_before;
    server.abort();
    latencies.sort();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let stored: i64 = rusqlite::Connection::open(dir.path().join("daftar.sqlite3"))?.query_row(
        "SELECT COUNT(*) FROM uploads",
        [],
        |row| row.get(0),
    )?;
    println!(
        "devices {devices:>4}: {} uploads in {:.2} s = {:.0} uploads/s; latency p50 {:.1} ms, p99 {:.1} ms \
         (stored {stored}; CPU used by server and clients {cpu:.2} s = {:.0} uploads per CPU-second; setup {:.1} s)",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1000.0,
        percentile(0.99).as_secs_f64() * 1000.0,
        latencies.len() as f64 / cpu,
        setup_time.as_secs_f64(),
    );
    let closing = storage.clone();
    tokio::task::spawn_blocking(move || closing.close()).await?;
    Ok(())
}

/// User + system CPU time of this process so far, from `/proc/self/stat` (Linux; 0 elsewhere).
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line (indexes 11 and 12 from the state field), in ticks of 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

/// A pilot-sized interview: 300 answers over a household roster, a migration episode roster and a
/// recruitment-cost roster, with the value types of the pilot questionnaire.
fn pilot_answers() -> Vec<(String, String)> {
    let mut answers = Vec::new();
    let first_names = [
        "Fatima", "Mohamed", "Aicha", "Youssef", "Khadija", "Omar", "Salma", "Karim",
    ];
    for (name, value) in [
        ("a_region", "01"),
        ("a_province", "011"),
        ("a_commune", "011051"),
        ("a_hh_id", "0042"),
        ("a_interviewer", "enum07"),
        ("a_consent", "yes"),
        ("a_start", "2026-11-20T09:14:03+01:00"),
        ("a_gps", "34.0209 -6.8416 52.0 4.5"),
        ("a_hh_size", "8"),
        ("a_language", "ar"),
    ] {
        answers.push((name.to_string(), value.to_string()));
    }
    for member in 1..=8 {
        let row = |item: &str| format!("hh_roster[{member}].{item}");
        for (item, value) in [
            ("name", first_names[member - 1].to_string()),
            ("relation", format!("{}", (member % 9) + 1)),
            ("sex", format!("{}", member % 2 + 1)),
            ("age", format!("{}", 12 + member * 6)),
            (
                "birth_date",
                format!("{}-0{}-1{}", 2014 - member * 6, member % 9 + 1, member % 9),
            ),
            ("nationality", "MAR".to_string()),
            ("marital", "2".to_string()),
            ("education", format!("{}", member % 6)),
            ("literate", "yes".to_string()),
            (
                "worked_7d",
                if member % 3 == 0 { "no" } else { "yes" }.to_string(),
            ),
            ("occupation", "7112".to_string()),
            ("industry", "4100".to_string()),
            ("status_emp", "1".to_string()),
            ("hours", "48".to_string()),
            (
                "income",
                "{\"amount\": 3200, \"currency\": \"MAD\"}".to_string(),
            ),
            (
                "lived_abroad",
                if member % 2 == 0 { "yes" } else { "no" }.to_string(),
            ),
            ("intends_migrate", "no".to_string()),
            ("health_ins", "yes".to_string()),
            ("disability", "no".to_string()),
            ("phone", "yes".to_string()),
            ("bank_account", "no".to_string()),
            ("remit_sent", "no".to_string()),
            (
                "remit_recv",
                if member == 1 { "yes" } else { "no" }.to_string(),
            ),
            ("respondent", "1".to_string()),
        ] {
            answers.push((row(item), value));
        }
    }
    for episode in 1..=3 {
        let row = |item: &str| format!("migration[{episode}].{item}");
        for (item, value) in [
            ("member", format!("{}", episode * 2)),
            ("country", ["ESP", "FRA", "SAU"][episode - 1].to_string()),
            (
                "city",
                ["Almeria", "Lyon", "Riyadh"][episode - 1].to_string(),
            ),
            ("year_left", format!("{}", 2015 + episode)),
            ("year_back", format!("{}", 2019 + episode)),
            ("reason", "1".to_string()),
            ("occupation_abroad", "9211".to_string()),
            ("sector_abroad", "0111".to_string()),
            ("contract", "yes".to_string()),
            ("visa", "2".to_string()),
            (
                "monthly_wage",
                "{\"amount\": 1150, \"currency\": \"EUR\"}".to_string(),
            ),
            ("hours_week", "55".to_string()),
            ("documents_kept", "no".to_string()),
            ("recruiter", "2".to_string()),
            ("satisfied", "3".to_string()),
        ] {
            answers.push((row(item), value));
        }
    }
    for cost in 1..=5 {
        let row = |item: &str| format!("rc_costs[{cost}].{item}");
        for (item, value) in [
            ("item", format!("{cost}")),
            ("paid", "yes".to_string()),
            (
                "amount",
                format!("{{\"amount\": {}, \"currency\": \"MAD\"}}", 1500 * cost),
            ),
            ("paid_to", "2".to_string()),
            (
                "borrowed",
                if cost % 2 == 0 { "yes" } else { "no" }.to_string(),
            ),
        ] {
            answers.push((row(item), value));
        }
    }
    let mut filler = 0;
    while answers.len() < 300 {
        filler += 1;
        answers.push((
            format!("s_module_q{filler:02}"),
            format!("{}", filler % 5 + 1),
        ));
    }
    answers.truncate(300);
    answers
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// The same answers as an ODK XML instance, nested by roster, in a multipart/form-data body as
/// ODK Collect posts it to `/submission` (Collect sends it uncompressed).
fn odk_multipart(answers: &[(String, String)], instance_id: Uuid) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version='1.0' ?><data id=\"morocco_pilot\" version=\"2026111\" \
         xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\">",
    );
    let mut open_roster: Option<String> = None;
    for (path, value) in answers {
        let value = value.replace('&', "&amp;").replace('<', "&lt;");
        // ODK money has no type: amount and currency are two fields.
        let value = if value.starts_with("{\"amount\"") {
            let amount = value
                .split(": ")
                .nth(1)
                .and_then(|v| v.split(',').next())
                .unwrap_or("0")
                .to_string();
            let currency = value.rsplit('"').nth(1).unwrap_or("MAD").to_string();
            format!("{amount}</VALUE><CURRENCY>{currency}")
        } else {
            value
        };
        match path.split_once('.') {
            Some((roster_row, item)) => {
                let roster = roster_row
                    .split('[')
                    .next()
                    .unwrap_or(roster_row)
                    .to_string();
                if open_roster.as_deref() != Some(roster_row) {
                    if let Some(previous) = open_roster.take() {
                        xml.push_str(&format!(
                            "</{}>",
                            previous.split('[').next().unwrap_or(&previous)
                        ));
                    }
                    xml.push_str(&format!("<{roster}>"));
                    open_roster = Some(roster_row.to_string());
                }
                let field =
                    value.replace("</VALUE><CURRENCY>", &format!("</{item}><{item}_currency>"));
                let close = if field != value {
                    format!("{item}_currency")
                } else {
                    item.to_string()
                };
                xml.push_str(&format!("<{item}>{field}</{close}>"));
            }
            None => {
                if let Some(previous) = open_roster.take() {
                    xml.push_str(&format!(
                        "</{}>",
                        previous.split('[').next().unwrap_or(&previous)
                    ));
                }
                let field =
                    value.replace("</VALUE><CURRENCY>", &format!("</{path}><{path}_currency>"));
                let close = if field != value {
                    format!("{path}_currency")
                } else {
                    path.clone()
                };
                xml.push_str(&format!("<{path}>{field}</{close}>"));
            }
        }
    }
    if let Some(previous) = open_roster.take() {
        xml.push_str(&format!(
            "</{}>",
            previous.split('[').next().unwrap_or(&previous)
        ));
    }
    xml.push_str(&format!(
        "<meta><instanceID>uuid:{instance_id}</instanceID><instanceName>0042 01</instanceName></meta></data>"
    ));
    let boundary = "----OpenRosaBoundary7f3a9c2e";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\n\
             Content-Type: text/xml\r\n\r\n{xml}\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    body
}

fn wire_bytes() -> anyhow::Result<()> {
    let answers = pilot_answers();
    let json: serde_json::Map<String, serde_json::Value> = answers
        .iter()
        .map(|(path, value)| {
            let value = serde_json::from_str::<serde_json::Value>(value)
                .ok()
                .filter(|parsed| parsed.is_object() || parsed.is_number())
                .unwrap_or_else(|| serde_json::Value::String(value.clone()));
            (path.clone(), value)
        })
        .collect();
    let plaintext = serde_json::to_vec(&serde_json::json!({"answers": json}))?;
    let survey = SurveyKeyPair::generate();
    let device = SigningKeyPair::generate();
    let envelope = UploadEnvelope::seal_and_sign(
        Uuid::now_v7(),
        1,
        "morocco-pilot",
        &"ab".repeat(32),
        Some(1042),
        BTreeMap::from([
            ("a_region".to_string(), MonitoringValue::Text("01".into())),
            ("m_sex".to_string(), MonitoringValue::Text("2".into())),
            (
                "q_module".to_string(),
                MonitoringValue::Text("return".into()),
            ),
        ]),
        &plaintext,
        &survey.public_key(),
        &device,
    )?;
    let envelope_json = serde_json::to_vec(&envelope)?;
    let daftar = gzip(&envelope_json);
    let odk = odk_multipart(&answers, envelope.interview_id);
    let odk_gzip = gzip(&odk);
    println!(
        "bytes on the wire for one interview of {} answers:",
        answers.len()
    );
    println!(
        "  answers as JSON (plaintext)          {:>6} bytes",
        plaintext.len()
    );
    println!(
        "  Daftar envelope JSON                 {:>6} bytes",
        envelope_json.len()
    );
    println!(
        "  Daftar envelope JSON, gzip (sent)    {:>6} bytes",
        daftar.len()
    );
    println!(
        "  ODK Collect multipart XML (sent)     {:>6} bytes",
        odk.len()
    );
    println!(
        "  ODK multipart XML, if gzip'd         {:>6} bytes",
        odk_gzip.len()
    );
    println!(
        "  ratio Daftar / ODK as sent: {:.2}; Daftar / ODK gzip'd: {:.2}",
        daftar.len() as f64 / odk.len() as f64,
        daftar.len() as f64 / odk_gzip.len() as f64
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let uploads: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(1024)
        .build()?;
    runtime.block_on(async {
        for devices in [50, 500] {
            run(devices, uploads).await?;
        }
        anyhow::Ok(())
    })?;
    wire_bytes()
}
