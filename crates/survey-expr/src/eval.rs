//! The evaluator: a checked expression and a [`Context`] give a [`Value`].
//!
//! Evaluation is total: wrong types, empty values and failed look-ups give NaN or the empty string as
//! XPath does, never a panic or an error. Literals are read in place (no allocation to compare
//! `${q} = 'yes'`), and references are read by slot, never by name.

use std::ops::Deref;
use std::sync::Arc;

use crate::Slot;
use crate::ast::{BinOp, Expr, ExprKind};
use crate::date::{self, DAY_MS};
use crate::func::{Func, compile_regex};
use crate::value::{DateTimeValue, Value, View, str_to_number, values_compare, values_equal};

/// What the evaluator asks the world. Implemented by `survey-engine` (and by the CLI's `eval`).
pub trait Context {
    /// The value of a referenced item: a scalar for a [`Multiplicity::One`](crate::Multiplicity::One)
    /// reference, a [`Value::Nodeset`] of every row's value for a `Many` reference. For a roster, a
    /// node-set with one value per row (what the values are does not matter; `count()` counts them).
    fn reference(&self, slot: Slot) -> Value;
    /// The value of the item the expression belongs to (`.`).
    fn current(&self) -> Value;
    /// The value of a column of the choice being filtered (bare names in a choice filter).
    fn field(&self, name: &str) -> Value;
    /// The 1-based row number in the innermost roster of the context, if the context is in a roster.
    fn position(&self) -> Option<u32>;
    /// The 1-based row number of the context in the given (enclosing) roster: `position(${roster})`.
    fn position_in(&self, roster: Slot) -> Option<u32> {
        let _ = roster;
        self.position()
    }
    /// `indexed-repeat(${item}, ${roster}, index)`: the item's value in row `index` (1-based) of the roster.
    fn indexed(&self, item: Slot, roster: Slot, index: u32) -> Value;
    /// `indexed-repeat(${item}, ${outer}, i, ${inner}, j, ...)`: the item's value in nested rows, outermost
    /// roster first. The default handles one level through [`Context::indexed`].
    fn indexed_path(&self, item: Slot, path: &[(Slot, u32)]) -> Value {
        match path {
            [(roster, index)] => self.indexed(item, *roster, *index),
            _ => Value::empty(),
        }
    }
    /// The label, in the interview's current language, of the choice `code` of a choice item.
    fn choice_label(&self, item: Slot, code: &str) -> Option<String>;
    /// `pulldata(table, column, key_column, key)`: the value of `column` in the first row of `table`
    /// whose `key_column` is `key`.
    fn pulldata(&self, table: &str, column: &str, key_column: &str, key: &str) -> Option<String>;
    /// The current instant and the UTC offset of the interview's zone (the injected clock).
    fn now(&self) -> DateTimeValue;
    /// A new random identifier (the injected randomness).
    fn uuid(&self) -> String;
    /// The ISO 4217 code of a money item's answer: `currency(${money})`. Empty by default.
    fn currency(&self, slot: Slot) -> Value {
        let _ = slot;
        Value::empty()
    }
}

/// Evaluates a checked expression. Never panics; errors give NaN or the empty string, as in XPath.
pub fn eval(expr: &Expr, ctx: &dyn Context) -> Value {
    match &expr.kind {
        ExprKind::Str(text) => Value::str(text),
        ExprKind::Num(n) => Value::Num(*n),
        ExprKind::Ref { slot, .. } => {
            if slot.is_resolved() {
                ctx.reference(*slot)
            } else {
                Value::empty()
            }
        }
        ExprKind::Field(name) => ctx.field(name),
        ExprKind::Current => ctx.current(),
        ExprKind::Parent => Value::empty(),
        ExprKind::Neg(inner) => Value::Num(-number(inner, ctx)),
        ExprKind::Binary { op, lhs, rhs } => binary(*op, lhs, rhs, ctx),
        ExprKind::Call { func, args, .. } => call(func, args, ctx),
    }
}

