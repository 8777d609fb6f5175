//! The web console over `sync_server::app` without a socket: cookie flags, CSRF, roles, the decrypted
//! view that needs an unlocked key and ends at logout, export and cleaned batches.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::{Value, json};
use survey_data::InterviewRecord;
use survey_spec::Answer;
use sync_proto::keys::{SigningKeyPair, SurveyKeyPair};
use sync_proto::wire::{MonitoringValue, QuestionnaireFormat, Role, UploadEnvelope};
use sync_server::clock::ManualClock;
use sync_server::config::Config;
use sync_server::storage::sqlite::SqliteStorage;
use sync_server::storage::{NewAudit, NewQuestionnaireVersion, NewUpload, NewUser, Storage};
use sync_server::validation::SpecValidator;
use sync_server::{AppState, app};
use tower::ServiceExt as _;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";
const PASSPHRASE: &str = "survey passphrase";
const START: i64 = 1_795_000_000;
/// The seeded interview's location (Casablanca) as the export writes it.
const GPS: &str = "33.57 -7.59 0 5";

const QUESTIONNAIRE: &str = r#"daftar: 1
id: pilot
version: "1"
title: {fr: Pilote, ar: تجريبي}
languages: [fr, ar]
default_language: fr
choices:
  region:
    - {code: "01", label: {fr: Tanger, ar: طنجة}}
    - {code: "06", label: {fr: Casablanca, ar: الدار البيضاء}}
monitoring: [a_region]
items:
  - {name: a_region, type: single, choices: region, label: {fr: Région, ar: الجهة}}
  - {name: age, type: integer, label: {fr: Âge, ar: العمر}, constraint: ". < 120"}
  - {name: works, type: yes_no, label: {fr: Travaille ?, ar: يعمل؟}, relevant: "${age} >= 15"}
  - {name: gps, type: geopoint, label: {fr: Position, ar: الموقع}}
"#;

struct World {
    _dir: tempfile::TempDir,
    state: AppState,
    /// Built once, as the server does: the console keeps unlocked keys in it.
    router: axum::Router,
    interview: Uuid,
}

fn audit() -> NewAudit {
    NewAudit {
        at: "2026-11-23T00:00:00Z".into(),
        actor: "test".into(),
        action: "setup",
        subject: String::new(),
        detail: String::new(),
    }
}

