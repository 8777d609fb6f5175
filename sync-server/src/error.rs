//! The one error type of the HTTP layer and its stable JSON shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sync_proto::wire::{ErrorBody, ErrorDetail};

use crate::storage::StoreError;

/// An error answered to a client as `{"error": {"code": "...", "message": "..."}}`.
///
/// The message is for the client; `internal` (never sent) is logged for 5xx errors.
#[derive(Debug)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code.
    pub code: &'static str,
    /// The message shown to the client.
    pub message: String,
    /// Detail for the server log only. Must not contain tokens, answers or keys.
    pub internal: Option<String>,
}

impl AppError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            internal: None,
        }
    }

    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no or bad credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: authenticated, but this role or team may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// 409 with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: well-formed but invalid content.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 500 with a detail for the log.
    pub fn internal(detail: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal server error".into(),
            internal: Some(detail.into()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict(code, message) => AppError::conflict(code, message),
            StoreError::Invalid(code, message) => AppError::invalid(code, message),
            other => AppError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(
                code = self.code,
                detail = self.internal.as_deref().unwrap_or(""),
                "request failed"
            );
        } else {
            tracing::debug!(
                status = self.status.as_u16(),
                code = self.code,
                "request refused"
            );
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// The result of a handler.
pub type AppResult<T> = Result<T, AppError>;
