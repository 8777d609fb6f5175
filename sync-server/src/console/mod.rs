//! The web console for supervisors and data managers, served at the server's root.
//!
//! - `/` is one page (`console/index.html` with its script and style, embedded at build time; nothing is
//!   fetched from elsewhere). It shows the login form until a session exists.
//! - `/console/login`, `/console/logout`, `/console/session`: the cookie session (see [`session`]).
//! - `/console/api/v1/...`: the JSON API of the server (`api::routes`) for a cookie session: the request is
//!   forwarded with the session's bearer token after the CSRF check, so roles and team scopes are exactly
//!   the API's.
//! - Decrypted work, which needs the survey key unlocked for the session (or, for a bearer caller such as
//!   `daftar export`, the passphrase in the `X-Survey-Passphrase` header): the interview view, the
//!   paradata summary, exports, cleaned batches and the SDG 10.7.1 tables.

pub mod data;
pub mod session;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value as Json_, json};
use survey_data::batch;
use survey_data::export::{ExportInfo, export_zip, is_zip, read_zip};
use survey_data::{Dataset, InterviewRecord, sdg};
use survey_engine::Instance;
use sync_proto::keys::SurveyKeyPair;
use sync_proto::wire::{LoginRequest, Role};
use tower::ServiceExt as _;
use uuid::Uuid;

use crate::auth::ClientAddress;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::storage::NewAudit;

use self::data::{Opened, QuestionnaireCache, VersionMeta, Versions};
use self::session::{ConsoleUser, KeyRing};

const INDEX_HTML: &str = include_str!("../../console/index.html");
const APP_JS: &str = include_str!("../../console/dist/app.js");
const APP_CSS: &str = include_str!("../../console/app.css");

/// What the console keeps beside the server's state.
pub struct Console {
    keys: KeyRing,
    questionnaires: QuestionnaireCache,
    versions: Versions,
    api: Router,
    secure_cookies: bool,
}

type Shared = Extension<Arc<Console>>;

/// The console's routes, to merge into the server's router.
pub fn router(state: &AppState) -> Router<AppState> {
    let console = Arc::new(Console {
        keys: KeyRing::default(),
        questionnaires: QuestionnaireCache::default(),
        versions: Versions::new(state.config.data_dir.clone()),
        api: crate::api::routes().with_state(state.clone()),
        secure_cookies: state.config.tls_cert.is_some(),
    });
    Router::new()
        .route("/", get(index))
        .route("/console/app.js", get(app_js))
        .route("/console/app.css", get(app_css))
        .route("/console/login", post(login))
        .route("/console/logout", post(logout))
        .route("/console/session", get(session_info))
        .route("/console/api/v1/{*rest}", any(forward))
        .route("/console/surveys/{survey_id}/unlock", post(unlock))
        .route("/console/surveys/{survey_id}/lock", post(lock))
        .route("/console/interviews/{interview_id}/view", get(view))
        .route("/console/surveys/{survey_id}/paradata", get(paradata))
        .route("/console/surveys/{survey_id}/locations", get(locations))
        .route("/console/surveys/{survey_id}/export", post(export))
        .route("/console/surveys/{survey_id}/sdg", get(sdg_tables))
        .route("/console/surveys/{survey_id}/batches", post(upload_batch))
        .route("/console/surveys/{survey_id}/versions", get(list_versions))
        .layer(axum::middleware::map_response(no_store))
        .layer(Extension(console))
}

/// Every console answer but the page and its script and style may carry decrypted data or account
/// details: no cache (browser or proxy) keeps it.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn static_response(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    let mut response = static_response("text/html; charset=utf-8", INDEX_HTML);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
    );
    response
        .headers_mut()
        .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

async fn app_js() -> Response {
    static_response("text/javascript; charset=utf-8", APP_JS)
}

async fn app_css() -> Response {
    static_response("text/css; charset=utf-8", APP_CSS)
}

