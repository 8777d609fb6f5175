//! The checker: resolves names against a [`Scope`], validates calls, and infers a static type.

use crate::ast::{BinOp, Expr, ExprKind};
use crate::date::FORMAT_DIRECTIVES;
use crate::func::{Func, RegexCache, compile_regex};
use crate::{Diagnostic, Slot, Span};

/// How many values a reference yields where the expression is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Multiplicity {
    /// One value: the item is not in a roster, or in the expression's own roster row or an ancestor's.
    One,
    /// Every row's value: the item is inside a roster the expression is not in; it must be aggregated.
    Many,
}

/// The static type of an item or an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// Free text.
    String,
    /// Integer or decimal.
    Number,
    /// A boolean (results of comparisons and logical functions).
    Boolean,
    /// A calendar date.
    Date,
    /// A date and time.
    DateTime,
    /// A time of day.
    Time,
    /// A single choice code.
    Choice,
    /// Several choice codes separated by spaces.
    Choices,
    /// A geopoint.
    Geo,
    /// A roster (only meaningful in `count()`, `indexed-repeat()` and `position()`).
    Roster,
    /// Unknown or mixed.
    Any,
}

/// What a `${name}` means where the expression is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefInfo {
    /// Where the evaluator finds the value.
    pub slot: Slot,
    /// One value, or every row's value.
    pub multiplicity: Multiplicity,
    /// The static type of the referenced item.
    pub value_type: ValueType,
    /// The name is a roster itself (valid in `count()`, `indexed-repeat()`'s roster arguments, `position()`).
    pub is_roster: bool,
}

/// The names visible to an expression. Implemented by `survey-spec`.
pub trait Scope {
    /// What `${name}` refers to, or `None` when no item has that name.
    fn lookup(&self, name: &str) -> Option<RefInfo>;

    /// Calls `visit` with every name that `lookup` knows, so that a misspelt reference can be answered
    /// with "did you mean". The default knows no names (no suggestions).
    fn for_each_name(&self, visit: &mut dyn FnMut(&str)) {
        let _ = visit;
    }
}

/// Where an expression is written, which decides what it may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Bare names are choice-list columns (a `choice_filter`).
    pub allow_fields: bool,
    /// `.` is meaningful (constraints, and expressions of an item about its own value).
    pub allow_current: bool,
}

/// Resolves every reference's slot and every call's function in place, and returns the static type of
/// the expression with every diagnostic (see the crate documentation for the list of codes).
pub fn check(
    expr: &mut Expr,
    scope: &dyn Scope,
    options: &CheckOptions,
) -> (ValueType, Vec<Diagnostic>) {
    let mut checker = Checker {
        scope,
        options: *options,
        diagnostics: Vec::new(),
        aggregate_depth: 0,
    };
    let value_type = checker.expr(expr, Place::Value);
    (value_type, checker.diagnostics)
}

/// Where a sub-expression stands, which decides whether a roster-wide reference is acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// An ordinary value.
    Value,
    /// A direct argument of an aggregate: every row's value is welcome.
    Aggregate,
    /// The argument of `count()`: rows of a roster or values of an item.
    Count,
    /// A roster argument of `indexed-repeat()` or `position()`.
    Roster,
    /// The quoted item of `jr:choice-name`: a name, not a value.
    ItemName,
}

struct Checker<'a> {
    scope: &'a dyn Scope,
    options: CheckOptions,
    diagnostics: Vec<Diagnostic>,
    /// How many aggregate arguments enclose the node being checked.
    aggregate_depth: usize,
}

fn describe(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::String => "a text",
        ValueType::Number => "a number",
        ValueType::Boolean => "a yes/no value",
        ValueType::Date => "a date",
        ValueType::DateTime => "a date-time",
        ValueType::Time => "a time",
        ValueType::Choice => "a single choice",
        ValueType::Choices => "a multiple choice",
        ValueType::Geo => "a geopoint",
        ValueType::Roster => "a roster",
        ValueType::Any => "a value",
    }
}

/// Levenshtein distance over characters, for "did you mean" suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(!ca.eq_ignore_ascii_case(&cb));
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The closest candidate within a distance of a third of the name's length (at least 1, at most 3).
fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|&(distance, candidate)| distance <= limit && candidate != name)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

fn is_empty_literal(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Str(s) if s.is_empty())
}

