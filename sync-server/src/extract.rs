//! The JSON extractor of the API: a malformed body gets the stable error shape too.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON request body. Unlike `axum::Json`, a rejection is an [`AppError`] with a code
/// (`body_too_large`, `unreadable_body`, `malformed_json`) and the parser's line and column.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body_too_large",
                        "the request body is larger than this server accepts",
                    )
                } else {
                    AppError::bad_request(
                        "unreadable_body",
                        format!(
                            "the request body could not be read: {}",
                            rejection.body_text()
                        ),
                    )
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|error| {
                AppError::bad_request(
                    "malformed_json",
                    format!("the body is not valid JSON for this request: {error}"),
                )
            })
    }
}
