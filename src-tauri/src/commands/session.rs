//! First run, unlock, lock and the home screen.

use daftar_app_core::dto::{HomeDto, StatusDto};
use tauri::State;

use super::{AppState, CommandResult};

/// Where the app stands (enrolled, profile, unlocked).
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<StatusDto> {
    Ok(state.0.lock().await.status()?)
}

/// Enrols the device with the server address and one-time code.
#[tauri::command]
pub async fn enrol(
    state: State<'_, AppState>,
    server: String,
    code: String,
) -> CommandResult<StatusDto> {
    let label = crate::platform::device_label();
    Ok(state.0.lock().await.enrol(&server, &code, &label).await?)
}

/// Chooses the PIN after enrolment: creates the enumerator's encrypted profile.
#[tauri::command]
pub async fn create_pin(state: State<'_, AppState>, pin: String) -> CommandResult<StatusDto> {
    Ok(state.0.lock().await.create_profile(&pin)?)
}

/// Training mode: a local profile without a server, with the built-in pilot questionnaire.
#[tauri::command]
pub async fn training_profile(
    state: State<'_, AppState>,
    name: String,
    pin: String,
) -> CommandResult<StatusDto> {
    let mut core = state.0.lock().await;
    let name = if name.trim().is_empty() {
        "training".to_string()
    } else {
        name
    };
    core.create_local_profile("training", &name, &pin, daftar_app_core::kdf_iterations())?;
    Ok(core.status()?)
}

/// Unlocks with the PIN.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, pin: String) -> CommandResult<StatusDto> {
    Ok(state.0.lock().await.unlock(&pin)?)
}

/// Locks the app (also called by the interface after inactivity).
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> CommandResult<()> {
    state.0.lock().await.lock();
    Ok(())
}

/// The home screen in the interface language.
#[tauri::command]
pub async fn home(state: State<'_, AppState>, language: String) -> CommandResult<HomeDto> {
    let mut core = state.0.lock().await;
    core.set_ui_language(&language);
    Ok(core.home()?)
}
