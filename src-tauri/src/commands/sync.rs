//! Sync with progress events (`sync-progress`).

use daftar_app_core::dto::{SyncProgressDto, SyncReportDto};
use tauri::{AppHandle, Emitter as _, Runtime, State};

use super::{AppState, CommandResult};

/// One sync cycle; progress goes to the window as `sync-progress` events.
#[tauri::command]
pub async fn sync<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<SyncReportDto> {
    let progress = move |p: SyncProgressDto| {
        let _ = app.emit("sync-progress", p);
    };
    Ok(state.0.lock().await.sync(&progress).await?)
}
