//! `daftar play`: scripted interviews, and the JSON report of the resulting state.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use serde_json::{Map, Value as Json, json};
use survey_engine::{FixedEnvironment, Session, Step};
use survey_expr::DateTimeValue;
use survey_spec::{Questionnaire, Severity, value_text};

use crate::clock;
use crate::load;
use crate::{BadInput, say};

/// A step as written in a script, before its value is typed by the item it addresses.
pub enum ScriptStep {
    Set { path: String, value: Json },
    Clear { path: String },
    Add { roster: String },
    Remove { row: String },
    Confirm { path: String },
}

/// Reads a script file: a JSON array of steps.
pub fn read_script(path: &Path) -> Result<Vec<ScriptStep>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read script {}: {e}", path.display())))?;
    let json: Json = serde_json::from_str(&text).map_err(|e| {
        BadInput(format!(
            "{}:{}:{}: the script is not valid JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let Json::Array(steps) = json else {
        return Err(BadInput(format!(
            "{}: a script is a JSON array of steps",
            path.display()
        ))
        .into());
    };
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            parse_step(step)
                .map_err(|e| BadInput(format!("{}: step {}: {e}", path.display(), i + 1)).into())
        })
        .collect()
}

fn parse_step(step: &Json) -> Result<ScriptStep, String> {
    let object = step.as_object().ok_or_else(|| {
        format!("a step is an object like {{\"set\": PATH, \"value\": V}}, got {step}")
    })?;
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`{key}` must be a path string"))
    };
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    let step = match keys.as_slice() {
        ["set", "value"] | ["value", "set"] => ScriptStep::Set {
            path: text("set")?,
            value: object["value"].clone(),
        },
        ["clear"] => ScriptStep::Clear {
            path: text("clear")?,
        },
        ["add"] => ScriptStep::Add {
            roster: text("add")?,
        },
        ["remove"] => ScriptStep::Remove {
            row: text("remove")?,
        },
        ["confirm"] => ScriptStep::Confirm {
            path: text("confirm")?,
        },
        _ => {
            return Err(format!(
                "unknown step {step}; steps are {{\"set\": PATH, \"value\": V}}, {{\"clear\": PATH}}, {{\"add\": ROSTER}}, {{\"remove\": ROW}}, {{\"confirm\": PATH}}"
            ));
        }
    };
    Ok(step)
}

/// Loads a questionnaire for playing or evaluating; a questionnaire with errors is bad input.
pub fn questionnaire(spec: &Path) -> Result<Arc<Questionnaire>> {
    let (q, diagnostics) = load::load(spec);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    match q {
        Some(q) if errors.is_empty() => Ok(q),
        _ => Err(BadInput(format!(
            "the questionnaire has errors; run `daftar spec check {}`:\n{}",
            spec.display(),
            errors.join("\n")
        ))
        .into()),
    }
}

/// Applies script steps; returns the rejected ones as `(step number, reason)`.
pub fn apply_script(session: &mut Session, steps: &[ScriptStep]) -> Vec<(usize, String)> {
    let mut rejected = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let typed = match step {
            ScriptStep::Set { path, value } => {
                let kind = session
                    .resolve(path)
                    .map(|inst| session.questionnaire().node(inst.node).kind);
                match kind {
                    Ok(kind) => match value_text::from_json(kind, value) {
                        Ok(answer) => Ok(Step::Set {
                            path: path.clone(),
                            value: answer,
                        }),
                        Err(e) => Err(format!("`{path}`: {e}")),
                    },
                    Err(r) => Err(r.message),
                }
            }
            ScriptStep::Clear { path } => Ok(Step::Clear { path: path.clone() }),
            ScriptStep::Add { roster } => Ok(Step::Add {
                roster: roster.clone(),
            }),
            ScriptStep::Remove { row } => Ok(Step::Remove { row: row.clone() }),
            ScriptStep::Confirm { path } => Ok(Step::Confirm { path: path.clone() }),
        };
        let outcome = typed.and_then(|s| session.apply(&s).map(|_| ()).map_err(|r| r.message));
        if let Err(reason) = outcome {
            rejected.push((i + 1, reason));
        }
    }
    rejected
}

/// The JSON report of a session's state (the `daftar play` output).
pub fn report(session: &Session, rejected: &[(usize, String)]) -> Json {
    let q = session.questionnaire();
    let mut values = Map::new();
    let mut relevant = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for inst in session.walk() {
        if !session.is_relevant(inst) {
            continue;
        }
        let path = session.path(inst);
        relevant.push(Json::String(path.clone()));
        if let Some(v) = session.value(inst)
            && q.node(inst.node).kind.has_value()
        {
            values.insert(path.clone(), value_text::to_json(v));
        }
        for issue in session.issues(inst) {
            let entry = json!({"path": path, "code": issue.code, "message": issue.message});
            if issue.soft {
                let mut entry = entry;
                entry["confirmed"] = Json::Bool(issue.confirmed);
                warnings.push(entry);
            } else {
                errors.push(entry);
            }
        }
    }
    json!({
        "values": values,
        "relevant": relevant,
        "errors": errors,
        "warnings": warnings,
        "rejected": rejected.iter().map(|(step, reason)| json!({"step": step, "reason": reason})).collect::<Vec<_>>(),
        "complete": session.is_complete(),
    })
}

/// Plays a script on a new session.
pub fn play(
    q: Arc<Questionnaire>,
    steps: &[ScriptStep],
    now: DateTimeValue,
    lang: Option<&str>,
) -> Result<Json> {
    let mut session = Session::new(q, Box::new(FixedEnvironment::new(now)));
    if let Some(lang) = lang {
        session
            .set_language(lang)
            .map_err(|r| BadInput(format!("--lang: {}", r.message)))?;
    }
    let rejected = apply_script(&mut session, steps);
    Ok(report(&session, &rejected))
}

pub fn run(
    spec: &Path,
    answers: &Path,
    now: Option<&str>,
    tz: Option<&str>,
    lang: Option<&str>,
) -> Result<ExitCode> {
    let now = clock::instant(now, tz)?;
    let q = questionnaire(spec)?;
    let steps = read_script(answers)?;
    let report = play(q, &steps, now, lang)?;
    say!(
        "{}",
        serde_json::to_string_pretty(&report).context("printing the report")?
    );
    Ok(ExitCode::SUCCESS)
}
