//! The expression language of Daftar questionnaires: XLSForm syntax with the ODK XForms function
//! library and XPath 1.0 semantics.
//!
//! An expression goes through four stages, each a plain function:
//!
//! 1. [`tokenize`] and [`parse`] turn source text into an [`Expr`] tree, reporting every syntax error
//!    with its byte [`Span`];
//! 2. [`check`] resolves each `${name}` to a [`Slot`] through a [`Scope`] and each call to a [`Func`],
//!    and reports unknown names, wrong arities, roster values used without an aggregate, and obvious
//!    type mistakes;
//! 3. [`references`] and [`usage`] tell `survey-spec` and `survey-engine` what the expression depends on;
//! 4. [`eval`] computes a [`Value`], asking a [`Context`] for answers, the clock and random ids.
//!
//! The crate does no IO, reads no clock and draws no random numbers: all of that comes through
//! [`Context`]. Evaluation never looks a name up and never panics.
//!
//! ```
//! use survey_expr::*;
//!
//! // The questionnaire: `age` is a number in slot 0.
//! struct Questionnaire;
//! impl Scope for Questionnaire {
//!     fn lookup(&self, name: &str) -> Option<RefInfo> {
//!         (name == "age").then_some(RefInfo {
//!             slot: Slot(0),
//!             multiplicity: Multiplicity::One,
//!             value_type: ValueType::Number,
//!             is_roster: false,
//!         })
//!     }
//! }
//!
//! // An interview where the answer in slot 0 is 34.
//! struct Interview;
//! impl Context for Interview {
//!     fn reference(&self, slot: Slot) -> Value {
//!         if slot == Slot(0) { Value::Num(34.0) } else { Value::empty() }
//!     }
//!     fn current(&self) -> Value { Value::empty() }
//!     fn field(&self, _name: &str) -> Value { Value::empty() }
//!     fn position(&self) -> Option<u32> { None }
//!     fn indexed(&self, _item: Slot, _roster: Slot, _index: u32) -> Value { Value::empty() }
//!     fn choice_label(&self, _item: Slot, _code: &str) -> Option<String> { None }
//!     fn pulldata(&self, _t: &str, _c: &str, _k: &str, _v: &str) -> Option<String> { None }
//!     fn now(&self) -> DateTimeValue { DateTimeValue { millis: 0, offset_minutes: 60 } }
//!     fn uuid(&self) -> String { "00000000-0000-4000-8000-000000000000".into() }
//! }
//!
//! let (expr, syntax_errors) = parse("if(${age} >= 15, 'adult', 'child')");
//! assert!(syntax_errors.is_empty());
//! let mut expr = expr.unwrap();
//! let (value_type, diagnostics) = check(&mut expr, &Questionnaire, &CheckOptions::default());
//! assert!(diagnostics.is_empty());
//! assert_eq!(value_type, ValueType::String);
//! assert_eq!(references(&expr), [Slot(0)]);
//! assert_eq!(eval(&expr, &Interview).to_string_value(), "adult");
//! ```
//!
//! # Semantics
//!
//! Values follow XPath 1.0 as ODK extends it. An empty answer is `''`, which is NaN in arithmetic;
//! every comparison with NaN is false. `=` and `!=` compare as booleans if either side is a boolean,
//! as numbers if either side is a number, as day numbers for two dates, else as strings; `<`, `<=`,
//! `>`, `>=` compare numbers, where a date is its day number since 1970-01-01, an ISO date string
//! `YYYY-MM-DD` too, an ISO date-time its fractional days since 1970-01-01T00:00Z, and a time of day
//! its fraction of a day. A roster-wide reference (a node-set) compares true if any of its values
//! does, and stands for its first value where one string or number is needed. `date + 1` is a number.
//! `boolean('false')` is true (a non-empty string); `boolean-from-string('true')` is the way to read
//! stored booleans. See [`Value`] for the conversions and [`Func`] for every function.
//!
//! # Diagnostics
//!
//! Every [`Diagnostic`] has a stable code. Errors make the expression unusable; warnings point at
//! something that is valid but almost certainly not what the designer meant.
//!
//! | code | severity | stage | example that triggers it |
//! | --- | --- | --- | --- |
//! | `expr-empty` | error | parse | `` (nothing but spaces) |
//! | `expr-unexpected-char` | error | parse | `${a} # 2`, `$a` |
//! | `expr-unsupported-syntax` | error | parse | `/data/a = 1`, `${a} == 1`, `${a} && ${b}`, `!${a}` |
//! | `expr-unterminated-string` | error | parse | `${a} = 'yes` |
//! | `expr-unterminated-ref` | error | parse | `${age + 1` |
//! | `expr-bad-ref-name` | error | parse | `${}`, `${1st}` |
//! | `expr-bad-number` | error | parse | `1e5`, `1.2.3`, `2kg` |
//! | `expr-expected-operand` | error | parse | `${a} +`, `()` |
//! | `expr-trailing-input` | error | parse | `${a} 1`, `1)` |
//! | `expr-unclosed-paren` | error | parse | `(1 + 2`, `concat('a'` |
//! | `expr-expected-comma` | error | parse | `concat('a' 'b')` |
//! | `expr-too-deep` | error | parse | more than [`MAX_DEPTH`] nested levels |
//! | `expr-unknown-ref` | error | check | `${agee}` when only `age` exists (suggests `${age}`) |
//! | `expr-unknown-function` | error | check | `count_selected(${a})` (suggests `count-selected()`) |
//! | `expr-arity` | error | check | `if(${a} > 1, 'x')` |
//! | `expr-many-ref` | error | check | `${member_age} > 18` outside the roster `member_age` is in |
//! | `expr-roster-value` | error | check | `${members} > 2` where `members` is a roster |
//! | `expr-field-not-allowed` | error | check | `region = 'north'` outside a choice filter |
//! | `expr-current-not-allowed` | error | check | `. > 3` where `.` is not allowed |
//! | `expr-parent-misuse` | error | check | `.. = 1` (`..` only in `position(..)`) |
//! | `expr-bad-argument` | error | check | `count(1 + 2)`, `indexed-repeat(${x}, ${age}, 1)` where `age` is not a roster, `jr:choice-name(${a}, 'a')`, `pulldata('', 'c', 'k', 1)` |
//! | `expr-bad-regex` | error | check | `regex(., '[0-9')` |
//! | `expr-type-mismatch` | warning | check | `${name} + 1` (text), `${dob} > 1990`, `selected(${m}, 1)` |
//! | `expr-multiple-compare` | warning | check | `${languages} = 'fr'` where `languages` is a multiple choice |
//! | `expr-bad-date-format` | warning | check | `format-date(${d}, '%Q')` |
#![deny(missing_docs)]

