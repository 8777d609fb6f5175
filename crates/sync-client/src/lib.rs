//! The tablet's sync client.
//!
//! A sync cycle ([`SyncClient::sync`]) uploads every pending interview of the device's [`Outbox`],
//! verifies each signed receipt against the server key learned at enrolment, marks an interview
//! sent only when a receipt for its exact content hash arrives, reports the interviews still in
//! progress on the device ([`DraftReport`]: clear header fields only, so supervisors see work not yet
//! uploaded in quota cells), and then downloads changes (questionnaires, assignments, reviews, quota
//! fill) from the saved cursor into a [`ChangeSink`].
//!
//! Over bad links every request is retried with capped, jittered exponential back-off. A retry
//! re-sends the same envelope, which the server stores once (uploads are idempotent by interview id,
//! revision and content hash), so a lost response never makes a duplicate. The download cursor is
//! saved after each page, so a cut resumes where it stopped.
//!
//! The client does not know the tablet's store: [`Outbox`] and [`ChangeSink`] are the seams, and
//! [`MemoryOutbox`] implements both for tests.
//!
//! ```no_run
//! use sync_client::{MemoryOutbox, RetryPolicy, SyncClient};
//! use sync_proto::keys::SigningKeyPair;
//!
//! # async fn demo(survey_key: sync_proto::keys::SurveyPublicKey) -> Result<(), sync_client::ClientError> {
//! let device_key = SigningKeyPair::generate();
//! // Enrol once with the code the supervisor gave; keep the token and the server key.
//! let enrolment = SyncClient::enrol("https://sync.example.org", "ACDE-FGHJ-KM", &device_key, "tablet 7").await?;
//! let client = SyncClient::new(
//!     "https://sync.example.org",
//!     &enrolment.device_token,
//!     sync_proto::keys::VerifyingKey::from_bytes(&enrolment.server_public_key.0)?,
//!     RetryPolicy::default(),
//! )?;
//!
//! let mut outbox = MemoryOutbox::default();
//! let envelope = sync_proto::wire::UploadEnvelope::seal_and_sign(
//!     uuid::Uuid::now_v7(), 1, "morocco-pilot", "<questionnaire content hash>", None,
//!     Default::default(), b"{...answers...}", &survey_key, &device_key,
//! )?;
//! outbox.push(envelope);
//! let drafts = Vec::new(); // interviews started and not completed, with their monitoring fields
//! let report = client.sync(&mut outbox, drafts, |progress| println!("{progress:?}")).await?;
//! assert_eq!(report.sent, 1);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod memory;

use std::io::Write as _;
use std::time::Duration;

use rand::Rng as _;
use reqwest::StatusCode;
use sync_proto::keys::{SigningKeyPair, VerifyingKey};
pub use sync_proto::wire::DraftReport;
use sync_proto::wire::{
    ChangesResponse, EnrolRequest, EnrolResponse, ErrorBody, ProgressReport, Receipt,
    ReceiptOutcome, UploadEnvelope,
};
use sync_proto::{PROTOCOL_HEADER, PROTOCOL_VERSION, ProtoError};
use uuid::Uuid;

pub use memory::MemoryOutbox;

/// What can go wrong in a sync.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The network failed (connection refused or cut, timeout) after every retry.
    #[error("network error talking to the sync server: {0}")]
    Network(String),
    /// The server refused the request (not retried, or still failing after every retry).
    #[error("the sync server answered {status}: {code}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The stable error code.
        code: String,
        /// The server's message.
        message: String,
    },
    /// A receipt did not match the upload or its signature did not verify: the interview stays unsent.
    #[error("invalid receipt for interview {interview_id} revision {revision}: {reason}")]
    BadReceipt {
        /// The interview.
        interview_id: Uuid,
        /// The revision.
        revision: u32,
        /// Why.
        reason: String,
    },
    /// The local outbox or change sink failed.
    #[error("local store error: {0}")]
    Local(String),
    /// A protocol-level failure (keys, encodings).
    #[error(transparent)]
    Protocol(#[from] ProtoError),
    /// The response body could not be decoded.
    #[error("unexpected response from the sync server: {0}")]
    Decode(String),
}

impl ClientError {
    fn is_retryable(&self) -> bool {
        match self {
            ClientError::Network(_) | ClientError::Decode(_) => true,
            ClientError::Server { status, .. } => {
                *status >= 500 || *status == 429 || *status == 408
            }
            _ => false,
        }
    }
}

/// An interview revision waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    /// The sealed, signed envelope, exactly as it will be sent on every attempt.
    pub envelope: UploadEnvelope,
}

