//! `cargo xtask bench`: the engine benchmark on generated questionnaires.
//!
//! The questionnaires have the shape of formbench's `gen_form.py`: N top-level integer questions, half of
//! q2..qN with a relevance on an earlier question (every fourth of those on q1, the "hub", the others on one
//! of the previous 50), and a roster with a fixed count of R rows × 10 questions where half of r2..r10 depend on
//! r1 and r10 also depends on the hub. Each configuration runs in a child process so its peak memory is its
//! own. Timing uses medians and 95th percentiles over repeated answers; the figures go to
//! `docs/benchmarks.md`.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use survey_engine::{FixedEnvironment, Session, Step};
use survey_expr::DateTimeValue;
use survey_spec::{Answer, NoFiles, Questionnaire};

/// Deterministic "every k-th" selection, as formbench's `relevance_flags`.
fn flags(count: usize, k: f64) -> Vec<bool> {
    (0..count)
        .map(|i| ((i + 1) as f64 * k).floor() != (i as f64 * k).floor())
        .collect()
}

/// A small deterministic generator (xorshift), so every run builds the same questionnaire.
struct Rng(u64);

impl Rng {
    fn range(&mut self, low: usize, high: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + (self.0 % (high - low + 1) as u64) as usize
    }
}

/// The generated questionnaire in the native format, and how many items depend on the hub.
pub fn generate(n: usize, r: usize, m: usize) -> (String, usize) {
    let k = 0.5;
    let mut rng = Rng(42);
    let mut out = String::with_capacity(n * 80);
    out.push_str("daftar: 1\nid: bench\nversion: \"1\"\nitems:\n");
    let mut hub_dependents = 0;
    let top_flags = flags(n - 1, k);
    let mut with_relevance = 0;
    for i in 1..=n {
        out.push_str(&format!(
            "  - {{name: q{i}, type: integer, label: \"Question {i}\""
        ));
        if i >= 2 && top_flags[i - 2] {
            with_relevance += 1;
            let j = if with_relevance % 4 == 0 {
                1
            } else {
                rng.range((i as i64 - 50).max(1) as usize, i - 1)
            };
            hub_dependents += usize::from(j == 1);
            out.push_str(&format!(", relevant: \"${{q{j}}} > {}\"", i % 5));
        }
        out.push_str("}\n");
    }
    if r > 0 && m > 0 {
        out.push_str(&format!("  - name: roster\n    type: roster\n    label: Roster\n    repeat_count: \"{r}\"\n    max_rows: {r}\n    items:\n"));
        let roster_flags = flags(m.saturating_sub(1), k);
        for t in 1..=m {
            let mut relevant = String::new();
            if t >= 2 && roster_flags[t - 2] {
                relevant = format!("${{r1}} > {}", t % 5);
            }
            if t == m && m >= 2 {
                relevant = if relevant.is_empty() {
                    "${q1} > 0".into()
                } else {
                    format!("${{q1}} > 0 and {relevant}")
                };
            }
            out.push_str(&format!(
                "      - {{name: r{t}, type: integer, label: \"Roster question {t}\""
            ));
            if !relevant.is_empty() {
                out.push_str(&format!(", relevant: \"{relevant}\""));
            }
            out.push_str("}\n");
        }
        if m >= 2 {
            hub_dependents += r;
        }
    }
    (out, hub_dependents)
}

fn env() -> Box<FixedEnvironment> {
    Box::new(FixedEnvironment::new(DateTimeValue {
        millis: 1_792_054_800_000,
        offset_minutes: 60,
    }))
}

