//! `cargo xtask app`: builds the enumerator app and runs all of its tests.
//!
//! Steps (each is skipped with `--skip-<name>`): `deps` (apt packages, tauri-driver, npm packages; all
//! idempotent), `format` (Prettier's check of the app's and the console's TypeScript, CSS and tests, with
//! the root `.prettierrc.json`), `ui` (type check + Vite build into ui/dist, embedded by the app), `vitest` (UI logic),
//! `rust` (daftar-app-core unit/integration tests and the mock-runtime command tests), `e2e` (the debug
//! app under Xvfb driven by tauri-driver + WebKitWebDriver against a real sync-server on loopback), `layout`
//! (the UI in headless Chromium at tablet sizes, LTR and RTL, Tauri IPC mocked), `canary` (no answer in the
//! WebView's storage folders or the logs after the e2e run), `android` (check-compile for
//! aarch64-linux-android). `--android-check` runs only the Android check. `--cold-start-bench [--runs N]`
//! builds the release app and measures its cold start to the first usable screen (not a test: figures
//! for docs/benchmarks.md).
//!
//! Every process started here is stopped here: children run in their own process group and are sent
//! SIGTERM (then SIGKILL) when their step ends or fails; each step has a time limit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

const APT_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "libsoup-3.0-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libxdo-dev",
    "libssl-dev",
    "build-essential",
    "pkg-config",
    "file",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "chromium",
    "clang",
    "lld",
    "libc6-dev-arm64-cross",
];

/// Words of the e2e interview that must never appear in clear outside the encrypted store.
pub const CANARIES: &[&str] = &["Canari-Youssef-7731", "Fatima-Canari-4417"];

struct Ctx {
    root: PathBuf,
    target: PathBuf,
    out: PathBuf,
}

pub fn run(args: &[String]) -> Result<()> {
    let root = workspace_root()?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let out = target.join("app-test-output");
    std::fs::create_dir_all(&out)?;
    let ctx = Ctx { root, target, out };
    let skip = |name: &str| args.iter().any(|a| a == &format!("--skip-{name}"));
    if args.iter().any(|a| a == "--android-check") {
        return android_check(&ctx);
    }
    if args.iter().any(|a| a == "--cold-start-bench") {
        let runs = match args.iter().position(|a| a == "--runs") {
            Some(i) => args
                .get(i + 1)
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n > 0)
                .context("--runs takes a positive number")?,
            None => 7,
        };
        return cold_start_bench(&ctx, runs);
    }
    let started = Instant::now();
    let mut timings = Vec::new();
    let mut step = |name: &str, f: &dyn Fn(&Ctx) -> Result<()>| -> Result<()> {
        if skip(name) {
            eprintln!("== {name}: skipped");
            return Ok(());
        }
        eprintln!("== {name}");
        let t = Instant::now();
        f(&ctx).with_context(|| format!("step `{name}` failed"))?;
        timings.push((name.to_string(), t.elapsed()));
        eprintln!("== {name}: ok in {:.1} s", t.elapsed().as_secs_f64());
        Ok(())
    };
    step("deps", &deps)?;
    step("format", &format_check)?;
    step("ui", &ui_build)?;
    step("vitest", &vitest)?;
    step("rust", &rust_tests)?;
    step("e2e", &e2e)?;
    step("layout", &layout)?;
    step("canary", &canary)?;
    step("android", &android_check)?;
    eprintln!(
        "== all app tests passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    for (name, d) in timings {
        eprintln!("   {name:8} {:>6.1} s", d.as_secs_f64());
    }
    eprintln!("   test output (screenshots, logs): {}", ctx.out.display());
    Ok(())
}

fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest
        .parent()
        .and_then(Path::parent)
        .context("xtask lives in crates/xtask")?
        .to_path_buf())
}

