//! Scenarios against the real `sync-server` binary on loopback, driven by `sync-client`: the end to
//! end flow, duplicate and concurrent re-sends, connections cut by a proxy, and SIGKILL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use sync_client::{MemoryOutbox, Phase, RetryPolicy, SyncClient};
use sync_proto::keys::{SigningKeyPair, SurveyKeyPair, VerifyingKey};
use sync_proto::wire::{InterviewDetail, MonitoringValue, ReceiptOutcome, UploadEnvelope};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use uuid::Uuid;

const ADMIN_PASSWORD: &str = "admin password 1";

/// The server binary, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data_dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("DAFTAR_LOG", "warn")
            .env("DAFTAR_LOGIN_RATE_PER_MINUTE", "1000")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = sender.send(url.to_string());
                }
            }
        });
        let url = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("the server announces its address");
        Server { child, url }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn admin_command(data_dir: &Path, args: &[&str], password: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .arg("admin")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("DAFTAR_ADMIN_PASSWORD", password)
        .output()
        .unwrap()
}

/// A plain HTTP caller for the console side.
struct Console {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Console {
    async fn login(url: &str, username: &str, password: &str) -> Console {
        let http = reqwest::Client::new();
        let response: Value = http
            .post(format!("{url}/api/v1/auth/login"))
            .header("Daftar-Protocol", "1")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = response["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {response}"))
            .to_string();
        Console {
            http,
            url: url.to_string(),
            token,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("Daftar-Protocol", "1")
            .bearer_auth(&self.token);
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

    async fn ok(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method, path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {value}");
        value
    }
}

use crate::support::QUESTIONNAIRE;

/// A server with an admin, a supervisor, a data manager, an enumerator with one assignment, the
/// pilot survey and its key, and an enrolled device.
struct Field {
    _dir: tempfile::TempDir,
    server: Server,
    supervisor: Console,
    data_manager: Console,
    survey_key: SurveyKeyPair,
    version_hash: String,
    device_key: SigningKeyPair,
    device_token: String,
    server_key: VerifyingKey,
}

impl Field {
    async fn new() -> Field {
        let dir = tempfile::tempdir().unwrap();
        let output = admin_command(
            dir.path(),
            &["create-admin", "--username", "root"],
            ADMIN_PASSWORD,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let again = admin_command(
            dir.path(),
            &["create-admin", "--username", "root2"],
            ADMIN_PASSWORD,
        );
        assert_eq!(
            again.status.code(),
            Some(2),
            "a second first admin is a usage error"
        );
        let server = Server::start(dir.path());
        let admin = Console::login(&server.url, "root", ADMIN_PASSWORD).await;
        for (name, role, team) in [
            ("sup", "supervisor", Some("a")),
            ("dm", "data_manager", None),
            ("enum", "enumerator", Some("a")),
        ] {
            admin
                .ok(reqwest::Method::POST, "/api/v1/users", Some(json!({"username": name, "password": "password of ten", "role": role, "team": team})))
                .await;
        }
        let supervisor = Console::login(&server.url, "sup", "password of ten").await;
        let data_manager = Console::login(&server.url, "dm", "password of ten").await;
        let enumerator_id = supervisor
            .ok(reqwest::Method::GET, "/api/v1/users", None)
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "enum")
            .unwrap()["id"]
            .as_i64()
            .unwrap();

        data_manager
            .ok(
                reqwest::Method::POST,
                "/api/v1/surveys",
                Some(json!({"id": "pilot", "title": "Pilot"})),
            )
            .await;
        let survey_key = SurveyKeyPair::generate();
        let wrapped = survey_key.wrap("survey passphrase").unwrap();
        data_manager
            .ok(
                reqwest::Method::PUT,
                "/api/v1/surveys/pilot/key",
                Some(json!({"public_key": survey_key.public_key().to_pem(), "wrapped_private_key": wrapped})),
            )
            .await;
        let version = data_manager
            .ok(
                reqwest::Method::POST,
                "/api/v1/surveys/pilot/versions",
                Some(json!({"format": "yaml", "content": sync_proto::b64::encode(QUESTIONNAIRE.as_bytes())})),
            )
            .await;
        let csv = "enumerator,quantity,hh_id,address\nenum,1,0042,\"12 rue des Oudayas, Rabat\"\n";
        let response = supervisor
            .http
            .post(format!(
                "{}/api/v1/surveys/pilot/assignments/csv",
                server.url
            ))
            .header("Daftar-Protocol", "1")
            .bearer_auth(&supervisor.token)
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let code = supervisor
            .ok(
                reqwest::Method::POST,
                "/api/v1/enrolment-codes",
                Some(json!({"enumerator_id": enumerator_id})),
            )
            .await;
        let device_key = SigningKeyPair::generate();
        let enrolment = SyncClient::enrol(
            &server.url,
            code["code"].as_str().unwrap(),
            &device_key,
            "tablet 1",
        )
        .await
        .unwrap();
        Field {
            _dir: dir,
            server_key: VerifyingKey::from_bytes(&enrolment.server_public_key.0).unwrap(),
            device_token: enrolment.device_token,
            device_key,
            server,
            supervisor,
            data_manager,
            survey_key,
            version_hash: version["content_hash"].as_str().unwrap().to_string(),
        }
    }

