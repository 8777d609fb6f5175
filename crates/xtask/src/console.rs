//! `cargo xtask console`: the web console's tests.
//!
//! Steps: `deps` (apt `chromium`, npm `playwright-core`, `esbuild` and `typescript` in
//! `sync-server/console/node_modules`; idempotent), `bundle` (type check and rebuild
//! `sync-server/console/dist/app.js`; fails if the committed bundle is stale), `rust` (the console's
//! `cargo test` binaries), `browser` (a real `sync-server serve` on a free loopback port, seeded through
//! its API by `tests/console_seed.rs`, then `tests/console.test.mjs` in headless Chromium; screenshots and
//! downloads in `sync-server/console/test-output/`, which git ignores). Each step is skipped with
//! `--skip-<name>`. Every process started here is stopped here, on success and on failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

const ADMIN_PASSWORD: &str = "console admin password";

pub fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest
        .parent()
        .and_then(Path::parent)
        .context("xtask is not inside the workspace")?
        .to_path_buf())
}

fn run_command(command: &mut Command, what: &str) -> Result<()> {
    eprintln!("xtask console: {what}");
    let status = command
        .status()
        .with_context(|| format!("cannot start: {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// A child process killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn deps(console: &Path) -> Result<()> {
    if !Path::new("/usr/bin/chromium").exists() {
        run_command(
            Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "chromium"]),
            "apt-get install chromium",
        )?;
    }
    let installed = ["playwright-core", "esbuild", "typescript"]
        .iter()
        .all(|p| {
            console
                .join("node_modules")
                .join(p)
                .join("package.json")
                .exists()
        });
    if !installed {
        run_command(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund"])
                .current_dir(console),
            "npm install (playwright-core, esbuild, typescript)",
        )?;
    }
    Ok(())
}

fn bundle(console: &Path) -> Result<()> {
    let bin = console.join("node_modules/.bin");
    run_command(
        Command::new(bin.join("tsc"))
            .args(["-p", "tsconfig.json"])
            .current_dir(console),
        "tsc (type check)",
    )?;
    let before = std::fs::read(console.join("dist/app.js")).unwrap_or_default();
    run_command(
        Command::new(bin.join("esbuild"))
            .args([
                "src/app.ts",
                "--bundle",
                "--format=esm",
                "--target=es2020",
                "--outfile=dist/app.js",
                "--log-level=warning",
            ])
            .current_dir(console),
        "esbuild (bundle)",
    )?;
    let after = std::fs::read(console.join("dist/app.js"))?;
    if before != after {
        eprintln!(
            "xtask console: dist/app.js was stale and has been rebuilt; commit it (the server embeds it)"
        );
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn browser(root: &Path, console: &Path, target: &Path) -> Result<()> {
    run_command(
        Command::new("cargo")
            .args(["build", "-p", "sync-server", "--bin", "sync-server"])
            .current_dir(root),
        "cargo build sync-server",
    )?;
    let bin = target.join("debug/sync-server");
    let data = tempdir(target)?;
    run_command(
        Command::new(&bin)
            .args(["admin", "--data-dir"])
            .arg(&data)
            .args(["create-admin", "--username", "admin"])
            .env("DAFTAR_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null()),
        "sync-server admin create-admin",
    )?;
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    eprintln!("xtask console: sync-server serve on {url}");
    let _server = Guard(
        Command::new(&bin)
            .args(["serve", "--data-dir"])
            .arg(&data)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .env("DAFTAR_LOGIN_RATE_PER_MINUTE", "1000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start sync-server")?,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("sync-server did not start listening on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = console.join("test-output");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let seed = out.join("seed.json");
    run_command(
        Command::new("cargo")
            .args([
                "test",
                "-p",
                "sync-server",
                "--test",
                "console_seed",
                "--",
                "--exact",
                "seeds_a_running_server_through_the_api",
            ])
            .env("DAFTAR_CONSOLE_URL", &url)
            .env("DAFTAR_CONSOLE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("DAFTAR_CONSOLE_SEED_OUT", &seed)
            .current_dir(root),
        "seed the server through its API",
    )?;
    let mut node = Command::new("node");
    node.arg("tests/console.test.mjs")
        .env("SEED", &seed)
        .env("OUT", &out)
        .current_dir(console);
    let mut child = Guard(node.spawn().context("cannot start node")?);
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            bail!("the browser tests took more than 5 minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if status.success() {
        cli_export(root, &url, &out)?;
    }
    let _ = std::fs::remove_dir_all(&data);
    if !status.success() {
        bail!("browser tests failed; screenshots in {}", out.display());
    }
    eprintln!("xtask console: screenshots in {}", out.display());
    Ok(())
}

/// `daftar export` against the seeded server (once the subcommand is wired into the CLI): the zip holds
/// every file of the layout and the seeded interviews.
fn cli_export(root: &Path, url: &str, out: &Path) -> Result<()> {
    let main = std::fs::read_to_string(root.join("crates/daftar-cli/src/main.rs"))?;
    if !main.contains("mod export;") {
        eprintln!(
            "xtask console: `daftar export` is not wired into the CLI yet; its check is skipped"
        );
        return Ok(());
    }
    let zip = out.join("cli-export.zip");
    run_command(
        Command::new("cargo")
            .args([
                "run",
                "-q",
                "-p",
                "daftar-cli",
                "--",
                "export",
                "--server",
                url,
            ])
            .args(["--user", "dm", "--survey", "pilot", "--out"])
            .arg(&zip)
            .env("DAFTAR_PASSWORD", "console test password")
            .env("DAFTAR_SURVEY_PASSPHRASE", "console survey passphrase")
            .stdin(Stdio::null())
            .current_dir(root),
        "daftar export",
    )?;
    let seed: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("seed.json"))?)?;
    let listing = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(' '.join(z.namelist())); print(z.read('data/main.csv').decode())",
        ])
        .arg(&zip)
        .output()?;
    let text = String::from_utf8_lossy(&listing.stdout);
    for name in [
        "data/main.csv",
        "labels.do",
        "labels.sps",
        "codebook.html",
        "paradata.csv",
    ] {
        if !text.contains(name) {
            bail!("daftar export: {name} missing from the zip");
        }
    }
    let rows = text.lines().skip(2).filter(|l| !l.is_empty()).count();
    let seeded = seed["interviews"].as_array().map(Vec::len).unwrap_or(0);
    if rows != seeded {
        bail!("daftar export: {rows} interviews in main.csv, {seeded} seeded");
    }
    eprintln!(
        "xtask console: daftar export wrote {} with the {seeded} seeded interviews",
        zip.display()
    );
    Ok(())
}

fn tempdir(target: &Path) -> Result<PathBuf> {
    let dir = target.join(format!("console-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

pub fn run(args: &[String]) -> Result<()> {
    let started = Instant::now();
    let root = workspace_root()?;
    let console = root.join("sync-server/console");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let skip = |name: &str| args.iter().any(|a| a == &format!("--skip-{name}"));
    if !skip("deps") {
        deps(&console)?;
    }
    if !skip("bundle") {
        bundle(&console)?;
    }
    if !skip("rust") {
        run_command(
            Command::new("cargo")
                .args(["test", "-p", "survey-data"])
                .current_dir(&root),
            "cargo test -p survey-data",
        )?;
        run_command(
            Command::new("cargo")
                .args(["test", "-p", "sync-server", "--test", "console"])
                .current_dir(&root),
            "cargo test -p sync-server --test console",
        )?;
    }
    if !skip("browser") {
        browser(&root, &console, &target)?;
    }
    eprintln!(
        "xtask console: all steps passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
