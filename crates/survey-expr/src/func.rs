//! The function library: names, arities and static result types.

use std::fmt;
use std::sync::Arc;

use crate::check::ValueType;

/// A compiled regular expression kept in the syntax tree, so that `regex(., 'literal')` compiles its
/// pattern once, when the expression is checked, and never while evaluating.
#[derive(Clone, Default)]
pub struct RegexCache(pub(crate) Option<Arc<regex::Regex>>);

impl RegexCache {
    /// The compiled pattern, if the pattern is a literal that the checker compiled.
    pub fn compiled(&self) -> Option<&regex::Regex> {
        self.0.as_deref()
    }
}

impl fmt::Debug for RegexCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(re) => write!(f, "RegexCache({:?})", re.as_str()),
            None => f.write_str("RegexCache(None)"),
        }
    }
}

/// Two caches are equal when they hold the same compiled pattern (or both hold none).
impl PartialEq for RegexCache {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => a.as_str() == b.as_str(),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Eq for RegexCache {}

/// Compiles a `regex()` pattern the way ODK applies it: the whole value must match (Java's
/// `Pattern.matches`). The pattern is first compiled alone so that a pattern with unbalanced
/// parentheses cannot escape the anchors.
pub(crate) fn compile_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    const SIZE_LIMIT: usize = 1 << 20;
    regex::RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .build()?;
    regex::RegexBuilder::new(&format!(r"\A(?:{pattern})\z"))
        .size_limit(SIZE_LIMIT)
        .build()
}

macro_rules! functions {
    ($( $variant:ident = $name:literal, $min:expr, $max:expr, $ret:ident, $doc:literal; )*) => {
        /// A function of the library, resolved from its name by [`check`](crate::check).
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Func {
            $( #[doc = $doc] $variant, )*
            /// `regex(value, pattern)`: whether the whole value matches the pattern. Holds the compiled
            /// pattern when it is a literal.
            Regex(RegexCache),
            /// A name that is not a function of the library (or a call not yet checked).
            Unknown,
        }

        impl Func {
            /// The function called `name`, or [`Func::Unknown`].
            pub fn from_name(name: &str) -> Func {
                match name {
                    $( $name => Func::$variant, )*
                    "regex" => Func::Regex(RegexCache::default()),
                    // JavaRosa's older spelling of `selected`.
                    "is-selected" => Func::Selected,
                    _ => Func::Unknown,
                }
            }

            /// The canonical name of the function (`""` for [`Func::Unknown`]).
            pub fn name(&self) -> &'static str {
                match self {
                    $( Func::$variant => $name, )*
                    Func::Regex(_) => "regex",
                    Func::Unknown => "",
                }
            }

            /// The fewest and the most arguments the function takes (`None`: no upper limit).
            pub fn arity(&self) -> (usize, Option<usize>) {
                match self {
                    $( Func::$variant => ($min, $max), )*
                    Func::Regex(_) => (2, Some(2)),
                    Func::Unknown => (0, None),
                }
            }

            /// The static type of the function's result ([`ValueType::Any`] when it depends on the
            /// arguments, as for `if`).
            pub fn result_type(&self) -> ValueType {
                match self {
                    $( Func::$variant => ValueType::$ret, )*
                    Func::Regex(_) => ValueType::Boolean,
                    Func::Unknown => ValueType::Any,
                }
            }

            /// The names of every function of the library, sorted.
            pub fn all_names() -> Vec<&'static str> {
                let mut names = vec![$( $name, )* "regex"];
                names.sort_unstable();
                names
            }
        }
    };
}