fn with_cookies(mut response: Response, cookies: [String; 2]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn login(
    State(state): State<AppState>,
    Extension(console): Shared,
    address: ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let Json(login) = crate::api::login(State(state.clone()), address, ApiJson(request)).await?;
    if login.user.role == Role::Enumerator {
        let hash = crate::auth::token_hash(&login.token);
        let storage = state.storage.clone();
        state.blocking(move || storage.delete_session(hash)).await?;
        return Err(AppError::forbidden(
            "the console is for supervisors, data managers and administrators",
        ));
    }
    let csrf = crate::auth::random_token(32)?;
    let cookies = session::session_cookies(
        &login.token,
        &csrf,
        console.secure_cookies,
        state.config.session_ttl_seconds,
    );
    let body = Json(json!({"user": login.user, "csrf": csrf, "expires_at": login.expires_at}));
    Ok(with_cookies(body.into_response(), cookies))
}

async fn logout(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
) -> Result<Response, AppError> {
    console.keys.forget(caller.auth.token_hash);
    let storage = state.storage.clone();
    let hash = caller.auth.token_hash;
    state.blocking(move || storage.delete_session(hash)).await?;
    Ok(with_cookies(
        StatusCode::NO_CONTENT.into_response(),
        session::clearing_cookies(console.secure_cookies),
    ))
}

async fn session_info(
    Extension(console): Shared,
    headers: HeaderMap,
    caller: ConsoleUser,
) -> Json<Json_> {
    Json(json!({
        "user": caller.auth.user.info(),
        "csrf": session::cookie(&headers, session::CSRF_COOKIE).unwrap_or(""),
        "unlocked": console.keys.unlocked(caller.auth.token_hash),
    }))
}

/// Forwards a console request to the JSON API with the session's bearer token.
async fn forward(
    State(state): State<AppState>,
    Extension(console): Shared,
    request: Request,
) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    let caller = ConsoleUser::from_request_parts(&mut parts, &state).await?;
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let inner = path_and_query
        .strip_prefix("/console/api/v1")
        .unwrap_or("/")
        .to_string();
    parts.uri = inner
        .parse()
        .map_err(|_| AppError::bad_request("bad_path", "not a valid path"))?;
    parts.headers.remove(header::COOKIE);
    parts.headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {}", caller.token))
            .map_err(|_| AppError::internal("token is not a header value"))?,
    );
    parts.headers.insert(
        sync_proto::PROTOCOL_HEADER,
        HeaderValue::from(sync_proto::PROTOCOL_VERSION),
    );
    // A fresh request: the outer route's path parameters (kept in the extensions) must not reach the
    // API's router, which extracts its own. Only the client address travels along.
    let (method, path) = (parts.method.clone(), parts.uri.path().to_string());
    let mut inner = Request::new(body);
    *inner.method_mut() = parts.method;
    *inner.uri_mut() = parts.uri;
    *inner.headers_mut() = parts.headers;
    if let Some(address) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        inner.extensions_mut().insert(*address);
    }
    let ends_sessions = ended_account(&method, &path);
    let response = console
        .api
        .clone()
        .oneshot(inner)
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    // The API ended the account's sessions; their unlocked keys go with them, now.
    if let Some(user) = ends_sessions
        && response.status().is_success()
    {
        console.keys.forget_user(user);
    }
    Ok(response)
}

/// The account whose sessions an API request ends, if it is one that does: deactivation and password
/// reset (`POST /users/{id}/deactivate`, `POST /users/{id}/password`).
fn ended_account(method: &axum::http::Method, path: &str) -> Option<i64> {
    if method != axum::http::Method::POST {
        return None;
    }
    let rest = path.strip_prefix("/users/")?;
    let (id, action) = rest.split_once('/')?;
    matches!(action, "deactivate" | "password")
        .then(|| id.parse().ok())
        .flatten()
}

const DATA_ROLES: &[Role] = &[Role::Admin, Role::DataManager];
const READING: &[Role] = &[Role::Admin, Role::Supervisor, Role::DataManager];

async fn audit(
    state: &AppState,
    caller: &ConsoleUser,
    action: &'static str,
    subject: String,
    detail: String,
) -> Result<(), AppError> {
    let storage = state.storage.clone();
    let entry = NewAudit {
        at: state.now_text(),
        actor: caller.auth.actor(),
        action,
        subject,
        detail,
    };
    state.blocking(move || storage.audit(entry)).await
}

#[derive(Deserialize)]
struct UnlockRequest {
    passphrase: String,
}

async fn unlock(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    Path(survey_id): Path<String>,
    ApiJson(request): ApiJson<UnlockRequest>,
) -> Result<Json<Json_>, AppError> {
    caller.auth.require(READING)?;
    let result = data::unlock(&state, &survey_id, request.passphrase).await;
    let outcome = if result.is_ok() { "ok" } else { "refused" };
    audit(
        &state,
        &caller,
        "console_unlock",
        format!("survey:{survey_id}"),
        outcome.into(),
    )
    .await?;
    console.keys.insert(
        caller.auth.token_hash,
        caller.auth.user.id,
        &survey_id,
        result?,
    );
    Ok(Json(
        json!({"unlocked": console.keys.unlocked(caller.auth.token_hash)}),
    ))
}

