//! The shared state of the HTTP layer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sync_proto::keys::SigningKeyPair;

use crate::auth::RateLimiter;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::storage::{QuestionnaireVersionRow, Storage, StoreError};
use crate::validation::{InterviewValidator, QuestionnaireCatalog, ValidationKeys};

/// Questionnaire versions by (survey, content hash).
pub type VersionCache = HashMap<(String, String), Arc<QuestionnaireVersionRow>>;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The configuration.
    pub config: Arc<Config>,
    /// The database.
    pub storage: Arc<dyn Storage>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The server's receipt signing key.
    pub server_key: Arc<SigningKeyPair>,
    /// Reads questionnaire uploads.
    pub catalog: Arc<dyn QuestionnaireCatalog>,
    /// Re-validates uploads.
    pub validator: Arc<dyn InterviewValidator>,
    /// Login attempts per address and per account.
    pub login_limiter: Arc<RateLimiter>,
    /// Enrolment attempts per address.
    pub enrol_limiter: Arc<RateLimiter>,
    /// Questionnaire versions are immutable: cached by (survey, content hash).
    pub version_cache: Arc<Mutex<VersionCache>>,
    /// Survey keys unlocked for upload validation (memory only).
    pub validation_keys: Arc<ValidationKeys>,
}

impl AppState {
    /// Builds the state.
    pub fn new(
        config: Config,
        storage: Arc<dyn Storage>,
        clock: Arc<dyn Clock>,
        server_key: SigningKeyPair,
        catalog: Arc<dyn QuestionnaireCatalog>,
        validator: Arc<dyn InterviewValidator>,
    ) -> Self {
        AppState {
            login_limiter: Arc::new(RateLimiter::new(config.login_rate_per_minute)),
            enrol_limiter: Arc::new(RateLimiter::new(config.enrol_rate_per_minute)),
            config: Arc::new(config),
            storage,
            clock,
            server_key: Arc::new(server_key),
            catalog,
            validator,
            version_cache: Arc::new(Mutex::new(HashMap::new())),
            validation_keys: Arc::new(ValidationKeys::default()),
        }
    }

    /// Runs blocking storage work off the async threads.
    pub async fn blocking<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, AppError> {
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| AppError::internal(format!("blocking task failed: {error}")))?
            .map_err(AppError::from)
    }

    /// Now, RFC 3339.
    pub fn now_text(&self) -> String {
        crate::clock::rfc3339(self.clock.now_unix())
    }
}