    fn client(&self, url: &str, policy: RetryPolicy) -> SyncClient {
        SyncClient::new(url, &self.device_token, self.server_key, policy).unwrap()
    }

    fn envelope(&self, interview_id: Uuid, revision: u32, answers: &[u8]) -> UploadEnvelope {
        UploadEnvelope::seal_and_sign(
            interview_id,
            revision,
            "pilot",
            &self.version_hash,
            None,
            BTreeMap::from([("a_region".to_string(), MonitoringValue::Text("01".into()))]),
            answers,
            &self.survey_key.public_key(),
            &self.device_key,
        )
        .unwrap()
    }

    async fn detail(&self, interview_id: Uuid) -> InterviewDetail {
        let value = self
            .data_manager
            .ok(
                reqwest::Method::GET,
                &format!("/api/v1/interviews/{interview_id}"),
                None,
            )
            .await;
        serde_json::from_value(value).unwrap()
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(5),
        max: Duration::from_millis(100),
        max_attempts: 40,
        request_timeout: Duration::from_secs(10),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_to_end_enrol_download_upload_reject_resubmit_approve() {
    let field = Field::new().await;
    let client = field.client(&field.server.url, RetryPolicy::default());
    let mut tablet = MemoryOutbox::default();

    let mut phases = Vec::new();
    let report = client
        .sync(&mut tablet, Vec::new(), |progress| {
            phases.push(progress.phase)
        })
        .await
        .unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(tablet.assignments.len(), 1);
    let assignment = tablet.assignments.values().next().unwrap().clone();
    assert_eq!(assignment.preload["address"], "12 rue des Oudayas, Rabat");
    assert_eq!(
        tablet.questionnaires[&("pilot".to_string(), field.version_hash.clone())],
        QUESTIONNAIRE.as_bytes()
    );
    assert_eq!(phases.last(), Some(&Phase::Done));

    let interviews: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (index, id) in interviews.iter().enumerate() {
        let mut envelope = field.envelope(*id, 1, format!("{{\"answers\": {index}}}").as_bytes());
        envelope.assignment_id = Some(assignment.id);
        envelope.sign(&field.device_key);
        tablet.push(envelope);
    }
    let mut progress = Vec::new();
    let report = client
        .sync(&mut tablet, Vec::new(), |p| progress.push(p))
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.conflicts), (3, 0, 0));
    assert!(tablet.queue.is_empty());
    assert!(progress.contains(&sync_client::Progress {
        done: 3,
        total: 3,
        phase: Phase::Upload
    }));
    for id in &interviews {
        let receipt = &tablet.sent[&(*id, 1)];
        receipt.verify(&field.server_key).unwrap();
        assert_eq!(receipt.outcome, ReceiptOutcome::Accepted);
    }