fn world(adjust: impl FnOnce(&mut Config)) -> World {
    static MATERIAL: std::sync::OnceLock<(String, String, String)> = std::sync::OnceLock::new();
    let (pem, wrapped, hash) = MATERIAL.get_or_init(|| {
        let key = SurveyKeyPair::generate();
        let wrapped = serde_json::to_string(&key.wrap(PASSPHRASE).unwrap()).unwrap();
        let hash = sync_server::auth::hash_password(PASSWORD).unwrap();
        (key.to_pem().to_string(), wrapped, hash)
    });
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        login_rate_per_minute: 1000,
        ..Config::default()
    };
    adjust(&mut config);
    let storage = Arc::new(SqliteStorage::open(dir.path()).unwrap());
    let server_key = sync_server::load_or_create_server_key(dir.path()).unwrap();
    let validator = Arc::new(SpecValidator::default());
    let state = AppState::new(
        config,
        storage.clone(),
        Arc::new(ManualClock::new(START)),
        server_key,
        validator.clone(),
        validator,
    );
    let mut ids = BTreeMap::new();
    for (name, role, team) in [
        ("admin", Role::Admin, None),
        ("sup", Role::Supervisor, Some("a")),
        ("dm", Role::DataManager, None),
        ("enum", Role::Enumerator, Some("a")),
    ] {
        let user = storage
            .create_user(
                NewUser {
                    username: name.into(),
                    password_hash: hash.clone(),
                    role,
                    team: team.map(String::from),
                },
                audit(),
            )
            .unwrap();
        ids.insert(name, user.id);
    }
    let key = SurveyKeyPair::from_pem(pem).unwrap();
    storage
        .create_survey("pilot", "Pilot", "2026-11-23T00:00:00Z")
        .unwrap();
    storage
        .set_survey_key(
            "pilot",
            &key.public_key().to_base64(),
            Some(wrapped.clone()),
            audit(),
        )
        .unwrap();
    let version = storage
        .add_questionnaire_version(NewQuestionnaireVersion {
            survey_id: "pilot".into(),
            label: Some("1".into()),
            format: QuestionnaireFormat::Yaml,
            content: QUESTIONNAIRE.as_bytes().to_vec(),
            monitoring: vec!["a_region".into()],
            created_at: "2026-11-23T00:00:00Z".into(),
        })
        .unwrap();
    let device_key = SigningKeyPair::generate();
    storage
        .create_enrolment_code(
            sync_server::auth::token_hash("CODE"),
            ids["enum"],
            START + 600,
            audit(),
        )
        .unwrap();
    let device = storage
        .enrol_device(
            sync_server::auth::token_hash("CODE"),
            START,
            Uuid::now_v7(),
            "tablet",
            device_key.public_key().0,
            sync_server::auth::token_hash("device-token"),
            "2026-11-23T00:00:00Z",
        )
        .unwrap()
        .unwrap();
    let interview = Uuid::now_v7();
    let record = InterviewRecord {
        id: interview.to_string(),
        answers: vec![
            ("a_region".into(), Answer::Choice("06".into())),
            ("age".into(), Answer::Integer(34)),
            ("works".into(), Answer::Choice("yes".into())),
            (
                "gps".into(),
                Answer::Geo(survey_spec::GeoPoint {
                    lat: 33.57,
                    lon: -7.59,
                    alt: 0.0,
                    acc: 5.0,
                }),
            ),
        ],
        ..Default::default()
    };
    let envelope = UploadEnvelope::seal_and_sign(
        interview,
        1,
        "pilot",
        &version.content_hash,
        None,
        BTreeMap::from([("a_region".to_string(), MonitoringValue::Text("06".into()))]),
        &record.to_payload(),
        &key.public_key(),
        &device_key,
    )
    .unwrap();
    let content_hash = envelope.content_hash();
    storage
        .store_upload(
            NewUpload {
                envelope,
                content_hash,
                device_id: device.id,
                enumerator_id: ids["enum"],
                received_at: "2026-11-23T00:00:00Z".into(),
                validation: None,
            },
            state.server_key.clone(),
        )
        .unwrap();
    World {
        _dir: dir,
        router: app(state.clone()),
        state,
        interview,
    }
}

/// A browser: keeps the cookies it is given and sends them back.
struct Browser<'w> {
    world: &'w World,
    cookies: BTreeMap<String, String>,
}

struct Answer_ {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer_ {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl<'w> Browser<'w> {
    fn new(world: &'w World) -> Self {
        Browser {
            world,
            cookies: BTreeMap::new(),
        }
    }

    fn csrf(&self) -> String {
        self.cookies.get("daftar_csrf").cloned().unwrap_or_default()
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        csrf: Option<&str>,
    ) -> Answer_ {
        let mut request = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(token) = csrf {
            request = request.header("X-CSRF-Token", token);
        }
        let request = match body {
            Some(b) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        };
        let response = self.world.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let body = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .unwrap()
            .to_vec();
        Answer_ {
            status,
            headers,
            body,
        }
    }

    async fn login(&mut self, user: &str) -> Answer_ {
        self.send(
            Method::POST,
            "/console/login",
            Some(json!({"username": user, "password": PASSWORD})),
            None,
        )
        .await
    }

    /// A state-changing request with the right CSRF token.
    async fn post(&mut self, path: &str, body: Value) -> Answer_ {
        let token = self.csrf();
        self.send(Method::POST, path, Some(body), Some(&token))
            .await
    }