async fn lock(
    Extension(console): Shared,
    caller: ConsoleUser,
    Path(survey_id): Path<String>,
) -> StatusCode {
    console.keys.lock(caller.auth.token_hash, &survey_id);
    StatusCode::NO_CONTENT
}

/// The unlocked key of a survey for this caller: from the session, or from the passphrase header of a
/// bearer caller (used once, not kept).
async fn key_for(
    state: &AppState,
    console: &Console,
    caller: &ConsoleUser,
    headers: &HeaderMap,
    survey: &str,
) -> Result<Arc<SurveyKeyPair>, AppError> {
    if let Some(key) = console.keys.get(caller.auth.token_hash, survey) {
        return Ok(key);
    }
    if let Some(passphrase) = headers
        .get("x-survey-passphrase")
        .and_then(|v| v.to_str().ok())
    {
        return Ok(Arc::new(
            data::unlock(state, survey, passphrase.to_string()).await?,
        ));
    }
    Err(AppError::new(
        StatusCode::LOCKED,
        "survey_locked",
        "unlock the survey key with its passphrase first",
    ))
}

async fn view(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    headers: HeaderMap,
    Path(interview_id): Path<Uuid>,
) -> Result<Json<Json_>, AppError> {
    caller.auth.require(READING)?;
    let storage = state.storage.clone();
    let detail = state
        .blocking(move || storage.interview_detail(interview_id))
        .await?
        .ok_or_else(|| AppError::not_found("no such interview"))?;
    let storage = state.storage.clone();
    let row = state
        .blocking(move || storage.interview(interview_id))
        .await?
        .ok_or_else(|| AppError::not_found("no such interview"))?;
    caller.auth.require_team(row.team.as_deref())?;
    let survey = detail.summary.survey_id.clone();
    let key = key_for(&state, &console, &caller, &headers, &survey).await?;
    let stored = crate::opening::latest_accepted(&detail)
        .ok_or_else(|| AppError::not_found("no accepted revision"))?
        .clone();
    let q = console
        .questionnaires
        .get(&state, &survey, Some(&stored.questionnaire_version))
        .await?;
    let id = interview_id.to_string();
    let record = crate::opening::open_record(&stored, &key, &q)?;
    audit(
        &state,
        &caller,
        "console_view",
        format!("interview:{id}"),
        String::new(),
    )
    .await?;
    let (session, _) = record.restore(&q);
    let languages = q.languages.clone();
    let mut by_language = Vec::new();
    for (i, language) in languages.iter().enumerate() {
        let mut s = session.clone();
        let _ = s.set_language(language);
        by_language.push((i, s));
    }
    let mut items = Vec::new();
    for inst in session.walk() {
        let node = q.node(inst.node);
        let is_roster_row = node.kind == survey_spec::Kind::Roster;
        if !(node.kind.has_value() || is_roster_row || node.kind == survey_spec::Kind::Section) {
            continue;
        }
        if !session.is_relevant(inst) {
            continue;
        }
        let mut labels = BTreeMap::new();
        let mut values = BTreeMap::new();
        for (i, s) in &by_language {
            let language = &languages[*i];
            if let Some(label) = &node.label {
                labels.insert(language.clone(), s.render(label, inst));
            }
            if let Some(value) = s.value(inst) {
                values.insert(language.clone(), display(&q, inst, value, *i));
            }
        }
        if node.kind.has_value() && session.value(inst).is_none() && node.calculation.is_some() {
            continue;
        }
        let issues: Vec<Json_> = session
            .issues(inst)
            .into_iter()
            .map(|i| json!({"code": i.code, "message": i.message, "soft": i.soft, "confirmed": i.confirmed}))
            .collect();
        items.push(json!({
            "path": session.path(inst),
            "name": node.name,
            "kind": node.kind.name(),
            "depth": node.roster_depth,
            "calculated": node.calculation.is_some(),
            "label": labels,
            "value": values,
            "issues": issues,
        }));
    }
    Ok(Json(json!({
        "summary": detail.summary,
        "reviews": detail.reviews,
        "languages": languages,
        "items": items,
        "events": record.events,
        "complete": session.is_complete(),
    })))
}

