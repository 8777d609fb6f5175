//! `cargo xtask formbench [--with-peers]`: Daftar's engine on formbench's synthetic XLSForms, measured the
//! way formbench measures ODK Web Forms and Enketo, and (with `--with-peers`) next to them in one table.
//!
//! The forms come from formbench's own generator (`/work/shared/formbench/gen_form.py`, run with the pyxform
//! venv of `cargo xtask conformance`); with `--with-peers` formbench's `run.sh` runs in a copy under
//! `~/.cache/formbench` (formbench writes next to itself) and our runner takes the very `.xlsx` files the
//! peers' XForms were converted from. Each form is measured in a child process, so that its peak memory
//! (`VmHWM`, the kernel's `ru_maxrss`) is that form's alone:
//!
//! - **load**: read the workbook, import it (survey-xlsform), compile it (survey-spec), start a session
//!   (survey-engine, which evaluates the whole form once): the first load (cold) and the median of two more
//!   (warm), as the peers do;
//! - **answers**: `q1` (the hub), `qN` (a leaf) and `roster[⌈R/2⌉].r1`, alternating 9 and 0, 4 warm-ups then
//!   `--iters` timed answers (40): median and p95 (nearest rank), and the number of relevance flips between
//!   answering 0 and 9, which must equal the generator's expected dependents.
//!
//! Options: `--ns "100 1000 5000"`, `--rs "10 100"`, `--iters 40`, `--with-peers`, `--out FILE` (the
//! markdown report, default `crates/survey-xlsform/FORMBENCH.md`), `--peer-timeout SECONDS` (900).
//! A debug build re-runs itself in release first: figures from an unoptimised engine mean nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use survey_engine::{FixedEnvironment, Session, Step};
use survey_spec::{Answer, NoFiles, Severity};

const FORMBENCH: &str = "/work/shared/formbench";
const K: &str = "0.5";
const M: u32 = 10;

struct Options {
    ns: Vec<u32>,
    rs: Vec<u32>,
    iters: usize,
    with_peers: bool,
    /// Re-render the report from the records of the last run instead of measuring.
    from_saved: bool,
    out: PathBuf,
    peer_timeout: u64,
}