    async fn get(&mut self, path: &str) -> Answer_ {
        self.send(Method::GET, path, None, None).await
    }
}

fn main_csv(zip: Vec<u8>) -> String {
    let files = survey_data::export::read_zip(&zip).unwrap();
    let (_, bytes) = files
        .into_iter()
        .find(|(n, _)| n == "data/main.csv")
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_fresh_server_shows_the_login_page_at_the_root() {
    let w = world(|_| {});
    let mut b = Browser::new(&w);
    let page = b.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("id=\"login-form\""), "{html}");
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(b.get("/console/app.js").await.status, StatusCode::OK);
    assert_eq!(
        b.get("/console/session").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_sets_an_httponly_strict_session_cookie_and_a_csrf_cookie() {
    let w = world(|_| {});
    let mut b = Browser::new(&w);
    let login = b.login("sup").await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.json());
    let cookies: Vec<&str> = login
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("daftar_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Strict")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "no TLS here: {session}");
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("daftar_csrf="))
        .unwrap();
    assert!(
        !csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"),
        "{csrf}"
    );
    assert_eq!(login.json()["csrf"], b.csrf());
    assert_eq!(
        b.get("/console/session").await.json()["user"]["username"],
        "sup"
    );
    assert_eq!(b.get("/console/api/v1/me").await.json()["username"], "sup");

