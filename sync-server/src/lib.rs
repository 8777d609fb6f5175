//! The Daftar sync server.
//!
//! Tablets enrol with a one-time code, upload interviews sealed to the survey key and signed by the
//! device, and download questionnaires, assignments, reviews and quota fill. Supervisors manage
//! teams, assignments, reviews and quotas; data managers upload questionnaires and keys.
//!
//! [`app`] builds the whole HTTP service from an [`AppState`] so that tests can call it without a
//! socket; `main.rs` binds it (optionally with TLS) and shuts it down gracefully.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = sync_server::config::Config::default();
//! let (state, storage) = sync_server::open_state(config)?;
//! let router = sync_server::app(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, router).await?;
//! storage.close();
//! # Ok(()) }
//! ```

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod console;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod opening;
pub mod qr;
pub mod state;
pub mod storage;
pub mod validation;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sync_proto::keys::SigningKeyPair;
use sync_proto::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

pub use crate::error::AppError;
pub use crate::state::AppState;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::storage::sqlite::SqliteStorage;
use crate::validation::SpecValidator;

/// The whole HTTP service.
pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let v1 = api::routes().layer(middleware::from_fn(require_protocol_version));
    Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi_json))
        .nest("/api/v1", v1)
        .merge(console::router(&state))
        .fallback(not_found)
        // Limits apply to the decompressed body, so a small gzip bomb cannot grow past them.
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(announce_protocol_version))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            // Only the method and the path: tokens travel in headers, and no query holds a secret.
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

/// Refuses requests without the protocol header, or of another protocol version, before any handler.
async fn require_protocol_version(request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(PROTOCOL_HEADER)
        .map(|value| value.to_str().unwrap_or("?").to_string());
    match given {
        Some(version) if version.trim() == PROTOCOL_VERSION.to_string() => next.run(request).await,
        Some(version) => AppError::new(
            StatusCode::UPGRADE_REQUIRED,
            "unsupported_protocol",
            format!(
                "this server speaks Daftar protocol {PROTOCOL_VERSION}, the request said {version}; update the app"
            ),
        )
        .into_response(),
        None => AppError::bad_request(
            "missing_protocol_version",
            format!("send the header `{PROTOCOL_HEADER}: {PROTOCOL_VERSION}` (the protocol version of this server)"),
        )
        .into_response(),
    }
}

async fn announce_protocol_version(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
    response
}

async fn not_found() -> AppError {
    AppError::not_found("no such endpoint")
}

/// Liveness: the server answers. No protocol header needed.
#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = String)))]
pub async fn health() -> &'static str {
    "ok"
}

/// This API's OpenAPI document. No protocol header needed.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", responses((status = 200, description = "The OpenAPI 3.1 document")))]
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi::ApiDoc::openapi())
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened.
    #[error("cannot open the database: {0}")]
    Storage(#[from] storage::StoreError),
    /// The server key could not be read or written.
    #[error("server signing key {path}: {message}")]
    Key {
        /// The key file.
        path: std::path::PathBuf,
        /// Why.
        message: String,
    },
}

/// Loads the server's receipt signing key from the data directory, creating it at first start.
pub fn load_or_create_server_key(data_dir: &Path) -> Result<SigningKeyPair, StartError> {
    let path = data_dir.join("server-signing-key.pk8");
    let key_error = |message: String| StartError::Key {
        path: path.clone(),
        message,
    };
    std::fs::create_dir_all(data_dir).map_err(|error| key_error(error.to_string()))?;
    match std::fs::read(&path) {
        Ok(bytes) => {
            SigningKeyPair::from_pkcs8(&bytes).map_err(|error| key_error(error.to_string()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKeyPair::generate();
            let temporary = path.with_extension("tmp");
            write_private_file(&temporary, key.to_pkcs8())
                .map_err(|error| key_error(error.to_string()))?;
            std::fs::rename(&temporary, &path).map_err(|error| key_error(error.to_string()))?;
            Ok(key)
        }
        Err(error) => Err(key_error(error.to_string())),
    }
}

fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Opens the data directory (database and server key) and builds the state with the system clock
/// and the questionnaire compiler as validator. Returns the storage too, to close it on shutdown.
pub fn open_state(config: Config) -> Result<(AppState, Arc<SqliteStorage>), StartError> {
    let storage = Arc::new(SqliteStorage::open(&config.data_dir)?);
    let key = load_or_create_server_key(&config.data_dir)?;
    let validator = Arc::new(SpecValidator::default());
    let state = AppState::new(
        config,
        storage.clone(),
        Arc::new(SystemClock),
        key,
        validator.clone(),
        validator,
    );
    Ok((state, storage))
}
