//! Runtime values and the XPath 1.0 conversions between them (as extended by ODK for dates).

use std::fmt;
use std::sync::Arc;

use crate::date;

/// An instant: milliseconds since 1970-01-01T00:00:00Z and the UTC offset, in minutes, of the zone it
/// belongs to (used for `today()`, `format-date-time` and the printed form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTimeValue {
    /// Milliseconds since the Unix epoch, UTC.
    pub millis: i64,
    /// Minutes east of UTC.
    pub offset_minutes: i32,
}

impl DateTimeValue {
    /// Fractional days since 1970-01-01T00:00:00Z (ODK's `decimal-date-time`).
    pub fn to_days(self) -> f64 {
        self.millis as f64 / date::DAY_MS as f64
    }

    /// The calendar day (days since 1970-01-01) of the instant in its own zone.
    pub fn local_date(self) -> i32 {
        let (days, _) = date::local_parts(self);
        days.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }
}

/// A value during evaluation.
///
/// Answers reach the evaluator through [`Context`](crate::Context) as values: text, single and multiple
/// choices as [`Value::Str`] (a multiple choice is its codes separated by spaces, as in ODK), numbers as
/// [`Value::Num`], dates and date-times as such, and an empty answer as `Value::Str("")`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string; cheap to clone.
    Str(Arc<str>),
    /// A number (NaN is the empty number).
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// A calendar date, days since 1970-01-01.
    Date(i32),
    /// An instant with its zone offset.
    DateTime(DateTimeValue),
    /// Several values: every row's value of an item inside a roster the expression is not in.
    Nodeset(Vec<Value>),
}

impl Value {
    /// The empty string, which is also the value of an unanswered item.
    pub fn empty() -> Value {
        // Unanswered items are the common case: share one empty string instead of allocating.
        static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        Value::Str(EMPTY.get_or_init(|| Arc::from("")).clone())
    }

    /// A string value.
    pub fn str(text: &str) -> Value {
        Value::Str(Arc::from(text))
    }

    /// XPath `boolean()`: non-empty string, non-zero non-NaN number, non-empty node-set; dates are true.
    pub fn to_bool(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Bool(b) => *b,
            Value::Date(_) | Value::DateTime(_) => true,
            Value::Nodeset(values) => !values.is_empty(),
        }
    }

    /// XPath `number()` as extended by ODK: see [`str_to_number`] for strings; `true` is 1; a date is its
    /// day number; a date-time its fractional days since 1970-01-01T00:00Z; a node-set the number of its
    /// first value (NaN when empty).
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Str(s) => str_to_number(s),
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Date(days) => f64::from(*days),
            Value::DateTime(dt) => dt.to_days(),
            Value::Nodeset(values) => values.first().map_or(f64::NAN, Value::to_number),
        }
    }

    /// XPath `string()`: numbers without a needless fraction (`1`, `0.5`, `NaN`, `Infinity`), booleans as
    /// `true`/`false`, dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM`, a node-set as
    /// its first value (empty when it has none).
    pub fn to_string_value(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Num(n) => number_to_string(*n),
            Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Value::Date(days) => date::format_iso_date(i64::from(*days)),
            Value::DateTime(dt) => date::format_iso_date_time(*dt),
            Value::Nodeset(values) => values
                .first()
                .map(Value::to_string_value)
                .unwrap_or_default(),
        }
    }

    /// Whether the value counts as empty (unanswered): the empty string, NaN (the result of arithmetic on
    /// empty values), or a node-set without values.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Str(s) => s.is_empty(),
            Value::Num(n) => n.is_nan(),
            Value::Bool(_) | Value::Date(_) | Value::DateTime(_) => false,
            Value::Nodeset(values) => values.is_empty(),
        }
    }

    pub(crate) fn view(&self) -> View<'_> {
        match self {
            Value::Str(s) => View::Str(s),
            Value::Num(n) => View::Num(*n),
            Value::Bool(b) => View::Bool(*b),
            Value::Date(d) => View::Date(*d),
            Value::DateTime(dt) => View::DateTime(*dt),
            Value::Nodeset(values) => View::Nodeset(values),
        }
    }
}

impl fmt::Display for Value {
    /// The XPath string value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            other => f.write_str(&other.to_string_value()),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::str(text)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Num(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

/// A borrowed look at a value, so that literals and answers compare without allocating.
#[derive(Clone, Copy, Debug)]
pub(crate) enum View<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Date(i32),
    DateTime(DateTimeValue),
    Nodeset(&'a [Value]),
}

impl View<'_> {
    pub(crate) fn to_number(self) -> f64 {
        match self {
            View::Str(s) => str_to_number(s),
            View::Num(n) => n,
            View::Bool(b) => f64::from(u8::from(b)),
            View::Date(days) => f64::from(days),
            View::DateTime(dt) => dt.to_days(),
            View::Nodeset(values) => values.first().map_or(f64::NAN, Value::to_number),
        }
    }