mod ast;
mod check;
mod date;
mod eval;
mod func;
mod lexer;
mod parser;
mod value;

use std::fmt;

pub use ast::{BinOp, Expr, ExprKind, Slot, Usage, reference_names, references, usage};
pub use check::{CheckOptions, Multiplicity, RefInfo, Scope, ValueType, check};
pub use eval::{Context, eval, eval_bool};
pub use func::{Func, RegexCache};
pub use lexer::{Token, TokenKind, tokenize};
pub use parser::{MAX_DEPTH, parse};
pub use value::{DateTimeValue, Value, number_to_string, str_to_number};

/// A byte range in the expression source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    pub(crate) fn from_range(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The text the span covers in `src` (empty if it does not fit).
    pub fn text(self, src: &str) -> &str {
        src.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The expression cannot be used.
    Error,
    /// The expression works but probably not as intended.
    Warning,
}

/// A problem found in an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable code, listed in the crate documentation.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Where in the expression source.
    pub span: Span,
    /// What is wrong, for a questionnaire designer.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn error(code: &'static str, span: Span, message: String) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            span,
            message,
        }
    }

    pub(crate) fn warning(code: &'static str, span: Span, message: String) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Warning,
            span,
            message,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}..{}: {severity}[{}]: {}",
            self.span.start, self.span.end, self.code, self.message
        )
    }
}

/// Parses and checks in one go: the checked tree (when there is no syntax error), its type, and every
/// diagnostic of both stages.
pub fn parse_and_check(
    src: &str,
    scope: &dyn Scope,
    options: &CheckOptions,
) -> (Option<Expr>, ValueType, Vec<Diagnostic>) {
    let (expr, mut diagnostics) = parse(src);
    match expr {
        Some(mut expr) => {
            let (value_type, more) = check(&mut expr, scope, options);
            diagnostics.extend(more);
            (Some(expr), value_type, diagnostics)
        }
        None => (None, ValueType::Any, diagnostics),
    }
}
