//! The console's cookie session: login and logout, the cookie flags, the CSRF double-submit check, and the
//! survey keys unlocked for a session.
//!
//! The session cookie `daftar_session` holds the same kind of token as a bearer session of the JSON API
//! (created by `api::login`, stored hashed), with `HttpOnly`, `SameSite=Strict`, `Path=/` and `Secure`
//! when the server speaks TLS. The CSRF cookie `daftar_csrf` is readable by the page, which echoes it in
//! the `X-CSRF-Token` header of every state-changing request; the server compares the two in constant
//! time. A bearer request (the CLI) carries no cookie, so it needs no CSRF token.
//!
//! Unlocked survey keys live only in memory, per session (keyed by the session token's hash), and are
//! dropped (their secret bytes zeroized by `SurveyKeyPair`) at logout, after `KEY_IDLE_SECONDS` without
//! use, or when the session is no longer valid.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use sync_proto::keys::SurveyKeyPair;

use crate::auth::{self, UserAuth};
use crate::error::AppError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "daftar_session";
/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "daftar_csrf";
/// The header that echoes the CSRF cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// An unlocked key is forgotten after this long without use.
pub const KEY_IDLE_SECONDS: u64 = 30 * 60;

/// The keys of one session by survey, with when each was last used, and the session's account.
#[derive(Default)]
struct SessionKeys {
    user: i64,
    keys: HashMap<String, (Arc<SurveyKeyPair>, Instant)>,
}

/// Survey keys unlocked per session.
#[derive(Default)]
pub struct KeyRing {
    sessions: Mutex<HashMap<[u8; 32], SessionKeys>>,
}

impl KeyRing {
    /// Keeps a key for a session of an account. Sessions whose keys have all been idle too long are
    /// dropped on the way, so the keys of a session that ended elsewhere (an account deactivated through
    /// the JSON API) do not outlive `KEY_IDLE_SECONDS`.
    pub fn insert(&self, session: [u8; 32], user: i64, survey: &str, key: SurveyKeyPair) {
        let now = Instant::now();
        let idle = Duration::from_secs(KEY_IDLE_SECONDS);
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, entry| {
            entry
                .keys
                .values()
                .any(|(_, used)| now.saturating_duration_since(*used) < idle)
        });
        let entry = sessions.entry(session).or_default();
        entry.user = user;
        entry.keys.insert(survey.to_string(), (Arc::new(key), now));
    }

    /// The key of a survey for a session, if unlocked and not idle too long.
    pub fn get(&self, session: [u8; 32], survey: &str) -> Option<Arc<SurveyKeyPair>> {
        self.get_at(session, survey, Instant::now())
    }

    /// [`KeyRing::get`] at a given instant: keys idle for `KEY_IDLE_SECONDS` are dropped first.
    pub fn get_at(
        &self,
        session: [u8; 32],
        survey: &str,
        now: Instant,
    ) -> Option<Arc<SurveyKeyPair>> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let entry = sessions.get_mut(&session)?;
        let idle = Duration::from_secs(KEY_IDLE_SECONDS);
        entry
            .keys
            .retain(|_, (_, used)| now.saturating_duration_since(*used) < idle);
        let (key, used) = entry.keys.get_mut(survey)?;
        *used = now;
        Some(key.clone())
    }

    /// Surveys unlocked for a session.
    pub fn unlocked(&self, session: [u8; 32]) -> Vec<String> {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let idle = Duration::from_secs(KEY_IDLE_SECONDS);
        let mut out: Vec<String> = sessions
            .get(&session)
            .map(|entry| {
                entry
                    .keys
                    .iter()
                    .filter(|(_, (_, used))| used.elapsed() < idle)
                    .map(|(s, _)| s.clone())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Forgets one survey's key for a session.
    pub fn lock(&self, session: [u8; 32], survey: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = sessions.get_mut(&session) {
            entry.keys.remove(survey);
        }
    }

    /// Forgets every key of a session.
    pub fn forget(&self, session: [u8; 32]) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(&session);
    }

    /// Forgets every key of every session of an account (deactivated, or its password reset).
    pub fn forget_user(&self, user: i64) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, entry| entry.user != user);
    }
}

