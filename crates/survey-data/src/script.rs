//! Scripted interviews (the `daftar play` step format) played through the engine, to build test and demo
//! data: `[{"set": PATH, "value": V}, {"add": ROSTER}, {"clear": PATH}, {"remove": ROW}, {"confirm": PATH}]`.

use std::sync::Arc;

use serde_json::Value as Json;
use survey_engine::{FixedEnvironment, Session, Step};
use survey_expr::DateTimeValue;
use survey_spec::{Questionnaire, value_text};

use crate::record::InterviewRecord;

/// Plays a script from a fresh session at `now` (rejected steps are skipped, as an enumerator's would be),
/// finishes the interview, and returns it as a record with its paradata.
pub fn play(
    q: &Arc<Questionnaire>,
    id: &str,
    script: &Json,
    now: DateTimeValue,
) -> Result<InterviewRecord, String> {
    let steps = script
        .as_array()
        .ok_or("a script is a JSON array of steps")?;
    let mut session = Session::new(q.clone(), Box::new(FixedEnvironment::new(now)));
    for (i, step) in steps.iter().enumerate() {
        let text = |key: &str| {
            step.get(key)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("step {}: `{key}` must be a path", i + 1))
        };
        let typed = if step.get("set").is_some() {
            let path = text("set")?;
            let Ok(inst) = session.resolve(&path) else {
                continue;
            };
            let kind = q.node(inst.node).kind;
            match value_text::from_json(kind, step.get("value").unwrap_or(&Json::Null)) {
                Ok(value) => Step::Set { path, value },
                Err(_) => continue,
            }
        } else if step.get("add").is_some() {
            Step::Add {
                roster: text("add")?,
            }
        } else if step.get("clear").is_some() {
            Step::Clear {
                path: text("clear")?,
            }
        } else if step.get("remove").is_some() {
            Step::Remove {
                row: text("remove")?,
            }
        } else if step.get("confirm").is_some() {
            Step::Confirm {
                path: text("confirm")?,
            }
        } else {
            return Err(format!("step {}: unknown step {step}", i + 1));
        };
        let _ = session.apply(&typed);
    }
    session.finish();
    let events = session.take_events();
    Ok(InterviewRecord::from_session(id, &session, &events))
}

/// [`play`] with `now` as RFC 3339 text (`2026-10-15T10:00:00+01:00`).
pub fn play_at(
    q: &Arc<Questionnaire>,
    id: &str,
    script: &Json,
    now: &str,
) -> Result<InterviewRecord, String> {
    let (millis, offset_minutes) = value_text::parse_datetime(now)?;
    play(
        q,
        id,
        script,
        DateTimeValue {
            millis,
            offset_minutes,
        },
    )
}
