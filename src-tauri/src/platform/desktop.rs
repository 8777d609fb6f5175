//! Desktop (Linux, used for development, training and the end-to-end tests).

use tauri::Runtime;

/// No scanner or location plugin on desktop.
pub const SENSORS: bool = false;

/// The label sent at enrolment.
pub fn device_label() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    format!("desktop {}", host.trim())
}

/// Desktop has no plugins beyond the core.
pub fn plugins<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
}