/// Evaluates to a boolean (XPath `boolean()` of the value), without building a [`Value`] for
/// comparisons and logical operators.
pub fn eval_bool(expr: &Expr, ctx: &dyn Context) -> bool {
    match &expr.kind {
        ExprKind::Str(text) => !text.is_empty(),
        ExprKind::Num(n) => *n != 0.0 && !n.is_nan(),
        ExprKind::Binary { op, lhs, rhs } => {
            binary_bool(*op, lhs, rhs, ctx).unwrap_or_else(|| eval(expr, ctx).to_bool())
        }
        _ => eval(expr, ctx).to_bool(),
    }
}

fn binary_bool(op: BinOp, lhs: &Expr, rhs: &Expr, ctx: &dyn Context) -> Option<bool> {
    let result = match op {
        BinOp::Or => eval_bool(lhs, ctx) || eval_bool(rhs, ctx),
        BinOp::And => eval_bool(lhs, ctx) && eval_bool(rhs, ctx),
        BinOp::Eq | BinOp::Ne => {
            let (a, b) = (operand(lhs, ctx), operand(rhs, ctx));
            values_equal(a.view(), b.view(), op == BinOp::Eq)
        }
        BinOp::Lt => compare(lhs, rhs, ctx, |a, b| a < b),
        BinOp::Le => compare(lhs, rhs, ctx, |a, b| a <= b),
        BinOp::Gt => compare(lhs, rhs, ctx, |a, b| a > b),
        BinOp::Ge => compare(lhs, rhs, ctx, |a, b| a >= b),
        _ => return None,
    };
    Some(result)
}

fn compare(lhs: &Expr, rhs: &Expr, ctx: &dyn Context, test: fn(f64, f64) -> bool) -> bool {
    let (a, b) = (operand(lhs, ctx), operand(rhs, ctx));
    values_compare(a.view(), b.view(), test)
}

fn binary(op: BinOp, lhs: &Expr, rhs: &Expr, ctx: &dyn Context) -> Value {
    if let Some(result) = binary_bool(op, lhs, rhs, ctx) {
        return Value::Bool(result);
    }
    let (a, b) = (number(lhs, ctx), number(rhs, ctx));
    Value::Num(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        // Rust's `%` on floats truncates like XPath's `mod` (the result has the sign of the dividend).
        _ => a % b,
    })
}

/// An operand that borrows literals instead of allocating a [`Value`] for them.
enum Operand<'e> {
    Literal(&'e str),
    Number(f64),
    Value(Value),
}

impl Operand<'_> {
    fn view(&self) -> View<'_> {
        match self {
            Operand::Literal(text) => View::Str(text),
            Operand::Number(n) => View::Num(*n),
            Operand::Value(value) => value.view(),
        }
    }
}

fn operand<'e>(expr: &'e Expr, ctx: &dyn Context) -> Operand<'e> {
    match &expr.kind {
        ExprKind::Str(text) => Operand::Literal(text),
        ExprKind::Num(n) => Operand::Number(*n),
        _ => Operand::Value(eval(expr, ctx)),
    }
}

/// Text that borrows literals, shares answers, and owns only what had to be converted.
enum Text<'e> {
    Borrowed(&'e str),
    Shared(Arc<str>),
    Owned(String),
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(text) => text,
            Text::Shared(text) => text,
            Text::Owned(text) => text,
        }
    }
}

fn text_of_value(value: Value) -> Text<'static> {
    match value {
        Value::Str(text) => Text::Shared(text),
        Value::Nodeset(mut values) if !values.is_empty() => text_of_value(values.swap_remove(0)),
        other => Text::Owned(other.to_string_value()),
    }
}

fn text<'e>(expr: &'e Expr, ctx: &dyn Context) -> Text<'e> {
    match &expr.kind {
        ExprKind::Str(text) => Text::Borrowed(text),
        _ => text_of_value(eval(expr, ctx)),
    }
}

fn number(expr: &Expr, ctx: &dyn Context) -> f64 {
    match &expr.kind {
        ExprKind::Num(n) => *n,
        ExprKind::Str(text) => str_to_number(text),
        _ => eval(expr, ctx).to_number(),
    }
}