fn load(text: &str) -> Arc<Questionnaire> {
    let (q, diagnostics) = survey_spec::load(text, "bench.yaml", &NoFiles);
    match q {
        Some(q) => q,
        None => panic!("the generated questionnaire does not compile: {diagnostics:?}"),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// Times `answers` alternating values on one path; returns (median, p95).
fn time_answers(session: &mut Session, path: &str, answers: usize) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(answers);
    for i in 0..answers {
        let value = Answer::Integer(if i % 2 == 0 { 9 } else { 0 });
        let step = Step::Set {
            path: path.to_string(),
            value,
        };
        let start = Instant::now();
        let result = session.apply(&step);
        times.push(start.elapsed());
        if let Err(e) = result {
            panic!("answering {path}: {e}");
        }
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.95))
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One configuration, in this process: prints one tab-separated line of figures.
fn child(n: usize, r: usize) -> Result<()> {
    let (text, hub_dependents) = generate(n, r, 10);
    let mut loads = Vec::new();
    let mut starts = Vec::new();
    let mut last = None;
    for _ in 0..15 {
        // One questionnaire and session alive at a time, as on a tablet: the peak is one load's.
        drop(last.take());
        let t = Instant::now();
        let q = load(&text);
        loads.push(t.elapsed());
        let t = Instant::now();
        let session = Session::new(q.clone(), env());
        starts.push(t.elapsed());
        last = Some(session);
    }
    loads.sort();
    starts.sort();
    let mut session = last.context("no session")?;
    // The leaf: the last top-level question, which nothing reads.
    let leaf = format!("q{n}");
    let (hub_median, hub_p95) = time_answers(&mut session, "q1", 41);
    session
        .apply(&Step::Set {
            path: "q1".into(),
            value: Answer::Integer(9),
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (leaf_median, leaf_p95) = time_answers(&mut session, &leaf, 200);
    let roster_path = format!("roster[{}].r1", r.div_ceil(2).max(1));
    let (roster_median, roster_p95) = if r > 0 {
        time_answers(&mut session, &roster_path, 200)
    } else {
        Default::default()
    };
    println!(
        "{n}\t{r}\t{hub_dependents}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.1}",
        millis(percentile(&loads, 0.5)),
        millis(percentile(&starts, 0.5)),
        micros(hub_median),
        micros(hub_p95),
        micros(leaf_median),
        micros(leaf_p95),
        micros(roster_median),
        micros(roster_p95),
        text.len() / 1024,
        peak_rss_kib() as f64 / 1024.0,
    );
    Ok(())
}

pub fn run(args: &[String]) -> Result<()> {
    if let [flag, n, r] = args
        && flag == "--child"
    {
        return child(n.parse()?, r.parse()?);
    }
    if let [flag, n, r, file] = args
        && flag == "--write"
    {
        // The generated questionnaire itself, to profile or inspect.
        let (text, _) = generate(n.parse()?, r.parse()?, 10);
        std::fs::write(file, text)?;
        return Ok(());
    }
    if cfg!(debug_assertions) {
        // Figures from a debug build mean nothing: rebuild optimised and run that.
        let status = Command::new(env!("CARGO"))
            .args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "xtask",
                "--",
                "bench",
            ])
            .args(args)
            .status()
            .context("running the optimised benchmark")?;
        if !status.success() {
            bail!("the benchmark failed");
        }
        return Ok(());
    }
    let exe = std::env::current_exe()?;
    println!(
        "Engine benchmark (release build; medians over repeated runs; each row in its own process)"
    );
    println!(
        "| N | R | hub dependents | load ms | session start ms | hub answer µs (median / p95) | leaf answer µs (median / p95) | roster answer µs (median / p95) | spec KiB | peak RSS MiB |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (n, r) in [(100, 10), (1000, 10), (1000, 100), (5000, 10), (5000, 100)] {
        let output = Command::new(&exe)
            .args(["bench", "--child", &n.to_string(), &r.to_string()])
            .output()?;
        if !output.status.success() {
            bail!(
                "N={n} R={r} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let line = String::from_utf8(output.stdout)?;
        let f: Vec<&str> = line.trim().split('\t').collect();
        if f.len() != 13 {
            bail!("unexpected benchmark output: {line}");
        }
        println!(
            "| {} | {} | {} | {} | {} | {} / {} | {} / {} | {} / {} | {} | {} |",
            f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_questionnaires_have_formbench_shape() {
        let (text, hub) = generate(100, 10, 10);
        let q = load(&text);
        // q1..q100, the roster, r1..r10.
        assert_eq!(q.nodes.len(), 111);
        let relevant = q.nodes.iter().filter(|n| n.relevant.is_some()).count();
        assert_eq!(relevant, 49 + 5);
        // Every fourth relevance is on the hub (12 of 49), and early questions may draw q1 at random too.
        let on_hub = q.dependents[0].len();
        assert!(on_hub > 12, "{on_hub}");
        assert_eq!(
            hub,
            on_hub - 1 + 10,
            "top-level dependents, plus r10 in each of the 10 rows"
        );
    }
}
