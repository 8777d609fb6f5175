//! The interview: start or open, answer, navigate, rosters, language, review, complete.

use daftar_app_core::Nav;
use daftar_app_core::dto::{ReviewDto, ScreenDto};
use tauri::State;

use super::{AppState, CommandResult};

/// Starts an interview from an assignment or an installed questionnaire (`id@version`).
#[tauri::command]
pub async fn start_interview(
    state: State<'_, AppState>,
    assignment_id: Option<String>,
    questionnaire: Option<String>,
) -> CommandResult<ScreenDto> {
    Ok(state
        .0
        .lock()
        .await
        .start_interview(assignment_id.as_deref(), questionnaire.as_deref())?)
}

/// Opens a saved interview where it was left.
#[tauri::command]
pub async fn open_interview(state: State<'_, AppState>, id: String) -> CommandResult<ScreenDto> {
    Ok(state.0.lock().await.open_interview(&id)?)
}

/// Gives an answer (`null` clears it); saved before this returns.
#[tauri::command]
pub async fn answer(
    state: State<'_, AppState>,
    path: String,
    value: serde_json::Value,
) -> CommandResult<ScreenDto> {
    Ok(state.0.lock().await.answer(&path, value)?)
}

/// Confirms the warnings on a question.
#[tauri::command]
pub async fn confirm_warning(state: State<'_, AppState>, path: String) -> CommandResult<ScreenDto> {
    Ok(state.0.lock().await.confirm(&path)?)
}

/// Adds a roster row.
#[tauri::command]
pub async fn add_row(state: State<'_, AppState>, roster: String) -> CommandResult<ScreenDto> {
    Ok(state.0.lock().await.add_row(&roster)?)
}

/// Removes a roster row.
#[tauri::command]
pub async fn remove_row(state: State<'_, AppState>, row: String) -> CommandResult<ScreenDto> {
    Ok(state.0.lock().await.remove_row(&row)?)
}

/// Moves to the next, previous or a named page.
#[tauri::command]
pub async fn navigate(state: State<'_, AppState>, nav: Nav) -> CommandResult<ScreenDto> {
    Ok(state.0.lock().await.go(nav)?)
}

/// Switches the language; returns the interview page when one is open.
#[tauri::command]
pub async fn set_language(
    state: State<'_, AppState>,
    language: String,
) -> CommandResult<Option<ScreenDto>> {
    let mut core = state.0.lock().await;
    core.set_ui_language(&language);
    match core.set_language(&language) {
        Ok(screen) => Ok(Some(screen)),
        Err(daftar_app_core::AppError::NoInterview) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What is left before completing.
#[tauri::command]
pub async fn review(state: State<'_, AppState>) -> CommandResult<ReviewDto> {
    Ok(state.0.lock().await.review()?)
}

/// Completes the interview (to the outbox).
#[tauri::command]
pub async fn complete(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.0.lock().await.complete()?)
}

/// Leaves the interview (already saved).
#[tauri::command]
pub async fn close_interview(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.0.lock().await.close_interview()?)
}
