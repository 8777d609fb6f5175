//! Benchmark: time from an answer to the updated screen on the Morocco pilot, through the app core exactly
//! as a Tauri command runs it (engine step, durable encrypted store save, screen view model), and the cost
//! of unlocking and showing the home screen.
//!
//! `cargo run --release -p daftar-app-core --example answer_latency [rounds]`

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use daftar_app_core::AppCore;

fn script() -> Vec<(String, serde_json::Value)> {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../questionnaire-specs/morocco-pilot/scripts/01-return-spain-agency.json"
    ));
    let steps: Vec<serde_json::Value> = serde_json::from_str(text).expect("script is JSON");
    steps
        .into_iter()
        .map(|s| {
            (
                s["set"].as_str().unwrap_or_default().to_string(),
                s["value"].clone(),
            )
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let steps = script();
    let dir = tempfile::tempdir()?;
    let mut app = AppCore::open(dir.path())?;
    let t = Instant::now();
    app.create_local_profile(
        "bench",
        "Bench",
        "482913",
        daftar_app_core::kdf_iterations(),
    )?;
    let create = t.elapsed();
    let mut latencies = Vec::new();
    for _ in 0..rounds {
        app.start_interview(None, Some("morocco-pilot@builtin"))?;
        for (path, value) in &steps {
            let t = Instant::now();
            let screen = app.answer(path, value.clone())?;
            latencies.push(t.elapsed());
            std::hint::black_box(screen);
        }
        app.complete()?;
    }
    app.lock();
    let t = Instant::now();
    app.unlock("482913")?;
    let unlock = t.elapsed();
    let t = Instant::now();
    let home = app.home()?;
    let home_time = t.elapsed();
    latencies.sort();
    println!(
        "pilot script 01: {} answers × {rounds} interviews",
        steps.len()
    );
    println!(
        "answer → updated screen: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (n = {})",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies
            .last()
            .map(|d| d.as_secs_f64() * 1e3)
            .unwrap_or(0.0),
        latencies.len()
    );
    println!(
        "profile creation (PIN key derivation): {:.0} ms",
        create.as_secs_f64() * 1e3
    );
    println!("unlock with PIN: {:.0} ms", unlock.as_secs_f64() * 1e3);
    println!(
        "home screen ({} entries): {:.2} ms",
        home.entries.len(),
        home_time.as_secs_f64() * 1e3
    );
    Ok(())
}