/// XPath number to a whole number, truncated toward zero; NaN counts as 0 (as Java's `intValue`).
fn to_index(n: f64) -> i64 {
    if n.is_nan() {
        0
    } else {
        n.trunc().clamp(i64::MIN as f64, i64::MAX as f64) as i64
    }
}

/// Calls `visit` with every value of every argument, node-sets flattened.
fn each_value(args: &[Expr], ctx: &dyn Context, visit: &mut dyn FnMut(View<'_>)) {
    for arg in args {
        match &arg.kind {
            ExprKind::Str(text) => visit(View::Str(text)),
            ExprKind::Num(n) => visit(View::Num(*n)),
            _ => match eval(arg, ctx) {
                Value::Nodeset(values) => values.iter().for_each(|value| visit(value.view())),
                value => visit(value.view()),
            },
        }
    }
}

fn view_text(view: View<'_>, out: &mut String) {
    match view {
        View::Str(text) => out.push_str(text),
        View::Num(n) => out.push_str(&crate::value::number_to_string(n)),
        View::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        View::Date(days) => out.push_str(&date::format_iso_date(i64::from(days))),
        View::DateTime(dt) => out.push_str(&date::format_iso_date_time(dt)),
        View::Nodeset(values) => {
            if let Some(first) = values.first() {
                view_text(first.view(), out);
            }
        }
    }
}

fn slot_of(expr: Option<&Expr>) -> Option<Slot> {
    match expr.map(|e| &e.kind) {
        Some(ExprKind::Ref { slot, .. }) if slot.is_resolved() => Some(*slot),
        _ => None,
    }
}

fn num(n: f64) -> Value {
    Value::Num(n)
}

fn unary(args: &[Expr], ctx: &dyn Context, op: fn(f64) -> f64) -> Value {
    num(args.first().map_or(f64::NAN, |arg| op(number(arg, ctx))))
}

fn arg_text<'e>(args: &'e [Expr], index: usize, ctx: &dyn Context) -> Text<'e> {
    args.get(index)
        .map_or(Text::Borrowed(""), |arg| text(arg, ctx))
}

fn arg_number(args: &[Expr], index: usize, ctx: &dyn Context) -> f64 {
    args.get(index).map_or(f64::NAN, |arg| number(arg, ctx))
}