    // The supervisor rejects one interview with a comment on one question.
    let rejected = interviews[1];
    field
        .supervisor
        .ok(
            reqwest::Method::POST,
            &format!("/api/v1/interviews/{rejected}/review"),
            Some(json!({"revision": 1, "decision": "reject", "comments": {"q_age": "check the age"}})),
        )
        .await;
    client.sync(&mut tablet, Vec::new(), |_| {}).await.unwrap();
    let review = tablet
        .reviews
        .iter()
        .find(|r| r.interview_id == rejected)
        .expect("the rejection reached the tablet");
    assert_eq!(review.comments["q_age"], "check the age");

    // The enumerator fixes it: revision 2, then the supervisor approves it.
    tablet.push(field.envelope(rejected, 2, b"{\"answers\": \"fixed\"}"));
    let report = client.sync(&mut tablet, Vec::new(), |_| {}).await.unwrap();
    assert_eq!(report.sent, 1);
    field
        .supervisor
        .ok(
            reqwest::Method::POST,
            &format!("/api/v1/interviews/{rejected}/review"),
            Some(json!({"revision": 2, "decision": "approve"})),
        )
        .await;
    let detail = field.detail(rejected).await;
    assert_eq!(
        detail.summary.status,
        sync_proto::wire::InterviewStatus::Approved
    );
    assert_eq!(detail.envelopes.len(), 2);
    // The reviewer opens the sealed answers with the survey key.
    assert_eq!(
        detail.envelopes[1]
            .envelope
            .open(&field.survey_key)
            .unwrap(),
        b"{\"answers\": \"fixed\"}"
    );

    // A backup taken while the server runs holds every upload.
    let backup = field._dir.path().join("backup.sqlite3");
    let output = admin_command(
        field._dir.path(),
        &["backup", "--to", backup.to_str().unwrap()],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let copy = rusqlite::Connection::open(&backup).unwrap();
    let uploads: i64 = copy
        .query_row("SELECT COUNT(*) FROM uploads", [], |row| row.get(0))
        .unwrap();
    assert_eq!(uploads, 4);

    // An old client gets a clear answer from the real server.
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/sync/changes", field.server.url))
        .header("Daftar-Protocol", "0")
        .header("Authorization", format!("Device {}", field.device_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 426);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_protocol");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignment_quantity_is_counted_and_an_extra_interview_is_kept_but_flagged() {
    let field = Field::new().await;
    let client = field.client(&field.server.url, fast_retries());
    let mut tablet = MemoryOutbox::default();
    client.sync(&mut tablet, Vec::new(), |_| {}).await.unwrap();
    let assignment = tablet.assignments.values().next().unwrap().clone();
    assert_eq!((assignment.quantity, assignment.used), (Some(1), 0));
    let for_assignment = |interview: Uuid, revision: u32, assignment: i64| {
        let mut envelope = field.envelope(interview, revision, b"{}");
        envelope.assignment_id = Some(assignment);
        envelope.sign(&field.device_key);
        envelope
    };

    // The first interview uses the quantity; its next revision is the same interview.
    let first = Uuid::now_v7();
    let receipt = client
        .upload(&for_assignment(first, 1, assignment.id))
        .await
        .unwrap();
    assert!(receipt.warnings.is_empty());
    let receipt = client
        .upload(&for_assignment(first, 2, assignment.id))
        .await
        .unwrap();
    assert!(receipt.warnings.is_empty());

    // A second interview is beyond the quantity: stored and receipted, with a warning.
    let second = Uuid::now_v7();
    let extra = for_assignment(second, 1, assignment.id);
    let receipt = client.upload(&extra).await.unwrap();
    assert_eq!(receipt.outcome, ReceiptOutcome::Accepted);
    assert_eq!(receipt.warnings, ["over_quantity"]);
    // A re-send gets the same receipt, warning included.
    assert_eq!(client.upload(&extra).await.unwrap(), receipt);

    // The console and the tablet see how much was used; the list flags the extra interview.
    let listed = field
        .supervisor
        .ok(reqwest::Method::GET, "/api/v1/assignments", None)
        .await;
    assert_eq!(listed["assignments"][0]["used"], 2);
    client.sync(&mut tablet, Vec::new(), |_| {}).await.unwrap();
    assert_eq!(tablet.assignments[&assignment.id].used, 2);
    let interviews = field
        .supervisor
        .ok(reqwest::Method::GET, "/api/v1/interviews", None)
        .await;
    let flags: BTreeMap<String, (Value, Value)> = interviews
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["interview_id"].as_str().unwrap().to_string(),
                (i["over_quantity"].clone(), i["assignment_id"].clone()),
            )
        })
        .collect();
    assert_eq!(
        flags[&first.to_string()],
        (json!(false), json!(assignment.id))
    );
    assert_eq!(
        flags[&second.to_string()],
        (json!(true), json!(assignment.id))
    );

