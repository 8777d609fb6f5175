//! Integration tests of the interview engine.

mod differential;
mod scenarios;

use std::sync::Arc;

use survey_engine::{FixedEnvironment, Session};
use survey_expr::DateTimeValue;
use survey_spec::{NoFiles, Questionnaire};

/// Compiles a native questionnaire written in a test, failing with its diagnostics.
#[track_caller]
pub fn questionnaire(text: &str) -> Arc<Questionnaire> {
    let (q, diagnostics) = survey_spec::load(text, "test.yaml", &NoFiles);
    let errors: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
    q.unwrap_or_else(|| {
        panic!(
            "the test questionnaire does not compile:\n{}\n---\n{text}",
            errors.join("\n")
        )
    })
}

/// A session at a fixed instant: 2026-10-15T10:00:00+01:00.
pub fn session(q: &Arc<Questionnaire>) -> Session {
    let now = DateTimeValue {
        millis: 1_792_054_800_000,
        offset_minutes: 60,
    };
    Session::new(q.clone(), Box::new(FixedEnvironment::new(now)))
}