fn call(func: &Func, args: &[Expr], ctx: &dyn Context) -> Value {
    match func {
        Func::If => {
            let branch = if args.first().is_some_and(|c| eval_bool(c, ctx)) {
                1
            } else {
                2
            };
            args.get(branch).map_or_else(Value::empty, |e| eval(e, ctx))
        }
        Func::Coalesce => {
            let first = args.first().map_or_else(Value::empty, |e| eval(e, ctx));
            if first.is_empty() {
                args.get(1).map_or_else(Value::empty, |e| eval(e, ctx))
            } else {
                first
            }
        }
        Func::Once => {
            let current = ctx.current();
            if current.is_empty() {
                args.first().map_or_else(Value::empty, |e| eval(e, ctx))
            } else {
                current
            }
        }
        Func::Selected => {
            let list = arg_text(args, 0, ctx);
            let code = arg_text(args, 1, ctx);
            let code = code.trim();
            Value::Bool(list.split_whitespace().any(|item| item == code))
        }
        Func::CountSelected => num(arg_text(args, 0, ctx).split_whitespace().count() as f64),
        Func::SelectedAt => {
            let list = arg_text(args, 0, ctx);
            let index = to_index(arg_number(args, 1, ctx));
            let item = usize::try_from(index)
                .ok()
                .and_then(|i| list.split_whitespace().nth(i));
            Value::str(item.unwrap_or(""))
        }
        Func::ChoiceName => {
            let code = arg_text(args, 0, ctx);
            match slot_of(args.get(1)) {
                Some(item) => ctx
                    .choice_label(item, code.trim())
                    .map_or_else(Value::empty, |label| Value::str(&label)),
                None => Value::empty(),
            }
        }
        Func::Concat => {
            let mut out = String::new();
            each_value(args, ctx, &mut |view| view_text(view, &mut out));
            Value::Str(out.into())
        }
        Func::Join => {
            let separator = arg_text(args, 0, ctx);
            let mut out = String::new();
            let mut first = true;
            each_value(args.get(1..).unwrap_or_default(), ctx, &mut |view| {
                if !first {
                    out.push_str(&separator);
                }
                first = false;
                view_text(view, &mut out);
            });
            Value::Str(out.into())
        }
        Func::String => match args.first() {
            Some(arg) => match text(arg, ctx) {
                Text::Shared(shared) => Value::Str(shared),
                other => Value::str(&other),
            },
            None => Value::empty(),
        },
        Func::StringLength => num(arg_text(args, 0, ctx).chars().count() as f64),
        Func::Substr => {
            let source = arg_text(args, 0, ctx);
            let chars: Vec<char> = source.chars().collect();
            let len = chars.len() as i64;
            let mut start = to_index(arg_number(args, 1, ctx));
            let mut end = if args.len() > 2 {
                to_index(arg_number(args, 2, ctx))
            } else {
                len
            };
            if start < 0 {
                start = len.saturating_add(start);
            }
            if end < 0 {
                end = len.saturating_add(end);
            }
            let start = start.clamp(0, len) as usize;
            let end = end.clamp(0, len) as usize;
            if start <= end {
                Value::Str(chars[start..end].iter().collect::<String>().into())
            } else {
                Value::empty()
            }
        }
        Func::SubstringBefore => {
            let (source, needle) = (arg_text(args, 0, ctx), arg_text(args, 1, ctx));
            Value::str(source.find(&*needle).map_or("", |at| &source[..at]))
        }
        Func::SubstringAfter => {
            let (source, needle) = (arg_text(args, 0, ctx), arg_text(args, 1, ctx));
            Value::str(
                source
                    .find(&*needle)
                    .map_or("", |at| &source[at + needle.len()..]),
            )
        }
        Func::Contains => Value::Bool(arg_text(args, 0, ctx).contains(&*arg_text(args, 1, ctx))),
        Func::StartsWith => {
            Value::Bool(arg_text(args, 0, ctx).starts_with(&*arg_text(args, 1, ctx)))
        }
        Func::EndsWith => Value::Bool(arg_text(args, 0, ctx).ends_with(&*arg_text(args, 1, ctx))),
        Func::Translate => {
            let source = arg_text(args, 0, ctx);
            let from: Vec<char> = arg_text(args, 1, ctx).chars().collect();
            let to: Vec<char> = arg_text(args, 2, ctx).chars().collect();
            let translated: String = source
                .chars()
                .filter_map(|c| match from.iter().position(|&f| f == c) {
                    None => Some(c),
                    Some(at) => to.get(at).copied(),
                })
                .collect();
            Value::Str(translated.into())
        }
        Func::NormalizeSpace => {
            let source = arg_text(args, 0, ctx);
            Value::Str(
                source
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into(),
            )
        }
        Func::Regex(cache) => {
            let value = arg_text(args, 0, ctx);
            let matched = match cache.compiled() {
                Some(compiled) => compiled.is_match(&value),
                // A computed pattern is compiled on each evaluation; a bad one matches nothing.
                None => compile_regex(&arg_text(args, 1, ctx))
                    .is_ok_and(|compiled| compiled.is_match(&value)),
            };
            Value::Bool(matched)
        }
        Func::Not => Value::Bool(!args.first().is_some_and(|arg| eval_bool(arg, ctx))),
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::Boolean => Value::Bool(args.first().is_some_and(|arg| eval_bool(arg, ctx))),
        Func::BooleanFromString => {
            let source = arg_text(args, 0, ctx);
            Value::Bool(source.eq_ignore_ascii_case("true") || &*source == "1")
        }
        Func::Number => num(arg_number(args, 0, ctx)),
        Func::Int => unary(args, ctx, f64::trunc),
        Func::Round => {
            let places = if args.len() > 1 {
                to_index(arg_number(args, 1, ctx))
            } else {
                0
            };
            num(round(arg_number(args, 0, ctx), places))
        }
        Func::Pow => num(arg_number(args, 0, ctx).powf(arg_number(args, 1, ctx))),
        Func::Abs => unary(args, ctx, f64::abs),
        Func::Sqrt => unary(args, ctx, f64::sqrt),
        Func::Log => unary(args, ctx, f64::ln),
        Func::Log10 => unary(args, ctx, f64::log10),
        Func::Exp => unary(args, ctx, f64::exp),
        Func::Exp10 => unary(args, ctx, |x| 10f64.powf(x)),
        Func::Pi => num(std::f64::consts::PI),
        Func::Sin => unary(args, ctx, f64::sin),
        Func::Cos => unary(args, ctx, f64::cos),
        Func::Tan => unary(args, ctx, f64::tan),
        Func::Asin => unary(args, ctx, f64::asin),
        Func::Acos => unary(args, ctx, f64::acos),
        Func::Atan => unary(args, ctx, f64::atan),
        Func::Atan2 => num(arg_number(args, 0, ctx).atan2(arg_number(args, 1, ctx))),
        Func::Min | Func::Max => {
            let want_max = *func == Func::Max;
            let mut best: Option<f64> = None;
            each_value(args, ctx, &mut |view| {
                let n = view.to_number();
                if !n.is_nan() {
                    best = Some(match best {
                        None => n,
                        Some(b) if want_max => b.max(n),
                        Some(b) => b.min(n),
                    });
                }
            });
            num(best.unwrap_or(f64::NAN))
        }
        Func::Sum => {
            // As JavaRosa: empty (NaN) values are skipped, so a roster with unanswered rows still sums.
            let mut total = 0.0;
            each_value(args, ctx, &mut |view| {
                let n = view.to_number();
                if !n.is_nan() {
                    total += n;
                }
            });
            num(total)
        }
        Func::Count => num(match args.first().map(|arg| eval(arg, ctx)) {
            Some(Value::Nodeset(values)) => values.len() as f64,
            Some(_) => 1.0,
            None => 0.0,
        }),
        Func::CountNonEmpty => num(match args.first().map(|arg| eval(arg, ctx)) {
            Some(Value::Nodeset(values)) => {
                values.iter().filter(|value| !value.is_empty()).count() as f64
            }
            Some(value) => f64::from(u8::from(!value.is_empty())),
            None => 0.0,
        }),
        Func::Position => {
            let position = match slot_of(args.first()) {
                Some(roster) => ctx.position_in(roster),
                None => ctx.position(),
            };
            num(position.map_or(f64::NAN, f64::from))
        }
        Func::IndexedRepeat => indexed_repeat(args, ctx),
        Func::Today => {
            let now = ctx.now();
            Value::Date(now.local_date())
        }
        Func::Now => Value::DateTime(ctx.now()),
        Func::Date => args
            .first()
            .map_or_else(Value::empty, |arg| to_date(eval(arg, ctx))),
        Func::DateTime => args
            .first()
            .map_or_else(Value::empty, |arg| to_date_time(eval(arg, ctx))),
        Func::DecimalDateTime => num(args.first().map_or(f64::NAN, |arg| match eval(arg, ctx) {
            Value::Str(text) if text.trim().is_empty() => f64::NAN,
            value => value.to_number(),
        })),
        Func::DecimalTime => num(args
            .first()
            .map_or(f64::NAN, |arg| decimal_time(eval(arg, ctx)))),
        Func::FormatDate | Func::FormatDateTime => {
            let Some(value) = args.first().map(|arg| eval(arg, ctx)) else {
                return Value::empty();
            };
            match wall_clock(value) {
                Some((days, millis)) => {
                    Value::Str(date::format_with(days, millis, &arg_text(args, 1, ctx)).into())
                }
                None => Value::empty(),
            }
        }
        Func::Uuid => Value::Str(ctx.uuid().into()),
        Func::Checklist => {
            let min = to_index(arg_number(args, 0, ctx));
            let max = to_index(arg_number(args, 1, ctx));
            let mut count = 0i64;
            each_value(args.get(2..).unwrap_or_default(), ctx, &mut |view| {
                count += i64::from(view.to_bool())
            });
            Value::Bool((min < 0 || count >= min) && (max < 0 || count <= max))
        }
        Func::WeightedChecklist => {
            let min = arg_number(args, 0, ctx);
            let max = arg_number(args, 1, ctx);
            let mut flags = Vec::new();
            let mut weights = Vec::new();
            for (index, arg) in args.iter().enumerate().skip(2) {
                let target = if index % 2 == 0 {
                    &mut flags
                } else {
                    &mut weights
                };
                each_value(std::slice::from_ref(arg), ctx, &mut |view| {
                    target.push((view.to_bool(), view.to_number()))
                });
            }
            if flags.len() != weights.len() {
                return Value::Bool(false);
            }
            let total: f64 = flags
                .iter()
                .zip(&weights)
                .filter(|((flag, _), _)| *flag)
                .map(|(_, (_, weight))| weight)
                .sum();
            Value::Bool(total >= min && total <= max)
        }
        Func::Pulldata => {
            let table = arg_text(args, 0, ctx);
            let column = arg_text(args, 1, ctx);
            let key_column = arg_text(args, 2, ctx);
            let key = arg_text(args, 3, ctx);
            ctx.pulldata(&table, &column, &key_column, &key)
                .map_or_else(Value::empty, |found| Value::str(&found))
        }
        Func::Currency => match slot_of(args.first()) {
            Some(slot) => ctx.currency(slot),
            None => Value::empty(),
        },
        Func::Unknown => Value::empty(),
    }
}

