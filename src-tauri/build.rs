//! Generates the app's command permissions (`allow-<command>`): with an app manifest, a command is callable
//! only from a window whose capability lists it (capabilities/main.json).

const COMMANDS: &[&str] = &[
    "app_status",
    "enrol",
    "create_pin",
    "training_profile",
    "unlock",
    "lock",
    "home",
    "start_interview",
    "open_interview",
    "answer",
    "confirm_warning",
    "add_row",
    "remove_row",
    "navigate",
    "set_language",
    "review",
    "complete",
    "close_interview",
    "sync",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    });
}
