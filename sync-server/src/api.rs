//! The handlers of `/api/v1`. Every handler checks the caller's role and team first.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use sync_proto::b64::Base64Bytes;
use sync_proto::keys::{SurveyPublicKey, VerifyingKey};
use sync_proto::wire::*;
use uuid::Uuid;

use crate::auth::{self, ClientAddress, DeviceAuth, UserAuth};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::storage::{
    NewAssignment, NewAudit, NewQuestionnaireVersion, NewReview, NewUpload, NewUser, QuotaTargetRow,
};

/// The routes of `/api/v1` (relative paths).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/users", post(create_user).get(list_users))
        .route("/users/{user_id}/deactivate", post(deactivate_user))
        .route("/users/{user_id}/activate", post(activate_user))
        .route("/users/{user_id}/password", post(reset_password))
        .route("/surveys", post(create_survey).get(list_surveys))
        .route("/surveys/{survey_id}/versions", post(upload_questionnaire))
        .route("/surveys/{survey_id}/key", put(set_survey_key))
        .route(
            "/surveys/{survey_id}/validation-key",
            post(unlock_validation_key).delete(lock_validation_key),
        )
        .route(
            "/surveys/{survey_id}/assignments/csv",
            post(import_assignments_csv),
        )
        .route(
            "/surveys/{survey_id}/quotas",
            put(set_quota).get(get_quotas),
        )
        .route("/enrolment-codes", post(create_enrolment_code))
        .route("/enrolment-codes/qr", post(enrolment_qr))
        .route("/devices/enrol", post(enrol_device))
        .route("/devices", get(list_devices))
        .route("/devices/{device_id}/revoke", post(revoke_device))
        .route(
            "/assignments",
            post(create_assignment).get(list_assignments),
        )
        .route("/assignments/{assignment_id}/reassign", post(reassign))
        .route("/sync/uploads", post(upload))
        .route("/sync/changes", get(changes))
        .route("/sync/progress", put(report_progress))
        .route("/interviews", get(list_interviews))
        .route("/interviews/{interview_id}", get(interview_detail))
        .route("/interviews/{interview_id}/review", post(review))
        .route("/interviews/{interview_id}/open", post(open_interview))
        .route("/audit", get(audit_log))
}

const SUPERVISING: &[Role] = &[Role::Admin, Role::Supervisor];
const SURVEY_MANAGING: &[Role] = &[Role::Admin, Role::DataManager];
const READING: &[Role] = &[Role::Admin, Role::Supervisor, Role::DataManager];

fn audit(
    state: &AppState,
    actor: String,
    action: &'static str,
    subject: String,
    detail: String,
) -> NewAudit {
    NewAudit {
        at: state.now_text(),
        actor,
        action,
        subject,
        detail,
    }
}

/// Log in with a username and password; returns a bearer session token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    state.login_limiter.check(&format!("ip:{address}"))?;
    state
        .login_limiter
        .check(&format!("account:{}", request.username))?;
    let storage = state.storage.clone();
    let username = request.username.clone();
    let user = state
        .blocking(move || storage.user_by_name(&username))
        .await?;
    let password = request.password;
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || {
        auth::verify_password(
            &password,
            stored
                .as_deref()
                .unwrap_or_else(|| auth::dummy_password_hash()),
        )
    })
    .await
    .map_err(|error| AppError::internal(error.to_string()))?;
    let user = match user {
        Some(user) if verified && user.active => user,
        // Only someone who knows the password learns that the account is deactivated.
        Some(user) if verified => {
            let storage = state.storage.clone();
            let entry = audit(
                &state,
                "anonymous".into(),
                "login_refused_deactivated",
                format!("user:{}", user.id),
                address,
            );
            state.blocking(move || storage.audit(entry)).await?;
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "account_deactivated",
                "this account is deactivated; ask an administrator to reactivate it",
            ));
        }
        _ => {
            let storage = state.storage.clone();
            let entry = audit(
                &state,
                "anonymous".into(),
                "login_failed",
                format!("username:{}", request.username),
                address,
            );
            state.blocking(move || storage.audit(entry)).await?;
            return Err(AppError::unauthorized("wrong username or password"));
        }
    };
    let token = auth::random_token(32)?;
    let expires_at = state.clock.now_unix() + state.config.session_ttl_seconds;
    let storage = state.storage.clone();
    let hash = auth::token_hash(&token);
    let user_id = user.id;
    let entry = audit(
        &state,
        format!("user:{}", user.username),
        "login",
        format!("user:{}", user.id),
        address,
    );
    state
        .blocking(move || {
            storage.create_session(hash, user_id, expires_at)?;
            storage.audit(entry)
        })
        .await?;
    Ok(Json(LoginResponse {
        token,
        expires_at: crate::clock::rfc3339(expires_at),
        user: user.info(),
    }))
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: UserAuth) -> AppResult<StatusCode> {
    let storage = state.storage.clone();
    state
        .blocking(move || storage.delete_session(caller.token_hash))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = UserInfo), (status = 401, body = ErrorBody)))]
pub async fn me(caller: UserAuth) -> Json<UserInfo> {
    Json(caller.user.info())
}

fn check_password_policy(password: &str) -> AppResult<()> {
    if password.chars().count() < 10 {
        return Err(AppError::invalid(
            "weak_password",
            "a password needs at least 10 characters",
        ));
    }
    Ok(())
}

/// Create an account (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = UserInfo), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: UserAuth,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> AppResult<(StatusCode, Json<UserInfo>)> {
    caller.require(&[Role::Admin])?;
    let user = create_user_checked(&state, caller.actor(), request).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Creates an account after checking the request (shared with the admin command).
pub async fn create_user_checked(
    state: &AppState,
    actor: String,
    request: CreateUserRequest,
) -> AppResult<UserInfo> {
    if request.username.trim().is_empty() || request.username.len() > 64 {
        return Err(AppError::invalid(
            "invalid_username",
            "a username has 1 to 64 characters",
        ));
    }
    check_password_policy(&request.password)?;
    if matches!(request.role, Role::Supervisor | Role::Enumerator)
        && request.team.as_deref().unwrap_or("").is_empty()
    {
        return Err(AppError::invalid(
            "team_required",
            "supervisors and enumerators belong to a team",
        ));
    }
    let hash = hash_off_thread(request.password).await?;
    let storage = state.storage.clone();
    let entry = audit(
        state,
        actor,
        "create_user",
        String::new(),
        format!("role {}", request.role.as_str()),
    );
    let new = NewUser {
        username: request.username,
        password_hash: hash,
        role: request.role,
        team: request.team,
    };
    let user = state
        .blocking(move || storage.create_user(new, entry))
        .await?;
    Ok(user.info())
}