    // With TLS configured, both cookies are Secure.
    let tls = world(|c| {
        c.tls_cert = Some("cert.pem".into());
        c.tls_key = Some("key.pem".into());
    });
    let mut b = Browser::new(&tls);
    let login = b.login("sup").await;
    for cookie in login.headers.get_all(header::SET_COOKIE) {
        assert!(cookie.to_str().unwrap().contains("; Secure"), "{cookie:?}");
    }
}

#[tokio::test]
async fn state_changing_requests_without_the_right_csrf_token_are_forbidden() {
    let w = world(|_| {});
    let mut b = Browser::new(&w);
    b.login("sup").await;
    let path = format!("/console/api/v1/interviews/{}/review", w.interview);
    let review = json!({"revision": 1, "decision": "reject", "comments": {"age": "check"}, "note": "see age"});
    let missing = b
        .send(Method::POST, &path, Some(review.clone()), None)
        .await;
    assert_eq!(
        (missing.status, missing.json()["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("csrf"))
    );
    let wrong = b
        .send(Method::POST, &path, Some(review.clone()), Some("0123"))
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("csrf"))
    );
    for (route, body) in [
        ("/console/logout", json!({})),
        (
            "/console/surveys/pilot/unlock",
            json!({"passphrase": PASSPHRASE}),
        ),
    ] {
        let refused = b.send(Method::POST, route, Some(body), None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{route}");
    }
    // Nothing was reviewed; with the token the review goes through, then an approval.
    let list = b.get("/console/api/v1/interviews").await.json();
    assert_eq!(list[0]["status"], "submitted");
    let ok = b.post(&path, review).await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "{:?} {}",
        ok.headers,
        String::from_utf8_lossy(&ok.body)
    );
    assert_eq!(
        b.get("/console/api/v1/interviews").await.json()[0]["status"],
        "rejected"
    );
}

#[tokio::test]
async fn console_routes_follow_the_roles() {
    let w = world(|_| {});
    let mut enumerator = Browser::new(&w);
    assert_eq!(enumerator.login("enum").await.status, StatusCode::FORBIDDEN);
    assert!(enumerator.cookies.is_empty());
    let mut anonymous = Browser::new(&w);
    for path in [
        "/console/api/v1/interviews",
        "/console/surveys/pilot/versions",
        "/console/surveys/pilot/sdg",
    ] {
        assert_eq!(
            anonymous.get(path).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let mut supervisor = Browser::new(&w);
    supervisor.login("sup").await;
    supervisor
        .post(
            "/console/surveys/pilot/unlock",
            json!({"passphrase": PASSPHRASE}),
        )
        .await;
    let export = supervisor
        .post("/console/surveys/pilot/export", json!({}))
        .await;
    assert_eq!(
        export.status,
        StatusCode::FORBIDDEN,
        "exports are for data managers"
    );
    let batch = supervisor
        .post(
            "/console/surveys/pilot/batches?reason=x",
            json!({"files": []}),
        )
        .await;
    assert_eq!(batch.status, StatusCode::FORBIDDEN);
    // The forwarded API keeps its own role checks: a supervisor cannot create a survey.
    let survey = supervisor
        .post("/console/api/v1/surveys", json!({"id": "x", "title": "X"}))
        .await;
    assert_eq!(survey.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_decrypted_view_needs_the_unlocked_key_and_ends_at_logout() {
    let w = world(|_| {});
    let mut b = Browser::new(&w);
    b.login("dm").await;
    let view = format!("/console/interviews/{}/view", w.interview);
    assert_eq!(b.get(&view).await.status, StatusCode::LOCKED);
    let wrong = b
        .post(
            "/console/surveys/pilot/unlock",
            json!({"passphrase": "not it"}),
        )
        .await;
    assert_eq!(wrong.json()["error"]["code"], "wrong_passphrase");
    assert_eq!(b.get(&view).await.status, StatusCode::LOCKED);
    let unlocked = b
        .post(
            "/console/surveys/pilot/unlock",
            json!({"passphrase": PASSPHRASE}),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{:?}", unlocked.json());
    let shown = b.get(&view).await;
    assert_eq!(shown.status, StatusCode::OK);
    let body = shown.json();
    let age = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "age")
        .unwrap();
    assert_eq!(
        (age["value"]["fr"].clone(), age["label"]["ar"].clone()),
        (json!("34"), json!("العمر"))
    );
    let works = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "works")
        .unwrap();
    assert!(
        works["value"]["fr"].as_str().unwrap().ends_with("(yes)"),
        "{works}"
    );

    let cookies_before = b.cookies.clone();
    assert_eq!(
        b.post("/console/logout", json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(b.cookies.is_empty(), "logout clears the cookies");
    // The old cookie is dead, and a new session starts locked.
    b.cookies = cookies_before;
    assert_eq!(b.get(&view).await.status, StatusCode::UNAUTHORIZED);
    let mut again = Browser::new(&w);
    again.login("dm").await;
    assert_eq!(again.get(&view).await.status, StatusCode::LOCKED);
}

#[tokio::test]
async fn export_batches_and_versions_through_the_console() {
    let w = world(|_| {});
    let mut b = Browser::new(&w);
    b.login("dm").await;
    b.post(
        "/console/surveys/pilot/unlock",
        json!({"passphrase": PASSPHRASE}),
    )
    .await;
    let export = b.post("/console/surveys/pilot/export", json!({})).await;
    assert_eq!(export.status, StatusCode::OK);
    let main = main_csv(export.body);
    assert_eq!(
        main,
        format!(
            "interview_id,a_region,age,works,gps\n{},06,34,yes,{GPS}\n",
            w.interview
        )
    );

    // A batch with an impossible age and a bad code is refused as a whole, with a report.
    let bad = format!(
        "interview_id,a_region,age,works,gps\n{},07,130,yes,{GPS}\n",
        w.interview
    );
    let refused = b
        .post(
            "/console/surveys/pilot/batches",
            json!({"reason": "fix", "files": [{"name": "main.csv", "text": bad}]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let report = refused.json();
    assert_eq!(report["problems"][0]["column"], "a_region");
    assert_eq!(report["problems"][0]["row"], 2);
    assert!(
        report["report_csv"]
            .as_str()
            .unwrap()
            .starts_with("file,row,column,value,problem\nmain.csv,2,a_region,07,")
    );
    assert_eq!(
        b.get("/console/surveys/pilot/versions").await.json(),
        json!([])
    );

    // A valid one becomes version 1, with its diff.
    let good = format!(
        "interview_id,a_region,age,works,gps\n{},06,35,yes,{GPS}\n",
        w.interview
    );
    let accepted = b
        .post(
            "/console/surveys/pilot/batches",
            json!({"reason": "age from ID card", "files": [{"name": "main.csv", "text": good}]}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.json());
    let body = accepted.json();
    assert_eq!(body["version"]["number"], 1);
    assert_eq!(
        body["variables"],
        json!([{"level": "main", "variable": "age", "changed": 1, "added": 0, "deleted": 0}])
    );
    let versions = b.get("/console/surveys/pilot/versions").await.json();
    assert_eq!(
        (
            versions[0]["created_by"].clone(),
            versions[0]["reason"].clone()
        ),
        (json!("dm"), json!("age from ID card"))
    );
    // Raw data is unchanged; version 1 exports the cleaned value.
    let raw = b
        .post("/console/surveys/pilot/export?version=raw", json!({}))
        .await;
    let v1 = b
        .post("/console/surveys/pilot/export?version=1", json!({}))
        .await;
    assert!(main_csv(raw.body).ends_with(&format!(",06,34,yes,{GPS}\n")));
    assert!(main_csv(v1.body).ends_with(&format!(",06,35,yes,{GPS}\n")));
    // The version file on disk holds no answer in clear.
    let dir = w.state.config.data_dir.join("console/pilot");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(
            !text.contains("\"age\"") && !text.contains(&w.interview.to_string()),
            "{text}"
        );
    }
}

#[tokio::test]
async fn admins_manage_accounts_and_a_deactivated_account_ends_at_once() {
    let w = world(|_| {});
    let mut admin = Browser::new(&w);
    admin.login("admin").await;
    // CSRF as everywhere: without the token nothing is created.
    let forged = admin
        .send(
            Method::POST,
            "/console/api/v1/users",
            Some(json!({"username": "sup2", "password": "a long password", "role": "supervisor", "team": "a"})),
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let weak = admin
        .post(
            "/console/api/v1/users",
            json!({"username": "sup2", "password": "short", "role": "supervisor", "team": "a"}),
        )
        .await;
    assert_eq!(weak.json()["error"]["code"], "weak_password");
    let teamless = admin
        .post(
            "/console/api/v1/users",
            json!({"username": "sup2", "password": PASSWORD, "role": "supervisor", "team": null}),
        )
        .await;
    assert_eq!(teamless.json()["error"]["code"], "team_required");
    let created = admin
        .post(
            "/console/api/v1/users",
            json!({"username": "sup2", "password": PASSWORD, "role": "supervisor", "team": "a"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json());
    let sup2_id = created.json()["id"].as_i64().unwrap();

    // The new supervisor logs in, sees their team's accounts and cannot change them.
    let mut sup2 = Browser::new(&w);
    assert_eq!(sup2.login("sup2").await.status, StatusCode::OK);
    let listed = sup2.get("/console/api/v1/users").await.json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sup", "enum", "sup2"]);
    let refused = sup2
        .post(
            &format!("/console/api/v1/users/{sup2_id}/deactivate"),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unlocked = sup2
        .post(
            "/console/surveys/pilot/unlock",
            json!({"passphrase": PASSPHRASE}),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK);
    let view = format!("/console/interviews/{}/view", w.interview);
    assert_eq!(sup2.get(&view).await.status, StatusCode::OK);

    // Deactivation ends the console session at once, and login is refused with a clear message.
    let deactivated = admin
        .post(
            &format!("/console/api/v1/users/{sup2_id}/deactivate"),
            json!({}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::NO_CONTENT);
    assert_eq!(sup2.get(&view).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sup2.get("/console/session").await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = sup2.login("sup2").await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(again.json()["error"]["code"], "account_deactivated");
    assert!(
        again.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deactivated"),
        "{:?}",
        again.json()
    );
    // A wrong password still says only that: deactivation is not disclosed without the password.
    let guessed = sup2
        .send(
            Method::POST,
            "/console/login",
            Some(json!({"username": "sup2", "password": "not the password"})),
            None,
        )
        .await;
    assert_eq!(guessed.status, StatusCode::UNAUTHORIZED);
    let users = admin.get("/console/api/v1/users").await.json();
    let row = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == sup2_id)
        .unwrap();
    assert_eq!(row["active"], false);

    // Reactivated, the account logs in again and starts locked.
    let reactivated = admin
        .post(
            &format!("/console/api/v1/users/{sup2_id}/activate"),
            json!({}),
        )
        .await;
    assert_eq!(reactivated.status, StatusCode::NO_CONTENT);
    assert_eq!(sup2.login("sup2").await.status, StatusCode::OK);
    assert_eq!(sup2.get(&view).await.status, StatusCode::LOCKED);

    // A password reset follows the password rules and ends the account's sessions.
    let reset_path = format!("/console/api/v1/users/{sup2_id}/password");
    let weak = admin.post(&reset_path, json!({"password": "short"})).await;
    assert_eq!(weak.json()["error"]["code"], "weak_password");
    assert_eq!(
        sup2.get("/console/session").await.status,
        StatusCode::OK,
        "a refused reset changes nothing"
    );
    let reset = admin
        .post(&reset_path, json!({"password": "a brand new password"}))
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sup2.get("/console/session").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sup2.login("sup2").await.status, StatusCode::UNAUTHORIZED);
    let fresh = sup2
        .send(
            Method::POST,
            "/console/login",
            Some(json!({"username": "sup2", "password": "a brand new password"})),
            None,
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK);

    // An administrator cannot lock themself out; data managers do not manage accounts.
    let admin_id = admin.get("/console/session").await.json()["user"]["id"].clone();
    let own = admin
        .post(
            &format!("/console/api/v1/users/{admin_id}/deactivate"),
            json!({}),
        )
        .await;
    assert_eq!(own.json()["error"]["code"], "own_account");
    let mut dm = Browser::new(&w);
    dm.login("dm").await;
    assert_eq!(
        dm.get("/console/api/v1/users").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_deactivated_enumerators_device_is_refused_until_reactivated() {
    let w = world(|_| {});
    let mut admin = Browser::new(&w);
    admin.login("admin").await;
    let users = admin.get("/console/api/v1/users").await.json();
    let enumerator = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "enum")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let changes = || async {
        let request = Request::builder()
            .uri("/api/v1/sync/changes")
            .header("Daftar-Protocol", "1")
            .header(header::AUTHORIZATION, "Device device-token")
            .body(Body::empty())
            .unwrap();
        let response = w.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
        )
    };
    assert_eq!(changes().await.0, StatusCode::OK);
    admin
        .post(
            &format!("/console/api/v1/users/{enumerator}/deactivate"),
            json!({}),
        )
        .await;
    let (status, body) = changes().await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "account_deactivated");
    admin
        .post(
            &format!("/console/api/v1/users/{enumerator}/activate"),
            json!({}),
        )
        .await;
    assert_eq!(changes().await.0, StatusCode::OK);
}

#[tokio::test]
async fn interview_locations_need_the_unlocked_key_and_are_never_cached() {
    let w = world(|_| {});
    let mut b = Browser::new(&w);
    b.login("sup").await;
    let path = "/console/surveys/pilot/locations";
    let locked = b.get(path).await;
    assert_eq!(locked.status, StatusCode::LOCKED);
    b.post(
        "/console/surveys/pilot/unlock",
        json!({"passphrase": PASSPHRASE}),
    )
    .await;
    let shown = b.get(path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.headers[header::CACHE_CONTROL],
        "no-store",
        "decrypted data"
    );
    // Only the id, the status and the position: nothing else of the interview.
    assert_eq!(
        shown.json(),
        json!({"points": [{"interview": w.interview, "status": "submitted", "lat": 33.57, "lon": -7.59}]})
    );
    for decrypted in [
        format!("/console/interviews/{}/view", w.interview),
        "/console/surveys/pilot/paradata".to_string(),
        "/console/surveys/pilot/sdg".to_string(),
    ] {
        let answer = b.get(&decrypted).await;
        assert_eq!(answer.status, StatusCode::OK, "{decrypted}");
        assert_eq!(
            answer.headers[header::CACHE_CONTROL],
            "no-store",
            "{decrypted}"
        );
    }
    // The page itself may be revalidated from cache; it holds no data.
    assert_eq!(b.get("/").await.headers[header::CACHE_CONTROL], "no-cache");
    // Another team's supervisor sees no point of team a.
    let mut other = Browser::new(&w);
    other.login("admin").await;
    other
        .post(
            "/console/api/v1/users",
            json!({"username": "sup_b", "password": PASSWORD, "role": "supervisor", "team": "b"}),
        )
        .await;
    let mut sup_b = Browser::new(&w);
    sup_b.login("sup_b").await;
    sup_b
        .post(
            "/console/surveys/pilot/unlock",
            json!({"passphrase": PASSPHRASE}),
        )
        .await;
    assert_eq!(sup_b.get(path).await.json(), json!({"points": []}));
}
