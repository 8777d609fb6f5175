//! Android: the QR scanner and geolocation plugins. `FLAG_SECURE` and `allowBackup=false` are set in the
//! generated Android project (gen/android), see docs/android.md.

use tauri::Runtime;

/// The QR scanner and geolocation plugins are registered.
pub const SENSORS: bool = true;

/// The label sent at enrolment.
pub fn device_label() -> String {
    "android tablet".to_string()
}

/// The tablet's plugins.
pub fn plugins<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_barcode_scanner::init())
        .plugin(tauri_plugin_geolocation::init())
}