pub fn run(args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    if cfg!(debug_assertions) && std::env::var_os("DAFTAR_FORMBENCH_DEBUG").is_none() {
        // Rebuild and re-run optimised; `cargo xtask` builds the dev profile.
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "xtask",
                "--",
                "formbench",
            ])
            .args(args)
            .status()
            .context("cannot re-run `cargo xtask formbench` in release")?;
        if !status.success() {
            bail!("`cargo xtask formbench` (release) failed: {status}");
        }
        return Ok(());
    }
    let options = parse_options(args)?;
    let cache = home_cache()?;
    let saved = cache.join("daftar-formbench/results.jsonl");
    let saved_peers = cache.join("formbench/out/results.jsonl");
    if options.from_saved {
        let read = |path: &Path| -> Result<Vec<Value>> {
            let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| Ok(serde_json::from_str(l)?))
                .collect()
        };
        let ours = read(&saved)?;
        let peers = if options.with_peers {
            Some(read(&saved_peers)?)
        } else {
            None
        };
        let report = report(&options, &ours, peers.as_deref(), None);
        print!("{report}");
        std::fs::write(&options.out, &report)?;
        return Ok(());
    }
    let started = Instant::now();
    let python = crate::conformance::ensure_pyxform_venv()?;

    let (forms_dir, peers) = if options.with_peers {
        let peers = run_peers(&options, &cache)?;
        (cache.join("formbench/forms"), Some(peers))
    } else {
        let dir = cache.join("daftar-formbench/forms");
        std::fs::create_dir_all(&dir)?;
        for &n in &options.ns {
            for &r in &options.rs {
                generate(&python, n, r, &dir)?;
            }
        }
        (dir, None)
    };

    let exe = std::env::current_exe()?;
    let mut ours = Vec::new();
    for &n in &options.ns {
        for &r in &options.rs {
            let stem = format!("bench_n{n}_k{K}_r{r}_m{M}");
            let xlsx = forms_dir.join(format!("{stem}.xlsx"));
            if !xlsx.is_file() {
                generate(&python, n, r, &forms_dir)?;
            }
            let meta: Value = serde_json::from_str(&std::fs::read_to_string(
                forms_dir.join(format!("{stem}.json")),
            )?)?;
            eprintln!("== daftar N={n} R={r} M={M} K={K}");
            let output = Command::new(&exe)
                .args(["formbench", "--child"])
                .arg(&xlsx)
                .args([
                    "--n",
                    &n.to_string(),
                    "--r",
                    &r.to_string(),
                    "--iters",
                    &options.iters.to_string(),
                ])
                .output()
                .context("cannot start the measuring child")?;
            if !output.status.success() {
                bail!(
                    "measuring {} failed:\n{}",
                    xlsx.display(),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            let mut record: Value = serde_json::from_slice(&output.stdout)?;
            record["form"] = json!({
                "n": n, "k": K, "r": r, "m": M,
                "xml_bytes": meta["xml_bytes"], "hub_dependents": meta["hub_dependents"],
                "xlsx_bytes": std::fs::metadata(&xlsx)?.len(),
            });
            ours.push(record);
        }
    }

    std::fs::create_dir_all(saved.parent().context("a cache directory")?)?;
    let lines: Vec<String> = ours.iter().map(Value::to_string).collect();
    std::fs::write(&saved, lines.join("\n") + "\n")?;
    let report = report(&options, &ours, peers.as_deref(), Some(started.elapsed()));
    print!("{report}");
    std::fs::write(&options.out, &report).with_context(|| options.out.display().to_string())?;
    eprintln!("wrote {}", options.out.display());
    Ok(())
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        ns: vec![100, 1000, 5000],
        rs: vec![10, 100],
        iters: 40,
        with_peers: false,
        from_saved: false,
        out: PathBuf::from("crates/survey-xlsform/FORMBENCH.md"),
        peer_timeout: 900,
    };
    let numbers = |text: &str| -> Result<Vec<u32>> {
        text.split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().context("not a number"))
            .collect()
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--ns" => options.ns = numbers(value()?)?,
            "--rs" => options.rs = numbers(value()?)?,
            "--iters" => options.iters = value()?.parse()?,
            "--out" => options.out = PathBuf::from(value()?),
            "--peer-timeout" => options.peer_timeout = value()?.parse()?,
            "--with-peers" => options.with_peers = true,
            "--from-saved" => options.from_saved = true,
            other => bail!(
                "unknown option `{other}`; options: --with-peers, --from-saved, --ns LIST, --rs LIST, --iters N, --out FILE, --peer-timeout S"
            ),
        }
    }
    Ok(options)
}

fn home_cache() -> Result<PathBuf> {
    Ok(PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".cache"))
}

