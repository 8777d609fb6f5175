//! Integration tests of `survey-expr`: one binary, one module per stage.

mod check;
mod corpus;
mod eval;
mod parse;
mod roundtrip;

use std::collections::HashMap;
use std::fmt::Write;

use survey_expr::{
    CheckOptions, Context, DateTimeValue, Diagnostic, Expr, ExprKind, Multiplicity, RefInfo, Scope,
    Severity, Slot, Value, ValueType,
};

/// The questionnaire every test checks against.
pub struct TestScope {
    items: Vec<(&'static str, Multiplicity, ValueType, bool)>,
}

impl TestScope {
    pub fn new() -> TestScope {
        use Multiplicity::{Many, One};
        use ValueType as T;
        TestScope {
            items: vec![
                ("age", One, T::Number, false),              // 0
                ("name", One, T::String, false),             // 1
                ("sex", One, T::Choice, false),              // 2
                ("langs", One, T::Choices, false),           // 3
                ("dob", One, T::Date, false),                // 4
                ("visit", One, T::DateTime, false),          // 5
                ("start_time", One, T::Time, false),         // 6
                ("loc", One, T::Geo, false),                 // 7
                ("members", Many, T::Roster, true),          // 8
                ("member_age", Many, T::Number, false),      // 9
                ("member_name", Many, T::String, false),     // 10
                ("income", One, T::Number, false),           // 11
                ("hh_size", One, T::Number, false),          // 12
                ("empty", One, T::String, false),            // 13
                ("flag", One, T::Boolean, false),            // 14
                ("member_sex", Many, T::Choice, false),      // 15
                ("episodes", Many, T::Roster, true),         // 16
                ("episode_country", Many, T::Choice, false), // 17
                ("amount", One, T::Number, false),           // 18
            ],
        }
    }

    pub fn slot(&self, name: &str) -> Slot {
        Slot(
            self.items
                .iter()
                .position(|item| item.0 == name)
                .expect("known test item") as u32,
        )
    }
}

impl Scope for TestScope {
    fn lookup(&self, name: &str) -> Option<RefInfo> {
        let index = self.items.iter().position(|item| item.0 == name)?;
        let (_, multiplicity, value_type, is_roster) = self.items[index];
        Some(RefInfo {
            slot: Slot(index as u32),
            multiplicity,
            value_type,
            is_roster,
        })
    }

