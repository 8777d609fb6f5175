//! `sync-server demo`: a fresh data directory made ready to try the whole system.
//!
//! It creates four accounts (admin, supervisor, data manager, enumerator) with random passwords, the Morocco
//! pilot survey with its questionnaire bundle and a survey key wrapped under a random passphrase, two
//! assignments and an enrolment code, then serves. Everything after the accounts goes through the server's
//! own API (requests handed to the router in-process), so the demo is set up as a user would set it up. The
//! secrets are printed once on standard output and kept nowhere; the data directory must be new, so a demo
//! never touches real data.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context as _, bail};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde_json::{Value, json};
use sync_proto::keys::SurveyKeyPair;
use sync_proto::wire::{CreateUserRequest, Role};
use sync_server::AppState;
use tower::ServiceExt as _;

/// The survey the demo creates.
pub const SURVEY_ID: &str = "morocco-pilot";

/// What the demo made, to print once.
#[derive(Debug)]
pub struct Demo {
    /// (username, role, team, password).
    pub accounts: Vec<(String, Role, Option<String>, String)>,
    /// The passphrase of the survey key (the key is stored wrapped under it).
    pub passphrase: String,
    /// The enumerator's one-time enrolment code.
    pub enrolment_code: String,
    /// When the code expires.
    pub code_expires_at: String,
    /// Assignment ids created.
    pub assignments: Vec<i64>,
}

impl Demo {
    /// The text printed before serving.
    pub fn summary(&self, url: &str) -> String {
        let mut out = String::from("Daftar demo server\n\n");
        out.push_str(&format!("  web console      {url}/\n"));
        out.push_str(
            "  accounts         (passwords are new at every demo start and kept nowhere)\n",
        );
        for (name, role, team, password) in &self.accounts {
            let team = team
                .as_deref()
                .map(|t| format!(", team {t}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "    {name:<12}   {password}   ({}{team})\n",
                role.as_str()
            ));
        }
        out.push_str(&format!(
            "  survey           {SURVEY_ID}: the Morocco pilot questionnaire, {} assignments for enumerator1\n",
            self.assignments.len()
        ));
        out.push_str(&format!(
            "  survey key       passphrase {}   (unlocks review and exports in the console)\n",
            self.passphrase
        ));
        out.push_str(&format!(
            "  enrol a tablet   server {url}, code {} (until {})\n",
            self.enrolment_code, self.code_expires_at
        ));
        out.push_str("\nStop with Ctrl-C.\n");
        out
    }
}

/// Refuses a data directory that already holds anything.
pub fn check_fresh(data_dir: &Path) -> anyhow::Result<()> {
    if let Ok(mut entries) = std::fs::read_dir(data_dir)
        && entries.next().is_some()
    {
        bail!(
            "{} is not empty: the demo sets up a new data directory only (remove it, or give another \
             --data-dir)",
            data_dir.display()
        );
    }
    Ok(())
}