/// formbench's generator: writes `bench_n{N}_k0.5_r{R}_m10.{xlsx,xml,json}` into `out`.
fn generate(python: &Path, n: u32, r: u32, out: &Path) -> Result<()> {
    let output = Command::new(python)
        .arg(Path::new(FORMBENCH).join("gen_form.py"))
        .args([
            "--n",
            &n.to_string(),
            "--k",
            K,
            "--r",
            &r.to_string(),
            "--m",
            &M.to_string(),
            "--out",
        ])
        .arg(out)
        .output()
        .context("cannot run formbench's gen_form.py")?;
    if !output.status.success() {
        bail!(
            "gen_form.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Runs formbench's Chromium peers (ODK Web Forms, Enketo) in a copy of formbench under `~/.cache`, and
/// returns their JSON records.
fn run_peers(options: &Options, cache: &Path) -> Result<Vec<Value>> {
    let copy = cache.join("formbench");
    if !copy.join("run.sh").is_file() {
        eprintln!(
            "copying {FORMBENCH} to {} (formbench writes next to itself)",
            copy.display()
        );
        let status = Command::new("cp")
            .arg("-r")
            .arg(format!("{FORMBENCH}/."))
            .arg(&copy)
            .status()?;
        if !status.success() {
            bail!("cannot copy formbench");
        }
        Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(&copy)
            .status()?;
    }
    if Command::new("sh")
        .args(["-c", "command -v chromium || command -v chromium-browser"])
        .output()?
        .stdout
        .is_empty()
    {
        bail!(
            "the peers run in headless Chromium: install it (`apt-get install -y chromium`) or drop --with-peers"
        );
    }
    let results = copy.join("out/results.jsonl");
    let join = |values: &[u32]| {
        values
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    eprintln!(
        "running formbench's peers (ODK Web Forms and Enketo in headless Chromium); this takes minutes"
    );
    let status = Command::new("bash")
        .arg("run.sh")
        .current_dir(&copy)
        .env("NS", join(&options.ns))
        .env("RS", join(&options.rs))
        .env("ITERS", options.iters.to_string())
        .env("K", K)
        .env("M", M.to_string())
        .env("ENGINES", "chromium-webforms chromium-enketo")
        .env("TIMEOUT", options.peer_timeout.to_string())
        .env("RESULTS", "out/results.jsonl")
        .status()
        .context("cannot run formbench's run.sh")?;
    if !status.success() {
        bail!("formbench's run.sh failed: {status}");
    }
    let text = std::fs::read_to_string(&results)?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| Ok(serde_json::from_str(line)?))
        .collect()
}

/// Nearest-rank percentile, as formbench's `common.mjs`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// CPU time this thread has run, in ns (`/proc/thread-self/schedstat`): unlike wall time, other processes
/// competing for the cores do not inflate it.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Peak resident set size of this process in KiB (`VmHWM`, what `getrusage` reports as `ru_maxrss`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One load: read, import, compile, start a session. Returns the session, the total and the phases (ms).
fn timed_load(path: &Path, name: &str) -> Result<(Session, f64, Value)> {
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    let bytes = std::fs::read(path)?;
    let read = start.elapsed();
    let (doc, diagnostics) = survey_xlsform::import(&bytes, name, &NoFiles);
    let imported = start.elapsed();
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    let doc = doc
        .filter(|_| errors.is_empty())
        .with_context(|| format!("import failed: {errors:?}"))?;
    let (questionnaire, diagnostics) = survey_spec::compile(&doc, name, &NoFiles);
    let compiled = start.elapsed();
    let questionnaire: Arc<_> = questionnaire.with_context(|| {
        let errors: Vec<String> = diagnostics
            .iter()
            .take(5)
            .map(ToString::to_string)
            .collect();
        format!("compile failed: {errors:?}")
    })?;
    let env = FixedEnvironment::new(survey_expr::DateTimeValue {
        millis: 1_779_000_000_000,
        offset_minutes: 60,
    });
    let session = Session::new(questionnaire, Box::new(env));
    let total = start.elapsed();
    let cpu = match (cpu_start, thread_cpu_ns()) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before) as f64 / 1e6),
        _ => None,
    };
    let phases = json!({
        "cpu_ms": cpu,
        "read_ms": millis(read),
        "import_ms": millis(imported - read),
        "compile_ms": millis(compiled - imported),
        "session_ms": millis(total - compiled),
    });
    Ok((session, millis(total), phases))
}