fn indexed_repeat(args: &[Expr], ctx: &dyn Context) -> Value {
    let Some(item) = slot_of(args.first()) else {
        return Value::empty();
    };
    let mut path = Vec::with_capacity(args.len() / 2);
    for pair in args.get(1..).unwrap_or_default().chunks(2) {
        let (Some(roster), Some(index)) = (slot_of(pair.first()), pair.get(1)) else {
            return Value::empty();
        };
        // As JavaRosa: an index below 1 (or empty) reads the first row.
        let index = to_index(number(index, ctx)).clamp(1, i64::from(u32::MAX)) as u32;
        path.push((roster, index));
    }
    match path.as_slice() {
        [(roster, index)] => ctx.indexed(item, *roster, *index),
        _ => ctx.indexed_path(item, &path),
    }
}

/// ODK `round(x, places)`: half up toward positive infinity (XPath), on the number's shortest decimal
/// form so that `round(1.005, 2)` is 1.01 as a person expects; more than 30 places either way is NaN.
fn round(x: f64, places: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if !(-30..=30).contains(&places) {
        return f64::NAN;
    }
    if places < 0 {
        let scale = 10f64.powi(-places as i32);
        return (x / scale + 0.5).floor() * scale;
    }
    // Shortest round-trip digits: `d.ddddde±x`.
    let formatted = format!("{:e}", x.abs());
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // Digits kept: those before the decimal point plus `places` after it.
    let keep = exponent + 1 + places;
    if keep < 0 {
        return if x < 0.0 { -0.0 } else { 0.0 };
    }
    let keep = keep as usize;
    if keep >= digits.len() {
        return x;
    }
    let first_dropped = digits[keep];
    let rest_nonzero = digits[keep + 1..].iter().any(|&d| d != 0);
    // Positive: half away from zero; negative: half toward zero (both are "toward +infinity").
    let round_up = if x >= 0.0 {
        first_dropped >= 5
    } else {
        first_dropped > 5 || (first_dropped == 5 && rest_nonzero)
    };
    let mut kept: u128 = 0;
    for &d in &digits[..keep] {
        kept = kept.saturating_mul(10).saturating_add(u128::from(d));
    }
    if round_up {
        kept += 1;
    }
    // kept × 10^(exponent + 1 - keep) = kept / 10^places.
    let text = format!("{kept}e{}", exponent + 1 - keep as i64);
    let magnitude: f64 = text.parse().unwrap_or(f64::NAN);
    if x < 0.0 { -magnitude } else { magnitude }
}