/// The device's queue of interviews to send. Implemented by the tablet store.
pub trait Outbox {
    /// The interviews not yet acknowledged, in the order to send them.
    fn pending(&self) -> Result<Vec<OutboxItem>, ClientError>;
    /// The server durably stored this exact content: the device may now drop its queued copy.
    fn mark_sent(&mut self, item: &OutboxItem, receipt: &Receipt) -> Result<(), ClientError>;
    /// The server kept this content as a conflict with another content of the same revision; it is
    /// stored and will not be sent again, but needs a supervisor.
    fn mark_conflict(&mut self, item: &OutboxItem, receipt: &Receipt) -> Result<(), ClientError>;
}

/// Where downloaded changes go. Implemented by the tablet store.
pub trait ChangeSink {
    /// The cursor saved by the last applied page (0 at first).
    fn cursor(&self) -> Result<u64, ClientError>;
    /// Applies one page of changes and saves its `next_cursor`, atomically.
    fn apply(&mut self, changes: &ChangesResponse) -> Result<(), ClientError>;
}

/// The phase of a sync cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Sending the outbox.
    Upload,
    /// Receiving changes.
    Download,
    /// Finished.
    Done,
}

/// Progress of a sync cycle, reported after each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Steps finished in this phase.
    pub done: usize,
    /// Steps in this phase (for downloads, pages known so far).
    pub total: usize,
    /// The phase.
    pub phase: Phase,
}

/// What a sync cycle did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Interviews acknowledged as accepted.
    pub sent: usize,
    /// Interviews acknowledged as kept conflicts.
    pub conflicts: usize,
    /// Interviews left in the outbox (they failed every retry).
    pub failed: usize,
    /// Pages of changes applied.
    pub pages: usize,
    /// Whether the server took the report of interviews in progress.
    pub progress_reported: bool,
    /// The first failure, if any.
    pub first_error: Option<String>,
}

/// Retries: capped exponential back-off with "full jitter" (a uniform delay between 0 and the cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first back-off cap.
    pub initial: Duration,
    /// The largest back-off cap.
    pub max: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Timeout of one request.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(60),
            max_attempts: 8,
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The back-off before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let cap = self
            .initial
            .checked_mul(1u32 << retry.saturating_sub(1).min(20))
            .unwrap_or(self.max)
            .min(self.max);
        let millis = cap.as_millis() as u64;
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }
}

/// A client of one server for one enrolled device.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
    server_key: VerifyingKey,
    policy: RetryPolicy,
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, ClientError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(15).min(timeout))
        .build()
        .map_err(|error| ClientError::Network(error.to_string()))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, ClientError> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::default(),
    );
    encoder
        .write_all(bytes)
        .map_err(|error| ClientError::Local(error.to_string()))?;
    encoder
        .finish()
        .map_err(|error| ClientError::Local(error.to_string()))
}