/// List accounts (admin: all; supervisor: own team).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<UserInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: UserAuth,
) -> AppResult<Json<Vec<UserInfo>>> {
    caller.require(SUPERVISING)?;
    let storage = state.storage.clone();
    let team = caller.team_scope();
    let users = state
        .blocking(move || storage.list_users(team.as_deref()))
        .await?;
    Ok(Json(users.iter().map(|user| user.info()).collect()))
}

/// Deactivate an account and end its sessions (admin). The account's devices are refused while it is
/// deactivated. An administrator cannot deactivate their own account.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/deactivate", tag = "users",
    params(("user_id" = i64, Path, description = "The account")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate_user(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(user_id): Path<i64>,
) -> AppResult<StatusCode> {
    caller.require(&[Role::Admin])?;
    if user_id == caller.user.id {
        return Err(AppError::invalid(
            "own_account",
            "an administrator cannot deactivate their own account",
        ));
    }
    set_user_active(&state, caller.actor(), user_id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reactivate a deactivated account (admin). Its old sessions stay ended; it logs in again.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/activate", tag = "users",
    params(("user_id" = i64, Path, description = "The account")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn activate_user(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(user_id): Path<i64>,
) -> AppResult<StatusCode> {
    caller.require(&[Role::Admin])?;
    set_user_active(&state, caller.actor(), user_id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivates (ending its sessions) or reactivates an account, with its audit entry (shared with the
/// admin commands).
pub async fn set_user_active(
    state: &AppState,
    actor: String,
    user_id: i64,
    active: bool,
) -> AppResult<()> {
    let action = if active {
        "activate_user"
    } else {
        "deactivate_user"
    };
    let entry = audit(
        state,
        actor,
        action,
        format!("user:{user_id}"),
        String::new(),
    );
    let storage = state.storage.clone();
    state
        .blocking(move || storage.set_user_active(user_id, active, entry))
        .await
}

/// Body of the password reset.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ResetPasswordRequest {
    /// The new password, under the same rules as at creation (at least 10 characters).
    pub password: String,
}

/// Set a new password for an account (admin). Every session of the account ends.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/password", tag = "users", request_body = ResetPasswordRequest,
    params(("user_id" = i64, Path, description = "The account")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(user_id): Path<i64>,
    ApiJson(request): ApiJson<ResetPasswordRequest>,
) -> AppResult<StatusCode> {
    caller.require(&[Role::Admin])?;
    set_password_checked(&state, caller.actor(), user_id, request.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets an account's password after checking it against the policy, ending every session of the
/// account, with its audit entry (shared with the admin command).
pub async fn set_password_checked(
    state: &AppState,
    actor: String,
    user_id: i64,
    password: String,
) -> AppResult<()> {
    check_password_policy(&password)?;
    let hash = hash_off_thread(password).await?;
    let entry = audit(
        state,
        actor,
        "reset_password",
        format!("user:{user_id}"),
        String::new(),
    );
    let storage = state.storage.clone();
    state
        .blocking(move || storage.set_user_password(user_id, hash, entry))
        .await
}

/// Argon2id hashing takes tens of milliseconds of CPU: it runs beside the async workers.
async fn hash_off_thread(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|error| AppError::internal(error.to_string()))?
}

fn valid_survey_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Create a survey (admin, data manager).
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys", request_body = CreateSurveyRequest,
    responses((status = 201, body = SurveyInfo), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_survey(
    State(state): State<AppState>,
    caller: UserAuth,
    ApiJson(request): ApiJson<CreateSurveyRequest>,
) -> AppResult<(StatusCode, Json<SurveyInfo>)> {
    caller.require(SURVEY_MANAGING)?;
    if !valid_survey_id(&request.id) {
        return Err(AppError::invalid(
            "invalid_survey_id",
            "a survey id is 1 to 64 of a-z, 0-9, '-' and '_'",
        ));
    }
    let storage = state.storage.clone();
    let now = state.now_text();
    let (id, title) = (request.id.clone(), request.title.clone());
    let entry = audit(
        &state,
        caller.actor(),
        "create_survey",
        format!("survey:{}", request.id),
        String::new(),
    );
    state
        .blocking(move || {
            storage.create_survey(&id, &title, &now)?;
            storage.audit(entry)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SurveyInfo {
            id: request.id,
            title: request.title,
            public_key: None,
            has_wrapped_private_key: false,
            validation_key_unlocked: false,
            versions: Vec::new(),
        }),
    ))
}

/// List surveys with their versions.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys",
    responses((status = 200, body = Vec<SurveyInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_surveys(
    State(state): State<AppState>,
    caller: UserAuth,
) -> AppResult<Json<Vec<SurveyInfo>>> {
    caller.require(READING)?;
    let storage = state.storage.clone();
    let keys = state.validation_keys.clone();
    let surveys = state
        .blocking(move || {
            storage
                .list_surveys()?
                .into_iter()
                .map(|survey| {
                    let versions = storage.list_versions(&survey.id)?;
                    let validation_key_unlocked = keys.get(&survey.id).is_some();
                    Ok(SurveyInfo {
                        id: survey.id,
                        title: survey.title,
                        public_key: survey.public_key,
                        has_wrapped_private_key: survey.wrapped_private_key.is_some(),
                        validation_key_unlocked,
                        versions,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(surveys))
}

/// Upload a questionnaire file as a new version (admin, data manager).
#[utoipa::path(post, path = "/api/v1/surveys/{survey_id}/versions", tag = "surveys",
    params(("survey_id" = String, Path, description = "The survey")),
    request_body = UploadQuestionnaireRequest,
    responses((status = 201, body = QuestionnaireVersionInfo), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_questionnaire(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
    ApiJson(request): ApiJson<UploadQuestionnaireRequest>,
) -> AppResult<(StatusCode, Json<QuestionnaireVersionInfo>)> {
    caller.require(SURVEY_MANAGING)?;
    let catalog = state.catalog.clone();
    let content = request.content.0;
    let format = request.format;
    let (facts, content) =
        tokio::task::spawn_blocking(move || (catalog.inspect(format, &content), content))
            .await
            .map_err(|error| AppError::internal(error.to_string()))?;
    let facts = facts.map_err(|problems| {
        let code = "invalid_questionnaire";
        AppError::invalid(code, problems.join("\n"))
    })?;
    if let Some(id) = &facts.questionnaire_id
        && id != &survey_id
    {
        return Err(AppError::invalid(
            "questionnaire_id_mismatch",
            format!("the questionnaire's id is {id}, but it was uploaded to survey {survey_id}"),
        ));
    }
    let storage = state.storage.clone();
    let new = NewQuestionnaireVersion {
        survey_id: survey_id.clone(),
        label: facts.label,
        format,
        content,
        monitoring: facts.monitoring,
        created_at: state.now_text(),
    };
    let entry_actor = caller.actor();
    let now = state.now_text();
    let info = state
        .blocking(move || {
            let info = storage.add_questionnaire_version(new)?;
            storage.audit(NewAudit {
                at: now,
                actor: entry_actor,
                action: "upload_questionnaire",
                subject: format!("survey:{}", info.survey_id),
                detail: format!("version {} {}", info.number, info.content_hash),
            })?;
            Ok(info)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// Set the survey's public key, optionally with its passphrase-wrapped private key (admin, data manager).
#[utoipa::path(put, path = "/api/v1/surveys/{survey_id}/key", tag = "surveys",
    params(("survey_id" = String, Path, description = "The survey")),
    request_body = SetSurveyKeyRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_survey_key(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
    ApiJson(request): ApiJson<SetSurveyKeyRequest>,
) -> AppResult<StatusCode> {
    caller.require(SURVEY_MANAGING)?;
    let public = SurveyPublicKey::from_base64(&request.public_key)
        .map_err(|error| AppError::invalid("invalid_key", error.to_string()))?;
    let wrapped = match request.wrapped_private_key {
        None => None,
        Some(wrapped) => {
            if wrapped.public_key.0 != public.0 {
                return Err(AppError::invalid(
                    "invalid_key",
                    "the wrapped private key belongs to another public key",
                ));
            }
            Some(
                serde_json::to_string(&wrapped)
                    .map_err(|error| AppError::internal(error.to_string()))?,
            )
        }
    };
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "set_survey_key",
        format!("survey:{survey_id}"),
        public.to_base64(),
    );
    state
        .blocking(move || storage.set_survey_key(&survey_id, &public.to_base64(), wrapped, entry))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unwraps a survey's server-kept key; a wrong passphrase is audited as `failure` (action, subject).
async fn unlock_audited(
    state: &AppState,
    caller: &UserAuth,
    survey_id: &str,
    passphrase: String,
    failure: (&'static str, String),
) -> AppResult<sync_proto::keys::SurveyKeyPair> {
    match crate::opening::unlock(state, survey_id, passphrase).await {
        Ok(key) => Ok(key),
        Err(error) => {
            if error.code == "wrong_passphrase" {
                let storage = state.storage.clone();
                let entry = audit(state, caller.actor(), failure.0, failure.1, String::new());
                state.blocking(move || storage.audit(entry)).await?;
            }
            Err(error)
        }
    }
}

/// Unlock the survey key kept on the server for upload validation (admin, data manager). The key stays
/// in memory only, until locked again or the server restarts; every upload of the survey is then opened
/// and replayed through the engine, and uploads stored while it was locked are validated in the
/// background.
#[utoipa::path(post, path = "/api/v1/surveys/{survey_id}/validation-key", tag = "surveys",
    params(("survey_id" = String, Path, description = "The survey")),
    request_body = UnlockValidationKeyRequest,
    responses((status = 200, body = ValidationKeyState), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn unlock_validation_key(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
    ApiJson(request): ApiJson<UnlockValidationKeyRequest>,
) -> AppResult<Json<ValidationKeyState>> {
    caller.require(SURVEY_MANAGING)?;
    let key = unlock_audited(
        &state,
        &caller,
        &survey_id,
        request.passphrase,
        ("validation_unlock_failed", format!("survey:{survey_id}")),
    )
    .await?;
    state.validation_keys.insert(&survey_id, key);
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "unlock_validation_key",
        format!("survey:{survey_id}"),
        String::new(),
    );
    let survey = survey_id.clone();
    let backlog = state
        .blocking(move || {
            storage.audit(entry)?;
            storage.unchecked_uploads(&survey, u32::MAX)
        })
        .await?
        .len() as u32;
    crate::validation::spawn_backlog(state.clone(), survey_id.clone());
    Ok(Json(ValidationKeyState {
        survey_id,
        unlocked: true,
        backlog,
    }))
}

/// Lock the survey key again: it is forgotten, and later uploads stay unchecked (admin, data manager).
#[utoipa::path(delete, path = "/api/v1/surveys/{survey_id}/validation-key", tag = "surveys",
    params(("survey_id" = String, Path, description = "The survey")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn lock_validation_key(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
) -> AppResult<StatusCode> {
    caller.require(SURVEY_MANAGING)?;
    survey_exists(&state, &survey_id).await?;
    let was_unlocked = state.validation_keys.remove(&survey_id);
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "lock_validation_key",
        format!("survey:{survey_id}"),
        if was_unlocked {
            "locked"
        } else {
            "was not unlocked"
        }
        .to_string(),
    );
    state.blocking(move || storage.audit(entry)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn enumerator_in_scope(
    state: &AppState,
    caller: &UserAuth,
    enumerator_id: i64,
) -> AppResult<crate::storage::UserRow> {
    let storage = state.storage.clone();
    let user = state
        .blocking(move || storage.user_by_id(enumerator_id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no user {enumerator_id}")))?;
    if user.role != Role::Enumerator {
        return Err(AppError::invalid(
            "not_an_enumerator",
            format!("user {enumerator_id} is not an enumerator"),
        ));
    }
    if !user.active {
        return Err(AppError::invalid(
            "inactive_user",
            format!("user {enumerator_id} is deactivated"),
        ));
    }
    caller.require_team(user.team.as_deref())?;
    Ok(user)
}

async fn survey_exists(state: &AppState, survey_id: &str) -> AppResult<()> {
    let storage = state.storage.clone();
    let id = survey_id.to_string();
    state
        .blocking(move || storage.survey(&id))
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::not_found(format!("no survey {survey_id}")))
}

/// Create an assignment for an enumerator of the caller's team (admin, supervisor).
#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", request_body = CreateAssignmentRequest,
    responses((status = 201, body = Assignment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_assignment(
    State(state): State<AppState>,
    caller: UserAuth,
    ApiJson(request): ApiJson<CreateAssignmentRequest>,
) -> AppResult<(StatusCode, Json<Assignment>)> {
    caller.require(SUPERVISING)?;
    enumerator_in_scope(&state, &caller, request.enumerator_id).await?;
    survey_exists(&state, &request.survey_id).await?;
    if request.quantity == Some(0) {
        return Err(AppError::invalid(
            "invalid_quantity",
            "a quantity is at least 1 (omit it for unlimited)",
        ));
    }
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "create_assignments",
        format!("survey:{}", request.survey_id),
        String::new(),
    );
    let new = NewAssignment {
        survey_id: request.survey_id,
        enumerator_id: request.enumerator_id,
        quantity: request.quantity,
        preload: request.preload,
        created_by: caller.user.id,
    };
    let mut created = state
        .blocking(move || storage.create_assignments(vec![new], entry))
        .await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

/// Create assignments from CSV (admin, supervisor): a header row with `enumerator` (username) and
/// `quantity` (empty for unlimited); every other column is a preloaded value. All rows or none.
#[utoipa::path(post, path = "/api/v1/surveys/{survey_id}/assignments/csv", tag = "assignments",
    params(("survey_id" = String, Path, description = "The survey")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = AssignmentList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_assignments_csv(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<AssignmentList>)> {
    caller.require(SUPERVISING)?;
    survey_exists(&state, &survey_id).await?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(&body[..]);
    let headers = reader
        .headers()
        .map_err(|error| AppError::invalid("invalid_csv", format!("line 1: {error}")))?
        .clone();
    let enumerator_column = headers
        .iter()
        .position(|h| h == "enumerator")
        .ok_or_else(|| {
            AppError::invalid(
                "invalid_csv",
                "line 1: the header needs an `enumerator` column",
            )
        })?;
    let quantity_column = headers.iter().position(|h| h == "quantity");
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(format!("line {line}: {error}"));
                continue;
            }
        };
        let username = record.get(enumerator_column).unwrap_or("").to_string();
        let quantity = match quantity_column.and_then(|c| record.get(c)).unwrap_or("") {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(0) | Err(_) => {
                    problems.push(format!(
                        "line {line}: quantity `{text}` is not a whole number ≥ 1"
                    ));
                    continue;
                }
                Ok(n) => Some(n),
            },
        };
        let preload: BTreeMap<String, String> = headers
            .iter()
            .zip(record.iter())
            .enumerate()
            .filter(|(column, _)| *column != enumerator_column && Some(*column) != quantity_column)
            .map(|(_, (key, value))| (key.to_string(), value.to_string()))
            .collect();
        rows.push((line, username, quantity, preload));
    }
    let mut assignments = Vec::new();
    for (line, username, quantity, preload) in rows {
        let storage = state.storage.clone();
        let name = username.clone();
        let user = state.blocking(move || storage.user_by_name(&name)).await?;
        match user {
            Some(user) if user.role == Role::Enumerator && user.active => {
                if caller.require_team(user.team.as_deref()).is_err() {
                    problems.push(format!(
                        "line {line}: enumerator `{username}` is not in your team"
                    ));
                    continue;
                }
                assignments.push(NewAssignment {
                    survey_id: survey_id.clone(),
                    enumerator_id: user.id,
                    quantity,
                    preload,
                    created_by: caller.user.id,
                });
            }
            _ => problems.push(format!("line {line}: no active enumerator `{username}`")),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::invalid("invalid_csv", problems.join("\n")));
    }
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "create_assignments",
        format!("survey:{survey_id}"),
        String::new(),
    );
    let created = state
        .blocking(move || storage.create_assignments(assignments, entry))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AssignmentList {
            assignments: created,
        }),
    ))
}

/// Give an assignment to another enumerator (admin, supervisor of both teams).
#[utoipa::path(post, path = "/api/v1/assignments/{assignment_id}/reassign", tag = "assignments",
    params(("assignment_id" = i64, Path, description = "The assignment")),
    request_body = ReassignRequest,
    responses((status = 200, body = Assignment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(assignment_id): Path<i64>,
    ApiJson(request): ApiJson<ReassignRequest>,
) -> AppResult<Json<Assignment>> {
    caller.require(SUPERVISING)?;
    let storage = state.storage.clone();
    let current = state
        .blocking(move || storage.assignment(assignment_id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no assignment {assignment_id}")))?;
    enumerator_in_scope(&state, &caller, current.enumerator_id).await?;
    enumerator_in_scope(&state, &caller, request.enumerator_id).await?;
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "reassign",
        format!("assignment:{assignment_id}"),
        format!(
            "user:{} -> user:{}",
            current.enumerator_id, request.enumerator_id
        ),
    );
    let updated = state
        .blocking(move || storage.reassign(assignment_id, request.enumerator_id, entry))
        .await?;
    Ok(Json(updated))
}

/// Query of list endpoints.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SurveyFilter {
    /// Only this survey.
    pub survey_id: Option<String>,
}

/// List assignments (admin, data manager: all; supervisor: own team).
#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", params(SurveyFilter),
    responses((status = 200, body = AssignmentList), (status = 403, body = ErrorBody)))]
pub async fn list_assignments(
    State(state): State<AppState>,
    caller: UserAuth,
    Query(filter): Query<SurveyFilter>,
) -> AppResult<Json<AssignmentList>> {
    caller.require(READING)?;
    let storage = state.storage.clone();
    let team = caller.team_scope();
    let assignments = state
        .blocking(move || storage.list_assignments(filter.survey_id.as_deref(), team.as_deref()))
        .await?;
    Ok(Json(AssignmentList { assignments }))
}

/// Create a one-time enrolment code for an enumerator's tablet (admin, supervisor of the team).
#[utoipa::path(post, path = "/api/v1/enrolment-codes", tag = "devices", request_body = CreateEnrolmentCodeRequest,
    responses((status = 201, body = EnrolmentCode), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_enrolment_code(
    State(state): State<AppState>,
    caller: UserAuth,
    ApiJson(request): ApiJson<CreateEnrolmentCodeRequest>,
) -> AppResult<(StatusCode, Json<EnrolmentCode>)> {
    caller.require(SUPERVISING)?;
    enumerator_in_scope(&state, &caller, request.enumerator_id).await?;
    let code = auth::new_enrolment_code()?;
    let hash = auth::token_hash(&auth::normalize_enrolment_code(&code));
    let expires_at = state.clock.now_unix() + state.config.enrolment_code_ttl_seconds;
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "create_enrolment_code",
        String::new(),
        format!("user:{}", request.enumerator_id),
    );
    let enumerator_id = request.enumerator_id;
    let id = state
        .blocking(move || storage.create_enrolment_code(hash, enumerator_id, expires_at, entry))
        .await?;
    let qr_svg = crate::qr::enrolment_svg(&state.config.public_url, &code)?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolmentCode {
            id,
            code,
            expires_at: crate::clock::rfc3339(expires_at),
            enumerator_id,
            qr_svg,
        }),
    ))
}

/// Body of the QR endpoint.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct QrRequest {
    /// The enrolment code to render.
    pub code: String,
}

/// Render an enrolment code as an SVG QR code for the console (admin, supervisor). The code goes
/// in the body, never in a URL.
#[utoipa::path(post, path = "/api/v1/enrolment-codes/qr", tag = "devices", request_body = QrRequest,
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 403, body = ErrorBody)))]
pub async fn enrolment_qr(
    State(state): State<AppState>,
    caller: UserAuth,
    ApiJson(request): ApiJson<QrRequest>,
) -> AppResult<Response> {
    caller.require(SUPERVISING)?;
    let svg = crate::qr::enrolment_svg(&state.config.public_url, &request.code)?;
    let mut response = svg.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    Ok(response)
}

/// Enrol a device with a one-time code; returns its token (once) and the server's receipt key.
#[utoipa::path(post, path = "/api/v1/devices/enrol", tag = "devices", request_body = EnrolRequest,
    responses((status = 201, body = EnrolResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn enrol_device(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> AppResult<(StatusCode, Json<EnrolResponse>)> {
    state.enrol_limiter.check(&format!("ip:{address}"))?;
    let public_key = VerifyingKey::from_bytes(&request.device_public_key.0)
        .map_err(|error| AppError::invalid("invalid_key", error.to_string()))?;
    let code_hash = auth::token_hash(&auth::normalize_enrolment_code(&request.code));
    let device_id = Uuid::now_v7();
    let token = auth::random_token(16)?;
    let token_hash = auth::token_hash(&token);
    let now = state.clock.now_unix();
    let enrolled_at = state.now_text();
    let storage = state.storage.clone();
    let label = request.label.chars().take(120).collect::<String>();
    let device = state
        .blocking(move || {
            storage.enrol_device(
                code_hash,
                now,
                device_id,
                &label,
                public_key.0,
                token_hash,
                &enrolled_at,
            )
        })
        .await?;
    let Some(device) = device else {
        let storage = state.storage.clone();
        let entry = audit(
            &state,
            "anonymous".into(),
            "enrol_failed",
            String::new(),
            address,
        );
        state.blocking(move || storage.audit(entry)).await?;
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_enrolment_code",
            "the enrolment code is unknown, used or expired; ask your supervisor for a new one",
        ));
    };
    let storage = state.storage.clone();
    let enumerator_id = device.enumerator_id;
    let enumerator = state
        .blocking(move || storage.user_by_id(enumerator_id))
        .await?
        .ok_or_else(|| AppError::internal("enrolled device without enumerator"))?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolResponse {
            device_id: device.id,
            device_token: token,
            server_public_key: Base64Bytes(state.server_key.public_key().0.to_vec()),
            enumerator: enumerator.info(),
            protocol_version: sync_proto::PROTOCOL_VERSION,
        }),
    ))
}

fn device_info(device: &crate::storage::DeviceRow) -> DeviceInfo {
    DeviceInfo {
        id: device.id,
        label: device.label.clone(),
        enumerator_id: device.enumerator_id,
        enrolled_at: device.enrolled_at.clone(),
        revoked_at: device.revoked_at.clone(),
    }
}

/// List devices (admin: all; supervisor: own team).
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices",
    responses((status = 200, body = Vec<DeviceInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_devices(
    State(state): State<AppState>,
    caller: UserAuth,
) -> AppResult<Json<Vec<DeviceInfo>>> {
    caller.require(SUPERVISING)?;
    let storage = state.storage.clone();
    let team = caller.team_scope();
    let devices = state
        .blocking(move || storage.list_devices(team.as_deref()))
        .await?;
    Ok(Json(devices.iter().map(device_info).collect()))
}

/// Revoke a device; its token stops working at once (admin, supervisor of the team).
#[utoipa::path(post, path = "/api/v1/devices/{device_id}/revoke", tag = "devices",
    params(("device_id" = Uuid, Path, description = "The device")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(device_id): Path<Uuid>,
) -> AppResult<StatusCode> {
    caller.require(SUPERVISING)?;
    let storage = state.storage.clone();
    let device = state
        .blocking(move || storage.device_by_id(device_id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no device {device_id}")))?;
    caller.require_team(device.team.as_deref())?;
    let storage = state.storage.clone();
    let now = state.now_text();
    let entry = audit(
        &state,
        caller.actor(),
        "revoke",
        format!("device:{device_id}"),
        String::new(),
    );
    state
        .blocking(move || storage.revoke_device(device_id, &now, entry))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cached_version(
    state: &AppState,
    survey_id: &str,
    content_hash: &str,
) -> AppResult<Arc<crate::storage::QuestionnaireVersionRow>> {
    let key = (survey_id.to_string(), content_hash.to_string());
    if let Some(found) = state
        .version_cache
        .lock()
        .expect("version cache lock")
        .get(&key)
    {
        return Ok(found.clone());
    }
    let storage = state.storage.clone();
    let (survey, hash) = key.clone();
    let version = state
        .blocking(move || storage.questionnaire_version(&survey, &hash))
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "unknown_questionnaire",
                format!(
                    "questionnaire {survey_id} has no version with content hash {content_hash}"
                ),
            )
        })?;
    let version = Arc::new(version);
    state
        .version_cache
        .lock()
        .expect("version cache lock")
        .insert(key, version.clone());
    Ok(version)
}

/// An upload may name only an existing assignment of its own survey held by the device's enumerator,
/// or the one its interview already answered on the server (a later revision after a reassignment).
async fn check_upload_assignment(
    state: &AppState,
    caller: &DeviceAuth,
    (interview_id, questionnaire_id): (Uuid, &str),
    assignment_id: i64,
) -> AppResult<()> {
    let storage = state.storage.clone();
    let (assignment, stored) = state
        .blocking(move || {
            Ok((
                storage.assignment(assignment_id)?,
                storage.interview(interview_id)?,
            ))
        })
        .await?;
    let Some(assignment) = assignment else {
        return Err(AppError::invalid(
            "unknown_assignment",
            format!("interview {interview_id}: there is no assignment {assignment_id}"),
        ));
    };
    if assignment.survey_id != questionnaire_id {
        return Err(AppError::invalid(
            "assignment_survey_mismatch",
            format!(
                "interview {interview_id}: assignment {assignment_id} belongs to survey {}, not {questionnaire_id}",
                assignment.survey_id
            ),
        ));
    }
    let already_answered = stored.is_some_and(|row| {
        row.summary.enumerator_id == caller.device.enumerator_id
            && row.summary.assignment_id == Some(assignment_id)
    });
    if assignment.enumerator_id != caller.device.enumerator_id && !already_answered {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "assignment_not_yours",
            format!(
                "interview {interview_id}: assignment {assignment_id} is held by another enumerator"
            ),
        ));
    }
    Ok(())
}

/// Upload one sealed, signed interview revision (device). Idempotent: the same content returns the
/// same receipt; other content under the same revision is kept as a conflict. The receipt is sent
/// only after the upload is durably committed.
#[utoipa::path(post, path = "/api/v1/sync/uploads", tag = "sync", request_body = UploadEnvelope,
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: DeviceAuth,
    ApiJson(envelope): ApiJson<UploadEnvelope>,
) -> AppResult<Json<Receipt>> {
    let device_key = VerifyingKey(caller.device.public_key);
    envelope.verify(&device_key).map_err(|_| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_signature",
            "the envelope's signature does not verify with this device's key",
        )
    })?;
    if envelope.revision == 0 {
        return Err(AppError::invalid(
            "invalid_revision",
            "revisions start at 1",
        ));
    }
    let version = cached_version(
        &state,
        &envelope.questionnaire_id,
        &envelope.questionnaire_version,
    )
    .await?;
    state
        .validator
        .validate_monitoring(&version.info, &version.content, &envelope.monitoring)
        .map_err(|problems| AppError::invalid("invalid_monitoring", problems.join("\n")))?;
    if let Some(assignment_id) = envelope.assignment_id {
        let header = (envelope.interview_id, envelope.questionnaire_id.as_str());
        check_upload_assignment(&state, &caller, header, assignment_id).await?;
    }
    // With the survey key unlocked for validation, the whole interview is replayed before it is
    // stored, and the report is committed with it. Whatever the outcome, the upload is kept.
    let validation = match state.validation_keys.get(&envelope.questionnaire_id) {
        Some(key) => {
            let checked = envelope.clone();
            let checked_at = state.now_text();
            let version = version.clone();
            Some(
                tokio::task::spawn_blocking(move || {
                    crate::validation::check_envelope(&checked, &key, &version, checked_at)
                })
                .await
                .map_err(|error| AppError::internal(error.to_string()))?,
            )
        }
        None => None,
    };
    let content_hash = envelope.content_hash();
    let new = NewUpload {
        envelope,
        content_hash,
        device_id: caller.device.id,
        enumerator_id: caller.device.enumerator_id,
        received_at: state.now_text(),
        validation,
    };
    let storage = state.storage.clone();
    let key = state.server_key.clone();
    let receipt = state
        .blocking(move || storage.store_upload(new, key))
        .await?;
    Ok(Json(receipt))
}

/// Report the interviews started and not completed on this device (device): interview id,
/// questionnaire version, assignment and the monitoring fields answered so far, checked as an upload's
/// clear fields are. Replaces the device's previous report; quota cells count them as in progress.
#[utoipa::path(put, path = "/api/v1/sync/progress", tag = "sync", request_body = ProgressReport,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn report_progress(
    State(state): State<AppState>,
    caller: DeviceAuth,
    ApiJson(report): ApiJson<ProgressReport>,
) -> AppResult<StatusCode> {
    const MAX_DRAFTS: usize = 10_000;
    if report.drafts.len() > MAX_DRAFTS {
        return Err(AppError::invalid(
            "too_many_drafts",
            format!("a progress report holds at most {MAX_DRAFTS} interviews"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for draft in &report.drafts {
        let at = |error: AppError| AppError {
            message: format!("draft interview {}: {}", draft.interview_id, error.message),
            ..error
        };
        if !seen.insert(draft.interview_id) {
            return Err(at(AppError::invalid(
                "duplicate_draft",
                "listed twice in the report",
            )));
        }
        let version = cached_version(
            &state,
            &draft.questionnaire_id,
            &draft.questionnaire_version,
        )
        .await
        .map_err(at)?;
        state
            .validator
            .validate_monitoring(&version.info, &version.content, &draft.monitoring)
            .map_err(|problems| at(AppError::invalid("invalid_monitoring", problems.join("\n"))))?;
        if let Some(assignment_id) = draft.assignment_id {
            let header = (draft.interview_id, draft.questionnaire_id.as_str());
            check_upload_assignment(&state, &caller, header, assignment_id).await?;
        }
    }
    let storage = state.storage.clone();
    let device_id = caller.device.id;
    let now = state.now_text();
    state
        .blocking(move || storage.replace_progress(device_id, report.drafts, &now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the changes endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ChangesQuery {
    /// The `next_cursor` of the previous answer (0 at first).
    #[serde(default)]
    pub cursor: u64,
    /// At most this many changes (default 200, at most 1000).
    pub limit: Option<u32>,
}

/// Download what changed for this device since the cursor (device).
#[utoipa::path(get, path = "/api/v1/sync/changes", tag = "sync", params(ChangesQuery),
    responses((status = 200, body = ChangesResponse), (status = 401, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    caller: DeviceAuth,
    Query(query): Query<ChangesQuery>,
) -> AppResult<Json<ChangesResponse>> {
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let storage = state.storage.clone();
    let enumerator_id = caller.device.enumerator_id;
    let (batch, surveys) = state
        .blocking(move || {
            Ok((
                storage.changes_for(enumerator_id, query.cursor, limit)?,
                storage.surveys_of_enumerator(enumerator_id)?,
            ))
        })
        .await?;
    let mut quota_fill = Vec::new();
    for survey in surveys {
        quota_fill.extend(quota_cells(&state, &survey, None).await?);
    }
    Ok(Json(ChangesResponse {
        next_cursor: batch.next_cursor,
        has_more: batch.has_more,
        questionnaires: batch
            .questionnaires
            .into_iter()
            .map(|(survey_public_key, row)| QuestionnaireDownload {
                info: row.info,
                survey_public_key,
                content: Base64Bytes(row.content),
            })
            .collect(),
        assignments: batch.assignments,
        reviews: batch.reviews,
        quota_fill,
    }))
}

/// List interviews (admin, data manager: all; supervisor: own team).
#[utoipa::path(get, path = "/api/v1/interviews", tag = "review", params(SurveyFilter),
    responses((status = 200, body = Vec<InterviewSummary>), (status = 403, body = ErrorBody)))]
pub async fn list_interviews(
    State(state): State<AppState>,
    caller: UserAuth,
    Query(filter): Query<SurveyFilter>,
) -> AppResult<Json<Vec<InterviewSummary>>> {
    caller.require(READING)?;
    let storage = state.storage.clone();
    let team = caller.team_scope();
    let interviews = state
        .blocking(move || storage.list_interviews(filter.survey_id.as_deref(), team.as_deref()))
        .await?;
    Ok(Json(interviews))
}

async fn interview_in_scope(
    state: &AppState,
    caller: &UserAuth,
    interview_id: Uuid,
) -> AppResult<()> {
    let storage = state.storage.clone();
    let interview = state
        .blocking(move || storage.interview(interview_id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no interview {interview_id}")))?;
    caller.require_team(interview.team.as_deref())
}

/// One interview with every stored envelope (sealed) and its reviews.
#[utoipa::path(get, path = "/api/v1/interviews/{interview_id}", tag = "review",
    params(("interview_id" = Uuid, Path, description = "The interview")),
    responses((status = 200, body = InterviewDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn interview_detail(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(interview_id): Path<Uuid>,
) -> AppResult<Json<InterviewDetail>> {
    caller.require(READING)?;
    interview_in_scope(&state, &caller, interview_id).await?;
    let storage = state.storage.clone();
    let detail = state
        .blocking(move || storage.interview_detail(interview_id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no interview {interview_id}")))?;
    Ok(Json(detail))
}

/// Approve or reject the latest revision, with comments per question path (admin, supervisor of the team).
#[utoipa::path(post, path = "/api/v1/interviews/{interview_id}/review", tag = "review",
    params(("interview_id" = Uuid, Path, description = "The interview")),
    request_body = ReviewRequest,
    responses((status = 200, body = Rejection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(interview_id): Path<Uuid>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> AppResult<Json<Rejection>> {
    caller.require(SUPERVISING)?;
    interview_in_scope(&state, &caller, interview_id).await?;
    if request.decision == ReviewDecision::Reject
        && request.comments.is_empty()
        && request.note.is_none()
    {
        return Err(AppError::invalid(
            "comment_required",
            "a rejection needs a comment on at least one question",
        ));
    }
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "review",
        format!("interview:{interview_id}"),
        String::new(),
    );
    let new = NewReview {
        interview_id,
        revision: request.revision,
        decision: request.decision,
        comments: request.comments,
        note: request.note,
        reviewer: caller.user.username.clone(),
        reviewed_at: state.now_text(),
    };
    let recorded = state
        .blocking(move || storage.record_review(new, entry))
        .await?;
    Ok(Json(recorded))
}

/// Set the target of one quota cell (admin, supervisor).
#[utoipa::path(put, path = "/api/v1/surveys/{survey_id}/quotas", tag = "quotas",
    params(("survey_id" = String, Path, description = "The survey")),
    request_body = SetQuotaRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_quota(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
    ApiJson(request): ApiJson<SetQuotaRequest>,
) -> AppResult<StatusCode> {
    caller.require(SUPERVISING)?;
    survey_exists(&state, &survey_id).await?;
    if request.cell.is_empty() {
        return Err(AppError::invalid(
            "invalid_cell",
            "a quota cell names a value for each of its fields",
        ));
    }
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "set_quota",
        format!("survey:{survey_id}"),
        format!("{} target {}", request.quota, request.target),
    );
    let target = QuotaTargetRow {
        quota: request.quota,
        cell: request.cell,
        target: request.target,
    };
    state
        .blocking(move || storage.set_quota_target(&survey_id, target, entry))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Counts each cell's fill (interviews submitted or approved, latest revision) and in-progress work
/// (drafts reported by devices, rejected interviews not yet re-sent).
async fn quota_cells(
    state: &AppState,
    survey_id: &str,
    team: Option<String>,
) -> AppResult<Vec<QuotaCell>> {
    let storage = state.storage.clone();
    let survey = survey_id.to_string();
    let (targets, interviews, in_progress, latest) = state
        .blocking(move || {
            let latest = match storage.list_versions(&survey)?.last() {
                Some(version) => storage.questionnaire_version(&survey, &version.content_hash)?,
                None => None,
            };
            Ok((
                storage.quota_targets(&survey)?,
                storage.list_interviews(Some(&survey), team.as_deref())?,
                storage.in_progress(&survey, team.as_deref())?,
                latest,
            ))
        })
        .await?;
    // The quota rules are the questionnaire's: one unit per row of the quota's roster whose `when` holds,
    // counted from the monitoring fields alone (survey_engine::quota_units).
    let questionnaire = latest.and_then(|row| {
        crate::validation::compile_cached(row.info.format, &row.info.content_hash, &row.content)
            .ok()
    });
    let completed: Vec<&BTreeMap<String, MonitoringValue>> = interviews
        .iter()
        .filter(|interview| interview.status != InterviewStatus::Rejected)
        .map(|interview| &interview.monitoring)
        .collect();
    let working: Vec<&BTreeMap<String, MonitoringValue>> = in_progress
        .iter()
        .map(|(_, monitoring)| monitoring)
        .collect();
    let count = QuotaCounter {
        questionnaire: questionnaire.as_deref(),
        completed: QuotaCounter::units(questionnaire.as_deref(), &completed),
        in_progress: QuotaCounter::units(questionnaire.as_deref(), &working),
    };
    Ok(targets
        .into_iter()
        .map(|target| QuotaCell {
            survey_id: survey_id.to_string(),
            fill: count.cell(&target, &count.completed, &completed),
            in_progress: count.cell(&target, &count.in_progress, &working),
            quota: target.quota,
            cell: target.cell,
            target: target.target,
        })
        .collect())
}

/// Counts quota cells over a set of interviews' monitoring fields.
struct QuotaCounter<'q> {
    questionnaire: Option<&'q survey_spec::Questionnaire>,
    completed: Vec<survey_engine::QuotaUnit>,
    in_progress: Vec<survey_engine::QuotaUnit>,
}

impl QuotaCounter<'_> {
    /// The quota units of some interviews, by the questionnaire's rules.
    fn units(
        questionnaire: Option<&survey_spec::Questionnaire>,
        interviews: &[&BTreeMap<String, MonitoringValue>],
    ) -> Vec<survey_engine::QuotaUnit> {
        let Some(q) = questionnaire else {
            return Vec::new();
        };
        interviews
            .iter()
            .flat_map(|monitoring| {
                let answers = monitoring
                    .iter()
                    .filter_map(|(path, value)| {
                        let text = value.cell_text()?;
                        Some((
                            path.clone(),
                            survey_engine::monitoring_answer(q, path, &text)?,
                        ))
                    })
                    .collect();
                survey_engine::quota_units(q, &answers)
            })
            .collect()
    }

    /// One target's count: its units for a declared quota; otherwise one per interview whose fields
    /// equal every coordinate of the cell.
    fn cell(
        &self,
        target: &QuotaTargetRow,
        units: &[survey_engine::QuotaUnit],
        interviews: &[&BTreeMap<String, MonitoringValue>],
    ) -> u32 {
        let declared = self
            .questionnaire
            .is_some_and(|q| q.quotas.iter().any(|quota| quota.name == target.quota));
        if declared {
            units
                .iter()
                .filter(|u| u.quota == target.quota && u.cell == target.cell)
                .count() as u32
        } else {
            interviews
                .iter()
                .filter(|monitoring| {
                    target.cell.iter().all(|(field, value)| {
                        monitoring
                            .get(field)
                            .and_then(MonitoringValue::cell_text)
                            .as_deref()
                            == Some(value)
                    })
                })
                .count() as u32
        }
    }
}

/// Quota cells with targets and fill (admin, supervisor, data manager).
#[utoipa::path(get, path = "/api/v1/surveys/{survey_id}/quotas", tag = "quotas",
    params(("survey_id" = String, Path, description = "The survey")),
    responses((status = 200, body = QuotaList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_quotas(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(survey_id): Path<String>,
) -> AppResult<Json<QuotaList>> {
    caller.require(READING)?;
    survey_exists(&state, &survey_id).await?;
    Ok(Json(QuotaList {
        cells: quota_cells(&state, &survey_id, None).await?,
    }))
}

/// Query of the audit endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// The last this many entries (default 500).
    pub limit: Option<u32>,
}

/// The append-only audit log (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 403, body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: UserAuth,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<AuditList>> {
    caller.require(&[Role::Admin])?;
    let storage = state.storage.clone();
    let limit = query.limit.unwrap_or(500).clamp(1, 10_000);
    let entries = state.blocking(move || storage.audit_entries(limit)).await?;
    Ok(Json(AuditList { entries }))
}

/// Open one revision's answers with the survey key kept on the server, unlocked by its passphrase
/// (admin, supervisor of the team, data manager). The key is unwrapped for this request only.
#[utoipa::path(post, path = "/api/v1/interviews/{interview_id}/open", tag = "review",
    params(("interview_id" = Uuid, Path, description = "The interview")),
    request_body = OpenInterviewRequest,
    responses((status = 200, body = OpenedInterview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn open_interview(
    State(state): State<AppState>,
    caller: UserAuth,
    Path(interview_id): Path<Uuid>,
    ApiJson(request): ApiJson<OpenInterviewRequest>,
) -> AppResult<Json<OpenedInterview>> {
    caller.require(READING)?;
    interview_in_scope(&state, &caller, interview_id).await?;
    let storage = state.storage.clone();
    let detail = state
        .blocking(move || storage.interview_detail(interview_id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("no interview {interview_id}")))?;
    let revision = request.revision.unwrap_or(detail.summary.revision);
    let stored = detail
        .envelopes
        .iter()
        .rev()
        .find(|stored| {
            stored.outcome == ReceiptOutcome::Accepted && stored.envelope.revision == revision
        })
        .ok_or_else(|| {
            AppError::not_found(format!(
                "interview {interview_id} has no accepted revision {revision}"
            ))
        })?
        .envelope
        .clone();
    let key = unlock_audited(
        &state,
        &caller,
        &detail.summary.survey_id,
        request.passphrase,
        ("open_failed", format!("interview:{interview_id}")),
    )
    .await?;
    let (envelope, plaintext) =
        tokio::task::spawn_blocking(move || stored.open(&key).map(|plaintext| (stored, plaintext)))
            .await
            .map_err(|error| AppError::internal(error.to_string()))?
            .map_err(|error| AppError::invalid("cannot_open", error.to_string()))?;
    let storage = state.storage.clone();
    let entry = audit(
        &state,
        caller.actor(),
        "open_interview",
        format!("interview:{interview_id}"),
        format!("revision {revision}"),
    );
    state.blocking(move || storage.audit(entry)).await?;
    Ok(Json(OpenedInterview {
        interview_id,
        revision,
        content_hash: envelope.content_hash(),
        plaintext: Base64Bytes(plaintext),
    }))
}