functions! {
    If = "if", 3, Some(3), Any, "`if(condition, then, else)`.";
    Coalesce = "coalesce", 2, Some(2), Any, "`coalesce(a, b)`: `a` unless it is empty, else `b`.";
    Selected = "selected", 2, Some(2), Boolean, "`selected(list, code)`: whether the space-separated list holds the code.";
    CountSelected = "count-selected", 1, Some(1), Number, "`count-selected(list)`: how many codes the list holds.";
    SelectedAt = "selected-at", 2, Some(2), String, "`selected-at(list, n)`: the code at 0-based position `n`, or empty.";
    ChoiceName = "jr:choice-name", 2, Some(2), String, "`jr:choice-name(code, '${item}')`: the label of the item's choice with that code.";
    Concat = "concat", 1, None, String, "`concat(a, ...)`: the string values joined; rosters contribute every row.";
    Join = "join", 1, None, String, "`join(separator, values...)`: the values joined with the separator.";
    String = "string", 1, Some(1), String, "`string(x)`: the XPath string value.";
    StringLength = "string-length", 1, Some(1), Number, "`string-length(s)`: the number of characters.";
    Substr = "substr", 2, Some(3), String, "`substr(s, start, end?)`: characters from 0-based `start` up to `end` (exclusive); negative positions count from the end.";
    SubstringBefore = "substring-before", 2, Some(2), String, "`substring-before(s, t)`: the text before the first `t`, or empty.";
    SubstringAfter = "substring-after", 2, Some(2), String, "`substring-after(s, t)`: the text after the first `t`, or empty.";
    Contains = "contains", 2, Some(2), Boolean, "`contains(s, t)`.";
    StartsWith = "starts-with", 2, Some(2), Boolean, "`starts-with(s, t)`.";
    EndsWith = "ends-with", 2, Some(2), Boolean, "`ends-with(s, t)`.";
    Translate = "translate", 3, Some(3), String, "`translate(s, from, to)`: replaces characters of `from` by those of `to` (deletes those without counterpart).";
    NormalizeSpace = "normalize-space", 1, Some(1), String, "`normalize-space(s)`: trims and collapses whitespace.";
    Not = "not", 1, Some(1), Boolean, "`not(x)`.";
    True = "true", 0, Some(0), Boolean, "`true()`.";
    False = "false", 0, Some(0), Boolean, "`false()`.";
    Boolean = "boolean", 1, Some(1), Boolean, "`boolean(x)`: XPath truth (`boolean('false')` is true).";
    BooleanFromString = "boolean-from-string", 1, Some(1), Boolean, "`boolean-from-string(s)`: true for `'true'` and `'1'` only.";
    Number = "number", 1, Some(1), Number, "`number(x)`: XPath number, extended to ISO dates (days since 1970-01-01).";
    Int = "int", 1, Some(1), Number, "`int(x)`: truncates toward zero.";
    Round = "round", 1, Some(2), Number, "`round(x, digits?)`: rounds half up (toward positive infinity) at the decimal position.";
    Pow = "pow", 2, Some(2), Number, "`pow(x, y)`.";
    Abs = "abs", 1, Some(1), Number, "`abs(x)`.";
    Sqrt = "sqrt", 1, Some(1), Number, "`sqrt(x)`.";
    Log = "log", 1, Some(1), Number, "`log(x)`: natural logarithm.";
    Log10 = "log10", 1, Some(1), Number, "`log10(x)`.";
    Exp = "exp", 1, Some(1), Number, "`exp(x)`.";
    Exp10 = "exp10", 1, Some(1), Number, "`exp10(x)`: 10 to the power `x`.";
    Pi = "pi", 0, Some(0), Number, "`pi()`.";
    Sin = "sin", 1, Some(1), Number, "`sin(x)` (radians).";
    Cos = "cos", 1, Some(1), Number, "`cos(x)` (radians).";
    Tan = "tan", 1, Some(1), Number, "`tan(x)` (radians).";
    Asin = "asin", 1, Some(1), Number, "`asin(x)`.";
    Acos = "acos", 1, Some(1), Number, "`acos(x)`.";
    Atan = "atan", 1, Some(1), Number, "`atan(x)`.";
    Atan2 = "atan2", 2, Some(2), Number, "`atan2(y, x)`.";
    Min = "min", 1, None, Number, "`min(values...)`: the smallest number, empty values skipped; NaN when none.";
    Max = "max", 1, None, Number, "`max(values...)`: the largest number, empty values skipped; NaN when none.";
    Sum = "sum", 1, None, Number, "`sum(${item}, ...)`: the total over every row of every argument, empty values skipped.";
    Count = "count", 1, Some(1), Number, "`count(${roster})`: the number of rows.";
    CountNonEmpty = "count-non-empty", 1, Some(1), Number, "`count-non-empty(${item})`: the number of rows where the item is not empty.";
    Position = "position", 0, Some(1), Number, "`position(..)`: the 1-based row number in the innermost roster.";
    IndexedRepeat = "indexed-repeat", 3, Some(11), Any, "`indexed-repeat(${item}, ${roster}, n, ...)`: the item's value in row `n`.";
    Today = "today", 0, Some(0), Date, "`today()`: the date in the interview's time zone.";
    Now = "now", 0, Some(0), DateTime, "`now()`: the current date and time.";
    Date = "date", 1, Some(1), Date, "`date(x)`: a date from a day number or an ISO string.";
    DateTime = "date-time", 1, Some(1), DateTime, "`date-time(x)`: a date-time from a (fractional) day number or an ISO string.";
    DecimalDateTime = "decimal-date-time", 1, Some(1), Number, "`decimal-date-time(x)`: fractional days since 1970-01-01T00:00Z.";
    DecimalTime = "decimal-time", 1, Some(1), Number, "`decimal-time(x)`: the time of day as a fraction of a day.";
    FormatDate = "format-date", 2, Some(2), String, "`format-date(date, format)` with `%Y %y %m %n %b %d %e %a %H %h %M %S %3`.";
    FormatDateTime = "format-date-time", 2, Some(2), String, "`format-date-time(datetime, format)`, same directives as `format-date`.";
    Once = "once", 1, Some(1), Any, "`once(x)`: the item's own value if it has one, else `x`.";
    Uuid = "uuid", 0, Some(0), String, "`uuid()`: a new random identifier.";
    Checklist = "checklist", 2, None, Boolean, "`checklist(min, max, v...)`: whether the number of true values is within `min..=max` (-1: no bound).";
    WeightedChecklist = "weighted-checklist", 2, None, Boolean, "`weighted-checklist(min, max, v, w, ...)`: like `checklist` with weights.";
    Pulldata = "pulldata", 4, Some(4), String, "`pulldata('table', 'column', 'key_column', key)`: a value from a lookup table.";
    Currency = "currency", 1, Some(1), String, "`currency(${money})`: the ISO 4217 code of a money answer.";
}