    // Assignments that do not exist, of another survey, or of another enumerator are refused clearly.
    let admin = Console::login(&field.server.url, "root", ADMIN_PASSWORD).await;
    admin
        .ok(
            reqwest::Method::POST,
            "/api/v1/users",
            Some(json!({"username": "enum2", "password": "password of ten", "role": "enumerator", "team": "a"})),
        )
        .await;
    admin
        .ok(
            reqwest::Method::POST,
            "/api/v1/surveys",
            Some(json!({"id": "second", "title": "Second"})),
        )
        .await;
    let users = field
        .supervisor
        .ok(reqwest::Method::GET, "/api/v1/users", None)
        .await;
    let user = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let create = |survey: &'static str, enumerator: i64| {
        let supervisor = &field.supervisor;
        async move {
            supervisor
                .ok(
                    reqwest::Method::POST,
                    "/api/v1/assignments",
                    Some(json!({"survey_id": survey, "enumerator_id": enumerator, "quantity": 5})),
                )
                .await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let other_survey = create("second", user("enum")).await;
    let other_enumerator = create("pilot", user("enum2")).await;
    for (assignment, status, code) in [
        (999_999, 422, "unknown_assignment"),
        (other_survey, 422, "assignment_survey_mismatch"),
        (other_enumerator, 403, "assignment_not_yours"),
    ] {
        let interview = Uuid::now_v7();
        match client
            .upload(&for_assignment(interview, 1, assignment))
            .await
        {
            Err(sync_client::ClientError::Server {
                status: actual,
                code: actual_code,
                message,
            }) => {
                assert_eq!((actual, actual_code.as_str()), (status, code), "{message}");
                assert!(message.contains(&assignment.to_string()), "{message}");
            }
            other => panic!("assignment {assignment}: {other:?}"),
        }
        let (status, _) = field
            .supervisor
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/interviews/{interview}"),
                None,
            )
            .await;
        assert_eq!(status, 404, "a refused upload is not stored");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_cycle_reports_drafts_and_the_quota_fill_counts_them_in_progress() {
    let field = Field::new().await;
    field
        .supervisor
        .ok(
            reqwest::Method::PUT,
            "/api/v1/surveys/pilot/quotas",
            Some(json!({"quota": "region", "cell": {"a_region": "01"}, "target": 4})),
        )
        .await;
    let client = field.client(&field.server.url, fast_retries());
    let mut tablet = MemoryOutbox::default();
    let draft = |interview_id: Uuid| sync_client::DraftReport {
        interview_id,
        questionnaire_id: "pilot".into(),
        questionnaire_version: field.version_hash.clone(),
        assignment_id: None,
        monitoring: BTreeMap::from([("a_region".to_string(), MonitoringValue::Text("01".into()))]),
    };
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let report = client
        .sync(&mut tablet, vec![draft(first), draft(second)], |_| {})
        .await
        .unwrap();
    assert!(report.progress_reported);
    let cell = |tablet: &MemoryOutbox| {
        let cell = &tablet.quota_fill[0];
        (cell.fill, cell.in_progress)
    };
    assert_eq!(cell(&tablet), (0, 2));

    // The first interview is completed and sent in the next cycle; the second is still a draft.
    tablet.push(field.envelope(first, 1, b"{}"));
    client
        .sync(&mut tablet, vec![draft(second)], |_| {})
        .await
        .unwrap();
    assert_eq!(cell(&tablet), (1, 1));
    let quotas = field
        .supervisor
        .ok(reqwest::Method::GET, "/api/v1/surveys/pilot/quotas", None)
        .await;
    assert_eq!(
        (
            &quotas["cells"][0]["fill"],
            &quotas["cells"][0]["in_progress"]
        ),
        (&json!(1), &json!(1))
    );

    // A draft the server refuses does not stop the cycle: the download still happens.
    let mut bad = draft(Uuid::now_v7());
    bad.monitoring
        .insert("q_income".into(), MonitoringValue::Integer(5));
    let report = client.sync(&mut tablet, vec![bad], |_| {}).await.unwrap();
    assert!(!report.progress_reported);
    assert!(
        report
            .first_error
            .as_deref()
            .is_some_and(|e| e.contains("invalid_monitoring")),
        "{report:?}"
    );
    assert_eq!(report.pages, 1);
    assert_eq!(cell(&tablet), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resends_reordered_and_concurrent_store_exactly_one_copy() {
    let field = Field::new().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(6);
    let envelopes: Vec<UploadEnvelope> = (0..40)
        .map(|index| field.envelope(Uuid::now_v7(), 1, format!("interview {index}").as_bytes()))
        .collect();
    let mut sends: Vec<usize> = Vec::new();
    for index in 0..envelopes.len() {
        for _ in 0..rng.random_range(1..=5) {
            sends.push(index);
        }
    }
    sends.shuffle(&mut rng);
    let client = Arc::new(field.client(&field.server.url, fast_retries()));
    let envelopes = Arc::new(envelopes);
    let receipts = Arc::new(Mutex::new(BTreeMap::<usize, BTreeSet<String>>::new()));
    let mut tasks = Vec::new();
    for chunk in sends.chunks(sends.len().div_ceil(8)) {
        let (client, envelopes, receipts, chunk) = (
            client.clone(),
            envelopes.clone(),
            receipts.clone(),
            chunk.to_vec(),
        );
        tasks.push(tokio::spawn(async move {
            for index in chunk {
                let receipt = client.upload(&envelopes[index]).await.unwrap();
                receipts
                    .lock()
                    .unwrap()
                    .entry(index)
                    .or_default()
                    .insert(serde_json::to_string(&receipt).unwrap());
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let receipts = receipts.lock().unwrap().clone();
    assert_eq!(receipts.len(), envelopes.len());
    assert!(
        receipts.values().all(|distinct| distinct.len() == 1),
        "every re-send got the same receipt"
    );
    for envelope in envelopes.iter() {
        let detail = field.detail(envelope.interview_id).await;
        assert_eq!(detail.envelopes.len(), 1, "exactly one stored copy");
        assert_eq!(detail.summary.conflicts, 0);
    }
    let listed = field
        .data_manager
        .ok(reqwest::Method::GET, "/api/v1/interviews", None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), envelopes.len());
}

/// A TCP proxy that cuts connections at random byte offsets (seeded): in the request direction
/// (the server never sees the whole request) or in the response direction (the upload may be
/// stored but its receipt is lost).
async fn cutting_proxy(upstream: String, seed: u64) -> (String, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let cuts = Arc::new(Mutex::new(0usize));
    let counter = cuts.clone();
    tokio::spawn(async move {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                continue;
            };
            // Every connection is cut after a random number of bytes (it carries a few requests
            // at most): a third in the request direction, two thirds in the response direction.
            let plan: (Option<usize>, Option<usize>) = match rng.random_range(0..3) {
                0 => (Some(rng.random_range(0..12_000)), None),
                _ => (None, Some(rng.random_range(0..2_500))),
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let up = tokio::spawn(pump(client_read, server_write, plan.0));
                let down = tokio::spawn(pump(server_read, client_write, plan.1));
                let (up_abort, down_abort) = (up.abort_handle(), down.abort_handle());
                tokio::select! {
                    cut = up => if cut.unwrap_or(false) { down_abort.abort(); *counter.lock().unwrap() += 1; },
                    cut = down => if cut.unwrap_or(false) { up_abort.abort(); *counter.lock().unwrap() += 1; },
                }
            });
        }
    });
    (address, cuts)
}

/// Copies bytes until EOF, or until `limit` bytes, then drops both ends (returns true: cut).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    limit: Option<usize>,
) -> bool {
    let mut buffer = [0u8; 512];
    let mut sent = 0usize;
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return false;
            }
            Ok(read) => read,
        };
        let allowed = limit.map_or(read, |limit| read.min(limit - sent));
        if to.write_all(&buffer[..allowed]).await.is_err() {
            return false;
        }
        sent += allowed;
        if limit == Some(sent) {
            return true;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_connections_lose_nothing_and_duplicate_nothing() {
    let field = Field::new().await;
    let upstream = field.server.url.trim_start_matches("http://").to_string();
    let (proxy, cuts) = cutting_proxy(upstream, 42).await;
    let client = field.client(&proxy, fast_retries());
    let mut tablet = MemoryOutbox::default();
    // Incompressible answers, so that requests stay kilobytes long after compression.
    let mut bytes = rand::rngs::StdRng::seed_from_u64(7);
    let envelopes: Vec<UploadEnvelope> = (0..30)
        .map(|index| {
            let answers: Vec<u8> = (0..1000 + index * 97).map(|_| bytes.random()).collect();
            field.envelope(Uuid::now_v7(), 1, &answers)
        })
        .collect();
    for envelope in &envelopes {
        tablet.push(envelope.clone());
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut cycles = 0;
    while !tablet.queue.is_empty() || tablet.saved_cursor == 0 {
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain: {} left",
            tablet.queue.len()
        );
        cycles += 1;
        // A cycle may fail in its download phase when every retry is cut; the next one resumes.
        let _ = client.sync(&mut tablet, Vec::new(), |_| {}).await;
    }
    let cut_count = *cuts.lock().unwrap();
    assert!(
        cut_count > 10,
        "the proxy cut connections ({cut_count} cuts)"
    );
    eprintln!("{cut_count} connections cut, {cycles} sync cycles");
    assert_eq!(
        tablet.sent.len(),
        envelopes.len(),
        "0 lost ({cycles} cycles)"
    );
    for envelope in &envelopes {
        let receipt = &tablet.sent[&(envelope.interview_id, 1)];
        assert_eq!(receipt.content_hash, envelope.content_hash());
        let detail = field.detail(envelope.interview_id).await;
        assert_eq!(detail.envelopes.len(), 1, "0 duplicated");
        assert_eq!(detail.envelopes[0].envelope, *envelope);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_upload_survives_sigkill() {
    let mut field = Field::new().await;
    let client = Arc::new(field.client(
        &field.server.url,
        RetryPolicy {
            max_attempts: 1,
            ..fast_retries()
        },
    ));
    let acknowledged = Arc::new(Mutex::new(Vec::<(Uuid, String)>::new()));
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let client = client.clone();
        let acknowledged = acknowledged.clone();
        let envelopes: Vec<UploadEnvelope> = (0..400)
            .map(|index| {
                field.envelope(
                    Uuid::now_v7(),
                    1,
                    format!("worker {worker} interview {index}").as_bytes(),
                )
            })
            .collect();
        tasks.push(tokio::spawn(async move {
            for envelope in envelopes {
                match client.upload(&envelope).await {
                    Ok(receipt) => acknowledged
                        .lock()
                        .unwrap()
                        .push((envelope.interview_id, receipt.content_hash)),
                    Err(_) => return,
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 150 {
        assert!(Instant::now() < deadline, "uploads did not progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    field.server.kill();
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() < 8 * 400,
        "the kill happened during the uploads"
    );

    field.server = Server::start(field._dir.path());
    field.data_manager = Console::login(&field.server.url, "dm", "password of ten").await;
    let listed = field
        .data_manager
        .ok(reqwest::Method::GET, "/api/v1/interviews", None)
        .await;
    let stored: BTreeMap<String, String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["interview_id"].as_str().unwrap().to_string(),
                i["content_hash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (interview_id, content_hash) in &acknowledged {
        assert_eq!(
            stored.get(&interview_id.to_string()),
            Some(content_hash),
            "acknowledged upload {interview_id} is there"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_uploads_and_exits_cleanly() {
    let mut field = Field::new().await;
    let client = Arc::new(field.client(
        &field.server.url,
        RetryPolicy {
            max_attempts: 1,
            ..fast_retries()
        },
    ));
    let acknowledged = Arc::new(Mutex::new(Vec::<(Uuid, String)>::new()));
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let client = client.clone();
        let acknowledged = acknowledged.clone();
        let envelopes: Vec<UploadEnvelope> = (0..400)
            .map(|index| {
                field.envelope(
                    Uuid::now_v7(),
                    1,
                    format!("worker {worker} interview {index}").as_bytes(),
                )
            })
            .collect();
        tasks.push(tokio::spawn(async move {
            for envelope in envelopes {
                match client.upload(&envelope).await {
                    Ok(receipt) => acknowledged
                        .lock()
                        .unwrap()
                        .push((envelope.interview_id, receipt.content_hash)),
                    Err(_) => return,
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 100 {
        assert!(Instant::now() < deadline, "uploads did not progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(field.server.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = field.server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(exit.success(), "a graceful stop exits with 0, not {exit:?}");
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    field.server = Server::start(field._dir.path());
    field.data_manager = Console::login(&field.server.url, "dm", "password of ten").await;
    let listed = field
        .data_manager
        .ok(reqwest::Method::GET, "/api/v1/interviews", None)
        .await;
    let stored: BTreeMap<String, String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["interview_id"].as_str().unwrap().to_string(),
                i["content_hash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (interview_id, content_hash) in &acknowledged {
        assert_eq!(stored.get(&interview_id.to_string()), Some(content_hash));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let (cert, key, ca) = (path("cert.pem"), path("key.pem"), path("ca.pem"));
    std::fs::write(
        path("leaf.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    // A test CA, and a server certificate it signs.
    for args in [
        [
            &["req", "-x509", "-days", "1", "-subj", "/CN=daftar test CA"][..],
            &ec[..],
            &["-keyout", "ca.key", "-out", "ca.pem"][..],
        ]
        .concat(),
        [
            &["req", "-subj", "/CN=localhost"][..],
            &ec[..],
            &["-keyout", "key.pem", "-out", "leaf.csr"][..],
        ]
        .concat(),
        vec![
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "leaf.ext",
            "-out",
            "cert.pem",
        ],
    ] {
        let made = Command::new("openssl")
            .args(&args)
            .current_dir(dir.path())
            .output()
            .expect("openssl runs");
        assert!(
            made.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .env("DAFTAR_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let announced = lines.next().unwrap().unwrap();
    let server = Server {
        child,
        url: announced.strip_prefix("listening on ").unwrap().to_string(),
    };
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let certificate = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(certificate)
        .build()
        .unwrap();
    let body = client
        .get(format!("{}/api/health", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "ok");
    // Plain HTTP to the TLS port does not get an answer from the API.
    let plain = server.url.replacen("https://", "http://", 1);
    let refused = reqwest::Client::new()
        .get(format!("{plain}/api/health"))
        .send()
        .await;
    assert!(
        refused
            .map(|response| response.status().as_u16() != 200)
            .unwrap_or(true)
    );
}

/// Logs in and answers the HTTP status (200 when the account and password are accepted).
async fn login_status(url: &str, username: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/login"))
        .header("Daftar-Protocol", "1")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_manage_accounts_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], password: &str| {
        let output = admin_command(dir.path(), args, password);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = run(&["create-admin", "--username", "root"], ADMIN_PASSWORD);
    assert_eq!(code, Some(0), "{stderr}");
    let server = Server::start(dir.path());
    let (code, _, stderr) = run(
        &[
            "create-user",
            "--username",
            "amina",
            "--role",
            "enumerator",
            "--team",
            "a",
        ],
        "first password",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let amina = Console::login(&server.url, "amina", "first password").await;
    amina.ok(reqwest::Method::GET, "/api/v1/me", None).await;

    let listed = |stdout: &str| {
        stdout
            .lines()
            .find(|line| line.split('\t').nth(1) == Some("amina"))
            .map(|line| line.split('\t').skip(1).collect::<Vec<_>>().join(" "))
    };
    let (_, stdout, _) = run(&["list-users"], "");
    assert_eq!(
        listed(&stdout).as_deref(),
        Some("amina enumerator a active")
    );

    // Deactivation ends the running session and refuses new logins.
    let (code, stdout, stderr) = run(&["deactivate-user", "--username", "amina"], "");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "deactivated amina");
    assert_eq!(
        amina.call(reqwest::Method::GET, "/api/v1/me", None).await.0,
        401
    );
    assert_ne!(
        login_status(&server.url, "amina", "first password").await,
        200
    );
    let (_, stdout, _) = run(&["list-users"], "");
    assert_eq!(
        listed(&stdout).as_deref(),
        Some("amina enumerator a inactive")
    );

    // Reactivation lets the same password in again.
    let (code, stdout, stderr) = run(&["activate-user", "--username", "amina"], "");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "activated amina");
    let amina = Console::login(&server.url, "amina", "first password").await;

    // A new password: too short or for an unknown account is the user's error, and changes nothing.
    let (code, _, stderr) = run(&["reset-password", "--username", "amina"], "short");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("at least 10 characters"), "{stderr}");
    let (code, _, stderr) = run(
        &["reset-password", "--username", "ghost"],
        "long enough password",
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no user ghost"), "{stderr}");
    amina.ok(reqwest::Method::GET, "/api/v1/me", None).await;
    let (code, _, stderr) = run(
        &["reset-password", "--username", "amina"],
        "second password",
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("second password"));
    assert_eq!(
        amina.call(reqwest::Method::GET, "/api/v1/me", None).await.0,
        401,
        "a new password ends the account's sessions"
    );
    assert_ne!(
        login_status(&server.url, "amina", "first password").await,
        200
    );
    assert_eq!(
        login_status(&server.url, "amina", "second password").await,
        200
    );

    // Every change is in the audit log, under the command line's name, with no password.
    let root = Console::login(&server.url, "root", ADMIN_PASSWORD).await;
    let audit = root
        .ok(reqwest::Method::GET, "/api/v1/audit?limit=50", None)
        .await;
    let actions: Vec<String> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["actor"] == "admin-cli")
        .map(|entry| entry["action"].as_str().unwrap().to_string())
        .collect();
    for action in ["deactivate_user", "activate_user", "reset_password"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert!(!audit.to_string().contains("second password"));
}
