//! `daftar spec check`, `daftar spec stats` and `daftar demo`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Value as Json, json};
use survey_spec::model::{Condition, Kind};
use survey_spec::{Questionnaire, Severity};

use crate::{BadInput, clock, expect, load, play, say};

pub fn check(files: &[PathBuf], as_json: bool) -> Result<ExitCode> {
    let mut all = Vec::new();
    for file in files {
        let (_, diagnostics) = load::load(file);
        all.extend(diagnostics);
    }
    if as_json {
        let list: Vec<Json> = all
            .iter()
            .map(|d| {
                let (line, col) = d.loc.line_col();
                json!({"file": d.file.as_ref(), "line": line, "col": col, "severity": d.severity.to_string(), "code": d.code, "message": d.message})
            })
            .collect();
        say!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for d in &all {
            say!("{d}");
        }
    }
    let failed = all.iter().any(|d| d.severity == Severity::Error);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Counts that describe a questionnaire.
pub fn statistics(q: &Questionnaire) -> Json {
    let mut by_kind: BTreeMap<&str, u32> = BTreeMap::new();
    let mut expressions = 0u32;
    let mut depth = 0u32;
    let mut texts_by_language = vec![0u32; q.languages.len()];
    let mut count_text = |t: &Option<survey_spec::model::Text>| {
        if let Some(t) = t {
            for (i, s) in t.by_language.iter().enumerate() {
                texts_by_language[i] += u32::from(!s.is_empty());
            }
        }
    };
    for node in &q.nodes {
        *by_kind.entry(node.kind.name()).or_default() += 1;
        depth = depth.max(node.roster_depth + u32::from(node.kind == Kind::Roster));
        expressions += node.relevant.is_some() as u32
            + node.calculation.is_some() as u32
            + node.choice_filter.is_some() as u32
            + node.repeat_count.is_some() as u32
            + node.checks.len() as u32
            + matches!(node.required, Condition::When(_)) as u32
            + matches!(node.read_only, Condition::When(_)) as u32;
        for t in [
            &node.label,
            &node.hint,
            &node.required_message,
            &node.row_label,
        ] {
            count_text(t);
        }
        for check in &node.checks {
            count_text(&check.message);
        }
    }
    let choices: usize = q.choice_lists.iter().map(|l| l.choices.len()).sum();
    for list in &q.choice_lists {
        for c in &list.choices {
            count_text(&Some(c.label.clone()));
        }
    }
    let items = q.nodes.iter().filter(|n| !n.kind.is_container()).count();
    let questions = q
        .nodes
        .iter()
        .filter(|n| n.kind.is_question() && n.calculation.is_none())
        .count();
    let languages: serde_json::Map<String, Json> = q
        .languages
        .iter()
        .zip(&texts_by_language)
        .map(|(l, n)| (l.clone(), json!(n)))
        .collect();
    json!({
        "id": q.id,
        "version": q.version,
        "content_hash": q.content_hash(),
        "items": items,
        "questions": questions,
        "calculations": by_kind.get("calculate").copied().unwrap_or(0),
        "rosters": by_kind.get("roster").copied().unwrap_or(0),
        "roster_depth": depth,
        "sections": by_kind.get("section").copied().unwrap_or(0),
        "groups": by_kind.get("group").copied().unwrap_or(0),
        "expressions": expressions,
        "choice_lists": q.choice_lists.len(),
        "choices": choices,
        "tables": q.tables.len(),
        "monitoring_fields": q.monitoring.len(),
        "quotas": q.quotas.len(),
        "texts_per_language": languages,
        "items_by_type": by_kind,
    })
}

pub fn stats(file: &Path, as_json: bool) -> Result<ExitCode> {
    let q = play::questionnaire(file)?;
    let s = statistics(&q);
    if as_json {
        say!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!("questionnaire   {} version {}", q.id, q.version);
    say!("content hash    {}", q.content_hash());
    for key in [
        "items",
        "questions",
        "calculations",
        "sections",
        "groups",
        "rosters",
        "roster_depth",
        "expressions",
        "choice_lists",
        "choices",
        "tables",
        "monitoring_fields",
        "quotas",
    ] {
        say!("{:<16}{}", key.replace('_', " "), s[key]);
    }
    let langs: Vec<String> = q
        .languages
        .iter()
        .map(|l| format!("{l} {}", s["texts_per_language"][l]))
        .collect();
    say!("texts per language  {}", langs.join(", "));
    let kinds: Vec<String> = s["items_by_type"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    say!("items by type   {}", kinds.join(", "));
    Ok(ExitCode::SUCCESS)
}

/// The scripts of a questionnaire folder that carry expectations: `(script, expectation)` pairs.
pub fn scripts(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(dir.join("scripts"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".expect.json")
        })
        .map(|p| {
            let expect = p.with_extension("expect.json");
            (p, expect)
        })
        .filter(|(_, e)| e.exists())
        .collect();
    out.sort();
    out
}

/// Plays one script and compares it with its expectation; returns the mismatches.
pub fn run_expectation(
    q: &std::sync::Arc<Questionnaire>,
    script: &Path,
    expectation: &Path,
) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(expectation)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", expectation.display())))?;
    let expected: Json = serde_json::from_str(&text)
        .map_err(|e| BadInput(format!("{}: not valid JSON: {e}", expectation.display())))?;
    let now = clock::instant(expected["now"].as_str(), expected["tz"].as_str())?;
    let steps = play::read_script(script)?;
    let report = play::play(q.clone(), &steps, now, expected["lang"].as_str())?;
    Ok(expect::compare(&expected, &report))
}

pub fn demo(dir: &Path) -> Result<ExitCode> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", dir.display())))?
        .flatten()
        .map(|e| e.path().join("questionnaire.yaml"))
        .filter(|p| p.exists())
        .collect();
    specs.sort();
    let mut failures = 0;
    for spec in &specs {
        let (q, diagnostics) = load::load(spec);
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = diagnostics.len() - errors;
        say!(
            "check {}: {errors} error(s), {warnings} warning(s)",
            spec.display()
        );
        for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            say!("  {d}");
        }
        let Some(q) = q else {
            failures += 1;
            continue;
        };
        let s = statistics(&q);
        say!(
            "  {} items, {} rosters, {} expressions, languages {}",
            s["items"],
            s["rosters"],
            s["expressions"],
            q.languages.join("/")
        );
        let folder = spec.parent().unwrap_or(Path::new("."));
        for (script, expectation) in scripts(folder) {
            let name = script
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let problems = run_expectation(&q, &script, &expectation)?;
            if problems.is_empty() {
                say!("  play {name}: as expected");
            } else {
                failures += 1;
                say!("  play {name}: {} difference(s)", problems.len());
                for p in problems {
                    say!("    {p}");
                }
            }
        }
    }
    if specs.is_empty() {
        return Err(BadInput(format!(
            "no questionnaire.yaml found in the folders of {}",
            dir.display()
        ))
        .into());
    }
    say!(
        "{}",
        if failures == 0 {
            "demo: all questionnaires check and every scripted interview ends as expected"
        } else {
            "demo: some checks failed"
        }
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn expect_run(spec: &Path, script: &Path, expectation: &Path) -> Result<ExitCode> {
    let q = play::questionnaire(spec)?;
    let problems = run_expectation(&q, script, expectation)?;
    for p in &problems {
        say!("{}: {p}", script.display());
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What `spec import` / `spec export` write.
pub enum Target {
    /// The native YAML format.
    Native,
    /// An XLSForm workbook.
    Xlsform,
}

/// Converts a questionnaire between formats. The source must compile without error; side files (CSV lists
/// and tables) are copied next to the output when it goes to another folder.
pub fn convert(input: &Path, output: &Path, target: Target) -> Result<ExitCode> {
    let (document, mut diagnostics) = load::read_document(input);
    if let Some(document) = &document
        && !diagnostics.iter().any(|d| d.severity == Severity::Error)
    {
        let (_, more) = survey_spec::compile(
            document,
            &input.display().to_string(),
            &load::loader_for(input),
        );
        diagnostics.extend(more);
    }
    for d in &diagnostics {
        eprintln!("{d}");
    }
    let document = match document {
        Some(d) if !diagnostics.iter().any(|d| d.severity == Severity::Error) => d,
        _ => {
            eprintln!(
                "daftar: {} has errors; nothing was written",
                input.display()
            );
            return Ok(ExitCode::from(1));
        }
    };
    let bytes = match target {
        Target::Native => survey_xlsform::to_native_yaml(&document).into_bytes(),
        Target::Xlsform => survey_xlsform::export(&document)
            .map_err(|e| BadInput(format!("cannot write the workbook: {e}")))?,
    };
    std::fs::write(output, bytes)
        .map_err(|e| BadInput(format!("cannot write {}: {e}", output.display())))?;
    let from = input.parent().unwrap_or(Path::new("."));
    let to = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if from.canonicalize().ok() != to.canonicalize().ok() {
        for file in side_files(&document) {
            let (source, dest) = (from.join(&file), to.join(&file));
            if source.exists() && !dest.exists() {
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::copy(&source, &dest)
                    .map_err(|e| BadInput(format!("cannot copy {}: {e}", source.display())))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn side_files(document: &survey_spec::Document) -> Vec<String> {
    let mut files: Vec<String> = document
        .tables
        .iter()
        .map(|t| t.file.value.clone())
        .collect();
    for list in &document.choice_lists {
        if let survey_spec::document::ChoiceSource::File(f) = &list.source {
            files.push(f.value.clone());
        }
    }
    files.sort();
    files.dedup();
    files
}

/// Writes a bundle: the questionnaire and every side file it names, after checking that it compiles.
pub fn bundle(input: &Path, output: &Path) -> Result<ExitCode> {
    let (document, diagnostics) = load::read_document(input);
    let (questionnaire, more) = match &document {
        Some(document) => survey_spec::compile(
            document,
            &input.display().to_string(),
            &load::loader_for(input),
        ),
        None => (None, Vec::new()),
    };
    let errors: Vec<_> = diagnostics
        .iter()
        .chain(&more)
        .filter(|d| d.severity == Severity::Error)
        .collect();
    for d in &errors {
        eprintln!("{d}");
    }
    let (Some(document), Some(_), true) = (document, questionnaire, errors.is_empty()) else {
        eprintln!(
            "daftar: {} has errors; no bundle was written",
            input.display()
        );
        return Ok(ExitCode::from(1));
    };
    let name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let main = std::fs::read(input)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", input.display())))?;
    let mut bundle = survey_spec::Bundle::new(&name, main).map_err(BadInput)?;
    let folder = input.parent().unwrap_or(Path::new("."));
    for file in side_files(&document) {
        let bytes = std::fs::read(folder.join(&file))
            .map_err(|e| BadInput(format!("cannot read {file}: {e}")))?;
        bundle.add(&file, bytes).map_err(BadInput)?;
    }
    std::fs::write(output, bundle.to_zip())
        .map_err(|e| BadInput(format!("cannot write {}: {e}", output.display())))?;
    Ok(ExitCode::SUCCESS)
}