/// The measuring child: one form, one JSON record on stdout.
fn child(args: &[String]) -> Result<()> {
    let path = PathBuf::from(args.first().context("--child needs a form")?);
    let mut n: u32 = 0;
    let mut r: u32 = 0;
    let mut iters = 40;
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        let value = rest.next().context("a value")?;
        match arg.as_str() {
            "--n" => n = value.parse()?,
            "--r" => r = value.parse()?,
            "--iters" => iters = value.parse()?,
            _ => bail!("unknown child option {arg}"),
        }
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();

    // Load: cold, then two warm loads; the phases of the cold load are reported too.
    let mut loads = Vec::new();
    let mut cpu_loads = Vec::new();
    let mut phases = json!({});
    let mut session = None;
    for attempt in 0..3 {
        let (s, total, split) = timed_load(&path, &name)?;
        loads.push(total);
        cpu_loads.extend(split["cpu_ms"].as_f64());
        if attempt == 0 {
            phases = split;
        }
        session = Some(s);
    }
    let mut session = session.context("no session")?;
    let mut warm = loads[1..].to_vec();
    warm.sort_by(f64::total_cmp);

    let targets = [
        ("hub", "q1".to_string()),
        ("leaf", format!("q{n}")),
        ("roster", format!("roster[{}].r1", r.div_ceil(2))),
    ];
    let mut answers = json!({});
    for (target, path) in targets {
        let set = |session: &mut Session, value: i64| {
            session.apply(&Step::Set {
                path: path.clone(),
                value: Answer::Integer(value),
            })
        };
        let relevant = |session: &Session| {
            session
                .walk()
                .into_iter()
                .filter(|i| session.is_relevant(*i))
                .count()
        };
        if let Err(rejection) = set(&mut session, 0) {
            answers[target] = json!({ "error": rejection.to_string() });
            continue;
        }
        let before = relevant(&session);
        set(&mut session, 9).map_err(|e| anyhow::anyhow!("{e}"))?;
        let toggled = relevant(&session) as i64 - before as i64;
        set(&mut session, 0).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut samples = Vec::new();
        for i in 0..iters + 4 {
            let value = if i % 2 == 0 { 9 } else { 0 };
            let start = Instant::now();
            let delta = set(&mut session, value);
            let elapsed = start.elapsed();
            std::hint::black_box(&delta);
            if i >= 4 {
                samples.push(millis(elapsed));
            }
        }
        samples.sort_by(f64::total_cmp);
        answers[target] = json!({
            "ref": path, "toggled": toggled,
            "median_ms": percentile(&samples, 0.5), "p95_ms": percentile(&samples, 0.95),
            "max_ms": samples.last(), "n": samples.len(),
        });
    }
    let mut warm_cpu = cpu_loads.get(1..).unwrap_or_default().to_vec();
    warm_cpu.sort_by(f64::total_cmp);
    let warm_cpu = percentile(&warm_cpu, 0.5);
    let record = json!({
        "engine": "daftar",
        "what": "survey-xlsform import + survey-spec compile + survey-engine Session (release build, native)",
        "load_cold_ms": loads[0],
        "load_warm_ms": percentile(&warm, 0.5),
        "load_phases_cold": phases,
        "load_cold_cpu_ms": cpu_loads.first(),
        "load_warm_cpu_ms": warm_cpu,
        "answers": answers,
        "peak_rss_mib": peak_rss_kib().map(|kib| kib as f64 / 1024.0),
        "machine": machine(),
    });
    println!("{record}");
    Ok(())
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "loadavg": loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    })
}

fn g(value: &Value) -> String {
    match value.as_f64() {
        None => "–".into(),
        Some(x) if x < 0.1 => format!("{x:.4}"),
        Some(x) if x < 10.0 => format!("{x:.2}"),
        Some(x) => format!("{x:.1}"),
    }
}

fn answer_cell(record: &Value, target: &str) -> String {
    let answer = &record["answers"][target];
    if answer.get("median_ms").is_none() {
        return "n/a".into();
    }
    format!("{} / {}", g(&answer["median_ms"]), g(&answer["p95_ms"]))
}

