//! The IPC commands: each takes DTO arguments, makes one call into `daftar-app-core`, and returns a DTO or
//! the one [`CommandError`] shape.

pub mod interview;
pub mod session;
pub mod sync;

use daftar_app_core::{AppCore, AppError};
use serde::Serialize;

/// The app state shared by commands: one core behind an async mutex (sync holds it across awaits).
pub struct AppState(pub tauri::async_runtime::Mutex<AppCore>);

/// The one error every command returns: a stable `code` the interface translates (`error-<code>` in
/// `i18n/*/app.ftl`) and a technical `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CommandError {
    /// Stable code.
    pub code: String,
    /// Detail.
    pub message: String,
}

impl From<AppError> for CommandError {
    fn from(e: AppError) -> Self {
        CommandError {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

/// The result of a command.
pub type CommandResult<T> = Result<T, CommandError>;