/// The value of a cookie in a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a method changes state (and so needs the CSRF token).
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the double-submit CSRF token of a cookie-authenticated request.
pub fn check_csrf(method: &Method, headers: &HeaderMap) -> Result<(), AppError> {
    if !is_unsafe(method) {
        return Ok(());
    }
    let cookie = cookie(headers, CSRF_COOKIE);
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match (cookie, header) {
        (Some(c), Some(h)) if !c.is_empty() && same_token(c, h) => Ok(()),
        _ => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "missing or wrong CSRF token; reload the console",
        )),
    }
}

/// `Set-Cookie` values for a new session.
pub fn session_cookies(token: &str, csrf: &str, secure: bool, max_age: i64) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ),
        format!("{CSRF_COOKIE}={csrf}; Path=/; SameSite=Strict; Max-Age={max_age}{secure}"),
    ]
}

/// `Set-Cookie` values that clear the session.
pub fn clearing_cookies(secure: bool) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
        format!("{CSRF_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0{secure}"),
    ]
}

/// A console caller: a cookie session (CSRF checked on state-changing requests) or a bearer session.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    /// The account and its session.
    pub auth: UserAuth,
    /// The session token, to set `Authorization` when forwarding to the JSON API.
    pub token: String,
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, t)| t.trim().to_string());
        let token = match bearer {
            Some(token) => token,
            None => {
                let token = cookie(&parts.headers, SESSION_COOKIE)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| AppError::unauthorized("log in to the console"))?
                    .to_string();
                check_csrf(&parts.method, &parts.headers)?;
                token
            }
        };
        let hash = auth::token_hash(&token);
        let now = state.clock.now_unix();
        let storage = state.storage.clone();
        let user = state
            .blocking(move || storage.session_user(hash, now))
            .await?
            .ok_or_else(|| {
                AppError::unauthorized("the session is unknown or expired; log in again")
            })?;
        Ok(ConsoleUser {
            auth: UserAuth {
                user,
                token_hash: hash,
            },
            token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_per_session_and_forgotten_when_idle_or_at_logout() {
        let ring = KeyRing::default();
        let (a, b) = ([1u8; 32], [2u8; 32]);
        ring.insert(a, 1, "pilot", SurveyKeyPair::generate());
        let start = Instant::now();
        assert!(ring.get_at(a, "pilot", start).is_some());
        assert!(
            ring.get_at(b, "pilot", start).is_none(),
            "another session sees nothing"
        );
        // Used 29 minutes later keeps it; 30 idle minutes after that drop it.
        let later = start + Duration::from_secs(29 * 60);
        assert!(ring.get_at(a, "pilot", later).is_some());
        assert!(
            ring.get_at(a, "pilot", later + Duration::from_secs(KEY_IDLE_SECONDS))
                .is_none()
        );
        ring.insert(a, 1, "pilot", SurveyKeyPair::generate());
        ring.forget(a);
        assert!(ring.get(a, "pilot").is_none());
        assert!(ring.unlocked(a).is_empty());
    }

    #[test]
    fn an_accounts_keys_are_forgotten_in_all_its_sessions_at_once() {
        let ring = KeyRing::default();
        let (a, b, c) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        ring.insert(a, 7, "pilot", SurveyKeyPair::generate());
        ring.insert(b, 7, "other", SurveyKeyPair::generate());
        ring.insert(c, 8, "pilot", SurveyKeyPair::generate());
        ring.forget_user(7);
        assert!(ring.get(a, "pilot").is_none());
        assert!(ring.get(b, "other").is_none());
        assert!(
            ring.get(c, "pilot").is_some(),
            "another account keeps its key"
        );
    }

    #[test]
    fn csrf_needs_the_cookie_echoed_in_the_header() {
        let mut headers = HeaderMap::new();
        assert!(check_csrf(&Method::GET, &headers).is_ok());
        assert!(check_csrf(&Method::POST, &headers).is_err());
        headers.insert(
            header::COOKIE,
            "daftar_session=s; daftar_csrf=abc".parse().unwrap(),
        );
        assert!(check_csrf(&Method::POST, &headers).is_err());
        headers.insert(CSRF_HEADER, "abd".parse().unwrap());
        assert!(check_csrf(&Method::DELETE, &headers).is_err());
        headers.insert(CSRF_HEADER, "abc".parse().unwrap());
        assert!(check_csrf(&Method::PUT, &headers).is_ok());
    }
}
