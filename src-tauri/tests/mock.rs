//! The commands through Tauri's IPC on the mock runtime (no display): argument names, DTO shapes, the
//! error shape, and the capability (ACL) that allows exactly the main window's commands.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app(dir: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = daftar_app::run_app(mock_builder(), Some(dir.to_path_buf()))
        .expect("the data directory opens")
        .build(tauri::generate_context!())
        .expect("the mock app builds");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the main window opens");
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn first_run_training_interview_and_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let status = invoke(&w, "app_status", json!({})).unwrap();
    assert_eq!(status["enrolled"], false);
    assert_eq!(status["hasProfile"], false);
    assert_eq!(status["lockAfterMinutes"], 5);

    let err = invoke(
        &w,
        "training_profile",
        json!({"name": "Amina", "pin": "12"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "bad_pin");
    let status = invoke(
        &w,
        "training_profile",
        json!({"name": "Amina", "pin": "4829"}),
    )
    .unwrap();
    assert_eq!(status["unlocked"], true);

    let home = invoke(&w, "home", json!({"language": "fr"})).unwrap();
    assert_eq!(home["questionnaires"], json!(["morocco-pilot@builtin"]));
    let screen = invoke(
        &w,
        "start_interview",
        json!({"assignmentId": null, "questionnaire": "morocco-pilot@builtin"}),
    )
    .unwrap();
    assert_eq!(screen["position"], 1);
    assert_eq!(screen["language"], "fr");
    let screen = invoke(&w, "answer", json!({"path": "enum_id", "value": "104"})).unwrap();
    let saved = invoke(
        &w,
        "navigate",
        json!({"nav": {"to": "path", "path": "enum_id"}}),
    )
    .unwrap();
    let item = saved["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "enum_id")
        .unwrap();
    assert_eq!(item["value"], "104");
    assert_eq!(screen["interviewId"], saved["interviewId"]);
    let next = invoke(&w, "navigate", json!({"nav": {"to": "next"}})).unwrap();
    assert_eq!(next["position"], saved["position"].as_u64().unwrap() + 1);
    let ar = invoke(&w, "set_language", json!({"language": "ar"})).unwrap();
    assert_eq!(ar["language"], "ar");
    let err = invoke(&w, "answer", json!({"path": "no_such_item", "value": 1})).unwrap_err();
    assert_eq!(err["code"], "rejected_step");
    let review = invoke(&w, "review", json!({})).unwrap();
    assert_eq!(review["canComplete"], false);
    invoke(&w, "close_interview", json!({})).unwrap();

    invoke(&w, "lock", json!({})).unwrap();
    let err = invoke(&w, "home", json!({"language": "fr"})).unwrap_err();
    assert_eq!(err["code"], "locked");
    let err = invoke(&w, "unlock", json!({"pin": "0000"})).unwrap_err();
    assert_eq!(err["code"], "wrong_pin");
    invoke(&w, "unlock", json!({"pin": "4829"})).unwrap();
    let home = invoke(&w, "home", json!({"language": "fr"})).unwrap();
    assert_eq!(home["entries"][0]["status"], "in_progress");
}

#[test]
fn sync_before_enrolment_is_a_translated_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    invoke(&w, "training_profile", json!({"name": "", "pin": "4829"})).unwrap();
    let err = invoke(&w, "sync", json!({})).unwrap_err();
    assert_eq!(err["code"], "not_enrolled");
}

#[test]
fn only_the_main_window_may_call_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _main) = app(dir.path());
    let other = WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .unwrap();
    let err = invoke(&other, "app_status", json!({})).unwrap_err();
    assert!(
        err.as_str().unwrap_or_default().contains("not allowed"),
        "{err}"
    );
}

#[test]
fn a_remote_origin_cannot_call_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let response = get_ipc_response(
        &w,
        InvokeRequest {
            cmd: "app_status".into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "https://example.org".parse().unwrap(),
            body: InvokeBody::Json(json!({})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    assert!(response.is_err());
}
