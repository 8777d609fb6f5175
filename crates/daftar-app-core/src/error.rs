//! The one error type of the app core, with a stable code the front end translates.

/// What went wrong in an app operation. `code()` is stable and has an interface string in every locale
/// (`error-<code>` in `i18n/*/app.ftl`); the message is the technical detail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The PIN was wrong (or the profile is locked out for a while).
    #[error("wrong PIN")]
    WrongPin,
    /// Too many wrong PINs: wait.
    #[error("locked out for {seconds} s after repeated wrong PINs")]
    LockedOut {
        /// Seconds to wait.
        seconds: u64,
    },
    /// The PIN does not follow the rules (digits, length).
    #[error("the PIN must be 4 to 12 digits")]
    BadPin,
    /// The app is locked: give the PIN first.
    #[error("the app is locked")]
    Locked,
    /// An operation needs an enrolled device.
    #[error("the device is not enrolled")]
    NotEnrolled,
    /// No interview is open.
    #[error("no interview is open")]
    NoInterview,
    /// A thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The engine refused a step (bad path, bad value); nothing changed.
    #[error("{code}: {message}")]
    Rejected {
        /// The engine's code.
        code: String,
        /// The engine's message.
        message: String,
    },
    /// The questionnaire does not load.
    #[error("questionnaire {id}: {message}")]
    Questionnaire {
        /// `id@version`.
        id: String,
        /// The first errors.
        message: String,
    },
    /// The assignment has as many interviews as it asks for.
    #[error("assignment {assignment} has its {quantity} interview(s) already")]
    QuantityReached {
        /// The assignment.
        assignment: String,
        /// Its quantity.
        quantity: u32,
    },
    /// The interview cannot be completed yet.
    #[error("the interview has {0} problem(s) left")]
    Incomplete(usize),
    /// The network failed.
    #[error("network: {0}")]
    Network(String),
    /// The server refused.
    #[error("server: {code}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's code.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The device store failed.
    #[error("store: {0}")]
    Store(String),
    /// Anything else on the device (files, encodings).
    #[error("{0}")]
    Local(String),
}

impl AppError {
    /// The stable code the interface translates.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::WrongPin => "wrong_pin",
            AppError::LockedOut { .. } => "locked_out",
            AppError::BadPin => "bad_pin",
            AppError::Locked => "locked",
            AppError::NotEnrolled => "not_enrolled",
            AppError::NoInterview => "no_interview",
            AppError::NotFound(_) => "not_found",
            AppError::Rejected { .. } => "rejected_step",
            AppError::Questionnaire { .. } => "questionnaire",
            AppError::Incomplete(_) => "incomplete",
            AppError::QuantityReached { .. } => "quantity_reached",
            AppError::Network(_) => "network",
            AppError::Server { status: 401, .. } | AppError::Server { status: 403, .. } => {
                "unauthorised"
            }
            AppError::Server { code, .. } if code.contains("enrol") || code.contains("code") => {
                "bad_code"
            }
            AppError::Server { .. } => "server",
            AppError::Store(_) => "store",
            AppError::Local(_) => "local",
        }
    }
}

impl From<survey_store::StoreError> for AppError {
    fn from(e: survey_store::StoreError) -> Self {
        match e {
            survey_store::StoreError::WrongPin { .. } => AppError::WrongPin,
            survey_store::StoreError::TooManyAttempts { retry_after, .. } => AppError::LockedOut {
                seconds: retry_after.as_secs().max(1),
            },
            survey_store::StoreError::NotFound { table, id } => {
                AppError::NotFound(format!("{table} {id}"))
            }
            other => AppError::Store(other.to_string()),
        }
    }
}

impl From<survey_engine::Rejection> for AppError {
    fn from(r: survey_engine::Rejection) -> Self {
        AppError::Rejected {
            code: r.code.to_string(),
            message: r.message,
        }
    }
}

impl From<sync_client::ClientError> for AppError {
    fn from(e: sync_client::ClientError) -> Self {
        match e {
            sync_client::ClientError::Network(m) => AppError::Network(m),
            sync_client::ClientError::Server {
                status,
                code,
                message,
            } => AppError::Server {
                status,
                code,
                message,
            },
            other => AppError::Local(other.to_string()),
        }
    }
}

/// The result of an app operation.
pub type Result<T, E = AppError> = std::result::Result<T, E>;