fn display(
    q: &survey_spec::Questionnaire,
    inst: Instance,
    value: &survey_spec::Answer,
    language: usize,
) -> String {
    let label_of = |code: &str| {
        q.choice_list_of(inst.node)
            .and_then(|l| l.get(code))
            .map(|c| format!("{} ({code})", c.label.get(language)))
            .unwrap_or_else(|| code.to_string())
    };
    match value {
        survey_spec::Answer::Choice(c) => label_of(c),
        survey_spec::Answer::Choices(cs) => cs
            .iter()
            .map(|c| label_of(c))
            .collect::<Vec<_>>()
            .join("; "),
        other => survey_spec::value_text::to_text(other),
    }
}

#[derive(Deserialize)]
struct ParadataQuery {
    #[serde(default = "default_short_minutes")]
    short_minutes: f64,
}

fn default_short_minutes() -> f64 {
    10.0
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    sdg::percentile(values, 0.5)
}

async fn paradata(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    headers: HeaderMap,
    Path(survey_id): Path<String>,
    Query(query): Query<ParadataQuery>,
) -> Result<Json<Json_>, AppError> {
    caller.auth.require(READING)?;
    let key = key_for(&state, &console, &caller, &headers, &survey_id).await?;
    let (_, opened) = data::open_all(
        &state,
        &console.questionnaires,
        &survey_id,
        caller.auth.team_scope(),
        &key,
    )
    .await?;
    let mut per: BTreeMap<i64, Vec<&Opened>> = BTreeMap::new();
    for o in &opened {
        per.entry(o.summary.enumerator_id).or_default().push(o);
    }
    let mut days: BTreeMap<String, usize> = BTreeMap::new();
    let mut enumerators = Vec::new();
    for (enumerator, list) in per {
        let mut lengths = Vec::new();
        let mut enumerator_days = BTreeSet::new();
        let mut with_confirmed = 0;
        let mut short = 0;
        for o in &list {
            let times: Vec<i64> = o.record.events.iter().filter_map(|e| e.millis()).collect();
            if let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) {
                let minutes = (last - first) as f64 / 60_000.0;
                lengths.push(minutes);
                if minutes < query.short_minutes {
                    short += 1;
                }
            }
            if let Some(last) = o.record.events.last() {
                let day: String = last.at.chars().take(10).collect();
                enumerator_days.insert(day.clone());
                *days.entry(day).or_default() += 1;
            }
            if !o.record.confirmed.is_empty() {
                with_confirmed += 1;
            }
        }
        let n = list.len();
        enumerators.push(json!({
            "enumerator_id": enumerator,
            "interviews": n,
            "median_minutes": median(&mut lengths),
            "per_day": if enumerator_days.is_empty() { 0.0 } else { n as f64 / enumerator_days.len() as f64 },
            "share_with_confirmed_warnings": if n == 0 { 0.0 } else { with_confirmed as f64 / n as f64 },
            "shorter_than_threshold": short,
        }));
    }
    let locations: Vec<Json_> = opened
        .iter()
        .filter_map(|o| {
            o.record.answers.iter().find_map(|(_, a)| match a {
                survey_spec::Answer::Geo(p) => {
                    Some(json!({"lat": p.lat, "lon": p.lon, "interview": o.record.id}))
                }
                _ => None,
            })
        })
        .collect();
    Ok(Json(json!({
        "short_minutes": query.short_minutes,
        "enumerators": enumerators,
        "days": days,
        "locations": locations,
    })))
}

/// The interview location of each interview of a survey the caller may see: the first geopoint answer
/// of its latest accepted revision, with only the interview's id and status beside it.
async fn locations(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    headers: HeaderMap,
    Path(survey_id): Path<String>,
) -> Result<Json<Json_>, AppError> {
    caller.auth.require(READING)?;
    let key = key_for(&state, &console, &caller, &headers, &survey_id).await?;
    let (_, opened) = data::open_all(
        &state,
        &console.questionnaires,
        &survey_id,
        caller.auth.team_scope(),
        &key,
    )
    .await?;
    let points: Vec<Json_> = opened
        .iter()
        .filter_map(|o| {
            o.record
                .answers
                .iter()
                .find_map(|(_, answer)| match answer {
                    survey_spec::Answer::Geo(p) if p.lat.is_finite() && p.lon.is_finite() => {
                        Some(json!({
                            "interview": o.summary.interview_id,
                            "status": o.summary.status,
                            "lat": p.lat,
                            "lon": p.lon,
                        }))
                    }
                    _ => None,
                })
        })
        .collect();
    audit(
        &state,
        &caller,
        "console_locations",
        format!("survey:{survey_id}"),
        format!("{} points", points.len()),
    )
    .await?;
    Ok(Json(json!({ "points": points })))
}