    pub(crate) fn to_bool(self) -> bool {
        match self {
            View::Str(s) => !s.is_empty(),
            View::Num(n) => n != 0.0 && !n.is_nan(),
            View::Bool(b) => b,
            View::Date(_) | View::DateTime(_) => true,
            View::Nodeset(values) => !values.is_empty(),
        }
    }

    fn is_temporal(self) -> bool {
        matches!(self, View::Date(_) | View::DateTime(_))
    }
}

/// XPath `=` (`want_equal`) and `!=`: a node-set compares true if any of its values does (so a node-set
/// can be both `=` and `!=` to a value, and an empty one is neither); a boolean operand compares as
/// booleans (a node-set as "is not empty"); a number operand compares as numbers (within 1e-12, as
/// JavaRosa); two dates compare as day numbers, a date and an ISO string as day numbers; everything
/// else compares as strings.
pub(crate) fn values_equal(a: View<'_>, b: View<'_>, want_equal: bool) -> bool {
    match (a, b) {
        (View::Nodeset(values), View::Bool(flag)) | (View::Bool(flag), View::Nodeset(values)) => {
            (values.is_empty() != flag) == want_equal
        }
        (View::Nodeset(values), other) | (other, View::Nodeset(values)) => values
            .iter()
            .any(|value| values_equal(value.view(), other, want_equal)),
        _ => scalars_equal(a, b) == want_equal,
    }
}

fn scalars_equal(a: View<'_>, b: View<'_>) -> bool {
    match (a, b) {
        (View::Bool(_), _) | (_, View::Bool(_)) => a.to_bool() == b.to_bool(),
        (View::Num(_), _) | (_, View::Num(_)) => numbers_equal(a.to_number(), b.to_number()),
        _ if a.is_temporal() && b.is_temporal() => numbers_equal(a.to_number(), b.to_number()),
        (View::Str(text), temporal) | (temporal, View::Str(text)) if temporal.is_temporal() => {
            match iso_to_number(text) {
                Some(n) => numbers_equal(n, temporal.to_number()),
                None => *text == *temporal_string(temporal),
            }
        }
        (View::Str(x), View::Str(y)) => x == y,
        _ => false,
    }
}

fn temporal_string(view: View<'_>) -> String {
    match view {
        View::Date(days) => date::format_iso_date(i64::from(days)),
        View::DateTime(dt) => date::format_iso_date_time(dt),
        _ => String::new(),
    }
}

fn numbers_equal(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() < 1e-12
}

/// XPath `<`, `<=`, `>`, `>=`: both sides as numbers; a node-set compares if any of its values does.
pub(crate) fn values_compare(a: View<'_>, b: View<'_>, test: fn(f64, f64) -> bool) -> bool {
    match (a, b) {
        (View::Nodeset(values), other) => values
            .iter()
            .any(|value| values_compare(value.view(), other, test)),
        (other, View::Nodeset(values)) => values
            .iter()
            .any(|value| values_compare(other, value.view(), test)),
        _ => test(a.to_number(), b.to_number()),
    }
}

/// XPath `number()` of a string, as JavaRosa does it: surrounding whitespace is ignored, a `,` counts as
/// a decimal point, only digits, `-` and `.` are allowed (no exponent, no `+`, no `Infinity`), anything
/// else is NaN. Extended as the ODK spec requires: an ISO date `YYYY-MM-DD` is its day number, an ISO
/// date-time its fractional days since 1970-01-01T00:00Z, and a time of day `HH:MM[:SS]` its fraction
/// of a day.
pub fn str_to_number(text: &str) -> f64 {
    let text = text.trim();
    if text.is_empty() {
        return f64::NAN;
    }
    let bytes = text.as_bytes();
    if bytes
        .iter()
        .all(|&b| b.is_ascii_digit() || b == b'-' || b == b'.' || b == b',')
    {
        let parsed = if text.contains(',') {
            text.replace(',', ".").parse()
        } else {
            text.parse()
        };
        if let Ok(n) = parsed {
            return n;
        }
        if let Some(n) = iso_to_number(text) {
            return n;
        }
        return f64::NAN;
    }
    iso_to_number(text).unwrap_or(f64::NAN)
}

/// The number of an ISO date, date-time or time string, if it is one.
pub(crate) fn iso_to_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if bytes.len() >= 10 && bytes[4] == b'-' {
        if bytes.len() == 10 {
            return date::parse_date(text).map(f64::from);
        }
        return date::parse_date_time(text).map(DateTimeValue::to_days);
    }
    if bytes.len() >= 5 && bytes[2] == b':' {
        return date::parse_time(text).map(|millis| millis as f64 / date::DAY_MS as f64);
    }
    None
}

/// XPath `string()` of a number: integers without a fraction, no exponent, `NaN`, `Infinity`,
/// `-Infinity`, and `0` for negative zero.
pub fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_string()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if n == 0.0 {
        "0".to_string()
    } else {
        // Rust prints the shortest decimal that reads back exactly, never with an exponent.
        n.to_string()
    }
}
