//! Authentication: passwords, bearer sessions, device tokens, enrolment codes, rate limits.
//!
//! All credential handling lives here, so that the web console's cookie session (a later issue)
//! is one more extractor beside [`UserAuth`] and [`DeviceAuth`]. Tokens are random, given to the
//! client once, and stored only as SHA-256 hashes; nothing here logs a token or a password.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ring::rand::{SecureRandom, SystemRandom};
use sync_proto::wire::Role;

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{DeviceRow, UserRow};

/// Hashes a password with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes) and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| AppError::internal("random source failed"))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|error| AppError::internal(error.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::internal(format!("password hashing failed: {error}")))
}

/// Checks a password against its stored Argon2id hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a missing account takes as
/// long to refuse as a wrong password.
pub fn dummy_password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// A fresh random token of `bytes` bytes, hex.
pub fn random_token(bytes: usize) -> Result<String, AppError> {
    let mut buffer = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buffer)
        .map_err(|_| AppError::internal("random source failed"))?;
    Ok(sync_proto::hex(&buffer))
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    sync_proto::sha256(token.as_bytes())
}

/// The alphabet of enrolment codes: no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V.
const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTWXY34679";

/// A fresh enrolment code: 10 characters (≈45 bits) in groups, `ABCD-EFGH-JK`.
pub fn new_enrolment_code() -> Result<String, AppError> {
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(12);
    let mut produced = 0;
    while produced < 10 {
        let mut byte = [0u8; 1];
        rng.fill(&mut byte)
            .map_err(|_| AppError::internal("random source failed"))?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % CODE_ALPHABET.len());
        if usize::from(byte[0]) >= limit {
            continue;
        }
        if produced == 4 || produced == 8 {
            out.push('-');
        }
        out.push(CODE_ALPHABET[usize::from(byte[0]) % CODE_ALPHABET.len()] as char);
        produced += 1;
    }
    Ok(out)
}

/// Normalizes a typed code: upper case, without spaces and dashes.
pub fn normalize_enrolment_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn authorization<'a>(parts: &'a Parts, scheme: &str) -> Option<&'a str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (given, token) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| token.trim())
}

/// A logged-in account (bearer session).
#[derive(Debug, Clone)]
pub struct UserAuth {
    /// The account.
    pub user: UserRow,
    /// The hash of the session token (for logout).
    pub token_hash: [u8; 32],
}

impl UserAuth {
    /// Refuses unless the account has one of the roles.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "the role {} may not do this",
                self.user.role.as_str()
            )))
        }
    }

    /// The team a supervisor is restricted to; `None` for roles that see every team.
    pub fn team_scope(&self) -> Option<String> {
        match self.user.role {
            Role::Supervisor | Role::Enumerator => Some(self.user.team.clone().unwrap_or_default()),
            Role::Admin | Role::DataManager => None,
        }
    }

    /// Refuses unless the account may act on something of `team`.
    pub fn require_team(&self, team: Option<&str>) -> Result<(), AppError> {
        match self.team_scope() {
            None => Ok(()),
            Some(own) if team == Some(own.as_str()) => Ok(()),
            Some(_) => Err(AppError::forbidden("this belongs to another team")),
        }
    }

    /// The actor name in the audit log.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user.username)
    }
}

impl FromRequestParts<AppState> for UserAuth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = authorization(parts, "Bearer").ok_or_else(|| {
            AppError::unauthorized("log in and send Authorization: Bearer <token>")
        })?;
        let hash = token_hash(token);
        let now = state.clock.now_unix();
        let storage = state.storage.clone();
        let user = state
            .blocking(move || storage.session_user(hash, now))
            .await?;
        match user {
            Some(user) => Ok(UserAuth {
                user,
                token_hash: hash,
            }),
            None => Err(AppError::unauthorized(
                "the session is unknown or expired; log in again",
            )),
        }
    }
}

/// An enrolled, unrevoked device.
#[derive(Debug, Clone)]
pub struct DeviceAuth {
    /// The device.
    pub device: DeviceRow,
}

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = authorization(parts, sync_proto::DEVICE_AUTH_SCHEME)
            .ok_or_else(|| AppError::unauthorized("send Authorization: Device <token>"))?;
        let hash = token_hash(token);
        let storage = state.storage.clone();
        // The device and whether its enumerator's account is active, in one blocking call.
        let found = state
            .blocking(move || {
                let Some(device) = storage.device_by_token(hash)? else {
                    return Ok(None);
                };
                let active = storage
                    .user_by_id(device.enumerator_id)?
                    .is_some_and(|user| user.active);
                Ok(Some((device, active)))
            })
            .await?;
        match found {
            None => Err(AppError::unauthorized("unknown device token")),
            Some((device, _)) if device.revoked_at.is_some() => Err(AppError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "device_revoked",
                "this device was revoked; ask your supervisor to enrol it again",
            )),
            Some((_, false)) => Err(AppError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "account_deactivated",
                "the enumerator's account is deactivated; ask an administrator to reactivate it",
            )),
            Some((device, true)) => Ok(DeviceAuth { device }),
        }
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` entry behind a proxy.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy
            && let Some(forwarded) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
            && let Some(first) = forwarded.split(',').next()
        {
            return Ok(ClientAddress(first.trim().to_string()));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(ClientAddress(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// A fixed-window rate limiter kept in memory (per process; enough for one server).
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Allows `per_minute` attempts per key per minute.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt; refuses with 429 when the key is over its limit.
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().expect("rate limiter lock");
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            Err(AppError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many attempts; wait a minute and try again",
            ))
        } else {
            Ok(())
        }
    }
}