#[derive(Deserialize, Default)]
struct VersionChoice {
    /// `raw` (default) or a cleaned version number.
    #[serde(default)]
    version: Option<String>,
}

/// The records of raw data or a cleaned version, with the provenance line.
async fn dataset_for(
    state: &AppState,
    console: &Console,
    caller: &ConsoleUser,
    headers: &HeaderMap,
    survey: &str,
    version: Option<&str>,
) -> Result<
    (
        Arc<survey_spec::Questionnaire>,
        Vec<InterviewRecord>,
        ExportInfo,
    ),
    AppError,
> {
    let key = key_for(state, console, caller, headers, survey).await?;
    let (q, opened) = data::open_all(
        state,
        &console.questionnaires,
        survey,
        caller.auth.team_scope(),
        &key,
    )
    .await?;
    match version.unwrap_or("raw") {
        "raw" | "" => Ok((
            q,
            opened.into_iter().map(|o| o.record).collect(),
            ExportInfo {
                version: "raw".into(),
                provenance: "Raw data as uploaded by the tablets.".into(),
            },
        )),
        number => {
            let number: u32 = number.parse().map_err(|_| {
                AppError::bad_request("bad_version", "version is `raw` or a number")
            })?;
            let (meta, records) = console.versions.open(survey, number, &q, &key)?;
            Ok((
                q,
                records,
                ExportInfo {
                    version: format!("cleaned version {number}"),
                    provenance: format!(
                        "Cleaned version {} uploaded by {} at {}: {}",
                        meta.number, meta.created_by, meta.created_at, meta.reason
                    ),
                },
            ))
        }
    }
}