/// `date(x)`: a day number (truncated), an ISO date or date-time string (its date in its own zone), a
/// date, or a date-time (its local date). Anything else, and empty, is empty.
fn to_date(value: Value) -> Value {
    match value {
        Value::Date(days) => Value::Date(days),
        Value::DateTime(dt) => Value::Date(dt.local_date()),
        Value::Num(n) => day_number(n),
        Value::Str(text) => {
            let text = text.trim();
            if let Some(days) = date::parse_date(text) {
                Value::Date(days)
            } else if let Some(dt) = date::parse_date_time(text) {
                Value::Date(dt.local_date())
            } else {
                day_number(str_to_number(text))
            }
        }
        Value::Nodeset(mut values) if !values.is_empty() => to_date(values.swap_remove(0)),
        Value::Bool(_) | Value::Nodeset(_) => Value::empty(),
    }
}

fn day_number(n: f64) -> Value {
    if n.is_finite() && n.abs() <= f64::from(i32::MAX) {
        Value::Date(n.trunc() as i32)
    } else {
        Value::empty()
    }
}

/// `date-time(x)`: fractional days since 1970-01-01T00:00Z, or an ISO string, or a date (its midnight UTC).
fn to_date_time(value: Value) -> Value {
    let from_days = |n: f64| {
        if n.is_finite() && n.abs() <= f64::from(i32::MAX) {
            Value::DateTime(DateTimeValue {
                millis: (n * DAY_MS as f64).round() as i64,
                offset_minutes: 0,
            })
        } else {
            Value::empty()
        }
    };
    match value {
        Value::DateTime(dt) => Value::DateTime(dt),
        Value::Date(days) => Value::DateTime(DateTimeValue {
            millis: i64::from(days) * DAY_MS,
            offset_minutes: 0,
        }),
        Value::Num(n) => from_days(n),
        Value::Str(text) => {
            let text = text.trim();
            match date::parse_date_time(text) {
                Some(dt) => Value::DateTime(dt),
                None => from_days(str_to_number(text)),
            }
        }
        Value::Nodeset(mut values) if !values.is_empty() => to_date_time(values.swap_remove(0)),
        Value::Bool(_) | Value::Nodeset(_) => Value::empty(),
    }
}