impl Checker<'_> {
    fn error(&mut self, code: &'static str, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::error(code, span, message));
    }

    fn warning(&mut self, code: &'static str, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::warning(code, span, message));
    }

    fn suggest_ref(&self, name: &str) -> Option<String> {
        let mut names = Vec::new();
        self.scope
            .for_each_name(&mut |candidate| names.push(candidate.to_string()));
        closest(name, names.iter().map(String::as_str)).map(str::to_string)
    }

    fn expr(&mut self, expr: &mut Expr, place: Place) -> ValueType {
        let span = expr.span;
        match &mut expr.kind {
            ExprKind::Str(_) => ValueType::String,
            ExprKind::Num(_) => ValueType::Number,
            ExprKind::Ref { name, slot } => self.reference(name, slot, span, place),
            ExprKind::Field(name) => {
                if !self.options.allow_fields {
                    let message = if Func::from_name(name) != Func::Unknown {
                        format!("`{name}` is a function: call it as `{name}()`")
                    } else if self.scope.lookup(name).is_some() {
                        format!("to use the answer to `{name}`, write `${{{name}}}`")
                    } else {
                        format!(
                            "`{name}` is a bare name, which only a choice filter understands (as a column of the choice list); refer to a question as `${{name}}`"
                        )
                    };
                    self.error("expr-field-not-allowed", span, message);
                }
                ValueType::Any
            }
            ExprKind::Current => {
                if !self.options.allow_current {
                    self.error(
                        "expr-current-not-allowed",
                        span,
                        "`.` (this question's own value) has no meaning here; refer to the question by `${name}`".into(),
                    );
                }
                ValueType::Any
            }
            ExprKind::Parent => {
                if place != Place::Roster {
                    self.error(
                        "expr-parent-misuse",
                        span,
                        "`..` is only understood as `position(..)`, the row number in the current roster".into(),
                    );
                }
                ValueType::Roster
            }
            ExprKind::Neg(inner) => {
                let inner_type = self.expr(inner, Place::Value);
                self.expect_number(inner, inner_type, "negate");
                ValueType::Number
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let op = *op;
                let lhs_type = self.expr(lhs, Place::Value);
                let rhs_type = self.expr(rhs, Place::Value);
                self.binary(op, lhs, lhs_type, rhs, rhs_type)
            }
            ExprKind::Call { func, name, args } => self.call(func, name, args, span),
        }
    }

    fn reference(&mut self, name: &str, slot: &mut Slot, span: Span, place: Place) -> ValueType {
        let Some(info) = self.scope.lookup(name) else {
            *slot = Slot::UNRESOLVED;
            let message = match self.suggest_ref(name) {
                Some(suggestion) => {
                    format!(
                        "`${{{name}}}` is not a question in this questionnaire; did you mean `${{{suggestion}}}`?"
                    )
                }
                None => format!("`${{{name}}}` is not a question in this questionnaire"),
            };
            self.error("expr-unknown-ref", span, message);
            return ValueType::Any;
        };
        *slot = info.slot;
        if info.is_roster {
            if !matches!(place, Place::Count | Place::Roster) {
                self.error(
                    "expr-roster-value",
                    span,
                    format!(
                        "`${{{name}}}` is a roster, which has no value of its own: count its rows with `count(${{{name}}})` or refer to a question inside it"
                    ),
                );
            }
            return ValueType::Roster;
        }
        if place == Place::Roster {
            self.error(
                "expr-bad-argument",
                span,
                format!("`${{{name}}}` is not a roster; this argument must name a roster"),
            );
        }
        if info.multiplicity == Multiplicity::Many
            && place == Place::Value
            && self.aggregate_depth > 0
        {
            self.error(
                "expr-many-ref",
                span,
                format!(
                    "`${{{name}}}` is inside a roster: an aggregate takes it directly, as in `sum(${{{name}}})`, not inside a computation; compute the value in a calculation inside the roster and aggregate that"
                ),
            );
        } else if info.multiplicity == Multiplicity::Many && place == Place::Value {
            self.error(
                "expr-many-ref",
                span,
                format!(
                    "`${{{name}}}` is inside a roster, so here it has one value per row: aggregate it with sum(), count(), count-non-empty(), min(), max(), join(), concat() or indexed-repeat()"
                ),
            );
        }
        info.value_type
    }

    fn expect_number(&mut self, expr: &Expr, value_type: ValueType, doing: &str) {
        let wrong = match &expr.kind {
            ExprKind::Str(text) => crate::value::str_to_number(text).is_nan(),
            // Only items have a trustworthy type: function results such as pulldata() are often numbers
            // in text form.
            ExprKind::Ref { .. } => matches!(
                value_type,
                ValueType::String | ValueType::Choices | ValueType::Geo
            ),
            _ => false,
        };
        if wrong {
            let what = match &expr.kind {
                ExprKind::Str(text) => format!("the text '{text}'"),
                _ => describe(value_type).to_string(),
            };
            self.warning(
                "expr-type-mismatch",
                expr.span,
                format!(
                    "cannot {doing} {what}: it is not a number, so the result will be empty (NaN)"
                ),
            );
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        lhs_type: ValueType,
        rhs: &Expr,
        rhs_type: ValueType,
    ) -> ValueType {
        match op {
            BinOp::Or | BinOp::And => ValueType::Boolean,
            BinOp::Eq | BinOp::Ne => {
                for (side, side_type, other) in [(lhs, lhs_type, rhs), (rhs, rhs_type, lhs)] {
                    let compares_to_code = match &other.kind {
                        ExprKind::Str(text) => !text.is_empty(),
                        ExprKind::Num(_) => true,
                        _ => false,
                    };
                    if side_type == ValueType::Choices && compares_to_code {
                        self.warning(
                            "expr-multiple-compare",
                            side.span,
                            format!(
                                "`{side}` is a multiple choice: `{op}` compares the whole list of selected codes; to test one code write `selected({side}, {other})`",
                                op = op.symbol()
                            ),
                        );
                    }
                }
                self.date_against_literal(lhs, lhs_type, rhs, rhs_type);
                ValueType::Boolean
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let temporal = |t| matches!(t, ValueType::Date | ValueType::DateTime);
                if temporal(lhs_type) || temporal(rhs_type) {
                    self.date_against_literal(lhs, lhs_type, rhs, rhs_type);
                } else {
                    self.expect_number(lhs, lhs_type, "compare");
                    self.expect_number(rhs, rhs_type, "compare");
                }
                ValueType::Boolean
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                let doing = match op {
                    BinOp::Add => "add",
                    BinOp::Sub => "subtract",
                    BinOp::Mul => "multiply",
                    _ => "divide",
                };
                self.expect_number(lhs, lhs_type, doing);
                self.expect_number(rhs, rhs_type, doing);
                ValueType::Number
            }
        }
    }

    /// `${dob} > 1990` compares a date with day number 1990 (1975-06-14), which is never what is meant.
    fn date_against_literal(
        &mut self,
        lhs: &Expr,
        lhs_type: ValueType,
        rhs: &Expr,
        rhs_type: ValueType,
    ) {
        for (side_type, other) in [(lhs_type, rhs), (rhs_type, lhs)] {
            if !matches!(side_type, ValueType::Date | ValueType::DateTime) {
                continue;
            }
            match &other.kind {
                ExprKind::Num(n) if (1000.0..=9999.0).contains(n) => self.warning(
                    "expr-type-mismatch",
                    other.span,
                    format!(
                        "a date compared with the number {n} is compared with day {n} after 1970-01-01; to compare years write `format-date(..., '%Y')`, or compare with a date like '{n}-01-01'"
                    ),
                ),
                ExprKind::Str(text) if !text.is_empty() && crate::value::iso_to_number(text).is_none() => {
                    self.warning(
                        "expr-type-mismatch",
                        other.span,
                        format!("'{text}' is not a date: write dates as 'YYYY-MM-DD'"),
                    )
                }
                _ => {}
            }
        }
    }

    fn call(&mut self, func: &mut Func, name: &str, args: &mut [Expr], span: Span) -> ValueType {
        *func = Func::from_name(name);
        if *func == Func::Unknown {
            let message = match name {
                "instance" | "current" => format!(
                    "`{name}()` is not supported: look values up with pulldata('table', 'column', 'key_column', key)"
                ),
                "random" | "randomize" => {
                    format!(
                        "`{name}()` is not supported: expressions must give the same result on every device"
                    )
                }
                _ => match closest(name, Func::all_names()) {
                    Some(suggestion) => format!(
                        "`{name}()` is not a known function; did you mean `{suggestion}()`?"
                    ),
                    None => format!("`{name}()` is not a known function"),
                },
            };
            self.error("expr-unknown-function", span, message);
            for arg in args.iter_mut() {
                self.expr(arg, Place::Value);
            }
            return ValueType::Any;
        }
        let (min, max) = func.arity();
        let count = args.len();
        let arity_ok = match func {
            Func::IndexedRepeat => count % 2 == 1 && (3..=11).contains(&count),
            Func::WeightedChecklist => count >= 2 && count.is_multiple_of(2),
            _ => count >= min && max.is_none_or(|max| count <= max),
        };
        if !arity_ok {
            let expected = match (func.clone(), max) {
                (Func::IndexedRepeat, _) => {
                    "3, 5, 7, 9 or 11 arguments: the item, then pairs of roster and row number"
                        .to_string()
                }
                (Func::WeightedChecklist, _) => {
                    "an even number of arguments: min, max, then pairs of value and weight"
                        .to_string()
                }
                (_, Some(max)) if max == min => plural(min),
                (_, Some(max)) => format!("{min} to {max} arguments"),
                (_, None) => format!("at least {}", plural(min)),
            };
            self.error(
                "expr-arity",
                span,
                format!("`{name}()` takes {expected}, not {count}"),
            );
        }

        let mut types = Vec::with_capacity(args.len());
        for (index, arg) in args.iter_mut().enumerate() {
            let place = argument_place(func, index);
            self.require_reference(func, name, index, arg, place);
            let aggregate = matches!(place, Place::Aggregate | Place::Count);
            self.aggregate_depth += usize::from(aggregate);
            types.push(self.expr(arg, place));
            self.aggregate_depth -= usize::from(aggregate);
        }
        self.call_arguments(func, name, args, &types);

        match func {
            Func::If => merge_types(args.iter().zip(&types).skip(1)),
            Func::Coalesce => merge_types(args.iter().zip(&types)),
            Func::Once => types.first().copied().unwrap_or(ValueType::Any),
            Func::IndexedRepeat => types.first().copied().unwrap_or(ValueType::Any),
            _ => func.result_type(),
        }
    }

    /// Arguments that must be written as a reference (a node, in XPath terms).
    fn require_reference(
        &mut self,
        func: &Func,
        name: &str,
        index: usize,
        arg: &Expr,
        place: Place,
    ) {
        let needs = match func {
            Func::Count | Func::CountNonEmpty | Func::Currency => index == 0,
            Func::IndexedRepeat => index == 0 || index % 2 == 1,
            Func::Position => true,
            _ => false,
        };
        let is_reference = matches!(arg.kind, ExprKind::Ref { .. })
            || (matches!(arg.kind, ExprKind::Parent)
                && place == Place::Roster
                && *func == Func::Position);
        if needs && !is_reference {
            let message = match (func, place) {
                (Func::Position, _) => {
                    "`position()` takes `..` (the current row) or a roster `${name}`".to_string()
                }
                (_, Place::Roster) => format!(
                    "argument {} of `{name}()` must name a roster: `${{roster}}`",
                    index + 1
                ),
                _ => format!(
                    "`{name}()` needs a question written as `${{name}}` here, not a computed value"
                ),
            };
            self.error("expr-bad-argument", arg.span, message);
        }
    }

    fn call_arguments(&mut self, func: &mut Func, name: &str, args: &[Expr], types: &[ValueType]) {
        match func {
            Func::Regex(cache) => {
                if let Some(Expr {
                    kind: ExprKind::Str(pattern),
                    span,
                }) = args.get(1)
                {
                    match compile_regex(pattern) {
                        Ok(compiled) => *cache = RegexCache(Some(std::sync::Arc::new(compiled))),
                        Err(error) => {
                            let detail = error.to_string();
                            let detail =
                                detail.lines().last().unwrap_or_default().trim().to_string();
                            self.error(
                                "expr-bad-regex",
                                *span,
                                format!("'{pattern}' is not a valid regular expression: {detail}"),
                            );
                        }
                    }
                }
            }
            Func::Selected | Func::CountSelected | Func::SelectedAt => {
                if let Some(&list_type) = types.first()
                    && matches!(
                        list_type,
                        ValueType::Number | ValueType::Date | ValueType::DateTime | ValueType::Geo
                    )
                {
                    self.warning(
                        "expr-type-mismatch",
                        args[0].span,
                        format!(
                            "`{name}()` looks into a list of choice codes, but `{}` is {}",
                            args[0],
                            describe(list_type)
                        ),
                    );
                }
                if *func == Func::Selected
                    && let Some(code) = args.get(1)
                    && matches!(code.kind, ExprKind::Num(_))
                {
                    self.warning(
                        "expr-type-mismatch",
                        code.span,
                        format!("choice codes are text: write `'{code}'` in quotes"),
                    );
                }
            }
            Func::ChoiceName => {
                if let Some(item) = args.get(1) {
                    match &item.kind {
                        ExprKind::Ref { .. } => {
                            if !matches!(types[1], ValueType::Choice | ValueType::Choices | ValueType::Any) {
                                self.warning(
                                    "expr-type-mismatch",
                                    item.span,
                                    format!("`jr:choice-name()` needs a choice question, but `{item}` is {}", describe(types[1])),
                                );
                            }
                        }
                        _ => self.error(
                            "expr-bad-argument",
                            item.span,
                            "the second argument of `jr:choice-name()` names the choice question in quotes: '${question}'".into(),
                        ),
                    }
                }
            }
            Func::FormatDate | Func::FormatDateTime => {
                if let Some(Expr {
                    kind: ExprKind::Str(format),
                    span,
                }) = args.get(1)
                {
                    let mut chars = format.chars();
                    while let Some(c) = chars.next() {
                        if c == '%' {
                            let directive = chars.next();
                            if !directive.is_some_and(|d| FORMAT_DIRECTIVES.contains(d)) {
                                let shown = directive
                                    .map(|d| format!("%{d}"))
                                    .unwrap_or_else(|| "%".into());
                                self.warning(
                                    "expr-bad-date-format",
                                    *span,
                                    format!(
                                        "`{shown}` is not a date format directive (use %Y %y %m %n %b %d %e %a %H %h %M %S %3, or %% for a percent sign); it will be printed as is"
                                    ),
                                );
                            }
                        }
                    }
                }
                if let Some(&value_type) = types.first()
                    && matches!(
                        value_type,
                        ValueType::Number
                            | ValueType::Choices
                            | ValueType::Geo
                            | ValueType::Boolean
                    )
                {
                    self.warning(
                        "expr-type-mismatch",
                        args[0].span,
                        format!(
                            "`{name}()` formats a date, but `{}` is {}",
                            args[0],
                            describe(value_type)
                        ),
                    );
                }
            }
            Func::Pulldata => {
                for (index, arg) in args.iter().enumerate().take(3) {
                    if let ExprKind::Str(text) = &arg.kind
                        && text.is_empty()
                    {
                        let what = ["table", "column", "key column"][index];
                        self.error(
                            "expr-bad-argument",
                            arg.span,
                            format!("the {what} name of `pulldata()` is empty"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn plural(count: usize) -> String {
    match count {
        0 => "no arguments".to_string(),
        1 => "1 argument".to_string(),
        n => format!("{n} arguments"),
    }
}

/// Which place each argument of a function stands in.
fn argument_place(func: &Func, index: usize) -> Place {
    match func {
        Func::Count => Place::Count,
        Func::Sum | Func::CountNonEmpty | Func::Min | Func::Max => Place::Aggregate,
        Func::Join if index >= 1 => Place::Aggregate,
        Func::Concat => Place::Aggregate,
        Func::Checklist | Func::WeightedChecklist if index >= 2 => Place::Aggregate,
        Func::IndexedRepeat if index == 0 => Place::Aggregate,
        Func::IndexedRepeat if index % 2 == 1 => Place::Roster,
        Func::Position => Place::Roster,
        Func::ChoiceName if index == 1 => Place::ItemName,
        _ => Place::Value,
    }
}

/// The type of `if`/`coalesce`: the branches' common type, ignoring `''` branches (the usual "else
/// empty"); [`ValueType::Any`] when they disagree.
fn merge_types<'e>(branches: impl Iterator<Item = (&'e Expr, &'e ValueType)>) -> ValueType {
    let mut merged = None;
    for (expr, &value_type) in branches {
        if is_empty_literal(expr) {
            continue;
        }
        merged = match merged {
            None => Some(value_type),
            Some(previous) if previous == value_type => Some(previous),
            Some(_) => return ValueType::Any,
        };
    }
    merged.unwrap_or(ValueType::String)
}
