//! `daftar eval`: evaluate one expression and print its typed value.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Value as Json, json};
use survey_engine::{FixedEnvironment, Instance, Session};
use survey_expr::{CheckOptions, Context, DateTimeValue, Expr, RefInfo, Scope, Slot, Value};
use survey_spec::value_text;

use crate::{BadInput, say};
use crate::{clock, play};

/// The typed JSON of a value: `{"type": ..., "value": ...}`, NaN as `"NaN"`.
pub fn typed_json(value: &Value) -> Json {
    match value {
        Value::Str(s) => json!({"type": "string", "value": s.as_ref()}),
        Value::Num(n) if n.is_nan() => json!({"type": "number", "value": "NaN"}),
        Value::Num(n) if n.is_infinite() => {
            json!({"type": "number", "value": if *n > 0.0 { "Infinity" } else { "-Infinity" }})
        }
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
            json!({"type": "number", "value": *n as i64})
        }
        Value::Num(n) => json!({"type": "number", "value": n}),
        Value::Bool(b) => json!({"type": "boolean", "value": b}),
        Value::Date(d) => json!({"type": "date", "value": value_text::format_date(*d)}),
        Value::DateTime(dt) => {
            json!({"type": "datetime", "value": value_text::format_datetime(dt.millis, dt.offset_minutes)})
        }
        Value::Nodeset(values) => match values.first() {
            Some(first) => typed_json(first),
            None => json!({"type": "string", "value": ""}),
        },
    }
}

struct NoNames;

impl Scope for NoNames {
    fn lookup(&self, _: &str) -> Option<RefInfo> {
        None
    }
}

/// Evaluation without a questionnaire: only the clock and identifiers exist.
struct Bare(DateTimeValue);

impl Context for Bare {
    fn reference(&self, _: Slot) -> Value {
        Value::empty()
    }
    fn current(&self) -> Value {
        Value::empty()
    }
    fn field(&self, _: &str) -> Value {
        Value::empty()
    }
    fn position(&self) -> Option<u32> {
        None
    }
    fn indexed(&self, _: Slot, _: Slot, _: u32) -> Value {
        Value::empty()
    }
    fn choice_label(&self, _: Slot, _: &str) -> Option<String> {
        None
    }
    fn pulldata(&self, _: &str, _: &str, _: &str, _: &str) -> Option<String> {
        None
    }
    fn now(&self) -> DateTimeValue {
        self.0
    }
    fn uuid(&self) -> String {
        "00000000-0000-4000-8000-000000000001".into()
    }
}

fn expression_error(src: &str, diagnostics: &[survey_expr::Diagnostic]) -> BadInput {
    let lines: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}: error[{}]: {}",
                src,
                d.span.start + 1,
                d.code,
                d.message
            )
        })
        .collect();
    BadInput(format!(
        "the expression cannot be evaluated:\n{}",
        lines.join("\n")
    ))
}

pub fn run(
    src: &str,
    spec: Option<&Path>,
    answers: Option<&Path>,
    now: Option<&str>,
    tz: Option<&str>,
) -> Result<ExitCode> {
    let now = clock::instant(now, tz)?;
    let value = match spec {
        None => {
            if answers.is_some() {
                return Err(BadInput(
                    "--answers needs --spec (the questionnaire the answers belong to)".into(),
                )
                .into());
            }
            let (parsed, mut diagnostics) = survey_expr::parse(src);
            let mut expr: Expr = parsed.ok_or_else(|| expression_error(src, &diagnostics))?;
            let (_, more) = survey_expr::check(
                &mut expr,
                &NoNames,
                &CheckOptions {
                    allow_fields: false,
                    allow_current: true,
                },
            );
            diagnostics.extend(more);
            if diagnostics
                .iter()
                .any(|d| d.severity == survey_expr::Severity::Error)
            {
                return Err(expression_error(src, &diagnostics).into());
            }
            survey_expr::eval(&expr, &Bare(now))
        }
        Some(spec) => {
            let q = play::questionnaire(spec)?;
            let (expr, diagnostics) = survey_spec::compile_expression(&q, src, None);
            let expr = expr.ok_or_else(|| expression_error(src, &diagnostics))?;
            let mut session = Session::new(q, Box::new(FixedEnvironment::new(now)));
            if let Some(answers) = answers {
                let steps = play::read_script(answers)?;
                let rejected = play::apply_script(&mut session, &steps);
                for (step, reason) in rejected {
                    eprintln!("daftar: warning: step {step} was not applied: {reason}");
                }
            }
            match session.questionnaire().top.first() {
                Some(&node) => session.evaluate(&expr, Instance { node, scope: 0 }),
                // A questionnaire without items has nothing to reference: evaluate as without one.
                None => survey_expr::eval(&expr, &Bare(now)),
            }
        }
    };
    say!("{}", typed_json(&value));
    Ok(ExitCode::SUCCESS)
}