fn random_text(length: usize) -> anyhow::Result<String> {
    // Without look-alike characters (0/O, 1/l/I), to be typed from the screen.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let limit = 256 - 256 % ALPHABET.len();
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(length);
    while out.len() < length {
        let mut byte = [0u8; 1];
        rng.fill(&mut byte)
            .map_err(|_| anyhow::anyhow!("the random source failed"))?;
        // Rejection sampling keeps every character equally likely.
        if usize::from(byte[0]) < limit {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// The questionnaire bundle: the questionnaire file and every CSV file beside it or below.
fn bundle(questionnaire: &Path) -> anyhow::Result<Vec<u8>> {
    let main = std::fs::read(questionnaire)
        .with_context(|| format!("cannot read {}", questionnaire.display()))?;
    let name = questionnaire
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "questionnaire.yaml".into());
    let mut bundle = survey_spec::Bundle::new(&name, main).map_err(anyhow::Error::msg)?;
    let folder = questionnaire.parent().unwrap_or(Path::new("."));
    let mut pending = vec![folder.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "csv") {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let relative = path
            .strip_prefix(folder)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        bundle.add(&relative, bytes).map_err(anyhow::Error::msg)?;
    }
    Ok(bundle.to_zip())
}

/// Requests handed to the server's router in-process.
struct Api {
    router: axum::Router,
}

impl Api {
    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Value,
    ) -> anyhow::Result<Value> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header("content-type", "application/json")
            .header(
                sync_proto::PROTOCOL_HEADER,
                sync_proto::PROTOCOL_VERSION.to_string(),
            );
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let mut request = request.body(Body::from(serde_json::to_vec(&body)?))?;
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await?;
        if !status.is_success() {
            bail!(
                "{method} {uri}: {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        if status == StatusCode::NO_CONTENT || bytes.is_empty() {
            return Ok(Value::Null);
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let response = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await?;
        response["token"]
            .as_str()
            .map(str::to_owned)
            .context("the login answered without a token")
    }
}

/// Sets the demo up in `state`'s (new) data directory.
pub async fn prepare(state: &AppState, questionnaire: &Path) -> anyhow::Result<Demo> {
    let zip = bundle(questionnaire)?;
    let mut accounts = Vec::new();
    let mut ids = Vec::new();
    for (name, role, team) in [
        ("admin", Role::Admin, None),
        ("supervisor", Role::Supervisor, Some("rabat")),
        ("data", Role::DataManager, None),
        ("enumerator1", Role::Enumerator, Some("rabat")),
    ] {
        let password = random_text(14)?;
        let request = CreateUserRequest {
            username: name.into(),
            password: password.clone(),
            role,
            team: team.map(str::to_owned),
        };
        let user = sync_server::api::create_user_checked(state, "demo".into(), request)
            .await
            .map_err(|e| anyhow::anyhow!("creating {name}: {}", e.message))?;
        ids.push(user.id);
        accounts.push((name.to_string(), role, team.map(str::to_owned), password));
    }
    let enumerator_id = ids[3];

    let api = Api {
        router: sync_server::app(state.clone()),
    };
    let admin = api.login("admin", &accounts[0].3).await?;
    api.call(
        Method::POST,
        "/api/v1/surveys",
        Some(&admin),
        json!({"id": SURVEY_ID, "title": "Morocco pilot: migrant workers and recruitment costs"}),
    )
    .await?;
    api.call(
        Method::POST,
        &format!("/api/v1/surveys/{SURVEY_ID}/versions"),
        Some(&admin),
        json!({"format": "bundle", "content": sync_proto::b64::Base64Bytes(zip)}),
    )
    .await?;
    let passphrase = random_text(20)?;
    let key = SurveyKeyPair::generate();
    let wrapped = key.wrap(&passphrase)?;
    api.call(
        Method::PUT,
        &format!("/api/v1/surveys/{SURVEY_ID}/key"),
        Some(&admin),
        json!({"public_key": key.public_key().to_base64(), "wrapped_private_key": wrapped}),
    )
    .await?;

    let supervisor = api.login("supervisor", &accounts[1].3).await?;
    let mut assignments = Vec::new();
    for quantity in [json!(10), Value::Null] {
        let created = api
            .call(
                Method::POST,
                "/api/v1/assignments",
                Some(&supervisor),
                json!({"survey_id": SURVEY_ID, "enumerator_id": enumerator_id,
                       "quantity": quantity, "preload": {}}),
            )
            .await?;
        assignments.push(created["id"].as_i64().context("an assignment without id")?);
    }
    let code = api
        .call(
            Method::POST,
            "/api/v1/enrolment-codes",
            Some(&supervisor),
            json!({"enumerator_id": enumerator_id}),
        )
        .await?;
    Ok(Demo {
        accounts,
        passphrase,
        enrolment_code: code["code"].as_str().unwrap_or_default().to_owned(),
        code_expires_at: code["expires_at"].as_str().unwrap_or_default().to_owned(),
        assignments,
    })
}
