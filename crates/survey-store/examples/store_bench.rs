//! Store benchmark: PBKDF2 cost, save and load latency, listing, and database size.
//!
//! Run with `cargo run --release -p survey-store --example store_bench` (see `BENCHMARKS.md`).
//! `STORE_BENCH_DIR` picks the directory for the database (default: the system temp dir; use a directory on
//! the disk you want to measure, since fsync cost is most of a save). `STORE_BENCH_INTERVIEWS` sets the
//! number of interviews for the listing and size figures (default 10,000).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use survey_spec::{Answer, GeoPoint};
use survey_store::*;
use uuid::Uuid;

/// A clock for the benchmark: the system clock is fine here (this is a binary, not library code).
fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A pilot-sized interview: a household of 8 with modules on migration episodes, work and recruitment
/// costs, about 300 answers with realistic French and Arabic strings.
fn pilot_interview(seed: u64) -> InterviewContent {
    let mut answers: Vec<(String, Answer)> = Vec::with_capacity(320);
    let text = |s: &str| Answer::Text(s.to_owned());
    let choice = |s: &str| Answer::Choice(s.to_owned());
    answers.push(("consent".into(), Answer::Acknowledged));
    answers.push(("region".into(), choice("casablanca_settat")));
    answers.push(("commune".into(), text("Sidi Bernoussi")));
    answers.push((
        "address".into(),
        text("Lotissement Al Amal, rue 12, n° 45, Casablanca"),
    ));
    answers.push((
        "gps".into(),
        Answer::Geo(GeoPoint {
            lat: 33.6 + (seed % 1000) as f64 * 1e-5,
            lon: -7.5,
            alt: 40.0,
            acc: 6.5,
        }),
    ));
    answers.push((
        "start".into(),
        Answer::DateTime {
            millis: 1_750_000_000_000 + seed as i64,
            offset_minutes: 60,
        },
    ));
    answers.push(("hh_size".into(), Answer::Integer(8)));
    let names = [
        "Mamadou Diallo",
        "Aminata Traoré",
        "Ousmane Ndiaye",
        "فاطمة الزهراء",
        "Jean-Baptiste Kouassi",
        "Awa Sow",
        "محمد أمين",
        "Grace Okafor",
    ];
    for m in 1..=8 {
        let p = |field: &str| format!("hh_roster[{m}].{field}");
        answers.push((p("name"), text(names[m - 1])));
        answers.push((p("sex"), choice(if m % 2 == 0 { "f" } else { "m" })));
        answers.push((
            p("age"),
            Answer::Integer(18 + (seed as i64 + m as i64) % 40),
        ));
        answers.push((p("relation"), choice("head_spouse_child")));
        answers.push((p("nationality"), choice("SEN")));
        answers.push((p("birth_country"), choice("CIV")));
        answers.push((p("arrival_date"), Answer::Date(17_000 + m as i32 * 30)));
        answers.push((p("legal_status"), choice("residence_permit_pending")));
        answers.push((
            p("languages"),
            Answer::Choices(vec!["fr".into(), "wolof".into(), "darija".into()]),
        ));
        answers.push((p("education"), choice("secondary_incomplete")));
        answers.push((p("worked_last_week"), choice("yes")));
        answers.push((
            p("occupation"),
            text("Ouvrier du bâtiment, maçonnerie et coffrage"),
        ));
        answers.push((p("isco"), choice("7112")));
        answers.push((p("employer_type"), choice("informal_private")));
        answers.push((p("hours"), Answer::Integer(54)));
        answers.push((
            p("monthly_income"),
            Answer::Money {
                amount: 2_800.0 + m as f64 * 150.0,
                currency: "MAD".into(),
            },
        ));
        answers.push((p("contract"), choice("none")));
        answers.push((p("social_security"), choice("no")));
        for e in 1..=2 {
            let q = |field: &str| format!("hh_roster[{m}].episodes[{e}].{field}");
            answers.push((q("country"), choice(if e == 1 { "ESP" } else { "LBY" })));
            answers.push((q("start"), Answer::Date(16_000 + e * 200)));
            answers.push((q("end"), Answer::Date(16_150 + e * 200)));
            answers.push((q("job"), text("Cueillette de fraises, saisonnier agricole")));
            answers.push((q("recruiter"), choice("private_agency")));
            answers.push((
                q("fee_paid"),
                Answer::Money {
                    amount: 12_000.0,
                    currency: "MAD".into(),
                },
            ));
            answers.push((q("fee_borrowed"), choice("yes")));
            answers.push((q("months_to_repay"), Answer::Integer(7)));
            answers.push((q("passport_kept"), choice("no")));
            answers.push((
                q("comment"),
                text("Le recruteur a demandé des frais supplémentaires à l'arrivée"),
            ));
        }
    }
    answers.push((
        "remittances".into(),
        Answer::Money {
            amount: 1_500.5,
            currency: "EUR".into(),
        },
    ));
    answers.push(("share_income".into(), Answer::Decimal(0.37)));
    answers.push((
        "interviewer_notes".into(),
        text("الأسرة متعاونة، المقابلة أجريت بالفرنسية والدارجة"),
    ));
    InterviewContent {
        answers,
        confirmed_warnings: vec!["hh_roster[3].age".into()],
        cursor: Some("hh_roster[8].episodes[2].comment".into()),
        language: Some("fr".into()),
        rows: vec![("hh_roster".into(), 8), ("hh_roster[8].episodes".into(), 2)],
    }
}