/// Runs a command to completion in its own process group, killing the group on timeout.
fn run_cmd(cmd: &mut Command, limit: Duration) -> Result<()> {
    use std::os::unix::process::CommandExt as _;
    let shown = format!("{cmd:?}");
    cmd.process_group(0);
    let mut child = cmd.spawn().with_context(|| format!("starting {shown}"))?;
    let group = child.id() as i32;
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            // Stragglers of the group (a driver, a server) are stopped too.
            kill_group(group);
            if !status.success() {
                bail!("{shown} exited with {status}");
            }
            return Ok(());
        }
        if Instant::now() > deadline {
            kill_group(group);
            let _ = child.wait();
            bail!(
                "{shown} took longer than {} s and was stopped",
                limit.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SIGTERM to a process group, then SIGKILL after a grace period.
fn kill_group(group: i32) {
    let signal = |sig: &str| {
        Command::new("kill")
            .args([sig, "--", &format!("-{group}")])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if signal("-TERM") {
        std::thread::sleep(Duration::from_millis(500));
        signal("-KILL");
    }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn deps(ctx: &Ctx) -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
                .unwrap_or(false)
        })
        .collect();
    if !missing.is_empty() {
        eprintln!("installing apt packages: {}", missing.join(" "));
        run_cmd(
            Command::new("apt-get").args(["update", "-qq"]),
            Duration::from_secs(300),
        )?;
        run_cmd(
            Command::new("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["install", "-y", "-qq", "--no-install-recommends"])
                .args(&missing),
            Duration::from_secs(900),
        )?;
    }
    if !have("tauri-driver") {
        run_cmd(
            Command::new("cargo").args(["install", "tauri-driver", "--locked"]),
            Duration::from_secs(900),
        )?;
    }
    let ui = ctx.root.join("ui");
    // `npm install`, not `npm ci`: the lockfile written here lists only the Linux optional binaries.
    run_cmd(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&ui),
        Duration::from_secs(600),
    )
}

fn npx(ctx: &Ctx, args: &[&str], limit: Duration) -> Result<()> {
    run_cmd(
        Command::new("npx")
            .args(args)
            .current_dir(ctx.root.join("ui")),
        limit,
    )
}

/// The front-end sources are formatted as Prettier writes them (`ui/node_modules/.bin/prettier --write`
/// with the same paths fixes them).
fn format_check(ctx: &Ctx) -> Result<()> {
    run_cmd(
        Command::new(ctx.root.join("ui/node_modules/.bin/prettier"))
            .args(["--check", "--log-level=warn"])
            .args(FORMATTED)
            .current_dir(&ctx.root),
        Duration::from_secs(120),
    )
}

/// What [`format_check`] checks, from the repository root (`.prettierignore` leaves out the generated).
const FORMATTED: &[&str] = &[
    "ui/src",
    "ui/tests",
    "sync-server/console/src",
    "sync-server/console/tests",
    "sync-server/console/app.css",
    "sync-server/console/index.html",
];

fn ui_build(ctx: &Ctx) -> Result<()> {
    npx(
        ctx,
        &["tsc", "--noEmit", "-p", "."],
        Duration::from_secs(300),
    )?;
    npx(
        ctx,
        &["vite", "build", "--logLevel", "warn"],
        Duration::from_secs(300),
    )
}

fn vitest(ctx: &Ctx) -> Result<()> {
    npx(ctx, &["vitest", "run"], Duration::from_secs(600))
}

fn cargo(ctx: &Ctx, args: &[&str], limit: Duration) -> Result<()> {
    run_cmd(
        Command::new("cargo")
            .args(args)
            .current_dir(&ctx.root)
            .env("CARGO_TARGET_DIR", &ctx.target),
        limit,
    )
}

fn rust_tests(ctx: &Ctx) -> Result<()> {
    cargo(
        ctx,
        &["test", "-p", "daftar-app-core", "-p", "daftar-app"],
        Duration::from_secs(1800),
    )
}

/// The WebKitGTK storage folders of the app (identifier from tauri.conf.json).
fn webview_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    vec![
        home.join(".local/share/org.daftar.enumerator"),
        home.join(".cache/org.daftar.enumerator"),
        home.join(".cache/daftar-app"),
        home.join(".local/share/daftar-app"),
    ]
}

fn e2e(ctx: &Ctx) -> Result<()> {
    cargo(
        ctx,
        &[
            "build",
            "-p",
            "daftar-app",
            "-p",
            "sync-server",
            "-p",
            "daftar-cli",
        ],
        Duration::from_secs(1800),
    )?;
    // The pilot questionnaire as the survey firm uploads it: a bundle of the questionnaire and its lists.
    let pilot = ctx.root.join("questionnaire-specs/morocco-pilot");
    let bundle = ctx.out.join("morocco-pilot.zip");
    run_cmd(
        Command::new(ctx.target.join("debug/daftar"))
            .args(["spec", "bundle"])
            .arg(pilot.join("questionnaire.yaml"))
            .arg("--output")
            .arg(&bundle),
        Duration::from_secs(120),
    )?;
    let data = ctx.out.join("e2e-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    for dir in webview_dirs() {
        let _ = std::fs::remove_dir_all(dir);
    }
    let log = std::fs::File::create(ctx.out.join("e2e.log"))?;
    run_cmd(
        Command::new("xvfb-run")
            .args([
                "-a",
                "-s",
                "-screen 0 1280x1024x24",
                "node",
                "--test",
                "--test-concurrency=1",
                "tests/e2e/",
            ])
            .current_dir(ctx.root.join("ui"))
            .env("DAFTAR_APP_BIN", ctx.target.join("debug/daftar-app"))
            .env("DAFTAR_SERVER_BIN", ctx.target.join("debug/sync-server"))
            .env("DAFTAR_PILOT_BUNDLE", &bundle)
            .env(
                "DAFTAR_PILOT_SCRIPT",
                pilot.join("scripts/01-return-spain-agency.json"),
            )
            .env("DAFTAR_TEST_OUT", &ctx.out)
            .env("DAFTAR_E2E_DATA", &data)
            .env("DAFTAR_CANARIES", CANARIES.join(","))
            .stdout(log.try_clone()?)
            .stderr(log),
        Duration::from_secs(900),
    )
    .with_context(|| format!("see {}", ctx.out.join("e2e.log").display()))
}