async fn export(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    headers: HeaderMap,
    Path(survey_id): Path<String>,
    Query(choice): Query<VersionChoice>,
) -> Result<Response, AppError> {
    caller.auth.require(DATA_ROLES)?;
    let (q, records, info) = dataset_for(
        &state,
        &console,
        &caller,
        &headers,
        &survey_id,
        choice.version.as_deref(),
    )
    .await?;
    let zip = tokio::task::spawn_blocking(move || {
        let dataset = Dataset::from_records(&q, &records);
        export_zip(&q, &dataset, &records, &info)
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(|e| AppError::internal(e.to_string()))?;
    audit(
        &state,
        &caller,
        "console_export",
        format!("survey:{survey_id}"),
        choice.version.unwrap_or_else(|| "raw".into()),
    )
    .await?;
    let name = format!(
        "attachment; filename=\"{}-export.zip\"",
        survey_id.replace('"', "")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        Body::from(zip),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct SdgQuery {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn sdg_tables(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    headers: HeaderMap,
    Path(survey_id): Path<String>,
    Query(query): Query<SdgQuery>,
) -> Result<Response, AppError> {
    caller.auth.require(READING)?;
    let (q, records, info) = dataset_for(
        &state,
        &console,
        &caller,
        &headers,
        &survey_id,
        query.version.as_deref(),
    )
    .await?;
    let rows =
        tokio::task::spawn_blocking(move || sdg::tables_of(&Dataset::from_records(&q, &records)))
            .await
            .map_err(|e| AppError::internal(e.to_string()))?;
    if query.format.as_deref() == Some("csv") {
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            sdg::tables_csv(&rows),
        )
            .into_response());
    }
    let rows: Vec<Json_> = rows
        .iter()
        .map(|r| {
            json!({
                "variant": r.variant, "breakdown": r.breakdown, "group": r.group,
                "n": r.summary.n, "mean": r.summary.mean, "median": r.summary.median, "p80": r.summary.p80,
                "zero_income": r.zero_income, "no_income": r.no_income, "no_rate": r.no_rate,
            })
        })
        .collect();
    Ok(Json(json!({"data": info.version, "rows": rows})).into_response())
}

#[derive(Deserialize, Default)]
struct BatchQuery {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct BatchFiles {
    #[serde(default)]
    reason: String,
    files: Vec<BatchFile>,
}

#[derive(Deserialize)]
struct BatchFile {
    name: String,
    text: String,
}

async fn upload_batch(
    State(state): State<AppState>,
    Extension(console): Shared,
    caller: ConsoleUser,
    headers: HeaderMap,
    Path(survey_id): Path<String>,
    Query(query): Query<BatchQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    caller.auth.require(DATA_ROLES)?;
    let (files, reason) = if is_zip(&body) {
        (
            read_zip(&body).map_err(|e| AppError::invalid("bad_zip", e.to_string()))?,
            query.reason,
        )
    } else {
        let parsed: BatchFiles = serde_json::from_slice(&body).map_err(|e| {
            AppError::invalid(
                "bad_batch",
                format!("send a zip, or JSON {{reason, files: [{{name, text}}]}}: {e}"),
            )
        })?;
        let reason = if parsed.reason.is_empty() {
            query.reason
        } else {
            parsed.reason
        };
        (
            parsed
                .files
                .into_iter()
                .map(|f| (f.name, f.text.into_bytes()))
                .collect(),
            reason,
        )
    };
    if reason.trim().is_empty() {
        return Err(AppError::invalid(
            "reason_required",
            "say why this batch is uploaded (reason)",
        ));
    }
    let (q, raw, _) = dataset_for(&state, &console, &caller, &headers, &survey_id, None).await?;
    let q2 = q.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let raw_dataset = Dataset::from_records(&q2, &raw);
        batch::validate(&q2, &raw, &files).map(|clean| {
            let diff = batch::diff(&raw_dataset, &clean.dataset);
            (clean, diff)
        })
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?;
    let (clean, diff) = match outcome {
        Ok(ok) => ok,
        Err(report) => {
            audit(
                &state,
                &caller,
                "console_batch_refused",
                format!("survey:{survey_id}"),
                format!("{} problems", report.problems.len()),
            )
            .await?;
            let problems: Vec<Json_> = report
                .problems
                .iter()
                .map(|p| json!({"file": p.file, "row": p.row, "column": p.column, "value": p.value, "problem": p.problem}))
                .collect();
            let csv = String::from_utf8_lossy(&report.to_csv()).into_owned();
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": {"code": "batch_refused", "message": format!("the batch has {} problems; nothing was stored", problems.len())}, "problems": problems, "report_csv": csv})),
            )
                .into_response());
        }
    };
    let storage = state.storage.clone();
    let sid = survey_id.clone();
    let survey = state
        .blocking(move || storage.survey(&sid))
        .await?
        .ok_or_else(|| AppError::not_found("no such survey"))?;
    let public =
        sync_proto::keys::SurveyPublicKey::from_base64(survey.public_key.as_deref().unwrap_or(""))
            .map_err(|e| AppError::internal(e.to_string()))?;
    let totals = diff.variables.iter().fold((0, 0, 0), |(c, a, d), v| {
        (c + v.changed, a + v.added, d + v.deleted)
    });
    let meta = console.versions.add(
        &survey_id,
        &public,
        VersionMeta {
            number: 0,
            created_by: caller.auth.user.username.clone(),
            created_at: state.now_text(),
            reason,
            interviews: clean.records.len(),
            changed: totals.0,
            added: totals.1,
            deleted: totals.2,
        },
        &clean.records,
    )?;
    audit(
        &state,
        &caller,
        "console_batch_version",
        format!("survey:{survey_id}"),
        format!("version {}", meta.number),
    )
    .await?;
    let variables: Vec<Json_> = diff
        .variables
        .iter()
        .map(|v| json!({"level": v.level, "variable": v.variable, "changed": v.changed, "added": v.added, "deleted": v.deleted}))
        .collect();
    let cells: Vec<Json_> = diff
        .cells
        .iter()
        .take(500)
        .map(|c| json!({"level": c.level, "interview": c.key.interview, "rows": c.key.index, "variable": c.variable, "before": c.before, "after": c.after}))
        .collect();
    Ok(Json(json!({
        "version": meta,
        "variables": variables,
        "rows_added": diff.rows_added,
        "rows_deleted": diff.rows_deleted,
        "cells": cells,
    }))
    .into_response())
}

async fn list_versions(
    Extension(console): Shared,
    caller: ConsoleUser,
    Path(survey_id): Path<String>,
) -> Result<Json<Vec<VersionMeta>>, AppError> {
    caller.auth.require(READING)?;
    Ok(Json(console.versions.list(&survey_id)))
}