/// `decimal-time(x)`: the time of day as a fraction of a day (local to the value's own zone).
fn decimal_time(value: Value) -> f64 {
    match value {
        Value::DateTime(dt) => date::local_parts(dt).1 as f64 / DAY_MS as f64,
        Value::Date(_) => 0.0,
        Value::Num(n) => n - n.floor(),
        Value::Str(text) => {
            let text = text.trim();
            if let Some(millis) = date::parse_time(text) {
                millis as f64 / DAY_MS as f64
            } else if let Some(dt) = date::parse_date_time(text) {
                date::local_parts(dt).1 as f64 / DAY_MS as f64
            } else {
                let n = str_to_number(text);
                n - n.floor()
            }
        }
        Value::Nodeset(mut values) if !values.is_empty() => decimal_time(values.swap_remove(0)),
        Value::Bool(_) | Value::Nodeset(_) => f64::NAN,
    }
}

/// The wall-clock day and milliseconds since midnight that `format-date` prints.
fn wall_clock(value: Value) -> Option<(i64, i64)> {
    let from_days = |n: f64| {
        (n.is_finite() && n.abs() <= f64::from(i32::MAX)).then(|| {
            let millis = (n * DAY_MS as f64).round() as i64;
            (millis.div_euclid(DAY_MS), millis.rem_euclid(DAY_MS))
        })
    };
    match value {
        Value::Date(days) => Some((i64::from(days), 0)),
        Value::DateTime(dt) => Some(date::local_parts(dt)),
        Value::Num(n) => from_days(n),
        Value::Str(text) => {
            let text = text.trim();
            if let Some(days) = date::parse_date(text) {
                Some((i64::from(days), 0))
            } else if let Some(dt) = date::parse_date_time(text) {
                Some(date::local_parts(dt))
            } else {
                from_days(str_to_number(text))
            }
        }
        Value::Nodeset(mut values) if !values.is_empty() => wall_clock(values.swap_remove(0)),
        Value::Bool(_) | Value::Nodeset(_) => None,
    }
}