/// The release app launched `runs` times on new data folders under Xvfb through tauri-driver; the
/// figures are printed and written to `cold-start-release.json` in the test output folder.
fn cold_start_bench(ctx: &Ctx, runs: u32) -> Result<()> {
    deps(ctx)?;
    ui_build(ctx)?;
    cargo(
        ctx,
        &["build", "--release", "-p", "daftar-app"],
        Duration::from_secs(3600),
    )?;
    let result = ctx.out.join("cold-start-release.json");
    let output = std::fs::File::create(&result)?;
    run_cmd(
        Command::new("xvfb-run")
            .args([
                "-a",
                "-s",
                "-screen 0 1280x1024x24",
                "node",
                "tests/bench/cold-start.mjs",
            ])
            .current_dir(ctx.root.join("ui"))
            .env("DAFTAR_APP_BIN", ctx.target.join("release/daftar-app"))
            .env("DAFTAR_TEST_OUT", &ctx.out)
            .env("DAFTAR_COLD_RUNS", runs.to_string())
            .stdout(output),
        Duration::from_secs(60 * u64::from(runs) + 120),
    )?;
    println!("{}", std::fs::read_to_string(&result)?.trim());
    eprintln!("written to {}", result.display());
    Ok(())
}

fn layout(ctx: &Ctx) -> Result<()> {
    run_cmd(
        Command::new("npx")
            .args(["vite-node", "tests/layout/run.ts"])
            .current_dir(ctx.root.join("ui"))
            .env("DAFTAR_TEST_OUT", &ctx.out),
        Duration::from_secs(600),
    )
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// After the e2e run: the canary answers must not be in the WebView's storage, the app's data folder (the
/// store is encrypted) or any log.
fn canary(ctx: &Ctx) -> Result<()> {
    let mut files = Vec::new();
    for dir in webview_dirs() {
        files_under(&dir, &mut files);
    }
    let data = ctx.out.join("e2e-data");
    files_under(&data, &mut files);
    // The device state and the cached upload envelopes are sealed files; a clear copy of either would hold
    // the device token or the monitoring answers.
    let in_clear = |f: &&PathBuf| {
        *f == &data.join("device.json")
            || (f.starts_with(data.join("outbox")) && f.extension().is_some_and(|e| e == "json"))
    };
    if let Some(clear) = files.iter().find(in_clear) {
        bail!(
            "{} is kept in clear: the app's state must be sealed",
            clear.display()
        );
    }
    let sealed = files
        .iter()
        .filter(|f| f.starts_with(&data) && f.extension().is_some_and(|e| e == "sealed"))
        .count();
    if sealed == 0 {
        bail!(
            "no sealed device state in {}: did the e2e run enrol?",
            data.display()
        );
    }
    for name in ["e2e.log", "server.log", "app.log"] {
        files.push(ctx.out.join(name));
    }
    let mut checked = 0;
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        checked += 1;
        for canary in CANARIES {
            if bytes.windows(canary.len()).any(|w| w == canary.as_bytes()) {
                bail!(
                    "canary answer `{canary}` found in clear in {}",
                    file.display()
                );
            }
        }
    }
    eprintln!("canary: {checked} files checked, no answer in clear");
    Ok(())
}

fn android_check(ctx: &Ctx) -> Result<()> {
    run_cmd(
        Command::new("rustup").args(["target", "add", "aarch64-linux-android"]),
        Duration::from_secs(600),
    )?;
    // Check-only: C dependencies (SQLite, ring) are compiled against the glibc arm64 headers, which is
    // enough to type-check the `#[cfg(mobile)]` code; APKs are built with the NDK (docs/android.md).
    run_cmd(
        Command::new("cargo")
            .args([
                "check",
                "-p",
                "daftar-app",
                "--lib",
                "--target",
                "aarch64-linux-android",
            ])
            .current_dir(&ctx.root)
            .env("CARGO_TARGET_DIR", &ctx.target)
            .env("CC_aarch64_linux_android", "clang")
            .env("AR_aarch64_linux_android", "llvm-ar")
            .env(
                "CFLAGS_aarch64_linux_android",
                "--target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu",
            ),
        Duration::from_secs(1800),
    )
}