fn pbkdf2_figures() {
    let iterations = 100_000;
    let mut out = [0u8; 32];
    let mut runs = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(iterations).unwrap(),
            b"sixteen byte sal",
            b"482913",
            &mut out,
        );
        runs.push(start.elapsed());
    }
    runs.sort();
    // The fastest run is the best estimate of an idle core's cost (the machine is shared); the median is
    // printed too.
    let per_iteration = runs[0].as_secs_f64() / f64::from(iterations);
    println!(
        "pbkdf2-hmac-sha256: {:.3} µs per iteration (fastest of 5 × {iterations}; median {:.3} µs)",
        per_iteration * 1e6,
        runs[2].as_secs_f64() / f64::from(iterations) * 1e6
    );
    let default = f64::from(DEFAULT_PBKDF2_ITERATIONS) * per_iteration;
    println!(
        "  default {} iterations: {:.0} ms here, {:.0}-{:.0} ms on a tablet core 3-5x slower",
        DEFAULT_PBKDF2_ITERATIONS,
        default * 1e3,
        default * 3e3,
        default * 5e3
    );
    println!(
        "  iterations for 0.5 s on a tablet 4x slower: {:.0}",
        0.5 / (4.0 * per_iteration)
    );
}

fn main() -> Result<(), StoreError> {
    let count: usize = std::env::var("STORE_BENCH_INTERVIEWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let base = std::env::var_os("STORE_BENCH_DIR")
        .map(Into::into)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let db = dir.path().join("bench.db");
    let device = FileKeyProvider::in_dir(dir.path());
    let recovery = RecoveryKeyPair::generate()?;
    println!("database: {}", db.display());

    pbkdf2_figures();
    let profile = NewProfile::new("enum-01", "Bench", "482913", recovery.public.clone());
    Store::create_profile(&db, &profile, &device, clock())?.close()?;
    let start = Instant::now();
    let mut store = Store::open(&db, "enum-01", "482913", &device, clock())?;
    println!(
        "unlock with the default iteration count: {}",
        ms(start.elapsed())
    );

    let sample = pilot_interview(0);
    println!("pilot interview: {} answers", sample.answers.len());

    // Create `count` interviews (each a durable save), timing every one.
    let ids: Vec<Uuid> = (0..count)
        .map(|n| Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n as u128))
        .collect();
    let mut creates = Vec::with_capacity(count);
    let all = Instant::now();
    for (n, id) in ids.iter().enumerate() {
        let content = pilot_interview(n as u64);
        let start = Instant::now();
        store.create_interview(
            &NewInterview::new(*id, "migrants", "v3").with_assignment(format!("A-{}", n % 500)),
            &content,
        )?;
        creates.push(start.elapsed());
        if n + 1 == 1_000 {
            store.close()?;
            let size = std::fs::metadata(&db).expect("db size").len();
            println!(
                "database size with 1,000 pilot interviews: {:.1} MiB ({:.1} KiB per interview)",
                size as f64 / 1_048_576.0,
                size as f64 / 1_000.0 / 1024.0
            );
            store = Store::open(&db, "enum-01", "482913", &device, clock())?;
        }
    }
    println!(
        "created {count} interviews in {:.1} s",
        all.elapsed().as_secs_f64()
    );

    // Saves of existing interviews: encode + encrypt + durable commit, with 2 paradata events each.
    let events = vec![
        ParadataEvent {
            at_millis: 1,
            kind: "answer_changed".into(),
            path: Some("hh_roster[2].age".into()),
            answer: Some(Answer::Integer(31)),
            detail: None,
        },
        ParadataEvent {
            at_millis: 2,
            kind: "navigate".into(),
            path: Some("hh_roster[3].name".into()),
            answer: None,
            detail: None,
        },
    ];
    let mut saves = Vec::new();
    for (n, id) in ids.iter().take(2_000).enumerate() {
        let content = pilot_interview(n as u64 + 7);
        let start = Instant::now();
        store.save_interview(*id, 1, InterviewStatus::InProgress, &content, &events)?;
        saves.push(start.elapsed());
    }
    saves.sort();
    creates.sort();
    println!(
        "save (encrypt + durable commit, 2 events), {} saves: p50 {} p99 {} max {}",
        saves.len(),
        ms(percentile(&saves, 0.5)),
        ms(percentile(&saves, 0.99)),
        ms(*saves.last().unwrap())
    );
    println!(
        "create, {} creates: p50 {} p99 {}",
        creates.len(),
        ms(percentile(&creates, 0.5)),
        ms(percentile(&creates, 0.99))
    );

    let mut loads = Vec::new();
    for id in ids.iter().step_by((count / 2_000).max(1)) {
        let start = Instant::now();
        let interview = store.load_interview(*id)?;
        loads.push(start.elapsed());
        assert!(interview.content.answers.len() > 250);
    }
    loads.sort();
    println!(
        "load (read + decrypt + decode), {} loads: p50 {} p99 {}",
        loads.len(),
        ms(percentile(&loads, 0.5)),
        ms(percentile(&loads, 0.99))
    );

    let mut lists = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let listed = store.list_interviews(&InterviewFilter::default())?;
        lists.push(start.elapsed());
        assert_eq!(listed.len(), count);
    }
    lists.sort();
    println!(
        "list all {count} interviews: p50 {} max {}",
        ms(percentile(&lists, 0.5)),
        ms(*lists.last().unwrap())
    );
    let mut filtered = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        store.list_interviews(&InterviewFilter {
            assignment_id: Some("A-7".into()),
            ..Default::default()
        })?;
        filtered.push(start.elapsed());
    }
    filtered.sort();
    println!("list by assignment: p50 {}", ms(percentile(&filtered, 0.5)));

    store.close()?;
    let size = std::fs::metadata(&db).expect("db size").len();
    println!(
        "database size with {count} pilot interviews: {:.1} MiB ({:.1} MiB per 1,000)",
        size as f64 / 1_048_576.0,
        size as f64 / 1_048_576.0 / (count as f64 / 1_000.0)
    );
    Ok(())
}