    fn for_each_name(&self, visit: &mut dyn FnMut(&str)) {
        for item in &self.items {
            visit(item.0);
        }
    }
}

/// An interview with fixed answers, clock and randomness.
pub struct TestContext {
    pub values: HashMap<Slot, Value>,
    pub current: Value,
    pub fields: HashMap<&'static str, Value>,
    pub position: Option<u32>,
    pub now: DateTimeValue,
}

impl TestContext {
    pub fn new() -> TestContext {
        let scope = TestScope::new();
        let s = |v: &str| Value::str(v);
        let answers = [
            ("age", Value::Num(34.0)),
            ("name", s("Fatima Zahra")),
            ("sex", s("2")),
            ("langs", s("fr ar")),
            ("dob", Value::Date(11_017)), // 2000-03-01
            // 2026-11-23T10:30:15.250+01:00
            (
                "visit",
                Value::DateTime(DateTimeValue {
                    millis: 1_795_426_215_250,
                    offset_minutes: 60,
                }),
            ),
            ("start_time", s("08:30:00")),
            ("loc", s("34.02 -6.83 50 5")),
            ("members", Value::Nodeset(vec![s(""), s(""), s("")])),
            (
                "member_age",
                Value::Nodeset(vec![Value::Num(40.0), s(""), Value::Num(12.0)]),
            ),
            (
                "member_name",
                Value::Nodeset(vec![s("Ali"), s(""), s("Sara")]),
            ),
            ("income", Value::Num(2500.5)),
            ("hh_size", s("3")),
            ("empty", s("")),
            ("flag", Value::Bool(true)),
            ("member_sex", Value::Nodeset(vec![s("1"), s("2"), s("2")])),
            ("episodes", Value::Nodeset(vec![])),
            ("episode_country", Value::Nodeset(vec![])),
            ("amount", Value::Num(100.0)),
        ];
        TestContext {
            values: answers
                .into_iter()
                .map(|(name, value)| (scope.slot(name), value))
                .collect(),
            current: s("7"),
            fields: [("region", s("north")), ("name", s("casa"))]
                .into_iter()
                .collect(),
            position: Some(2),
            // 2026-11-23T23:30:00Z, in a zone at +01:00: locally already the 24th.
            now: DateTimeValue {
                millis: 1_795_476_600_000,
                offset_minutes: 60,
            },
        }
    }
}

impl Context for TestContext {
    fn reference(&self, slot: Slot) -> Value {
        self.values.get(&slot).cloned().unwrap_or_else(Value::empty)
    }
    fn current(&self) -> Value {
        self.current.clone()
    }
    fn field(&self, name: &str) -> Value {
        self.fields.get(name).cloned().unwrap_or_else(Value::empty)
    }
    fn position(&self) -> Option<u32> {
        self.position
    }
    fn position_in(&self, roster: Slot) -> Option<u32> {
        // The context is row 2 of `members` and row 1 of `episodes`.
        match roster.0 {
            8 => Some(2),
            16 => Some(1),
            _ => None,
        }
    }
    fn indexed(&self, item: Slot, roster: Slot, index: u32) -> Value {
        match self.values.get(&item) {
            Some(Value::Nodeset(rows)) if roster == Slot(8) => rows
                .get(index as usize - 1)
                .cloned()
                .unwrap_or_else(Value::empty),
            _ => Value::empty(),
        }
    }
    fn indexed_path(&self, item: Slot, path: &[(Slot, u32)]) -> Value {
        Value::str(&format!(
            "{}@{:?}",
            item.0,
            path.iter().map(|(r, i)| (r.0, *i)).collect::<Vec<_>>()
        ))
    }
    fn choice_label(&self, item: Slot, code: &str) -> Option<String> {
        let label = match (item.0, code) {
            (2, "1") => "Homme",
            (2, "2") => "Femme",
            (3, "fr") => "Français",
            _ => return None,
        };
        Some(label.to_string())
    }
    fn pulldata(&self, table: &str, column: &str, key_column: &str, key: &str) -> Option<String> {
        let rate = match (table, column, key_column, key) {
            ("fx_rates", "rate", "currency", "EUR") => "10.8",
            ("fx_rates", "rate", "currency", "USD") => "9.9",
            _ => return None,
        };
        Some(rate.to_string())
    }
    fn now(&self) -> DateTimeValue {
        self.now
    }
    fn uuid(&self) -> String {
        "0190a6a0-0000-7000-8000-000000000001".to_string()
    }
    fn currency(&self, slot: Slot) -> Value {
        if slot == Slot(11) {
            Value::str("MAD")
        } else {
            Value::empty()
        }
    }
}

/// A compact rendering of a tree: literals as written, operators and calls in prefix form.
pub fn sexp(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Num(n) => format!("{n}"),
        ExprKind::Ref { name, slot } => {
            if slot.is_resolved() {
                format!("${name}#{}", slot.0)
            } else {
                format!("${name}")
            }
        }
        ExprKind::Field(name) => format!("field:{name}"),
        ExprKind::Current => ".".into(),
        ExprKind::Parent => "..".into(),
        ExprKind::Neg(inner) => format!("(neg {})", sexp(inner)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), sexp(lhs), sexp(rhs))
        }
        ExprKind::Call { name, args, .. } => {
            let mut out = format!("({name}");
            for arg in args {
                out.push(' ');
                out.push_str(&sexp(arg));
            }
            out.push(')');
            out
        }
    }
}

/// Diagnostics one per line with the source text they point at.
pub fn render_diagnostics(src: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "{severity}[{}] {}..{} `{}`: {}",
            d.code,
            d.span.start,
            d.span.end,
            d.span.text(src),
            d.message
        );
    }
    out
}

/// A value with its type, as the snapshots show it.
pub fn render_value(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("{s:?}"),
        Value::Num(n) => format!("number {}", survey_expr::number_to_string(*n)),
        Value::Bool(b) => format!("{b}"),
        Value::Date(_) => format!("date {value}"),
        Value::DateTime(_) => format!("datetime {value}"),
        Value::Nodeset(values) => format!(
            "nodeset [{}]",
            values
                .iter()
                .map(render_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Options for ordinary expressions (relevance, calculations).
pub fn plain() -> CheckOptions {
    CheckOptions {
        allow_fields: false,
        allow_current: false,
    }
}

impl Default for TestScope {
    fn default() -> Self {
        TestScope::new()
    }
}

impl Default for TestContext {
    fn default() -> Self {
        TestContext::new()
    }
}
