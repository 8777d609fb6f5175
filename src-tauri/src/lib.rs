//! Daftar, the enumerator app: the Tauri 2 shell over `daftar-app-core`.
//!
//! [`run`] starts the real app; [`run_app`] configures any runtime's builder (the mock runtime in tests):
//! state, commands and plugins. Commands live in `commands/`, platform code in `platform/`. Nothing on the
//! start-up path panics: a failure to open the data directory is reported and the process exits 1.

pub mod commands;
mod platform;

use std::path::PathBuf;

use daftar_app_core::AppCore;
use tauri::{Manager as _, Runtime};

use crate::commands::AppState;

/// Adds the app's state, commands and plugins to a builder. `data_dir` overrides the platform's app data
/// directory (tests, and `DAFTAR_DATA_DIR` for isolated runs); it is opened at once, the platform's one when
/// the app is set up.
pub fn run_app<R: Runtime>(
    builder: tauri::Builder<R>,
    data_dir: Option<PathBuf>,
) -> Result<tauri::Builder<R>, daftar_app_core::AppError> {
    let builder = match data_dir {
        Some(dir) => builder.manage(AppState(tauri::async_runtime::Mutex::new(
            AppCore::open(&dir)?.with_sensors(platform::SENSORS),
        ))),
        None => builder.setup(|app| {
            let dir = app.path().app_data_dir()?.join("daftar");
            let core = AppCore::open(&dir)?.with_sensors(platform::SENSORS);
            app.manage(AppState(tauri::async_runtime::Mutex::new(core)));
            Ok(())
        }),
    };
    Ok(
        platform::plugins(builder).invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::session::enrol,
            commands::session::create_pin,
            commands::session::training_profile,
            commands::session::unlock,
            commands::session::lock,
            commands::session::home,
            commands::interview::start_interview,
            commands::interview::open_interview,
            commands::interview::answer,
            commands::interview::confirm_warning,
            commands::interview::add_row,
            commands::interview::remove_row,
            commands::interview::navigate,
            commands::interview::set_language,
            commands::interview::review,
            commands::interview::complete,
            commands::interview::close_interview,
            commands::sync::sync,
        ]),
    )
}

/// Starts the app.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let data_dir = std::env::var_os("DAFTAR_DATA_DIR").map(PathBuf::from);
    let builder = match run_app(tauri::Builder::default(), data_dir) {
        Ok(builder) => builder,
        Err(e) => {
            eprintln!("daftar: the app's data could not be opened: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = builder.run(tauri::generate_context!()) {
        eprintln!("daftar: the app could not start: {e}");
        std::process::exit(1);
    }
}