async fn decode<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ClientError> {
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| ClientError::Network(error.to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|error| ClientError::Decode(error.to_string()));
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(ClientError::Server {
            status: status.as_u16(),
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(ClientError::Server {
            status: status.as_u16(),
            code: "unexpected".into(),
            message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        }),
    }
}

impl SyncClient {
    /// A client for an enrolled device.
    pub fn new(
        base_url: &str,
        device_token: &str,
        server_key: VerifyingKey,
        policy: RetryPolicy,
    ) -> Result<Self, ClientError> {
        Ok(SyncClient {
            http: http_client(policy.request_timeout)?,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: device_token.to_string(),
            server_key,
            policy,
        })
    }

    /// Enrols a device with a one-time code (not retried: a code works once).
    pub async fn enrol(
        base_url: &str,
        code: &str,
        device_key: &SigningKeyPair,
        label: &str,
    ) -> Result<EnrolResponse, ClientError> {
        let http = http_client(Duration::from_secs(60))?;
        let request = EnrolRequest {
            code: code.to_string(),
            device_public_key: device_key.public_key().0.to_vec().into(),
            label: label.to_string(),
        };
        let response = http
            .post(format!(
                "{}/api/v1/devices/enrol",
                base_url.trim_end_matches('/')
            ))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&request)
            .send()
            .await
            .map_err(|error| ClientError::Network(error.to_string()))?;
        decode(response).await
    }

    async fn with_retries<T, F, Fut>(&self, mut attempt: F) -> Result<T, ClientError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ClientError>>,
    {
        let mut retry = 0;
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) if error.is_retryable() && retry + 1 < self.policy.max_attempts => {
                    retry += 1;
                    tracing::debug!(retry, "sync request failed, retrying: {error}");
                    tokio::time::sleep(self.policy.delay(retry)).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Sends a gzip-compressed JSON body with the device's credentials (one attempt).
    async fn send_gzip_json(
        &self,
        request: reqwest::RequestBuilder,
        body: &[u8],
    ) -> Result<reqwest::Response, ClientError> {
        request
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(
                reqwest::header::AUTHORIZATION,
                format!("{} {}", sync_proto::DEVICE_AUTH_SCHEME, self.token),
            )
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|error| ClientError::Network(error.to_string()))
    }

    /// Uploads one envelope (with retries) and returns its verified receipt.
    pub async fn upload(&self, envelope: &UploadEnvelope) -> Result<Receipt, ClientError> {
        let json =
            serde_json::to_vec(envelope).map_err(|error| ClientError::Local(error.to_string()))?;
        let body = gzip(&json)?;
        let url = format!("{}/api/v1/sync/uploads", self.base_url);
        let receipt: Receipt = self
            .with_retries(|| async {
                let response = self.send_gzip_json(self.http.post(&url), &body).await?;
                decode(response).await
            })
            .await?;
        self.check_receipt(envelope, &receipt)?;
        Ok(receipt)
    }

    /// Checks that a receipt is the server's and is for this exact content.
    pub fn check_receipt(
        &self,
        envelope: &UploadEnvelope,
        receipt: &Receipt,
    ) -> Result<(), ClientError> {
        let bad = |reason: &str| ClientError::BadReceipt {
            interview_id: envelope.interview_id,
            revision: envelope.revision,
            reason: reason.to_string(),
        };
        receipt
            .verify(&self.server_key)
            .map_err(|_| bad("the server signature does not verify"))?;
        if receipt.interview_id != envelope.interview_id || receipt.revision != envelope.revision {
            return Err(bad("the receipt is for another interview or revision"));
        }
        if receipt.content_hash != envelope.content_hash() {
            return Err(bad("the receipt is for other content"));
        }
        Ok(())
    }

    /// Reports the device's interviews in progress (with retries), replacing its previous report.
    /// `Ok(false)` when the server predates progress reports (it answers 404): nothing to do.
    pub async fn report_progress(&self, drafts: Vec<DraftReport>) -> Result<bool, ClientError> {
        let json = serde_json::to_vec(&ProgressReport { drafts })
            .map_err(|error| ClientError::Local(error.to_string()))?;
        let body = gzip(&json)?;
        let url = format!("{}/api/v1/sync/progress", self.base_url);
        let answer = self
            .with_retries(|| async {
                let response = self.send_gzip_json(self.http.put(&url), &body).await?;
                if response.status().is_success() {
                    return Ok(());
                }
                decode::<serde_json::Value>(response).await.map(|_| ())
            })
            .await;
        match answer {
            Ok(()) => Ok(true),
            Err(ClientError::Server { status: 404, .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Downloads one page of changes after `cursor` (with retries).
    pub async fn changes(&self, cursor: u64) -> Result<ChangesResponse, ClientError> {
        let url = format!("{}/api/v1/sync/changes?cursor={cursor}", self.base_url);
        self.with_retries(|| async {
            let response = self
                .http
                .get(&url)
                .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
                .header(
                    reqwest::header::AUTHORIZATION,
                    format!("{} {}", sync_proto::DEVICE_AUTH_SCHEME, self.token),
                )
                .send()
                .await
                .map_err(|error| ClientError::Network(error.to_string()))?;
            decode(response).await
        })
        .await
    }

    /// One sync cycle: upload the outbox, report the interviews in progress (`drafts`, replacing the
    /// previous report; an empty list clears it), then download changes into the same store. Uploads
    /// that fail every retry stay in the outbox and are counted in the report, as is a refused progress
    /// report; a download failure or a local store failure ends the cycle with an error.
    pub async fn sync<S: Outbox + ChangeSink>(
        &self,
        store: &mut S,
        drafts: Vec<DraftReport>,
        mut progress: impl FnMut(Progress),
    ) -> Result<SyncReport, ClientError> {
        let mut report = SyncReport::default();
        let pending = store.pending()?;
        let total = pending.len();
        progress(Progress {
            done: 0,
            total,
            phase: Phase::Upload,
        });
        for (index, item) in pending.iter().enumerate() {
            match self.upload(&item.envelope).await {
                Ok(receipt) => match receipt.outcome {
                    ReceiptOutcome::Accepted => {
                        store.mark_sent(item, &receipt)?;
                        report.sent += 1;
                    }
                    ReceiptOutcome::Conflict => {
                        store.mark_conflict(item, &receipt)?;
                        report.conflicts += 1;
                    }
                },
                Err(ClientError::Server {
                    status,
                    code,
                    message,
                }) if status == StatusCode::UPGRADE_REQUIRED.as_u16() => {
                    return Err(ClientError::Server {
                        status,
                        code,
                        message,
                    });
                }
                Err(error) => {
                    report.failed += 1;
                    report.first_error.get_or_insert_with(|| error.to_string());
                }
            }
            progress(Progress {
                done: index + 1,
                total,
                phase: Phase::Upload,
            });
        }
        // After the uploads, so that an interview just sent is not reported as a draft; before the
        // download, so that the quota fill received already counts this device's work.
        match self.report_progress(drafts).await {
            Ok(accepted) => report.progress_reported = accepted,
            Err(error @ ClientError::Server { status: 426, .. }) => return Err(error),
            Err(error) => {
                report.first_error.get_or_insert_with(|| error.to_string());
            }
        }
        let mut cursor = store.cursor()?;
        loop {
            let page = self.changes(cursor).await?;
            store.apply(&page)?;
            report.pages += 1;
            cursor = page.next_cursor;
            progress(Progress {
                done: report.pages,
                total: report.pages + usize::from(page.has_more),
                phase: Phase::Download,
            });
            if !page.has_more {
                break;
            }
        }
        progress(Progress {
            done: total,
            total,
            phase: Phase::Done,
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_proto::keys::SurveyKeyPair;

    #[test]
    fn back_off_is_capped_and_jittered_below_the_cap() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            max_attempts: 10,
            request_timeout: Duration::from_secs(1),
        };
        for retry in 1..=30 {
            let cap = Duration::from_millis((100u64 << (retry - 1).min(20)).min(1000));
            let delays: Vec<Duration> = (0..200).map(|_| policy.delay(retry)).collect();
            assert!(delays.iter().all(|delay| *delay <= cap), "retry {retry}");
            // Full jitter: the delays spread out instead of all waiting the same time.
            let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
            assert!(
                distinct.len() > 20,
                "retry {retry}: {} distinct delays",
                distinct.len()
            );
        }
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let server = |status: u16| ClientError::Server {
            status,
            code: "x".into(),
            message: "x".into(),
        };
        assert!(ClientError::Network("reset".into()).is_retryable());
        assert!(
            server(503).is_retryable() && server(500).is_retryable() && server(429).is_retryable()
        );
        assert!(
            !server(401).is_retryable()
                && !server(422).is_retryable()
                && !server(426).is_retryable()
        );
    }

    #[test]
    fn receipts_are_checked_against_the_server_key_and_the_content() {
        let server_key = SigningKeyPair::generate();
        let device_key = SigningKeyPair::generate();
        let survey = SurveyKeyPair::generate();
        let client = SyncClient::new(
            "http://127.0.0.1:9",
            "token",
            server_key.public_key(),
            RetryPolicy::default(),
        )
        .unwrap();
        let envelope = UploadEnvelope::seal_and_sign(
            Uuid::now_v7(),
            1,
            "pilot",
            "hash",
            None,
            Default::default(),
            b"answers",
            &survey.public_key(),
            &device_key,
        )
        .unwrap();
        let receipt = envelope.receipt(
            ReceiptOutcome::Accepted,
            1,
            "2026-11-23T00:00:00Z",
            &server_key,
        );
        client.check_receipt(&envelope, &receipt).unwrap();

        let forged = envelope.receipt(
            ReceiptOutcome::Accepted,
            1,
            "2026-11-23T00:00:00Z",
            &SigningKeyPair::generate(),
        );
        assert!(matches!(
            client.check_receipt(&envelope, &forged),
            Err(ClientError::BadReceipt { .. })
        ));

        let mut other = envelope.clone();
        other.revision = 2;
        other.sign(&device_key);
        let for_other = other.receipt(
            ReceiptOutcome::Accepted,
            2,
            "2026-11-23T00:00:00Z",
            &server_key,
        );
        assert!(matches!(
            client.check_receipt(&envelope, &for_other),
            Err(ClientError::BadReceipt { .. })
        ));

        // The outbox keeps the envelope until the receipt for its content is recorded.
        let mut outbox = MemoryOutbox::default();
        outbox.push(envelope.clone());
        outbox.push(other.clone());
        let item = OutboxItem {
            envelope: envelope.clone(),
        };
        outbox.mark_sent(&item, &receipt).unwrap();
        assert_eq!(
            outbox.pending().unwrap(),
            vec![OutboxItem { envelope: other }]
        );
    }
}