fn ratio(ours: &Value, peers: &[&Value], pick: impl Fn(&Value) -> Option<f64>) -> String {
    let Some(ours) = pick(ours) else {
        return "–".into();
    };
    let best = peers
        .iter()
        .filter_map(|peer| pick(peer))
        .fold(f64::INFINITY, f64::min);
    if !best.is_finite() || ours <= 0.0 {
        return "–".into();
    }
    let factor = best / ours;
    if factor >= 1.0 {
        format!("{factor:.0}× faster")
    } else {
        format!("{:.1}× slower", 1.0 / factor)
    }
}

fn report(
    options: &Options,
    ours: &[Value],
    peers: Option<&[Value]>,
    took: Option<Duration>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# formbench: Daftar's engine next to ODK Web Forms and Enketo\n"
    );
    let command = if peers.is_some() {
        "cargo xtask formbench --with-peers"
    } else {
        "cargo xtask formbench"
    };
    let _ = writeln!(
        out,
        "Command: `{command}` (crates/xtask/src/formbench.rs), N ∈ {{{}}}, R ∈ {{{}}}, M = {M}, K = {K}, {} timed answers after 4 warm-ups.\n",
        options
            .ns
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        options
            .rs
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        options.iters
    );
    let _ = writeln!(
        out,
        "The forms are formbench's (`gen_form.py`); Daftar reads the `.xlsx` the peers' XForms were converted from. \
         Daftar's load is read + XLSForm import + compile + session start (which evaluates every relevance once); \
         the peers' load is `createInstance` / `Form.init` on the pyxform XForm (Enketo's server-side XSLT excluded). \
         Answer times are median / p95 in ms. Memory: Daftar's is the peak RSS of the measuring process (VmHWM, `ru_maxrss`), \
         the peers' the JS heap after load (`performance.memory`), so the two columns are not the same measure. \
         Ratios compare Daftar with the faster of the two peers on each measure.\n"
    );
    let _ = writeln!(
        out,
        "| engine | N | R×M | load cold ms | load warm ms | hub: toggled / expected | hub answer ms | leaf answer ms | roster answer ms | memory MiB |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let f = |value: &Value| {
        value
            .as_f64()
            .map_or("–".to_string(), |x| format!("{x:.1}"))
    };
    let mut ratio_rows = Vec::new();
    for record in ours {
        let n = record["form"]["n"].as_u64().unwrap_or(0);
        let r = record["form"]["r"].as_u64().unwrap_or(0);
        let same_form: Vec<&Value> = peers
            .unwrap_or_default()
            .iter()
            .filter(|peer| {
                peer["form"]["n"].as_u64() == Some(n) && peer["form"]["r"].as_u64() == Some(r)
            })
            .collect();
        for row in std::iter::once(record).chain(same_form.iter().copied()) {
            if let Some(failed) = row.get("failed") {
                let _ = writeln!(
                    out,
                    "| {} | {n} | {r}×{M} | FAILED: {} | | | | | | |",
                    row["engine"].as_str().unwrap_or("?"),
                    failed
                );
                continue;
            }
            let memory = if row["engine"] == "daftar" {
                &row["peak_rss_mib"]
            } else {
                &row["heap_mib_after_load"]
            };
            let _ = writeln!(
                out,
                "| {} | {n} | {r}×{M} | {} | {} | {} / {} | {} | {} | {} | {} |",
                row["engine"].as_str().unwrap_or("?"),
                f(&row["load_cold_ms"]),
                f(&row["load_warm_ms"]),
                row["answers"]["hub"]["toggled"],
                row["form"]["hub_dependents"],
                answer_cell(row, "hub"),
                answer_cell(row, "leaf"),
                answer_cell(row, "roster"),
                f(memory),
            );
        }
        let valid: Vec<&Value> = same_form
            .iter()
            .copied()
            .filter(|peer| peer.get("failed").is_none())
            .collect();
        if !valid.is_empty() {
            let answer =
                |target: &'static str| move |v: &Value| v["answers"][target]["median_ms"].as_f64();
            ratio_rows.push(format!(
                "| {n} | {r}×{M} | {} | {} | {} | {} |",
                ratio(record, &valid, |v| v["load_cold_ms"].as_f64()),
                ratio(record, &valid, answer("hub")),
                ratio(record, &valid, answer("leaf")),
                ratio(record, &valid, answer("roster")),
            ));
        }
    }
    if !ratio_rows.is_empty() {
        let _ = writeln!(
            out,
            "\nDaftar against the faster peer on each measure (medians):\n"
        );
        let _ = writeln!(
            out,
            "| N | R×M | load (cold) | hub answer | leaf answer | roster answer |"
        );
        let _ = writeln!(out, "|---:|---:|---|---|---|---|");
        for row in ratio_rows {
            let _ = writeln!(out, "{row}");
        }
    }
    if let Some(target) = ours
        .iter()
        .find(|r| r["form"]["n"] == 5000 && r["form"]["r"] == 100)
    {
        let _ = writeln!(
            out,
            "\nTargets at N = 5000, R = 100: load ≤ 50 ms (Daftar cold: {} ms); leaf answer ≤ 20 µs (Daftar: {} µs median); hub answer ≥ 100× faster than the faster peer.",
            f(&target["load_cold_ms"]),
            target["answers"]["leaf"]["median_ms"]
                .as_f64()
                .map_or("–".into(), |ms| format!("{:.1}", ms * 1000.0))
        );
        let _ = writeln!(
            out,
            "Daftar's cold-load phases there: {}.",
            target["load_phases_cold"]
        );
        let _ = writeln!(
            out,
            "Daftar's load in CPU time of the loading thread (`/proc/thread-self/schedstat`, which other processes competing for the cores do not inflate): cold {} ms, warm {} ms.",
            f(&target["load_cold_cpu_ms"]),
            f(&target["load_warm_cpu_ms"])
        );
    }
    if let Some(first) = ours.first() {
        let machine = &first["machine"];
        let _ = writeln!(
            out,
            "\nMachine: {}, {} cores, load average at the first Daftar run {}. The machine is shared with other builds, so absolute \
             figures may be inflated (formbench's README §3.4); the rows of one run faced the same conditions.",
            machine["cpu"].as_str().unwrap_or("?"),
            machine["cores"],
            machine["loadavg"].as_str().unwrap_or("?")
        );
    }
    if let Some(peers) = peers {
        let mut versions = serde_json::Map::new();
        let mut loads: Vec<f64> = Vec::new();
        for peer in peers {
            if let Some(map) = peer["versions"].as_object() {
                versions.extend(map.clone());
            }
            if let Some(load) = peer["machine"]["loadavg"][0].as_f64() {
                loads.push(load);
            }
        }
        let versions: Vec<String> = versions
            .iter()
            .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("?")))
            .collect();
        let _ = writeln!(out, "Peer versions: {}.", versions.join(", "));
        if let (Some(min), Some(max)) = (
            loads.iter().copied().reduce(f64::min),
            loads.iter().copied().reduce(f64::max),
        ) {
            let _ = writeln!(
                out,
                "1-min load average at the end of each peer run: {min}–{max} (2 cores)."
            );
        }
        if let Some(cpu) = peers
            .iter()
            .find_map(|peer| peer["machine"]["cpu"].as_str())
        {
            let _ = writeln!(
                out,
                "Peers' machine record: {cpu}, Node {}.",
                peers
                    .iter()
                    .find_map(|p| p["machine"]["node"].as_str())
                    .unwrap_or("?")
            );
        }
    }
    if let Some(took) = took {
        let _ = writeln!(
            out,
            "The whole run took {:.1} min.",
            took.as_secs_f64() / 60.0
        );
    }
    out
}
