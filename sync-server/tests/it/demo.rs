//! `sync-server demo` as a new user runs it (`./x demo`): a fresh data directory set up through the API,
//! secrets printed once, then the server itself.

use std::io::BufRead as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use sync_client::SyncClient;
use sync_proto::keys::{SigningKeyPair, WrappedSurveyKey};

fn pilot() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../questionnaire-specs/morocco-pilot/questionnaire.yaml")
}

/// The value after `label` on the summary line that starts with it (after indentation).
fn field<'a>(summary: &'a [String], label: &str) -> Vec<&'a str> {
    summary
        .iter()
        .find(|line| line.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in {summary:#?}"))
        .trim_start()[label.len()..]
        .split_whitespace()
        .collect()
}

async fn call(url: &str, token: &str, method: reqwest::Method, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .request(method, format!("{url}{path}"))
        .header("Daftar-Protocol", "1")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {value}");
    value
}

async fn login(url: &str, username: &str, password: &str) -> String {
    let response: Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/login"))
        .header("Daftar-Protocol", "1")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{username} cannot log in: {response}"))
        .to_string()
}

#[tokio::test]
async fn the_demo_sets_up_a_fresh_server_that_a_supervisor_and_a_tablet_can_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["demo", "--bind", "127.0.0.1:0", "--questionnaire"])
        .arg(pilot())
        .arg("--data-dir")
        .arg(&data)
        .env("DAFTAR_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let done = line.starts_with("Stop with Ctrl-C");
            lines.push(line);
            if done {
                let _ = sender.send(std::mem::take(&mut lines));
            }
        }
    });
    let summary = receiver
        .recv_timeout(Duration::from_secs(120))
        .expect("the demo prints its summary");
    let url = field(&summary, "web console")[0]
        .trim_end_matches('/')
        .to_string();

    // Every account logs in with the password printed for it.
    let mut tokens = std::collections::BTreeMap::new();
    for name in ["admin", "supervisor", "data", "enumerator1"] {
        let password = field(&summary, name)[0];
        tokens.insert(name, login(&url, name, password).await);
    }
    // The survey is there with the pilot questionnaire, and its key opens with the printed passphrase.
    let surveys = call(
        &url,
        &tokens["data"],
        reqwest::Method::GET,
        "/api/v1/surveys",
        Value::Null,
    )
    .await;
    let survey = surveys
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "morocco-pilot")
        .unwrap_or_else(|| panic!("no pilot survey in {surveys}"));
    assert!(survey["public_key"].is_string(), "{survey}");
    assert_eq!(survey["versions"].as_array().unwrap().len(), 1, "{survey}");
    let passphrase = field(&summary, "survey key")[1];
    let storage = rusqlite::Connection::open(data.join("daftar.sqlite3")).unwrap();
    let wrapped: String = storage
        .query_row(
            "SELECT wrapped_private_key FROM surveys WHERE id = 'morocco-pilot'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let wrapped: WrappedSurveyKey = serde_json::from_str(&wrapped).unwrap();
    assert!(wrapped.unwrap_key(passphrase).is_ok());
    assert!(wrapped.unwrap_key("not the passphrase").is_err());

    // The supervisor sees the enumerator's two assignments.
    let assignments = call(
        &url,
        &tokens["supervisor"],
        reqwest::Method::GET,
        "/api/v1/assignments",
        Value::Null,
    )
    .await;
    assert_eq!(
        assignments["assignments"].as_array().unwrap().len(),
        2,
        "{assignments}"
    );

    // A tablet enrols with the printed code, then downloads the questionnaire and the assignments.
    let enrol = field(&summary, "enrol a tablet");
    assert_eq!(enrol[1].trim_end_matches(','), url);
    let key = SigningKeyPair::generate();
    let enrolment = SyncClient::enrol(&url, enrol[3], &key, "demo tablet")
        .await
        .unwrap();
    assert_eq!(enrolment.enumerator.username, "enumerator1");

    // Nothing secret went to the log.
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    for secret in [field(&summary, "admin")[0], passphrase, enrol[3]] {
        assert!(!log.contains(secret), "a secret is in the log");
    }

    // A second demo on the same directory is refused (exit 2) and changes nothing.
    let before = std::fs::read(data.join("daftar.sqlite3")).unwrap();
    let again = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["demo", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read(data.join("daftar.sqlite3")).unwrap(), before);
}
